#!/usr/bin/env bash
# Builds whisper.cpp with CUDA and times a 60 s take on the GPU and on the CPU.
# Run on the GPU machine from the repository root, with .gpu-carry/ holding:
#   whisper.cpp/  the sources whisper-rs-sys vendors (same version callcoach links)
#   model.bin     the ggml model (make's models/ggml-tiny.en.bin)
#   take.s16      60 s of 16 kHz mono s16le speech
set -euo pipefail
carry=$PWD/.gpu-carry
out=${OUT:-/tmp/gpu-bench}
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | tee "$out/gpu.txt"
build=/tmp/gpu-bench-build
cmake -S bench/gpu -B "$build" -DWHISPER_DIR="$carry/whisper.cpp" -DCMAKE_BUILD_TYPE=Release \
    -DGGML_CUDA=ON -DGGML_CUDA_FA=OFF -DCMAKE_CUDA_ARCHITECTURES=90 -DGGML_NATIVE=ON \
    -DBUILD_SHARED_LIBS=OFF > "$out/cmake.log" 2>&1
start=$(date +%s)
cmake --build "$build" -j "$(nproc)" > "$out/build.log" 2>&1 || { tail -30 "$out/build.log"; exit 1; }
echo "build took $(( $(date +%s) - start )) s"
bench="$build/transcribe-bench"
for device in gpu cpu; do
    for threads in 2 16; do
        [ "$device" = gpu ] && [ "$threads" = 16 ] && continue
        "$bench" "$carry/model.bin" "$carry/take.s16" "$device" "$threads" 5 | tee -a "$out/results.txt"
    done
done
