#!/usr/bin/env bash
# Renders the accuracy check's takes: every eighth call of tests/corpus (17 calls and
# voicemails) spoken in turn by flite, espeak-ng and Festival voices over faint pink noise,
# and three takes of six of those calls one after another (98–119 s: several 30 s windows).
# Each take's script, the words said, is written next to it as a .txt file.
# Usage: bench/make-calls.sh DIR   (needs flite, espeak-ng, festival and sox; does nothing
# when DIR already holds the takes)
set -euo pipefail
# Repeatable random numbers (noise, dither): every run renders the same takes.
export SOX_OPTS=-R
dir=$1
corpus=$(cd "$(dirname "$0")/../tests/corpus" && pwd)
[ -s "$dir/L12.wav" ] && exit 0
mkdir -p "$dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

voices=(flite:kal16 flite:slt espeak-ng:en-us flite:rms festival: flite:awb espeak-ng:en-gb festival:)
calls=()
i=0
for file in $(ls "$corpus"/*.txt | awk 'NR % 8 == 1'); do
    choice=${voices[$((i % ${#voices[@]}))]}
    engine=${choice%%:*}
    voice=${choice#*:}
    name=c$(printf %02d $i)-$(basename "$file" .txt)
    grep -v '^#' "$file" | tr '\n' ' ' > "$dir/$name.txt"
    case $engine in
        flite) flite -voice "$voice" -f "$dir/$name.txt" -o "$work/raw.wav" ;;
        espeak-ng) espeak-ng -v "$voice" -s 160 -f "$dir/$name.txt" -w "$work/raw.wav" ;;
        festival) text2wave "$dir/$name.txt" -o "$work/raw.wav" ;;
    esac
    sox "$work/raw.wav" -r 16000 -c 1 -b 16 "$work/speech.wav"
    sox -n -r 16000 -c 1 -b 16 "$work/noise.wav" synth "$(soxi -D "$work/speech.wav")" \
        pinknoise vol 0.003
    sox -m "$work/speech.wav" "$work/noise.wav" -b 16 "$dir/$name.wav"
    calls+=("$dir/$name")
    i=$((i + 1))
done

sox -n -r 16000 -c 1 -b 16 "$work/pause.wav" trim 0 1.2
for first in 0 6 12; do
    parts=()
    : > "$dir/L$(printf %02d $first).txt"
    for n in 0 1 2 3 4 5; do
        call=${calls[$(( (first + n) % ${#calls[@]} ))]}
        parts+=("$call.wav" "$work/pause.wav")
        { cat "$call.txt"; echo; } >> "$dir/L$(printf %02d $first).txt"
    done
    sox "${parts[@]}" "$dir/L$(printf %02d $first).wav"
done
echo "$dir: ${#calls[@]} calls and 3 longer takes"
