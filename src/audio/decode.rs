//! Reading WAV recordings (through hound) into [`Samples`]: any common sample format,
//! any rate, any channel count.

use std::path::{Path, PathBuf};

use super::{AudioError, MonoResampler, Samples};

/// Frames decoded between hand-offs to the resampler: bounds memory on long files.
const BLOCK_FRAMES: usize = 16_384;

/// Decodes a WAV file to 16 kHz mono: channels are averaged, the rate is converted with a
/// band-limited filter, and non-finite float samples are treated as silence.
pub fn read_wav(path: &Path) -> Result<Samples, AudioError> {
    let reader = hound::WavReader::open(path).map_err(|e| open_error(path, e))?;
    let spec = reader.spec();
    let channels = usize::from(spec.channels);
    if channels == 0 {
        return Err(not_wav(path, "the header says it has no channels"));
    }
    let frames = reader.duration() as usize;
    let mut resampler = MonoResampler::new(spec.sample_rate)?;
    let mut out = Vec::with_capacity(frames * 16_000 / (spec.sample_rate.max(1) as usize) + 1);
    let mut mixer = Mixdown::new(channels);

    let mut reader = reader;
    match spec.sample_format {
        hound::SampleFormat::Float if spec.bits_per_sample == 32 => {
            let finite = |v: f32| if v.is_finite() { v } else { 0.0 };
            decode_samples(
                path,
                reader.samples::<f32>(),
                finite,
                &mut mixer,
                &mut resampler,
                &mut out,
            )?;
        }
        hound::SampleFormat::Int if matches!(spec.bits_per_sample, 8 | 16 | 24 | 32) => {
            let scale = 1.0 / (1_i64 << (spec.bits_per_sample - 1)) as f32;
            let to_float = |v: i32| v as f32 * scale;
            decode_samples(
                path,
                reader.samples::<i32>(),
                to_float,
                &mut mixer,
                &mut resampler,
                &mut out,
            )?;
        }
        format => {
            return Err(not_wav(
                path,
                &format!("{}-bit {format:?} samples are not supported", spec.bits_per_sample),
            ))
        }
    }
    mixer.flush(&mut resampler, &mut out);
    if mixer.frames == 0 {
        return Err(AudioError::Empty { path: path.to_path_buf() });
    }
    resampler.finish(&mut out);
    Ok(Samples::new(out))
}

/// Feeds every sample through the mixdown. A data chunk cut short (a recording whose
/// writer died) ends the audio where the bytes end instead of failing: what is there is usable.
fn decode_samples<S>(
    path: &Path,
    samples: impl Iterator<Item = Result<S, hound::Error>>,
    to_float: impl Fn(S) -> f32,
    mixer: &mut Mixdown,
    resampler: &mut MonoResampler,
    out: &mut Vec<f32>,
) -> Result<(), AudioError> {
    for sample in samples {
        match sample {
            Ok(value) => mixer.add(to_float(value), resampler, out),
            Err(hound::Error::IoError(e)) if is_short_read(&e) => break,
            Err(hound::Error::IoError(source)) => {
                return Err(AudioError::Unreadable { path: path.to_path_buf(), source })
            }
            Err(other) => return Err(not_wav(path, &other.to_string())),
        }
    }
    Ok(())
}

/// Averages interleaved channels into mono, handing blocks to the resampler as they fill.
/// A file being decoded and a microphone being recorded both go through it, so that the two
/// paths hear the same samples.
pub struct Mixdown {
    channels: usize,
    channel: usize,
    sum: f32,
    block: Vec<f32>,
    frames: u64,
}

impl Mixdown {
    pub fn new(channels: usize) -> Self {
        Self { channels, channel: 0, sum: 0.0, block: Vec::with_capacity(BLOCK_FRAMES), frames: 0 }
    }

    pub fn add(&mut self, sample: f32, resampler: &mut MonoResampler, out: &mut Vec<f32>) {
        self.sum += sample;
        self.channel += 1;
        if self.channel == self.channels {
            self.block.push(self.sum / self.channels as f32);
            self.frames += 1;
            self.sum = 0.0;
            self.channel = 0;
            if self.block.len() == BLOCK_FRAMES {
                self.flush(resampler, out);
            }
        }
    }

    /// Hands the frames mixed so far to the resampler.
    pub fn flush(&mut self, resampler: &mut MonoResampler, out: &mut Vec<f32>) {
        resampler.push(&self.block, out);
        self.block.clear();
    }
}

fn open_error(path: &Path, error: hound::Error) -> AudioError {
    match error {
        hound::Error::IoError(e) if e.kind() == std::io::ErrorKind::NotFound => {
            AudioError::NotFound { path: path.to_path_buf() }
        }
        hound::Error::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            not_wav(path, "the file ends inside its header")
        }
        hound::Error::IoError(source) => {
            AudioError::Unreadable { path: path.to_path_buf(), source }
        }
        other => not_wav(path, &other.to_string()),
    }
}

