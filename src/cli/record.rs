//! `callcoach record`: rehearse into the microphone, and get the report the moment you stop.

use std::io::{self, IsTerminal, Read};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use indicatif::ProgressBar;

use callcoach::analysis::{analyze, ModeChoice, TakeTiming};
use callcoach::capture::CaptureError;
use callcoach::checklist::{Checklist, Mode};
use callcoach::delivery::Sound;
use callcoach::history::MadeBy;
use callcoach::model::store::user_data_dir;
use callcoach::record::{self, Ending, Event, RecordError, RecordOptions, Recording};
use callcoach::take::{self, Unsavable};
use callcoach::transcribe::Transcript;

use callcoach::audio::LONGEST_TAKE;

use super::analyze::{load_transcriber, print, report_take};
use super::failure::warn;
use super::history::Saving;
use super::progress::{self, Progress};
use super::report::write_take_page;
use super::{Failure, JudgeArgs, Kind, TranscribeArgs};

#[derive(Debug, clap::Args)]
pub struct RecordArgs {
    /// The input device: an id from `callcoach devices` [default: the system's default input].
    #[arg(long, value_name = "ID")]
    device: Option<String>,
    /// Stop after this much recorded audio, e.g. 90s, 3m, 1m30s.
    #[arg(long, default_value = "3m", value_parser = parse_duration, value_name = "DURATION")]
    max_duration: Duration,
    /// Save the take here [default: a new timestamped file in the data directory's
    /// recordings folder].
    #[arg(long, value_name = "FILE.wav")]
    out: Option<PathBuf>,
    /// Print the report as one JSON document on stdout (the format of `analyze --json`).
    #[arg(long)]
    json: bool,
    /// Show no status line (warnings are still shown).
    #[arg(long, short)]
    quiet: bool,
    /// Keep this rehearsal out of `callcoach history` (the take is still saved).
    #[arg(long)]
    no_save: bool,
    /// Also write the report as one web page (see `callcoach report`).
    #[arg(long, value_name = "OUT.html")]
    html: Option<PathBuf>,
    #[command(flatten)]
    judge: JudgeArgs,
    #[command(flatten)]
    transcribe: TranscribeArgs,
}

pub fn run(args: RecordArgs) -> Result<(), Failure> {
    let progress = Progress::new(args.quiet || args.json);
    let checklist = args.judge.checklist()?;
    let mode = args.judge.mode();
    let saving = Saving::open(args.no_save)?;
    let path = match args.out {
        Some(path) => path,
        None => new_take_path()?,
    };
    // Before the model loads and long before anyone speaks: a take that cannot be saved is
    // not recorded.
    take::check_savable(&path).map_err(unsavable)?;
    let transcriber = load_transcriber(&args.transcribe, &checklist, progress)?;
    let enter_stops = std::io::stdin().is_terminal();
    let (stop, entered) = stop_requests(enter_stops)?;
    let options = RecordOptions {
        device: args.device.as_deref(),
        path: &path,
        max_duration: args.max_duration,
    };
    let hint = if enter_stops { "Enter to stop" } else { "Ctrl-C to stop" };
    let mut status = Status::new(progress, &checklist, mode, hint);
    let recorded = record::record(&options, &transcriber, &stop, &mut |event| status.show(event));
    status.line.finish_and_clear();
    if entered.load(Ordering::Relaxed) && !status.line.is_hidden() {
        // The terminal echoed the Enter, moving the cursor below the status line, which
        // indicatif does not know of: clear that line too.
        eprint!("\x1b[1A\x1b[2K");
    }
    let recording = recorded.map_err(|e| record_failure(e, &path))?;
    warn_about_lost_audio(&recording);

    let sound = Sound { samples: &recording.samples, activity: &recording.activity };
    let report = report_take(&path, &recording.transcript, &sound, &checklist, mode);
    print(&if args.json { report.to_json() + "\n" } else { report.to_human() })?;
    let saved = saving.save(&report, &path, MadeBy::Callcoach);
    let page = match &args.html {
        Some(out) => {
            let this = saved.as_ref().ok().copied().flatten();
            write_take_page(out, &report, &recording.samples, &saving, this)
        }
        None => Ok(()),
    };
    // What was heard is reported and kept either way; the exit code says the take did not
    // end as the speaker meant it to.
    match (ending_failure(recording), saved.map(|_| ()).and(page)) {
        (Some(ending), Err(not_saved)) => {
            not_saved.report();
            Err(ending)
        }
        (Some(ending), Ok(())) => Err(ending),
        (None, saved) => saved,
    }
}

