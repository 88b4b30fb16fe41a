//! Audio in: decoding recordings, and turning any rate and channel count into the
//! 16 kHz mono samples that Whisper listens to.

pub mod activity;
pub mod decode;
pub mod resample;

pub use activity::{LevelTrack, VoiceActivity};
pub use decode::{read_wav, Mixdown};
pub use resample::MonoResampler;

/// The sample rate Whisper models are trained on; every later stage assumes it.
pub const SAMPLE_RATE: u32 = 16_000;

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

    /// The samples between two times, clamped to the take.
    pub fn slice_s(&self, start_s: f64, end_s: f64) -> &[f32] {
        let at = |t: f64| ((t.max(0.0) * f64::from(SAMPLE_RATE)) as usize).min(self.data.len());
        let (start, end) = (at(start_s), at(end_s));
        &self.data[start..end.max(start)]
    }
}

/// Why a recording could not be turned into [`Samples`].
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error("{path}: no such file")]
    NotFound { path: std::path::PathBuf },
    #[error("{path}: cannot read it: {source}")]
    Unreadable { path: std::path::PathBuf, source: std::io::Error },
    #[error("{path}: not a WAV file callcoach can read ({reason})")]
    NotWav { path: std::path::PathBuf, reason: String },
    #[error("{path}: the recording holds no audio")]
    Empty { path: std::path::PathBuf },
    #[error("a sample rate of {rate} Hz cannot be converted")]
    UnsupportedRate { rate: u32 },
}
