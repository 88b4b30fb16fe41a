//! `callcoach profile …`: write the profile from its template, and show what callcoach reads
//! from it.

use std::fmt::Write as _;
use std::io::{BufRead, IsTerminal};

use clap::Subcommand;

use callcoach::profile::{Profile, ProfileError, Qualification};

use super::analyze::print;
use super::{Failure, Kind, ProfileArgs};

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Write a profile to fill in: your name and number, the job, the interviewer, when the
    /// interview was, your qualifications. It makes every check personal.
    /// On a terminal it asks its questions one by one; elsewhere, or with --template, it
    /// writes the commented template to fill in with a text editor.
    Init {
        /// Replace an existing profile.
        #[arg(long)]
        force: bool,
        /// Write the empty template even on a terminal, instead of asking.
        #[arg(long)]
        template: bool,
        #[command(flatten)]
        profile: ProfileArgs,
    },
    /// Show where the profile is and what callcoach reads from it.
    Show {
        #[command(flatten)]
        profile: ProfileArgs,
    },
}

pub fn run(command: ProfileCommand) -> Result<(), Failure> {
    match command {
        ProfileCommand::Init { force, template, profile } => {
            let path = profile.path().ok_or_else(no_home)?;
            let exists = |e: ProfileError| match e {
                ProfileError::Exists { .. } => {
                    Failure::new(Kind::Runtime, e).hint("edit it, or start again with --force")
                }
                _ => Failure::new(Kind::Runtime, e),
            };
            let on_a_terminal = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
            if template || !on_a_terminal {
                Profile::write_template(&path, force).map_err(exists)?;
                return print(&format!(
                    "Wrote {}: fill it in with any text editor. From now on `analyze`, `record` \
                     and `check` judge against it (--no-profile judges without it), and \
                     `callcoach script` writes your call from it.\n",
                    path.display()
                ));
            }
            if path.exists() && !force {
                return Err(exists(ProfileError::Exists { path }));
            }
            let profile = ask_for_profile()?;
            profile.write(&path, force).map_err(exists)?;
            print(&format!(
                "\nWrote {}\n{}From now on `analyze`, `record` and `check` judge against it, and \
                 `callcoach script` writes your call from it. Change it with any text editor, or \
                 run `callcoach profile init --force` again.\n",
                path.display(),
                describe("", &profile).trim_start_matches('\n')
            ))
        }
        ProfileCommand::Show { profile: args } => {
            let path = args.path().ok_or_else(no_home)?;
            match args.load()? {
                Some(profile) => print(&describe(&path.display().to_string(), &profile)),
                None => print(&format!(
                    "No profile at {}: write one with `callcoach profile init`.\n",
                    path.display()
                )),
            }
        }
    }
}

/// Asks the profile's questions on the terminal, one by one, again where an answer cannot be
/// right; an empty answer leaves a field empty (not checked).
fn ask_for_profile() -> Result<Profile, Failure> {
    let mut ask = Asker { lines: std::io::stdin().lock().lines() };
    anstream::eprintln!(
        "Your profile makes callcoach's checks personal. Answer what you know; press Enter to \
         leave a question empty."
    );
    let mut profile = Profile {
        name: ask.text("Your name, as you say it on the phone (e.g. Dana Reed)")?,
        interviewer: ask.text("The interviewer, as you address them (e.g. Ms. Carter)")?,
        company: ask.text("The company")?,
        job_title: ask.text("The job title, as the employer named it")?,
        ..Profile::default()
    };
    let now = chrono::Local::now().naive_local();
    profile.interview_at = ask.checked(
        "When the interview began (e.g. 2026-11-26 14:00, your local time)",
        |written| callcoach::profile::read_interview_time(written, now),
    )?;
    profile.phone = ask.checked("The number to call you back on", |written| {
        callcoach::profile::check_phone(written).map(|()| written.to_string())
    })?;
    anstream::eprintln!(
        "Your qualifications for this job, one at a time, with the need of theirs each answers \
         (Enter on an empty line when done)."
    );
    while let Some(skill) =
        ask.text(&format!("Qualification {}", profile.qualifications.len() + 1))?
    {
        let need = ask.text("  the employer's need it answers")?;
        profile.qualifications.push(Qualification { skill, need });
    }
    anstream::eprintln!("Anything you wish you had said in the interview (Enter when done).");
    while let Some(wish) = ask.text("Wish")? {
        profile.wish_i_had_said.push(wish);
    }
    Ok(profile)
}

/// Questions on the terminal, answers from stdin.
struct Asker<R: BufRead> {
    lines: std::io::Lines<R>,
}

impl<R: BufRead> Asker<R> {
    /// The answer, trimmed; `None` for an empty one or when stdin ends.
    fn text(&mut self, question: &str) -> Result<Option<String>, Failure> {
        anstream::eprint!("{question}: ");
        match self.lines.next() {
            None => {
                anstream::eprintln!();
                Ok(None)
            }
            Some(line) => {
                let line = line.map_err(|e| {
                    Failure::new(Kind::Runtime, e).context("cannot read the answer")
                })?;
                let line = line.trim();
                Ok((!line.is_empty()).then(|| line.to_string()))
            }
        }
    }

    /// The answer as `read` takes it, asked again with what is wrong until it reads.
    fn checked<T>(
        &mut self,
        question: &str,
        read: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, Failure> {
        loop {
            let Some(answer) = self.text(question)? else { return Ok(None) };
            match read(&answer) {
                Ok(value) => return Ok(Some(value)),
                Err(problem) => anstream::eprintln!(
                    "  \"{answer}\" {problem}. Try again, or press Enter to skip."
                ),
            }
        }
    }
}

fn no_home() -> Failure {
    Failure::new(Kind::Runtime, anyhow::anyhow!("the system reports no home directory"))
        .hint("name the profile's file with --profile FILE")
}

/// What callcoach will check from the profile, and what it cannot because it is empty.
fn describe(path: &str, profile: &Profile) -> String {
    let mut out = format!("{path}\n");
    let mut line = |label: &str, value: Option<String>| {
        let value = value.unwrap_or_else(|| "(empty: not checked)".to_string());
        let _ = writeln!(out, "  {label:<16} {value}");
    };
    line("name", profile.name.clone());
    line("phone", profile.phone.clone());
    line("job title", profile.job_title.clone());
    line("company", profile.company.clone());
    line("interviewer", profile.interviewer.clone());
    line(
        "interview at",
        profile.interview_at.map(|at| at.format("%a %-d %b %Y %H:%M").to_string()),
    );
    let qualifications: Vec<String> = profile
        .qualifications
        .iter()
        .map(|q| match &q.need {
            Some(need) => format!("{} (for {need})", q.skill),
            None => q.skill.clone(),
        })
        .collect();
    line("qualifications", (!qualifications.is_empty()).then(|| qualifications.join("; ")));
    line(
        "wish I had said",
        (!profile.wish_i_had_said.is_empty()).then(|| profile.wish_i_had_said.join("; ")),
    );
    out
}
