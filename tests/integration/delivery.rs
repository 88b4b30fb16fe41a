//! How a take was said, end to end: spoken takes with known fillers, hedges, dead air and
//! background noise, through the real model, against a confident take with none.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::judgement::{render, run, sox, Channel};
use crate::support::{callcoach, model, root, Report};

fn analyze(file: &Path) -> Report {
    let home = tempfile::tempdir().unwrap();
    let output = callcoach(home.path())
        .args(["analyze", "--json", "--mode", "call", "--model"])
        .arg(model())
        .arg(file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A rambling take: 8 "um"/"uh"s and 4 filler phrases, 4 hedges, and a 4 s silence after
/// the second sentence.
const RAMBLING: [&str; 2] = [
    "Hi, um, this is, uh, Sarah Johnson. I'm, um, calling about the, uh, project manager position.",
    "So, like, I just wanted to, you know, thank you for the interview. Um, I guess I kind of \
     have, uh, five years of experience. Sorry to bother you. Um, I mean, basically, if you \
     need anything, uh, let me know.",
];
const RAMBLING_FILLERS: usize = 12;
const RAMBLING_HEDGES: usize = 4;
const SILENCE_S: f64 = 4.0;

/// Each text spoken by `voice` into its own file, in a folder of `dir` named `name` and its
/// number.
fn render_each(texts: &[&str], voice: (&str, &str), dir: &Path, name: &str) -> Vec<PathBuf> {
    texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let part = dir.join(format!("{name}{i}"));
            std::fs::create_dir(&part).unwrap();
            render(text, voice, Channel::Clean, &part)
        })
        .collect()
}

/// The two halves spoken by `voice`, with the silence between them.
pub(crate) fn rambling_take(voice: (&str, &str), dir: &Path) -> PathBuf {
    let halves = render_each(&RAMBLING, voice, dir, "part");
    let take = dir.join("rambling.wav");
    run(sox()
        .arg(&halves[0])
        .arg(&halves[1])
        .arg(&take)
        .args(["pad", &format!("{SILENCE_S}@{}", duration(&halves[0]))]));
    take
}

fn duration(wav: &Path) -> f64 {
    let reader = hound::WavReader::open(wav).unwrap();
    reader.duration() as f64 / f64::from(reader.spec().sample_rate)
}

#[test]
fn a_rambling_take_shows_its_fillers_hedges_and_dead_air() {
    let mut table = String::from(
        "\nFillers found in a take with 12 (8 um/uh, 4 phrases), by voice and how found:\n",
    );
    for voice in [("flite", "slt"), ("flite", "rms"), ("espeak-ng", "en-us")] {
        let dir = tempfile::tempdir().unwrap();
        let take = rambling_take(voice, dir.path());
        let report = analyze(&take);
        let d = &report.delivery;
        let by = |how: &str| d.fillers.heard.iter().filter(|f| f.found_by == how).count();
        table += &format!(
            "  {} {}: {} in the transcript, {} from the audio; {} hedges of {RAMBLING_HEDGES}\n",
            voice.0,
            voice.1,
            by("transcript"),
            by("audio"),
            d.hedges.len()
        );
        let heard = d.fillers.at_least;
        assert!((6..=RAMBLING_FILLERS + 2).contains(&heard), "{voice:?}: {heard} fillers");
        assert!(!d.check("fillers").ok && d.check("fillers").tip.is_some());
        assert!((3..=RAMBLING_HEDGES).contains(&d.hedges.len()), "{voice:?}: {:?}", d.hedges);
        assert!(!d.check("hedges").ok);
        let pauses = d.pauses.as_ref().unwrap();
        assert_eq!(pauses.dead_air, 1, "{voice:?}: {:?}", pauses.pauses);
        let gap = pauses.pauses.iter().find(|g| g.end_s - g.start_s >= 3.0).unwrap();
        let said = duration(&dir.path().join("part0/clean.wav"));
        assert!(gap.start_s > said - 1.0 && gap.end_s < said + SILENCE_S + 1.0, "{gap:?}");
        assert!(!d.check("pauses").ok);
        assert!(d.score < 60, "{voice:?}: delivery {}", d.score);
        for filler in &d.fillers.heard {
            let (start, end) = (filler.start_s.unwrap(), filler.end_s.unwrap());
            assert!(start <= end && !filler.text.is_empty(), "{filler:?}");
        }
        let minutes = d.pace.as_ref().unwrap().speaking_s / 60.0;
        let rate = d.fillers.per_minute.unwrap();
        assert!((rate - heard as f64 / minutes).abs() < 0.1, "{rate} a minute");
        assert!(
            d.hedges.iter().any(|h| h.text.to_lowercase().starts_with("sorry to bother")),
            "{:?}",
            d.hedges
        );
        assert!(d.hedges.iter().all(|h| h.start_s.unwrap() < h.end_s.unwrap()));
        assert_eq!(d.checks.iter().map(|c| c.weight).sum::<u32>(), 100);
        let fillers = d.check("fillers");
        assert_eq!(fillers.label, "Filler words");
        assert!(fillers.observed.starts_with(&format!("at least {heard} (")), "{fillers:?}");
    }
    let _ = std::io::stderr().lock().write_all(table.as_bytes());
}

