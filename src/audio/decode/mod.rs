//! Reading recordings into [`Samples`]: WAV through hound; MP3, M4A (AAC), Ogg Vorbis and
//! FLAC through symphonia. The container is told by the file's first bytes, never its name,
//! and every decoder feeds the same mixdown and resampler, block by block, so memory follows
//! the 16 kHz mono output, not the input's rate, channels or sample size.

mod compressed;
mod wav;

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::{AudioError, MonoResampler, Samples, LONGEST_TAKE};

/// Frames decoded between hand-offs to the resampler: bounds memory on long files.
const BLOCK_FRAMES: usize = 16_384;

/// Input rates the resampler is asked to convert: telephone audio up to studio rates. Outside
/// these a header is lying, and an absurd rate would make the resampler's filter absurdly large.
const RATES: std::ops::RangeInclusive<u32> = 4_000..=384_000;

/// Decodes a recording to 16 kHz mono: channels are averaged, the rate is converted with a
/// band-limited filter, and samples that are not finite are treated as silence.
pub fn read_recording(path: &Path) -> Result<Samples, AudioError> {
    let mut file = open(path)?;
    let mut head = [0_u8; 64];
    let head_len = read_head(&mut file, &mut head).map_err(|e| unreadable(path, e))?;
    let head = &head[..head_len];
    file.seek(SeekFrom::Start(0)).map_err(|e| unreadable(path, e))?;
    match Container::sniff(head) {
        Container::Empty => Err(AudioError::Empty { path: path.to_path_buf() }),
        Container::Wav => wav::decode(path, file),
        Container::Compressed(format) => compressed::decode(path, file, format),
        Container::Other(what) => Err(unsupported(path, what)),
    }
}

fn open(path: &Path) -> Result<File, AudioError> {
    let file = File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => AudioError::NotFound { path: path.to_path_buf() },
        _ => unreadable(path, e),
    })?;
    // Opening a directory succeeds on Linux; reading it would fail with a less clear message.
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(AudioError::Directory { path: path.to_path_buf() });
    }
    Ok(file)
}

/// Fills `head` as far as the file allows.
fn read_head(file: &mut File, head: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < head.len() {
        match file.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// What a file holds, judged by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    Empty,
    Wav,
    Compressed(compressed::Format),
    /// Anything callcoach does not read, described for the user.
    Other(&'static str),
}

impl Container {
    fn sniff(head: &[u8]) -> Self {
        use compressed::Format;
        let at =
            |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
        match head {
            [] => Container::Empty,
            _ if at(0, b"RIFF") && (head.len() < 12 || at(8, b"WAVE")) => Container::Wav,
            _ if at(0, b"RIFF") && at(8, b"AVI ") => Container::Other("it is an AVI video"),
            _ if at(0, b"RF64") => {
                Container::Other("it is an RF64 WAV, which callcoach cannot read")
            }
            _ if at(0, b"fLaC") => Container::Compressed(Format::Flac),
            _ if at(0, b"OggS") => Container::Compressed(Format::Ogg),
            _ if at(4, b"ftyp") => Container::Compressed(Format::Mp4),
            _ if at(0, b"ID3") => Container::Compressed(Format::Mp3),
            // An MPEG audio frame's sync word: layer III is MP3; layer bits 00 are AAC (ADTS).
            [0xFF, second, ..] if second & 0xE0 == 0xE0 => match (second >> 1) & 0b11 {
                0b01 => Container::Compressed(Format::Mp3),
                0b00 if second & 0xF0 == 0xF0 => Container::Compressed(Format::Adts),
                _ => {
                    Container::Other("it is MPEG layer I or II audio, which callcoach cannot read")
                }
            },
            _ if at(0, b"FORM") && (at(8, b"AIFF") || at(8, b"AIFC")) => {
                Container::Other("it is AIFF audio, which callcoach cannot read")
            }
            [0x1A, 0x45, 0xDF, 0xA3, ..] => Container::Compressed(Format::Matroska),
            _ if at(0, b"#!AMR") => {
                Container::Other("it is AMR audio, which callcoach cannot read")
            }
            _ if at(0, b"caff") => {
                Container::Other("it is Core Audio (CAF), which callcoach cannot read")
            }
            _ if looks_like_text(head) => Container::Other("it holds text, not audio"),
            _ => Container::Other("its content is not audio in a format callcoach reads"),
        }
    }
}

/// Printable UTF-8 (a file cut at the sniffing limit may end inside a character).
fn looks_like_text(head: &[u8]) -> bool {
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or("")
        }
        Err(_) => return false,
    };
    !text.is_empty() && text.chars().all(|c| !c.is_control() || c.is_whitespace())
}

/// Where every decoder delivers its interleaved samples: averaged to mono, converted to
/// 16 kHz, and stopped once the take is longer than callcoach analyzes.
struct Sink<'a> {
    path: &'a Path,
    mixdown: Mixdown,
    resampler: MonoResampler,
    out: Vec<f32>,
    rate: u32,
    max_frames: u64,
}

