//! Judging what was said against a [`Checklist`]: which elements were said, with the words
//! (and, for a recording, the times) that show it, and whether the call was brief.
//!
//! Two kinds of input share one judgement: a recorded take's [`Transcript`], and a typed
//! [`Script`] (a call script written before calling, or a transcript typed out), which has
//! no times.

use serde::{Deserialize, Serialize};

use crate::checklist::pattern::fluent;
use crate::checklist::{Checklist, Element, Hearing, Match, Mode};
use crate::meaning::{Reading, Unit};
use crate::profile::Profile;
use crate::transcribe::Transcript;

/// How long the take is and how much of it is voice, measured from the audio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TakeTiming {
    pub duration_s: f64,
    pub speech_s: f64,
}

/// The speaking rate a typed script's length is estimated at: a calm phone voice.
pub const SCRIPT_WORDS_PER_MINUTE: f64 = 140.0;

/// A typed call script or transcript: its words, line by line, without times. A line end
/// closes a sentence, as a script written one point a line means it to. A line starting with
/// `#` is a note to the reader (as `callcoach script` writes), not something to say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Script {
    lines: Vec<Vec<String>>,
}

impl Script {
    pub fn new(text: &str) -> Self {
        let lines = text
            .lines()
            .filter(|line| !line.trim_start().starts_with('#'))
            .map(|line| line.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .filter(|words| !words.is_empty())
            .collect();
        Self { lines }
    }

    /// Each word, and whether it ends its line.
    pub fn words(&self) -> impl Iterator<Item = (&str, bool)> {
        self.lines.iter().flat_map(|line| {
            line.iter().enumerate().map(move |(i, w)| (w.as_str(), i + 1 == line.len()))
        })
    }
}

/// The words that show an element was said, and when (for a recording).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub quote: String,
    pub start_s: Option<f64>,
    pub end_s: Option<f64>,
}

/// Which judge decided an element: the checklist's phrase rules (with the profile's
/// details), or the meaning model, which adds what the rules missed and vetoes what they
/// ticked wrongly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    Rules,
    Model,
}

/// One checklist element, judged.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub id: String,
    pub label: String,
    pub weight: u32,
    /// The first place it was said; `None` when it was not.
    pub evidence: Option<Evidence>,
    /// What to do about a miss; `None` when the element was found.
    pub tip: Option<String>,
    pub decided_by: Layer,
    /// How sure the meaning model is of the verdict (0.5 to 1); `None` where it had no say.
    pub confidence: Option<f32>,
}

impl Finding {
    pub fn found(&self) -> bool {
        self.evidence.is_some()
    }
}

/// The call's length against the target.
#[derive(Debug, Clone, PartialEq)]
pub struct BrevityCheck {
    /// The recording's length and voiced time; `None` for a typed script.
    pub duration_s: Option<f64>,
    pub speech_s: Option<f64>,
    /// The call's own talk: from the first word to the last of a recording, or a script's
    /// words spoken at [`SCRIPT_WORDS_PER_MINUTE`].
    pub talk_s: f64,
    /// `talk_s` is an estimate from a script's word count, not a measurement.
    pub estimated: bool,
    pub target_min_s: f64,
    pub target_max_s: f64,
    pub weight: u32,
    pub tip: Option<String>,
}

impl BrevityCheck {
    pub fn ok(&self) -> bool {
        self.tip.is_none()
    }
}

/// Which mode to judge a rehearsal in: one the user chose, or the one it sounds like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeChoice {
    Given(Mode),
    /// The mode whose cues the words match best ([`Checklist::detect_mode`]).
    Detect,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// What the rehearsal was judged as, and whether that was told apart from its words.
    pub mode: Mode,
    pub mode_detected: bool,
    pub findings: Vec<Finding>,
    pub brevity: BrevityCheck,
    /// Whether anything was said at all.
    pub has_speech: bool,
    /// With a profile, the points of it left out, one sentence each; `None` without one.
    pub left_out: Option<Vec<String>>,
    /// Whether the meaning model judged beside the rules, and why not where it did not.
    pub meaning: MeaningUse,
    /// Why the take is not judged as a rehearsal; `None` when it is.
    pub not_a_rehearsal: Option<NotARehearsal>,
}

