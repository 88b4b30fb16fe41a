//! `callcoach history`: the rehearsals so far, how the score moves, and what keeps being
//! missed; and the saving of each rehearsal that `analyze` and `record` make.
//!
//! # JSON format (`history --json`), version 1
//!
//! ```json
//! {"version": 1,
//!  "rehearsals": [{"id": 3, "at": "2025-03-14T09:30:05Z", "recording": "/abs/take.wav",
//!                  "recorded_by_callcoach": true, "report": {…as analyze --json…}}, …],
//!  "trend": {"best": 4,
//!            "most_missed": {"id": "decision_timeline", "label": "…", "tip": "…",
//!                            "missed": 4, "takes": 5}}}
//! ```
//!
//! `rehearsals` are the shown ones (`--last`), oldest first; `trend` is computed over them,
//! `most_missed` over the last five of them, and is `null` unless an element was missed
//! at least twice.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::Path;

use anstyle::{AnsiColor, Style};
use chrono::Local;
use serde::Serialize;

use callcoach::checklist::Mode;
use callcoach::history::trend::{sparkline, Trend};
use callcoach::history::{
    self, Fate, Forgotten, History, HistoryError, MadeBy, Rehearsal, Selection,
};
use callcoach::model::store::user_data_dir;
use callcoach::report::{clock, Report};

use super::analyze::print;
use super::{Failure, Kind};

#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// Show the last N rehearsals.
    #[arg(long, value_name = "N", default_value_t = 10)]
    last: usize,
    /// Print the rehearsals and their trend as one JSON document (format in docs/progress.md).
    #[arg(long)]
    json: bool,
    /// Forget these rehearsals (ids as listed), or every one with --all, and delete the takes
    /// `callcoach record` made for them. A file you gave to `analyze` is never deleted.
    #[arg(long, value_name = "ID", num_args = 0.., conflicts_with_all = ["last", "json"])]
    forget: Option<Vec<u64>>,
    /// With --forget: every rehearsal. On a terminal it asks first.
    #[arg(long, requires = "forget")]
    all: bool,
    /// With --forget --all: do not ask (needed where nobody can answer, as in a script).
    #[arg(long, short, requires = "all")]
    yes: bool,
}

fn usage(message: &'static str) -> Failure {
    Failure::new(Kind::Usage, anyhow::anyhow!(message))
        .hint("`callcoach history` lists the rehearsals with their ids")
}

pub fn run(args: HistoryArgs) -> Result<(), Failure> {
    let history = open()?;
    if let Some(ids) = &args.forget {
        let selection = match (ids.is_empty(), args.all) {
            (true, true) => Selection::All,
            (false, false) => Selection::Ids(ids.clone()),
            (true, false) => {
                return Err(usage("name the rehearsals to forget by their ids, or say --all"))
            }
            (false, true) => return Err(usage("name rehearsals to forget, or --all, not both")),
        };
        if selection == Selection::All && !args.yes && !confirm_forgetting_all(&history)? {
            return print("Kept every rehearsal.\n");
        }
        let forgotten = history.forget(&selection).map_err(failure)?;
        return print(&forgotten_text(&forgotten));
    }
    let rehearsals = history.rehearsals().map_err(failure)?;
    let shown = &rehearsals[rehearsals.len().saturating_sub(args.last)..];
    let trend = Trend::of(shown);
    // Calls and voicemails are judged on different elements and brevity targets: each kind
    // has its own trend.
    let by_mode: Vec<ModeTrend> = Mode::ALL
        .into_iter()
        .filter_map(|mode| {
            let of_mode: Vec<Rehearsal> =
                shown.iter().filter(|r| r.report.mode == mode).cloned().collect();
            (!of_mode.is_empty()).then(|| ModeTrend {
                mode,
                trend: Trend::of(&of_mode),
                rehearsals: of_mode,
            })
        })
        .collect();
    if args.json {
        #[derive(Serialize)]
        struct Document<'a> {
            version: u32,
            rehearsals: &'a [Rehearsal],
            trend: &'a Trend,
            by_mode: Vec<ModeJson<'a>>,
        }
        #[derive(Serialize)]
        struct ModeJson<'a> {
            mode: Mode,
            #[serde(flatten)]
            trend: &'a Trend,
        }
        let by_mode = by_mode.iter().map(|m| ModeJson { mode: m.mode, trend: &m.trend }).collect();
        let document = Document {
            version: history::FORMAT_VERSION,
            rehearsals: shown,
            trend: &trend,
            by_mode,
        };
        let json = serde_json::to_string(&document).expect("the history always serialises");
        return print(&(json + "\n"));
    }
    print(&table(shown, &rehearsals, &by_mode))
}

