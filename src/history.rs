//! The rehearsal history: every analyzed take, kept on this machine so that a user can see
//! themselves improve ([`trend`]).
//!
//! # Store format, version 1
//!
//! One JSON document, `<data dir>/history.json`:
//!
//! ```json
//! {
//!   "version": 1,
//!   "next_id": 3,
//!   "rehearsals": [
//!     {"id": 1, "at": "2025-03-14T09:30:05Z", "recording": "/home/me/take.wav",
//!      "recorded_by_callcoach": false, "report": {"version": 1, "file": "take.wav", …}},
//!     …
//!   ]
//! }
//! ```
//!
//! - `id` is stable and never reused, even after a rehearsal is forgotten (`next_id` is the
//!   next one given).
//! - `at` is when the rehearsal was analyzed, in UTC.
//! - `recording` is the absolute path of the audio; `recorded_by_callcoach` says whether
//!   callcoach made that file (`callcoach record`). Only such recordings are deleted when a
//!   rehearsal is forgotten, and only from the data directory's recordings folder: a file the
//!   user brought to `analyze` is theirs, and so is a take saved elsewhere with `--out`. The
//!   file is JSON anyone can edit, so whatever it names is checked against that folder first.
//! - `report` is the rehearsal's whole [`Report`], as `analyze --json` prints it.
//!
//! Every change is made under an exclusive lock on `history.lock` beside it, reading the
//! file afresh, so two callcoach processes never lose each other's rehearsals; the new
//! document is written to a temporary file and renamed over the old one, so a reader or a
//! crash never sees half of it. A file that cannot be read as this format — corrupt, or
//! written by a newer callcoach — is an error and is never overwritten.

pub mod trend;

use std::fs::{self, DirBuilder, OpenOptions, Permissions};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::atomic_file::PartialFile;
use crate::report::Report;
use crate::take;

pub const FORMAT_VERSION: u32 = 1;

/// Rehearsals are personal data, like the takes themselves: readable by their owner only.
const FILE_MODE: u32 = 0o600;
const DIR_MODE: u32 = 0o700;

/// One rehearsal as the history keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rehearsal {
    pub id: u64,
    pub at: DateTime<Utc>,
    pub recording: PathBuf,
    pub recorded_by_callcoach: bool,
    pub report: Report,
}

impl Rehearsal {
    /// What the take was, for a person: "Call, Wed 2 Dec 14:05, take 3 of the day" (local
    /// time), counting the rehearsals of `history` made the same day up to this one.
    pub fn name(&self, history: &[Rehearsal]) -> String {
        format!(
            "{}, {}, take {} of the day",
            self.report.mode.title(),
            self.at.with_timezone(&chrono::Local).format("%a %-d %b %H:%M"),
            self.take_of_the_day(history)
        )
    }

    /// Which take of its day (local time) this was, counting the rehearsals of `history`.
    pub fn take_of_the_day(&self, history: &[Rehearsal]) -> usize {
        let day = self.at.with_timezone(&chrono::Local).date_naive();
        history
            .iter()
            .filter(|r| r.at.with_timezone(&chrono::Local).date_naive() == day && r.at <= self.at)
            .count()
            .max(1)
    }
}

/// Who made the recording a rehearsal was analyzed from, which decides whether forgetting
/// the rehearsal deletes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MadeBy {
    /// `callcoach record` made it: it goes when the rehearsal is forgotten.
    Callcoach,
    /// The user's own file, given to `analyze`: never deleted.
    User,
}

/// A rehearsal forgotten, and what became of its recording.
#[derive(Debug, Clone, PartialEq)]
pub struct Forgotten {
    pub rehearsal: Rehearsal,
    pub recording: Fate,
}

/// What forgetting a rehearsal did with its recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// A take callcoach recorded into its recordings folder: deleted.
    Deleted,
    /// The take was no longer there.
    AlreadyGone,
    /// The user's own file, given to `analyze`: kept.
    Yours,
    /// Marked as recorded by callcoach but not a file in its recordings folder (a take saved
    /// with `--out`, or a history file edited to name another file): kept.
    OutsideRecordings,
}