/// Why a take is not judged as a rehearsal: it gets no checklist score and is not kept in
/// the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotARehearsal {
    /// No words were heard at all.
    Silent,
    /// Too few words to judge a call by.
    TooFewWords(usize),
    /// Words, but none of a thank-you call or voicemail.
    OffTopic,
}

impl NotARehearsal {
    /// One plain sentence for the user, with what to do.
    pub fn sentence(self) -> String {
        match self {
            NotARehearsal::Silent => "I heard no speech: check that the right microphone is on \
                                      and not muted, then try again."
                .to_string(),
            NotARehearsal::TooFewWords(n) => format!(
                "I heard only {n} word{}: too little to judge. Rehearse the whole call, from \
                 your name to goodbye.",
                if n == 1 { "" } else { "s" }
            ),
            NotARehearsal::OffTopic => "This doesn't sound like a thank-you call or voicemail \
                                        after an interview, so it was not scored. Thank them, \
                                        name the job and recap why you fit."
                .to_string(),
        }
    }
}

/// Fewer words than this are too few to judge: a thank-you voicemail is some 50 words.
pub const LEAST_WORDS: usize = 8;

/// A take that makes more points of the checklist than this is a rehearsal whatever else it
/// says; one that makes this many or fewer is no rehearsal if the meaning model reads it as
/// being about something else.
const MOST_POINTS_OF_NO_REHEARSAL: usize = 3;

/// Whether the meaning model took part in a judgement.
#[derive(Debug, Clone, PartialEq)]
pub enum MeaningUse {
    Used,
    /// No model was loaded: the rules judged alone.
    Absent,
    /// The model failed on this take, with why: the rules judged alone.
    Failed(String),
}

/// Judges a recorded take.
pub fn analyze(
    transcript: &Transcript,
    timing: TakeTiming,
    checklist: &Checklist,
    mode: ModeChoice,
) -> Analysis {
    let words = &transcript.words;
    let talk_s = match (words.first(), words.last()) {
        (Some(first), Some(last)) => (last.end_s - first.start_s).max(0.0),
        _ => 0.0,
    };
    let length = Length {
        duration_s: Some(timing.duration_s),
        speech_s: Some(timing.speech_s),
        talk_s,
        estimated: false,
    };
    let said = words.iter().map(|w| (w.text.as_str(), false));
    judge(said, |i| Some((words[i].start_s, words[i].end_s)), length, checklist, mode)
}

/// Judges a typed script: the same checklist, no times, and its length estimated.
pub fn analyze_script(script: &Script, checklist: &Checklist, mode: ModeChoice) -> Analysis {
    let count = script.words().count();
    let length = Length {
        duration_s: None,
        speech_s: None,
        talk_s: count as f64 * 60.0 / SCRIPT_WORDS_PER_MINUTE,
        estimated: true,
    };
    judge(script.words(), |_| None, length, checklist, mode)
}

/// What is known of a rehearsal's length before it is judged against the target.
struct Length {
    duration_s: Option<f64>,
    speech_s: Option<f64>,
    talk_s: f64,
    estimated: bool,
}

