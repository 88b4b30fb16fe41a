//! How far the checklist can be trusted: precision and recall of every element on the labelled
//! corpus in tests/corpus/ (labels written from a coach's rules, see its README), first as typed
//! transcripts, then spoken by synthetic voices (clean, telephone band, pink noise) and
//! transcribed by the real model. Both tables are printed on every run. Then `callcoach
//! check`, which judges a typed script, end to end.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use predicates::prelude::*;
use predicates::str::contains;

use callcoach::analysis::{
    analyze, analyze_script, Analysis, ModeChoice, NotARehearsal, Script, TakeTiming,
};
use callcoach::audio::{read_recording, VoiceActivity};
use callcoach::checklist::{Checklist, Mode};
use callcoach::delivery;
use callcoach::profile::Profile;
use callcoach::transcribe::{Transcriber, WhisperOptions, WhisperTranscriber};

use crate::labelled;
use crate::support::{callcoach, model, root, Report};

/// The F1 every element reaches on the typed corpus (the lowest measured is 0.99).
const TEXT_F1_FLOOR: f64 = 0.97;
/// The F1 every element reaches on the typed transcripts judged with a profile: few, and
/// written with the cases a word-by-word match cannot see ("RN" for registered nurse).
const PROFILE_F1_FLOOR: f64 = 0.80;
/// The F1 every element reaches on the spoken subset through Whisper tiny.en.
const SPEECH_F1_FLOOR: f64 = 0.90;
/// The same for the spoken voicemails: fewer and harder (phone numbers and unusual titles
/// read by synthetic voices through a phone band), their misses all mishearings ("the line
/// good job", "it's time, time, free to one") — a regression floor, measured 0.83 at worst
/// before "said it twice" needed the same digits twice; with that, a number misheard once is
/// no longer repeated, and number_repeated measured 0.75.
const VOICEMAIL_SPEECH_F1_FLOOR: f64 = 0.74;
/// Every element's F1 and precision on the labelled training corpora with the meaning model
/// (regression floors: the heads were trained there).
const LABELLED_F1_FLOOR: f64 = 0.95;
const LABELLED_PRECISION_FLOOR: f64 = 0.95;
/// Every element's F1 and precision on the held-back corpora: regression floors under the
/// figures measured once (lowest: decision_timeline F1 0.88, precision 0.91).
const HELD_BACK_F1_FLOOR: f64 = 0.86;
const HELD_BACK_PRECISION_FLOOR: f64 = 0.90;
/// The share of typed transcripts whose mode (call or voicemail) `--mode auto` gets right.
const MODE_ACCURACY_FLOOR: f64 = 0.95;
/// Precision and recall of the filler and hedge counts on the labelled typed transcripts.
const DELIVERY_COUNT_FLOOR: f64 = 0.85;

/// One labelled call (or voicemail) of the corpus.
struct Call {
    name: String,
    /// A call unless the file says `# mode: voicemail`.
    mode: Mode,
    /// The elements a careful coach would tick.
    has: BTreeSet<String>,
    /// The profile it is judged with (`# profile: NAME`, from tests/corpus/profiles/NAME.toml).
    profile: Option<String>,
    /// The filler words and the hedges said, where the file counts them.
    fillers: Option<usize>,
    hedges: Option<usize>,
    text: String,
}

impl Call {
    /// The built-in checklist, made personal where the call has a profile.
    fn checklist(&self) -> Checklist {
        match &self.profile {
            None => Checklist::builtin(),
            Some(name) => {
                let path = root().join(format!("tests/corpus/profiles/{name}.toml"));
                Checklist::builtin().with_profile(Profile::load(&path).unwrap())
            }
        }
    }
}

fn corpus() -> Vec<Call> {
    let dir = root().join("tests/corpus");
    let mut calls: Vec<Call> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "txt"))
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let content = std::fs::read_to_string(&path).unwrap();
            let has = content
                .lines()
                .find_map(|line| line.strip_prefix("# has:"))
                .unwrap_or_else(|| panic!("{name} has no `# has:` line"))
                .split_whitespace()
                .map(str::to_string)
                .collect();
            let mode = match content.lines().find_map(|line| line.strip_prefix("# mode:")) {
                Some(mode) if mode.trim() == "voicemail" => Mode::Voicemail,
                Some(mode) => panic!("{name}: unknown mode {mode:?}"),
                None => Mode::Call,
            };
            let header = |key: &str| {
                content
                    .lines()
                    .find_map(|line| line.strip_prefix(&format!("# {key}:")))
                    .map(str::trim)
            };
            let count = |key: &str| {
                header(key).map(|n| n.parse().unwrap_or_else(|_| panic!("{name}: {key}: {n}")))
            };
            let text: Vec<&str> = content.lines().filter(|l| !l.starts_with('#')).collect();
            Call {
                profile: header("profile").map(str::to_string),
                fillers: count("fillers"),
                hedges: count("hedges"),
                name,
                mode,
                has,
                text: text.join("\n"),
            }
        })
        .collect();
    calls.sort_by(|a, b| a.name.cmp(&b.name));
    calls
}

