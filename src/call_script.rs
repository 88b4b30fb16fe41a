//! The call script written from the user's profile ("make a short list of what to say"):
//! each point the checklist looks for, in the user's own details, one point a line, short
//! enough for the brevity target when read at a calm pace.
//!
//! It is written to be checked: `callcoach check` of the script scores 100 with the same
//! profile, and a line taken out shows up as the element it carried.

use std::fmt::Write as _;

use crate::analysis::SCRIPT_WORDS_PER_MINUTE;
use crate::checklist::{BrevityTarget, Mode};
use crate::profile::Profile;

/// How many qualifications a call recaps at most: two or three points, not the résumé.
const MOST_QUALIFICATIONS: usize = 3;
/// And at least, where the profile has them and the time allows.
const FEWEST_QUALIFICATIONS: usize = 2;

/// A script, and the profile fields it had to leave as placeholders.
#[derive(Debug, Clone, PartialEq)]
pub struct CallScript {
    /// Lines starting with `#` are notes for the reader; `callcoach check` skips them.
    pub text: String,
    /// The profile fields that were empty, by their names in the profile file.
    pub missing: Vec<&'static str>,
}

/// Writes the script for `mode`, within `brevity`'s longest time at
/// [`SCRIPT_WORDS_PER_MINUTE`] where the profile's points allow.
pub fn write(profile: &Profile, mode: Mode, brevity: &BrevityTarget) -> CallScript {
    let mut missing = Vec::new();
    let mut field = |value: &Option<String>, name: &'static str, placeholder: &str| match value {
        Some(value) => value.clone(),
        None => {
            missing.push(name);
            format!("[{placeholder}]")
        }
    };
    let interviewer = field(&profile.interviewer, "interviewer", "their name");
    let name = field(&profile.name, "name", "your name");
    let title = field(&profile.job_title, "job_title", "job title");
    let at_company = profile.company.as_ref().map_or(String::new(), |c| format!(" at {c}"));
    let on_day =
        profile.interview_at.map_or(String::new(), |at| format!(" on {}", at.format("%A")));

    let (lines, heading) = match mode {
        Mode::Call => {
            if profile.qualifications.is_empty() {
                missing.push("qualifications");
            }
            let opening = [
                format!("Hi {interviewer}, this is {name}."),
                format!("I interviewed with you{on_day} for the {title} position{at_company}."),
                "Thank you for taking the time to meet with me.".to_string(),
            ];
            let closing = [
                "If it would help, I'd be happy to send references or samples of my work."
                    .to_string(),
                "May I ask when you expect to make a decision?".to_string(),
                "Thank you again for your time. Goodbye.".to_string(),
            ];
            let mut strengths: Vec<String> = profile
                .qualifications
                .iter()
                .take(MOST_QUALIFICATIONS)
                .map(|q| match &q.need {
                    Some(need) => format!("My {} would help with {need}.", q.skill),
                    None => format!("I would also bring my {}.", q.skill),
                })
                .collect();
            if strengths.is_empty() {
                strengths.push(
                    "[One of your strengths, tied to what they need: \"My five years in email \
                     marketing fit your growth goals.\"]"
                        .to_string(),
                );
            }
            let mut wish = profile
                .wish_i_had_said
                .first()
                .map(|w| format!("One thing I didn't mention in the interview: {w}."));
            // Until the call fits: first the wished-for point goes, then qualifications
            // beyond the fewest a recap needs.
            let lines = loop {
                let lines: Vec<String> = opening
                    .iter()
                    .chain(&strengths)
                    .chain(&wish)
                    .chain(&closing)
                    .cloned()
                    .collect();
                if minutes_to_say(&lines) * 60.0 <= brevity.max_s {
                    break lines;
                }
                if wish.take().is_none() {
                    if strengths.len() <= FEWEST_QUALIFICATIONS {
                        break lines;
                    }
                    strengths.pop();
                }
            };
            (lines, format!("Your call to {interviewer} about the {title} job"))
        }
        Mode::Voicemail => {
            let phone = field(&profile.phone, "phone", "your phone number");
            let lines = vec![
                format!(
                    "Hi {interviewer}, this is {name}, calling about the {title} \
                     position{at_company}."
                ),
                format!("Thank you again for meeting with me{on_day}."),
                format!("If I can provide any more information, please call me back at {phone}."),
                format!("Again, that's {phone}."),
                "Thank you, and have a good day.".to_string(),
            ];
            (lines, format!("Your voicemail for {interviewer} about the {title} job"))
        }
    };

    let seconds = minutes_to_say(&lines) * 60.0;
    let mut text = String::new();
    let _ = writeln!(
        text,
        "# {heading}: about {:.0} seconds at {SCRIPT_WORDS_PER_MINUTE} words a minute.",
        seconds
    );
    let _ = writeln!(
        text,
        "# Read it aloud a few times, then say it in your own words: `callcoach record`."
    );
    for line in &lines {
        let _ = writeln!(text, "{line}");
    }
    CallScript { text, missing }
}

