//! The command line: argument definitions, and one module per subcommand that wires the
//! library's stages together. Nothing below the CLI sees clap or prints progress.

mod analyze;
mod check;
mod devices;
mod failure;
mod history;
mod model;
mod profile;
mod progress;
mod record;
mod report;
mod script;

use std::path::PathBuf;
use std::sync::Arc;

use clap::{CommandFactory, Parser, Subcommand};

use callcoach::analysis::ModeChoice;
use callcoach::checklist::{Checklist, Mode};
use callcoach::meaning::MeaningModel;
use callcoach::model::store::ModelDirs;
use callcoach::profile::{Profile, ProfileError};

pub use failure::{Failure, Kind};

/// The version, and the model format this build reads: which files `--model` accepts.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (Whisper models: whisper.cpp ggml files, ggml-NAME.bin, f32/f16/quantized; not GGUF)"
);

/// Rehearse the thank-you call after a job interview: record it, and get a scored
/// checklist with tips. Everything runs on this machine.
#[derive(Debug, Parser)]
#[command(name = "callcoach", version = VERSION, about, after_help = failure::EXIT_CODES)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Transcribe recorded rehearsals and score them against the checklist.
    #[command(after_help = failure::EXIT_CODES)]
    Analyze(analyze::AnalyzeArgs),
    /// Score a call script or typed transcript against the checklist, before you call.
    #[command(after_help = failure::EXIT_CODES)]
    Check(check::CheckArgs),
    /// Rehearse into the microphone: the report appears the moment you stop.
    #[command(after_help = failure::EXIT_CODES)]
    Record(record::RecordArgs),
    /// Write your call script (or voicemail) from your profile: a short list of what to say.
    #[command(after_help = failure::EXIT_CODES)]
    Script(script::ScriptArgs),
    /// Your profile, which makes the checks personal: write it, or see what is read from it.
    #[command(subcommand)]
    Profile(profile::ProfileCommand),
    /// A rehearsal's report again, or as one web page to open in a browser (`--html`).
    #[command(after_help = failure::EXIT_CODES)]
    Report(report::ReportArgs),
    /// Your rehearsals so far: scores, ticks, the trend, and what you keep missing.
    #[command(after_help = failure::EXIT_CODES)]
    History(history::HistoryArgs),
    /// List the microphones (input devices) callcoach can record from.
    #[command(after_help = failure::EXIT_CODES)]
    Devices(devices::DevicesArgs),
    /// Get, convert and list Whisper models.
    #[command(subcommand)]
    Model(model::ModelCommand),
    /// Print a shell completion script, e.g. `callcoach completions bash >
    /// ~/.local/share/bash-completion/completions/callcoach`.
    Completions { shell: clap_complete::Shell },
    /// Print the manual page (roff), e.g. `callcoach man | man -l -`.
    Man,
}

/// Options shared by every command that transcribes.
#[derive(Debug, clap::Args)]
pub struct TranscribeArgs {
    /// Whisper model: a ggml file's path, or an installed model's name (e.g. base.en).
    /// Without it: $CALLCOACH_MODEL, then ./models/, then the user data directory.
    #[arg(long, short, env = "CALLCOACH_MODEL", value_name = "PATH|NAME")]
    model: Option<String>,
    /// Spoken language (a Whisper language code); `auto` lets a multilingual model detect it.
    #[arg(long, default_value = "en", value_parser = language_code)]
    language: String,
    /// CPU threads for transcription [default: one for each core other programs leave free,
    /// at most 8, chosen again for each stretch of the take].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=64))]
    threads: Option<u16>,
}

/// Options shared by every command that judges a rehearsal.
#[derive(Debug, clap::Args)]
pub struct JudgeArgs {
    /// What the rehearsal is: a call the interviewer answers, the voicemail you leave when
    /// they do not, or `auto` to tell from what was said.
    #[arg(long, value_enum, default_value_t = ModeArg::Auto)]
    mode: ModeArg,
    /// A checklist file to judge against instead of the built-in one (see docs/checks.md).
    #[arg(long, value_name = "FILE")]
    checklist: Option<PathBuf>,
    #[command(flatten)]
    profile: ProfileArgs,
    /// Judge without your profile, as for anyone (whatever --profile says).
    #[arg(long)]
    no_profile: bool,
    /// Judge with the checklist's phrases alone, without the meaning model that reads what
    /// each sentence means (whatever --meaning-model says).
    #[arg(long)]
    rules_only: bool,
    /// The meaning model's folder [default: meaning/all-MiniLM-L6-v2 in ./models, else in
    /// the user data directory's models, used when it is there].
    #[arg(long, env = "CALLCOACH_MEANING_MODEL", value_name = "DIR")]
    meaning_model: Option<PathBuf>,
}