fn ids(mode: Mode) -> Vec<String> {
    Checklist::builtin().elements_of(mode).map(|(e, _)| e.id.clone()).collect()
}

/// Hits and misses per element, and which calls missed.
struct Tally {
    /// Per element id: true positives, false positives, false negatives.
    counts: Vec<(String, [usize; 3])>,
    calls: usize,
    misses: Vec<String>,
}

impl Tally {
    fn new(mode: Mode) -> Self {
        Self {
            counts: ids(mode).into_iter().map(|id| (id, [0; 3])).collect(),
            calls: 0,
            misses: vec![],
        }
    }

    fn add(&mut self, call: &str, has: &BTreeSet<String>, analysis: &Analysis, heard: &str) {
        self.calls += 1;
        for finding in &analysis.findings {
            let (_, counts) = self.counts.iter_mut().find(|(id, _)| *id == finding.id).unwrap();
            match (has.contains(&finding.id), &finding.evidence) {
                (true, Some(_)) => counts[0] += 1,
                (false, Some(evidence)) => {
                    counts[1] += 1;
                    self.misses
                        .push(format!("  false {:<18} {call}: {:?}", finding.id, evidence.quote));
                }
                (true, None) => {
                    counts[2] += 1;
                    let heard =
                        if heard.is_empty() { String::new() } else { format!(": {heard:?}") };
                    self.misses.push(format!("  missed {:<17} {call}{heard}", finding.id));
                }
                (false, None) => {}
            }
        }
    }

    /// Precision, recall and F1 of one element; an element never said nor found scores 1.
    fn scores(counts: [usize; 3]) -> (f64, f64, f64) {
        let [tp, fp, fn_] = counts.map(|n| n as f64);
        let precision = if tp + fp > 0.0 { tp / (tp + fp) } else { 1.0 };
        let recall = if tp + fn_ > 0.0 { tp / (tp + fn_) } else { 1.0 };
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        (precision, recall, f1)
    }

    fn table(&self, title: &str) -> String {
        let mut out = format!(
            "\n{title}\n{:<18} {:>4} {:>4} {:>4} {:>4} {:>9} {:>6} {:>5}\n",
            "element", "said", "tp", "fp", "fn", "precision", "recall", "F1"
        );
        for (id, counts) in &self.counts {
            let (precision, recall, f1) = Self::scores(*counts);
            let [tp, fp, fn_] = counts;
            out += &format!(
                "{id:<18} {:>4} {tp:>4} {fp:>4} {fn_:>4} {precision:>9.2} {recall:>6.2} {f1:>5.2}\n",
                tp + fn_
            );
        }
        for miss in &self.misses {
            out += miss;
            out.push('\n');
        }
        out
    }

    /// The elements whose F1 is below `floor`, with it.
    fn below(&self, floor: f64) -> Vec<(String, f64)> {
        self.counts
            .iter()
            .map(|(id, counts)| (id.clone(), Self::scores(*counts).2))
            .filter(|(_, f1)| *f1 < floor)
            .collect()
    }
}