/// Which rehearsals to forget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    All,
    Ids(Vec<u64>),
}

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error(
        "{}: line {line}, column {column}: {message}; this is not a callcoach history file \
         callcoach can read, so it is left as it is",
        path.display()
    )]
    Corrupt { path: PathBuf, line: usize, column: usize, message: String },
    #[error(
        "{} is history format version {version}, newer than this callcoach reads \
         ({FORMAT_VERSION}); it is left as it is",
        path.display()
    )]
    FutureVersion { path: PathBuf, version: u32 },
    #[error("there is no rehearsal {id} in the history")]
    UnknownId { id: u64 },
    #[error("cannot {doing} {}", path.display())]
    Io {
        doing: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// The document on disk.
#[derive(Debug, Serialize, Deserialize)]
struct Document {
    version: u32,
    next_id: u64,
    rehearsals: Vec<Rehearsal>,
}

impl Document {
    fn empty() -> Self {
        Self { version: FORMAT_VERSION, next_id: 1, rehearsals: Vec::new() }
    }
}

/// Only the version, read first so that a newer format is refused before its shape is judged.
#[derive(Deserialize)]
struct Versioned {
    version: u32,
}

/// The history in a data directory.
#[derive(Debug, Clone)]
pub struct History {
    dir: PathBuf,
}

impl History {
    /// The history kept in `data_dir`, which is created (private) on the first change.
    pub fn in_dir(data_dir: &Path) -> Self {
        Self { dir: data_dir.to_path_buf() }
    }

    /// The store file.
    pub fn path(&self) -> PathBuf {
        self.dir.join("history.json")
    }

    /// Every rehearsal, oldest first; none when there is no history yet.
    pub fn rehearsals(&self) -> Result<Vec<Rehearsal>, HistoryError> {
        Ok(self.read()?.rehearsals)
    }

    /// Adds a rehearsal analyzed now, and gives it back with its id.
    pub fn add(
        &self,
        report: &Report,
        recording: &Path,
        made_by: MadeBy,
    ) -> Result<Rehearsal, HistoryError> {
        let recording = std::path::absolute(recording).map_err(|source| HistoryError::Io {
            doing: "find the absolute path of",
            path: recording.to_path_buf(),
            source,
        })?;
        self.change(|document| {
            let rehearsal = Rehearsal {
                id: document.next_id,
                at: Utc::now(),
                recording,
                recorded_by_callcoach: made_by == MadeBy::Callcoach,
                report: report.clone(),
            };
            document.next_id += 1;
            document.rehearsals.push(rehearsal.clone());
            Ok(rehearsal)
        })
    }

    /// Removes rehearsals from the history, and deletes the recordings callcoach made for
    /// them in its recordings folder (never a user's own file, never a file elsewhere). Gives
    /// back what was forgotten; an unknown id changes nothing.
    pub fn forget(&self, selection: &Selection) -> Result<Vec<Forgotten>, HistoryError> {
        let forgotten = self.change(|document| {
            if let Selection::Ids(ids) = selection {
                if let Some(&id) =
                    ids.iter().find(|id| !document.rehearsals.iter().any(|r| r.id == **id))
                {
                    return Err(HistoryError::UnknownId { id });
                }
            }
            let (gone, kept) = std::mem::take(&mut document.rehearsals).into_iter().partition(
                |r| match selection {
                    Selection::All => true,
                    Selection::Ids(ids) => ids.contains(&r.id),
                },
            );
            document.rehearsals = kept;
            Ok(gone)
        })?;
        // The history no longer names them: a recording that cannot be deleted now is only
        // a file left behind, and the error says which.
        forgotten
            .into_iter()
            .map(|rehearsal| {
                let recording = if rehearsal.recorded_by_callcoach {
                    self.delete_take(&rehearsal.recording)?
                } else {
                    Fate::Yours
                };
                Ok(Forgotten { rehearsal, recording })
            })
            .collect()
    }

    /// Deletes a take that callcoach recorded, if it is a file directly in the recordings
    /// folder: no `..`, symbolic link or other path in the history can make callcoach delete
    /// anything outside it.
    fn delete_take(&self, path: &Path) -> Result<Fate, HistoryError> {
        if fs::symlink_metadata(path).is_err_and(|e| e.kind() == io::ErrorKind::NotFound) {
            return Ok(Fate::AlreadyGone);
        }
        let Some(take) = self.in_recordings(path) else {
            return Ok(Fate::OutsideRecordings);
        };
        match fs::remove_file(&take) {
            Ok(()) => Ok(Fate::Deleted),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Fate::AlreadyGone),
            Err(source) => {
                Err(HistoryError::Io { doing: "delete the recording", path: take, source })
            }
        }
    }

    /// The real path of `path` when it names a plain file directly in the recordings folder.
    fn in_recordings(&self, path: &Path) -> Option<PathBuf> {
        let recordings = take::recordings_path(&self.dir);
        // callcoach makes the folder itself, never as a link to somewhere else.
        if !fs::symlink_metadata(&recordings).ok()?.is_dir() {
            return None;
        }
        let folder = recordings.canonicalize().ok()?;
        let name = path.file_name()?;
        if path.parent()?.canonicalize().ok()? != folder {
            return None;
        }
        let take = folder.join(name);
        // Deleting a link would leave what it points to, but a take is never one.
        fs::symlink_metadata(&take).ok()?.is_file().then_some(take)
    }

    /// Reads the document, or an empty one when there is no file yet.
    fn read(&self) -> Result<Document, HistoryError> {
        let path = self.path();
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Document::empty()),
            Err(source) => return Err(HistoryError::Io { doing: "read", path, source }),
        };
        let corrupt = |e: serde_json::Error| HistoryError::Corrupt {
            path: path.clone(),
            line: e.line(),
            column: e.column(),
            message: message_of(&e),
        };
        let Versioned { version } = serde_json::from_str(&text).map_err(corrupt)?;
        if version > FORMAT_VERSION {
            return Err(HistoryError::FutureVersion { path, version });
        }
        serde_json::from_str(&text).map_err(corrupt)
    }

    /// Reads, changes and rewrites the document under the lock; nothing is written when
    /// reading or the change fails.
    fn change<T>(
        &self,
        change: impl FnOnce(&mut Document) -> Result<T, HistoryError>,
    ) -> Result<T, HistoryError> {
        let io = |doing, path: &Path| {
            let path = path.to_path_buf();
            move |source| HistoryError::Io { doing, path, source }
        };
        DirBuilder::new()
            .recursive(true)
            .mode(DIR_MODE)
            .create(&self.dir)
            .map_err(io("create the folder", &self.dir))?;
        let lock_path = self.dir.join("history.lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(FILE_MODE)
            .open(&lock_path)
            .map_err(io("open", &lock_path))?;
        // Released when `lock` is closed, on every return below.
        lock.lock().map_err(io("lock", &lock_path))?;

        let mut document = self.read()?;
        let result = change(&mut document)?;
        document.version = FORMAT_VERSION;
        let path = self.path();
        let partial = PartialFile::create(&path).map_err(io("create a file beside", &path))?;
        partial
            .file()
            .set_permissions(Permissions::from_mode(FILE_MODE))
            .and_then(|()| {
                let mut out = BufWriter::new(partial.file());
                serde_json::to_writer_pretty(&mut out, &document)?;
                out.write_all(b"\n")?;
                out.flush()
            })
            .map_err(io("write", partial.path()))?;
        partial.persist(&path).map_err(io("replace", &path))?;
        Ok(result)
    }
}