/// The judgement itself. `said` gives each word and whether it ends a typed line; `times`
/// gives a word's start and end by its index, where they are known.
fn judge<'a>(
    said: impl Iterator<Item = (&'a str, bool)>,
    times: impl Fn(usize) -> Option<(f64, f64)>,
    length: Length,
    checklist: &Checklist,
    mode: ModeChoice,
) -> Analysis {
    let words: Vec<(&str, bool)> = said.collect();
    let (tokens, word_of_token) = fluent(checklist.lexicon.read(words.iter().copied()));
    let (mode, mode_detected) = match mode {
        ModeChoice::Given(mode) => (mode, false),
        ModeChoice::Detect => (checklist.detect_mode(&tokens), true),
    };

    let words_of = |m: Match| (word_of_token[m.start], word_of_token[m.end - 1]);
    let quote_words = |first: usize, last: usize| Evidence {
        quote: words[first..=last].iter().map(|(w, _)| *w).collect::<Vec<_>>().join(" "),
        start_s: times(first).map(|(start, _)| start),
        end_s: times(last).map(|(_, end)| end),
    };
    let quote = |m: Match| {
        let (first, last) = words_of(m);
        quote_words(first, last)
    };
    let personal = checklist.personal.as_ref().map(|p| (&p.profile, p.hear(&tokens)));
    // The rules first.
    let ruled: Vec<RuleVerdict> = checklist
        .elements_of(mode)
        .map(|(element, weight)| {
            let heard = element.find(&tokens);
            let (heard, tip, profile_decides) = match &personal {
                Some((profile, hearing)) => {
                    judge_personally(element, heard, profile, hearing, &quote)
                }
                None => (heard, element.tip.clone(), false),
            };
            let heard = heard.map(words_of);
            RuleVerdict { element, weight, heard, tip, profile_decides }
        })
        .collect();
    // The model reads the take only where it can change something: an element the rules
    // missed, a tick it may veto, or a take with so few points that it may be no rehearsal.
    let (reading, meaning) = match checklist.meaning.as_ref().map(|m| m.get()) {
        None => (None, MeaningUse::Absent),
        Some(Err(why)) => (None, MeaningUse::Failed(why.to_string())),
        Some(Ok(model)) => {
            let heads = &model.heads;
            let rule_ticks = ruled.iter().filter(|r| r.heard.is_some()).count();
            let needed = rule_ticks <= MOST_POINTS_OF_NO_REHEARSAL
                || ruled.iter().any(|r| {
                    heads.elements.get(&r.element.id).is_some_and(|head| {
                        !r.profile_decides && (r.heard.is_none() || head.veto_below > 0.0)
                    })
                });
            match needed.then(|| model.read(&words)).transpose() {
                Ok(reading) => (reading, MeaningUse::Used),
                Err(error) => (None, MeaningUse::Failed(error.to_string())),
            }
        }
    };
    let findings: Vec<Finding> = ruled
        .into_iter()
        .map(|RuleVerdict { element, weight, heard, tip, profile_decides }| {
            let verdict = match &reading {
                Some(reading) if !profile_decides => {
                    let look_alikes: Vec<(usize, usize)> = element
                        .unless
                        .iter()
                        .flat_map(|p| p.find_all(&tokens))
                        .map(words_of)
                        .collect();
                    second_opinion(&element.id, heard, &look_alikes, reading)
                }
                _ => Verdict { words: heard, decided_by: Layer::Rules, confidence: None },
            };
            Finding {
                id: element.id.clone(),
                label: element.label.clone(),
                weight,
                tip: verdict.words.is_none().then_some(tip),
                evidence: verdict.words.map(|(first, last)| quote_words(first, last)),
                decided_by: verdict.decided_by,
                confidence: verdict.confidence,
            }
        })
        .collect();
    let left_out = personal.as_ref().map(|(profile, hearing)| left_out(profile, hearing, mode));

    let target = &checklist.rules(mode).brevity;
    let tip = if length.talk_s > target.max_s {
        Some(target.tip_long.clone())
    } else if length.talk_s < target.min_s {
        Some(target.tip_short.clone())
    } else {
        None
    };
    let brevity = BrevityCheck {
        duration_s: length.duration_s,
        speech_s: length.speech_s,
        talk_s: length.talk_s,
        estimated: length.estimated,
        target_min_s: target.min_s,
        target_max_s: target.max_s,
        weight: target.weight,
        tip,
    };
    let not_a_rehearsal = not_a_rehearsal(words.len(), &findings, reading.as_ref());
    Analysis {
        mode,
        mode_detected,
        findings,
        brevity,
        has_speech: !words.is_empty(),
        left_out,
        meaning,
        not_a_rehearsal,
    }
}