/// The rehearsals of one kind among those shown, and their trend.
struct ModeTrend {
    mode: Mode,
    rehearsals: Vec<Rehearsal>,
    trend: Trend,
}

/// Asks on the terminal whether to forget every rehearsal; without a terminal to ask on,
/// refuses (`--yes` says it beforehand).
fn confirm_forgetting_all(history: &History) -> Result<bool, Failure> {
    let count = history.rehearsals().map_err(failure)?.len();
    if count == 0 {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::new(
            Kind::Usage,
            anyhow::anyhow!(
                "forgetting every rehearsal needs a yes, and there is no terminal to ask on"
            ),
        )
        .hint("add --yes to forget them all: `callcoach history --forget --all --yes`"));
    }
    let rehearsals =
        if count == 1 { "the 1 rehearsal".to_string() } else { format!("all {count} rehearsals") };
    anstream::eprint!(
        "Forget {rehearsals} and delete the takes callcoach recorded for them? [y/N] "
    );
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|e| Failure::new(Kind::Runtime, e).context("cannot read the answer"))?;
    Ok(matches!(answer.trim().to_lowercase().as_str(), "y" | "yes"))
}

/// Saves each rehearsal into the history, unless the user said not to.
pub struct Saving(Option<History>);

impl Saving {
    /// Reads the history first, so that one that cannot be written stops the run before the
    /// work rather than after it.
    pub fn open(no_save: bool) -> Result<Self, Failure> {
        if no_save {
            return Ok(Self(None));
        }
        let history = open()?;
        history.rehearsals().map_err(failure)?;
        Ok(Self(Some(history)))
    }

    /// Saves the rehearsal, and gives its id in the history.
    /// Keeps a judged rehearsal in the history, and says which it became; a take that was
    /// not judged as a rehearsal is not kept.
    pub fn save(
        &self,
        report: &Report,
        recording: &Path,
        made_by: MadeBy,
    ) -> Result<Option<u64>, Failure> {
        match &self.0 {
            // A take that is not a rehearsal (silence, a few words, something else) is no
            // step in the user's progress.
            Some(_) if report.not_a_rehearsal.is_some() => Ok(None),
            Some(history) => {
                history.add(report, recording, made_by).map(|r| Some(r.id)).map_err(failure)
            }
            None => Ok(None),
        }
    }

    /// The rehearsals saved so far; none when saving is off.
    pub fn rehearsals(&self) -> Result<Vec<Rehearsal>, Failure> {
        self.0.as_ref().map_or(Ok(Vec::new()), |history| history.rehearsals().map_err(failure))
    }
}

pub fn open() -> Result<History, Failure> {
    let data_dir = user_data_dir().ok_or_else(|| {
        Failure::new(Kind::Runtime, anyhow::anyhow!("there is no home directory for the history"))
            .hint("set CALLCOACH_DATA_DIR, or pass --no-save")
    })?;
    Ok(History::in_dir(&data_dir))
}

pub fn failure(error: HistoryError) -> Failure {
    let (kind, hint) = match &error {
        HistoryError::Corrupt { .. } => (
            Kind::Input,
            "repair it, or move it aside to start a new history; --no-save analyzes without it",
        ),
        HistoryError::FutureVersion { .. } => {
            (Kind::Input, "use the newer callcoach that wrote it; --no-save analyzes without it")
        }
        HistoryError::UnknownId { .. } => (Kind::Input, "`callcoach history` lists the ids"),
        HistoryError::Io { .. } => return Failure::new(Kind::Runtime, error),
    };
    Failure::new(kind, error).hint(hint)
}

