#!/usr/bin/env bash
# Fuzzes the recording decoder with cargo-fuzz (libFuzzer), starting from the bad-input
# corpus's kinds of file: `scripts/fuzz-decode.sh [SECONDS]` (default 600). Needs a nightly
# toolchain; installs cargo-fuzz if it is missing. Not part of CI: it runs for minutes.
# A crash is saved under fuzz/artifacts/decode/; keep it as a case in
# src/audio/decode/mod.rs's `fuzz_findings` test once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
seeds=fuzz/corpus/decode
mkdir -p "$seeds"
# Seeds: one small file of each container the decoder knows.
sox samples/missing-two.wav -r 8000 "$seeds/clip.wav" trim 0 1
sox "$seeds/clip.wav" -e floating-point -c 2 "$seeds/float-stereo.wav"
sox "$seeds/clip.wav" "$seeds/clip.flac"
sox "$seeds/clip.wav" "$seeds/clip.ogg"
head -c 4000 tests/fixtures/clip.mp3 > "$seeds/clip.mp3"
cp tests/fixtures/clip.m4a tests/fixtures/clip.opus tests/fixtures/clip.webm "$seeds/"
# -rss_limit_mb: an input must not make the decoder hold more than an hour's output would.
# -malloc_limit_mb is higher: symphonia's MP4 reader allocates a packet at the size the sample
# table gives (up to 4 GB) before reading it; zero-filled and never touched, it costs address
# space, not memory (tests/fixtures/fuzz/m4a-sample-size-1gb.m4a).
cargo +nightly fuzz run decode "$seeds" -- -max_total_time="$seconds" -max_len=65536 \
    -rss_limit_mb=1024 -malloc_limit_mb=4096 -timeout=20
