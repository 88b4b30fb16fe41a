//! The rehearsal's score: the weighted share of the checklist it met, 0 to 100.

use serde::Serialize;

use crate::analysis::Analysis;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Score {
    /// 0–100.
    pub value: u32,
    pub earned: u32,
    pub possible: u32,
}

/// Each found element earns its weight; a call within the brevity target earns the brevity
/// weight. A take with no speech earns nothing, however short it is.
pub fn score(analysis: &Analysis) -> Score {
    let elements = analysis.findings.iter().map(|f| (f.weight, f.found()));
    let brevity = (analysis.brevity.weight, analysis.has_speech && analysis.brevity.ok());
    let (earned, possible) = elements.chain(std::iter::once(brevity)).fold(
        (0, 0),
        |(earned, possible), (weight, met)| {
            (earned + if met { weight } else { 0 }, possible + weight)
        },
    );
    let value = (earned * 100 + possible / 2).checked_div(possible).unwrap_or(0);
    Score { value, earned, possible }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{BrevityCheck, Evidence, Finding, Layer, MeaningUse};
    use crate::checklist::Mode;

    fn finding(weight: u32, found: bool) -> Finding {
        Finding {
            id: "x".into(),
            label: "x".into(),
            weight,
            evidence: found.then(|| Evidence {
                quote: "x".into(),
                start_s: Some(0.0),
                end_s: Some(1.0),
            }),
            tip: (!found).then(|| "tip".into()),
            decided_by: Layer::Rules,
            confidence: None,
        }
    }

    fn analysis(findings: Vec<Finding>, brevity_ok: bool, has_speech: bool) -> Analysis {
        let brevity = BrevityCheck {
            duration_s: Some(60.0),
            speech_s: Some(50.0),
            talk_s: 55.0,
            estimated: false,
            target_min_s: 30.0,
            target_max_s: 120.0,
            weight: 10,
            tip: (!brevity_ok).then(|| "shorter".into()),
        };
        Analysis {
            mode: Mode::Call,
            mode_detected: false,
            findings,
            brevity,
            has_speech,
            left_out: None,
            meaning: MeaningUse::Absent,
            not_a_rehearsal: None,
        }
    }

    #[test]
    fn weights_decide_the_score() {
        let all = analysis(vec![finding(20, true), finding(70, true)], true, true);
        assert_eq!(score(&all), Score { value: 100, earned: 100, possible: 100 });
        let some = analysis(vec![finding(20, true), finding(70, false)], false, true);
        assert_eq!(score(&some).value, 20);
        let odd = analysis(vec![finding(1, true), finding(2, false)], false, true);
        assert_eq!(score(&odd), Score { value: 8, earned: 1, possible: 13 });
    }

    #[test]
    fn silence_scores_zero() {
        let silent = analysis(vec![finding(20, false)], true, false);
        assert_eq!(score(&silent).value, 0);
    }
}
