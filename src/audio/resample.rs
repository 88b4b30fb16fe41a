//! Band-limited conversion of a mono stream to [`SAMPLE_RATE`], fed in pieces of any size.
//!
//! One type serves both a file being decoded and a microphone being recorded, so the two
//! paths hear exactly the same audio.

use rubato::{FftFixedIn, Resampler as _};

use super::{AudioError, SAMPLE_RATE};

/// Input frames handed to the FFT resampler at a time; large enough to amortise the FFT,
/// small enough that a live recording is converted within a fraction of a second.
const CHUNK_FRAMES: usize = 1024;

pub struct MonoResampler {
    inner: Option<FftFixedIn<f32>>,
    pending: Vec<f32>,
    input_rate: u32,
    frames_in: u64,
    frames_out: u64,
    /// Output samples still to drop: the filter's delay, so that output time 0 is input time 0.
    delay_left: usize,
}

impl MonoResampler {
    /// A resampler from `input_rate` to [`SAMPLE_RATE`]; at that rate it passes samples through.
    pub fn new(input_rate: u32) -> Result<Self, AudioError> {
        let inner = if input_rate == SAMPLE_RATE {
            None
        } else {
            let resampler = FftFixedIn::<f32>::new(
                input_rate as usize,
                SAMPLE_RATE as usize,
                CHUNK_FRAMES,
                2,
                1,
            )
            .map_err(|_| AudioError::UnsupportedRate { rate: input_rate })?;
            Some(resampler)
        };
        let delay_left = inner.as_ref().map_or(0, |r| r.output_delay());
        Ok(Self {
            inner,
            pending: Vec::with_capacity(CHUNK_FRAMES),
            input_rate,
            frames_in: 0,
            frames_out: 0,
            delay_left,
        })
    }

    /// Converts `input` and appends what is ready to `out`; the rest waits for more input.
    pub fn push(&mut self, input: &[f32], out: &mut Vec<f32>) {
        self.frames_in += input.len() as u64;
        let Some(resampler) = self.inner.as_mut() else {
            out.extend_from_slice(input);
            self.frames_out += input.len() as u64;
            return;
        };
        let mut rest = input;
        while !rest.is_empty() {
            let wanted = resampler.input_frames_next() - self.pending.len();
            let take = wanted.min(rest.len());
            self.pending.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.pending.len() == resampler.input_frames_next() {
                let converted = resampler
                    .process(&[&self.pending], None)
                    .expect("input is exactly the frames the resampler asked for");
                self.pending.clear();
                Self::emit(&mut self.delay_left, &mut self.frames_out, &converted[0], out);
            }
        }
    }

    /// Flushes the filter so that the output covers all the input, and nothing more.
    pub fn finish(mut self, out: &mut Vec<f32>) {
        let Some(resampler) = self.inner.as_mut() else {
            return;
        };
        let expected =
            (self.frames_in * u64::from(SAMPLE_RATE)).div_ceil(u64::from(self.input_rate));
        // Pushing silence drains the filter's tail; a few chunks always suffice.
        let silence = vec![0.0_f32; resampler.input_frames_next()];
        while self.frames_out < expected {
            let need = resampler.input_frames_next() - self.pending.len();
            self.pending.extend_from_slice(&silence[..need]);
            let converted = resampler
                .process(&[&self.pending], None)
                .expect("input is exactly the frames the resampler asked for");
            self.pending.clear();
            Self::emit(&mut self.delay_left, &mut self.frames_out, &converted[0], out);
        }
        let surplus = (self.frames_out - expected) as usize;
        out.truncate(out.len() - surplus);
    }

    fn emit(delay_left: &mut usize, frames_out: &mut u64, converted: &[f32], out: &mut Vec<f32>) {
        let skip = (*delay_left).min(converted.len());
        *delay_left -= skip;
        out.extend_from_slice(&converted[skip..]);
        *frames_out += (converted.len() - skip) as u64;
    }
}

