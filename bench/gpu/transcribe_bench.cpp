// Times whisper_full on one take, with the settings callcoach uses (greedy, English, token
// timestamps on), on the CPU or the GPU: the same whisper.cpp that whisper-rs builds.
// Usage: transcribe-bench MODEL AUDIO.s16 gpu|cpu THREADS RUNS
// AUDIO.s16 is headerless 16 kHz mono signed 16-bit little-endian.
#include "whisper.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

static double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int main(int argc, char **argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s MODEL AUDIO.s16 gpu|cpu THREADS RUNS\n", argv[0]);
        return 2;
    }
    const bool gpu = std::strcmp(argv[3], "gpu") == 0;
    const int threads = std::atoi(argv[4]);
    const int runs = std::atoi(argv[5]);

    std::ifstream in(argv[2], std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<float> samples(bytes.size() / 2);
    for (size_t i = 0; i < samples.size(); ++i) {
        int16_t v;
        std::memcpy(&v, &bytes[2 * i], 2);
        samples[i] = v / 32768.0f;
    }
    const double audio_s = samples.size() / 16000.0;

    whisper_log_set([](enum ggml_log_level, const char *, void *) {}, nullptr);
    auto load_start = std::chrono::steady_clock::now();
    whisper_context_params cparams = whisper_context_default_params();
    cparams.use_gpu = gpu;
    cparams.flash_attn = false;
    whisper_context *ctx = whisper_init_from_file_with_params(argv[1], cparams);
    if (!ctx) {
        std::fprintf(stderr, "cannot load %s\n", argv[1]);
        return 1;
    }
    const double load_s = seconds_since(load_start);

    whisper_full_params params = whisper_full_default_params(WHISPER_SAMPLING_GREEDY);
    params.n_threads = threads;
    params.language = "en";
    params.token_timestamps = true;
    params.print_progress = false;
    params.print_realtime = false;
    params.print_timestamps = false;

    std::vector<double> times;
    std::string text;
    for (int run = 0; run <= runs; ++run) {  // run 0 warms up
        auto start = std::chrono::steady_clock::now();
        if (whisper_full(ctx, params, samples.data(), (int)samples.size()) != 0) {
            std::fprintf(stderr, "whisper_full failed\n");
            return 1;
        }
        if (run > 0) times.push_back(seconds_since(start));
    }
    for (int i = 0; i < whisper_full_n_segments(ctx); ++i) text += whisper_full_get_segment_text(ctx, i);
    std::sort(times.begin(), times.end());
    const double median = times[times.size() / 2];
    std::printf("TEXT %s\n", text.c_str());
    std::printf("RESULT device=%s threads=%d audio_s=%.1f load_s=%.3f median_s=%.3f min_s=%.3f rtf=%.4f runs=%d\n",
                gpu ? "gpu" : "cpu", threads, audio_s, load_s, median, times.front(), median / audio_s, runs);
    whisper_free(ctx);
    return 0;
}
