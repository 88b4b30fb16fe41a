//! whisper-rs's side of the benchmark: load a ggml model, transcribe a WAV once through
//! callcoach's transcriber, and print one JSON line with the load and transcription times and
//! the checklist elements the transcript earns (a faster setting must not change them).
//! Run by bench/bench.py under /usr/bin/time, one process a take:
//!
//! ```text
//! cargo bench --bench transcribe -- MODEL WAV [--threads N] [--beam-size N] [--audio-ctx FRAMES]
//!     [--previous-text TOKENS]
//! cargo bench --bench transcribe -- --prompt     (prints the text Whisper is prompted with)
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use callcoach::analysis::{analyze, ModeChoice, TakeTiming};
use callcoach::audio::{self, VoiceActivity};
use callcoach::checklist::Checklist;
use callcoach::transcribe::{Transcriber, WhisperOptions, WhisperTranscriber};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("transcribe bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let mut positional = Vec::new();
    let mut options = WhisperOptions::default();
    // `cargo bench` adds `--bench`; everything else is ours.
    let mut args = std::env::args().skip(1).filter(|arg| arg != "--bench");
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--threads" => options.threads = Some(value(&mut args, "--threads")?),
            "--beam-size" => options.beam_size = value(&mut args, "--beam-size")?,
            "--audio-ctx" => options.audio_ctx = value(&mut args, "--audio-ctx")?,
            "--previous-text" => {
                options.previous_text_tokens = value(&mut args, "--previous-text")?
            }
            // faster-whisper is given the same prompt, so that both decode alike.
            "--prompt" => {
                println!("{}", callcoach::transcribe::FILLER_PROMPT);
                return Ok(());
            }
            _ if arg.starts_with("--") => bail!("unknown option {arg}"),
            _ => positional.push(PathBuf::from(arg)),
        }
    }
    let [model, wav] = positional.as_slice() else {
        bail!(
            "usage: transcribe MODEL WAV [--threads N] [--beam-size N] [--audio-ctx FRAMES] \
             [--previous-text TOKENS] | --prompt"
        );
    };

    let started = Instant::now();
    let transcriber = WhisperTranscriber::load(model, options)?;
    let load_s = started.elapsed().as_secs_f64();

    let samples = audio::read_recording(wav)?;
    let activity = VoiceActivity::detect(&samples);
    let started = Instant::now();
    let transcript = transcriber.transcribe(&samples, &activity, Box::new(|_| {}))?;
    let transcribe_s = started.elapsed().as_secs_f64();

    let timing = TakeTiming { duration_s: samples.duration_s(), speech_s: activity.speech_s() };
    let analysis = analyze(&transcript, timing, &Checklist::builtin(), ModeChoice::Detect);
    let found: Vec<&str> =
        analysis.findings.iter().filter(|f| f.found()).map(|f| f.id.as_str()).collect();
    let line = serde_json::json!({
        "load_s": load_s,
        "transcribe_s": transcribe_s,
        "found": found,
        "text": transcript.text(),
    });
    println!("{line}");
    Ok(())
}

fn value<T: std::str::FromStr>(
    args: &mut impl Iterator<Item = String>,
    name: &str,
) -> anyhow::Result<T> {
    let text = args.next().with_context(|| format!("{name} needs a value"))?;
    text.parse().map_err(|_| anyhow::anyhow!("{name}: cannot read {text:?}"))
}
