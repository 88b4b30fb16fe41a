#!/usr/bin/env bash
# Renders the compressed recordings the bad-input tests read (tests/fixtures/), from the first
# sentence of samples/missing-two.wav. They are committed because encoding MP3, AAC and Opus
# needs ffmpeg, which `make test` does not install; FLAC, Ogg Vorbis and AIFF are made by sox
# inside the tests. Run after changing the sample: needs ffmpeg and sox.
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/fixtures
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

sox samples/missing-two.wav "$tmp/clip.wav" trim 0 9
# A phone's voice memo: AAC in an M4A (MP4) container, as iPhones and Android recorders save.
ffmpeg -v error -y -i "$tmp/clip.wav" -c:a aac -b:a 32k "$out/clip.m4a"
ffmpeg -v error -y -i "$tmp/clip.wav" -c:a libmp3lame -b:a 32k "$out/clip.mp3"
# Formats callcoach refuses: Opus (WhatsApp voice notes, browsers) in Ogg and in WebM.
sox -n -r 16000 -c 1 "$tmp/tone.wav" synth 1 sine 440 vol 0.3
ffmpeg -v error -y -i "$tmp/tone.wav" -c:a libopus -b:a 12k "$out/tone.opus"
ffmpeg -v error -y -i "$tmp/tone.wav" -c:a libopus -b:a 12k "$out/tone.webm"
ls -l "$out"
