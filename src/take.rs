//! A take on disk: the WAV file a recording is written into as it happens, kept readable at
//! every moment so that a crash or `kill -9` loses at most the last half second.
//!
//! The format is 16-bit PCM at the microphone's own rate and channel count: every tool reads
//! it, it is half the size of float, and 16 bits hold more than a microphone's dynamic range.
//! The header's two sizes are rewritten at each checkpoint (every [`CHECKPOINT`]), after the
//! audio they count is in the file, so the header never claims bytes that are not there.
//! When the disk fills up, the file keeps every whole frame that fitted, and its header counts
//! exactly those: rewriting the header needs no new space.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::atomic_file::PartialFile;

/// How often the audio so far is made durable: what a crash can lose at most.
pub const CHECKPOINT: Duration = Duration::from_millis(500);

/// Bytes before the audio: RIFF header, 16-byte `fmt ` chunk, `data` chunk header.
const HEADER_LEN: u32 = 44;
/// Where the header's two sizes sit.
const RIFF_SIZE_AT: u64 = 4;
const DATA_SIZE_AT: u64 = 40;

/// Takes are personal data: readable by their owner only.
const FILE_MODE: u32 = 0o600;
const DIR_MODE: u32 = 0o700;

/// What a take file is written to: a file, or in tests something that fails like a full disk.
pub trait Sink: Write + Seek {
    /// Makes what was written durable (fsync for a file).
    fn sync(&mut self) -> io::Result<()>;
    /// Cuts the file to `len` bytes.
    fn set_len(&mut self, len: u64) -> io::Result<()>;
}

impl Sink for File {
    fn sync(&mut self) -> io::Result<()> {
        self.sync_data()
    }

    fn set_len(&mut self, len: u64) -> io::Result<()> {
        File::set_len(self, len)
    }
}

