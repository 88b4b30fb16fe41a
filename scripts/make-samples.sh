#!/usr/bin/env bash
# Renders the spoken samples in samples/ from their scripts with Debian's text-to-speech.
# Each sentence is spoken separately and joined with a pause, as a person would pause between thoughts.
# Usage: scripts/make-samples.sh [samples-dir]   (needs flite and sox)
set -euo pipefail
dir=${1:-"$(dirname "$0")/../samples"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sox -n -r 16000 -c 1 -b 16 "$work/gap.wav" trim 0 0.7
sox -n -r 16000 -c 1 -b 16 "$work/edge.wav" trim 0 0.5
# A different flite voice for each sample, so the tests hear more than one speaker.
declare -A voice=([complete-call]=rms [missing-two]=slt [voicemail]=awb)
for script in "$dir"/*.txt; do
    name=$(basename "$script" .txt)
    parts=("$work/edge.wav")
    n=0
    while IFS= read -r sentence; do
        [ -n "$sentence" ] || continue
        n=$((n + 1))
        printf '%s\n' "$sentence" > "$work/s$n.txt"
        flite -voice "${voice[$name]:-slt}" -f "$work/s$n.txt" -o "$work/raw$n.wav"
        # Trim the engine's own edge silence so the joins are exactly the gap.
        sox "$work/raw$n.wav" -r 16000 -c 1 -b 16 "$work/s$n.wav" \
            silence 1 0.02 -45d reverse silence 1 0.02 -45d reverse
        parts+=("$work/s$n.wav" "$work/gap.wav")
    done < "$script"
    parts+=("$work/edge.wav")
    sox "${parts[@]}" -r 16000 -c 1 -b 16 "$dir/$name.wav"
    echo "$dir/$name.wav: $(soxi -D "$dir/$name.wav") s"
done