/// Shows a table in `make test`'s output. Written to stderr directly, because the test
/// harness captures `println!` and `eprintln!` of passing tests and the tables are the point.
fn show(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

#[test]
fn the_corpus_is_large_labelled_and_balanced() {
    let calls = corpus();
    for (mode, least) in [(Mode::Call, 60), (Mode::Voicemail, 20)] {
        let calls: Vec<&Call> = calls.iter().filter(|c| c.mode == mode).collect();
        assert!(calls.len() >= least, "{} {mode}s", calls.len());
        let ids = ids(mode);
        for call in &calls {
            assert!(call.has.iter().all(|id| ids.contains(id)), "{}: {:?}", call.name, call.has);
            assert!(!call.text.trim().is_empty(), "{} has no words", call.name);
        }
        // The few judged with a profile have their own table, and need no balance.
        let generic: Vec<&&Call> = calls.iter().filter(|c| c.profile.is_none()).collect();
        for id in &ids {
            let said = generic.iter().filter(|c| c.has.contains(id)).count();
            let share = said as f64 / generic.len() as f64;
            assert!(
                (0.35..=0.65).contains(&share),
                "{id} is said in {said} of {} {mode}s",
                generic.len()
            );
        }
    }
}

#[test]
fn typed_transcripts_meet_the_text_floor() {
    let calls = corpus();
    let mut below = Vec::new();
    for mode in Mode::ALL {
        let (mut generic, mut personal) = (Tally::new(mode), Tally::new(mode));
        for call in calls.iter().filter(|c| c.mode == mode) {
            let analysis = analyze_script(
                &Script::new(&call.text),
                &call.checklist(),
                ModeChoice::Given(mode),
            );
            let tally = if call.profile.is_some() { &mut personal } else { &mut generic };
            tally.add(&call.name, &call.has, &analysis, "");
        }
        show(&generic.table(&format!(
            "Checklist detection, {} typed {mode} transcripts (tests/corpus):",
            generic.calls
        )));
        show(&personal.table(&format!(
            "The same, {} typed {mode} transcripts judged with a profile (tests/corpus/profiles):",
            personal.calls
        )));
        below.extend(generic.below(TEXT_F1_FLOOR));
        below.extend(personal.below(PROFILE_F1_FLOOR));
    }
    assert!(below.is_empty(), "F1 below the floor: {below:?}");
}

/// Counted things found against the count said: found up to the count are right, beyond it
/// false, short of it missed.
#[derive(Default)]
struct Counts {
    said: usize,
    right: usize,
    extra: usize,
    missed: usize,
    misses: Vec<String>,
}

impl Counts {
    fn add(&mut self, call: &str, said: usize, found: &[String]) {
        self.said += said;
        self.right += said.min(found.len());
        self.extra += found.len().saturating_sub(said);
        self.missed += said.saturating_sub(found.len());
        if found.len() != said {
            self.misses.push(format!("  {call}: said {said}, found {} {found:?}", found.len()));
        }
    }

    fn precision_and_recall(&self) -> (f64, f64) {
        let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
        (ratio(self.right, self.right + self.extra), ratio(self.right, self.right + self.missed))
    }

    fn row(&self, what: &str) -> String {
        let (precision, recall) = self.precision_and_recall();
        format!(
            "{what:<8} {:>4} {:>5} {:>5} {:>6} {precision:>9.2} {recall:>6.2}\n{}",
            self.said,
            self.right,
            self.extra,
            self.missed,
            self.misses.iter().map(|m| format!("{m}\n")).collect::<String>()
        )
    }
}

#[test]
fn fillers_and_hedges_are_counted_on_typed_transcripts() {
    let (mut fillers, mut hedges) = (Counts::default(), Counts::default());
    let labelled: Vec<Call> =
        corpus().into_iter().filter(|c| c.fillers.is_some() || c.hedges.is_some()).collect();
    assert!(labelled.len() >= 10, "{} transcripts count fillers and hedges", labelled.len());
    for call in &labelled {
        let delivery = delivery::of_script(&Script::new(&call.text), &call.checklist());
        let found_fillers: Vec<String> =
            delivery.fillers.heard.iter().map(|f| f.moment.text.clone()).collect();
        let found_hedges: Vec<String> = delivery.hedges.iter().map(|h| h.text.clone()).collect();
        fillers.add(&call.name, call.fillers.expect("fillers counted"), &found_fillers);
        hedges.add(&call.name, call.hedges.expect("hedges counted"), &found_hedges);
    }
    show(&format!(
        "\nFillers and hedges, {} labelled typed transcripts (tests/corpus):\n\
         {:<8} {:>4} {:>5} {:>5} {:>6} {:>9} {:>6}\n{}{}",
        labelled.len(),
        "",
        "said",
        "right",
        "extra",
        "missed",
        "precision",
        "recall",
        fillers.row("fillers"),
        hedges.row("hedges")
    ));
    for (what, counts) in [("fillers", &fillers), ("hedges", &hedges)] {
        let (precision, recall) = counts.precision_and_recall();
        assert!(
            precision >= DELIVERY_COUNT_FLOOR && recall >= DELIVERY_COUNT_FLOOR,
            "{what}: precision {precision:.2}, recall {recall:.2}"
        );
    }
}

#[test]
fn the_mode_is_told_apart_on_typed_transcripts() {
    let checklist = Checklist::builtin();
    let calls = corpus();
    let wrong: Vec<String> = calls
        .iter()
        .filter(|call| {
            analyze_script(&Script::new(&call.text), &checklist, ModeChoice::Detect).mode
                != call.mode
        })
        .map(|call| format!("  {} is a {}\n", call.name, call.mode))
        .collect();
    let right = calls.len() - wrong.len();
    show(&format!(
        "\nMode told apart (--mode auto): {right} of {} typed transcripts right\n{}",
        calls.len(),
        wrong.concat()
    ));
    assert!(right as f64 >= MODE_ACCURACY_FLOOR * calls.len() as f64, "{wrong:?}");
}

/// The calls spoken for the audio table: every element said in about half of them, and every
/// distractor of the corpus README among them.
const SPOKEN: &[&str] = &[
    "01-nurse-complete",
    "05-receptionist-good-day",
    "06-thanks-to-my-manager",
    "07-decision-to-leave",
    "08-asks-about-benefits",
    "14-great-fit-claim",
    "16-previous-role-as-cashier",
    "23-thanks-for-picking-up",
    "44-no-name",
    "49-aircraft-mechanic",
    "60-about-the-job-timeline",
    "63-every-distractor",
    "69-opening-we-discussed",
    "74-pastry-cook",
    "93-vm-sales-associate-twice",
    "94-vm-words-number-once",
    "96-vm-ill-call-again",
    "97-vm-it-is-me",
    "98-vm-double-digits",
    "102-vm-text-me",
    "109-vm-please-return",
    "110-vm-hyphenated",
    "112-vm-missed-you-words",
];

/// Debian's speech synthesisers (see ../shared/notes/audio.md), taking turns call by call.
pub(crate) const VOICES: &[(&str, &str)] = &[
    ("flite", "rms"),
    ("flite", "slt"),
    ("flite", "awb"),
    ("flite", "kal16"),
    ("espeak-ng", "en-us"),
];

#[derive(Debug, Clone, Copy)]
pub(crate) enum Channel {
    Clean,
    /// 8 kHz, 300–3400 Hz: what a phone line carries.
    Telephone,
    /// Pink noise about 15 dB under the voice.
    Noisy,
    /// Pink noise about 35 dB under the voice: a quiet room.
    QuietRoom,
}

const CHANNELS: [Channel; 3] = [Channel::Clean, Channel::Telephone, Channel::Noisy];

pub(crate) fn run(command: &mut Command) {
    let program = command.get_program().to_string_lossy().into_owned();
    let status = command.status().unwrap_or_else(|e| {
        panic!(
            "cannot run {program} ({e}): `make test` installs flite, espeak-ng, festival and sox"
        )
    });
    assert!(status.success(), "{command:?} failed");
}

/// sox in repeatable mode: the same pink noise on every run, so the table is stable.
pub(crate) fn sox() -> Command {
    let mut command = Command::new("sox");
    command.arg("-R");
    command
}

/// Speaks `text` into a WAV file in `dir` and passes it through `channel`.
pub(crate) fn render(
    text: &str,
    (engine, voice): (&str, &str),
    channel: Channel,
    dir: &Path,
) -> PathBuf {
    let script = dir.join("script.txt");
    std::fs::write(&script, text).unwrap();
    let spoken = dir.join("spoken.wav");
    match engine {
        "flite" => run(Command::new("flite")
            .args(["-voice", voice, "-f"])
            .arg(&script)
            .arg("-o")
            .arg(&spoken)),
        // Festival's one voice that `make test` installs (its HTS "slt").
        "festival" => run(Command::new("text2wave").arg(&script).arg("-o").arg(&spoken)),
        _ => run(Command::new("espeak-ng")
            .args(["-v", voice, "-s", "160", "-w"])
            .arg(&spoken)
            .arg("-f")
            .arg(&script)),
    }
    let clean = dir.join("clean.wav");
    run(sox().arg(&spoken).args(["-r", "16000", "-c", "1", "-b", "16"]).arg(&clean));
    let out = dir.join("call.wav");
    match channel {
        Channel::Clean => return clean,
        Channel::Telephone => run(sox()
            .arg(&clean)
            .args(["-r", "8000", "-c", "1"])
            .arg(&out)
            .args(["sinc", "300-3400"])),
        Channel::Noisy | Channel::QuietRoom => {
            let volume = if matches!(channel, Channel::Noisy) { "0.03" } else { "0.003" };
            let seconds = read_recording(&clean).unwrap().duration_s().to_string();
            let noise = dir.join("noise.wav");
            run(sox().args(["-n", "-r", "16000", "-c", "1", "-b", "16"]).arg(&noise).args([
                "synth",
                &seconds,
                "pinknoise",
                "vol",
                volume,
            ]));
            run(sox().arg("-m").arg(&clean).arg(&noise).arg(&out));
        }
    }
    out
}

#[test]
fn spoken_calls_meet_the_speech_floor() {
    let calls: Vec<Call> =
        corpus().into_iter().filter(|c| SPOKEN.contains(&c.name.as_str())).collect();
    assert_eq!(calls.len(), SPOKEN.len(), "every spoken call is in the corpus");
    let checklist = Checklist::builtin();
    let transcriber = WhisperTranscriber::load(&model(), WhisperOptions::default()).unwrap();
    let tallies = || Mode::ALL.map(Tally::new);
    let mut tally = tallies();
    let mut per_channel: Vec<(Channel, [Tally; 2])> =
        CHANNELS.iter().map(|c| (*c, tallies())).collect();
    for (i, call) in calls.iter().enumerate() {
        let m = call.mode as usize;
        for (c, (channel, channel_tally)) in per_channel.iter_mut().enumerate() {
            let voice = VOICES[(i + c) % VOICES.len()];
            let dir = tempfile::tempdir().unwrap();
            let wav = render(&call.text, voice, *channel, dir.path());
            let samples = read_recording(&wav).unwrap();
            let activity = VoiceActivity::detect(&samples);
            let timing =
                TakeTiming { duration_s: samples.duration_s(), speech_s: activity.speech_s() };
            let transcript = transcriber.transcribe(&samples, &activity, Box::new(|_| {})).unwrap();
            let analysis = analyze(&transcript, timing, &checklist, ModeChoice::Given(call.mode));
            let name = format!("{} ({} {}, {channel:?})", call.name, voice.0, voice.1);
            tally[m].add(&name, &call.has, &analysis, &transcript.text());
            channel_tally[m].add(&name, &call.has, &analysis, &transcript.text());
        }
    }
    let mut below = Vec::new();
    for mode in Mode::ALL {
        let m = mode as usize;
        let mut text = tally[m].table(&format!(
            "Checklist detection, {} spoken {mode}s ({} scripts × clean, telephone, noisy; \
             flite rms/slt/awb/kal16 and espeak-ng en-us; Whisper {}):",
            tally[m].calls,
            calls.iter().filter(|c| c.mode == mode).count(),
            model().file_name().unwrap().to_string_lossy()
        ));
        for (channel, channel_tally) in &per_channel {
            let f1: Vec<String> = channel_tally[m]
                .counts
                .iter()
                .map(|(id, counts)| format!("{id} {:.2}", Tally::scores(*counts).2))
                .collect();
            text += &format!("F1 {channel:?}: {}\n", f1.join(", "));
        }
        show(&text);
        let floor = match mode {
            Mode::Call => SPEECH_F1_FLOOR,
            Mode::Voicemail => VOICEMAIL_SPEECH_F1_FLOOR,
        };
        below.extend(tally[m].below(floor).into_iter().map(|(id, f1)| (mode, id, f1, floor)));
    }
    assert!(below.is_empty(), "F1 below the floor: {below:?}");
}

fn check_json(args: &[&str], dir: &Path) -> Report {
    let output = callcoach(dir).arg("check").arg("--json").args(args).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

const SCRIPT: &str = "Hi Ms. Carter, this is Dana Reed.\n\
    Thank you for taking the time to meet with me about the office manager position.\n\
    I have six years of experience running a busy dental office.\n\
    I'm happy to send references.\n";

#[test]
fn check_judges_a_typed_script_without_times() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("script.txt");
    std::fs::write(&file, SCRIPT).unwrap();
    let report = check_json(&[file.to_str().unwrap()], dir.path());
    assert_eq!(
        (report.version, report.input.as_str(), report.mode.as_str()),
        (3, "script", "call")
    );
    assert_eq!(
        report.found(),
        ["thanks", "job_title", "qualifications", "offer_info", "caller_name"]
    );
    assert_eq!((report.duration_s, report.speech_s), (None, None));
    assert!(report.words.iter().all(|w| w.start_s.is_none() && w.end_s.is_none()));
    assert_eq!(report.words.len(), SCRIPT.split_whitespace().count());
    for element in &report.elements {
        assert_eq!((element.start_s, element.end_s), (None, None), "{}", element.id);
    }
    let thanks = &report.elements[0];
    assert_eq!(thanks.evidence.as_deref(), Some("Thank you for taking the time"));
    let timeline = report.elements.iter().find(|e| e.id == "decision_timeline").unwrap();
    assert!(timeline.tip.as_deref().unwrap().contains("when they expect to make a decision"));
    // Its words at 140 a minute take about 16 s, under the 30 s a call needs.
    let b = &report.brevity;
    assert!(b.estimated && b.duration_s.is_none() && b.speech_s.is_none());
    assert!((b.talk_s - report.words.len() as f64 * 60.0 / 140.0).abs() < 0.01, "{}", b.talk_s);
    assert!(!b.ok && b.tip.as_deref().unwrap().starts_with("That was very short"));

    callcoach(dir.path())
        .arg("check")
        .arg(&file)
        .assert()
        .success()
        .stdout(contains(format!(
            "script, call (told from what you said) · {} words",
            report.words.len()
        )))
        .stdout(contains("✓ Thanked them for their time\n    \"Thank you for taking the time\""))
        .stdout(contains("✗ Asked when they expect to decide"))
        .stdout(contains("Brief: about 0:16 of talk at 140 words a minute"))
        .stdout(contains(" at 0:").not());

    // Standard input, as `-`.
    let output = callcoach(dir.path())
        .args(["check", "--json", "-"])
        .write_stdin("Thanks for the interview. When will you decide?")
        .output()
        .unwrap();
    let report: Report = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!((report.file.as_str(), report.found()), ("-", vec!["thanks", "decision_timeline"]));
}

#[test]
fn check_refuses_what_is_not_a_script_with_one_sentence_and_exit_code_3() {
    let dir = tempfile::tempdir().unwrap();
    callcoach(dir.path())
        .args(["check", "missing.txt"])
        .assert()
        .code(3)
        .stderr(contains("missing.txt: no such file"));
    let wav = root().join("samples/voicemail.wav");
    callcoach(dir.path())
        .arg("check")
        .arg(&wav)
        .assert()
        .code(3)
        .stderr(contains("not a text file"))
        .stderr(contains("hint: to judge a recording, use `callcoach analyze FILE.wav`"));
    std::fs::write(dir.path().join("empty.txt"), " \n\n").unwrap();
    callcoach(dir.path())
        .args(["check", "empty.txt"])
        .assert()
        .code(3)
        .stderr(contains("empty.txt: has no words to check"))
        .stderr(contains("panicked").not());
}

#[test]
fn a_checklist_file_extends_the_builtin_one_or_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("script.txt"), SCRIPT).unwrap();
    let extension = "version = 2\n\
        extends = \"builtin\"\n\
        [modes.call.weights]\n\
        enthusiasm = 10\n\
        [[elements]]\n\
        id = \"enthusiasm\"\n\
        label = \"Said you still want the job\"\n\
        tip = \"Say you are still keen on the job.\"\n\
        phrases = [\"(still|very|really) (keen|interested|excited)\"]\n";
    std::fs::write(dir.path().join("mine.toml"), extension).unwrap();
    let report =
        check_json(&["--mode", "call", "--checklist", "mine.toml", "script.txt"], dir.path());
    let last = report.elements.last().unwrap();
    assert_eq!((last.id.as_str(), last.found), ("enthusiasm", false));
    assert_eq!(last.tip.as_deref(), Some("Say you are still keen on the job."));
    assert_eq!(report.elements.len(), 7);

    std::fs::write(dir.path().join("broken.toml"), extension.replace("excited)", "excited"))
        .unwrap();
    callcoach(dir.path())
        .args(["check", "--checklist", "broken.toml", "script.txt"])
        .assert()
        .code(3)
        .stdout("")
        .stderr(contains("broken.toml: line 9: element \"enthusiasm\":"))
        .stderr(contains("hint: the checklist format is described in docs/checks.md"));
}

