//! The user's profile: who they are and what the interview was, so that the checks can be
//! personal — the job title they applied for, their own qualifications, the interviewer's
//! name, their phone number — and the call can be timed against the 24 hours after the
//! interview.
//!
//! It is a TOML file the user edits, written first by `callcoach profile init` from
//! [`TEMPLATE`]. Every field may be left empty; an empty one is not checked.

use std::fmt::Write as _;
use std::fs::{DirBuilder, Permissions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDateTime};
use serde::Deserialize;
use toml::Spanned;

use crate::atomic_file::PartialFile;
use crate::checklist::{describe_toml_error, line_and_column};

/// The profile format this build reads.
pub const FORMAT_VERSION: u32 = 1;

/// How soon after the interview the thank-you call should be made.
pub const CALL_WINDOW: Duration = Duration::hours(24);

/// The file `callcoach profile init` writes: every field explained, none filled in.
pub const TEMPLATE: &str = include_str!("profile/template.toml");

/// The ways `interview_at` may be written.
const INTERVIEW_FORMATS: &[&str] = &["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    pub name: Option<String>,
    /// The number as written, e.g. "617-555-0142".
    pub phone: Option<String>,
    pub job_title: Option<String>,
    pub company: Option<String>,
    /// How the user addresses the interviewer, e.g. "Ms. Carter".
    pub interviewer: Option<String>,
    /// The interview's start, in the user's local time.
    pub interview_at: Option<NaiveDateTime>,
    pub qualifications: Vec<Qualification>,
    /// Points the user wishes they had made in the interview, to make in the call.
    pub wish_i_had_said: Vec<String>,
}

/// One of the user's strengths, and the employer's need it answers.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Qualification {
    pub skill: String,
    #[serde(default)]
    pub need: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("{} already exists", .path.display())]
    Exists { path: PathBuf },
    #[error("cannot write {}", .path.display())]
    Unwritable { path: PathBuf, source: std::io::Error },
    #[error("{}: cannot read it", .path.display())]
    Unreadable { path: PathBuf, source: std::io::Error },
    /// Bad TOML or a bad value; `message` leads with the line where there is one.
    #[error("{}: {message}", .path.display())]
    Malformed { path: PathBuf, message: String },
    #[error("{path}: profile format version {found} is not supported (this callcoach reads version {FORMAT_VERSION})")]
    Version { path: PathBuf, found: u32 },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    version: u32,
    #[serde(default)]
    name: String,
    phone: Option<Spanned<String>>,
    #[serde(default)]
    job_title: String,
    #[serde(default)]
    company: String,
    #[serde(default)]
    interviewer: String,
    interview_at: Option<Spanned<String>>,
    #[serde(default)]
    qualifications: Vec<Qualification>,
    #[serde(default)]
    wish_i_had_said: Vec<String>,
}