impl<'a> Sink<'a> {
    /// `frames` is how long the file says it is, where it says: a take that is too long is
    /// refused before any of it is decoded.
    fn new(
        path: &'a Path,
        rate: u32,
        channels: usize,
        frames: Option<u64>,
    ) -> Result<Self, AudioError> {
        if channels == 0 {
            return Err(damaged(path, "it says it has no channels"));
        }
        if !RATES.contains(&rate) {
            return Err(unsupported(
                path,
                format!("it says its sample rate is {rate} Hz (callcoach reads 4 to 384 kHz)"),
            ));
        }
        let max_frames = LONGEST_TAKE.as_secs() * u64::from(rate);
        if frames.is_some_and(|frames| frames > max_frames) {
            return Err(AudioError::TooLong { path: path.to_path_buf() });
        }
        let resampler = MonoResampler::new(rate).map_err(|_| {
            unsupported(path, format!("its sample rate of {rate} Hz cannot be converted"))
        })?;
        let expected = frames.unwrap_or(0) * u64::from(super::SAMPLE_RATE) / u64::from(rate);
        Ok(Self {
            path,
            mixdown: Mixdown::new(channels),
            resampler,
            out: Vec::with_capacity(expected as usize + 1),
            rate,
            max_frames,
        })
    }

    fn channels(&self) -> usize {
        self.mixdown.channels
    }

    /// Takes one sample of one channel; whatever a decoder gives, the pipeline gets [-1, 1].
    fn add(&mut self, sample: f32) -> Result<(), AudioError> {
        let sample = if sample.is_finite() { sample.clamp(-1.0, 1.0) } else { 0.0 };
        self.mixdown.add(sample, &mut self.resampler, &mut self.out);
        if self.mixdown.frames > self.max_frames {
            return Err(AudioError::TooLong { path: self.path.to_path_buf() });
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Samples, AudioError> {
        self.mixdown.flush(&mut self.resampler, &mut self.out);
        if self.mixdown.frames == 0 {
            return Err(AudioError::Empty { path: self.path.to_path_buf() });
        }
        self.resampler.finish(&mut self.out);
        Ok(Samples::new(self.out))
    }
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

fn unreadable(path: &Path, source: std::io::Error) -> AudioError {
    AudioError::Unreadable { path: path.to_path_buf(), source }
}

fn unsupported(path: &Path, what: impl Into<String>) -> AudioError {
    AudioError::Unsupported { path: PathBuf::from(path), what: what.into() }
}

fn damaged(path: &Path, reason: impl Into<String>) -> AudioError {
    AudioError::Damaged { path: PathBuf::from(path), reason: reason.into() }
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
                    let samples = read_recording(&path).unwrap();
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
        let samples = read_recording(&path).unwrap();
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
        assert_eq!(read_recording(&path).unwrap().data, vec![0.0, 0.0, 0.0, 0.25]);
    }

    #[test]
    fn containers_are_told_by_their_first_bytes() {
        use compressed::Format;
        let cases: [(&[u8], Container); 10] = [
            (b"", Container::Empty),
            (b"RIFF\x24\0\0\0WAVEfmt ", Container::Wav),
            (b"RIFF", Container::Wav),
            (b"fLaC\0\0\0\x22", Container::Compressed(Format::Flac)),
            (b"OggS\0\x02", Container::Compressed(Format::Ogg)),
            (b"\0\0\0\x20ftypM4A ", Container::Compressed(Format::Mp4)),
            (b"ID3\x04\0", Container::Compressed(Format::Mp3)),
            (b"\xFF\xFB\x90\x64", Container::Compressed(Format::Mp3)),
            (b"\xFF\xF1\x50\x80", Container::Compressed(Format::Adts)),
            (b"dear Ms. Carter,\n", Container::Other("it holds text, not audio")),
        ];
        for (head, expected) in cases {
            assert_eq!(Container::sniff(head), expected, "{head:?}");
        }
        assert!(
            matches!(Container::sniff(b"FORM\0\0\0\0AIFF"), Container::Other(what) if what.contains("AIFF"))
        );
        assert!(
            Container::sniff(&[0x1A, 0x45, 0xDF, 0xA3, 0x9F])
                == Container::Compressed(Format::Matroska)
        );
        assert!(
            matches!(Container::sniff(&[0, 1, 2, 3, 0xFE]), Container::Other(what) if what.contains("not audio"))
        );
    }

    #[test]
    fn bad_input_gives_the_matching_error() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.wav");
        assert!(matches!(read_recording(&missing), Err(AudioError::NotFound { .. })));

        let text = dir.path().join("notes.wav");
        std::fs::write(&text, "these are my notes, not audio").unwrap();
        assert!(matches!(read_recording(&text), Err(AudioError::Unsupported { .. })));

        let header_only = dir.path().join("empty.wav");
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 16_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        hound::WavWriter::create(&header_only, spec).unwrap().finalize().unwrap();
        assert!(matches!(read_recording(&header_only), Err(AudioError::Empty { .. })));

        assert!(matches!(read_recording(dir.path()), Err(AudioError::Directory { .. })));
    }
}
