//! The checklist a rehearsal is judged against: the elements of a good thank-you call, the
//! phrases that show each one was said (and the look-alikes that do not), their weights and
//! tips, the brevity target, and the word knowledge the phrases share.
//!
//! It is data, not code: a built-in TOML file (`default.toml` beside this module) that a user
//! can replace with their own (`--checklist FILE`), or extend with a file that says
//! `extends = "builtin"`. The format is documented in the README and in `default.toml`; the
//! phrase language is in [`pattern`].

pub mod pattern;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

pub use pattern::{Lexicon, Match, Pattern, PatternError, Token};

/// The built-in checklist's text.
pub const BUILTIN: &str = include_str!("default.toml");

/// The only checklist file format version this build reads.
pub const FORMAT_VERSION: u32 = 1;

/// What `extends` names to start from the built-in checklist.
const BUILTIN_NAME: &str = "builtin";

#[derive(Debug, Clone)]
pub struct Checklist {
    pub brevity: BrevityTarget,
    pub elements: Vec<Element>,
    /// Spellings, word classes and not-names, shared by every element's patterns.
    pub lexicon: Lexicon,
}

/// How long the call's own talk should be, and what to say when it is not.
#[derive(Debug, Clone, PartialEq)]
pub struct BrevityTarget {
    pub min_s: f64,
    pub max_s: f64,
    pub weight: u32,
    pub tip_long: String,
    pub tip_short: String,
}

/// One thing a good call does, such as thanking the interviewer.
#[derive(Debug, Clone)]
pub struct Element {
    /// Stable identifier, part of the JSON contract (`thanks`, `job_title`, …).
    pub id: String,
    pub label: String,
    pub weight: u32,
    pub tip: String,
    /// Any one of these shows the element was said…
    pub phrases: Vec<Pattern>,
    /// …unless one of these matches words it matched ("thanks to my manager").
    pub unless: Vec<Pattern>,
}