#[test]
fn a_confident_take_has_no_fillers_hedges_or_dead_air() {
    for channel in [Channel::Clean, Channel::Telephone] {
        let dir = tempfile::tempdir().unwrap();
        let script = std::fs::read_to_string(root().join("samples/complete-call.txt")).unwrap();
        let take = render(&script, ("flite", "rms"), channel, dir.path());
        let report = analyze(&take);
        let d = &report.delivery;
        assert_eq!(d.fillers.at_least, 0, "{channel:?}: {:?}", d.fillers.heard);
        assert!(d.hedges.is_empty(), "{channel:?}: {:?}", d.hedges);
        assert_eq!(d.pauses.as_ref().unwrap().dead_air, 0);
        let pace = d.pace.as_ref().unwrap();
        assert!((110.0..=180.0).contains(&pace.words_per_minute), "{pace:?}");
        assert!(pace.speaking_s > 25.0 && pace.speaking_s < 40.0, "{pace:?}");
        for stretch in &pace.fast {
            assert!(stretch.start_s < stretch.end_s && stretch.words_per_minute > 165.0);
        }
        let noise = d.noise.as_ref().unwrap();
        assert!(noise.speech_to_noise_db > 30.0, "{channel:?}: {noise:?}");
        let measured = noise.speech_level_dbfs - noise.noise_floor_dbfs;
        assert!((measured - noise.speech_to_noise_db).abs() < 0.2, "{noise:?}");
        let voice = d.voice.as_ref().unwrap();
        assert!(voice.sentences >= 6 && voice.trailing_off <= voice.sentences, "{voice:?}");
        // flite's voices are level: they are the monotone case.
        let pitch = voice.pitch_variation_semitones.unwrap();
        assert!(pitch < 2.0 && !d.check("voice").ok, "{channel:?}: {pitch}");
        for id in ["fillers", "pauses", "noise", "hedges"] {
            assert!(d.check(id).ok, "{channel:?}: {:?}", d.check(id));
        }
    }
}

/// Sentences spoken one by one, each with its last 0.6 s of voice 14 dB down (as a voice
/// that trails off), or left as spoken, with a 0.6 s pause after each; and the time each
/// sentence's voice ends.
pub(crate) fn sentences_take(dir: &Path, trailing: bool) -> (PathBuf, Vec<f64>) {
    const SENTENCES: [&str; 5] = [
        "Hi, this is Dana Reed, calling about the marketing coordinator position.",
        "Thank you for taking the time to meet with me yesterday.",
        "I have five years of experience in email marketing.",
        "I would be happy to send you my references.",
        "May I ask when you expect to make a decision?",
    ];
    let spoken = render_each(&SENTENCES, ("flite", "rms"), dir, &format!("sentence-{trailing}-"));
    let parts: Vec<PathBuf> = spoken
        .iter()
        .map(|spoken| {
            let part = spoken.parent().unwrap();
            let voice = part.join("voice.wav");
            // Without the engine's trailing silence, the last 0.6 s is the last word.
            run(sox()
                .arg(spoken)
                .arg(&voice)
                .args(["reverse", "silence", "1", "0.05", "1%", "reverse"]));
            let sentence = part.join("sentence.wav");
            if trailing {
                let (head, tail) = (part.join("head.wav"), part.join("tail.wav"));
                run(sox().arg(&voice).arg(&head).args(["trim", "0", "-0.6"]));
                run(sox().arg(&voice).arg(&tail).args(["trim", "-0.6", "vol", "0.2"]));
                run(sox().arg(&head).arg(&tail).arg(&sentence).args(["pad", "0", "0.6"]));
            } else {
                run(sox().arg(&voice).arg(&sentence).args(["pad", "0", "0.6"]));
            }
            sentence
        })
        .collect();
    let take = dir.join(if trailing { "trailing.wav" } else { "level.wav" });
    run(sox().args(&parts).arg(&take));
    let ends = parts
        .iter()
        .scan(0.0, |at, part| {
            *at += duration(part);
            Some(*at - 0.6)
        })
        .collect();
    (take, ends)
}

