//! `callcoach record` end to end without a sound card: ALSA's `file` plugin plays a prepared
//! take as if it were the microphone (the recipes in ../shared/notes/audio.md), configured in
//! a temporary XDG_CONFIG_HOME, never the machine's own. Unpaced from a file for the
//! deterministic tests (stopped by --max-duration, which counts recorded frames); from a FIFO
//! fed at real-time pace for stopping, killing and losing the device mid-take.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::support::{
    callcoach, callcoach_process, model, on_a_terminal, root, word_error_rate, Report,
    VOICEMAIL_ELEMENTS,
};

/// The format cpal opens the file plugin in (its default configuration): 48 kHz stereo f32.
const RATE: usize = 48_000;
const CHANNELS: usize = 2;
const BYTES_PER_S: usize = RATE * CHANNELS * 4;
const EVERY_ELEMENT: [&str; 6] =
    ["thanks", "job_title", "qualifications", "offer_info", "decision_timeline", "caller_name"];

/// A home directory whose ALSA configuration defines the test microphones.
struct Home {
    dir: TempDir,
}

impl Home {
    fn new() -> Self {
        Self { dir: tempfile::tempdir().unwrap() }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// alsa-lib reads `$XDG_CONFIG_HOME/alsa/asoundrc` on top of the system's configuration.
    fn configure(&self, asoundrc: &str) {
        let dir = self.path("config/alsa");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("asoundrc"), asoundrc).unwrap();
    }

    /// callcoach with this home, its ALSA configuration and the test model.
    fn callcoach(&self, args: &[&str]) -> Command {
        let mut command = callcoach_process(self.dir.path());
        command
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("HOME", self.dir.path())
            .env("CALLCOACH_MODEL", model())
            .args(args);
        command
    }
}

/// An ALSA capture device that plays `infile` (raw samples in the device's format).
fn file_microphone(name: &str, infile: &Path, description: &str) -> String {
    format!(
        "pcm.{name} {{\n  type file\n  slave.pcm {{ type null }}\n  file \"/dev/null\"\n  \
         infile \"{}\"\n  format \"raw\"\n  hint {{ show on description \"{description}\" }}\n}}\n",
        infile.display()
    )
}

/// A bundled 16 kHz sample in the device's format, with 1 s of silence after it: the file
/// plugin repeats its last period forever once the file ends.
fn device_take(sample: &str, dir: &Path) -> PathBuf {
    let raw = dir.join(sample.replace(".wav", ".raw"));
    let status = Command::new("sox")
        .arg(root().join("samples").join(sample))
        .args(["-t", "raw", "-r", "48000", "-c", "2", "-e", "floating-point", "-b", "32", "-L"])
        .arg(&raw)
        .args(["pad", "0", "1"])
        .status()
        .expect("sox is installed by `make test`");
    assert!(status.success());
    raw
}

fn floats(raw: &[u8]) -> Vec<f32> {
    raw.chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap())).collect()
}

fn report(output: &Output) -> Report {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{:?}\nstderr: {stderr}\nstdout: {stdout}", output.status);
    report_despite_failure(output)
}

/// The report of a take that ended in a fault, printed before the error that says so.
fn report_despite_failure(output: &Output) -> Report {
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.lines().count(), 1, "one JSON document: {stdout}");
    serde_json::from_str(&stdout).unwrap()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The saved take's format, samples, and whether every sample could be read.
fn read_take(path: &Path) -> (hound::WavSpec, Vec<i16>) {
    let mut reader = hound::WavReader::open(path).unwrap();
    let samples: Vec<i16> = reader.samples::<i16>().map(|s| s.unwrap()).collect();
    assert_eq!(samples.len() as u32, reader.len(), "the header counts every sample");
    (reader.spec(), samples)
}

fn seconds(samples: &[i16]) -> f64 {
    samples.len() as f64 / (RATE * CHANNELS) as f64
}