fn forgotten_text(forgotten: &[Forgotten]) -> String {
    let mut out = String::new();
    for Forgotten { rehearsal, recording } in forgotten {
        let path = rehearsal.recording.display();
        let file = match recording {
            Fate::Deleted => format!("deleted its recording {path}"),
            Fate::AlreadyGone => format!("its recording {path} was already gone"),
            Fate::Yours => format!("kept your file {path}"),
            Fate::OutsideRecordings => format!(
                "kept {path}: callcoach deletes only the takes in its own recordings folder"
            ),
        };
        let _ = writeln!(out, "Forgot rehearsal {} ({file})", rehearsal.id);
    }
    if forgotten.is_empty() {
        out.push_str("The history was already empty\n");
    }
    out
}

/// The rehearsals as a table, then the trend, the best take and the element most missed.
fn table(shown: &[Rehearsal], all: &[Rehearsal], by_mode: &[ModeTrend]) -> String {
    let total = all.len();
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let good = AnsiColor::Green.on_default().bold();
    let bad = AnsiColor::Red.on_default().bold();
    let mut out = String::new();
    if shown.is_empty() {
        out.push_str(
            "No rehearsals yet: `callcoach record` and `callcoach analyze FILE` save each one \
             here.\n",
        );
        return out;
    }
    // The elements in the order first met; a custom checklist may differ between takes.
    let mut ids: Vec<&str> = Vec::new();
    for element in shown.iter().flat_map(|r| &r.report.elements) {
        if !ids.contains(&element.id.as_str()) {
            ids.push(&element.id);
        }
    }
    let of = if shown.len() < total {
        format!(" (the last {} of {total})", shown.len())
    } else {
        String::new()
    };
    let _ = writeln!(out, "{bold}Rehearsals{bold:#}{dim}{of}{dim:#}");
    let _ = writeln!(
        out,
        "  {dim}{:>4}  {:<16}  {:<28}  {:>6}  {:>5}  checklist{dim:#}",
        "id", "when", "take", "length", "score"
    );
    for rehearsal in shown {
        let report = &rehearsal.report;
        let mut marks = String::new();
        for id in &ids {
            let _ = match report.elements.iter().find(|e| e.id == *id) {
                Some(e) if e.found => write!(marks, "{good}✓{good:#}"),
                Some(_) => write!(marks, "{bad}✗{bad:#}"),
                None => write!(marks, "{dim}·{dim:#}"),
            };
        }
        let length = report.duration_s.map_or_else(|| "–".into(), clock);
        // What the take was, not its file's name: `callcoach report ID` opens it.
        let take =
            format!("{}, take {} of the day", report.mode.name(), rehearsal.take_of_the_day(all));
        let _ = writeln!(
            out,
            "  {:>4}  {:<16}  {take:<28}  {length:>6}  {:>5}  {marks}",
            rehearsal.id,
            rehearsal.at.with_timezone(&Local).format("%Y-%m-%d %H:%M"),
            report.score,
        );
    }
    let legend: Vec<String> = ids.iter().map(|id| id.replace('_', " ")).collect();
    let _ = writeln!(out, "  {dim}checklist: {}{dim:#}", legend.join(", "));
    out.push('\n');

    for (i, kind) in by_mode.iter().enumerate() {
        let (shown, trend) = (&kind.rehearsals, &kind.trend);
        if i > 0 {
            out.push('\n');
        }
        let title = format!("{}s", kind.mode.title());
        let scores: Vec<u32> = shown.iter().map(|r| r.report.score).collect();
        let (first, last) = (scores[0], scores[scores.len() - 1]);
        let _ = writeln!(out, "{bold}{title}{bold:#}  {}  {first} → {last}", sparkline(&scores));
        if let Some(best) = trend.best.and_then(|id| shown.iter().find(|r| r.id == id)) {
            let _ = writeln!(
                out,
                "  best: rehearsal {}, {}/100 on {}",
                best.id,
                best.report.score,
                best.at.with_timezone(&Local).format("%Y-%m-%d %H:%M")
            );
        }
        if let Some(missed) = &trend.most_missed {
            let _ = writeln!(
                out,
                "  You missed \"{}\" in {} of your last {} {}.",
                missed.label,
                missed.missed,
                missed.takes,
                title.to_lowercase()
            );
            if let Some(tip) = &missed.tip {
                let _ = writeln!(out, "  Tip: {tip}");
            }
        }
    }
    out
}
