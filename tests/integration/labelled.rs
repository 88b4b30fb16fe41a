//! The labelled corpora (tests/corpus/labelled/ to train and tune on, tests/corpus/held-back/
//! to measure generalisation): TOML files of takes, each with the words that carry each
//! element. Read by the judgement tests and by examples/train_meaning.rs, so both read the
//! same labels the same way.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use callcoach::analysis::{analyze_script, Analysis, ModeChoice, Script};
use callcoach::checklist::{Checklist, Mode};
use callcoach::profile::Profile;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Call,
    Voicemail,
    NotRehearsal,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Spans {
    One(String),
    Many(Vec<String>),
}

impl Spans {
    pub fn all(&self) -> Vec<&str> {
        match self {
            Spans::One(span) => vec![span.as_str()],
            Spans::Many(spans) => spans.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Details {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub job_title: Option<String>,
    pub interviewer: Option<String>,
    pub company: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Take {
    pub id: String,
    pub kind: Kind,
    pub style: String,
    pub text: String,
    pub profile: Option<Details>,
    #[serde(default)]
    pub labels: BTreeMap<String, Spans>,
    #[serde(skip)]
    pub set: String,
}

#[derive(Deserialize)]
struct File {
    take: Vec<Take>,
}

/// Every take of every `.toml` file in `dir`, each knowing its file's name as its set.
pub fn load(dir: &Path) -> Vec<Take> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    paths
        .iter()
        .flat_map(|path| {
            let set = path.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(path).unwrap();
            let file: File =
                toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            file.take.into_iter().map(move |mut take| {
                take.set = set.clone();
                take
            })
        })
        .collect()
}

impl Take {
    pub fn mode(&self) -> Option<Mode> {
        match self.kind {
            Kind::Call => Some(Mode::Call),
            Kind::Voicemail => Some(Mode::Voicemail),
            Kind::NotRehearsal => None,
        }
    }

    /// The take's words as a typed script reads them, each with whether it ends a line.
    pub fn words(&self) -> Vec<(String, bool)> {
        Script::new(&self.text).words().map(|(w, end)| (w.to_string(), end)).collect()
    }

    /// The word indices (first, last) each label's spans cover, in the order of
    /// [`Take::words`].
    pub fn spans(&self) -> BTreeMap<String, Vec<(usize, usize)>> {
        // Word i's byte range in the text, found in the same order Script reads them.
        let mut ranges = Vec::new();
        let mut from = 0;
        for (word, _) in self.words() {
            let at = from + self.text[from..].find(&word).expect("a word of the text");
            ranges.push((at, at + word.len()));
            from = at + word.len();
        }
        self.labels
            .iter()
            .map(|(element, spans)| {
                let covered = spans
                    .all()
                    .into_iter()
                    .map(|span| {
                        let start = self.text.find(span).expect("labels are substrings");
                        let end = start + span.len();
                        let inside: Vec<usize> = ranges
                            .iter()
                            .enumerate()
                            .filter(|(_, (s, e))| *s < end && start < *e)
                            .map(|(i, _)| i)
                            .collect();
                        (inside[0], *inside.last().unwrap())
                    })
                    .collect();
                (element.clone(), covered)
            })
            .collect()
    }

    /// The built-in checklist, made personal where the take has a profile.
    pub fn checklist(&self) -> Checklist {
        let checklist = Checklist::builtin();
        match &self.profile {
            None => checklist,
            Some(details) => checklist.with_profile(Profile {
                name: details.name.clone(),
                phone: details.phone.clone(),
                job_title: details.job_title.clone(),
                company: details.company.clone(),
                interviewer: details.interviewer.clone(),
                ..Profile::default()
            }),
        }
    }

    /// The take judged as a typed transcript in the mode it was written as (a call for a
    /// take that is not a rehearsal, as a user who chose nothing would get).
    pub fn judge(&self, checklist: &Checklist) -> Analysis {
        let mode = self.mode().unwrap_or(Mode::Call);
        analyze_script(&Script::new(&self.text), checklist, ModeChoice::Given(mode))
    }
}

/// Per-element counts of takes: ticked and labelled, ticked and not, labelled and not ticked.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub counts: BTreeMap<(Mode, String), [usize; 3]>,
    /// Takes set aside as not a rehearsal: [rightly, wrongly (a real rehearsal), missed].
    pub set_aside: [usize; 3],
    /// The takes set aside wrongly or missed, by id.
    pub set_aside_wrongly: Vec<String>,
}

impl Tally {
    pub fn add(&mut self, take: &Take, analysis: &Analysis) {
        let set_aside = analysis.not_a_rehearsal.is_some();
        match (set_aside, take.kind == Kind::NotRehearsal) {
            (true, true) => self.set_aside[0] += 1,
            (true, false) => {
                self.set_aside[1] += 1;
                self.set_aside_wrongly.push(take.id.clone());
            }
            (false, true) => {
                self.set_aside[2] += 1;
                self.set_aside_wrongly.push(take.id.clone());
            }
            (false, false) => {}
        }
        let Some(mode) = take.mode() else { return };
        for finding in &analysis.findings {
            let labelled = take.labels.contains_key(&finding.id);
            let counts = self.counts.entry((mode, finding.id.clone())).or_default();
            match (finding.found(), labelled) {
                (true, true) => counts[0] += 1,
                (true, false) => counts[1] += 1,
                (false, true) => counts[2] += 1,
                (false, false) => {}
            }
        }
    }

    /// Precision, recall and F1 of one row.
    pub fn scores([tp, fp, fn_]: [usize; 3]) -> (f64, f64, f64) {
        let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
        let (p, r) = (ratio(tp, tp + fp), ratio(tp, tp + fn_));
        let f1 = if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) };
        (p, r, f1)
    }

    pub fn table(&self, title: &str) -> String {
        let mut out = format!(
            "{title}\n{:<10} {:<18} {:>4} {:>4} {:>4} {:>9} {:>6} {:>5}\n",
            "mode", "element", "tp", "fp", "fn", "precision", "recall", "F1"
        );
        for ((mode, id), counts) in &self.counts {
            let (p, r, f1) = Self::scores(*counts);
            out += &format!(
                "{:<10} {:<18} {:>4} {:>4} {:>4} {:>9.2} {:>6.2} {:>5.2}\n",
                mode.name(),
                id,
                counts[0],
                counts[1],
                counts[2],
                p,
                r,
                f1
            );
        }
        let (p, r, f1) = Self::scores(self.set_aside);
        out += &format!(
            "{:<10} {:<18} {:>4} {:>4} {:>4} {:>9.2} {:>6.2} {:>5.2}\n",
            "any",
            "not_a_rehearsal",
            self.set_aside[0],
            self.set_aside[1],
            self.set_aside[2],
            p,
            r,
            f1
        );
        out
    }

    /// The rows whose F1 or precision is under the floors.
    pub fn below(&self, f1_floor: f64, precision_floor: f64) -> Vec<String> {
        self.counts
            .iter()
            .filter_map(|((mode, id), counts)| {
                let (p, _, f1) = Self::scores(*counts);
                (f1 < f1_floor || p < precision_floor)
                    .then(|| format!("{mode} {id}: precision {p:.2}, F1 {f1:.2}"))
            })
            .collect()
    }
}