/// Whether a take is something other than a rehearsal: silent, a few words, or words with
/// none of a thank-you call's points in them — or, with the meaning model, at most three points
/// in a take the model reads as being about something else ("when you hear the bell, come
/// quickly" among read-aloud sentences).
fn not_a_rehearsal(
    words: usize,
    findings: &[Finding],
    reading: Option<&Reading<'_>>,
) -> Option<NotARehearsal> {
    let found = findings.iter().filter(|f| f.found()).count();
    let off_topic = reading.is_some_and(Reading::about_something_else);
    match words {
        0 => Some(NotARehearsal::Silent),
        n if n < LEAST_WORDS => Some(NotARehearsal::TooFewWords(n)),
        _ if found == 0 || (found <= MOST_POINTS_OF_NO_REHEARSAL && off_topic) => {
            Some(NotARehearsal::OffTopic)
        }
        _ => None,
    }
}

/// What the rules (with the profile) say of one element: where it was ticked, as word
/// indices, the tip for a miss, and whether the profile decides it.
struct RuleVerdict<'a> {
    element: &'a Element,
    weight: u32,
    heard: Option<(usize, usize)>,
    tip: String,
    profile_decides: bool,
}

/// An element's verdict: the words that carry it (indices into the take's words), and who
/// decided.
struct Verdict {
    words: Option<(usize, usize)>,
    decided_by: Layer,
    confidence: Option<f32>,
}

/// The meaning model's say on the rules' verdict: a tick it finds unlikely in every unit
/// around the matched words is vetoed; a miss is added where one unit clearly carries the
/// element. Elements without a head keep the rules' verdict.
///
/// A unit that holds one of the element's look-alikes (its `unless` phrases: "could you send
/// me" is no offer) is never the one that adds it: the rules know those better.
fn second_opinion(
    element: &str,
    heard: Option<(usize, usize)>,
    look_alikes: &[(usize, usize)],
    reading: &Reading<'_>,
) -> Verdict {
    let rules = Verdict { words: heard, decided_by: Layer::Rules, confidence: None };
    let Some(head) = reading.head(element) else { return rules };
    let clear = |unit: &Unit| !look_alikes.iter().any(|&(a, b)| a <= unit.last && unit.first <= b);
    match heard {
        Some((first, _)) => {
            let Some(p) = reading.at(element, first) else { return rules };
            if p < head.veto_below {
                Verdict { words: None, decided_by: Layer::Model, confidence: Some(1.0 - p) }
            } else {
                Verdict { confidence: Some(p.max(1.0 - p)), ..rules }
            }
        }
        None => match reading.best(element, clear) {
            Some((unit, p)) if p >= head.add_at => Verdict {
                words: Some((unit.first, unit.last)),
                decided_by: Layer::Model,
                confidence: Some(p),
            },
            Some((_, p)) => Verdict { confidence: Some(1.0 - p), ..rules },
            None => rules,
        },
    }
}