impl Element {
    /// The first place the element was said: the earliest match of any phrase that no
    /// `unless` pattern overlaps.
    pub fn find(&self, tokens: &[Token]) -> Option<Match> {
        let vetoed: Vec<Match> = self.unless.iter().flat_map(|p| p.find_all(tokens)).collect();
        self.phrases
            .iter()
            .filter_map(|p| {
                p.find_all(tokens).into_iter().find(|m| !vetoed.iter().any(|v| v.overlaps(m)))
            })
            .min_by_key(|m| (m.start, m.end))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ChecklistError {
    #[error("{origin}: cannot read it: {source}")]
    Unreadable { origin: String, source: std::io::Error },
    /// Bad TOML or bad content; `message` leads with the line where there is one.
    #[error("{origin}: {message}")]
    Malformed { origin: String, message: String },
    #[error("{origin}: checklist format version {found} is not supported (this callcoach reads version {FORMAT_VERSION})")]
    Version { origin: String, found: u32 },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChecklistFile {
    version: u32,
    extends: Option<Spanned<String>>,
    brevity: Option<Spanned<BrevityFile>>,
    #[serde(default)]
    words: WordsFile,
    #[serde(default)]
    elements: Vec<ElementFile>,
}

/// Every field is optional so that an extending file can change only some of them; a file
/// that extends nothing must give them all.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BrevityFile {
    min_s: Option<f64>,
    max_s: Option<f64>,
    weight: Option<u32>,
    tip_long: Option<String>,
    tip_short: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct WordsFile {
    #[serde(default)]
    spellings: BTreeMap<String, Vec<Spanned<String>>>,
    #[serde(default)]
    classes: BTreeMap<String, Vec<Spanned<String>>>,
    #[serde(default)]
    not_names: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ElementFile {
    id: Spanned<String>,
    label: Option<String>,
    weight: Option<u32>,
    tip: Option<String>,
    #[serde(default)]
    phrases: Vec<Spanned<String>>,
    #[serde(default)]
    unless: Vec<Spanned<String>>,
}

/// One checklist file's text and what it says; an extending file is read over the built-in one.
struct Layer<'a> {
    origin: &'a str,
    text: &'a str,
    file: ChecklistFile,
}

impl Layer<'_> {
    fn read<'a>(text: &'a str, origin: &'a str) -> Result<Layer<'a>, ChecklistError> {
        let file: ChecklistFile = toml::from_str(text).map_err(|e| ChecklistError::Malformed {
            origin: origin.to_string(),
            message: describe_toml_error(text, &e),
        })?;
        if file.version != FORMAT_VERSION {
            return Err(ChecklistError::Version {
                origin: origin.to_string(),
                found: file.version,
            });
        }
        Ok(Layer { origin, text, file })
    }

    /// An error about something at `span` in this file.
    fn error_at(&self, span: std::ops::Range<usize>, message: impl fmt::Display) -> ChecklistError {
        let (line, _) = line_and_column(self.text, span.start);
        ChecklistError::Malformed {
            origin: self.origin.to_string(),
            message: format!("line {line}: {message}"),
        }
    }

    fn error(&self, message: impl fmt::Display) -> ChecklistError {
        ChecklistError::Malformed { origin: self.origin.to_string(), message: message.to_string() }
    }
}

/// An element while the layers are read: what is known so far, and where it was written.
struct Draft<'a> {
    id: String,
    /// Where its id was last written, for errors about the element as a whole.
    layer: usize,
    span: std::ops::Range<usize>,
    label: Option<String>,
    weight: Option<u32>,
    tip: Option<String>,
    phrases: Vec<(usize, &'a Spanned<String>)>,
    unless: Vec<(usize, &'a Spanned<String>)>,
}

impl Checklist {
    pub fn builtin() -> Self {
        Self::parse(BUILTIN, "built-in checklist").expect("the built-in checklist is valid")
    }

    pub fn load(path: &Path) -> Result<Self, ChecklistError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|source| ChecklistError::Unreadable { origin: origin.clone(), source })?;
        Self::parse(&text, &origin)
    }

    /// Parses a checklist file's text; `origin` names it in errors, which lead with the line
    /// they are about.
    pub fn parse(text: &str, origin: &str) -> Result<Self, ChecklistError> {
        let layer = Layer::read(text, origin)?;
        let layers = match &layer.file.extends {
            None => vec![layer],
            Some(base) if base.get_ref() == BUILTIN_NAME => {
                vec![Layer::read(BUILTIN, "built-in checklist")?, layer]
            }
            Some(base) => {
                return Err(layer.error_at(
                    base.span(),
                    format!(
                        "extends = \"{}\": only \"{BUILTIN_NAME}\" can be extended",
                        base.get_ref()
                    ),
                ))
            }
        };
        Self::compile(&layers)
    }

    /// Reads the layers in order, later ones adding to and overriding earlier ones.
    fn compile(layers: &[Layer]) -> Result<Self, ChecklistError> {
        let last = layers.last().expect("at least one layer");
        let lexicon = Self::lexicon(layers)?;
        let brevity = Self::brevity(layers)?;

        let mut drafts: Vec<Draft> = Vec::new();
        for (n, layer) in layers.iter().enumerate() {
            let mut seen: Vec<&str> = Vec::new();
            for e in &layer.file.elements {
                let id = e.id.get_ref();
                if seen.contains(&id.as_str()) {
                    return Err(
                        layer.error_at(e.id.span(), format!("element id \"{id}\" appears twice"))
                    );
                }
                seen.push(id);
                let index = match drafts.iter().position(|d| &d.id == id) {
                    Some(index) => index,
                    None => {
                        drafts.push(Draft {
                            id: id.clone(),
                            layer: n,
                            span: e.id.span(),
                            label: None,
                            weight: None,
                            tip: None,
                            phrases: Vec::new(),
                            unless: Vec::new(),
                        });
                        drafts.len() - 1
                    }
                };
                let draft = &mut drafts[index];
                (draft.layer, draft.span) = (n, e.id.span());
                draft.label = e.label.clone().or(draft.label.take());
                draft.weight = e.weight.or(draft.weight);
                draft.tip = e.tip.clone().or(draft.tip.take());
                draft.phrases.extend(e.phrases.iter().map(|p| (n, p)));
                draft.unless.extend(e.unless.iter().map(|p| (n, p)));
            }
        }
        if drafts.is_empty() {
            return Err(last.error("the checklist has no elements"));
        }

        let mut elements = Vec::with_capacity(drafts.len());
        for draft in drafts {
            let layer = &layers[draft.layer];
            let missing =
                |field: &str| layer.error_at(draft.span.clone(), missing_field(&draft.id, field));
            let label = draft.label.ok_or_else(|| missing("label"))?;
            let weight = draft.weight.ok_or_else(|| missing("weight"))?;
            let tip = draft.tip.ok_or_else(|| missing("tip"))?;
            if draft.phrases.is_empty() {
                return Err(missing("phrases"));
            }
            let compile = |patterns: &[(usize, &Spanned<String>)]| {
                patterns
                    .iter()
                    .map(|(n, p)| {
                        Pattern::parse(p.get_ref(), &lexicon).map_err(|e| {
                            layers[*n].error_at(p.span(), format!("element \"{}\": {e}", draft.id))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
            };
            let phrases = compile(&draft.phrases)?;
            let unless = compile(&draft.unless)?;
            elements.push(Element { id: draft.id, label, weight, tip, phrases, unless });
        }
        let total: u32 = elements.iter().map(|e| e.weight).sum::<u32>() + brevity.weight;
        if total == 0 {
            return Err(last.error("all weights are 0, so no score can be given"));
        }
        Ok(Self { brevity, elements, lexicon })
    }

    fn lexicon(layers: &[Layer]) -> Result<Lexicon, ChecklistError> {
        let mut lexicon = Lexicon::default();
        for layer in layers {
            let located =
                |word: &Spanned<String>, e: PatternError| layer.error_at(word.span(), e.message);
            let words = &layer.file.words;
            for (canonical, variants) in &words.spellings {
                for variant in variants {
                    lexicon
                        .add_spelling(canonical, variant.get_ref())
                        .map_err(|e| located(variant, e))?;
                }
            }
            for (class, members) in &words.classes {
                for member in members {
                    lexicon
                        .add_to_class(class, member.get_ref())
                        .map_err(|e| located(member, e))?;
                }
            }
            for word in &words.not_names {
                lexicon.add_not_name(word.get_ref()).map_err(|e| located(word, e))?;
            }
        }
        Ok(lexicon)
    }

    fn brevity(layers: &[Layer]) -> Result<BrevityTarget, ChecklistError> {
        let (mut min_s, mut max_s, mut weight, mut tip_long, mut tip_short) =
            (None, None, None, None, None);
        let mut place = None;
        for (n, layer) in layers.iter().enumerate() {
            if let Some(b) = &layer.file.brevity {
                place = Some((n, b.span()));
                let b = b.get_ref();
                min_s = b.min_s.or(min_s);
                max_s = b.max_s.or(max_s);
                weight = b.weight.or(weight);
                tip_long = b.tip_long.clone().or(tip_long);
                tip_short = b.tip_short.clone().or(tip_short);
            }
        }
        let Some((n, span)) = place else {
            return Err(layers[0].error("the checklist has no [brevity] table"));
        };
        let error = |message: String| layers[n].error_at(span.clone(), message);
        let missing = |field: &str| error(format!("[brevity] has no {field}"));
        let target = BrevityTarget {
            min_s: min_s.ok_or_else(|| missing("min_s"))?,
            max_s: max_s.ok_or_else(|| missing("max_s"))?,
            weight: weight.ok_or_else(|| missing("weight"))?,
            tip_long: tip_long.ok_or_else(|| missing("tip_long"))?,
            tip_short: tip_short.ok_or_else(|| missing("tip_short"))?,
        };
        if !(target.min_s >= 0.0 && target.max_s > target.min_s) {
            return Err(error(format!(
                "brevity: min_s ({}) must be at least 0 and below max_s ({})",
                target.min_s, target.max_s
            )));
        }
        Ok(target)
    }
}

fn missing_field(id: &str, field: &str) -> String {
    format!("element \"{id}\" has no {field}")
}

/// The 1-based line and column of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

/// toml's message, led by "line L, column C" where the error has a place.
fn describe_toml_error(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim().to_string();
    match error.span() {
        Some(span) => {
            let (line, column) = line_and_column(text, span.start);
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error a checklist file called mine.toml gets.
    fn refusal(text: &str) -> String {
        match Checklist::parse(text, "mine.toml") {
            Ok(_) => panic!("accepted:\n{text}"),
            Err(e) => e.to_string(),
        }
    }

    fn line_of(text: &str, needle: &str) -> usize {
        text.lines().position(|l| l.contains(needle)).unwrap() + 1
    }

    #[test]
    fn the_builtin_checklist_has_the_contract_ids() {
        let checklist = Checklist::builtin();
        let ids: Vec<&str> = checklist.elements.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "thanks",
                "job_title",
                "qualifications",
                "offer_info",
                "decision_timeline",
                "caller_name"
            ]
        );
        let total: u32 =
            checklist.elements.iter().map(|e| e.weight).sum::<u32>() + checklist.brevity.weight;
        assert_eq!(total, 100);
    }

    #[test]
    fn malformed_files_name_the_line_and_column() {
        let broken = BUILTIN.replacen("weight = 20", "weight = twenty", 1);
        let err = refusal(&broken);
        let line = line_of(BUILTIN, "weight = 20");
        assert!(err.starts_with(&format!("mine.toml: line {line}, column 10")), "{err}");
    }

    #[test]
    fn rejects_bad_content_with_the_line_and_a_reason() {
        let bad_pattern = "\"(calling|call|wanted|want|like) to thank\"";
        let cases = [
            (BUILTIN.replacen("\nversion = 1\n", "\nversion = 2\n", 1), "version 2", None),
            (
                BUILTIN.replacen("id = \"job_title\"", "id = \"thanks\"", 1),
                "element id \"thanks\" appears twice",
                Some("id = \"job_title\""),
            ),
            (
                BUILTIN.replacen(bad_pattern, "\"(calling|call|wanted to thank\"", 1),
                "element \"thanks\": \"(calling|call|wanted\" opens ( without closing it",
                Some(bad_pattern),
            ),
            (
                BUILTIN.replacen(bad_pattern, "\"{nothing} to thank\"", 1),
                "no word class \"nothing\"",
                Some(bad_pattern),
            ),
            (BUILTIN.replacen("min_s = 30", "min_s = 300", 1), "min_s (300)", Some("[brevity]")),
            (
                BUILTIN.replacen("label = \"Said who you are\"", "lable = \"x\"", 1),
                "unknown field",
                Some("label = \"Said who you are\""),
            ),
            (
                BUILTIN.replacen("label = \"Said who you are\"", "", 1),
                "element \"caller_name\" has no label",
                Some("id = \"caller_name\""),
            ),
        ];
        for (text, expected, line_of_fault) in cases {
            let err = refusal(&text);
            assert!(err.contains(expected), "{err:?} should mention {expected:?}");
            if let Some(needle) = line_of_fault {
                let line = line_of(BUILTIN, needle);
                assert!(err.starts_with(&format!("mine.toml: line {line}")), "{err:?}: {line}");
            }
        }
    }

    const EXTENSION: &str = r#"
version = 1
extends = "builtin"

[brevity]
max_s = 90

[words]
spellings = { thanks = ["cheers"] }

[[elements]]
id = "thanks"
weight = 25
phrases = ["thanks for the chinwag"]

[[elements]]
id = "enthusiasm"
label = "Said you still want the job"
weight = 5
tip = "Say that you are still keen on the job."
phrases = ["still (keen|interested|excited)"]
"#;

    #[test]
    fn an_extending_file_adds_to_and_overrides_the_builtin_one() {
        let checklist = Checklist::parse(EXTENSION, "mine.toml").unwrap();
        let builtin = Checklist::builtin();
        assert_eq!(checklist.brevity.max_s, 90.0);
        assert_eq!(checklist.brevity.min_s, builtin.brevity.min_s);
        let ids: Vec<&str> = checklist.elements.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids.len(), builtin.elements.len() + 1);
        assert_eq!(ids.last(), Some(&"enthusiasm"));
        let thanks = &checklist.elements[0];
        assert_eq!(
            (thanks.weight, thanks.label.as_str()),
            (25, builtin.elements[0].label.as_str())
        );
        assert_eq!(thanks.phrases.len(), builtin.elements[0].phrases.len() + 1);

        let said =
            |text: &str| checklist.lexicon.read(text.split_whitespace().map(|w| (w, false))).0;
        assert!(thanks.find(&said("cheers for the chinwag")).is_some(), "spellings fold");
        assert!(thanks.find(&said("thank you for your time")).is_some(), "builtin phrases stay");
    }

    #[test]
    fn an_extending_file_must_complete_new_elements_and_name_the_builtin() {
        let incomplete = EXTENSION.replace("label = \"Said you still want the job\"\n", "");
        let err = refusal(&incomplete);
        let line = line_of(EXTENSION, "id = \"enthusiasm\"");
        assert_eq!(err, format!("mine.toml: line {line}: element \"enthusiasm\" has no label"));

        let elsewhere = EXTENSION.replace("extends = \"builtin\"", "extends = \"mine.toml\"");
        let err = refusal(&elsewhere);
        assert!(err.contains("line 3: extends = \"mine.toml\": only \"builtin\""), "{err}");
    }

    #[test]
    fn unless_patterns_veto_the_matches_they_overlap() {
        let checklist = Checklist::builtin();
        let thanks = &checklist.elements[0];
        let said =
            |text: &str| checklist.lexicon.read(text.split_whitespace().map(|w| (w, false))).0;
        assert!(thanks.find(&said("thanks to my manager I had the chance to lead")).is_none());
        let both = said("thanks to my manager I had the chance to lead. Thank you for your time.");
        assert_eq!(thanks.find(&both).map(|m| m.start), Some(10), "the second sentence");
    }
}