/// A new file in `<data dir>/recordings`, which is created private.
fn new_take_path() -> Result<PathBuf, Failure> {
    let data_dir = user_data_dir().ok_or_else(|| {
        Failure::new(Kind::Runtime, anyhow::anyhow!("there is no home directory to save takes in"))
            .hint("name a file with --out, or set CALLCOACH_DATA_DIR")
    })?;
    let dir = take::recordings_dir(&data_dir).map_err(|e| {
        Failure::new(Kind::Runtime, e)
            .context(format!("cannot create {}", data_dir.join("recordings").display()))
    })?;
    Ok(take::new_take_path(&dir))
}

/// A flag set by Ctrl-C, SIGTERM, or Enter when stdin is a terminal, and one set by Enter
/// alone. A second signal, once the take is being finished, ends callcoach at once.
fn stop_requests(enter_stops: bool) -> Result<(Arc<AtomicBool>, Arc<AtomicBool>), Failure> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let stop = Arc::new(AtomicBool::new(false));
    let entered = Arc::new(AtomicBool::new(false));
    for signal in [SIGINT, SIGTERM] {
        let exit_code = 128 + signal as u8 as i32;
        signal_hook::flag::register_conditional_shutdown(signal, exit_code, Arc::clone(&stop))
            .and_then(|_| signal_hook::flag::register(signal, Arc::clone(&stop)))
            .map_err(|e| Failure::new(Kind::Runtime, e).context("cannot listen for Ctrl-C"))?;
    }
    if enter_stops {
        let (stop, entered) = (Arc::clone(&stop), Arc::clone(&entered));
        // The thread stays blocked on stdin after the take; it ends with the process.
        std::thread::spawn(move || {
            // The terminal hands over a line at a time: this returns on Enter.
            let _ = std::io::stdin().read(&mut [0u8; 1]);
            entered.store(true, Ordering::Relaxed);
            stop.store(true, Ordering::Relaxed);
        });
    }
    Ok((stop, entered))
}

/// The status line while recording, and the live warnings.
struct Status<'a> {
    line: ProgressBar,
    checklist: &'a Checklist,
    mode: ModeChoice,
    /// The mode the take sounds like so far, whose brevity target the line shows.
    heard_mode: Mode,
    hint: &'static str,
    elapsed_s: f64,
    peak_dbfs: f64,
    heard: Vec<String>,
    clipped_at: Option<f64>,
    /// The line is drawn by indicatif, not anstream: it must drop the styles itself where
    /// colour is off (`NO_COLOR`).
    colour: bool,
}

impl<'a> Status<'a> {
    fn new(
        progress: Progress,
        checklist: &'a Checklist,
        mode: ModeChoice,
        hint: &'static str,
    ) -> Self {
        let heard_mode = match mode {
            ModeChoice::Given(mode) => mode,
            ModeChoice::Detect => Mode::Call,
        };
        Self {
            line: progress.line(),
            checklist,
            mode,
            heard_mode,
            hint,
            elapsed_s: 0.0,
            peak_dbfs: f64::NEG_INFINITY,
            heard: Vec::new(),
            clipped_at: None,
            colour: anstream::AutoStream::choice(&std::io::stderr())
                != anstream::ColorChoice::Never,
        }
    }

