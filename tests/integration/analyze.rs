//! `callcoach analyze` end to end: the bundled spoken samples through the real model.

use std::path::Path;

use predicates::prelude::*;
use predicates::str::contains;

use crate::support::{callcoach, model, sample, silence, Report, VOICEMAIL_ELEMENTS};

fn analyze_json(files: &[&Path]) -> Vec<Report> {
    let home = tempfile::tempdir().unwrap();
    let output = callcoach(home.path())
        .arg("analyze")
        .arg("--json")
        .arg("--model")
        .arg(model())
        .args(files)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        output.stderr.is_empty(),
        "--json prints nothing else: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    stdout.lines().map(|line| serde_json::from_str(line).unwrap()).collect()
}

#[test]
fn every_sample_gets_the_elements_it_holds() {
    let files = [sample("complete-call.wav"), sample("missing-two.wav"), sample("voicemail.wav")];
    let reports = analyze_json(&files.iter().map(|f| f.as_path()).collect::<Vec<_>>());
    assert_eq!(reports.len(), 3);

    let complete = &reports[0];
    assert_eq!(
        complete.found(),
        ["thanks", "job_title", "qualifications", "offer_info", "decision_timeline", "caller_name"],
        "{}",
        complete.transcript
    );
    assert!(complete.brevity.ok);
    assert_eq!(complete.score, 100);

    let missing = &reports[1];
    assert_eq!(
        missing.found(),
        ["thanks", "job_title", "offer_info", "caller_name"],
        "{}",
        missing.transcript
    );
    assert!(missing.score < 100);

    let modes: Vec<&str> = reports.iter().map(|r| r.mode.as_str()).collect();
    assert_eq!(modes, ["call", "call", "voicemail"], "told apart by what was said");
    let voicemail = &reports[2];
    assert_eq!(voicemail.found(), VOICEMAIL_ELEMENTS, "{}", voicemail.transcript);
    assert_eq!((voicemail.brevity.target_min_s, voicemail.brevity.target_max_s), (15.0, 35.0));
    assert_eq!(voicemail.score, 100);
}