/// The labelled training corpora judged by rules and meaning model together. The heads were
/// trained on these takes, so this is a regression floor, not a measure of generalisation
/// (see the held-back table in `make accuracy`).
#[test]
fn labelled_training_corpora_meet_their_floor() {
    let meaning = crate::support::meaning();
    let mut tally = labelled::Tally::default();
    for take in labelled::load(&root().join("tests/corpus/labelled")) {
        tally.add(&take, &take.judge(&take.checklist().with_meaning(meaning.clone())));
    }
    show(&tally.table("Rules and meaning model, training corpora (trained on)"));
    let below = tally.below(LABELLED_F1_FLOOR, LABELLED_PRECISION_FLOOR);
    assert!(below.is_empty(), "under the floor: {below:?}");
    let (precision, recall, _) = labelled::Tally::scores(tally.set_aside);
    assert!(
        precision >= 0.95 && recall >= 0.80,
        "not-a-rehearsal precision {precision:.2}, recall {recall:.2}: {:?}",
        tally.set_aside_wrongly
    );
}

/// The held-back corpora, which no rule, head or threshold was tuned on. Their generalisation
/// figure was measured once, on 2026-12-02 (docs/accuracy.md); these floors sit
/// just under it, to catch a regression, and are no measure of generalisation themselves.
#[test]
fn held_back_corpora_keep_their_regression_floor() {
    let meaning = crate::support::meaning();
    let mut tally = labelled::Tally::default();
    for take in labelled::load(&root().join("tests/corpus/held-back")) {
        tally.add(&take, &take.judge(&take.checklist().with_meaning(meaning.clone())));
    }
    let below = tally.below(HELD_BACK_F1_FLOOR, HELD_BACK_PRECISION_FLOOR);
    assert!(below.is_empty(), "under the floor: {below:?}");
}

