//! What the end-to-end tests share: the binary run hermetically, the model, the data.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde::Deserialize;

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The default model that `make test` installs; a test without it fails and says why.
pub fn model() -> PathBuf {
    let path = root().join("models/ggml-tiny.en.bin");
    assert!(path.is_file(), "{} is missing: run `make test`, which installs it", path.display());
    path
}

/// Real human recordings shared beside the checkout (see ../shared/data/README.md).
pub fn shared_data(name: &str) -> PathBuf {
    let path = root().join("../shared/data").join(name);
    assert!(
        path.is_file(),
        "{} is missing: the tests read ../shared/data beside the checkout",
        path.display()
    );
    path
}

/// The binary, with the user's own settings out of the way: no model or data directory
/// from the environment, no colour, and a private data directory.
pub fn callcoach(data_dir: &Path) -> Command {
    Command::from_std(callcoach_process(data_dir))
}

/// [`callcoach`] as a process to start and signal while it runs.
pub fn callcoach_process(data_dir: &Path) -> std::process::Command {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("callcoach"));
    for (key, _) in std::env::vars() {
        if key.starts_with("CALLCOACH_") {
            command.env_remove(key);
        }
    }
    command.env("CALLCOACH_DATA_DIR", data_dir).env("NO_COLOR", "1").current_dir(data_dir);
    command
}

/// The JSON report, read back into the tests' own types: the format is a contract.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub version: u32,
    pub file: String,
    pub mode: String,
    /// `null` for a typed script (`callcoach check`), as every time in its report.
    pub duration_s: Option<f64>,
    pub speech_s: Option<f64>,
    pub transcript: String,
    pub words: Vec<Word>,
    pub elements: Vec<Element>,
    pub brevity: Brevity,
    pub score: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Word {
    pub text: String,
    pub start_s: Option<f64>,
    pub end_s: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Element {
    pub id: String,
    pub label: String,
    pub found: bool,
    pub evidence: Option<String>,
    pub start_s: Option<f64>,
    pub end_s: Option<f64>,
    pub tip: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Brevity {
    pub duration_s: Option<f64>,
    pub speech_s: Option<f64>,
    pub talk_s: f64,
    pub estimated: bool,
    pub target_min_s: f64,
    pub target_max_s: f64,
    pub ok: bool,
    pub tip: Option<String>,
}

impl Report {
    pub fn found(&self) -> Vec<&str> {
        self.elements.iter().filter(|e| e.found).map(|e| e.id.as_str()).collect()
    }
}

/// Word error rate of `hypothesis` against `reference`, ignoring case and punctuation.
pub fn word_error_rate(reference: &str, hypothesis: &str) -> f64 {
    let words = |text: &str| -> Vec<String> {
        text.split_whitespace()
            .map(|w| {
                w.chars()
                    .filter(|c| c.is_alphanumeric())
                    .flat_map(char::to_lowercase)
                    .collect::<String>()
            })
            .filter(|w| !w.is_empty())
            .collect()
    };
    let (r, h) = (words(reference), words(hypothesis));
    let mut previous: Vec<usize> = (0..=h.len()).collect();
    for (i, rw) in r.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, hw) in h.iter().enumerate() {
            let substitution = previous[j] + usize::from(rw != hw);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[h.len()] as f64 / r.len().max(1) as f64
}

#[test]
fn word_error_rate_counts_edits_per_reference_word() {
    assert_eq!(word_error_rate("a gold ring", "A gold ring."), 0.0);
    assert_eq!(word_error_rate("a gold ring", "a golden ring"), 1.0 / 3.0);
    assert_eq!(word_error_rate("a gold ring", "gold ring"), 1.0 / 3.0);
    assert_eq!(word_error_rate("a gold ring", "a gold ring please"), 1.0 / 3.0);
}
