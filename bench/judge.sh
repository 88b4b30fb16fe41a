#!/usr/bin/env bash
# What the meaning model costs a judgement: `callcoach check` on two call transcripts of
# about 300 words (two minutes at 150 a minute), with the model and with the phrases alone
# (--rules-only), each run RUNS times: medians of wall time and peak memory, model load
# included. In the first the phrases find every point, so the model is loaded but reads
# nothing; in the second they miss some, and the model reads every sentence.
# Usage: bench/judge.sh   (make bench runs it; it needs `make` to have installed the models)
# Environment: RUNS (7).
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/bench
mkdir -p "$out"
runs=${RUNS:-7}
found=$out/call-all-points.txt
missed=$out/call-points-missed.txt
for _ in 1 2 3; do cat samples/complete-call.txt; done > "$found"
for _ in 1 2 3 4 5 6; do cat samples/missing-two.txt; done > "$missed"

median() { sort -n | sed -n "$(( (runs + 1) / 2 ))p"; }
# Prints the median seconds and peak kilobytes of `callcoach check` on $1 with the rest as flags.
measure() {
    local transcript=$1 samples
    shift
    samples=$(for _ in $(seq "$runs"); do
        /usr/bin/time -f "%e %M" target/release/callcoach check --json --no-profile "$@" \
            "$transcript" 2>&1 >/dev/null | tail -1
    done)
    echo "$(cut -d' ' -f1 <<<"$samples" | median) $(cut -d' ' -f2 <<<"$samples" | median)"
}
ms() { awk "BEGIN { printf \"%d\", ($1) * 1000 }"; }
mb() { awk "BEGIN { printf \"%d\", ($1) / 1024 }"; }
{
    echo "Judging a call transcript with \`callcoach check\` (median of $runs runs, model load included):"
    echo
    echo "| transcript | phrases alone | phrases and model | the model adds |"
    echo "|---|---|---|---|"
    for transcript in "$found" "$missed"; do
        read -r rules_s rules_kb < <(measure "$transcript" --rules-only)
        read -r model_s model_kb < <(measure "$transcript")
        printf "| %s (%d words) | %d ms, %d MB | %d ms, %d MB | %d ms, %d MB |\n" \
            "$(basename "$transcript" .txt)" "$(wc -w < "$transcript")" \
            "$(ms "$rules_s")" "$(mb "$rules_kb")" "$(ms "$model_s")" "$(mb "$model_kb")" \
            "$(ms "$model_s-$rules_s")" "$(mb "$model_kb-$rules_kb")"
    done
} | tee "$out/judge.md"
