//! The small phrase language checklist files are written in, and matching it against
//! what was said.
//!
//! A pattern is a sequence of steps separated by spaces, matched against the spoken words
//! after [`normalize`] (lower case, no punctuation, apostrophes and hyphens dropped):
//!
//! | step | matches |
//! |---|---|
//! | `thank` | that word |
//! | `thank*` | any word starting with "thank" |
//! | `(time\|interview*)` | any one of the alternatives |
//! | `the?`, `(a\|an)?` | the step, or nothing |
//! | `..3` | up to 3 words of anything |
//! | `..1-4` | between 1 and 4 words of anything |
//! | `<name>` | one to three words spoken with a capital letter that are not common words (a person's name) |
//!
//! Example: `thank* ..0-4 (time|interview|meeting)` matches "thank you so much for your time".

use std::fmt;

/// A word as spoken, and the form patterns compare against.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub raw: String,
    pub norm: String,
}

/// Lower case with punctuation, apostrophes and hyphens removed: "You're" → "youre",
/// "co-ordinator" → "coordinator", "time." → "time".
pub fn normalize(word: &str) -> String {
    word.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

pub fn tokens<'a>(words: impl IntoIterator<Item = &'a str>) -> Vec<Token> {
    words
        .into_iter()
        .map(|raw| Token { raw: raw.to_string(), norm: normalize(raw) })
        .filter(|t| !t.norm.is_empty())
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
enum Alternative {
    Exact(String),
    Prefix(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Word { alternatives: Vec<Alternative>, optional: bool },
    Gap { min: usize, max: usize },
    Name,
}

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    source: String,
    steps: Vec<Step>,
}

/// Where a pattern matched: token indices, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} in pattern \"{pattern}\"")]
pub struct PatternError {
    pub pattern: String,
    pub message: String,
}

/// Words so common at the start of a sentence that a capital letter says nothing.
const NOT_NAMES: &[&str] = &[
    "i", "im", "a", "an", "the", "this", "that", "it", "its", "and", "but", "so", "hi", "hello",
    "hey", "thank", "thanks", "yes", "no", "well", "just", "calling", "good", "mr", "mrs", "ms",
    "miss", "dr", "again", "my", "me", "we", "you", "your", "if", "please", "sorry", "okay", "ok",
];

impl Pattern {
    pub fn parse(source: &str) -> Result<Self, PatternError> {
        let fail = |message: String| PatternError { pattern: source.to_string(), message };
        let mut steps = Vec::new();
        for part in source.split_whitespace() {
            if let Some(range) = part.strip_prefix("..") {
                let (min, max) = match range.split_once('-') {
                    Some((min, max)) => (min.parse(), max.parse()),
                    None => (Ok(0), range.parse()),
                };
                match (min, max) {
                    (Ok(min), Ok(max)) if min <= max => steps.push(Step::Gap { min, max }),
                    _ => return Err(fail(format!("\"{part}\" is not a gap like ..3 or ..1-4"))),
                }
                continue;
            }
            if part == "<name>" {
                steps.push(Step::Name);
                continue;
            }
            let (body, optional) = match part.strip_suffix('?') {
                Some(body) => (body, true),
                None => (part, false),
            };
            let body = match body.strip_prefix('(') {
                Some(inner) => inner
                    .strip_suffix(')')
                    .ok_or_else(|| fail(format!("\"{part}\" opens ( without closing it")))?,
                None => body,
            };
            let alternatives = body
                .split('|')
                .map(|alt| {
                    let (word, prefix) = match alt.strip_suffix('*') {
                        Some(word) => (word, true),
                        None => (alt, false),
                    };
                    let norm = normalize(word);
                    let plain =
                        word.chars().all(|c| c.is_alphanumeric() || matches!(c, '\'' | '-'));
                    if norm.is_empty() || !plain {
                        return Err(fail(format!("\"{alt}\" is not a plain word")));
                    }
                    Ok(if prefix { Alternative::Prefix(norm) } else { Alternative::Exact(norm) })
                })
                .collect::<Result<Vec<_>, _>>()?;
            steps.push(Step::Word { alternatives, optional });
        }
        if !steps.iter().any(|s| matches!(s, Step::Word { optional: false, .. } | Step::Name)) {
            return Err(fail("a pattern needs at least one word that must be said".to_string()));
        }
        Ok(Self { source: source.to_string(), steps })
    }

    /// The earliest, then shortest, match in the tokens.
    pub fn find(&self, tokens: &[Token]) -> Option<Match> {
        (0..tokens.len())
            .find_map(|start| self.match_at(tokens, start, 0).map(|end| Match { start, end }))
    }

    /// All non-overlapping matches, left to right.
    pub fn find_all(&self, tokens: &[Token]) -> Vec<Match> {
        let mut found = Vec::new();
        let mut start = 0;
        while start < tokens.len() {
            match self.match_at(tokens, start, 0) {
                Some(end) if end > start => {
                    found.push(Match { start, end });
                    start = end;
                }
                _ => start += 1,
            }
        }
        found
    }

    /// The end of the shortest match of `steps[step..]` starting at `at`.
    fn match_at(&self, tokens: &[Token], at: usize, step: usize) -> Option<usize> {
        let Some(current) = self.steps.get(step) else {
            return Some(at);
        };
        match current {
            Step::Word { alternatives, optional } => {
                let here =
                    tokens.get(at).filter(|t| alternatives.iter().any(|a| a.matches(&t.norm)));
                let taken = here.and_then(|_| self.match_at(tokens, at + 1, step + 1));
                if taken.is_some() || !optional {
                    return taken;
                }
                self.match_at(tokens, at, step + 1)
            }
            Step::Gap { min, max } => (*min..=*max)
                .take_while(|skip| at + skip <= tokens.len())
                .find_map(|skip| self.match_at(tokens, at + skip, step + 1)),
            Step::Name => {
                // A full name is quoted whole: "this is Daniel Brooks", not "this is Daniel".
                let names = tokens[at.min(tokens.len())..]
                    .iter()
                    .take(MAX_NAME_WORDS)
                    .take_while(|t| is_name(t))
                    .count();
                (1..=names).rev().find_map(|n| self.match_at(tokens, at + n, step + 1))
            }
        }
    }
}

/// How many words one `<name>` step can take: first, middle and last name.
const MAX_NAME_WORDS: usize = 3;

fn is_name(token: &Token) -> bool {
    token.raw.chars().next().is_some_and(char::is_uppercase)
        && !NOT_NAMES.contains(&token.norm.as_str())
}

impl Alternative {
    fn matches(&self, word: &str) -> bool {
        match self {
            Alternative::Exact(w) => word == w,
            Alternative::Prefix(p) => word.starts_with(p.as_str()),
        }
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(text: &str) -> Vec<Token> {
        tokens(text.split_whitespace())
    }

    fn matched(pattern: &str, text: &str) -> Option<String> {
        let tokens = said(text);
        let m = Pattern::parse(pattern).unwrap().find(&tokens)?;
        Some(tokens[m.start..m.end].iter().map(|t| t.raw.as_str()).collect::<Vec<_>>().join(" "))
    }

    #[test]
    fn normalizes_case_punctuation_apostrophes_and_hyphens() {
        assert_eq!(normalize("You're"), "youre");
        assert_eq!(normalize("co-ordinator,"), "coordinator");
        assert_eq!(normalize("TIME."), "time");
        assert_eq!(normalize("--"), "");
    }

    #[test]
    fn matches_words_prefixes_alternatives_and_gaps() {
        let p = "thank* ..0-4 (time|interview|meeting)";
        assert_eq!(
            matched(p, "Well, thank you for your time."),
            Some("thank you for your time.".into())
        );
        assert_eq!(matched(p, "thank you so very much for your time"), None, "gap longer than 4");
        assert_eq!(matched(p, "Thanks for the interview"), Some("Thanks for the interview".into()));
        assert_eq!(matched(p, "thank you, have a great day, see you some time"), None);
    }

    #[test]
    fn optional_steps_and_minimum_gaps() {
        assert_eq!(matched("the ..1-3 position", "about the position"), None);
        assert_eq!(
            matched("the ..1-3 position", "for the sales associate position"),
            Some("the sales associate position".into())
        );
        assert_eq!(matched("(a|an)? decision", "a decision"), Some("a decision".into()));
        assert_eq!(matched("make (a|an)? decision", "make decisions"), None);
    }

    #[test]
    fn names_are_capitalised_uncommon_words() {
        assert_eq!(
            matched("this is <name>", "Hi, this is Daniel Brooks."),
            Some("this is Daniel Brooks.".into())
        );
        assert_eq!(matched("this is <name>", "this is the right number"), None);
        assert_eq!(matched("this is <name>", "This is This"), None);
    }

    #[test]
    fn finds_every_match() {
        let tokens = said("thanks for your time and thanks for the interview");
        let all = Pattern::parse("thank* for ..0-1 (time|interview)").unwrap().find_all(&tokens);
        assert_eq!(all, vec![Match { start: 0, end: 4 }, Match { start: 5, end: 9 }]);
    }

    #[test]
    fn rejects_malformed_patterns_with_a_reason() {
        for bad in ["", "..3", "(time|interview", "..x", "..4-1", "thank!", "word?"] {
            assert!(Pattern::parse(bad).is_err(), "{bad:?} should not parse");
        }
    }
}
