#!/usr/bin/env bash
# `make accuracy`: how many words callcoach gets wrong, against what was said, on spoken
# takes — the samples, the benchmark's takes, 17 corpus calls in flite, espeak-ng and
# Festival voices and three takes of six calls each — with the default model and with the
# same weights in q4_0 (both need `make bench` to have run once, for the takes and q4_0).
# Usage: bench/accuracy.sh [NAME:GGML …]   (other models to try beside those two)
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/bench
if ! [ -s "$out/ggml-tiny.en-q4_0.bin" ] || ! [ -s "$out/takes/take-60s.txt" ]; then
    echo "accuracy: run \`make bench\` once first: it makes the takes and the q4_0 model" >&2
    exit 1
fi
bench/make-calls.sh "$out/calls"
models=(--model "q8_0:models/ggml-tiny.en.bin" --model "q4_0:$out/ggml-tiny.en-q4_0.bin")
for model in "$@"; do
    models+=(--model "$model")
done
python3 bench/bench.py accuracy --callcoach target/release/callcoach \
    "${models[@]}" samples/*.wav "$out"/takes/take-*.wav "$out"/calls/*.wav \
    | tee "$out/accuracy.md"
