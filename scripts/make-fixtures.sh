#!/usr/bin/env bash
# Renders the compressed recordings the bad-input tests read (tests/fixtures/), from the first
# sentence of samples/missing-two.wav. They are committed because encoding MP3, AAC and Opus
# needs ffmpeg and opus-tools, which `make test` does not install; FLAC, Ogg Vorbis and AIFF are made by sox
# inside the tests. Run after changing the sample: needs ffmpeg, opus-tools and sox.
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/fixtures
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

sox samples/missing-two.wav "$tmp/clip.wav" trim 0 9
# A phone's voice memo: AAC in an M4A (MP4) container, as iPhones and Android recorders save.
ffmpeg -v error -y -i "$tmp/clip.wav" -c:a aac -b:a 32k "$out/clip.m4a"
ffmpeg -v error -y -i "$tmp/clip.wav" -c:a libmp3lame -b:a 32k "$out/clip.mp3"
# A voice note as WhatsApp, Telegram and Signal send them: Ogg Opus at 16 kbit/s (opusenc,
# from opus-tools); and what a browser's MediaRecorder saves: Opus in WebM.
sox "$tmp/clip.wav" -r 16000 "$tmp/clip-16k.wav"
opusenc --quiet --bitrate 16 "$tmp/clip-16k.wav" "$out/clip.opus"
ffmpeg -v error -y -i "$tmp/clip-16k.wav" -c:a libopus -b:a 32k -ar 48000 "$out/clip.webm"
ls -l "$out"