/// Where the user's profile is, for every command that reads it.
#[derive(Debug, clap::Args)]
pub struct ProfileArgs {
    /// Your profile (see `callcoach profile init`), which makes the checks personal
    /// [default: profile.toml in the user config directory, used when it exists].
    #[arg(long, env = "CALLCOACH_PROFILE", value_name = "FILE")]
    profile: Option<PathBuf>,
}

impl ProfileArgs {
    /// The profile's file: the one named, else the default one. `None` only when the system
    /// reports no home directory.
    fn path(&self) -> Option<PathBuf> {
        self.profile.clone().or_else(Profile::default_path)
    }

    /// The profile: the one named (which must exist), else the default one where there is
    /// one.
    fn load(&self) -> Result<Option<Profile>, Failure> {
        let Some(path) = self.path() else { return Ok(None) };
        if self.profile.is_none() && !path.exists() {
            return Ok(None);
        }
        Profile::load(&path).map(Some).map_err(|e| {
            let hint = match &e {
                ProfileError::Unreadable { .. } => {
                    "write one with `callcoach profile init`, or judge without one: --no-profile"
                }
                _ => "fix it, or judge without it: --no-profile (`callcoach profile init --force` starts it again)",
            };
            Failure::new(Kind::Input, e).hint(hint)
        })
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ModeArg {
    Auto,
    Call,
    Voicemail,
}

impl ProfileArgs {
    /// [`load`](Self::load) for judging a take: a default profile with a slip in it is left
    /// out with a warning, since one missing quote must not stop every take from being
    /// judged. A profile named with --profile must be right.
    fn load_for_judging(&self) -> Result<Option<Profile>, Failure> {
        match self.load() {
            Err(failure) if self.profile.is_none() => {
                failure::warn(format_args!(
                    "{failure}\n  judging without your profile until it is fixed (`callcoach \
                     profile show` checks it)"
                ));
                Ok(None)
            }
            loaded => loaded,
        }
    }
}

impl JudgeArgs {
    /// The checklist to judge against, made personal by the profile where there is one.
    fn checklist(&self) -> Result<Checklist, Failure> {
        let checklist = match &self.checklist {
            None => Checklist::builtin(),
            Some(path) => Checklist::load(path).map_err(|e| {
                Failure::new(Kind::Input, e)
                    .hint("the checklist format is described in docs/checks.md")
            })?,
        };
        let profile = if self.no_profile { None } else { self.profile.load_for_judging()? };
        let checklist = match profile {
            Some(profile) => checklist.with_profile(profile),
            None => checklist,
        };
        let model = match (&self.meaning_model, self.rules_only) {
            (_, true) => None,
            (Some(dir), false) => Some(dir.clone()),
            (None, false) => ModelDirs::from_env().meaning_model(),
        };
        let Some(dir) = model else { return Ok(checklist) };
        let meaning = MeaningModel::load_in_background(&dir).map_err(|e| {
            Failure::new(Kind::Model, e).hint(
                "install it again with `callcoach model import --force WHEEL` (or `make model` in \
                 callcoach's folder), or judge with the phrases alone: --rules-only",
            )
        })?;
        Ok(checklist.with_meaning(Arc::new(meaning)))
    }

    fn mode(&self) -> ModeChoice {
        match self.mode {
            ModeArg::Auto => ModeChoice::Detect,
            ModeArg::Call => ModeChoice::Given(Mode::Call),
            ModeArg::Voicemail => ModeChoice::Given(Mode::Voicemail),
        }
    }
}

fn language_code(code: &str) -> Result<String, String> {
    if code == "auto" || callcoach::transcribe::known_language(code) {
        Ok(code.to_string())
    } else {
        Err("not a language Whisper knows: use a code such as en, es or de, or auto".to_string())
    }
}

pub fn run(args: Args) -> Result<(), Failure> {
    match args.command {
        Command::Analyze(a) => analyze::run(a),
        Command::Check(c) => check::run(c),
        Command::Record(r) => record::run(r),
        Command::Script(s) => script::run(s),
        Command::Profile(p) => profile::run(p),
        Command::Report(r) => report::run(r),
        Command::History(h) => history::run(h),
        Command::Devices(d) => devices::run(d),
        Command::Model(m) => model::run(m),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Args::command(), "callcoach", &mut script);
            analyze::print(&String::from_utf8_lossy(&script))
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Args::command())
                .render(&mut page)
                .map_err(|e| Failure::new(Kind::Runtime, e))?;
            analyze::print(&String::from_utf8_lossy(&page))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Args::command().debug_assert();
    }
}
