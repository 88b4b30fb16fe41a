//! A profile's details made ready to look for in what was said: the job title, the user's own
//! qualifications and wished-for points, the interviewer's name and the user's number.
//!
//! Speech recognition spells and orders words its own way ("co-ordinator", "the coordinator
//! for marketing"), so a detail is matched word by word, in any order within one sentence,
//! each word allowing a slip of spelling.

use crate::profile::{Profile, Qualification};

use super::pattern::{digits_said, phone_number, Lexicon, Match, Token};

/// Words that carry no detail of their own: a phrase is matched on the rest.
const FILLER_WORDS: &[&str] = &[
    "a", "an", "the", "of", "and", "or", "to", "in", "on", "at", "for", "with", "my", "your",
    "our", "their", "i", "me", "we", "you", "it", "is", "was", "be", "as", "by", "from", "that",
    "this", "into", "about", "than", "so", "also", "has", "have", "had", "can", "will",
];

/// Forms of address, which are not part of the name to listen for.
const HONORIFICS: &[&str] = &["mr", "mrs", "ms", "miss", "dr", "doctor", "prof", "professor"];

/// A profile, compiled against a checklist's lexicon.
#[derive(Debug, Clone)]
pub struct Personal {
    pub profile: Profile,
    job_title: Option<Phrase>,
    /// One for each of the profile's qualifications and wishes, in its order; `None` for one
    /// with no words to listen for (all filler words).
    qualifications: Vec<Option<Phrase>>,
    wishes: Vec<Option<Phrase>>,
    interviewer: Option<Phrase>,
    /// The words of the user's own name, folded, without honorifics.
    own_name: Vec<String>,
    phone_digits: Option<String>,
}

/// Where a profile's detail was said, or not.
#[derive(Debug, Clone, PartialEq)]
pub struct Heard<'a, T> {
    pub detail: &'a T,
    pub at: Option<Match>,
}

/// A phone number said, and whether it is the user's.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberSaid {
    pub at: Match,
    pub digits: String,
    pub theirs: bool,
}

/// What a take said of a profile's details, heard once for the whole take.
#[derive(Debug, Clone, PartialEq)]
pub struct Hearing<'a> {
    /// See [`Personal::job_title`].
    pub job_title: Option<Option<Match>>,
    pub qualifications: Vec<Heard<'a, Qualification>>,
    pub wishes: Vec<Heard<'a, String>>,
    /// See [`Personal::interviewer_named`].
    pub interviewer_named: Option<bool>,
    /// See [`Personal::numbers_said`].
    pub numbers: Option<Vec<NumberSaid>>,
    /// See [`Personal::own_name_said`].
    pub own_name: Option<Vec<Match>>,
}

impl Personal {
    pub fn new(profile: Profile, lexicon: &Lexicon) -> Self {
        let phrase = |text: &str, needed: Needed| Phrase::new(text, lexicon, needed);
        let interviewer = profile.interviewer.as_deref().and_then(|name| {
            let name: Vec<String> = name_words(name, lexicon).collect();
            phrase(&name.join(" "), Needed::Any)
        });
        Self {
            job_title: profile.job_title.as_deref().and_then(|t| phrase(t, Needed::All)),
            qualifications: profile
                .qualifications
                .iter()
                .map(|q| phrase(&q.skill, Needed::Most))
                .collect(),
            wishes: profile.wish_i_had_said.iter().map(|w| phrase(w, Needed::Most)).collect(),
            interviewer,
            own_name: profile.name.iter().flat_map(|name| name_words(name, lexicon)).collect(),
            phone_digits: profile.phone_digits(),
            profile,
        }
    }

    /// Every detail of the profile, looked for in `tokens`.
    pub fn hear(&self, tokens: &[Token]) -> Hearing<'_> {
        Hearing {
            job_title: self.job_title(tokens),
            qualifications: self.qualifications(tokens),
            wishes: self.wishes(tokens),
            interviewer_named: self.interviewer_named(tokens),
            numbers: self.numbers_said(tokens),
            own_name: self.own_name_said(tokens),
        }
    }

    /// Every place a word of the user's own name was said (a run of them as one place),
    /// allowing speech recognition's spellings ("Pria" for Priya); `None` when the profile has
    /// no name.
    pub fn own_name_said(&self, tokens: &[Token]) -> Option<Vec<Match>> {
        if self.own_name.is_empty() {
            return None;
        }
        let is_own = |token: &Token| self.own_name.iter().any(|w| same_name(w, &token.norm));
        let mut said: Vec<Match> = Vec::new();
        for (i, token) in tokens.iter().enumerate() {
            if !is_own(token) {
                continue;
            }
            match said.last_mut() {
                Some(last) if last.end == i => last.end = i + 1,
                _ => said.push(Match { start: i, end: i + 1 }),
            }
        }
        Some(said)
    }

    /// Where the profile's job title was said; `None` when the profile has none.
    pub fn job_title(&self, tokens: &[Token]) -> Option<Option<Match>> {
        self.job_title.as_ref().map(|title| title.find(tokens))
    }

    /// Each of the user's qualifications, and where it was mentioned.
    pub fn qualifications(&self, tokens: &[Token]) -> Vec<Heard<'_, Qualification>> {
        heard(&self.profile.qualifications, &self.qualifications, tokens)
    }

    /// Each point the user wished they had made, and where it was made.
    pub fn wishes(&self, tokens: &[Token]) -> Vec<Heard<'_, String>> {
        heard(&self.profile.wish_i_had_said, &self.wishes, tokens)
    }

    /// Whether the interviewer's name was said; `None` when the profile has none.
    pub fn interviewer_named(&self, tokens: &[Token]) -> Option<bool> {
        self.interviewer.as_ref().map(|name| name.find(tokens).is_some())
    }

    /// Every phone number said, left to right, and whether it is the profile's; `None` when
    /// the profile has no number.
    pub fn numbers_said(&self, tokens: &[Token]) -> Option<Vec<NumberSaid>> {
        let theirs = self.phone_digits.as_deref()?;
        let mut said = Vec::new();
        let mut start = 0;
        while start < tokens.len() {
            match phone_number(&tokens[start..]) {
                Some((used, digits)) => {
                    said.push(NumberSaid {
                        at: Match { start, end: start + used },
                        theirs: same_number(theirs, &digits),
                        digits,
                    });
                    start += used;
                }
                None => start += 1,
            }
        }
        Some(said)
    }
}