/// The labelled corpora judged by the rules alone and by rules and model together, for
/// `make accuracy`. The held-back corpus was measured once, before any tuning on it; every
/// later figure there is a regression floor (see docs/accuracy.md).
#[test]
#[ignore = "tables for make accuracy"]
fn judgement_tables() {
    let meaning = crate::support::meaning();
    for (dir, what) in
        [("labelled", "training corpora (trained on)"), ("held-back", "held-back corpora")]
    {
        let takes = labelled::load(&root().join("tests/corpus").join(dir));
        let (mut rules, mut both) = (labelled::Tally::default(), labelled::Tally::default());
        for take in &takes {
            rules.add(take, &take.judge(&take.checklist()));
            both.add(take, &take.judge(&take.checklist().with_meaning(meaning.clone())));
        }
        println!("{}", rules.table(&format!("Rules alone, {what}, {} takes", takes.len())));
        println!(
            "{}",
            both.table(&format!("Rules and meaning model, {what}, {} takes", takes.len()))
        );
    }
}

/// A typed transcript judged with the meaning model, in `mode`, with a profile if given.
fn judged_with_model(text: &str, mode: Mode, profile: Option<Profile>) -> Analysis {
    let checklist = match profile {
        Some(profile) => Checklist::builtin().with_profile(profile),
        None => Checklist::builtin(),
    };
    let checklist = checklist.with_meaning(crate::support::meaning());
    analyze_script(&Script::new(text), &checklist, ModeChoice::Given(mode))
}

