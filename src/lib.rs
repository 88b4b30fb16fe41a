//! callcoach: rehearse the thank-you call after a job interview.
//!
//! The pipeline, one module a stage:
//! capture ([`capture`], into a [`take`] file) or decode ([`audio`]) → 16 kHz mono
//! [`audio::Samples`] → [`transcribe`] (words with times) → [`analysis`] of what was said
//! against a [`checklist`], and [`delivery`] (how it was said) → [`score`] → [`report`].
//! [`record`] runs a rehearsal into the microphone, with [`live`] transcription as it goes.
//! [`model`] obtains the Whisper weights the transcriber needs.

pub mod analysis;
pub mod atomic_file;
pub mod audio;
pub mod call_script;
pub mod capture;
pub mod checklist;
pub mod delivery;
pub mod history;
pub mod live;
pub mod meaning;
pub mod model;
pub mod profile;
pub mod record;
pub mod report;
pub mod score;
pub mod take;
pub mod transcribe;
