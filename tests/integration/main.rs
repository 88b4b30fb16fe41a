//! End-to-end tests: the real `callcoach` binary, the real Whisper model, real speech.
//! One test binary for all of them (see STYLE.md); `make test` provides the model.

mod analyze;
mod bad_input;
mod command_line;
mod delivery;
mod history;
mod html_report;
mod judgement;
mod labelled;
mod model;
mod privacy;
mod profile;
mod record;
mod support;
mod transcription;
