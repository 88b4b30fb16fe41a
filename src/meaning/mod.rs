//! The meaning layer: a second judge beside the checklist's phrase rules, which reads each
//! sentence (or, in a transcript without punctuation, each window of words) as a sentence
//! embedding and asks a small trained head per element whether it carries that element.
//!
//! The rules stay the fast, explainable first pass. The model adds an element the rules
//! missed when one sentence clearly carries it, and vetoes a rule's tick when the sentence the
//! rule matched clearly does not ("when you hear the bell, come quickly" is no question about
//! the hiring decision). Evidence stays a quoted span of the take's own words.
//!
//! The heads (`heads.json` beside this module) are one shared hidden layer over the
//! embedding with a logistic output per element, trained by `examples/train_meaning.rs` on
//! the labelled corpora in tests/corpus/labelled/; the held-back corpus in
//! tests/corpus/held-back/ is never trained or tuned on.

mod embed;
pub mod install;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;

use serde::{Deserialize, Serialize};

use crate::checklist::pattern::ends_sentence;

pub use embed::{EmbedError, Embedder, CONFIG, TOKENIZER, WEIGHTS};

/// The trained heads the build carries.
pub const HEADS: &str = include_str!("heads.json");

/// The model the built-in heads were trained on, and the folder name it is installed under.
pub const DEFAULT_MODEL: &str = "all-MiniLM-L6-v2";

/// A sentence longer than this many words is read in pieces: its clauses, packed into
/// units of at most [`LONGEST_PIECE`] words, and a clause longer than that (a run-on
/// transcript without punctuation) in overlapping windows of [`WINDOW_WORDS`].
const LONGEST_SENTENCE: usize = 24;
const LONGEST_PIECE: usize = 16;
const WINDOW_WORDS: usize = 14;
const WINDOW_STEP: usize = 7;

/// Where the meaning model is installed: `meaning/NAME` beside the Whisper models.
pub fn model_dir(models_dir: &Path, name: &str) -> PathBuf {
    models_dir.join("meaning").join(name)
}

/// A stretch of the take the model reads as one: a sentence, or a window of a long one.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// The first and last word, as indices into the take's words.
    pub first: usize,
    pub last: usize,
    pub text: String,
}

/// Cuts a take's words into sentences at sentence punctuation and line ends, and long
/// sentences into clauses and windows. `words` gives each word and whether it ends a line.
pub fn units(words: &[(&str, bool)]) -> Vec<Unit> {
    let ends_clause =
        |word: &str| word.ends_with([',', ';', ':']) || matches!(word, "—" | "–" | "-");
    let mut sentences = Vec::new();
    let mut start = 0;
    for (i, (word, line_end)) in words.iter().enumerate() {
        if *line_end || ends_sentence(word) || i + 1 == words.len() {
            sentences.push((start, i));
            start = i + 1;
        }
    }
    let unit = |first: usize, last: usize| Unit {
        first,
        last,
        text: words[first..=last].iter().map(|(w, _)| *w).collect::<Vec<_>>().join(" "),
    };
    let mut units = Vec::new();
    for (first, last) in sentences {
        if last + 1 - first <= LONGEST_SENTENCE {
            units.push(unit(first, last));
            continue;
        }
        // Clauses, packed while they fit in one piece.
        let mut pieces: Vec<(usize, usize)> = Vec::new();
        let mut clause_start = first;
        for (i, (word, _)) in words.iter().enumerate().take(last + 1).skip(first) {
            if i == last || ends_clause(word) {
                match pieces.last_mut() {
                    Some(piece) if i + 1 - piece.0 <= LONGEST_PIECE => piece.1 = i,
                    _ => pieces.push((clause_start, i)),
                }
                clause_start = i + 1;
            }
        }
        for (piece_first, piece_last) in pieces {
            if piece_last + 1 - piece_first <= LONGEST_PIECE {
                units.push(unit(piece_first, piece_last));
                continue;
            }
            let mut window = piece_first;
            loop {
                let end = (window + WINDOW_WORDS - 1).min(piece_last);
                units.push(unit(window, end));
                if end == piece_last {
                    break;
                }
                window += WINDOW_STEP;
            }
        }
    }
    units
}

