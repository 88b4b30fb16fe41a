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

/// The folder of the meaning model `make test` installs.
pub fn meaning_dir() -> PathBuf {
    callcoach::meaning::model_dir(&root().join("models"), callcoach::meaning::DEFAULT_MODEL)
}

/// The meaning model `make test` installs, loaded once for the whole test binary.
pub fn meaning() -> std::sync::Arc<callcoach::meaning::MeaningModel> {
    static MEANING: std::sync::OnceLock<std::sync::Arc<callcoach::meaning::MeaningModel>> =
        std::sync::OnceLock::new();
    MEANING
        .get_or_init(|| {
            let meaning = callcoach::meaning::Meaning::load(&meaning_dir())
                .unwrap_or_else(|e| panic!("{e}: run `make test`, which installs it"));
            std::sync::Arc::new(meaning.into())
        })
        .clone()
}

/// Real human recordings shared beside the checkout (see ../shared/data/README.md).
/// A bundled sample recording or script.
pub fn sample(name: &str) -> PathBuf {
    root().join("samples").join(name)
}

/// `seconds` of digital silence in `dir`: no speech, so analyzing it takes no transcription.
pub fn silence(dir: &Path, seconds: u32) -> PathBuf {
    let path = dir.join("silence.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(&path, spec).unwrap();
    for _ in 0..16_000 * seconds {
        writer.write_sample(0_i16).unwrap();
    }
    writer.finalize().unwrap();
    path
}

pub fn shared_data(name: &str) -> PathBuf {
    let path = root().join("../shared/data").join(name);
    assert!(
        path.is_file(),
        "{} is missing: the tests read ../shared/data beside the checkout",
        path.display()
    );
    path
}

/// What a complete voicemail says, in the order the checklist lists it.
pub const VOICEMAIL_ELEMENTS: [&str; 6] =
    ["thanks", "job_title", "caller_name", "callback_request", "phone_number", "number_repeated"];

/// The binary, with the user's own settings out of the way: no model, data directory or
/// profile from the environment, no colour, and a private data directory, whose `config`
/// folder stands in for the user's config directory (where the profile is looked for).
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
    command
        .env("CALLCOACH_DATA_DIR", data_dir)
        .env("XDG_CONFIG_HOME", data_dir.join("config"))
        .env("NO_COLOR", "1")
        .env("CALLCOACH_MEANING_MODEL", meaning_dir())
        .current_dir(data_dir);
    command
}

/// `command` run on a terminal of its own, as a person at one runs it: util-linux's
/// `script` gives it a pseudo-terminal, forwards what is written to its stdin, and writes
/// what the terminal shows (stdout and stderr, with their escape codes) to its stdout.
pub fn on_a_terminal(command: &std::process::Command) -> std::process::Command {
    let quoted =
        |text: &std::ffi::OsStr| format!("'{}'", text.to_string_lossy().replace('\'', "'\\''"));
    let line: Vec<String> =
        std::iter::once(command.get_program()).chain(command.get_args()).map(quoted).collect();
    let mut terminal = std::process::Command::new("script");
    terminal.args(["-qec", &line.join(" "), "/dev/null"]);
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => terminal.env(key, value),
            None => terminal.env_remove(key),
        };
    }
    if let Some(dir) = command.get_current_dir() {
        terminal.current_dir(dir);
    }
    terminal
}

/// The JSON report, read back into the tests' own types: the format is a contract.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub version: u32,
    pub file: String,
    /// `recording`, or `script` for `callcoach check`.
    pub input: String,
    /// `call` or `voicemail`, and whether callcoach told which from the words.
    pub mode: String,
    pub mode_detected: bool,
    /// `null` for a typed script (`callcoach check`), as every time in its report.
    pub duration_s: Option<f64>,
    pub speech_s: Option<f64>,
    pub transcript: String,
    pub words: Vec<Word>,
    pub elements: Vec<Element>,
    pub brevity: Brevity,
    pub score: u32,
    pub delivery: Delivery,
    /// What the profile adds: `null` when judged without one.
    pub personal: Option<Personal>,
    /// `rules and model`, or `rules` with `judge_note` saying why the model did not judge.
    pub judge: String,
    pub judge_note: Option<String>,
    /// Why the take was not scored; `null` for a rehearsal.
    pub not_a_rehearsal: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Personal {
    pub left_out: Vec<String>,
    pub call_window: Option<CallWindow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallWindow {
    pub interview_at: String,
    pub closes_at: String,
    pub hours_left: f64,
    pub message: String,
}

/// How it was said: `null` for what a typed script cannot show.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    pub score: u32,
    pub checks: Vec<DeliveryCheck>,
    pub fillers: Fillers,
    pub hedges: Vec<Moment>,
    pub pace: Option<Pace>,
    pub pauses: Option<Pauses>,
    pub noise: Option<Noise>,
    pub voice: Option<Voice>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryCheck {
    pub id: String,
    pub label: String,
    pub ok: bool,
    pub near_aim: bool,
    pub weight: u32,
    pub observed: String,
    pub measured: String,
    pub tip: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Moment {
    pub text: String,
    pub start_s: Option<f64>,
    pub end_s: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fillers {
    pub at_least: usize,
    pub per_minute: Option<f64>,
    pub heard: Vec<Filler>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filler {
    pub text: String,
    pub start_s: Option<f64>,
    pub end_s: Option<f64>,
    /// `transcript` or `audio`.
    pub found_by: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pace {
    pub words_per_minute: f64,
    pub speaking_s: f64,
    pub fast: Vec<Stretch>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stretch {
    pub start_s: f64,
    pub end_s: f64,
    pub words_per_minute: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pauses {
    pub pauses: Vec<Gap>,
    pub dead_air: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gap {
    pub start_s: f64,
    pub end_s: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Noise {
    pub noise_floor_dbfs: f64,
    pub speech_level_dbfs: f64,
    pub speech_to_noise_db: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Voice {
    pub pitch_variation_semitones: Option<f64>,
    pub sentences: usize,
    pub trailing_off: usize,
}

impl Delivery {
    pub fn check(&self, id: &str) -> &DeliveryCheck {
        self.checks.iter().find(|c| c.id == id).unwrap_or_else(|| panic!("no {id} check"))
    }
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
    /// `rules` or `model`: which judge decided.
    pub decided_by: String,
    /// How sure the meaning model is (0.5–1); `null` where it had no say.
    pub confidence: Option<f64>,
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
