//! `callcoach report`: a rehearsal's report again, from the history or from a recording, and
//! the report as one web page (`--html`, which `analyze` and `record` take too).

use std::fs::Permissions;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use callcoach::atomic_file::PartialFile;
use callcoach::audio::{self, Samples};
use callcoach::history::{MadeBy, Rehearsal};
use callcoach::report::html::{self, Page};
use callcoach::report::Report;

use super::analyze::{analyze_file, load_transcriber, print};
use super::failure::warn;
use super::history::{self, Saving};
use super::progress::Progress;
use super::{Failure, JudgeArgs, Kind, TranscribeArgs};

/// The page holds the take's words and voice: readable by its owner only, like the take.
const PAGE_MODE: u32 = 0o600;

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// A rehearsal's id from `callcoach history`, or a recording to analyze first, as
    /// `analyze` does. Digits alone are an id: write `./3` for a file named 3.
    /// [default: the latest rehearsal]
    #[arg(value_name = "ID|FILE")]
    take: Option<String>,
    /// Write the report as one web page, which opens in any browser without a network: the
    /// checklist, the transcript to play from any word, a timeline, and your scores so far.
    #[arg(long, value_name = "OUT.html")]
    html: Option<PathBuf>,
    /// Print the report as one JSON document (the format of `analyze --json`).
    #[arg(long, conflicts_with = "html")]
    json: bool,
    /// Show no progress (when a FILE is analyzed).
    #[arg(long, short)]
    quiet: bool,
    /// Keep an analyzed FILE out of `callcoach history`.
    #[arg(long)]
    no_save: bool,
    #[command(flatten)]
    judge: JudgeArgs,
    #[command(flatten)]
    transcribe: TranscribeArgs,
}

/// What the command was pointed at.
enum Take {
    Latest,
    Id(u64),
    File(PathBuf),
}

impl Take {
    fn of(argument: Option<&str>) -> Self {
        match argument {
            None => Take::Latest,
            Some(text) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => {
                text.parse().map_or_else(|_| Take::File(text.into()), Take::Id)
            }
            Some(text) => Take::File(text.into()),
        }
    }
}

pub fn run(args: ReportArgs) -> Result<(), Failure> {
    let (report, samples, history, this) = match Take::of(args.take.as_deref()) {
        Take::File(file) => {
            let progress = Progress::new(args.quiet || args.json);
            let checklist = args.judge.checklist()?;
            let saving = Saving::open(args.no_save)?;
            let transcriber = load_transcriber(&args.transcribe, &checklist, progress)?;
            let (report, samples) =
                analyze_file(&file, &transcriber, &checklist, args.judge.mode(), progress)?;
            let this = saving.save(&report, &file, MadeBy::User)?;
            (report, Some(samples), saving.rehearsals()?, this)
        }
        take => {
            let rehearsals = history::open()?.rehearsals().map_err(history::failure)?;
            let rehearsal = find(&rehearsals, &take)?;
            let samples = match audio::read_recording(&rehearsal.recording) {
                Ok(samples) => Some(samples),
                Err(error) => {
                    warn(format_args!("{error}; the report is shown without it"));
                    None
                }
            };
            let (report, id) = (rehearsal.report.clone(), rehearsal.id);
            (report, samples, rehearsals, Some(id))
        }
    };
    match &args.html {
        Some(out) => write_page(
            out,
            &Page { report: &report, audio: samples.as_ref(), history: &history, this },
        ),
        None if args.json => print(&(report.to_json() + "\n")),
        None => print(&report.to_human()),
    }
}

fn find<'a>(rehearsals: &'a [Rehearsal], take: &Take) -> Result<&'a Rehearsal, Failure> {
    let found = match take {
        Take::Id(id) => rehearsals.iter().find(|r| r.id == *id).ok_or_else(|| {
            history::failure(callcoach::history::HistoryError::UnknownId { id: *id })
        })?,
        _ => rehearsals.last().ok_or_else(|| {
            Failure::new(Kind::Input, anyhow::anyhow!("there are no rehearsals in the history yet"))
                .hint("`callcoach record` or `callcoach analyze FILE` saves one")
        })?,
    };
    Ok(found)
}

/// The `--html` of `analyze` and `record`: the page of a take just analyzed (and saved as
/// `this`, unless saving is off), with the history so far.
pub fn write_take_page(
    out: &Path,
    report: &Report,
    samples: &Samples,
    saving: &Saving,
    this: Option<u64>,
) -> Result<(), Failure> {
    let history = saving.rehearsals()?;
    write_page(out, &Page { report, audio: Some(samples), history: &history, this })
}

/// Writes the page whole or not at all, private, and says where.
fn write_page(out: &Path, page: &Page) -> Result<(), Failure> {
    let failed = |e: std::io::Error| {
        Failure::new(Kind::Runtime, e).context(format!("cannot write {}", out.display()))
    };
    let partial = PartialFile::create(out).map_err(failed)?;
    let mut file = partial.file();
    file.set_permissions(Permissions::from_mode(PAGE_MODE))
        .and_then(|()| file.write_all(html::render(page).as_bytes()))
        .map_err(failed)?;
    partial.persist(out).map_err(failed)?;
    anstream::eprintln!("The report page is in {}", out.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_alone_are_an_id_and_anything_else_a_file() {
        assert!(matches!(Take::of(None), Take::Latest));
        assert!(matches!(Take::of(Some("12")), Take::Id(12)));
        assert!(matches!(Take::of(Some("./12")), Take::File(p) if p == Path::new("./12")));
        assert!(matches!(Take::of(Some("take.wav")), Take::File(_)));
        // Too large for an id: it can only be a file.
        assert!(matches!(Take::of(Some("99999999999999999999999")), Take::File(_)));
    }
}
