//! What a run of rehearsals says: the best take, and the element most often missed lately.

use serde::Serialize;

use super::Rehearsal;

/// How many recent takes the most-missed element is counted over.
pub const RECENT_TAKES: usize = 5;

/// An element missed again and again in the recent takes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Missed {
    pub id: String,
    pub label: String,
    /// The checklist's tip from the latest take that missed it.
    pub tip: Option<String>,
    /// In how many of the last `takes` takes it was missed.
    pub missed: usize,
    pub takes: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// The id of the best take: the highest score, the latest of equals.
    pub best: Option<u64>,
    /// The element missed most often in the last [`RECENT_TAKES`] takes, when one was
    /// missed at least twice; the checklist's order breaks a tie.
    pub most_missed: Option<Missed>,
}

impl Trend {
    /// The trend of rehearsals given oldest first.
    pub fn of(rehearsals: &[Rehearsal]) -> Self {
        // `max_by_key` keeps the last of equals.
        let best = rehearsals.iter().max_by_key(|r| r.report.score).map(|r| r.id);
        Self { best, most_missed: most_missed(rehearsals) }
    }
}

fn most_missed(rehearsals: &[Rehearsal]) -> Option<Missed> {
    let recent = &rehearsals[rehearsals.len().saturating_sub(RECENT_TAKES)..];
    let mut counts: Vec<Missed> = Vec::new();
    for rehearsal in recent {
        for element in rehearsal.report.elements.iter().filter(|e| !e.found) {
            let position = counts.iter().position(|m| m.id == element.id);
            let missed = match position {
                Some(i) => &mut counts[i],
                None => {
                    counts.push(Missed {
                        id: element.id.clone(),
                        label: element.label.clone(),
                        tip: None,
                        missed: 0,
                        takes: recent.len(),
                    });
                    counts.last_mut().expect("just pushed")
                }
            };
            missed.missed += 1;
            missed.tip = element.tip.clone().or(missed.tip.take());
        }
    }
    // `max_by_key` keeps the last of equals; reversing keeps the checklist's first.
    counts.into_iter().rev().max_by_key(|m| m.missed).filter(|m| m.missed >= 2)
}

/// Scores as a line of block characters, lowest ▁ (0) to highest █ (100).
pub fn sparkline(scores: &[u32]) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    scores.iter().map(|&s| BLOCKS[(s.min(100) as usize * (BLOCKS.len() - 1) + 50) / 100]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{BrevityReport, ElementReport, Report};

    /// A rehearsal that found the elements marked `true`, in the order thanks, job, timeline.
    fn rehearsal(id: u64, score: u32, found: [bool; 3]) -> Rehearsal {
        let element = |id: &str, found: bool| ElementReport {
            id: id.into(),
            label: format!("{id} label"),
            found,
            evidence: found.then(|| "…".into()),
            start_s: None,
            end_s: None,
            tip: (!found).then(|| format!("{id} tip from take {score}")),
            decided_by: crate::analysis::Layer::Rules,
            confidence: None,
        };
        Rehearsal {
            id,
            at: chrono::Utc::now(),
            recording: "/take.wav".into(),
            recorded_by_callcoach: false,
            report: Report {
                file: "take.wav".into(),
                duration_s: Some(40.0),
                speech_s: Some(30.0),
                transcript: String::new(),
                words: Vec::new(),
                elements: vec![
                    element("thanks", found[0]),
                    element("job_title", found[1]),
                    element("decision_timeline", found[2]),
                ],
                brevity: BrevityReport {
                    duration_s: Some(40.0),
                    speech_s: Some(30.0),
                    talk_s: 35.0,
                    estimated: false,
                    target_min_s: 30.0,
                    target_max_s: 120.0,
                    ok: true,
                    tip: None,
                },
                score,
                ..crate::report::tests::sample_report()
            },
        }
    }

    #[test]
    fn the_best_take_is_the_highest_score_and_the_latest_of_equals() {
        let takes = [
            rehearsal(1, 40, [true; 3]),
            rehearsal(2, 90, [true; 3]),
            rehearsal(3, 90, [true; 3]),
            rehearsal(4, 70, [true; 3]),
        ];
        assert_eq!(Trend::of(&takes).best, Some(3));
        assert_eq!(Trend::of(&[]).best, None);
    }

    #[test]
    fn the_most_missed_element_is_counted_over_the_last_five_takes() {
        let takes = [
            // Older than the last five: its misses do not count.
            rehearsal(1, 10, [false, false, true]),
            rehearsal(2, 20, [true, false, false]),
            rehearsal(3, 30, [true, true, false]),
            rehearsal(4, 40, [false, true, false]),
            rehearsal(5, 50, [true, false, false]),
            rehearsal(6, 60, [true, true, true]),
        ];
        let missed = Trend::of(&takes).most_missed.unwrap();
        assert_eq!((missed.id.as_str(), missed.missed, missed.takes), ("decision_timeline", 4, 5));
        assert_eq!(missed.label, "decision_timeline label");
        assert_eq!(missed.tip.as_deref(), Some("decision_timeline tip from take 50"));
    }

    #[test]
    fn ties_go_to_the_checklist_order_and_a_single_miss_is_no_pattern() {
        let tied = [rehearsal(1, 0, [false, false, true]), rehearsal(2, 0, [false, false, true])];
        assert_eq!(Trend::of(&tied).most_missed.unwrap().id, "thanks");
        let once = [rehearsal(1, 0, [false, true, true]), rehearsal(2, 0, [true, true, true])];
        assert_eq!(Trend::of(&once).most_missed, None);
    }

    #[test]
    fn the_sparkline_spans_zero_to_a_hundred() {
        assert_eq!(sparkline(&[0, 50, 100]), "▁▅█");
        assert_eq!(sparkline(&[]), "");
    }
}
