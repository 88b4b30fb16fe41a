//! MP3, M4A (AAC), Ogg (Vorbis or Opus), WebM (Opus or Vorbis) and FLAC through symphonia:
//! the formats phones, voice-note apps, browsers and screen recorders save voice in. Opus is
//! decoded by libopus, which symphonia 0.5 lacks.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::OnceLock;

use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{CodecRegistry, CodecType, Decoder, DecoderOptions, CODEC_TYPE_ALAC};
use symphonia::core::errors::Error;
use symphonia::core::formats::{FormatOptions, FormatReader};
use symphonia::core::io::MediaSourceStream;
use symphonia::default::formats::{
    AdtsReader, FlacReader, IsoMp4Reader, MkvReader, MpaReader, OggReader,
};

use super::{damaged, unreadable, unsupported, Sink};
use crate::audio::{AudioError, Samples};

/// The containers symphonia reads for callcoach, as told by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    Mp3,
    /// Raw AAC in ADTS frames (`.aac`).
    Adts,
    /// MP4 and M4A, usually AAC.
    Mp4,
    Ogg,
    Flac,
    /// WebM (what browsers record) and Matroska.
    Matroska,
}

pub(super) fn decode(path: &Path, mut file: File, format: Format) -> Result<Samples, AudioError> {
    if format == Format::Flac && !flac_comments_fit(&mut file).map_err(|e| unreadable(path, e))? {
        return Err(damaged(path, "a Vorbis comment runs past the end of its block"));
    }
    let stream = MediaSourceStream::new(Box::new(file), Default::default());
    // Gapless: the encoder's priming and padding are cut, so times match the original take.
    let options = FormatOptions { enable_gapless: true, ..Default::default() };
    let reader = quietly_catching_panics(|| -> Result<Box<dyn FormatReader>, Error> {
        match format {
            Format::Mp3 => MpaReader::try_new(stream, &options).map(|r| Box::new(r) as _),
            Format::Adts => AdtsReader::try_new(stream, &options).map(|r| Box::new(r) as _),
            Format::Mp4 => IsoMp4Reader::try_new(stream, &options).map(|r| Box::new(r) as _),
            Format::Ogg => OggReader::try_new(stream, &options).map(|r| Box::new(r) as _),
            Format::Flac => FlacReader::try_new(stream, &options).map(|r| Box::new(r) as _),
            Format::Matroska => MkvReader::try_new(stream, &options).map(|r| Box::new(r) as _),
        }
    })
    .map_err(|_| damaged(path, "its container's structure is broken"))?;
    let mut reader = reader.map_err(|e| error(path, e))?;

    let codecs = codecs();
    let Some(track) =
        reader.tracks().iter().find(|t| codecs.get_codec(t.codec_params.codec).is_some())
    else {
        let codec = reader.tracks().first().map(|t| t.codec_params.codec);
        return Err(unsupported(path, unknown_codec(codec)));
    };
    let track_id = track.id;
    let params = track.codec_params.clone();
    let mut decoder =
        codecs.make(&params, &DecoderOptions::default()).map_err(|e| error(path, e))?;

    // The sink is made at the first decoded packet: only then are the rate and channels known
    // for certain.
    let mut sink: Option<Sink<'_>> = None;
    // symphonia's Matroska reader panics on some files cut short (a browser tab that closed
    // mid-recording leaves one): what was decoded before is kept, as for any take cut short.
    let decoded = quietly_catching_panics(|| {
        decode_packets(
            path,
            reader.as_mut(),
            decoder.as_mut(),
            track_id,
            params.n_frames,
            &mut sink,
        )
    });
    match (decoded, sink) {
        (Ok(Ok(())) | Err(_), Some(sink)) => sink.finish(),
        (Ok(Err(e)), _) => Err(e),
        (_, None) => Err(damaged(path, "none of its audio could be decoded")),
    }
}

