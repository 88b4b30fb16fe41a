//! WAV through hound: 8/16/24/32-bit integer and 32-bit float samples.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use super::{damaged, unreadable, unsupported, Sink};
use crate::audio::{AudioError, Samples};

pub(super) fn decode(path: &Path, mut file: File) -> Result<Samples, AudioError> {
    let file_len = file.metadata().map_err(|e| unreadable(path, e))?.len();
    let fix = data_size_fix(&mut file, file_len).map_err(|e| unreadable(path, e))?;
    file.seek(SeekFrom::Start(0)).map_err(|e| unreadable(path, e))?;
    let file = SizeFixed { inner: BufReader::new(file), position: 0, fix };
    let reader = hound::WavReader::new(file).map_err(|e| open_error(path, e))?;
    let spec = reader.spec();
    let channels = usize::from(spec.channels);
    // The header's length, unless the file is too short to hold it (a download cut short).
    let frame_bytes = u64::from(spec.channels) * u64::from(spec.bits_per_sample).div_ceil(8);
    let frames = u64::from(reader.duration()).min(file_len / frame_bytes.max(1));
    let mut sink = Sink::new(path, spec.sample_rate, channels, Some(frames))?;
    match (spec.sample_format, spec.bits_per_sample) {
        (hound::SampleFormat::Float, 32) => {
            feed(path, reader.into_samples::<f32>(), |v| v, &mut sink)?;
        }
        (hound::SampleFormat::Int, bits @ (8 | 16 | 24 | 32)) => {
            let scale = 1.0 / (1_i64 << (bits - 1)) as f32;
            feed(path, reader.into_samples::<i32>(), |v| v as f32 * scale, &mut sink)?;
        }
        (format, bits) => {
            let format = match format {
                hound::SampleFormat::Float => "floating-point",
                hound::SampleFormat::Int => "integer",
            };
            return Err(unsupported(
                path,
                format!(
                    "its samples are {bits}-bit {format} (callcoach reads 8, 16, 24 and 32-bit \
                     integer and 32-bit floating-point WAV)"
                ),
            ));
        }
    }
    sink.finish()
}

/// Feeds every sample to the sink. A data chunk cut short (a recording whose writer died)
/// ends the audio where the bytes end instead of failing: what is there is usable.
fn feed<S>(
    path: &Path,
    samples: impl Iterator<Item = Result<S, hound::Error>>,
    to_float: impl Fn(S) -> f32,
    sink: &mut Sink<'_>,
) -> Result<(), AudioError> {
    for sample in samples {
        match sample {
            Ok(value) => sink.add(to_float(value))?,
            Err(hound::Error::IoError(e)) if is_short_read(&e) => break,
            Err(hound::Error::IoError(source)) => return Err(unreadable(path, source)),
            Err(other) => return Err(damaged(path, other.to_string())),
        }
    }
    Ok(())
}

/// A data chunk size to put in place of the header's: where its field is, and the value.
#[derive(Debug, Clone, Copy)]
struct DataSizeFix {
    at: u64,
    size: [u8; 4],
}

/// Streaming writers put 0 or 0xFFFFFFFF in the data chunk's size, meaning "to the end", and a
/// writer that died leaves 0: then the audio is all the whole frames that follow. (hound
/// refuses the first and reads nothing of the second.)
fn data_size_fix(file: &mut File, file_len: u64) -> io::Result<Option<DataSizeFix>> {
    let mut offset = 12_u64;
    let mut frame_bytes = None;
    // A WAV has a handful of chunks; a longer walk is not a WAV worth rescuing.
    for _ in 0..64 {
        file.seek(SeekFrom::Start(offset))?;
        let mut header = [0_u8; 8];
        if file.read_exact(&mut header).is_err() {
            return Ok(None);
        }
        let size = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        match &header[..4] {
            b"fmt " => {
                let mut fmt = [0_u8; 14];
                if file.read_exact(&mut fmt).is_err() {
                    return Ok(None);
                }
                frame_bytes = Some(u64::from(u16::from_le_bytes([fmt[12], fmt[13]])));
            }
            b"data" => {
                let follows = file_len.saturating_sub(offset + 8);
                let Some(frame_bytes) = frame_bytes.filter(|&b| b > 0) else { return Ok(None) };
                if !matches!(size, 0 | u32::MAX) || follows == 0 {
                    return Ok(None);
                }
                let whole = (follows - follows % frame_bytes).min(u64::from(u32::MAX - 1));
                let whole = whole - whole % frame_bytes;
                return Ok(Some(DataSizeFix {
                    at: offset + 4,
                    size: (whole as u32).to_le_bytes(),
                }));
            }
            _ => {}
        }
        offset += 8 + u64::from(size) + u64::from(size % 2);
    }
    Ok(None)
}

/// The file as hound reads it, with the data chunk's size put right where it was not.
struct SizeFixed<R> {
    inner: R,
    position: u64,
    fix: Option<DataSizeFix>,
}

impl<R: Read> Read for SizeFixed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(fix) = self.fix {
            let (start, end) = (self.position, self.position + n as u64);
            for at in fix.at.max(start)..(fix.at + 4).min(end) {
                buf[(at - start) as usize] = fix.size[(at - fix.at) as usize];
            }
        }
        self.position += n as u64;
        Ok(n)
    }
}

fn open_error(path: &Path, error: hound::Error) -> AudioError {
    match error {
        hound::Error::IoError(e) if is_short_read(&e) => {
            damaged(path, "the file ends inside its header")
        }
        hound::Error::IoError(source) => unreadable(path, source),
        hound::Error::Unsupported => {
            unsupported(path, "its WAV sample encoding is not plain integer or floating-point")
        }
        // hound reads only 32-bit floats, and says so as if the header were wrong.
        hound::Error::FormatError("bits per sample is not 32") => unsupported(
            path,
            "its samples are floating-point but not 32-bit (callcoach reads 8, 16, 24 and \
             32-bit integer and 32-bit floating-point WAV)",
        ),
        hound::Error::FormatError(why) => {
            damaged(path, format!("its WAV header is not valid ({why})"))
        }
        other => damaged(path, format!("its WAV header is not valid ({other})")),
    }
}

/// hound 3.5 reports a data chunk that ends early as an `Other` error with this text.
fn is_short_read(error: &std::io::Error) -> bool {
    error.kind() == std::io::ErrorKind::UnexpectedEof
        || error.get_ref().is_some_and(|e| e.to_string() == "Failed to read enough bytes.")
}
