#!/usr/bin/env bash
# Renders the benchmark's rehearsals: about 10 s, 60 s and 5 min of the sample calls'
# sentences (samples/*.txt, each call in its own flite voice), joined by the pauses of a
# person thinking (0.4–3 s), over a faint room noise so that silence is not digital zero.
# Usage: bench/make-takes.sh DIR   (writes DIR/take-10s.wav, take-60s.wav, take-5min.wav, each
# with its script, the words said, in take-*.txt; needs flite and sox; does nothing for a take
# that is already there)
set -euo pipefail
# Repeatable random numbers (noise, dither): every run renders the same takes.
export SOX_OPTS=-R
dir=$1
samples=$(cd "$(dirname "$0")/../samples" && pwd)
mkdir -p "$dir"
declare -A voice=([complete-call]=rms [missing-two]=slt [voicemail]=awb)
declare -A length=([10s]=10 [60s]=60 [5min]=300)
# Pause lengths in turn: mostly short, now and then a long search for words.
pauses=(0.6 1.1 0.4 2.2 0.8 1.5 0.5 3.0 0.9 1.3)

todo=()
for name in 10s 60s 5min; do
    [ -s "$dir/take-$name.wav" ] && [ -s "$dir/take-$name.txt" ] || todo+=("$name")
done
[ ${#todo[@]} -gt 0 ] || exit 0

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Every sentence once, in call order: the takes cycle through them.
sentences=()
texts=()
for call in complete-call missing-two voicemail; do
    n=0
    while IFS= read -r line; do
        [ -n "$line" ] || continue
        n=$((n + 1))
        printf '%s\n' "$line" > "$work/text.txt"
        flite -voice "${voice[$call]}" -f "$work/text.txt" -o "$work/raw.wav"
        # Without the engine's edge silence, the pauses are exactly the ones chosen here.
        sox "$work/raw.wav" -r 16000 -c 1 -b 16 "$work/$call-$n.wav" \
            silence 1 0.02 -45d reverse silence 1 0.02 -45d reverse
        sentences+=("$work/$call-$n.wav")
        texts+=("$line")
    done < "$samples/$call.txt"
done
for i in "${!pauses[@]}"; do
    sox -n -r 16000 -c 1 -b 16 "$work/pause$i.wav" trim 0 "${pauses[$i]}"
done

for name in "${todo[@]}"; do
    target=${length[$name]}
    parts=("$work/pause0.wav")
    script=()
    total=${pauses[0]}
    i=0
    # Whole sentences while they fit, then quiet up to the length.
    while :; do
        sentence=${sentences[$((i % ${#sentences[@]}))]}
        pause=$(( (i + 1) % ${#pauses[@]} ))
        next=$(echo "$total + $(soxi -D "$sentence") + ${pauses[$pause]}" | bc)
        (( $(echo "$next <= $target" | bc) )) || break
        parts+=("$sentence" "$work/pause$pause.wav")
        script+=("${texts[$((i % ${#texts[@]}))]}")
        total=$next
        i=$((i + 1))
    done
    sox "${parts[@]}" "$work/speech.wav" pad 0 "$(echo "$target - $total" | bc)"
    sox -n -r 16000 -c 1 -b 16 "$work/noise.wav" synth "$target" pinknoise vol 0.003
    sox -m -v 1 "$work/speech.wav" -v 1 "$work/noise.wav" -b 16 "$dir/take-$name.wav"
    printf '%s\n' "${script[@]}" > "$dir/take-$name.txt"
    echo "$dir/take-$name.wav: $(soxi -D "$dir/take-$name.wav") s, $i sentences"
done