/// Decodes `track`'s packets into the sink, made at the first packet decoded.
fn decode_packets<'a>(
    path: &'a Path,
    reader: &mut dyn FormatReader,
    decoder: &mut dyn Decoder,
    track_id: u32,
    frames: Option<u64>,
    sink: &mut Option<Sink<'a>>,
) -> Result<(), AudioError> {
    let mut buffer: Option<SampleBuffer<f32>> = None;
    loop {
        let packet = match reader.next_packet() {
            Ok(packet) => packet,
            // The end of the stream, or of what a download or a dying recorder left of it:
            // what is there is usable, as with a WAV cut short.
            Err(Error::IoError(_) | Error::ResetRequired) => return Ok(()),
            Err(Error::DecodeError(_)) if sink.is_some() => return Ok(()),
            Err(e) => return Err(error(path, e)),
        };
        if packet.track_id() != track_id {
            continue;
        }
        let decoded = match decoder.decode(&packet) {
            Ok(decoded) => decoded,
            // One damaged frame is skipped, as players do.
            Err(Error::DecodeError(_) | Error::IoError(_)) => continue,
            Err(e) => return Err(error(path, e)),
        };
        let spec = *decoded.spec();
        let channels = spec.channels.count();
        let sink = match sink {
            Some(sink) => {
                if channels != sink.channels() || spec.rate != sink.rate {
                    return Err(damaged(path, "its sample rate or channels change midway"));
                }
                sink
            }
            None => sink.insert(Sink::new(path, spec.rate, channels, frames)?),
        };
        let capacity = decoded.capacity() as u64;
        let buffer = match &mut buffer {
            Some(buffer) if buffer.capacity() as u64 >= capacity * channels as u64 => buffer,
            _ => buffer.insert(SampleBuffer::new(capacity, spec)),
        };
        buffer.copy_interleaved_ref(decoded);
        for &sample in buffer.samples() {
            sink.add(sample)?;
        }
    }
}

/// Runs `work`, turning a panic into `Err` without the panic message on stderr: a user sees
/// one sentence about the file, never a library's internals.
fn quietly_catching_panics<T>(work: impl FnOnce() -> T) -> std::thread::Result<T> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
    std::panic::set_hook(hook);
    result
}

/// symphonia 0.5 allocates each FLAC Vorbis comment at the length the file gives, up to
/// 4 GB, before reading it: a garbled length aborts the process where memory is short (found
/// by fuzzing). The lengths are checked against their block first.
fn flac_comments_fit(file: &mut File) -> std::io::Result<bool> {
    const VORBIS_COMMENT: u8 = 4;
    let mut reader = std::io::BufReader::new(&mut *file);
    reader.seek(SeekFrom::Start(4))?;
    let mut fits = true;
    loop {
        let mut header = [0_u8; 4];
        if reader.read_exact(&mut header).is_err() {
            break;
        }
        let len = u64::from(u32::from_be_bytes([0, header[1], header[2], header[3]]));
        if header[0] & 0x7F == VORBIS_COMMENT {
            let mut block = Vec::new();
            reader.by_ref().take(len).read_to_end(&mut block)?;
            fits = comment_lengths_fit(&block);
        } else {
            reader.seek_relative(len as i64)?;
        }
        if header[0] & 0x80 != 0 || !fits {
            break;
        }
    }
    file.seek(SeekFrom::Start(0))?;
    Ok(fits)
}

/// A Vorbis comment block: a vendor string, a count, then that many strings, each after its
/// 32-bit little-endian length. Whether every length stays inside the block.
fn comment_lengths_fit(block: &[u8]) -> bool {
    fn take_u32(rest: &mut &[u8]) -> Option<u32> {
        let (word, tail) = rest.split_first_chunk::<4>()?;
        *rest = tail;
        Some(u32::from_le_bytes(*word))
    }
    fn skip_string(rest: &mut &[u8]) -> Option<()> {
        let len = take_u32(rest)? as usize;
        *rest = rest.get(len..)?;
        Some(())
    }
    let walk = |mut rest: &[u8]| -> Option<()> {
        skip_string(&mut rest)?;
        for _ in 0..take_u32(&mut rest)? {
            skip_string(&mut rest)?;
        }
        Some(())
    };
    walk(block).is_some()
}

/// symphonia's decoders, and libopus's for Opus.
fn codecs() -> &'static CodecRegistry {
    static CODECS: OnceLock<CodecRegistry> = OnceLock::new();
    CODECS.get_or_init(|| {
        let mut codecs = CodecRegistry::new();
        symphonia::default::register_enabled_codecs(&mut codecs);
        codecs.register_all::<symphonia_adapter_libopus::OpusDecoder>();
        codecs
    })
}

fn unknown_codec(codec: Option<CodecType>) -> String {
    let name = match codec {
        None => return "it holds no audio track".to_string(),
        Some(CODEC_TYPE_ALAC) => "Apple Lossless",
        Some(_) => "a codec",
    };
    format!(
        "its audio is {name}, which callcoach cannot decode (it decodes MP3, AAC, Vorbis, Opus \
         and FLAC)"
    )
}

fn error(path: &Path, error: Error) -> AudioError {
    match error {
        Error::Unsupported(what) => {
            unsupported(path, format!("it uses {what}, which callcoach cannot decode"))
        }
        Error::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            damaged(path, "the file ends before any audio")
        }
        Error::IoError(e) => AudioError::Unreadable { path: path.to_path_buf(), source: e },
        other => damaged(path, other.to_string()),
    }
}