impl Profile {
    /// Where the profile is kept when no file is named: `profile.toml` in the platform's
    /// config directory (`~/.config/callcoach` on Linux).
    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "callcoach")
            .map(|dirs| dirs.config_dir().join("profile.toml"))
    }

    /// Writes [`TEMPLATE`] to `path` (see [`write_text`](Self::write_text)).
    pub fn write_template(path: &Path, replace: bool) -> Result<(), ProfileError> {
        Self::write_text(path, TEMPLATE, replace)
    }

    /// Writes the profile to `path` as [`TEMPLATE`] filled in (see
    /// [`write_text`](Self::write_text)).
    pub fn write(&self, path: &Path, replace: bool) -> Result<(), ProfileError> {
        Self::write_text(path, &self.file_text(), replace)
    }

    /// The profile as its file: [`TEMPLATE`], with its explanations, filled in.
    pub fn file_text(&self) -> String {
        let quoted = |text: &str| toml::Value::String(text.to_string()).to_string();
        let value = |field: &Option<String>| quoted(field.as_deref().unwrap_or(""));
        let interview_at = self.interview_at.map(|at| at.format("%Y-%m-%d %H:%M").to_string());
        let wishes: Vec<String> = self.wish_i_had_said.iter().map(|w| quoted(w)).collect();
        let fields = [
            ("name = \"\"", value(&self.name)),
            ("phone = \"\"", value(&self.phone)),
            ("job_title = \"\"", value(&self.job_title)),
            ("company = \"\"", value(&self.company)),
            ("interviewer = \"\"", value(&self.interviewer)),
            ("interview_at = \"\"", value(&interview_at)),
            ("wish_i_had_said = []", format!("[{}]", wishes.join(", "))),
        ];
        let mut text = TEMPLATE.to_string();
        for (empty, filled) in fields {
            let key = empty.split(" = ").next().expect("a key before its value");
            text = text.replacen(&format!("\n{empty}"), &format!("\n{key} = {filled}"), 1);
        }
        // Array-of-tables blocks go last: after them, a plain key would belong to the block.
        for qualification in &self.qualifications {
            let _ =
                write!(text, "\n[[qualifications]]\nskill = {}\n", quoted(&qualification.skill));
            if let Some(need) = &qualification.need {
                let _ = writeln!(text, "need = {}", quoted(need));
            }
        }
        text
    }

    /// Writes `text` to `path`, readable by its owner only (a profile is personal), creating
    /// its folder. An existing profile is kept unless `replace`.
    fn write_text(path: &Path, text: &str, replace: bool) -> Result<(), ProfileError> {
        if path.exists() && !replace {
            return Err(ProfileError::Exists { path: path.into() });
        }
        let unwritable = |source| ProfileError::Unwritable { path: path.into(), source };
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            DirBuilder::new().recursive(true).mode(0o700).create(folder).map_err(unwritable)?;
        }
        let partial = PartialFile::create(path).map_err(unwritable)?;
        let mut file = partial.file();
        file.set_permissions(Permissions::from_mode(0o600))
            .and_then(|()| file.write_all(text.as_bytes()))
            .and_then(|()| partial.persist(path))
            .map_err(unwritable)
    }

    pub fn load(path: &Path) -> Result<Self, ProfileError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| ProfileError::Unreadable { path: path.to_path_buf(), source })?;
        Self::parse(&text, path, chrono::Local::now().naive_local())
    }

    /// Reads a profile's text; `path` names it in errors, and an interview time far from
    /// `now` is taken for a slip of the year.
    pub fn parse(text: &str, path: &Path, now: NaiveDateTime) -> Result<Self, ProfileError> {
        let malformed = |message: String| ProfileError::Malformed { path: path.into(), message };
        let file: ProfileFile =
            toml::from_str(text).map_err(|e| malformed(describe_toml_error(text, &e)))?;
        if file.version != FORMAT_VERSION {
            return Err(ProfileError::Version { path: path.into(), found: file.version });
        }
        let at_line = |span: std::ops::Range<usize>, message: String| {
            let (line, _) = line_and_column(text, span.start);
            malformed(format!("line {line}: {message}"))
        };
        let phone = file.phone.as_ref().and_then(|p| Some((filled(p.get_ref())?, p.span())));
        if let Some((phone, span)) = &phone {
            check_phone(phone).map_err(|problem| {
                at_line(span.clone(), format!("phone = \"{phone}\" {problem}"))
            })?;
        }
        let interview_at = match &file.interview_at {
            Some(at) if filled(at.get_ref()).is_some() => {
                let written = at.get_ref().trim();
                Some(read_interview_time(written, now).map_err(|problem| {
                    at_line(at.span(), format!("interview_at = \"{written}\" {problem}"))
                })?)
            }
            _ => None,
        };
        let qualifications = file
            .qualifications
            .into_iter()
            .filter(|q| !q.skill.trim().is_empty())
            .map(|q| Qualification {
                skill: q.skill.trim().to_string(),
                need: q.need.as_deref().and_then(filled),
            })
            .collect();
        Ok(Profile {
            name: filled(&file.name),
            phone: phone.map(|(phone, _)| phone),
            job_title: filled(&file.job_title),
            company: filled(&file.company),
            interviewer: filled(&file.interviewer),
            interview_at,
            qualifications,
            wish_i_had_said: file.wish_i_had_said.iter().filter_map(|w| filled(w)).collect(),
        })
    }

    /// What the user will say that Whisper cannot guess the spelling of — the names, the
    /// company, the job title, the number, the qualifications' words — as a sentence for its
    /// prompt; `None` when the profile holds none of them.
    pub fn expected_words(&self) -> Option<String> {
        let mut said: Vec<&str> = [&self.name, &self.interviewer, &self.company, &self.job_title]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        said.extend(self.qualifications.iter().map(|q| q.skill.as_str()));
        said.extend(self.phone.as_deref());
        (!said.is_empty()).then(|| format!("{}.", said.join(", ")))
    }

    /// The phone number's digits, as they would be said one by one.
    pub fn phone_digits(&self) -> Option<String> {
        self.phone.as_deref().map(digits_of)
    }

    /// How much of the call window is left at `now` (local time), if the interview's time is
    /// known.
    pub fn call_window(&self, now: NaiveDateTime) -> Option<CallWindow> {
        self.interview_at.map(|interview_at| CallWindow { interview_at, now })
    }
}

