//! The small phrase language checklist files are written in, and matching it against
//! what was said.
//!
//! A pattern is a sequence of steps separated by spaces:
//!
//! | step | matches |
//! |---|---|
//! | `thank` | that word |
//! | `thank*` | any word starting with "thank" |
//! | `(time\|interview*)` | any one of the alternatives |
//! | `{title}` | any word of the checklist's word class `title` (also inside alternatives: `(job\|{title})`) |
//! | `!(the\|a)`, `!{generic}` | any one word except these |
//! | `the?`, `(a\|an)?` | the step, or nothing |
//! | `..3` | up to 3 words of anything |
//! | `..1-4` | between 1 and 4 words of anything |
//! | `<name>` | one to three words that can be a person's name |
//! | `<number>` | a number in digits or words: "5", "twenty five", "one point two" |
//! | `<phone>` | a phone number, 7 to 15 digits said as digits or words: "617-555-0142", "six one seven, five five five, oh one four two", "double five" |
//!
//! Example: `thank* ..0-4 (time|interview|meeting)` matches "thank you so much for your time".
//!
//! How words are compared:
//! - Both the spoken words and the pattern's words are normalised: lower case, letters and
//!   digits only ("You're" → "youre", "co-ordinator" → "coordinator", "10%" → "10"), then
//!   folded through the checklist's spellings, so a pattern saying `your` also matches a
//!   transcript saying "you're" when the spellings list it.
//! - A match never runs on past the end of a sentence: a word ending in `.`, `?` or `!`
//!   (but not an abbreviation such as "Mr.") or, in a typed script, the end of a line.
//!   Text without punctuation is one long sentence.
//! - `<name>`: where the text has capital letters, capitalised words; where it has none (some
//!   speech recognition, hurried typing), any words. Either way, words on the checklist's
//!   not-names list ("this", "calling", "monday", …) are never a name.

use std::collections::{HashMap, HashSet};
use std::fmt;

/// A word as said, and what patterns compare against.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub raw: String,
    /// Normalised and folded through the spellings.
    pub norm: String,
    /// The word closes a sentence: no match runs on past it.
    pub ends_sentence: bool,
    /// The word can be (part of) a person's name.
    pub could_be_name: bool,
}