fn minutes_to_say(lines: &[String]) -> f64 {
    let words: usize = lines.iter().map(|l| l.split_whitespace().count()).sum();
    words as f64 / SCRIPT_WORDS_PER_MINUTE
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{analyze_script, ModeChoice, Script};
    use crate::checklist::Checklist;
    use crate::profile::Qualification;
    use crate::score::score;

    fn dana() -> Profile {
        let skill = |skill: &str, need: &str| Qualification {
            skill: skill.into(),
            need: (!need.is_empty()).then(|| need.into()),
        };
        Profile {
            name: Some("Dana Reed".into()),
            phone: Some("617-555-0142".into()),
            job_title: Some("Marketing Coordinator".into()),
            company: Some("Northwind Foods".into()),
            interviewer: Some("Ms. Carter".into()),
            interview_at: None,
            qualifications: vec![
                skill("PMP certification", "bringing the spring launch in on schedule"),
                skill("five years of email marketing", "growing online sales"),
                skill("experience with Salesforce", ""),
                skill("fluent Spanish", "your customers in Mexico"),
            ],
            wish_i_had_said: vec!["I led a team of four at my last job".into()],
        }
    }

    #[test]
    fn each_script_meets_its_own_checklist_with_the_profile() {
        let checklist = Checklist::builtin().with_profile(dana());
        for mode in [Mode::Call, Mode::Voicemail] {
            let script = write(&dana(), mode, &checklist.rules(mode).brevity);
            assert!(script.missing.is_empty());
            let analysis =
                analyze_script(&Script::new(&script.text), &checklist, ModeChoice::Detect);
            assert_eq!(analysis.mode, mode, "the script sounds like what it is");
            assert_eq!(score(&analysis).value, 100, "{mode}: {analysis:#?}");
            let left_out = analysis.left_out.unwrap();
            let expected_left_out: &[&str] = match mode {
                Mode::Call => &["You didn't mention your fluent Spanish."],
                Mode::Voicemail => &[],
            };
            assert_eq!(left_out, expected_left_out, "three qualifications at most");
        }
    }

    #[test]
    fn a_long_profile_is_cut_to_the_brevity_target_but_keeps_two_qualifications() {
        let checklist = Checklist::builtin();
        let brevity = &checklist.rules(Mode::Call).brevity;
        let padded = |times: usize| {
            let mut wordy = dana();
            let more = "and many other things the team will need over the next few years ";
            for q in &mut wordy.qualifications {
                q.need =
                    Some(format!("{}{}", more.repeat(times), q.need.clone().unwrap_or_default()));
            }
            let script = write(&wordy, Mode::Call, brevity);
            let seconds =
                Script::new(&script.text).words().count() as f64 * 60.0 / SCRIPT_WORDS_PER_MINUTE;
            (script.text, seconds)
        };
        let (text, seconds) = padded(6);
        assert!(!text.contains("led a team"), "the wished-for point goes first");
        assert_eq!(text.matches("would help with").count(), 2, "then the third qualification");
        assert!(seconds <= brevity.max_s, "{seconds} s");
        let (text, seconds) = padded(12);
        assert_eq!(text.matches("would help with").count(), 2, "a recap keeps two");
        assert!(seconds > brevity.max_s, "{seconds} s");
    }

    #[test]
    fn an_empty_profile_leaves_placeholders_and_names_them() {
        let checklist = Checklist::builtin();
        let script =
            write(&Profile::default(), Mode::Voicemail, &checklist.rules(Mode::Voicemail).brevity);
        assert_eq!(script.missing, ["interviewer", "name", "job_title", "phone"]);
        assert!(script.text.contains(
            "Hi [their name], this is [your name], calling about the \
                                      [job title] position."
        ));
    }
}
