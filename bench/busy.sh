#!/usr/bin/env bash
# How `callcoach analyze` fares when other programs use the CPU: each spoken take analyzed
# alone, beside a shell loop that keeps one core busy, and two at once (another
# transcription beside it). Medians of RUNS runs, the conditions taking turns; the last
# columns are each busy time over the idle one. Run it on an otherwise quiet machine.
# Usage: bench/busy.sh [CALLCOACH...]   (default target/release/callcoach; give several
#        binaries to compare builds in one run)
# Environment: RUNS (3), TAKES (the samples, the shared real recordings and the 60 s bench
#        take where `make bench` made it).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
binaries=("$@")
[ ${#binaries[@]} -gt 0 ] || binaries=(target/release/callcoach)
if [ -z "${TAKES:-}" ]; then
    TAKES="samples/complete-call.wav samples/missing-two.wav samples/voicemail.wav"
    for real in ../shared/data/*.wav target/bench/takes/take-60s.wav; do
        [ -f "$real" ] && TAKES+=" $real"
    done
fi
median() { sort -n | sed -n "$(( (runs + 1) / 2 ))p"; }
seconds() { local start end; start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N); echo "$end - $start" | bc; }
analyze() { "$binary" analyze --no-save --json --rules-only --no-profile "$take"; }
idle() { seconds analyze; }
busy() {
    local spinner time
    (while :; do :; done) & spinner=$!
    sleep 0.3
    time=$(seconds analyze)
    kill "$spinner"; wait "$spinner" 2>/dev/null || true
    echo "$time"
}
# Both start together; the time is the slower one's.
pair() {
    local start end other
    start=$(date +%s.%N)
    analyze >/dev/null 2>&1 & other=$!
    analyze >/dev/null 2>&1
    wait "$other"
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}
ratio() { awk "BEGIN { printf \"%.1f\", $1 / $2 }"; }
echo "Median of $runs runs of \`callcoach analyze\` (s); one busy core: a shell loop beside it;"
echo "two at once: two analyses of the take started together, the time both took."
echo
echo "| build | take | length (s) | idle | one busy core | two at once | busy / idle | two / idle |"
echo "|---|---|---|---|---|---|---|---|"
for binary in "${binaries[@]}"; do
    for take in $TAKES; do
        declare -A times=([idle]="" [busy]="" [pair]="")
        for _ in $(seq "$runs"); do
            for condition in idle busy pair; do
                times[$condition]+="$($condition) "
            done
        done
        for condition in idle busy pair; do
            times[$condition]=$(tr ' ' '\n' <<<"${times[$condition]}" | sed '/^$/d' | median)
        done
        printf "| %s | %s | %.0f | %.2f | %.2f | %.2f | %s | %s |\n" "$binary" "$(basename "$take")" \
            "$(soxi -D "$take")" "${times[idle]}" "${times[busy]}" "${times[pair]}" \
            "$(ratio "${times[busy]}" "${times[idle]}")" "$(ratio "${times[pair]}" "${times[idle]}")"
    done
done