/// Whether a phone number has as many digits as one can: `Err` says what is wrong ("has 3
/// digits; a phone number has 7 to 15").
pub fn check_phone(phone: &str) -> Result<(), String> {
    let digits = digits_of(phone).len();
    if (7..=15).contains(&digits) {
        Ok(())
    } else {
        Err(format!("has {digits} digits; a phone number has 7 to 15"))
    }
}

/// The interview's time as written ("2026-11-26 14:00"), seen from `now`: `Err` says what is
/// wrong, also where it is most likely mistyped ("is 366 days ago: is the year right?"):
/// long before the call a profile is kept for, or more than a year ahead.
pub fn read_interview_time(written: &str, now: NaiveDateTime) -> Result<NaiveDateTime, String> {
    const KEPT_FOR_DAYS: i64 = 60;
    let at = INTERVIEW_FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(written.trim(), f).ok())
        .ok_or_else(|| "is not a date and time like \"2026-11-26 14:00\"".to_string())?;
    let days_ago = (now - at).num_days();
    if days_ago > KEPT_FOR_DAYS {
        Err(format!(
            "is {days_ago} days ago: is the year right? (the call follows the interview within \
             a day)"
        ))
    } else if -days_ago > 366 {
        Err(format!("is {} days away: is the year right?", -days_ago))
    } else {
        Ok(at)
    }
}

/// The 24 hours after the interview, seen from one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallWindow {
    pub interview_at: NaiveDateTime,
    pub now: NaiveDateTime,
}

impl CallWindow {
    pub fn closes_at(&self) -> NaiveDateTime {
        self.interview_at + CALL_WINDOW
    }

    /// Time left to call; negative once the window has closed.
    pub fn left(&self) -> Duration {
        self.closes_at() - self.now
    }

    /// One sentence for the report.
    pub fn describe(&self) -> String {
        let closes = self.closes_at().format("%a %-d %b %H:%M");
        if self.now < self.interview_at {
            let until = hours_and_minutes(self.interview_at - self.now);
            format!(
                "Your interview is in {until}; call within 24 hours of it (by {closes}). \
                 Rehearsing now is a good start."
            )
        } else if self.left() > Duration::zero() {
            let left = hours_and_minutes(self.left());
            format!("{left} left of the 24 hours after your interview to make this call (until {closes}).")
        } else {
            let ago = hours_and_minutes(-self.left());
            format!(
                "The 24 hours after your interview ended {ago} ago ({closes}): call soon anyway, \
                 and keep it brief."
            )
        }
    }
}

