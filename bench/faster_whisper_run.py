"""faster-whisper's side of the benchmark: load a CTranslate2 Whisper model, transcribe a
WAV once with the settings callcoach uses, and print one JSON line with the load and
transcription times. Run by bench/bench.py under /usr/bin/time, one process a take."""

import argparse
import json
import time

parser = argparse.ArgumentParser()
parser.add_argument("model", help="CTranslate2 model folder")
parser.add_argument("wav", help="16 kHz mono WAV")
parser.add_argument("--compute-type", default="int8")
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--beam-size", type=int, default=1)
parser.add_argument("--vad", action="store_true", help="faster-whisper's Silero VAD filter")
parser.add_argument("--no-word-timestamps", action="store_true")
parser.add_argument("--initial-prompt", help="text Whisper is told came before the take")
args = parser.parse_args()

# Importing is part of a cold start but not of loading the weights: timed on its own.
started = time.perf_counter()
from faster_whisper import WhisperModel  # noqa: E402
from faster_whisper.audio import decode_audio  # noqa: E402

imported = time.perf_counter()
model = WhisperModel(
    args.model, device="cpu", compute_type=args.compute_type, cpu_threads=args.threads
)
loaded = time.perf_counter()
audio = decode_audio(args.wav, sampling_rate=16000)
decoded = time.perf_counter()
# callcoach's decoding: English, greedy (beam 1), Whisper's temperature fallback, timed words,
# its prompt.
segments, _ = model.transcribe(
    audio,
    language="en",
    beam_size=args.beam_size,
    best_of=1,
    word_timestamps=not args.no_word_timestamps,
    vad_filter=args.vad,
    initial_prompt=args.initial_prompt,
)
text = " ".join(segment.text.strip() for segment in segments)  # decoding happens here
finished = time.perf_counter()
print(
    json.dumps(
        {
            "import_s": imported - started,
            "load_s": loaded - imported,
            "transcribe_s": finished - decoded,
            "text": text,
        }
    )
)
