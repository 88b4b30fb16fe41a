//! `callcoach script`: the call (or voicemail) to say, written from the profile.

use callcoach::call_script;
use callcoach::checklist::{Checklist, Mode};

use super::analyze::print;
use super::{Failure, ProfileArgs};

#[derive(Debug, clap::Args)]
pub struct ScriptArgs {
    /// The call the interviewer answers, or the voicemail to leave when they do not.
    #[arg(long, value_enum, default_value_t = ScriptMode::Call)]
    mode: ScriptMode,
    #[command(flatten)]
    profile: ProfileArgs,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ScriptMode {
    Call,
    Voicemail,
}

pub fn run(args: ScriptArgs) -> Result<(), Failure> {
    let mode = match args.mode {
        ScriptMode::Call => Mode::Call,
        ScriptMode::Voicemail => Mode::Voicemail,
    };
    let profile = args.profile.load_for_judging()?.unwrap_or_default();
    let checklist = Checklist::builtin();
    let script = call_script::write(&profile, mode, &checklist.rules(mode).brevity);
    print(&script.text)?;
    if !script.missing.is_empty() {
        let where_ = args.profile.path().map_or(String::new(), |p| format!(" in {}", p.display()));
        anstream::eprintln!(
            "note: fill in {}{where_} to make the [bracketed] parts yours (`callcoach profile \
             init` writes a profile to fill in).",
            script.missing.join(", ")
        );
    }
    Ok(())
}