/// serde_json's message without its own " at line L column C" tail, which the error
/// already gives in the user's order.
fn message_of(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let tail = format!(" at line {} column {}", error.line(), error.column());
    text.strip_suffix(&tail).unwrap_or(&text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample_report;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn rehearsals_are_kept_in_order_with_ids_never_reused() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let history = History::in_dir(&data);
        assert!(history.rehearsals().unwrap().is_empty());
        let report = sample_report();
        let first = history.add(&report, Path::new("take.wav"), MadeBy::User).unwrap();
        let second = history.add(&report, Path::new("take.wav"), MadeBy::User).unwrap();
        assert_eq!((first.id, second.id), (1, 2));
        assert!(first.recording.is_absolute() && first.recording.ends_with("take.wav"));
        assert_eq!(history.rehearsals().unwrap(), [first, second.clone()]);

        history.forget(&Selection::Ids(vec![2])).unwrap();
        let third = history.add(&report, Path::new("take.wav"), MadeBy::User).unwrap();
        assert_eq!(third.id, 3);
        assert_eq!(history.rehearsals().unwrap().iter().map(|r| r.id).collect::<Vec<_>>(), [1, 3]);
        assert_eq!((mode(&data), mode(&history.path())), (0o700, 0o600));
        assert_eq!(third.report, report, "the whole report is kept");
    }

    #[test]
    fn forgetting_deletes_only_the_recordings_callcoach_made() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::in_dir(dir.path());
        let recordings = take::recordings_dir(dir.path()).unwrap();
        let (ours, theirs) = (recordings.join("take-ours.wav"), dir.path().join("mine.wav"));
        fs::write(&ours, "audio").unwrap();
        fs::write(&theirs, "audio").unwrap();
        let report = sample_report();
        history.add(&report, &ours, MadeBy::Callcoach).unwrap();
        history.add(&report, &theirs, MadeBy::User).unwrap();

        let error = history.forget(&Selection::Ids(vec![1, 7])).unwrap_err();
        assert!(matches!(error, HistoryError::UnknownId { id: 7 }), "{error}");
        assert_eq!(history.rehearsals().unwrap().len(), 2, "an unknown id changes nothing");
        assert!(ours.exists());

        let forgotten = history.forget(&Selection::All).unwrap();
        let fates: Vec<Fate> = forgotten.iter().map(|f| f.recording).collect();
        assert_eq!(fates, [Fate::Deleted, Fate::Yours]);
        assert!(history.rehearsals().unwrap().is_empty());
        assert!(!ours.exists(), "callcoach's own take goes with its rehearsal");
        assert!(theirs.exists(), "the user's own file is never deleted");
    }

    #[test]
    fn no_path_in_the_history_makes_forgetting_delete_outside_the_recordings_folder() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let history = History::in_dir(&data);
        let recordings = take::recordings_dir(&data).unwrap();
        let outside = dir.path().join("outside");
        fs::create_dir(&outside).unwrap();
        let victim = outside.join("victim.wav");
        fs::write(&victim, "someone else's").unwrap();
        std::os::unix::fs::symlink(&victim, recordings.join("link.wav")).unwrap();
        std::os::unix::fs::symlink(&outside, recordings.join("folder")).unwrap();
        let take = recordings.join("take.wav");
        fs::write(&take, "audio").unwrap();
        let claims = [
            victim.clone(),
            recordings.join("../../outside/victim.wav"),
            recordings.join("link.wav"),
            recordings.join("folder/victim.wav"),
            recordings.join("folder/.."),
            recordings.clone(),
            take.clone(),
        ];
        let report = sample_report();
        for claim in &claims {
            // As a history file edited by hand would hold them.
            history.add(&report, claim, MadeBy::Callcoach).unwrap();
        }
        let fates: Vec<Fate> =
            history.forget(&Selection::All).unwrap().iter().map(|f| f.recording).collect();
        assert_eq!(&fates[..6], [Fate::OutsideRecordings; 6]);
        assert_eq!(fates[6], Fate::Deleted);
        assert_eq!(fs::read_to_string(&victim).unwrap(), "someone else's");
        assert!(fs::symlink_metadata(recordings.join("link.wav")).is_ok());
        assert!(!take.exists());

        // A recordings folder that is a link to elsewhere is not callcoach's.
        fs::remove_dir_all(&recordings).unwrap();
        std::os::unix::fs::symlink(&outside, &recordings).unwrap();
        history.add(&report, &recordings.join("victim.wav"), MadeBy::Callcoach).unwrap();
        let forgotten = history.forget(&Selection::All).unwrap();
        assert_eq!(forgotten[0].recording, Fate::OutsideRecordings);
        assert!(victim.exists());
    }

    #[test]
    fn a_corrupt_file_is_reported_with_its_line_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::in_dir(dir.path());
        let corrupt =
            "{\n  \"version\": 1,\n  \"next_id\": 2,\n  \"rehearsals\": [\n    {\"id\": 1,,}\n";
        fs::write(history.path(), corrupt).unwrap();
        for error in [
            history.rehearsals().unwrap_err(),
            history.add(&sample_report(), Path::new("t.wav"), MadeBy::User).unwrap_err(),
            history.forget(&Selection::All).unwrap_err(),
        ] {
            assert!(matches!(error, HistoryError::Corrupt { line: 5, column: 14, .. }), "{error}");
            let text = error.to_string();
            assert!(text.starts_with(&format!("{}: line 5, column 14: ", history.path().display())));
            assert!(text.ends_with("it is left as it is"), "{text}");
        }
        assert_eq!(fs::read_to_string(history.path()).unwrap(), corrupt);
    }

    #[test]
    fn a_newer_format_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::in_dir(dir.path());
        let future = r#"{"version": 2, "sessions": {"a": "shape this callcoach has never seen"}}"#;
        fs::write(history.path(), future).unwrap();
        let error = history.add(&sample_report(), Path::new("t.wav"), MadeBy::User).unwrap_err();
        assert!(matches!(error, HistoryError::FutureVersion { version: 2, .. }), "{error}");
        assert!(error.to_string().contains("newer than this callcoach reads (1)"), "{error}");
        assert_eq!(fs::read_to_string(history.path()).unwrap(), future);
    }

    #[test]
    fn writers_at_once_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::in_dir(dir.path());
        let report = sample_report();
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..10 {
                        history.add(&report, Path::new("t.wav"), MadeBy::User).unwrap();
                    }
                });
            }
        });
        let mut ids: Vec<u64> = history.rehearsals().unwrap().iter().map(|r| r.id).collect();
        ids.sort_unstable();
        assert_eq!(ids, (1..=40).collect::<Vec<_>>());
        let left: Vec<_> =
            fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left.len(), 2, "only the history and its lock: {left:?}");
    }
}