fn hours_and_minutes(duration: Duration) -> String {
    let minutes = duration.num_minutes().max(0);
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

fn filled(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

fn digits_of(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Profile, ProfileError> {
        Profile::parse(text, Path::new("profile.toml"), at("2026-11-26 09:00"))
    }

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn the_template_reads_as_an_empty_profile() {
        assert_eq!(parse(TEMPLATE).unwrap(), Profile::default());
    }

    #[test]
    fn a_filled_profile_is_read_and_trimmed() {
        let profile = parse(
            r#"version = 1
name = " Dana Reed "
phone = "(617) 555-0142"
job_title = "Marketing Coordinator"
interviewer = "Ms. Carter"
interview_at = "2026-11-26 14:00"
wish_i_had_said = ["", "I speak Spanish"]
[[qualifications]]
skill = "PMP certification"
need = "bringing the launch in on time"
[[qualifications]]
skill = "  "
"#,
        )
        .unwrap();
        assert_eq!(profile.name.as_deref(), Some("Dana Reed"));
        assert_eq!(profile.phone_digits().as_deref(), Some("6175550142"));
        assert_eq!(profile.interview_at, Some(at("2026-11-26 14:00")));
        assert_eq!(profile.company, None);
        assert_eq!(profile.qualifications.len(), 1, "the blank one is dropped");
        assert_eq!(profile.wish_i_had_said, ["I speak Spanish"]);
    }

    #[test]
    fn a_profile_written_out_reads_back_the_same_with_its_explanations() {
        let profile = Profile {
            name: Some("Dana \"DJ\" Reed".into()),
            phone: Some("(617) 555-0142".into()),
            job_title: Some("Marketing Coordinator".into()),
            company: None,
            interviewer: Some("Ms. Carter".into()),
            interview_at: Some(at("2026-11-26 14:00")),
            qualifications: vec![
                Qualification {
                    skill: "PMP certification".into(),
                    need: Some("the launch".into()),
                },
                Qualification { skill: "email marketing".into(), need: None },
            ],
            wish_i_had_said: vec!["I speak Spanish".into()],
        };
        let text = profile.file_text();
        assert_eq!(parse(&text).unwrap(), profile);
        assert!(text.starts_with("# Your callcoach profile"), "the explanations are kept");
        assert_eq!(parse(&Profile::default().file_text()).unwrap(), Profile::default());
    }

    #[test]
    fn whisper_is_told_the_words_it_cannot_guess_and_nothing_for_an_empty_profile() {
        let profile = parse(
            "version = 1\nname = \"Siobhan Nakamura\"\nphone = \"312-555-0187\"\n\
             job_title = \"Dispatch Coordinator\"\ninterviewer = \"Mr. Okonkwo\"\n\
             [[qualifications]]\nskill = \"route planning\"\n",
        )
        .unwrap();
        assert_eq!(
            profile.expected_words().as_deref(),
            Some("Siobhan Nakamura, Mr. Okonkwo, Dispatch Coordinator, route planning, 312-555-0187.")
        );
        assert_eq!(Profile::default().expected_words(), None);
    }

    #[test]
    fn mistakes_are_named_with_their_line() {
        let error = |text: &str| parse(text).unwrap_err().to_string();
        assert_eq!(
            error("version = 1\n\nphone = \"555\"\n"),
            "profile.toml: line 3: phone = \"555\" has 3 digits; a phone number has 7 to 15"
        );
        assert!(
            error("version = 1\ninterview_at = \"yesterday\"\n")
                .starts_with("profile.toml: line 2: interview_at = \"yesterday\" is not a date"),
            "{}",
            error("version = 1\ninterview_at = \"yesterday\"\n")
        );
        assert!(error("version = 1\njob = \"nurse\"\n").contains("line 2, column 1"));
        // The interview a year before the day it is read: a slip of the year.
        assert_eq!(
            error("version = 1\ninterview_at = \"2025-11-26 14:00\"\n"),
            "profile.toml: line 2: interview_at = \"2025-11-26 14:00\" is 364 days ago: is the \
             year right? (the call follows the interview within a day)"
        );
        assert!(error("version = 1\ninterview_at = \"2027-12-01 10:00\"\n")
            .ends_with("is 370 days away: is the year right?"));
        assert!(parse("version = 1\ninterview_at = \"2026-10-01 14:00\"\n").is_ok());
        assert!(error("version = 2\n").contains("format version 2 is not supported"));
    }

    #[test]
    fn the_window_counts_down_from_the_interview() {
        let window = |now: &str| CallWindow { interview_at: at("2026-11-26 14:00"), now: at(now) };
        assert_eq!(
            window("2026-11-26 16:30").describe(),
            "21 h 30 min left of the 24 hours after your interview to make this call \
             (until Fri 27 Nov 14:00)."
        );
        assert_eq!(window("2026-11-27 14:00").left(), Duration::zero());
        assert!(window("2026-11-27 17:00")
            .describe()
            .starts_with("The 24 hours after your interview ended 3 h ago (Fri 27 Nov 14:00)"));
        assert!(window("2026-11-26 13:15").describe().starts_with("Your interview is in 45 min"));
    }
}
