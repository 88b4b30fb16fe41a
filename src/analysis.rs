//! Judging what was said against a [`Checklist`]: which elements were said, with the words
//! (and, for a recording, the times) that show it, and whether the call was brief.
//!
//! Two kinds of input share one judgement: a recorded take's [`Transcript`], and a typed
//! [`Script`] (a call script written before calling, or a transcript typed out), which has
//! no times.

use serde::Serialize;

use crate::checklist::{Checklist, Mode};
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
/// closes a sentence, as a script written one point a line means it to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Script {
    lines: Vec<Vec<String>>,
}

impl Script {
    pub fn new(text: &str) -> Self {
        let lines = text
            .lines()
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
    let (tokens, word_of_token) = checklist.lexicon.read(words.iter().copied());
    let (mode, mode_detected) = match mode {
        ModeChoice::Given(mode) => (mode, false),
        ModeChoice::Detect => (checklist.detect_mode(&tokens), true),
    };

    let findings = checklist
        .elements_of(mode)
        .map(|(element, weight)| {
            let evidence = element.find(&tokens).map(|m| {
                let (first, last) = (word_of_token[m.start], word_of_token[m.end - 1]);
                let quoted: Vec<&str> = words[first..=last].iter().map(|(w, _)| *w).collect();
                Evidence {
                    quote: quoted.join(" "),
                    start_s: times(first).map(|(start, _)| start),
                    end_s: times(last).map(|(_, end)| end),
                }
            });
            Finding {
                id: element.id.clone(),
                label: element.label.clone(),
                weight,
                tip: evidence.is_none().then(|| element.tip.clone()),
                evidence,
            }
        })
        .collect();

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
    Analysis { mode, mode_detected, findings, brevity, has_speech: !words.is_empty() }
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