#[test]
fn a_take_is_saved_as_the_microphone_heard_it_and_reported() {
    let home = Home::new();
    let raw = device_take("complete-call.wav", home.dir.path());
    home.configure(&file_microphone("!default", &raw, "Test microphone"));
    let input = floats(&std::fs::read(&raw).unwrap());
    // Stop half a second before the input runs out, on a whole 10 ms.
    let seconds_recorded = ((input.len() / CHANNELS) as f64 / RATE as f64 - 0.5).floor();
    let out = home.path("take.wav");
    let output = home
        .callcoach(&["record", "--json", "--max-duration"])
        .arg(format!("{seconds_recorded}s"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let report = report(&output);
    assert!(output.stderr.is_empty(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(report.found(), EVERY_ELEMENT, "{}", report.transcript);
    assert_eq!(report.file, out.display().to_string());

    let (spec, samples) = read_take(&out);
    assert_eq!((spec.sample_rate, spec.channels, spec.bits_per_sample), (48_000, 2, 16));
    assert_eq!(samples.len(), seconds_recorded as usize * RATE * CHANNELS, "frames, not time");
    let worst = samples
        .iter()
        .zip(&input)
        .map(|(&saved, &heard)| (f32::from(saved) - heard * 32_768.0).abs())
        .fold(0.0_f32, f32::max);
    assert!(worst <= 1.0, "the take differs from the input by {worst} steps");
    assert_eq!(mode(&out), 0o600, "takes are personal data");
}

#[test]
fn a_voicemail_rehearsal_is_judged_as_one() {
    let home = Home::new();
    let raw = device_take("voicemail.wav", home.dir.path());
    home.configure(&file_microphone("!default", &raw, "Test microphone"));
    let output = home
        .callcoach(&["record", "--json", "--mode", "voicemail", "--max-duration", "25s"])
        .output()
        .unwrap();
    let report = report(&output);
    assert_eq!((report.mode.as_str(), report.mode_detected), ("voicemail", false));
    // "Said it twice" needs the same digits twice: the live transcript has misheard the
    // first saying ("555-123456"), and then the two sayings are two numbers.
    let checklist = callcoach::checklist::Checklist::builtin();
    let words = report.transcript.split_whitespace().map(|w| (w, false));
    let (tokens, _) = callcoach::checklist::pattern::fluent(checklist.lexicon.read(words));
    let mut numbers = Vec::new();
    let mut at = 0;
    while at < tokens.len() {
        match callcoach::checklist::phone_number(&tokens[at..]) {
            Some((used, digits)) => {
                numbers.push(digits);
                at += used;
            }
            None => at += 1,
        }
    }
    let repeated = numbers.len() == 2 && numbers[0] == numbers[1];
    let expected: Vec<&str> = VOICEMAIL_ELEMENTS
        .iter()
        .copied()
        .filter(|e| repeated || *e != "number_repeated")
        .collect();
    assert_eq!(report.found(), expected, "{}: {numbers:?}", report.transcript);
    assert_eq!(report.score, if repeated { 100 } else { 95 });
}

#[test]
fn the_report_at_stop_is_as_good_as_analyzing_the_saved_take_later() {
    let home = Home::new();
    let raw = device_take("missing-two.wav", home.dir.path());
    home.configure(&file_microphone("!default", &raw, "Test microphone"));
    let output = home.callcoach(&["record", "--json", "--max-duration", "22s"]).output().unwrap();
    let live = report(&output);

    // Saved without --out: a timestamped take in the private recordings folder.
    let recordings = home.path("recordings");
    assert_eq!(mode(&recordings), 0o700);
    let take = PathBuf::from(&live.file);
    assert_eq!(take.parent(), Some(recordings.as_path()));
    assert!(take.file_name().unwrap().to_str().unwrap().starts_with("take-"));
    assert_eq!(mode(&take), 0o600);

    let output = callcoach(home.dir.path())
        .args(["analyze", "--json", "--model"])
        .arg(model())
        .arg(&take)
        .output()
        .unwrap();
    let later = report(&output);
    assert_eq!(
        live.found(),
        later.found(),
        "live: {}\nlater: {}",
        live.transcript,
        later.transcript
    );
    assert_eq!(live.score, later.score);
    let wer = word_error_rate(&later.transcript, &live.transcript);
    assert!(wer <= 0.1, "WER {wer:.3}\nlive: {}\nlater: {}", live.transcript, later.transcript);
}

/// Plays a take into a FIFO at real-time pace, as a microphone would deliver it.
struct Feeder {
    fed: Arc<AtomicUsize>,
    done: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Feeder {
    /// After the take, silence follows; or, with `then_stall`, nothing at all, as from a
    /// device that stopped delivering.
    fn start(fifo: &Path, take: Vec<u8>, then_stall: bool) -> Self {
        // Read-write and non-blocking: opening never waits for the recorder, writing never
        // fails when the recorder probes the device and opens it again, and the feeder can
        // always be stopped.
        let mut pipe = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(fifo)
            .unwrap();
        let fed = Arc::new(AtomicUsize::new(0));
        let done = Arc::new(AtomicBool::new(false));
        let (fed_out, done_in) = (Arc::clone(&fed), Arc::clone(&done));
        let thread = std::thread::spawn(move || {
            let chunk = BYTES_PER_S / 100; // 10 ms, under PIPE_BUF: written whole or not at all
            let silence = vec![0u8; chunk];
            let mut deadline = Instant::now();
            while !done_in.load(Ordering::Relaxed) {
                let at = fed_out.load(Ordering::Relaxed);
                let piece = match take.get(at..(at + chunk).min(take.len())) {
                    Some(piece) if !piece.is_empty() => piece,
                    _ if then_stall => {
                        std::thread::sleep(Duration::from_millis(10));
                        continue;
                    }
                    _ => &silence,
                };
                match pipe.write(piece) {
                    Ok(n) => fed_out.fetch_add(n, Ordering::Relaxed),
                    // Nobody reads yet: wait, without writing ahead later.
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(1));
                        continue;
                    }
                    Err(e) => panic!("feeding the microphone: {e}"),
                };
                deadline = (deadline + Duration::from_millis(10)).max(Instant::now());
                std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
            }
        });
        Self { fed, done, thread: Some(thread) }
    }

    fn fed_s(&self) -> f64 {
        self.fed.load(Ordering::Relaxed) as f64 / BYTES_PER_S as f64
    }

    fn wait_until_fed(&self, seconds: f64) -> f64 {
        let give_up = Instant::now() + Duration::from_secs_f64(seconds + 30.0);
        while self.fed_s() < seconds {
            assert!(Instant::now() < give_up, "the recorder is not reading the microphone");
            std::thread::sleep(Duration::from_millis(2));
        }
        self.fed_s()
    }
}

impl Drop for Feeder {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A home whose default microphone is a FIFO, and the take to play into it.
fn real_time_microphone(sample: &str) -> (Home, PathBuf, Vec<u8>) {
    let home = Home::new();
    let raw = device_take(sample, home.dir.path());
    let fifo = home.path("mic.fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    home.configure(&file_microphone("!default", &fifo, "Test microphone in real time"));
    (home, fifo, std::fs::read(raw).unwrap())
}

fn start_recording(home: &Home, out: &Path) -> std::process::Child {
    home.callcoach(&["record", "--json", "--out"])
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn ctrl_c_mid_take_finishes_the_file_and_still_reports() {
    a_signal_mid_take_finishes_the_file_and_still_reports(libc::SIGINT);
}

#[test]
fn sigterm_mid_take_finishes_the_file_and_still_reports() {
    a_signal_mid_take_finishes_the_file_and_still_reports(libc::SIGTERM);
}

fn a_signal_mid_take_finishes_the_file_and_still_reports(signal: i32) {
    let (home, fifo, take) = real_time_microphone("complete-call.wav");
    let feeder = Feeder::start(&fifo, take, false);
    let out = home.path("take.wav");
    let child = start_recording(&home, &out);
    // The name and the job title have been said by 9 s.
    let fed_s = feeder.wait_until_fed(9.0);
    assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
    let output = child.wait_with_output().unwrap();
    drop(feeder);
    let report = report(&output);
    for element in ["caller_name", "job_title"] {
        assert!(report.found().contains(&element), "{element}: {}", report.transcript);
    }
    let (_, samples) = read_take(&out);
    let kept = seconds(&samples);
    assert!(kept > fed_s - 1.0 && kept < fed_s + 1.0, "{kept:.2} s kept of {fed_s:.2} s");
}

#[test]
fn enter_on_a_terminal_stops_the_take_and_says_at_once_that_it_is_saved() {
    let (home, fifo, take) = real_time_microphone("complete-call.wav");
    let feeder = Feeder::start(&fifo, take, false);
    let out = home.path("take.wav");
    let mut record = home.callcoach(&["record", "--no-save", "--out"]);
    record.arg(&out);
    let mut child =
        on_a_terminal(&record).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    let mut enter = child.stdin.take().unwrap();
    let fed_s = feeder.wait_until_fed(6.0);
    writeln!(enter).unwrap();
    let output = child.wait_with_output().unwrap();
    drop(feeder);
    let shown = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{shown}");
    assert!(shown.contains("Recording from Default Audio Device (alsa:default)"), "{shown}");
    assert!(shown.contains("The microphone hears you: go ahead."), "{shown}");
    assert!(shown.contains("Enter to stop"), "{shown}");
    let stopped = shown.find("— saved; finishing the last words…").expect("said at once");
    assert!(shown[..stopped].contains("Stopped at 0:0"), "{shown}");
    assert!(shown[stopped..].contains("What you said"), "the report comes after: {shown}");
    let (_, samples) = read_take(&out);
    assert!((seconds(&samples) - fed_s).abs() < 1.0, "{fed_s:.2} s fed");
}

#[test]
fn kill_9_mid_take_leaves_a_readable_file_that_lost_under_a_second() {
    let (home, fifo, take) = real_time_microphone("complete-call.wav");
    let feeder = Feeder::start(&fifo, take, false);
    let out = home.path("take.wav");
    let mut child = start_recording(&home, &out);
    let fed_s = feeder.wait_until_fed(5.0);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    drop(feeder);
    let (spec, samples) = read_take(&out);
    assert_eq!((spec.sample_rate, spec.channels), (48_000, 2));
    let lost = fed_s - seconds(&samples);
    eprintln!("kill -9 after {fed_s:.2} s fed to the microphone: {lost:.2} s lost");
    assert!(lost < 1.0, "{lost:.2} s lost");
    // Other tools read it too.
    let soxi = Command::new("soxi").arg("-D").arg(&out).output().unwrap();
    assert!(soxi.status.success(), "{}", String::from_utf8_lossy(&soxi.stderr));
}

#[test]
fn a_microphone_that_stops_delivering_ends_the_take_and_keeps_it() {
    let (home, fifo, take) = real_time_microphone("complete-call.wav");
    let first_seconds = take[..4 * BYTES_PER_S].to_vec();
    let feeder = Feeder::start(&fifo, first_seconds, true);
    let out = home.path("take.wav");
    let child = start_recording(&home, &out);
    let output = child.wait_with_output().unwrap();
    drop(feeder);
    let report = report_despite_failure(&output);
    assert!(report.found().contains(&"caller_name"), "{}", report.transcript);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(5), "{stderr}");
    let said = format!(
        "error: the input device alsa:default stopped delivering audio 4.0 s into the take \
         (unplugged?); the take so far is kept in {}\n",
        out.display()
    );
    assert!(stderr.starts_with(&said), "{stderr}");
    let (_, samples) = read_take(&out);
    assert!((seconds(&samples) - 4.0).abs() < 0.3, "{} s kept", seconds(&samples));
}

/// A small file system of its own, mounted for one test and unmounted when it ends, passed
/// or failed.
struct Mount {
    dir: TempDir,
}

impl Mount {
    /// A tmpfs with these mount options (`size=1m`, `ro`).
    fn tmpfs(options: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(dir.path())
            .output()
            .expect("mount(8) is part of every Debian system");
        assert!(
            mounted.status.success(),
            "this test mounts a small tmpfs, which needs root (`make test` in CI runs as root): {}",
            String::from_utf8_lossy(&mounted.stderr)
        );
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        // Lazily: a recorder left running by a failed assertion must not keep it mounted.
        let _ = Command::new("umount").arg("--lazy").arg(self.dir.path()).status();
    }
}

#[test]
fn a_disk_that_fills_up_mid_take_keeps_what_fitted_and_says_how_much() {
    let (home, fifo, take) = real_time_microphone("complete-call.wav");
    // 1 MiB holds about 5.5 s of the device's 48 kHz stereo at 16 bits.
    let disk = Mount::tmpfs("size=1m");
    let feeder = Feeder::start(&fifo, take, false);
    let out = disk.path("take.wav");
    let output = start_recording(&home, &out).wait_with_output().unwrap();
    let fed_s = feeder.fed_s();
    drop(feeder);

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let (_, samples) = read_take(&out);
    let kept = seconds(&samples);
    assert_eq!(
        std::fs::metadata(&out).unwrap().len(),
        44 + 2 * samples.len() as u64,
        "the file holds exactly the audio its header counts"
    );
    assert!(kept > 4.5 && kept < 5.5, "{kept:.2} s kept");
    assert!(fed_s < kept + 2.0, "recording stopped when the disk filled: {fed_s:.1} s fed");
    let first_line = stderr.lines().next().unwrap();
    let says = format!("{} keeps its first {kept:.1} s: No space left on device", out.display());
    assert!(
        first_line.starts_with("error: cannot write the take any more after ")
            && first_line.contains(&says),
        "{stderr}"
    );
    assert!(stderr.contains("hint: free some space, or save the take on another disk"));
    // What was heard is still reported.
    let report = report_despite_failure(&output);
    assert!(report.found().contains(&"caller_name"), "{}", report.transcript);
    let soxi = Command::new("soxi").arg("-D").arg(&out).output().unwrap();
    assert!(soxi.status.success(), "{}", String::from_utf8_lossy(&soxi.stderr));
}

#[test]
fn a_take_that_cannot_be_saved_is_refused_before_recording() {
    let home = Home::new();
    // No such sound card: had callcoach opened the device first, this would be the error.
    home.configure("pcm.!default { type hw card 7 }\n");
    let read_only = Mount::tmpfs("ro,size=64k");
    let refused = |args: &[&str], data_dir: &Path| {
        let output = home.callcoach(args).env("CALLCOACH_DATA_DIR", data_dir).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        assert!(output.stdout.is_empty());
        String::from_utf8(output.stderr).unwrap()
    };
    let data = home.dir.path();

    let take = read_only.path("take.wav");
    let stderr = refused(&["record", "--out", take.to_str().unwrap()], data);
    assert_eq!(
        stderr,
        format!(
            "error: cannot save the take in {}: Read-only file system (os error 30)\n\
             hint: name a file on a disk you can write to with --out\n",
            read_only.dir.path().display()
        )
    );
    assert_eq!(std::fs::read_dir(read_only.dir.path()).unwrap().count(), 0);

    // The default place, in a data directory on a read-only disk.
    let stderr = refused(&["record"], read_only.dir.path());
    assert!(
        stderr.starts_with(&format!(
            "error: cannot create {}: Read-only file system",
            read_only.path("recordings").display()
        )),
        "{stderr}"
    );

    let missing = home.path("no/such/take.wav");
    let stderr = refused(&["record", "--out", missing.to_str().unwrap()], data);
    assert_eq!(
        stderr,
        format!(
            "error: cannot save the take in {}: there is no such folder\n\
             hint: create the folder first, or name another file with --out\n",
            home.path("no/such").display()
        )
    );

    let stderr = refused(&["record", "--out", data.to_str().unwrap()], data);
    assert_eq!(
        stderr,
        format!(
            "error: {} is a folder, not a file to save the take in\n\
             hint: name a file in it, e.g. --out {}\n",
            data.display(),
            data.join("take.wav").display()
        )
    );
}

#[test]
fn no_microphone_is_one_clear_sentence() {
    let home = Home::new();
    // A default device on a sound card that does not exist, whatever this machine has.
    home.configure("pcm.!default { type hw card 7 }\n");
    let output = home.callcoach(&["record"]).output().unwrap();
    assert_eq!(output.status.code(), Some(5));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr,
        "error: no microphone found: this computer has no audio input device\n\
         hint: connect a microphone; `callcoach devices` lists the inputs callcoach can use\n"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn devices_are_listed_and_named_ones_recorded_with_live_warnings() {
    let home = Home::new();
    // Two seconds at full scale, then silence: a microphone that clips.
    let loud: Vec<u8> = (0..3 * RATE * CHANNELS)
        .flat_map(|i| {
            let v: f32 = if i >= 2 * RATE * CHANNELS {
                0.0
            } else if i % 200 < 100 {
                1.0
            } else {
                -1.0
            };
            v.to_le_bytes()
        })
        .collect();
    let loud_raw = home.path("loud.raw");
    std::fs::write(&loud_raw, loud).unwrap();
    home.configure(&format!(
        "pcm.quiet {{\n  type null\n  hint {{ show on description \"Silent test microphone\" }}\n}}\n{}",
        file_microphone("loud", &loud_raw, "Clipping test microphone")
    ));

    let output = home.callcoach(&["devices", "--json"]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let devices: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    let loud = devices.iter().find(|d| d["id"] == "alsa:loud").expect("the clipping microphone");
    assert_eq!((loud["sample_rate"].as_u64(), loud["channels"].as_u64()), (Some(48_000), Some(2)));
    assert_eq!(loud["description"], "Clipping test microphone");
    assert!(devices.iter().any(|d| d["id"] == "alsa:quiet"), "{devices:?}");
    // ALSA's own null device records zeros from no microphone: not one to offer.
    assert!(!devices.iter().any(|d| d["id"] == "alsa:null"), "{devices:?}");
    let output = home.callcoach(&["devices"]).output().unwrap();
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(table.contains("alsa:loud") && table.contains("48000 Hz  2 ch"), "{table}");

    let output = home
        .callcoach(&["record", "--device", "quiet", "--max-duration", "4s", "--json"])
        .output()
        .unwrap();
    let silent = report(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("warning: the microphone hears nothing"), "{stderr}");
    assert!(silent.transcript.is_empty() && silent.score == 0);

    let output = home
        .callcoach(&["record", "--device", "alsa:loud", "--max-duration", "2s", "--json"])
        .output()
        .unwrap();
    report(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("warning: the input is clipping"), "{stderr}");
    assert_eq!(stderr.matches("warning").count(), 1, "warned once: {stderr}");

    let output = home.callcoach(&["record", "--device", "nosuch"]).output().unwrap();
    assert_eq!(output.status.code(), Some(5));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("error: there is no input device `nosuch`\n"), "{stderr}");

    // A disk that is full from the start.
    let output =
        home.callcoach(&["record", "--device", "quiet", "--out", "/dev/full"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: cannot create /dev/full: No space left on device"),
        "{stderr}"
    );
}