/// Converts a whole mono signal at once.
pub fn to_whisper_rate(input: &[f32], input_rate: u32) -> Result<Vec<f32>, AudioError> {
    let mut resampler = MonoResampler::new(input_rate)?;
    let mut out = Vec::with_capacity(
        (input.len() as u64 * u64::from(SAMPLE_RATE) / u64::from(input_rate.max(1))) as usize + 1,
    );
    resampler.push(input, &mut out);
    resampler.finish(&mut out);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(freq: f64, rate: u32, seconds: f64, amplitude: f64) -> Vec<f32> {
        let n = (f64::from(rate) * seconds) as usize;
        (0..n)
            .map(|i| {
                (amplitude * (2.0 * std::f64::consts::PI * freq * i as f64 / f64::from(rate)).sin())
                    as f32
            })
            .collect()
    }

    fn rms(x: &[f32]) -> f64 {
        (x.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / x.len() as f64).sqrt()
    }

    /// Frequency from zero crossings: robust enough for a clean sine.
    fn frequency(x: &[f32], rate: u32) -> f64 {
        let crossings = x.windows(2).filter(|w| w[0] <= 0.0 && w[1] > 0.0).count();
        crossings as f64 * f64::from(rate) / x.len() as f64
    }

    #[test]
    fn keeps_a_tones_frequency_and_level_from_common_rates() {
        for rate in [8_000, 11_025, 22_050, 44_100, 48_000, 96_000] {
            let input = tone(440.0, rate, 2.0, 0.5);
            let out = to_whisper_rate(&input, rate).unwrap();
            assert_eq!(out.len(), 32_000, "{rate} Hz: 2 s must give 2 s");
            let middle = &out[4_000..28_000];
            let f = frequency(middle, SAMPLE_RATE);
            assert!((f - 440.0).abs() < 2.0, "{rate} Hz: frequency {f}");
            let level = rms(middle);
            assert!((level - 0.5 / 2f64.sqrt()).abs() < 0.01, "{rate} Hz: rms {level}");
        }
    }

    #[test]
    fn keeps_time_zero_in_place() {
        // A click at 1 s must stay at 1 s: the filter delay is removed.
        let rate = 48_000;
        let mut input = vec![0.0_f32; rate as usize * 2];
        input[rate as usize] = 1.0;
        let out = to_whisper_rate(&input, rate).unwrap();
        let peak = out.iter().enumerate().max_by(|a, b| a.1.abs().total_cmp(&b.1.abs())).unwrap().0;
        assert!((peak as i64 - 16_000).abs() <= 1, "peak at sample {peak}");
    }

    #[test]
    fn removes_content_above_the_new_nyquist() {
        // 6 kHz survives at 16 kHz; 12 kHz must be filtered out, not folded back to 4 kHz.
        let kept = to_whisper_rate(&tone(6_000.0, 48_000, 1.0, 0.5), 48_000).unwrap();
        let folded = to_whisper_rate(&tone(12_000.0, 48_000, 1.0, 0.5), 48_000).unwrap();
        assert!(rms(&kept[2000..14000]) > 0.3);
        assert!(rms(&folded[2000..14000]) < 0.01, "aliasing: {}", rms(&folded));
    }

    #[test]
    fn piecewise_input_equals_whole_input() {
        let input = tone(300.0, 44_100, 1.5, 0.3);
        let whole = to_whisper_rate(&input, 44_100).unwrap();
        let mut resampler = MonoResampler::new(44_100).unwrap();
        let mut pieces = Vec::new();
        for piece in input.chunks(317) {
            resampler.push(piece, &mut pieces);
        }
        resampler.finish(&mut pieces);
        assert_eq!(whole, pieces);
    }

    #[test]
    fn passes_16k_through_untouched() {
        let input = tone(1000.0, 16_000, 0.5, 0.2);
        assert_eq!(to_whisper_rate(&input, 16_000).unwrap(), input);
    }
}