fn ticked(analysis: &Analysis, id: &str) -> bool {
    analysis.findings.iter().find(|f| f.id == id).unwrap_or_else(|| panic!("no {id}")).found()
}

/// A call that says everything else well, with `line` in the middle: only `line` can decide
/// the element under test.
fn call_with(line: &str) -> String {
    format!(
        "Hi Ms. Carter, this is Sam Ortiz.\nThank you for the interview for the line cook \
         position yesterday.\n{line}\nHave a good afternoon."
    )
}

/// The phrasings issue 14 names, which no phrase list foresaw: each is heard as what it is.
#[test]
fn offers_and_timeline_questions_in_unforeseen_words_are_heard() {
    for question in [
        "Are you hoping to have someone in place by spring?",
        "How soon do you think you'll be narrowing it down?",
        "What does the rest of the process look like on your side?",
    ] {
        let analysis = judged_with_model(&call_with(question), Mode::Call, None);
        assert!(ticked(&analysis, "decision_timeline"), "{question}");
    }
    for offer in [
        "If you'd like to see the lesson plans I mentioned, I can email them tonight.",
        "Glad to share the deck I built for my last client.",
        "My last manager is happy to take a call from you.",
    ] {
        let analysis = judged_with_model(&call_with(offer), Mode::Call, None);
        assert!(ticked(&analysis, "offer_info"), "{offer}");
        let finding = analysis.findings.iter().find(|f| f.id == "offer_info").unwrap();
        assert!(finding.evidence.as_ref().unwrap().quote.len() > 10, "quoted: {finding:?}");
    }
}