/// An element as the user's profile judges it, where the profile knows what it should be:
/// where it was said, and the tip for a miss. Other elements keep the checklist's judgement.
fn judge_personally(
    element: &Element,
    heard: Option<Match>,
    profile: &Profile,
    hearing: &Hearing<'_>,
    quote: &dyn Fn(Match) -> Evidence,
) -> (Option<Match>, String, bool) {
    match element.id.as_str() {
        "job_title" => {
            let (Some(title), Some(said)) = (&profile.job_title, hearing.job_title) else {
                return (heard, element.tip.clone(), false);
            };
            let tip = match heard {
                Some(other) => format!(
                    "You named the job as \"{}\": say the title you applied for, \"{title}\", \
                     so they place you at once.",
                    quote(other).quote
                ),
                None => format!("Name the job you interviewed for: \"{title}\"."),
            };
            (said, tip, true)
        }
        "qualifications" if !profile.qualifications.is_empty() => {
            let first = hearing.qualifications.iter().filter_map(|h| h.at).min_by_key(|m| m.start);
            let example = &profile.qualifications[0];
            let tie = example.need.as_ref().map_or(String::new(), |need| format!(" for {need}"));
            let tip = format!(
                "Recap one or two of your strengths and tie them to what they need, e.g. your \
                 {}{tie}.",
                example.skill
            );
            (first, tip, false)
        }
        "caller_name" => {
            let (Some(name), Some(own)) = (&profile.name, &hearing.own_name) else {
                return (heard, element.tip.clone(), false);
            };
            let names_self = |intro: &Match| own.iter().any(|said| said.overlaps(intro));
            match heard {
                Some(intro) if names_self(&intro) => (Some(intro), element.tip.clone(), true),
                // The user's own name said anywhere names them: nobody calls themselves
                // anything else.
                _ if !own.is_empty() => (own.first().copied(), element.tip.clone(), true),
                Some(other) => {
                    let tip = format!(
                        "You introduced yourself as \"{}\": say your own name, {name}, so they \
                         know at once who is calling.",
                        quote(other).quote
                    );
                    (None, tip, true)
                }
                None => (None, format!("Start by saying your name, {name}."), true),
            }
        }
        "phone_number" | "number_repeated" => {
            let (Some(phone), Some(numbers)) = (&profile.phone, &hearing.numbers) else {
                return (heard, element.tip.clone(), false);
            };
            let theirs = numbers.iter().filter(|n| n.theirs).nth(element.times.max(1) - 1);
            let tip = match numbers.iter().find(|n| !n.theirs) {
                Some(wrong) => format!(
                    "The number you left, {}, is not the one in your profile, {phone}: check \
                     the digits.",
                    grouped(&wrong.digits)
                ),
                None => format!("{} Your number: {phone}.", element.tip),
            };
            (theirs.map(|n| n.at), tip, true)
        }
        _ => (heard, element.tip.clone(), false),
    }
}

/// Digits grouped the way North American numbers are read out (617-555-0142, 555-0142);
/// other lengths as they are.
fn grouped(digits: &str) -> String {
    match digits.len() {
        7 => format!("{}-{}", &digits[..3], &digits[3..]),
        10 => format!("{}-{}-{}", &digits[..3], &digits[3..6], &digits[6..]),
        _ => digits.to_string(),
    }
}