    fn show(&mut self, event: Event<'_>) {
        match event {
            Event::Started { device, description } => {
                let from = if description == device {
                    device.to_string()
                } else {
                    format!("{description} ({device})")
                };
                self.tell(&format!(
                    "Recording from {from}; its level is checked in the first {} s.",
                    record::SILENT_CHECK_S
                ));
            }
            Event::Level { elapsed_s, peak_dbfs } => {
                self.elapsed_s = elapsed_s;
                self.peak_dbfs = peak_dbfs;
            }
            Event::Hearing => self.tell("The microphone hears you: go ahead."),
            Event::Silent => self.warn(
                "the microphone hears nothing: is it muted, or the wrong one? \
                 (`callcoach devices` lists the others)",
            ),
            Event::Clipping { at_s } => {
                if self.clipped_at.is_none() {
                    self.warn(
                        "the input is clipping (too loud to record cleanly): move back from \
                         the microphone or turn its gain down",
                    );
                }
                self.clipped_at = Some(at_s);
            }
            Event::Heard(transcript) => self.hear(transcript),
            Event::Saved { at_s } => {
                // The take is safe; what is left is the last words, which can take a while
                // on a slow machine: say so, and show that work goes on.
                let done = AnsiColor::Green.on_default().bold();
                progress::keep_turning(&self.line);
                self.line.set_message(format!(
                    "{done}■{done:#} Stopped at {} — saved; finishing the last words…",
                    clock(at_s)
                ));
                return;
            }
        }
        self.line.set_message(self.render());
    }

    /// Notes the checklist elements heard so far, by their short names ("job title"), and
    /// the mode the take sounds like.
    fn hear(&mut self, transcript: &Transcript) {
        let timing = TakeTiming { duration_s: self.elapsed_s, speech_s: 0.0 };
        let analysis = analyze(transcript, timing, self.checklist, self.mode);
        self.heard_mode = analysis.mode;
        self.heard = analysis
            .findings
            .iter()
            .filter(|f| f.found())
            .map(|f| f.id.replace('_', " "))
            .collect();
    }

    fn render(&self) -> String {
        let red = AnsiColor::Red.on_default().bold();
        let dim = Style::new().dimmed();
        let good = AnsiColor::Green.on_default();
        let brevity = &self.checklist.rules(self.heard_mode).brevity;
        let clipping = self.clipped_at.is_some_and(|at| self.elapsed_s - at < 1.0);
        let meter = meter(self.peak_dbfs);
        let mut text = format!(
            "{red}●{red:#} {} {dim}of {}–{}{dim:#} {meter}{}  {dim}{}{dim:#} ",
            clock(self.elapsed_s),
            clock(brevity.min_s),
            clock(brevity.max_s),
            if clipping { format!(" {red}CLIP{red:#}") } else { String::new() },
            self.hint,
        );
        for tick in &self.heard {
            text.push_str(&format!(" {good}✓{good:#} {tick}"));
        }
        if self.colour {
            text
        } else {
            anstream::adapter::strip_str(&text).to_string()
        }
    }

    fn warn(&self, message: &str) {
        self.line.suspend(|| warn(message));
    }

    /// A line of news above the status line, shown only where the status line is.
    fn tell(&self, message: &str) {
        if !self.line.is_hidden() {
            let dim = Style::new().dimmed();
            self.line.suspend(|| anstream::eprintln!("{dim}{message}{dim:#}"));
        }
    }
}

/// A ten-step bar from -60 dBFS (empty) to 0 dBFS (full).
fn meter(peak_dbfs: f64) -> String {
    let filled = (((peak_dbfs + 60.0) / 6.0).ceil().clamp(0.0, 10.0)) as usize;
    format!("▕{}{}▏", "█".repeat(filled), " ".repeat(10 - filled))
}

fn clock(seconds: f64) -> String {
    let total = seconds.max(0.0) as u64;
    format!("{}:{:02}", total / 60, total % 60)
}

fn warn_about_lost_audio(recording: &Recording) {
    if recording.dropped_s > 0.0 {
        warn(format_args!(
            "{:.1} s of audio were lost because the computer could not keep up with the \
             microphone",
            recording.dropped_s
        ));
    }
}

/// A take that ended because the device or the disk failed, said after its report.
fn ending_failure(recording: Recording) -> Option<Failure> {
    let at = recording.samples.duration_s();
    let path = recording.path.display();
    match recording.ending {
        Ending::Stopped | Ending::MaxDuration => None,
        Ending::DeviceLost => Some(
            Failure::new(
                Kind::NoDevice,
                anyhow::anyhow!(
                    "the input device {} stopped delivering audio {at:.1} s into the take \
                     (unplugged?); the take so far is kept in {path}",
                    recording.device
                ),
            )
            .hint("reconnect it and record again; `callcoach devices` lists the inputs"),
        ),
        Ending::WriteFailed(e) => {
            let full = e.kind() == io::ErrorKind::StorageFull;
            let failure = Failure::new(Kind::Runtime, e).context(format!(
                "cannot write the take any more after {at:.1} s: {path} keeps its first \
                     {:.1} s",
                recording.saved_s
            ));
            Some(if full {
                failure.hint("free some space, or save the take on another disk with --out")
            } else {
                failure
            })
        }
    }
}