/// The false verdicts issue 14 lists, each kept as a regression test.
#[test]
fn the_false_verdicts_of_issue_14_stay_fixed() {
    let read_aloud = "The birch canoe slid on the smooth planks. Glue the sheet to the dark blue \
                      background. When you hear the bell, come quickly. It's easy to tell the \
                      depth of a well. These days a chicken leg is a rare dish.";
    let analysis = judged_with_model(read_aloud, Mode::Call, None);
    assert_eq!(analysis.not_a_rehearsal, Some(NotARehearsal::OffTopic), "{:?}", analysis.findings);

    let fired = judged_with_model(
        &call_with("In my last role I was let go for being late."),
        Mode::Call,
        None,
    );
    assert!(!ticked(&fired, "qualifications"));
    let reliable =
        judged_with_model(&call_with("I'm a quick learner and very reliable."), Mode::Call, None);
    assert!(ticked(&reliable, "qualifications"));

    let shrug = judged_with_model(
        &call_with("I don't know what the next steps are but whatever."),
        Mode::Call,
        None,
    );
    assert!(!ticked(&shrug, "decision_timeline"));

    let brief = judged_with_model(
        "Hi Ms. Carter, this is Sam Ortiz, about the line cook position. Thanks for yesterday. \
         I've run a grill station for three years.",
        Mode::Call,
        None,
    );
    assert!(ticked(&brief, "thanks"));

    let forklift = callcoach::delivery::of_script(
        &Script::new("I have my certifications, like my forklift certificate, and a clean record."),
        &Checklist::builtin(),
    );
    assert_eq!(forklift.fillers.at_least, 0, "{:?}", forklift.fillers.heard);

    let daniel = Profile {
        name: Some("Daniel Brooks".into()),
        phone: Some("555-212-3456".into()),
        ..Profile::default()
    };
    let sarah = judged_with_model(
        "Hi, my name is Sarah Johnson, I interviewed for the warehouse associate job. Thank you \
         for your time. Please call me back at 555 212 3456. Again, 555 212 3456.",
        Mode::Voicemail,
        Some(daniel.clone()),
    );
    let name = sarah.findings.iter().find(|f| f.id == "caller_name").unwrap();
    assert!(!name.found());
    assert!(name.tip.as_deref().unwrap().contains("Sarah Johnson"), "{name:?}");
    assert!(name.tip.as_deref().unwrap().contains("Daniel Brooks"), "{name:?}");

    let misheard = judged_with_model(
        "Hi, this is Daniel Brooks about the warehouse associate job. Thank you for your time. \
         Please call me back at 555 123 456. Again, 555 123 456.",
        Mode::Voicemail,
        Some(daniel),
    );
    assert!(!ticked(&misheard, "phone_number") && !ticked(&misheard, "number_repeated"));
    let tip = misheard.findings.iter().find(|f| f.id == "phone_number").unwrap().tip.clone();
    assert!(tip.unwrap().contains("555123456"));

    let two_numbers = judged_with_model(
        "Hi, this is Dee about the warehouse associate job. Thank you for your time. Please \
         call me back at 555 212 3456. Again, 555 212 3465.",
        Mode::Voicemail,
        None,
    );
    assert!(ticked(&two_numbers, "phone_number") && !ticked(&two_numbers, "number_repeated"));
}