/// The profile's points that the rehearsal did not make: qualifications and wished-for points
/// in a call, the interviewer's name in either.
fn left_out(profile: &Profile, hearing: &Hearing<'_>, mode: Mode) -> Vec<String> {
    let mut left_out = Vec::new();
    if hearing.interviewer_named == Some(false) {
        let name = profile.interviewer.as_deref().unwrap_or_default();
        left_out.push(format!("You didn't address {name} by name."));
    }
    if mode == Mode::Call {
        for missed in hearing.qualifications.iter().filter(|h| h.at.is_none()) {
            left_out.push(format!("You didn't mention your {}.", missed.detail.skill));
        }
        for missed in hearing.wishes.iter().filter(|h| h.at.is_none()) {
            left_out.push(format!(
                "You didn't add what you wished you had said in the interview: \"{}\".",
                missed.detail
            ));
        }
    }
    left_out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcribe::Word;

    const CALL: ModeChoice = ModeChoice::Given(Mode::Call);

    /// Words one every half second, as a transcript fixture.
    fn spoken(text: &str) -> Transcript {
        let words = text
            .split_whitespace()
            .enumerate()
            .map(|(i, w)| Word {
                text: w.to_string(),
                start_s: 1.0 + i as f64 * 0.5,
                end_s: 1.4 + i as f64 * 0.5,
            })
            .collect();
        Transcript { words }
    }

    fn found_ids(analysis: &Analysis) -> Vec<&str> {
        analysis.findings.iter().filter(|f| f.found()).map(|f| f.id.as_str()).collect()
    }

    const COMPLETE: &str =
        "Hi Ms. Carter, this is Daniel Brooks. I interviewed with you yesterday \
        for the marketing coordinator position. Thank you for taking the time to meet with me. \
        In my last role I ran email campaigns that grew online sales by twenty percent, which fits \
        the growth goals you described. I would be happy to send references or samples of my \
        work if that would help. May I ask when you expect to make a decision? Thank you again.";

    #[test]
    fn a_complete_call_finds_every_element_with_evidence() {
        let transcript = spoken(COMPLETE);
        let timing = TakeTiming { duration_s: 60.0, speech_s: 40.0 };
        let analysis = analyze(&transcript, timing, &Checklist::builtin(), CALL);
        assert_eq!(
            found_ids(&analysis),
            [
                "thanks",
                "job_title",
                "qualifications",
                "offer_info",
                "decision_timeline",
                "caller_name"
            ]
        );
        let thanks = &analysis.findings[0];
        let evidence = thanks.evidence.as_ref().unwrap();
        assert_eq!(evidence.quote, "Thank you for taking the time");
        assert_eq!(evidence.start_s, Some(1.0 + 17.0 * 0.5), "the 18th word");
        assert_eq!(thanks.tip, None);
        assert!(analysis.brevity.ok(), "{:?}", analysis.brevity);
    }

    #[test]
    fn a_bare_goodbye_is_not_thanks_and_misses_carry_tips() {
        let transcript = spoken("Hi, I'm calling about the job. Okay, thanks, bye.");
        let timing = TakeTiming { duration_s: 5.0, speech_s: 3.0 };
        let analysis = analyze(&transcript, timing, &Checklist::builtin(), CALL);
        assert_eq!(found_ids(&analysis), Vec::<&str>::new());
        assert!(analysis.findings.iter().all(|f| f.tip.is_some()));
        assert_eq!(
            analysis.brevity.tip.as_deref(),
            Some(Checklist::builtin().rules(Mode::Call).brevity.tip_short.as_str())
        );
    }

    #[test]
    fn a_script_is_judged_alike_without_times_and_its_length_estimated() {
        let script = Script::new(&COMPLETE.replace(". ", ".\n"));
        let analysis = analyze_script(&script, &Checklist::builtin(), CALL);
        let timed = analyze(
            &spoken(COMPLETE),
            TakeTiming { duration_s: 60.0, speech_s: 40.0 },
            &Checklist::builtin(),
            CALL,
        );
        assert_eq!(found_ids(&analysis), found_ids(&timed));
        let thanks = analysis.findings[0].evidence.as_ref().unwrap();
        assert_eq!(
            (thanks.quote.as_str(), thanks.start_s, thanks.end_s),
            ("Thank you for taking the time", None, None)
        );
        let words = COMPLETE.split_whitespace().count() as f64;
        assert_eq!(analysis.brevity.talk_s, words * 60.0 / SCRIPT_WORDS_PER_MINUTE);
        assert!(analysis.brevity.estimated && analysis.brevity.duration_s.is_none());
    }

    #[test]
    fn a_script_line_ends_a_sentence() {
        let checklist = Checklist::builtin();
        let one_line =
            analyze_script(&Script::new("thank you\nfor the interview"), &checklist, CALL);
        assert!(!one_line.findings[0].found(), "{:?}", one_line.findings[0]);
        let joined = analyze_script(&Script::new("thank you for the interview"), &checklist, CALL);
        assert!(joined.findings[0].found());
    }

    fn dana() -> Profile {
        Profile::parse(
            r#"version = 1
name = "Dana Reed"
phone = "617-555-0142"
job_title = "Marketing Coordinator"
interviewer = "Ms. Carter"
wish_i_had_said = ["I also speak Spanish"]
[[qualifications]]
skill = "PMP certification"
need = "the spring launch"
[[qualifications]]
skill = "five years of email marketing"
"#,
            std::path::Path::new("profile.toml"),
            chrono::Local::now().naive_local(),
        )
        .unwrap()
    }

    fn finding<'a>(analysis: &'a Analysis, id: &str) -> &'a Finding {
        analysis.findings.iter().find(|f| f.id == id).unwrap()
    }

    #[test]
    fn a_profile_judges_the_title_and_qualifications_as_the_users_own() {
        let checklist = Checklist::builtin().with_profile(dana());
        let judge = |text: &str| analyze_script(&Script::new(text), &checklist, CALL);

        let generic = analyze_script(&Script::new(COMPLETE), &Checklist::builtin(), CALL);
        assert!(finding(&generic, "job_title").found() && generic.left_out.is_none());
        let elsewhere = judge(COMPLETE);
        assert!(finding(&elsewhere, "job_title").found(), "marketing coordinator is Dana's too");
        assert!(!finding(&elsewhere, "qualifications").found(), "twenty percent is not Dana's");
        assert_eq!(
            finding(&elsewhere, "qualifications").tip.as_deref(),
            Some(
                "Recap one or two of your strengths and tie them to what they need, e.g. your \
                 PMP certification for the spring launch."
            )
        );
        assert_eq!(
            elsewhere.left_out.unwrap(),
            [
                "You didn't mention your PMP certification.",
                "You didn't mention your five years of email marketing.",
                "You didn't add what you wished you had said in the interview: \"I also speak \
                 Spanish\"."
            ],
            "Ms. Carter was addressed"
        );

        let other_job = judge(
            "Hi Mr. Ortiz, I interviewed for the sales manager position. My PMP \
                               certification fits. I also speak Spanish.",
        );
        let title = finding(&other_job, "job_title");
        assert!(!title.found());
        assert_eq!(
            title.tip.as_deref(),
            Some(
                "You named the job as \"interviewed for the sales manager\": say the title you \
                 applied for, \"Marketing Coordinator\", so they place you at once."
            )
        );
        assert_eq!(
            finding(&other_job, "qualifications").evidence.as_ref().unwrap().quote,
            "PMP \
                   certification"
        );
        assert_eq!(
            other_job.left_out.unwrap(),
            [
                "You didn't address Ms. Carter by name.",
                "You didn't mention your five years of email marketing."
            ]
        );
    }

    #[test]
    fn a_profile_credits_only_the_users_own_number_on_a_voicemail() {
        let checklist = Checklist::builtin().with_profile(dana());
        let voicemail = ModeChoice::Given(Mode::Voicemail);
        let judge = |text: &str| analyze_script(&Script::new(text), &checklist, voicemail);
        let right = judge(
            "Please call me back at six one seven, five five five, oh one four \
                           two. Again, 617-555-0142.",
        );
        assert!(
            finding(&right, "phone_number").found() && finding(&right, "number_repeated").found()
        );
        assert_eq!(right.left_out.as_ref().unwrap().len(), 1, "Ms. Carter, not qualifications");
        let transposed = judge("Please call me back at 617-555-0124. Again, 617-555-0124.");
        let number = finding(&transposed, "phone_number");
        assert!(!number.found());
        assert_eq!(
            number.tip.as_deref(),
            Some(
                "The number you left, 617-555-0124, is not the one in your profile, \
                  617-555-0142: check the digits."
            )
        );
        let generic = analyze_script(
            &Script::new("Please call me back at 617-555-0124. Again, 617-555-0124."),
            &Checklist::builtin(),
            voicemail,
        );
        assert!(finding(&generic, "number_repeated").found(), "any number, without a profile");
    }

    #[test]
    fn silence_finds_nothing() {
        let analysis = analyze(
            &Transcript::default(),
            TakeTiming { duration_s: 10.0, speech_s: 0.0 },
            &Checklist::builtin(),
            CALL,
        );
        assert!(!analysis.has_speech);
        assert!(analysis.findings.iter().all(|f| !f.found()));
        assert_eq!(analysis.brevity.talk_s, 0.0);
    }
}