/// Why a take cannot be saved where it was asked to be.
#[derive(Debug, thiserror::Error)]
pub enum Unsavable {
    #[error("{} is a folder, not a file to save the take in", path.display())]
    Folder { path: PathBuf },
    #[error("cannot save the take in {}: there is no such folder", dir.display())]
    NoFolder { dir: PathBuf },
    #[error("cannot save the take in {}", dir.display())]
    Refused {
        dir: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// Checks, before anything is recorded, that a take can be created at `path`: a file, new or
/// not, in a folder that exists and takes new files (not read-only, not locked). A disk that
/// is full shows only once audio is written.
pub fn check_savable(path: &Path) -> Result<(), Unsavable> {
    if path.is_dir() {
        return Err(Unsavable::Folder { path: path.to_path_buf() });
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(Unsavable::NoFolder { dir: dir.to_path_buf() });
    }
    // Permission bits do not tell (root ignores them; a read-only mount or an immutable
    // folder does not show in them): only creating a file does. The probe deletes itself.
    PartialFile::create(path)
        .map(drop)
        .map_err(|source| Unsavable::Refused { dir: dir.to_path_buf(), source })
}

/// A take held in memory, as the HTML report embeds one: there is nothing to make durable.
impl Sink for io::Cursor<Vec<u8>> {
    fn sync(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn set_len(&mut self, len: u64) -> io::Result<()> {
        self.get_mut().truncate(usize::try_from(len).unwrap_or(usize::MAX));
        Ok(())
    }
}

/// A WAV file being recorded into.
pub struct TakeWriter<S: Sink = File> {
    sink: S,
    /// Audio not yet in the file: written at the next checkpoint.
    pending: Vec<u8>,
    /// Audio bytes in the file and counted by its header.
    data_len: u32,
    /// Bytes of one frame (a sample for each channel): the file only ever keeps whole ones.
    frame_len: u32,
    /// Bytes of one second of audio.
    byte_rate: u32,
    last_checkpoint: Instant,
}

impl TakeWriter<File> {
    /// Creates (or replaces) `path`, readable by its owner only, with an empty take.
    pub fn create(path: &Path, sample_rate: u32, channels: u16) -> io::Result<Self> {
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(FILE_MODE)
            .open(path)?;
        // `mode` applies only to a new file; an existing one keeps its bits unless told.
        if file.metadata()?.is_file() {
            file.set_permissions(std::fs::Permissions::from_mode(FILE_MODE))?;
        }
        Self::new(file, sample_rate, channels)
    }
}

impl<S: Sink> TakeWriter<S> {
    pub fn new(mut sink: S, sample_rate: u32, channels: u16) -> io::Result<Self> {
        let frame_len = u32::from(channels) * 2;
        sink.write_all(&header(sample_rate, channels))?;
        sink.sync()?;
        Ok(Self {
            sink,
            pending: Vec::new(),
            data_len: 0,
            frame_len,
            byte_rate: sample_rate * frame_len,
            last_checkpoint: Instant::now(),
        })
    }

    /// Appends interleaved samples; at most every [`CHECKPOINT`] they reach the file.
    pub fn write(&mut self, samples: &[i16]) -> io::Result<()> {
        self.pending.extend(samples.iter().flat_map(|s| s.to_le_bytes()));
        if self.last_checkpoint.elapsed() >= CHECKPOINT {
            self.checkpoint()?;
        }
        Ok(())
    }

    /// Writes what is pending, and gives back what the take was written to.
    pub fn into_sink(mut self) -> io::Result<S> {
        self.checkpoint()?;
        Ok(self.sink)
    }

    /// Writes the pending audio, then the sizes that count it, and makes both durable. When
    /// the disk fills up part way, the whole frames that fitted are kept and counted, the rest
    /// stays pending, and the error is returned.
    pub fn checkpoint(&mut self) -> io::Result<()> {
        self.last_checkpoint = Instant::now();
        if self.pending.is_empty() {
            return Ok(());
        }
        if self.pending.len() > (u32::MAX - HEADER_LEN - self.data_len) as usize {
            return Err(io::Error::other("the take is longer than a WAV file can hold"));
        }
        let end = u64::from(HEADER_LEN + self.data_len);
        self.sink.seek(SeekFrom::Start(end))?;
        let (written, failed) = write_what_fits(&mut self.sink, &self.pending);
        // A partial frame would shift every channel after it.
        let kept = written - written % self.frame_len as usize;
        let data_len = self.data_len + kept as u32;
        self.sink.seek(SeekFrom::Start(RIFF_SIZE_AT))?;
        self.sink.write_all(&(HEADER_LEN - 8 + data_len).to_le_bytes())?;
        self.sink.seek(SeekFrom::Start(DATA_SIZE_AT))?;
        self.sink.write_all(&data_len.to_le_bytes())?;
        self.pending.drain(..kept);
        self.data_len = data_len;
        if let Some(error) = failed {
            // What did not fit whole goes, so the file holds exactly what its header counts.
            self.sink.set_len(u64::from(HEADER_LEN + data_len))?;
            self.sink.sync()?;
            return Err(error);
        }
        self.sink.sync()
    }

    /// Seconds of audio in the file and counted by its header.
    pub fn saved_s(&self) -> f64 {
        f64::from(self.data_len) / f64::from(self.byte_rate)
    }
}

/// Writes as much of `bytes` as the sink takes: how many it took, and the error that stopped
/// it, if one did.
fn write_what_fits(sink: &mut impl Write, bytes: &[u8]) -> (usize, Option<io::Error>) {
    let mut written = 0;
    while written < bytes.len() {
        match sink.write(&bytes[written..]) {
            Ok(0) => return (written, Some(io::ErrorKind::WriteZero.into())),
            Ok(n) => written += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (written, Some(e)),
        }
    }
    (written, None)
}

/// A canonical 44-byte header for 16-bit PCM, with both sizes zero until the first checkpoint.
fn header(sample_rate: u32, channels: u16) -> [u8; HEADER_LEN as usize] {
    let block_align = channels * 2;
    let mut h = [0u8; HEADER_LEN as usize];
    h[0..4].copy_from_slice(b"RIFF");
    h[4..8].copy_from_slice(&(HEADER_LEN - 8).to_le_bytes());
    h[8..12].copy_from_slice(b"WAVE");
    h[12..16].copy_from_slice(b"fmt ");
    h[16..20].copy_from_slice(&16u32.to_le_bytes());
    h[20..22].copy_from_slice(&1u16.to_le_bytes()); // PCM
    h[22..24].copy_from_slice(&channels.to_le_bytes());
    h[24..28].copy_from_slice(&sample_rate.to_le_bytes());
    h[28..32].copy_from_slice(&(sample_rate * u32::from(block_align)).to_le_bytes());
    h[32..34].copy_from_slice(&block_align.to_le_bytes());
    h[34..36].copy_from_slice(&16u16.to_le_bytes());
    h[36..40].copy_from_slice(b"data");
    h
}

/// Where takes are saved when no file is named: `<data dir>/recordings`.
pub fn recordings_path(data_dir: &Path) -> PathBuf {
    data_dir.join("recordings")
}

/// [`recordings_path`], created private.
pub fn recordings_dir(data_dir: &Path) -> io::Result<PathBuf> {
    let dir = recordings_path(data_dir);
    DirBuilder::new().recursive(true).mode(DIR_MODE).create(&dir)?;
    Ok(dir)
}

/// A new file for a take started now, named by the local time (`take-2025-03-14-093005.wav`,
/// so names sort by time), with a counter when one already exists from the same second.
pub fn new_take_path(dir: &Path) -> PathBuf {
    let stamp = chrono::Local::now().format("%Y-%m-%d-%H%M%S");
    let mut path = dir.join(format!("take-{stamp}.wav"));
    let mut n = 2;
    while path.exists() {
        path = dir.join(format!("take-{stamp}-{n}.wav"));
        n += 1;
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn read_back(path: &Path) -> (hound::WavSpec, Vec<i16>) {
        let mut reader = hound::WavReader::open(path).unwrap();
        let samples = reader.samples::<i16>().map(Result::unwrap).collect();
        (reader.spec(), samples)
    }

    fn ramp(n: usize) -> Vec<i16> {
        (0..n).map(|i| (i as i16).wrapping_mul(37)).collect()
    }

    #[test]
    fn a_finished_take_holds_every_sample_in_its_format() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("take.wav");
        let mut writer = TakeWriter::create(&path, 48_000, 2).unwrap();
        let samples = ramp(48_000);
        for piece in samples.chunks(1_000) {
            writer.write(piece).unwrap();
        }
        writer.checkpoint().unwrap();
        drop(writer);
        let (spec, back) = read_back(&path);
        assert_eq!((spec.sample_rate, spec.channels, spec.bits_per_sample), (48_000, 2, 16));
        assert_eq!(spec.sample_format, hound::SampleFormat::Int);
        assert_eq!(back, samples);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn an_abandoned_take_keeps_everything_up_to_its_last_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("take.wav");
        let mut writer = TakeWriter::create(&path, 16_000, 1).unwrap();
        // Nothing checkpointed yet: a valid, empty take.
        assert_eq!(read_back(&path).1, Vec::<i16>::new());
        writer.write(&ramp(8_000)).unwrap();
        writer.checkpoint().unwrap();
        writer.write(&ramp(100)).unwrap();
        // The process dies here: what was pending is lost, the rest is a readable file.
        std::mem::forget(writer);
        assert_eq!(read_back(&path).1, ramp(8_000));
    }

    #[test]
    fn writes_reach_the_file_on_their_own_every_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("take.wav");
        let mut writer = TakeWriter::create(&path, 16_000, 1).unwrap();
        writer.write(&ramp(10)).unwrap();
        std::thread::sleep(CHECKPOINT);
        writer.write(&ramp(10)).unwrap();
        assert_eq!(read_back(&path).1.len(), 20);
        drop(writer);
    }

    #[test]
    fn replacing_a_file_makes_it_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("take.wav");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        TakeWriter::create(&path, 16_000, 1).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    /// A disk that fills up after `room` bytes, taking what fits of the write that fills it,
    /// as a real one does.
    struct SmallDisk {
        file: Cursor<Vec<u8>>,
        room: usize,
    }

    impl Write for SmallDisk {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let fits = self.room.saturating_sub(self.file.position() as usize).min(buf.len());
            if fits == 0 && !buf.is_empty() {
                return Err(io::Error::from_raw_os_error(28)); // ENOSPC
            }
            self.file.write(&buf[..fits])
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Seek for SmallDisk {
        fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
            self.file.seek(to)
        }
    }

    impl Sink for SmallDisk {
        fn sync(&mut self) -> io::Result<()> {
            Ok(())
        }
        fn set_len(&mut self, len: u64) -> io::Result<()> {
            self.file.get_mut().truncate(len as usize);
            Ok(())
        }
    }

    fn samples_in(bytes: Vec<u8>) -> (hound::WavSpec, Vec<i16>) {
        let mut reader = hound::WavReader::new(Cursor::new(bytes)).unwrap();
        let samples: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
        assert_eq!(samples.len() as u32, reader.len(), "the header counts every sample");
        (reader.spec(), samples)
    }

    #[test]
    fn a_full_disk_keeps_every_whole_frame_that_fitted_and_counts_exactly_those() {
        // Stereo: 4 bytes a frame. Room for 1,000 frames and 3 bytes of the next.
        let disk = SmallDisk { file: Cursor::new(Vec::new()), room: 44 + 4_000 + 3 };
        let mut writer = TakeWriter::new(disk, 16_000, 2).unwrap();
        writer.write(&ramp(1_200)).unwrap();
        writer.checkpoint().unwrap();
        writer.write(&ramp(1_200)).unwrap();
        let error = writer.checkpoint().unwrap_err();
        assert_eq!(error.raw_os_error(), Some(28));
        assert_eq!(writer.saved_s(), 1_000.0 / 16_000.0);
        // Trying again finds the disk still full and changes nothing.
        assert_eq!(writer.checkpoint().unwrap_err().raw_os_error(), Some(28));
        let bytes = writer.sink.file.into_inner();
        assert_eq!(bytes.len(), 44 + 4_000, "no partial frame after the counted audio");
        let (spec, kept) = samples_in(bytes);
        assert_eq!(spec.channels, 2);
        assert_eq!(kept, [ramp(1_200), ramp(800)].concat());
    }

    #[test]
    fn the_pending_audio_reaches_the_file_once_the_disk_has_room_again() {
        let disk = SmallDisk { file: Cursor::new(Vec::new()), room: 44 + 100 };
        let mut writer = TakeWriter::new(disk, 16_000, 1).unwrap();
        writer.write(&ramp(80)).unwrap();
        assert!(writer.checkpoint().is_err());
        writer.sink.room = usize::MAX;
        writer.checkpoint().unwrap();
        assert_eq!(samples_in(writer.sink.file.into_inner()).1, ramp(80));
    }

    #[test]
    fn a_take_is_refused_before_recording_where_it_cannot_be_saved() {
        let dir = tempfile::tempdir().unwrap();
        check_savable(&dir.path().join("take.wav")).unwrap();
        assert_eq!(fs_entries(dir.path()), 0, "the probe leaves nothing behind");
        assert!(matches!(check_savable(dir.path()), Err(Unsavable::Folder { .. })));
        let error = check_savable(&dir.path().join("no/such/take.wav")).unwrap_err();
        assert!(matches!(&error, Unsavable::NoFolder { dir: d } if d.ends_with("no/such")));
        assert!(error.to_string().ends_with("such: there is no such folder"), "{error}");
    }

    fn fs_entries(dir: &Path) -> usize {
        std::fs::read_dir(dir).unwrap().count()
    }

    #[test]
    fn take_names_sort_by_time_and_never_collide() {
        let dir = tempfile::tempdir().unwrap();
        let recordings = recordings_dir(dir.path()).unwrap();
        let mode = std::fs::metadata(&recordings).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        let first = new_take_path(&recordings);
        std::fs::write(&first, "").unwrap();
        let second = new_take_path(&recordings);
        assert_ne!(first, second);
        let name = first.file_name().unwrap().to_str().unwrap();
        assert!(name.starts_with("take-20") && name.ends_with(".wav"), "{name}");
    }
}
