//! Files that appear whole or not at all: a model being downloaded or converted is written
//! under a hidden temporary name beside its destination, synced, and only then renamed into
//! place. A crash or an error never leaves a half-written file under the real name.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// The file while it is being written, in its destination's folder so that the final rename
/// stays on one file system. Dropped without [`PartialFile::persist`], it deletes itself,
/// so every early return cleans up.
pub struct PartialFile {
    path: PathBuf,
    file: File,
    persisted: bool,
}

impl PartialFile {
    /// A new, empty temporary file for `dest`, named `.NAME.PID-N.partial`.
    pub fn create(dest: &Path) -> io::Result<PartialFile> {
        // Writers running at once in one process (tests) must not share a temporary file.
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = dest.file_name().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "the destination has no file name")
        })?;
        let path = dest.with_file_name(format!(
            ".{}.{}-{}.partial",
            name.to_string_lossy(),
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let file = OpenOptions::new().write(true).create_new(true).open(&path)?;
        Ok(PartialFile { path, file, persisted: false })
    }

    /// Where the file is while it is being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn file(&self) -> &File {
        &self.file
    }

    /// Makes the file durable, then gives it its real name.
    pub fn persist(mut self, dest: &Path) -> io::Result<()> {
        self.file.sync_all()?;
        fs::rename(&self.path, dest)?;
        self.persisted = true;
        // The rename itself is durable only once the folder is synced.
        #[cfg(unix)]
        if let Some(folder) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
            File::open(folder)?.sync_all()?;
        }
        Ok(())
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.persisted {
            // Nothing more can be done about a failure here; the caller reports the error.
            let _ = fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn appears_under_its_name_only_when_persisted() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("model.bin");
        let partial = PartialFile::create(&dest).unwrap();
        partial.file().write_all(b"whole").unwrap();
        assert!(!dest.exists());
        partial.persist(&dest).unwrap();
        assert_eq!(fs::read(&dest).unwrap(), b"whole");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn leaves_nothing_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("model.bin");
        let partial = PartialFile::create(&dest).unwrap();
        partial.file().write_all(b"half").unwrap();
        drop(partial);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
