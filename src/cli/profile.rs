//! `callcoach profile …`: write the profile from its template, and show what callcoach reads
//! from it.

use std::fmt::Write as _;

use clap::Subcommand;

use callcoach::profile::{Profile, ProfileError};

use super::analyze::print;
use super::{Failure, Kind, ProfileArgs};

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Write a profile to fill in: your name and number, the job, the interviewer, when the
    /// interview was, your qualifications. It makes every check personal.
    Init {
        /// Replace an existing profile with the empty template.
        #[arg(long)]
        force: bool,
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
        ProfileCommand::Init { force, profile } => {
            let path = profile.path().ok_or_else(no_home)?;
            Profile::write_template(&path, force).map_err(|e| match e {
                ProfileError::Exists { .. } => Failure::new(Kind::Runtime, e)
                    .hint("edit it, or start again from the empty template with --force"),
                _ => Failure::new(Kind::Runtime, e),
            })?;
            print(&format!(
                "Wrote {}: fill it in with any text editor. From now on `analyze`, `record` and \
                 `check` judge against it (--no-profile judges without it), and `callcoach \
                 script` writes your call from it.\n",
                path.display()
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