/// Each detail that has words to listen for, and where it was said.
fn heard<'a, T>(
    details: &'a [T],
    phrases: &[Option<Phrase>],
    tokens: &[Token],
) -> Vec<Heard<'a, T>> {
    details
        .iter()
        .zip(phrases)
        .filter_map(|(detail, phrase)| Some(Heard { detail, at: phrase.as_ref()?.find(tokens) }))
        .collect()
}

/// How many of a phrase's words must be heard together.
#[derive(Debug, Clone, Copy)]
enum Needed {
    All,
    /// More than half: a qualification is said in the user's own words.
    Most,
    /// One: any part of a person's name.
    Any,
}

/// A profile's detail as the words to listen for.
#[derive(Debug, Clone)]
struct Phrase {
    words: Vec<String>,
    needed: usize,
}

impl Phrase {
    fn new(text: &str, lexicon: &Lexicon, needed: Needed) -> Option<Self> {
        let mut words: Vec<String> = text
            .split_whitespace()
            .map(|w| lexicon.fold(w))
            .filter(|w| !w.is_empty() && !FILLER_WORDS.contains(&w.as_str()))
            .collect();
        words.dedup();
        let n = words.len();
        let needed = match needed {
            Needed::All => n,
            Needed::Most => n / 2 + 1,
            Needed::Any => 1,
        };
        (n > 0).then_some(Self { words, needed: needed.min(n) })
    }

    /// The first stretch of one sentence that holds enough of the words, each once, in any
    /// order, with at most a few other words among them.
    fn find(&self, tokens: &[Token]) -> Option<Match> {
        let reach = self.words.len() * 2 + 2;
        (0..tokens.len()).find_map(|start| {
            if !self.words.iter().any(|w| same_word(w, &tokens[start].norm)) {
                return None;
            }
            let mut heard = vec![false; self.words.len()];
            for (i, token) in tokens.iter().enumerate().skip(start).take(reach) {
                if let Some(k) =
                    (0..heard.len()).find(|&k| !heard[k] && same_word(&self.words[k], &token.norm))
                {
                    heard[k] = true;
                    if heard.iter().filter(|&&h| h).count() >= self.needed {
                        return Some(Match { start, end: i + 1 });
                    }
                }
                if token.ends_sentence {
                    break;
                }
            }
            None
        })
    }
}

/// Whether a number heard is the profile's: said without the country or area code, or with
/// a country code added; and with one of a run of repeated digits heard once, as speech
/// recognition hears "five five five" as "55".
fn same_number(theirs: &str, heard: &str) -> bool {
    let same = |theirs: &str| theirs.ends_with(heard) || heard.ends_with(theirs);
    let digits: Vec<char> = theirs.chars().collect();
    same(theirs)
        || (1..digits.len()).any(|i| {
            digits[i] == digits[i - 1] && {
                let mut once = digits.clone();
                once.remove(i);
                same(&once.into_iter().collect::<String>())
            }
        })
}

/// Whether a word heard is the profile's word, allowing what speech recognition and typing
/// change: a number written as digits or words, another ending ("market" for "marketing",
/// a plural), and a slip of one letter in five (two in longer words).
fn same_word(profile_word: &str, heard: &str) -> bool {
    if profile_word == heard {
        return true;
    }
    if let (Some(a), Some(b)) = (digits_said(profile_word), digits_said(heard)) {
        return a == b;
    }
    let (a, b) = (stem(profile_word), stem(heard));
    let shorter = a.chars().count().min(b.chars().count());
    let slips = match shorter {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    };
    a == b || (slips > 0 && strsim::levenshtein(a, b) <= slips)
}