/// One element's head: a logistic regression over features of a unit (the shared hidden
/// layer's output for an element, the embedding itself for the rehearsal head), and the
/// probabilities at which it adds an element the rules missed and vetoes one the rules
/// ticked.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Head {
    pub weights: Vec<f32>,
    pub bias: f32,
    /// A unit this likely to carry the element adds it; above 1, the head never adds.
    pub add_at: f32,
    /// A rule's tick whose every unit is less likely than this is vetoed; 0 never vetoes.
    pub veto_below: f32,
}

impl Head {
    pub fn probability(&self, features: &[f32]) -> f32 {
        let z: f32 = self.weights.iter().zip(features).map(|(w, x)| w * x).sum::<f32>() + self.bias;
        1.0 / (1.0 + (-z).exp())
    }
}

/// A fully connected layer with a ReLU: what the element heads share, so that what one
/// element's examples teach about how calls are phrased helps the others.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hidden {
    /// One row of input weights per hidden unit.
    pub weights: Vec<Vec<f32>>,
    pub bias: Vec<f32>,
}

impl Hidden {
    pub fn forward(&self, input: &[f32]) -> Vec<f32> {
        self.weights
            .iter()
            .zip(&self.bias)
            .map(|(row, b)| (row.iter().zip(input).map(|(w, x)| w * x).sum::<f32>() + b).max(0.0))
            .collect()
    }
}

/// The trained heads: one per element the model judges over a shared hidden layer, and one
/// over the whole take that tells a thank-you call or voicemail from anything else.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Heads {
    /// The embedding model they were trained on, and its embeddings' length.
    pub model: String,
    pub dimension: usize,
    pub hidden: Hidden,
    pub elements: BTreeMap<String, Head>,
    /// Reads the mean of a take's unit embeddings; `add_at` is the least probability that
    /// counts the take as a rehearsal.
    pub rehearsal: Head,
}

impl Heads {
    pub fn builtin() -> Heads {
        serde_json::from_str(HEADS).expect("the built-in heads.json is valid")
    }
}

/// The embedding model and the heads, loaded together.
pub struct Meaning {
    embedder: Embedder,
    pub heads: Heads,
}

impl std::fmt::Debug for Meaning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Meaning").field("model", &self.heads.model).finish()
    }
}

impl Meaning {
    /// Loads the model in `dir` with the built-in heads.
    pub fn load(dir: &Path) -> Result<Self, EmbedError> {
        let embedder = Embedder::load(dir)?;
        let heads = Heads::builtin();
        if embedder.dimension != heads.dimension {
            return Err(EmbedError::Unreadable {
                dir: dir.to_path_buf(),
                what: "weights",
                reason: format!(
                    "its embeddings have {} values, and callcoach's judgement was trained on \
                     {} ({})",
                    embedder.dimension, heads.dimension, heads.model
                ),
            });
        }
        Ok(Meaning { embedder, heads })
    }

    /// Reads a take: cuts it into units and embeds each.
    pub fn read(&self, words: &[(&str, bool)]) -> Result<Reading<'_>, EmbedError> {
        let units = units(words);
        let texts: Vec<&str> = units.iter().map(|u| u.text.as_str()).collect();
        let embeddings = self.embedder.embed(&texts)?;
        let features = embeddings.iter().map(|e| self.heads.hidden.forward(e)).collect();
        Ok(Reading { heads: &self.heads, units, embeddings, features })
    }
}

/// The meaning model as the checklist holds it: loaded already, or loading on a thread of
/// its own while the take is decoded and transcribed (about 130 ms on two cores, which
/// `analyze` and `record` need not wait for). The first reader waits for the load.
pub struct MeaningModel {
    loaded: OnceLock<Result<Meaning, String>>,
    loading: Mutex<Option<JoinHandle<Result<Meaning, EmbedError>>>>,
}

impl MeaningModel {
    /// Starts loading the model in `dir` on its own thread. The folder's files are checked
    /// first, so a model that is not there is an error at once.
    pub fn load_in_background(dir: &Path) -> Result<Self, EmbedError> {
        Embedder::check_files(dir)?;
        let dir = dir.to_path_buf();
        let loading = std::thread::spawn(move || Meaning::load(&dir));
        Ok(Self { loaded: OnceLock::new(), loading: Mutex::new(Some(loading)) })
    }