fn unsavable(error: Unsavable) -> Failure {
    let hint = match &error {
        Unsavable::Folder { path } => {
            format!("name a file in it, e.g. --out {}", path.join("take.wav").display())
        }
        Unsavable::NoFolder { .. } => {
            "create the folder first, or name another file with --out".to_string()
        }
        Unsavable::Refused { .. } => "name a file on a disk you can write to with --out".into(),
    };
    Failure::new(Kind::Runtime, error).hint(hint)
}

fn record_failure(error: RecordError, path: &std::path::Path) -> Failure {
    let hint = match &error {
        RecordError::Capture(CaptureError::NoInput) | RecordError::NoAudio { .. } => {
            Some("connect a microphone; `callcoach devices` lists the inputs callcoach can use")
        }
        RecordError::Capture(
            CaptureError::UnknownDevice { .. } | CaptureError::Unusable { .. },
        ) => Some("`callcoach devices` lists the inputs callcoach can use"),
        RecordError::Create { .. } => Some("name another file with --out"),
        _ => None,
    };
    let kind = match &error {
        RecordError::Capture(CaptureError::Host(_)) => Kind::Runtime,
        RecordError::Capture(_) | RecordError::NoAudio { .. } | RecordError::Audio(_) => {
            Kind::NoDevice
        }
        RecordError::Create { .. } => Kind::Runtime,
        RecordError::Transcribe(_) => {
            return Failure::new(Kind::Runtime, error)
                .context(format!("the take is saved in {}", path.display()))
        }
    };
    let failure = Failure::new(kind, error);
    match hint {
        Some(hint) => failure.hint(hint),
        None => failure,
    }
}

/// Parses a duration such as `90`, `90s`, `3m`, `1m30s` or `1.5m`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let invalid = || format!("`{text}` is not a duration like 90s, 3m or 1m30s");
    let mut seconds = 0.0;
    let mut number = String::new();
    for c in text.trim().chars() {
        match c {
            '0'..='9' | '.' => number.push(c),
            'h' | 'm' | 's' => {
                let value: f64 = number.parse().map_err(|_| invalid())?;
                seconds += value
                    * match c {
                        'h' => 3600.0,
                        'm' => 60.0,
                        _ => 1.0,
                    };
                number.clear();
            }
            _ => return Err(invalid()),
        }
    }
    if !number.is_empty() {
        seconds += number.parse::<f64>().map_err(|_| invalid())?;
    }
    let duration = Duration::from_secs_f64(seconds);
    if duration.is_zero() {
        return Err(invalid());
    }
    if duration > LONGEST_TAKE {
        return Err(format!("a take can be at most {} minutes long", LONGEST_TAKE.as_secs() / 60));
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_the_way_people_write_them() {
        let secs = |text| parse_duration(text).map(|d| d.as_secs_f64());
        assert_eq!(secs("90"), Ok(90.0));
        assert_eq!(secs("90s"), Ok(90.0));
        assert_eq!(secs("3m"), Ok(180.0));
        assert_eq!(secs("1m30s"), Ok(90.0));
        assert_eq!(secs("1.5m"), Ok(90.0));
        assert_eq!(secs("0.25s"), Ok(0.25));
        assert!(secs("0s").is_err());
        assert!(secs("3 minutes").is_err());
        assert!(secs("2h").unwrap_err().contains("at most 60 minutes"));
    }

    #[test]
    fn the_meter_fills_from_minus_sixty_to_zero_dbfs() {
        assert_eq!(meter(f64::NEG_INFINITY), format!("▕{}▏", " ".repeat(10)));
        assert_eq!(meter(-30.0), format!("▕{}{}▏", "█".repeat(5), " ".repeat(5)));
        assert_eq!(meter(0.0), format!("▕{}▏", "█".repeat(10)));
    }
}