/// The words of a person's name, folded, without an honorific ("Ms. Carter" → "carter").
fn name_words<'a>(name: &'a str, lexicon: &'a Lexicon) -> impl Iterator<Item = String> + 'a {
    name.split_whitespace()
        .map(|w| lexicon.fold(w))
        .filter(|w| !w.is_empty() && !HONORIFICS.contains(&w.as_str()))
}

/// Whether a word heard is a word of the user's name: the same, or spelt as speech
/// recognition writes an unfamiliar name ("Pria", "Danial"), for names of four letters or more.
fn same_name(own: &str, heard: &str) -> bool {
    own == heard || (own.len() >= 4 && heard.len() >= 3 && strsim::jaro_winkler(own, heard) >= 0.88)
}

/// A word without an ending that speech recognition adds or drops, where a stem of four
/// letters or more is left.
fn stem(word: &str) -> &str {
    ["ing", "ed", "s"]
        .iter()
        .filter_map(|ending| word.strip_suffix(ending))
        .find(|stem| stem.chars().count() >= 4)
        .unwrap_or(word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checklist::Checklist;

    fn tokens(text: &str) -> Vec<Token> {
        Checklist::builtin().lexicon.read(text.split_whitespace().map(|w| (w, false))).0
    }

    fn personal(profile: Profile) -> Personal {
        Personal::new(profile, &Checklist::builtin().lexicon)
    }

    fn with_title(title: &str) -> Personal {
        personal(Profile { job_title: Some(title.into()), ..Profile::default() })
    }

    fn quoted(text: &str, m: Option<Match>) -> Option<String> {
        let words: Vec<&str> = text.split_whitespace().collect();
        m.map(|m| words[m.start..m.end].join(" "))
    }

    #[test]
    fn a_job_title_is_heard_through_spelling_and_order_slips() {
        let title = with_title("Marketing Coordinator");
        for (said, quote) in [
            ("for the marketing co-ordinator role.", "marketing co-ordinator"),
            ("the Marketing Coordinater job", "Marketing Coordinater"),
            ("out of the market in co-ordinator position", "market in co-ordinator"),
            ("as coordinator of marketing, you said", "coordinator of marketing,"),
        ] {
            let found = title.job_title(&tokens(said)).unwrap();
            assert_eq!(quoted(said, found).as_deref(), Some(quote), "{said}");
        }
        for other in ["the marketing. Coordinator", "the marketing manager job", "the coordinator"]
        {
            assert_eq!(title.job_title(&tokens(other)), Some(None), "{other}");
        }
        let said = "the registered nurses position";
        let nurse = with_title("Registered Nurse").job_title(&tokens(said)).unwrap();
        assert_eq!(quoted(said, nurse).as_deref(), Some("registered nurses"));
        assert_eq!(personal(Profile::default()).job_title(&tokens("anything")), None);
    }

    #[test]
    fn a_qualification_counts_when_most_of_its_words_are_said_together() {
        let skill = |s: &str| Qualification { skill: s.into(), need: None };
        let me = personal(Profile {
            qualifications: vec![
                skill("PMP certification"),
                skill("for my, the"),
                skill("five years of B2B email campaigns"),
                skill("fluent Spanish"),
            ],
            ..Profile::default()
        });
        let said = "I'm PMP certified and I ran B2B campaigns for 5 years. Thanks.";
        let heard: Vec<(&str, Option<String>)> = me
            .qualifications(&tokens(said))
            .iter()
            .map(|h| (h.detail.skill.as_str(), quoted(said, h.at)))
            .collect();
        assert_eq!(
            heard,
            [
                ("PMP certification", None),
                ("five years of B2B email campaigns", Some("B2B campaigns for 5".to_string())),
                ("fluent Spanish", None)
            ],
            "'certified' is not 'certification'; 3 of the 5 campaign words are enough; a \
             qualification of filler words alone has nothing to listen for"
        );
    }

    #[test]
    fn the_interviewer_is_heard_by_any_part_of_their_name() {
        let me = personal(Profile {
            interviewer: Some("Ms. Jordan Carter".into()),
            ..Profile::default()
        });
        assert_eq!(me.interviewer_named(&tokens("Hi Jordan, it's Dana")), Some(true));
        assert_eq!(me.interviewer_named(&tokens("Hi Ms. Kartor")), Some(false), "two slips");
        assert_eq!(me.interviewer_named(&tokens("Hello, Ms. Cartar.")), Some(true));
        assert_eq!(me.interviewer_named(&tokens("Hi, miss")), Some(false));
    }

    #[test]
    fn a_number_said_is_the_users_with_or_without_its_codes() {
        let me = personal(Profile { phone: Some("+1 617-555-0142".into()), ..Profile::default() });
        let said = "call me at six one seven, five five five, oh one four two. \
                    That's 555-0142. Or 617 555 0124. Again, 617-55-0142, not 617-55-142.";
        let numbers = me.numbers_said(&tokens(said)).unwrap();
        let summary: Vec<(&str, bool)> =
            numbers.iter().map(|n| (n.digits.as_str(), n.theirs)).collect();
        assert_eq!(
            summary,
            [
                ("6175550142", true),
                ("5550142", true),
                ("6175550124", false),
                ("617550142", true),
                ("61755142", false)
            ]
        );
    }
}