    /// The model, waiting for it where it is still loading; `Err` says why it could not be
    /// loaded.
    pub fn get(&self) -> Result<&Meaning, &str> {
        self.loaded
            .get_or_init(|| {
                let loading = self.loading.lock().unwrap_or_else(|p| p.into_inner()).take();
                match loading.map(JoinHandle::join) {
                    Some(Ok(loaded)) => loaded.map_err(|e| e.to_string()),
                    Some(Err(_)) => Err("the meaning model failed while loading".to_string()),
                    None => Err("the meaning model's load was lost".to_string()),
                }
            })
            .as_ref()
            .map_err(String::as_str)
    }
}

impl From<Meaning> for MeaningModel {
    fn from(meaning: Meaning) -> Self {
        Self { loaded: OnceLock::from(Ok(meaning)), loading: Mutex::new(None) }
    }
}

impl std::fmt::Debug for MeaningModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeaningModel").field("loaded", &self.loaded.get().is_some()).finish()
    }
}

/// A take as the model read it.
pub struct Reading<'a> {
    heads: &'a Heads,
    pub units: Vec<Unit>,
    embeddings: Vec<Vec<f32>>,
    /// Each unit's hidden-layer output, which the element heads read.
    features: Vec<Vec<f32>>,
}

impl Reading<'_> {
    pub fn head(&self, element: &str) -> Option<&Head> {
        self.heads.elements.get(element)
    }

    /// The unit most likely to carry `element`, and how likely, among the units `allowed`
    /// lets through; `None` without a head or such units.
    pub fn best(&self, element: &str, allowed: impl Fn(&Unit) -> bool) -> Option<(&Unit, f32)> {
        let head = self.head(element)?;
        self.units
            .iter()
            .zip(&self.features)
            .filter(|(unit, _)| allowed(unit))
            .map(|(unit, features)| (unit, head.probability(features)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// How likely the words starting at `first` carry `element`: the most likely unit that
    /// holds that word.
    pub fn at(&self, element: &str, first: usize) -> Option<f32> {
        let head = self.head(element)?;
        self.units
            .iter()
            .zip(&self.features)
            .filter(|(unit, _)| unit.first <= first && first <= unit.last)
            .map(|(_, features)| head.probability(features))
            .max_by(f32::total_cmp)
    }

    /// Whether the take, read as a whole, is about something other than a thank-you call or
    /// voicemail.
    pub fn about_something_else(&self) -> bool {
        let rehearsal = &self.heads.rehearsal;
        self.embeddings.is_empty()
            || rehearsal.probability(&mean(&self.embeddings)) < rehearsal.add_at
    }
}

/// The element-wise mean of equal-length vectors.
pub fn mean(vectors: &[Vec<f32>]) -> Vec<f32> {
    let mut sum = vec![0.0; vectors.first().map_or(0, Vec::len)];
    for vector in vectors {
        for (s, x) in sum.iter_mut().zip(vector) {
            *s += x;
        }
    }
    let n = vectors.len().max(1) as f32;
    sum.iter().map(|s| s / n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<(&str, bool)> {
        text.split_whitespace().map(|w| (w, false)).collect()
    }

    #[test]
    fn sentences_are_units_and_long_ones_are_windows() {
        let said = words(
            "Hi, this is Sam. Thanks for yesterday! When will you decide? Mrs. Reddy can vouch.",
        );
        let texts: Vec<String> = units(&said).into_iter().map(|u| u.text).collect();
        assert_eq!(
            texts,
            [
                "Hi, this is Sam.",
                "Thanks for yesterday!",
                "When will you decide?",
                "Mrs. Reddy can vouch."
            ]
        );

        let long =
            "I worked the front desk at a busy hotel for five years, so I know check-in rushes, \
                    and if you like, my old manager will happily take your call about it, any day.";
        let texts: Vec<String> = units(&words(long)).into_iter().map(|u| u.text).collect();
        assert_eq!(
            texts,
            [
                "I worked the front desk at a busy hotel for five years,",
                "so I know check-in rushes, and if you like,",
                "my old manager will happily take your call about it, any day."
            ]
        );

        let run_on: Vec<String> = (0..40).map(|i| format!("w{i}")).collect();
        let said: Vec<(&str, bool)> = run_on.iter().map(|w| (w.as_str(), false)).collect();
        let windows = units(&said);
        assert_eq!(windows.first().map(|u| (u.first, u.last)), Some((0, 13)));
        assert_eq!(windows.last().map(|u| u.last), Some(39));
        assert!(windows.windows(2).all(|pair| pair[1].first == pair[0].first + WINDOW_STEP));
    }
}