/// hound 3.5 reports a data chunk that ends early as an `Other` error with this text.
fn is_short_read(error: &std::io::Error) -> bool {
    error.kind() == std::io::ErrorKind::UnexpectedEof
        || error.get_ref().is_some_and(|e| e.to_string() == "Failed to read enough bytes.")
}

fn not_wav(path: &Path, reason: &str) -> AudioError {
    AudioError::NotWav { path: PathBuf::from(path), reason: reason.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 16 kHz, 0.5 s, 440 Hz tone at amplitude 0.5 on every channel but the last, which is
    /// silent: averaging must then give 0.5 × (channels − 1) / channels.
    fn write_tone(path: &Path, spec: hound::WavSpec, seconds: f64) {
        let mut writer = hound::WavWriter::create(path, spec).unwrap();
        let frames = (f64::from(spec.sample_rate) * seconds) as usize;
        for i in 0..frames {
            let t = i as f64 / f64::from(spec.sample_rate);
            let value = 0.5 * (2.0 * std::f64::consts::PI * 440.0 * t).sin();
            for channel in 0..spec.channels {
                let v = if channel + 1 == spec.channels && spec.channels > 1 { 0.0 } else { value };
                match (spec.sample_format, spec.bits_per_sample) {
                    (hound::SampleFormat::Float, _) => writer.write_sample(v as f32).unwrap(),
                    (_, 8) => writer.write_sample((v * 127.0).round() as i8).unwrap(),
                    (_, 16) => writer.write_sample((v * 32767.0).round() as i16).unwrap(),
                    (_, bits) => {
                        let full = ((1_i64 << (bits - 1)) - 1) as f64;
                        writer.write_sample((v * full).round() as i32).unwrap()
                    }
                }
            }
        }
        writer.finalize().unwrap();
    }

    fn peak(samples: &[f32]) -> f32 {
        samples.iter().fold(0.0_f32, |m, &v| m.max(v.abs()))
    }

    #[test]
    fn decodes_every_supported_format_and_layout_to_16k_mono() {
        let dir = tempfile::tempdir().unwrap();
        let formats = [
            (hound::SampleFormat::Int, 8),
            (hound::SampleFormat::Int, 16),
            (hound::SampleFormat::Int, 24),
            (hound::SampleFormat::Int, 32),
            (hound::SampleFormat::Float, 32),
        ];
        for (format, bits) in formats {
            for channels in [1, 2, 6] {
                for rate in [8_000, 16_000, 44_100] {
                    let spec = hound::WavSpec {
                        channels,
                        sample_rate: rate,
                        bits_per_sample: bits,
                        sample_format: format,
                    };
                    let path = dir.path().join(format!("{format:?}{bits}-{channels}ch-{rate}.wav"));
                    write_tone(&path, spec, 0.5);
                    let samples = read_wav(&path).unwrap();
                    let what = path.display();
                    assert_eq!(samples.data.len(), 8_000, "{what}: length");
                    let expected =
                        0.5 * f32::from(channels.max(2) - 1) / f32::from(channels.max(2));
                    let expected = if channels == 1 { 0.5 } else { expected };
                    let got = peak(&samples.data[1_000..7_000]);
                    let tolerance = if bits == 8 { 0.02 } else { 0.01 };
                    assert!(
                        (got - expected).abs() < tolerance,
                        "{what}: peak {got}, expected {expected}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_data_chunk_cut_short_keeps_what_is_there() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.wav");
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 16_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        write_tone(&path, spec, 1.0);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 16_000]).unwrap();
        let samples = read_wav(&path).unwrap();
        assert_eq!(samples.data.len(), 8_000);
    }

    #[test]
    fn non_finite_floats_become_silence() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nan.wav");
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 16_000,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        let mut writer = hound::WavWriter::create(&path, spec).unwrap();
        for v in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 0.25] {
            writer.write_sample(v).unwrap();
        }
        writer.finalize().unwrap();
        assert_eq!(read_wav(&path).unwrap().data, vec![0.0, 0.0, 0.0, 0.25]);
    }

    #[test]
    fn bad_input_gives_the_matching_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.wav");
        assert!(matches!(read_wav(&missing), Err(AudioError::NotFound { .. })));

        let text = dir.path().join("notes.wav");
        std::fs::write(&text, "these are my notes, not audio").unwrap();
        assert!(matches!(read_wav(&text), Err(AudioError::NotWav { .. })));

        let header_only = dir.path().join("empty.wav");
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 16_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        hound::WavWriter::create(&header_only, spec).unwrap().finalize().unwrap();
        assert!(matches!(read_wav(&header_only), Err(AudioError::Empty { .. })));

        assert!(matches!(
            read_wav(dir.path()),
            Err(AudioError::Unreadable { .. } | AudioError::NotWav { .. })
        ));
    }
}