#[test]
fn sentences_that_trail_off_are_counted_and_fail_the_voice_check() {
    let dir = tempfile::tempdir().unwrap();
    let level = analyze(&sentences_take(dir.path(), false).0).delivery;
    let voice = level.voice.as_ref().unwrap();
    assert_eq!((voice.sentences, voice.trailing_off), (5, 0), "{voice:?}");

    let trailing = analyze(&sentences_take(dir.path(), true).0).delivery;
    let voice = trailing.voice.as_ref().unwrap();
    assert_eq!(voice.sentences, 5, "{voice:?}");
    assert!(voice.trailing_off >= 4, "{voice:?}");
    let check = trailing.check("voice");
    assert!(!check.ok, "{check:?}");
    assert!(check.measured.ends_with(&format!("{} of 5 sentences trail off", voice.trailing_off)));
    assert!(check
        .observed
        .ends_with(&format!("{} of 5 sentences trailed off", voice.trailing_off)));
}

#[test]
fn loud_background_noise_earns_the_quiet_spot_tip() {
    let dir = tempfile::tempdir().unwrap();
    let clean = root().join("samples/complete-call.wav");
    let noise = dir.path().join("noise.wav");
    let seconds = duration(&clean).to_string();
    run(sox().args(["-n", "-r", "16000", "-c", "1", "-b", "16"]).arg(&noise).args([
        "synth",
        &seconds,
        "pinknoise",
        "vol",
        "0.15",
    ]));
    let clean16 = dir.path().join("clean16.wav");
    run(sox().arg(&clean).args(["-r", "16000", "-c", "1", "-b", "16"]).arg(&clean16));
    let noisy = dir.path().join("noisy.wav");
    run(sox().arg("-m").arg(&clean16).arg(&noise).arg(&noisy));
    let d = analyze(&noisy).delivery;
    let noise = d.noise.as_ref().unwrap();
    assert!(noise.speech_to_noise_db < 20.0, "{noise:?}");
    let check = d.check("noise");
    assert!(!check.ok && check.tip.as_deref().unwrap().contains("quieter spot"), "{check:?}");
}

#[test]
fn a_typed_script_is_judged_on_its_words_only() {
    let dir = tempfile::tempdir().unwrap();
    let output = callcoach(dir.path())
        .args(["check", "--json", "-"])
        .write_stdin(
            "Hi, um, this is Dana. I just wanted to thank you for the interview, you know.",
        )
        .output()
        .unwrap();
    let report: Report = serde_json::from_slice(&output.stdout).unwrap();
    let d = &report.delivery;
    let fillers: Vec<&str> = d.fillers.heard.iter().map(|f| f.text.as_str()).collect();
    assert_eq!(fillers, ["um,", "you know."]);
    assert_eq!(d.hedges.len(), 1);
    assert!(d.pace.is_none() && d.pauses.is_none() && d.noise.is_none() && d.voice.is_none());
    let ids: Vec<&str> = d.checks.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["fillers", "hedges"]);
}

#[test]
fn delivery_speaks_plainly_and_ticks_only_an_aim_that_was_met() {
    // The sample is spoken at 156 words a minute, between the aim (120–150) and the pace
    // that earns a tip (above 165), by a synthetic voice with a very level pitch.
    let home = tempfile::tempdir().unwrap();
    let output = callcoach(home.path())
        .args(["analyze", "--no-save", "--model"])
        .arg(model())
        .arg(root().join("samples/complete-call.wav"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report = String::from_utf8(output.stdout).unwrap();
    let delivery = &report[report.find("Delivery").expect("a delivery section")..];
    assert!(delivery.contains("~ Pace: a little fast — aim for 120–150"), "{delivery}");
    assert!(delivery.contains("✓ Background: quiet room"), "{delivery}");
    assert!(delivery.contains("✗ Voice: your voice stayed quite flat"), "{delivery}");
    for jargon in ["semitone", " dB", "words a minute"] {
        assert!(!delivery.contains(jargon), "{jargon:?} in {delivery}");
    }

    // The measurements stay in the JSON.
    let json = analyze(&root().join("samples/complete-call.wav")).delivery;
    let pace = json.check("pace");
    assert!(pace.ok && pace.near_aim, "{pace:?}");
    assert_eq!(pace.measured, "156 words a minute");
    assert!(
        json.check("voice").measured.starts_with("pitch varies 1."),
        "{:?}",
        json.check("voice")
    );
}
