//! The checklist a rehearsal is judged against: the elements of a good thank-you call, the
//! phrases that show each one was said, their weights and tips, and the brevity target.
//!
//! It is data, not code: a built-in TOML file (`default.toml` beside this module) that a
//! user can replace with their own (`--checklist FILE`). The phrase language is in
//! [`pattern`].

pub mod pattern;

use std::path::Path;

use serde::Deserialize;

pub use pattern::{Pattern, PatternError};

/// The built-in checklist's text.
pub const BUILTIN: &str = include_str!("default.toml");

/// The only checklist file format version this build reads.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone)]
pub struct Checklist {
    pub brevity: BrevityTarget,
    pub elements: Vec<Element>,
}

/// How long the call's own talk should be, and what to say when it is not.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
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
    pub phrases: Vec<Pattern>,
}

#[derive(Debug, thiserror::Error)]
pub enum ChecklistError {
    #[error("{origin}: cannot read it: {source}")]
    Unreadable { origin: String, source: std::io::Error },
    #[error("{origin}: {message}")]
    Malformed { origin: String, message: String },
    #[error("{origin}: checklist format version {found} is not supported (this callcoach reads version {FORMAT_VERSION})")]
    Version { origin: String, found: u32 },
    #[error("{origin}: element \"{element}\": {source}")]
    Pattern { origin: String, element: String, source: PatternError },
    #[error("{origin}: {message}")]
    Invalid { origin: String, message: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChecklistFile {
    version: u32,
    brevity: BrevityTarget,
    elements: Vec<ElementFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ElementFile {
    id: String,
    label: String,
    weight: u32,
    tip: String,
    phrases: Vec<String>,
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

    /// Parses a checklist file's text; `origin` names it in errors. Malformed TOML is reported
    /// with its line and column.
    pub fn parse(text: &str, origin: &str) -> Result<Self, ChecklistError> {
        let origin = origin.to_string();
        let file: ChecklistFile = toml::from_str(text).map_err(|e| ChecklistError::Malformed {
            origin: origin.clone(),
            message: describe_toml_error(text, &e),
        })?;
        if file.version != FORMAT_VERSION {
            return Err(ChecklistError::Version { origin, found: file.version });
        }
        let invalid = |message: String| ChecklistError::Invalid { origin: origin.clone(), message };
        let b = &file.brevity;
        if !(b.min_s >= 0.0 && b.max_s > b.min_s) {
            return Err(invalid(format!(
                "brevity: min_s ({}) must be at least 0 and below max_s ({})",
                b.min_s, b.max_s
            )));
        }
        if file.elements.is_empty() {
            return Err(invalid("the checklist has no elements".to_string()));
        }
        let mut elements: Vec<Element> = Vec::with_capacity(file.elements.len());
        for e in file.elements {
            if elements.iter().any(|seen| seen.id == e.id) {
                return Err(invalid(format!("element id \"{}\" appears twice", e.id)));
            }
            if e.phrases.is_empty() {
                return Err(invalid(format!("element \"{}\" has no phrases", e.id)));
            }
            let phrases = e
                .phrases
                .iter()
                .map(|p| Pattern::parse(p))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|source| ChecklistError::Pattern {
                    origin: origin.clone(),
                    element: e.id.clone(),
                    source,
                })?;
            elements.push(Element {
                id: e.id,
                label: e.label,
                weight: e.weight,
                tip: e.tip,
                phrases,
            });
        }
        let total: u32 = elements.iter().map(|e| e.weight).sum::<u32>() + b.weight;
        if total == 0 {
            return Err(invalid("all weights are 0, so no score can be given".to_string()));
        }
        Ok(Self { brevity: file.brevity, elements })
    }
}

/// toml's message, led by "line L, column C" where the error has a place.
fn describe_toml_error(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim().to_string();
    match error.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let err = Checklist::parse(&broken, "mine.toml").unwrap_err().to_string();
        let line = BUILTIN.lines().position(|l| l == "weight = 20").unwrap() + 1;
        assert!(err.starts_with(&format!("mine.toml: line {line}, column 10")), "{err}");
    }

    #[test]
    fn rejects_bad_content_with_a_reason() {
        let cases = [
            (BUILTIN.replacen("version = 1", "version = 2", 1), "version 2"),
            (BUILTIN.replacen("id = \"job_title\"", "id = \"thanks\"", 1), "appears twice"),
            (
                BUILTIN.replacen(
                    "\"(calling|call|wanted) to thank\",",
                    "\"(calling|call wanted) to thank\",",
                    1,
                ),
                "\"thanks\"",
            ),
            (BUILTIN.replacen("min_s = 30", "min_s = 300", 1), "min_s"),
            (BUILTIN.replacen("label = \"Said who you are\"", "lable = \"x\"", 1), "unknown field"),
        ];
        for (text, expected) in cases {
            let err = Checklist::parse(&text, "mine.toml").unwrap_err().to_string();
            assert!(err.contains(expected), "{err:?} should mention {expected:?}");
        }
    }
}
