//! Audio in: decoding recordings, and turning any rate and channel count into the
//! 16 kHz mono samples that Whisper listens to.

pub mod activity;
pub mod decode;
pub mod resample;

pub use activity::{LevelTrack, VoiceActivity};
pub use decode::{read_recording, Mixdown};
pub use resample::MonoResampler;

use std::path::PathBuf;

/// The sample rate Whisper models are trained on; every later stage assumes it.
pub const SAMPLE_RATE: u32 = 16_000;

/// The longest take callcoach records or analyzes: far beyond any thank-you call; it keeps
/// a recorded WAV well under 4 GB and bounds the memory a take's samples need (an hour at
/// 16 kHz mono is 230 MB).
pub const LONGEST_TAKE: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// A take as the rest of the pipeline sees it: mono `f32` in [-1, 1] at [`SAMPLE_RATE`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Samples {
    pub data: Vec<f32>,
}

impl Samples {
    pub fn new(data: Vec<f32>) -> Self {
        Self { data }
    }

    pub fn duration_s(&self) -> f64 {
        self.data.len() as f64 / f64::from(SAMPLE_RATE)
    }
}

/// The samples of `data` (at [`SAMPLE_RATE`]) between two times, clamped to it.
pub fn slice_s(data: &[f32], start_s: f64, end_s: f64) -> &[f32] {
    let at = |t: f64| ((t.max(0.0) * f64::from(SAMPLE_RATE)) as usize).min(data.len());
    let (start, end) = (at(start_s), at(end_s));
    &data[start..end.max(start)]
}

/// Why a recording could not be turned into [`Samples`].
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error("{}: no such file", .path.display())]
    NotFound { path: PathBuf },
    #[error("{}: is a folder, not a recording", .path.display())]
    Directory { path: PathBuf },
    #[error("{}: cannot read it", .path.display())]
    Unreadable { path: PathBuf, source: std::io::Error },
    /// A file that is not audio, or audio in a container or codec callcoach does not decode.
    #[error("{}: not a recording callcoach can read: {what}", .path.display())]
    Unsupported { path: PathBuf, what: String },
    /// A file of a known kind whose content is broken beyond what can be salvaged.
    #[error("{}: the recording is damaged: {reason}", .path.display())]
    Damaged { path: PathBuf, reason: String },
    #[error("{}: the recording holds no audio", .path.display())]
    Empty { path: PathBuf },
    #[error(
        "{}: the recording is longer than {} minutes, the longest take callcoach analyzes",
        .path.display(), LONGEST_TAKE.as_secs() / 60
    )]
    TooLong { path: PathBuf },
    #[error("a sample rate of {rate} Hz cannot be converted")]
    UnsupportedRate { rate: u32 },
}
