//! callcoach: rehearse the thank-you call after a job interview.
//!
//! The pipeline, one module a stage:
//! capture or decode ([`audio`]) → 16 kHz mono [`audio::Samples`] →
//! [`transcribe`] (words with times) → [`analysis`] against a [`checklist`] →
//! [`score`] → [`report`].
//! [`model`] obtains the Whisper weights the transcriber needs.

pub mod analysis;
pub mod atomic_file;
pub mod audio;
pub mod checklist;
pub mod model;
pub mod report;
pub mod score;
pub mod transcribe;
