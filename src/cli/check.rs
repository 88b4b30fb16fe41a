//! `callcoach check`: a call script written before calling, or a transcript typed out,
//! judged against the same checklist as a recording, without times.

use std::io::Read;
use std::path::{Path, PathBuf};

use callcoach::analysis::{analyze_script, Script};
use callcoach::delivery;
use callcoach::report::Report;
use callcoach::score::score;

use super::analyze::{call_window, report_each};
use super::{Failure, JudgeArgs, Kind};

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Text files holding what you plan to say (or said), as running text or one point a
    /// line; `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print one JSON document per file on stdout instead of the report (format in docs/reference.md).
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    judge: JudgeArgs,
}

pub fn run(args: CheckArgs) -> Result<(), Failure> {
    let checklist = args.judge.checklist()?;
    let mode = args.judge.mode();
    report_each(&args.files, args.json, |file| {
        let script = read_script(file)?;
        let analysis = analyze_script(&script, &checklist, mode);
        let delivery = delivery::of_script(&script, &checklist);
        let name = file.display().to_string();
        Ok(Report::for_script(&name, &script, &analysis, score(&analysis), delivery)
            .with_call_window(call_window(&checklist)))
    })
}

fn read_script(file: &Path) -> Result<Script, Failure> {
    let name = file.display();
    let input = |message: String| Failure::new(Kind::Input, anyhow::anyhow!(message));
    let bytes = read_bytes(file).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => input(format!("{name}: no such file")),
        _ => input(format!("{name}: cannot read it: {e}")),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        input(format!("{name}: not a text file (UTF-8)"))
            .hint("to judge a recording, use `callcoach analyze FILE.wav`")
    })?;
    let script = Script::new(&text);
    if script.words().next().is_none() {
        return Err(input(format!("{name}: has no words to check"))
            .hint("write what you plan to say, e.g. \"Hi, this is Dana Reed. Thank you for …\""));
    }
    Ok(script)
}

fn read_bytes(file: &Path) -> std::io::Result<Vec<u8>> {
    if file == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes)?;
        Ok(bytes)
    } else {
        std::fs::read(file)
    }
}
