//! Judging a transcript against a [`Checklist`]: which elements were said, with the words
//! and times that show it, and whether the call was brief.

use serde::Serialize;

use crate::checklist::{pattern, Checklist};
use crate::transcribe::Transcript;

/// How long the take is and how much of it is voice, measured from the audio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TakeTiming {
    pub duration_s: f64,
    pub speech_s: f64,
}

/// The words that show an element was said, and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub quote: String,
    pub start_s: f64,
    pub end_s: f64,
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
    pub duration_s: f64,
    pub speech_s: f64,
    /// From the first word to the last: the call's own talk, without leading or trailing silence.
    pub talk_s: f64,
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

#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub findings: Vec<Finding>,
    pub brevity: BrevityCheck,
    /// Whether anything was said at all.
    pub has_speech: bool,
}

pub fn analyze(transcript: &Transcript, timing: TakeTiming, checklist: &Checklist) -> Analysis {
    let words = &transcript.words;
    // Tokens drop words that are only punctuation; keep the map back to the timed words.
    let (tokens, word_of_token): (Vec<pattern::Token>, Vec<usize>) = words
        .iter()
        .enumerate()
        .flat_map(|(i, w)| pattern::tokens([w.text.as_str()]).into_iter().map(move |t| (t, i)))
        .unzip();

    let findings = checklist
        .elements
        .iter()
        .map(|element| {
            let first = element
                .phrases
                .iter()
                .filter_map(|p| p.find(&tokens))
                .min_by_key(|m| (m.start, m.end));
            let evidence = first.map(|m| {
                let (first_word, last_word) = (word_of_token[m.start], word_of_token[m.end - 1]);
                let quoted: Vec<&str> =
                    words[first_word..=last_word].iter().map(|w| w.text.as_str()).collect();
                Evidence {
                    quote: quoted.join(" "),
                    start_s: words[first_word].start_s,
                    end_s: words[last_word].end_s,
                }
            });
            Finding {
                id: element.id.clone(),
                label: element.label.clone(),
                weight: element.weight,
                tip: evidence.is_none().then(|| element.tip.clone()),
                evidence,
            }
        })
        .collect();

    let talk_s = match (words.first(), words.last()) {
        (Some(first), Some(last)) => (last.end_s - first.start_s).max(0.0),
        _ => 0.0,
    };
    let target = &checklist.brevity;
    let tip = if talk_s > target.max_s {
        Some(target.tip_long.clone())
    } else if talk_s < target.min_s {
        Some(target.tip_short.clone())
    } else {
        None
    };
    let brevity = BrevityCheck {
        duration_s: timing.duration_s,
        speech_s: timing.speech_s,
        talk_s,
        target_min_s: target.min_s,
        target_max_s: target.max_s,
        weight: target.weight,
        tip,
    };
    Analysis { findings, brevity, has_speech: !words.is_empty() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcribe::Word;

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
        let analysis = analyze(&transcript, timing, &Checklist::builtin());
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
        assert_eq!(evidence.start_s, 1.0 + 17.0 * 0.5, "the 18th word");
        assert_eq!(thanks.tip, None);
        assert!(analysis.brevity.ok(), "{:?}", analysis.brevity);
    }

    #[test]
    fn a_bare_goodbye_is_not_thanks_and_misses_carry_tips() {
        let transcript = spoken("Hi, I'm calling about the job. Okay, thanks, bye.");
        let timing = TakeTiming { duration_s: 5.0, speech_s: 3.0 };
        let analysis = analyze(&transcript, timing, &Checklist::builtin());
        assert_eq!(found_ids(&analysis), Vec::<&str>::new());
        assert!(analysis.findings.iter().all(|f| f.tip.is_some()));
        assert_eq!(
            analysis.brevity.tip.as_deref(),
            Some(Checklist::builtin().brevity.tip_short.as_str())
        );
    }

    #[test]
    fn silence_finds_nothing() {
        let analysis = analyze(
            &Transcript::default(),
            TakeTiming { duration_s: 10.0, speech_s: 0.0 },
            &Checklist::builtin(),
        );
        assert!(!analysis.has_speech);
        assert!(analysis.findings.iter().all(|f| !f.found()));
        assert_eq!(analysis.brevity.talk_s, 0.0);
    }
}