#[test]
fn the_mode_can_be_chosen() {
    let home = tempfile::tempdir().unwrap();
    let output = callcoach(home.path())
        .args(["analyze", "--json", "--mode", "call", "--model"])
        .arg(model())
        .arg(sample("voicemail.wav"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Report = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!((report.mode.as_str(), report.mode_detected), ("call", false));
    assert_eq!(report.found(), ["thanks", "job_title", "offer_info", "caller_name"]);

    callcoach(home.path())
        .args(["analyze", "--mode", "answerphone", "--model"])
        .arg(model())
        .arg(sample("voicemail.wav"))
        .assert()
        .code(2)
        .stderr(contains("possible values: auto, call, voicemail"));
}

#[test]
fn the_json_report_keeps_its_contract() {
    let file = sample("complete-call.wav");
    let report = &analyze_json(&[&file])[0];
    assert_eq!(report.version, 3);
    assert_eq!((report.input.as_str(), report.mode.as_str()), ("recording", "call"));
    assert!(report.mode_detected, "--mode auto is the default");
    assert_eq!(report.file, file.display().to_string());
    let (duration_s, speech_s) = (report.duration_s.unwrap(), report.speech_s.unwrap());
    assert!((duration_s - 37.9).abs() < 0.1, "{duration_s}");
    assert!(speech_s > 20.0 && speech_s < duration_s);
    assert_eq!(
        (report.brevity.duration_s, report.brevity.speech_s),
        (report.duration_s, report.speech_s)
    );
    assert_eq!((report.brevity.target_min_s, report.brevity.target_max_s), (30.0, 120.0));
    assert!(report.brevity.talk_s > 30.0 && report.brevity.talk_s <= duration_s);
    assert!(!report.brevity.estimated);
    assert!(report.brevity.tip.is_none());
    assert!(report.words.len() > 80);
    for pair in report.words.windows(2) {
        let (start, end, next) =
            (pair[0].start_s.unwrap(), pair[0].end_s.unwrap(), pair[1].start_s.unwrap());
        assert!(start <= end && start <= next, "{pair:?}");
    }
    assert_eq!(
        report.transcript,
        report.words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ")
    );

    let thanks = report.elements.iter().find(|e| e.id == "thanks").unwrap();
    assert_eq!(thanks.label, "Thanked them for their time");
    let evidence = thanks.evidence.as_deref().unwrap().to_lowercase();
    assert!(evidence.starts_with("thank you for taking the time"), "{evidence}");
    // The third sentence of the script: after the greeting and the job title.
    let (start, end) = (thanks.start_s.unwrap(), thanks.end_s.unwrap());
    assert!(start > 6.0 && start < 12.0 && end > start, "{start}–{end}");
    assert!(thanks.tip.is_none());
    for element in &report.elements {
        assert_eq!(element.found, element.evidence.is_some());
        assert_eq!(element.found, element.tip.is_none());
    }
}

#[test]
fn the_human_report_shows_the_checklist() {
    let home = tempfile::tempdir().unwrap();
    callcoach(home.path())
        .args(["analyze", "--model"])
        .arg(model())
        .arg(sample("missing-two.wav"))
        .assert()
        .success()
        .stdout(contains("✓ Thanked them for their time"))
        .stdout(contains("✗ Recapped your qualifications"))
        .stdout(contains("Tip: Recap one or two qualifications"))
        .stdout(contains("✗ Asked when they expect to decide"))
        .stdout(contains("Score "))
        .stdout(contains("\u{1b}[").not());
}

#[test]
fn silence_is_no_speech_and_finds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = silence(dir.path(), 5);
    let report = &analyze_json(&[&path])[0];
    assert_eq!(report.transcript, "");
    assert!(report.found().is_empty());
    assert_eq!(report.score, 0);
    assert!(!report.brevity.ok);
}

#[test]
fn bad_recordings_get_one_clear_sentence_and_exit_code_3() {
    let home = tempfile::tempdir().unwrap();
    let text = home.path().join("notes.wav");
    std::fs::write(&text, "not audio at all").unwrap();
    callcoach(home.path())
        .args(["analyze", "--model"])
        .arg(model())
        .arg(&text)
        .assert()
        .code(3)
        .stdout("")
        .stderr(contains("notes.wav: not a recording callcoach can read: it holds text, not audio"))
        .stderr(contains("hint:"))
        .stderr(contains("panicked").not());
    callcoach(home.path())
        .args(["analyze", "--model"])
        .arg(model())
        .arg("missing.wav")
        .assert()
        .code(3)
        .stderr(contains("missing.wav: no such file"));
}

#[test]
fn one_bad_file_among_several_still_reports_the_others() {
    let home = tempfile::tempdir().unwrap();
    let output = callcoach(home.path())
        .args(["analyze", "--json", "--model"])
        .arg(model())
        .arg("missing.wav")
        .arg(sample("voicemail.wav"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1);
    let report: Report = serde_json::from_str(stdout.trim()).unwrap();
    assert!(report.file.ends_with("voicemail.wav"));
}

#[test]
fn without_a_model_the_user_is_told_how_to_get_one() {
    let home = tempfile::tempdir().unwrap();
    callcoach(home.path())
        .arg("analyze")
        .arg(sample("complete-call.wav"))
        .assert()
        .code(4)
        .stderr(contains("no Whisper model found"))
        .stderr(contains("callcoach model fetch tiny.en"))
        .stderr(contains("panicked").not());

    let not_a_model = home.path().join("ggml-fake.bin");
    std::fs::write(&not_a_model, vec![0_u8; 4096]).unwrap();
    callcoach(home.path())
        .args(["analyze", "--model"])
        .arg(&not_a_model)
        .arg(sample("complete-call.wav"))
        .assert()
        .code(4)
        .stderr(contains("ggml-fake.bin"))
        .stderr(contains("panicked").not());
}

#[test]
fn help_names_the_commands_and_exit_codes() {
    let home = tempfile::tempdir().unwrap();
    callcoach(home.path())
        .arg("--help")
        .assert()
        .success()
        .stdout(contains("analyze"))
        .stdout(contains("model"))
        .stdout(contains("Exit codes"));
    callcoach(home.path()).args(["analyze"]).assert().code(2);
}