/// Lower case with everything but letters and digits removed: "You're" → "youre",
/// "co-ordinator" → "coordinator", "time." → "time".
pub fn normalize(word: &str) -> String {
    word.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Titles and the like, whose full stop does not end a sentence ("Hi Ms. Carter").
const ABBREVIATIONS: &[&str] = &["mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "vs"];

/// Whether a word as written closes its sentence: a full stop, question or exclamation mark
/// at its end, inside any closing quote or bracket — but not an abbreviation's ("Ms.",
/// "P.M.P.", "U.S.") nor an ellipsis, which is a pause ("555... 402...").
pub(crate) fn ends_sentence(raw: &str) -> bool {
    let closing = raw.trim_end_matches(['"', '\'', ')', '”', '’']);
    let dotted = closing.trim_end_matches('.').contains('.');
    closing.ends_with(['.', '?', '!'])
        && !closing.ends_with("..")
        && !dotted
        && !ABBREVIATIONS.contains(&normalize(raw).as_str())
}

/// The word knowledge every pattern of a checklist shares: spellings folded into one word,
/// word classes, and the words that are never a name.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// A spelling as normalised → the word it stands for.
    spellings: HashMap<String, String>,
    classes: HashMap<String, Vec<String>>,
    not_names: HashSet<String>,
}

impl Lexicon {
    /// `variant` (as "you're") is another way to write `word` (as "your").
    pub fn add_spelling(&mut self, word: &str, variant: &str) -> Result<(), PatternError> {
        let word = plain_word(word)?;
        self.spellings.insert(plain_word(variant)?, word);
        Ok(())
    }

    /// Adds `word` (or `prefix*`) to the word class patterns call `{class}`.
    pub fn add_to_class(&mut self, class: &str, word: &str) -> Result<(), PatternError> {
        plain_word(word.strip_suffix('*').unwrap_or(word))?;
        self.classes.entry(class.to_string()).or_default().push(word.to_string());
        Ok(())
    }

    /// `word` is never (part of) a person's name.
    pub fn add_not_name(&mut self, word: &str) -> Result<(), PatternError> {
        self.not_names.insert(plain_word(word)?);
        Ok(())
    }

    /// The word normalised and folded through the spellings.
    pub fn fold(&self, word: &str) -> String {
        let norm = normalize(word);
        self.spellings.get(&norm).cloned().unwrap_or(norm)
    }

    /// The tokens of what was said, each with the index of the word it came from. A word
    /// that is only punctuation gives none. `line_end` says whether the word ends a line of
    /// typed text, which ends a sentence as a full stop does.
    pub fn read<'a>(
        &self,
        words: impl IntoIterator<Item = (&'a str, bool)>,
    ) -> (Vec<Token>, Vec<usize>) {
        let mut tokens = Vec::new();
        let mut word_of_token = Vec::new();
        for (i, (raw, line_end)) in words.into_iter().enumerate() {
            let norm = self.fold(raw);
            if norm.is_empty() {
                continue;
            }
            let ends_sentence = line_end || ends_sentence(raw);
            tokens.push(Token { raw: raw.to_string(), norm, ends_sentence, could_be_name: false });
            word_of_token.push(i);
        }
        // Capitals tell names apart only in text that has them.
        let cased = tokens.iter().any(|t| t.raw.chars().any(char::is_uppercase));
        for token in &mut tokens {
            let capitalised = token.raw.chars().next().is_some_and(char::is_uppercase);
            // "PMP", "ICU": an abbreviation, not a name.
            let letters = token.raw.chars().filter(|c| c.is_alphabetic());
            let acronym = cased && token.norm.len() > 1 && letters.clone().all(char::is_uppercase);
            // "Tuesday's" is no more a name than "Tuesday".
            let owner = token.raw.trim_end_matches(['s', 'S']).trim_end_matches(['\'', '’']);
            token.could_be_name = (capitalised || !cased)
                && !acronym
                && !self.not_names.contains(&token.norm)
                && !self.not_names.contains(&normalize(owner))
                && !is_number(&token.norm);
        }
        (tokens, word_of_token)
    }
}

/// Sounds that fill a pause inside a phrase ("this is, uh, Priya").
const HESITATIONS: &[&str] =
    &["um", "umm", "uhm", "uh", "uhh", "er", "erm", "ah", "hmm", "hm", "mm"];

/// What was said without its disfluencies, so that a phrase interrupted by them still
/// matches: hesitation sounds, false starts cut off mid-word ("on tues- on Wednesday"), and
/// words or word pairs said twice in a row ("I, I wanted", "for the, for the barista job").
/// Numbers are never collapsed: "five five five" is three digits. Each token kept keeps the
/// index of the word it came from, and a sentence end dropped with a token moves to the one
/// before it.
pub fn fluent(read: (Vec<Token>, Vec<usize>)) -> (Vec<Token>, Vec<usize>) {
    let (tokens, word_of_token) = read;
    let mut kept: Vec<(Token, usize)> = Vec::with_capacity(tokens.len());
    for (token, word) in tokens.into_iter().zip(word_of_token) {
        let cut_off = token.raw.trim_end_matches([',', '.']).ends_with('-');
        if HESITATIONS.contains(&token.norm.as_str()) || cut_off {
            if let Some(last) = kept.last_mut() {
                last.0.ends_sentence |= token.ends_sentence;
            }
            continue;
        }
        kept.push((token, word));
        let n = kept.len();
        let same = |a: usize, b: usize| {
            kept[a].0.norm == kept[b].0.norm && digits_said(&kept[a].0.norm).is_none()
        };
        let open = |i: usize| !kept[i].0.ends_sentence;
        if n >= 2 && same(n - 2, n - 1) && open(n - 2) {
            kept.remove(n - 2);
        } else if n >= 4 && same(n - 4, n - 2) && same(n - 3, n - 1) && open(n - 4) && open(n - 3) {
            kept.drain(n - 4..n - 2);
        }
    }
    kept.into_iter().unzip()
}

/// A pattern word or spelling: normalised, and an error if it is not one plain word.
fn plain_word(word: &str) -> Result<String, PatternError> {
    let norm = normalize(word);
    let plain = word.chars().all(|c| c.is_alphanumeric() || matches!(c, '\'' | '-'));
    if norm.is_empty() || !plain {
        return Err(PatternError {
            pattern: word.to_string(),
            message: format!("\"{word}\" is not a plain word"),
        });
    }
    Ok(norm)
}

#[derive(Debug, Clone, PartialEq)]
enum Alternative {
    Exact(String),
    Prefix(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Word { alternatives: Vec<Alternative>, negated: bool, optional: bool },
    Gap { min: usize, max: usize },
    Name,
    Number,
    Phone,
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

impl Match {
    pub fn overlaps(&self, other: &Match) -> bool {
        self.start < other.end && other.start < self.end
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} in pattern \"{pattern}\"")]
pub struct PatternError {
    pub pattern: String,
    pub message: String,
}

impl Pattern {
    pub fn parse(source: &str, lexicon: &Lexicon) -> Result<Self, PatternError> {
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
            match part {
                "<name>" => steps.push(Step::Name),
                "<number>" => steps.push(Step::Number),
                "<phone>" => steps.push(Step::Phone),
                _ => steps.push(Self::word_step(part, lexicon).map_err(fail)?),
            }
        }
        let says_something = |s: &Step| match s {
            Step::Word { negated, optional, .. } => !negated && !optional,
            Step::Gap { .. } => false,
            Step::Name | Step::Number | Step::Phone => true,
        };
        if !steps.iter().any(says_something) {
            return Err(fail("a pattern needs at least one word that must be said".to_string()));
        }
        Ok(Self { source: source.to_string(), steps })
    }

    /// `word`, `word*`, `(a|b*|{class})`, `{class}`, each maybe led by `!` or followed by `?`.
    fn word_step(part: &str, lexicon: &Lexicon) -> Result<Step, String> {
        let (body, optional) = match part.strip_suffix('?') {
            Some(body) => (body, true),
            None => (part, false),
        };
        let (body, negated) = match body.strip_prefix('!') {
            Some(body) => (body, true),
            None => (body, false),
        };
        if negated && optional {
            return Err(format!("\"{part}\" cannot be both negated and optional"));
        }
        let body = match body.strip_prefix('(') {
            Some(inner) => inner
                .strip_suffix(')')
                .ok_or_else(|| format!("\"{part}\" opens ( without closing it"))?,
            None => body,
        };
        let mut alternatives = Vec::new();
        for alt in body.split('|') {
            match alt.strip_prefix('{').and_then(|a| a.strip_suffix('}')) {
                Some(class) => {
                    let words = lexicon
                        .classes
                        .get(class)
                        .ok_or_else(|| format!("there is no word class \"{class}\""))?;
                    for word in words {
                        alternatives.push(Self::alternative(word, lexicon)?);
                    }
                }
                None => alternatives.push(Self::alternative(alt, lexicon)?),
            }
        }
        Ok(Step::Word { alternatives, negated, optional })
    }

    fn alternative(word: &str, lexicon: &Lexicon) -> Result<Alternative, String> {
        match word.strip_suffix('*') {
            // A prefix is not a word, so it is not folded.
            Some(prefix) => plain_word(prefix).map(Alternative::Prefix),
            None => plain_word(word).map(|_| Alternative::Exact(lexicon.fold(word))),
        }
        .map_err(|e| e.message)
    }

    /// The shortest match starting at token `start`, within its sentence.
    fn match_at(&self, tokens: &[Token], start: usize) -> Option<Match> {
        let sentence_end = tokens[start..]
            .iter()
            .position(|t| t.ends_sentence)
            .map_or(tokens.len(), |i| start + i + 1);
        self.end_of(&tokens[..sentence_end], start, 0).map(|end| Match { start, end })
    }

    /// The shortest match at every token where one starts, left to right; they may overlap.
    pub fn find_all(&self, tokens: &[Token]) -> Vec<Match> {
        (0..tokens.len()).filter_map(|start| self.match_at(tokens, start)).collect()
    }

    /// The end of the shortest match of `steps[step..]` starting at `at`.
    fn end_of(&self, tokens: &[Token], at: usize, step: usize) -> Option<usize> {
        let Some(current) = self.steps.get(step) else {
            return Some(at);
        };
        match current {
            Step::Word { alternatives, negated, optional } => {
                let here = tokens
                    .get(at)
                    .filter(|t| alternatives.iter().any(|a| a.matches(&t.norm)) != *negated);
                let taken = here.and_then(|_| self.end_of(tokens, at + 1, step + 1));
                if taken.is_some() || !optional {
                    return taken;
                }
                self.end_of(tokens, at, step + 1)
            }
            Step::Gap { min, max } => (*min..=*max)
                .take_while(|skip| at + skip <= tokens.len())
                .find_map(|skip| self.end_of(tokens, at + skip, step + 1)),
            Step::Name => {
                // A full name is quoted whole: "this is Daniel Brooks", not "this is Daniel".
                let names = tokens[at.min(tokens.len())..]
                    .iter()
                    .take(MAX_NAME_WORDS)
                    .take_while(|t| t.could_be_name)
                    .count();
                (1..=names).rev().find_map(|n| self.end_of(tokens, at + n, step + 1))
            }
            Step::Number => {
                let words = number_words(&tokens[at.min(tokens.len())..]);
                (1..=words).rev().find_map(|n| self.end_of(tokens, at + n, step + 1))
            }
            Step::Phone => {
                // Only the whole run of digits is a number: "555 0142" inside "617 555 0142"
                // is not another one.
                let (words, _) = phone_number(&tokens[at.min(tokens.len())..])?;
                starts_number(tokens, at)
                    .then(|| self.end_of(tokens, at + words, step + 1))
                    .flatten()
            }
        }
    }
}

/// How many words one `<name>` step can take: first, middle and last name.
const MAX_NAME_WORDS: usize = 3;

const UNITS: &[&str] = &[
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: &[&str] =
    &["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
const SCALES: &[&str] = &["hundred", "thousand", "million", "billion", "dozen"];

/// Digits, or one number word ("twelve", "hundred", "twentyfive" as "twenty-five" normalises).
fn is_number(norm: &str) -> bool {
    let word = |w: &str| UNITS.contains(&w) || TENS.contains(&w) || SCALES.contains(&w);
    norm.chars().all(|c| c.is_ascii_digit())
        || word(norm)
        || TENS.iter().any(|t| norm.strip_prefix(t).is_some_and(|u| UNITS[1..10].contains(&u)))
}

/// How many tokens from the start make one number: "two hundred and fifty", "one point two".
fn number_words(tokens: &[Token]) -> usize {
    let mut count = 0;
    while let Some(token) = tokens.get(count) {
        if is_number(&token.norm) {
            count += 1;
        } else if count > 0
            && matches!(token.norm.as_str(), "and" | "point")
            && tokens.get(count + 1).is_some_and(|t| is_number(&t.norm))
        {
            count += 2;
        } else {
            break;
        }
    }
    count
}

/// The fewest and most digits a phone number has: a local number without its area code, and
/// the longest international one.
const PHONE_DIGITS: std::ops::RangeInclusive<usize> = 7..=15;

/// The phone number the tokens start with: how many tokens it takes and its digits. Digits
/// may be written ("617-555-0142", "617", "555") or said one by one ("six one seven", "oh"
/// for zero), in pairs ("fifty five", "twenty"), with "double"/"triple" before a digit, or
/// "hundred" after one ("five hundred"), as people read numbers out.
pub fn phone_number(tokens: &[Token]) -> Option<(usize, String)> {
    let mut digits = String::new();
    let mut used = 0;
    // The digits read after each token, to cut a number said twice without a pause.
    let mut read_after = Vec::new();
    while let Some(token) = tokens.get(used) {
        let repeat = match token.norm.as_str() {
            "double" => 2,
            "triple" => 3,
            _ => 1,
        };
        if repeat > 1 {
            let Some(digit) = tokens.get(used + 1).and_then(|t| digits_said(&t.norm)) else {
                break;
            };
            if digit.len() != 1 {
                break;
            }
            digits.push_str(&digit.repeat(repeat));
            used += 2;
            read_after.push((used, digits.len()));
            if tokens[used - 1].ends_sentence {
                break;
            }
            continue;
        }
        let Some(mut said) = digits_said(&token.norm) else { break };
        used += 1;
        // "fifty five" is 55, not 505; "twenty, seven" is two groups.
        let paused = token.raw.ends_with(',');
        if said.len() == 2 && said.ends_with('0') && TENS.contains(&token.norm.as_str()) && !paused
        {
            if let Some(unit) = tokens.get(used).and_then(|t| digits_said(&t.norm)) {
                if unit.len() == 1
                    && unit != "0"
                    && !matches!(tokens[used].norm.as_str(), "oh" | "o")
                {
                    said.pop();
                    said.push_str(&unit);
                    used += 1;
                }
            }
        }
        if tokens.get(used).is_some_and(|t| t.norm == "hundred") && said.len() == 1 {
            said.push_str("00");
            used += 1;
        }
        digits.push_str(&said);
        read_after.push((used, digits.len()));
        if token.ends_sentence || tokens[used - 1].ends_sentence {
            break;
        }
    }
    // The same number said twice in one breath ("555 212 3456 555 212 3456") is two.
    let half = digits.len() / 2;
    if digits.len().is_multiple_of(2)
        && PHONE_DIGITS.contains(&half)
        && digits[..half] == digits[half..]
    {
        if let Some(&(words, _)) = read_after.iter().find(|(_, read)| *read == half) {
            return Some((words, digits[..half].to_string()));
        }
    }
    PHONE_DIGITS.contains(&digits.len()).then_some((used, digits))
}

/// Whether a phone number can start at `at`: at the start of a run of digit words, or where
/// the first saying of a number said twice in one run ends.
fn starts_number(tokens: &[Token], at: usize) -> bool {
    let in_run = |t: &Token| {
        !t.ends_sentence
            && (digits_said(&t.norm).is_some() || matches!(t.norm.as_str(), "double" | "triple"))
    };
    if at == 0 || !in_run(&tokens[at - 1]) {
        return true;
    }
    let mut start = at - 1;
    while start > 0 && in_run(&tokens[start - 1]) {
        start -= 1;
    }
    phone_number(&tokens[start..]).is_some_and(|(words, _)| start + words == at)
}

/// The digits one word of a phone number stands for: "0142" → "0142", "six" → "6", "oh" →
/// "0", "fifteen" → "15", "fifty" → "50", "fiftyfive" (from "fifty-five") → "55".
pub(crate) fn digits_said(norm: &str) -> Option<String> {
    if !norm.is_empty() && norm.chars().all(|c| c.is_ascii_digit()) {
        return Some(norm.to_string());
    }
    if matches!(norm, "oh" | "o") {
        return Some("0".to_string());
    }
    if let Some(n) = UNITS.iter().position(|u| *u == norm) {
        return Some(n.to_string());
    }
    let tens = TENS.iter().enumerate().find_map(|(i, tens)| {
        let unit = norm.strip_prefix(tens)?;
        let u = if unit.is_empty() { 0 } else { UNITS[1..10].iter().position(|x| *x == unit)? + 1 };
        Some(format!("{}{u}", i + 2))
    });
    tens.or_else(|| digit_words_run_together(norm))
}

/// Digit words written as one ("five-five-five" folds to "fivefivefive", "three-twelve" to
/// "threetwelve"): each piece a digit, a teen or "oh", and the whole word made of them.
fn digit_words_run_together(norm: &str) -> Option<String> {
    let mut digits = String::new();
    let mut rest = norm;
    while !rest.is_empty() {
        let (piece, value) = UNITS
            .iter()
            .enumerate()
            .map(|(n, word)| (*word, n.to_string()))
            .chain([("oh", "0".to_string())])
            .filter(|(word, _)| rest.starts_with(word))
            .max_by_key(|(word, _)| word.len())?;
        digits.push_str(&value);
        rest = &rest[piece.len()..];
    }
    (digits.len() >= 2).then_some(digits)
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

    #[test]
    fn a_number_said_twice_in_one_run_is_two_numbers() {
        let lexicon = lexicon();
        let read = |text: &str| lexicon.read(text.split_whitespace().map(|w| (w, false))).0;
        let doubled = read("714 555 0932 seven one four 555 0932 thank");
        assert_eq!(phone_number(&doubled), Some((3, "7145550932".to_string())));
        assert!(starts_number(&doubled, 3) && !starts_number(&doubled, 1));
        assert_eq!(phone_number(&doubled[3..]), Some((5, "7145550932".to_string())));
        let grouped = read("three-twelve, five-five-five, oh-six-seven-seven.");
        assert_eq!(phone_number(&grouped).map(|(_, d)| d).as_deref(), Some("3125550677"));
        let paused = read("four four, twenty, seven nine four six, oh three two one");
        assert_eq!(phone_number(&paused).map(|(_, d)| d).as_deref(), Some("442079460321"));
        let trailing = read("555... 402... 7731. Okay");
        assert_eq!(phone_number(&trailing).map(|(_, d)| d).as_deref(), Some("5554027731"));
        assert_eq!(digits_said("tone"), None);
        assert_eq!(digits_said("someone"), None);
    }

    #[test]
    fn disfluencies_do_not_break_a_phrase() {
        let lexicon = lexicon();
        let fluent_words = |text: &str| -> Vec<String> {
            let read = lexicon.read(text.split_whitespace().map(|w| (w, false)));
            fluent(read).0.into_iter().map(|t| t.norm).collect()
        };
        assert_eq!(fluent_words("this is, uh, Priya"), ["this", "is", "priya"]);
        assert_eq!(fluent_words("for the, um, the barista job"), ["for", "the", "barista", "job"]);
        assert_eq!(fluent_words("I, I wanted to thank you"), ["i", "wanted", "to", "thank", "you"]);
        assert_eq!(fluent_words("for the for the barista job"), ["for", "the", "barista", "job"]);
        assert_eq!(fluent_words("on tues- on wednesday"), ["on", "wednesday"]);
        assert_eq!(
            fluent_words("five five five two one two"),
            ["five", "five", "five", "two", "one", "two"]
        );
        let read = lexicon.read("um, so, uh".split_whitespace().map(|w| (w, false)));
        let (tokens, words) = fluent(read);
        assert_eq!((tokens.len(), words), (1, vec![1]), "the word index survives");
    }

    fn lexicon() -> Lexicon {
        let mut lexicon = Lexicon::default();
        lexicon.add_spelling("your", "you're").unwrap();
        lexicon.add_to_class("title", "nurse").unwrap();
        lexicon.add_to_class("title", "engineer*").unwrap();
        for word in ["this", "calling", "monday"] {
            lexicon.add_not_name(word).unwrap();
        }
        lexicon
    }

    fn said(text: &str) -> Vec<Token> {
        lexicon().read(text.split_whitespace().map(|w| (w, false))).0
    }

    fn matched(pattern: &str, text: &str) -> Option<String> {
        let tokens = said(text);
        let m = *Pattern::parse(pattern, &lexicon()).unwrap().find_all(&tokens).first()?;
        Some(tokens[m.start..m.end].iter().map(|t| t.raw.as_str()).collect::<Vec<_>>().join(" "))
    }

    #[test]
    fn normalizes_case_punctuation_apostrophes_and_hyphens() {
        assert_eq!(normalize("You're"), "youre");
        assert_eq!(normalize("co-ordinator,"), "coordinator");
        assert_eq!(normalize("TIME."), "time");
        assert_eq!(normalize("10%"), "10");
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
    fn optional_negated_and_minimum_gap_steps() {
        assert_eq!(matched("the ..1-3 position", "about the position"), None);
        assert_eq!(
            matched("the ..1-3 position", "for the sales associate position"),
            Some("the sales associate position".into())
        );
        assert_eq!(matched("(a|an)? decision", "a decision"), Some("a decision".into()));
        assert_eq!(matched("make (a|an)? decision", "make decisions"), None);
        assert_eq!(matched("the !(open|new) role", "the open role"), None);
        assert_eq!(
            matched("the !(open|new) role", "the design role"),
            Some("the design role".into())
        );
    }

    #[test]
    fn spellings_fold_into_one_word_on_both_sides() {
        assert_eq!(matched("for your time", "for you're time"), Some("for you're time".into()));
        assert_eq!(matched("for you're time", "for your time"), Some("for your time".into()));
    }

    #[test]
    fn classes_stand_for_their_words() {
        assert_eq!(matched("the {title} job", "the nurse job"), Some("the nurse job".into()));
        assert_eq!(
            matched("the (lead|{title}) job", "the engineering job"),
            Some("the engineering job".into())
        );
        assert_eq!(matched("the !{title} job", "the nurse job"), None);
        let unknown = Pattern::parse("the {titles} job", &lexicon()).unwrap_err();
        assert!(unknown.message.contains("no word class \"titles\""), "{unknown}");
    }

    #[test]
    fn a_match_stays_within_its_sentence() {
        let p = "thank* ..0-5 interview";
        assert_eq!(matched(p, "Thank you. I'm calling about my interview."), None);
        assert_eq!(
            matched(p, "thank you im calling about my interview"),
            Some("thank you im calling about my interview".into())
        );
        assert_eq!(
            matched("hi ..0-2 <name>", "Hi Ms. Carter"),
            Some("Hi Ms. Carter".into()),
            "a title's full stop ends no sentence"
        );
        assert_eq!(
            matched("my ..0-1 certification", "My P.M.P. certification"),
            Some("My P.M.P. certification".into()),
            "nor does a dotted abbreviation's"
        );
        let lines = lexicon()
            .read([("Thanks", true), ("for", false), ("the", false), ("interview", false)])
            .0;
        assert_eq!(
            Pattern::parse(p, &lexicon()).unwrap().find_all(&lines),
            [],
            "a line end ends it too"
        );
    }

    #[test]
    fn names_are_capitalised_where_the_text_has_capitals() {
        assert_eq!(
            matched("this is <name>", "Hi, this is Daniel Brooks."),
            Some("this is Daniel Brooks.".into())
        );
        assert_eq!(matched("this is <name>", "Hi, this is the right number"), None);
        assert_eq!(matched("its <name>", "It's Monday, so"), None);
        assert_eq!(matched("this is <name>", "Hi, this is Monday's candidate"), None);
        assert_eq!(matched("<name> certified", "I'm PMP certified"), None, "an abbreviation");
        assert_eq!(matched("this is <name>", "Hi, this is daniel"), None);
        assert_eq!(
            matched("this is <name>", "hi this is daniel brooks calling"),
            Some("this is daniel brooks".into()),
            "without capitals any word not on the not-names list can be a name"
        );
    }

    #[test]
    fn numbers_in_digits_and_words() {
        let p = "<number> years";
        assert_eq!(matched(p, "for 5 years"), Some("5 years".into()));
        assert_eq!(matched(p, "for twenty five years"), Some("twenty five years".into()));
        assert_eq!(matched(p, "for twenty-five years"), Some("twenty-five years".into()));
        assert_eq!(matched(p, "for many years"), None);
        assert_eq!(
            matched("<number> million", "closed one point two million"),
            Some("one point two million".into())
        );
        assert_eq!(
            matched("<number> people", "two hundred and fifty people"),
            Some("two hundred and fifty people".into())
        );
    }

    #[test]
    fn phone_numbers_in_digits_and_words() {
        let p = "at <phone>";
        for (text, number) in [
            ("call me at 617-555-0142.", "617-555-0142."),
            ("call me at 617 555 0142 thanks", "617 555 0142"),
            ("call me at (617) 555-0142", "(617) 555-0142"),
            (
                "at six one seven, five five five, oh one four two.",
                "six one seven, five five five, oh one four two.",
            ),
            ("at five fifty five, twelve thirty four", "five fifty five, twelve thirty four"),
            (
                "at double five five, two one two, thirty four fifty six",
                "double five five, two one two, thirty four fifty six",
            ),
            ("at five hundred, two one two three", "five hundred, two one two three"),
        ] {
            assert_eq!(
                matched(p, text).as_deref(),
                Some(format!("at {number}").as_str()),
                "{text}"
            );
        }
        assert_eq!(matched(p, "at 5 years"), None, "too few digits");
        assert_eq!(matched(p, "at five five five."), None);
        let tokens = said("six one seven five five five oh one four two");
        assert_eq!(phone_number(&tokens), Some((10, "6175550142".to_string())));
        let tokens = said("five fifty five, twelve thirty four");
        assert_eq!(phone_number(&tokens), Some((6, "5551234".to_string())));
        let tokens = said("at 617 555 0142");
        assert_eq!(
            Pattern::parse("<phone>", &lexicon()).unwrap().find_all(&tokens).len(),
            1,
            "one number, not three"
        );
    }

    #[test]
    fn finds_every_match() {
        let tokens = said("thanks for your time and thanks for the interview");
        let all = Pattern::parse("thank* for ..0-1 (time|interview)", &lexicon())
            .unwrap()
            .find_all(&tokens);
        assert_eq!(all, vec![Match { start: 0, end: 4 }, Match { start: 5, end: 9 }]);
    }

    #[test]
    fn rejects_malformed_patterns_with_a_reason() {
        for bad in
            ["", "..3", "(time|interview", "..x", "..4-1", "thank!", "word?", "!word", "!a?", "{x}"]
        {
            assert!(Pattern::parse(bad, &lexicon()).is_err(), "{bad:?} should not parse");
        }
    }
}