/// `callcoach check --json` says which judge decided each element, how sure the model is, and
/// when a take is no rehearsal; `--rules-only` judges by the phrases and says so.
#[test]
fn check_reports_who_judged_and_what_is_no_rehearsal() {
    let dir = tempfile::tempdir().unwrap();
    let call = dir.path().join("call.txt");
    std::fs::write(
        &call,
        call_with("How soon do you think you'll be narrowing it down?\nI've run a grill station for three years."),
    )
    .unwrap();
    let report = check_json(&[call.to_str().unwrap()], dir.path());
    assert_eq!((report.judge.as_str(), report.judge_note.as_deref()), ("rules and model", None));
    assert!(report.not_a_rehearsal.is_none());
    let timeline = report.elements.iter().find(|e| e.id == "decision_timeline").unwrap();
    assert_eq!((timeline.found, timeline.decided_by.as_str()), (true, "model"));
    assert!(timeline.confidence.unwrap() >= 0.5, "{timeline:?}");
    assert_eq!(
        timeline.evidence.as_deref(),
        Some("How soon do you think you'll be narrowing it down?")
    );

    let rules = check_json(&["--rules-only", call.to_str().unwrap()], dir.path());
    assert_eq!(rules.judge, "rules");
    assert!(rules.judge_note.unwrap().contains("phrases alone"));

    // The model loads while other work goes on: weights that turn out to be damaged leave the
    // phrases to judge alone, and the report says why, once.
    let damaged = dir.path().join("damaged-model");
    std::fs::create_dir(&damaged).unwrap();
    for file in ["config.json", "tokenizer.json"] {
        std::fs::copy(crate::support::meaning_dir().join(file), damaged.join(file)).unwrap();
    }
    std::fs::write(damaged.join("model.safetensors"), b"not weights").unwrap();
    let args = ["--meaning-model", damaged.to_str().unwrap(), call.to_str().unwrap()];
    let fallen_back = check_json(&args, dir.path());
    assert_eq!(fallen_back.judge, "rules");
    let note = fallen_back.judge_note.unwrap();
    assert!(note.starts_with("Judged by the checklist's phrases alone: the meaning model failed ("));
    assert!(note.contains("weights"), "{note}");
    assert!(rules.elements.iter().all(|e| e.decided_by == "rules" && e.confidence.is_none()));
    assert!(!rules.elements.iter().find(|e| e.id == "decision_timeline").unwrap().found);

    let read = dir.path().join("read.txt");
    std::fs::write(
        &read,
        "The birch canoe slid on the smooth planks. When you hear the bell, come quickly.\n\
         Rice is often served in round bowls. The juice of lemons makes fine punch.",
    )
    .unwrap();
    let report = check_json(&[read.to_str().unwrap()], dir.path());
    assert!(report.not_a_rehearsal.unwrap().contains("doesn't sound like a thank-you call"));
    callcoach(dir.path())
        .args(["check"])
        .arg(&read)
        .assert()
        .success()
        .stdout(contains("Not scored: This doesn't sound like"))
        .stdout(contains("Score").not());
}
