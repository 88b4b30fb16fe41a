//! The report of one rehearsal: one serialisable model, rendered for people or as JSON.
//!
//! # JSON format (`--json`), version 1
//!
//! `callcoach analyze --json` prints exactly one JSON document on stdout (for several
//! files, one document per line):
//!
//! ```json
//! {
//!   "version": 1,
//!   "file": "samples/complete-call.wav",
//!   "mode": "call",
//!   "duration_s": 37.89,
//!   "speech_s": 31.2,
//!   "transcript": "Hi Ms. Carter, this is Daniel Brooks. …",
//!   "words": [{"text": "Hi", "start_s": 0.5, "end_s": 0.72}, …],
//!   "elements": [
//!     {"id": "thanks", "label": "Thanked them for their time", "found": true,
//!      "evidence": "Thank you for taking the time", "start_s": 7.1, "end_s": 8.9, "tip": null},
//!     {"id": "decision_timeline", "label": "Asked when they expect to decide", "found": false,
//!      "evidence": null, "start_s": null, "end_s": null,
//!      "tip": "If the call goes well, ask when they expect to make a decision, …"},
//!     …
//!   ],
//!   "brevity": {"duration_s": 36.63, "speech_s": 31.2, "talk_s": 35.4,
//!               "target_min_s": 30.0, "target_max_s": 120.0, "ok": true, "tip": null},
//!   "score": 100
//! }
//! ```
//!
//! - Times are seconds from the start of the recording.
//! - `speech_s` is the voiced time measured from the audio; `brevity.talk_s` runs from the
//!   first word to the last and is what the target (`target_min_s`–`target_max_s`) judges.
//! - Element ids are stable: `thanks`, `job_title`, `qualifications`, `offer_info`,
//!   `decision_timeline`, `caller_name` (a custom checklist may add its own).
//! - `evidence` quotes the first words that showed the element; `tip` is set only on a miss.
//! - `score` is 0–100: the weighted share of elements found plus the brevity target met.
//! - A new field may be added without a version change; a field's meaning never changes
//!   without one.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use serde::{Deserialize, Serialize};

use crate::analysis::Analysis;
use crate::score::Score;
use crate::transcribe::{Transcript, Word};

pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub version: u32,
    pub file: String,
    pub mode: String,
    pub duration_s: f64,
    pub speech_s: f64,
    pub transcript: String,
    pub words: Vec<Word>,
    pub elements: Vec<ElementReport>,
    pub brevity: BrevityReport,
    pub score: u32,
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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrevityReport {
    pub duration_s: f64,
    pub speech_s: f64,
    pub talk_s: f64,
    pub target_min_s: f64,
    pub target_max_s: f64,
    pub ok: bool,
    pub tip: Option<String>,
}

impl Report {
    pub fn new(file: &str, transcript: &Transcript, analysis: &Analysis, score: Score) -> Self {
        let elements = analysis
            .findings
            .iter()
            .map(|f| ElementReport {
                id: f.id.clone(),
                label: f.label.clone(),
                found: f.found(),
                evidence: f.evidence.as_ref().map(|e| e.quote.clone()),
                start_s: f.evidence.as_ref().map(|e| round_ms(e.start_s)),
                end_s: f.evidence.as_ref().map(|e| round_ms(e.end_s)),
                tip: f.tip.clone(),
            })
            .collect();
        let b = &analysis.brevity;
        Self {
            version: FORMAT_VERSION,
            file: file.to_string(),
            mode: "call".to_string(),
            duration_s: round_ms(b.duration_s),
            speech_s: round_ms(b.speech_s),
            transcript: transcript.text(),
            words: transcript
                .words
                .iter()
                .map(|w| Word {
                    text: w.text.clone(),
                    start_s: round_ms(w.start_s),
                    end_s: round_ms(w.end_s),
                })
                .collect(),
            elements,
            brevity: BrevityReport {
                duration_s: round_ms(b.duration_s),
                speech_s: round_ms(b.speech_s),
                talk_s: round_ms(b.talk_s),
                target_min_s: b.target_min_s,
                target_max_s: b.target_max_s,
                ok: analysis.has_speech && b.ok(),
                tip: b.tip.clone(),
            },
            score: score.value,
        }
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
        let _ = writeln!(
            out,
            "{bold}{}{bold:#}  {dim}{} · {}{dim:#}",
            self.file,
            self.mode,
            clock(self.duration_s)
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
        let _ = writeln!(out, "{bold}Checklist{bold:#}");
        for element in &self.elements {
            match (&element.evidence, element.start_s) {
                (Some(quote), Some(at)) => {
                    let _ = writeln!(out, "  {good}✓{good:#} {}", element.label);
                    let _ = writeln!(out, "    {dim}at {} \"{quote}\"{dim:#}", clock(at));
                }
                _ => {
                    let _ = writeln!(out, "  {bad}✗{bad:#} {}", element.label);
                    if let Some(tip) = &element.tip {
                        let _ = writeln!(out, "    Tip: {tip}");
                    }
                }
            }
        }
        let b = &self.brevity;
        let (mark, style) = if b.ok { ("✓", good) } else { ("✗", bad) };
        let _ = writeln!(
            out,
            "  {style}{mark}{style:#} Brief: {} of talk {dim}(target {}–{}){dim:#}",
            clock(b.talk_s),
            clock(b.target_min_s),
            clock(b.target_max_s)
        );
        if let Some(tip) = &b.tip {
            let _ = writeln!(out, "    Tip: {tip}");
        }
        out.push('\n');
        let _ = writeln!(out, "{bold}Score {}/100{bold:#}", self.score);
        out
    }
}

fn round_ms(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

/// Seconds as m:ss, the way people read call lengths.
fn clock(seconds: f64) -> String {
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
mod tests {
    use super::*;
    use crate::analysis::{analyze, TakeTiming};
    use crate::checklist::Checklist;
    use crate::score::score;

    fn sample_report() -> Report {
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
        );
        let score = score(&analysis);
        Report::new("take.wav", &transcript, &analysis, score)
    }

    #[test]
    fn json_round_trips_and_keeps_the_documented_shape() {
        let report = sample_report();
        let json = report.to_json();
        let back: Report = serde_json::from_str(&json).unwrap();
        assert_eq!(back, report);
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert!(json.starts_with("{\"version\":1,"), "the version leads: {json}");
        let mut keys: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "brevity",
                "duration_s",
                "elements",
                "file",
                "mode",
                "score",
                "speech_s",
                "transcript",
                "version",
                "words"
            ]
        );
        let thanks = &value["elements"][0];
        assert_eq!(thanks["id"], "thanks");
        assert_eq!(thanks["found"], true);
        assert_eq!(thanks["evidence"], "Thank you for your time");
        assert_eq!(thanks["start_s"], 2.0);
        assert!(thanks["tip"].is_null());
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
    fn clock_reads_like_a_call_length() {
        assert_eq!(clock(0.4), "0:00");
        assert_eq!(clock(75.6), "1:16");
        assert_eq!(clock(120.0), "2:00");
    }
}
