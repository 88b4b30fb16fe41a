//! `callcoach history` end to end: rehearsals saved by the real `analyze`, the table and its
//! JSON, a store that is corrupt or newer, writers racing, and forgetting.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use predicates::prelude::*;
use predicates::str::contains;
use serde::Deserialize;

use crate::support::{callcoach, callcoach_process, model, on_a_terminal, sample, silence, Report};

/// `history --json`, read back into the tests' own types: the format is a contract.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct History {
    version: u32,
    rehearsals: Vec<Rehearsal>,
    trend: Trend,
    by_mode: Vec<ModeTrend>,
}

/// The trend of one kind of rehearsal: calls or voicemails.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModeTrend {
    mode: String,
    best: Option<u64>,
    most_missed: Option<Missed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rehearsal {
    id: u64,
    at: String,
    recording: PathBuf,
    recorded_by_callcoach: bool,
    report: Report,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Trend {
    best: Option<u64>,
    most_missed: Option<Missed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Missed {
    id: String,
    label: String,
    tip: Option<String>,
    missed: usize,
    takes: usize,
}

fn analyze(home: &Path, files: &[&Path]) -> assert_cmd::Command {
    let mut command = callcoach(home);
    command.args(["analyze", "--json", "--model"]).arg(model()).args(files);
    command
}

/// A rehearsal of the user's own in `dir`: silence is no rehearsal, and is not kept.
fn rehearsal(dir: &Path) -> PathBuf {
    let path = dir.join("rehearsal.wav");
    fs::copy(sample("missing-two.wav"), &path).unwrap();
    path
}

fn history_json(home: &Path, args: &[&str]) -> History {
    let output = callcoach(home).args(["history", "--json"]).args(args).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn ids(history: &History) -> Vec<u64> {
    history.rehearsals.iter().map(|r| r.id).collect()
}

#[test]
fn every_analysis_is_saved_and_the_history_shows_the_trend() {
    let home = tempfile::tempdir().unwrap();
    callcoach(home.path()).arg("history").assert().success().stdout(contains("No rehearsals yet"));
    let silent = silence(home.path(), 1);
    let (missing, complete) = (sample("missing-two.wav"), sample("complete-call.wav"));
    analyze(home.path(), &[&missing, &complete, &silent])
        .assert()
        .success()
        .stdout(contains("\"not_a_rehearsal\":\"I heard no speech"));
    analyze(home.path(), &[&missing]).arg("--no-save").assert().success();
    analyze(home.path(), &[&missing]).assert().success();

    let history = history_json(home.path(), &[]);
    assert_eq!(history.version, 1);
    assert_eq!(ids(&history), [1, 2, 3], "silence and --no-save saved nothing");
    let first = &history.rehearsals[0];
    assert_eq!(first.recording, missing);
    assert!(!first.recorded_by_callcoach);
    assert!(first.at.ends_with('Z') && first.at.starts_with("20"), "{}", first.at);
    assert_eq!(first.report.found(), ["thanks", "job_title", "offer_info", "caller_name"]);
    assert_eq!(history.rehearsals[1].report.score, 100);
    assert_eq!(history.trend.best, Some(2));
    // Missed in both takes of missing-two.
    let missed = history.trend.most_missed.as_ref().unwrap();
    assert_eq!((missed.id.as_str(), missed.missed, missed.takes), ("qualifications", 2, 3));
    assert_eq!(missed.label, "Recapped your qualifications");
    assert!(missed.tip.as_deref().unwrap().starts_with("Recap one or two"));

    callcoach(home.path())
        .arg("history")
        .assert()
        .success()
        .stdout(contains("Rehearsals\n"))
        .stdout(predicate::str::is_match(r"\n +1  20\d\d-\d\d-\d\d \d\d:\d\d  call, take 1 of the day +0:22 +55  ✓✓✗✓✗✓\n").unwrap())
        .stdout(predicate::str::is_match(r"\n +2  .*  call, take 2 of the day +0:38 +100  ✓✓✓✓✓✓\n").unwrap())
        .stdout(predicate::str::is_match(r"\n +3  .*  call, take 3 of the day +0:22 +55  ✓✓✗✓✗✓\n").unwrap())
        .stdout(contains("missing-two.wav").not())
        .stdout(contains("silence.wav").not())
        .stdout(contains("checklist: thanks, job title, qualifications, offer info, decision timeline, caller name"))
        .stdout(contains("Calls  ▅█▅  55 → 55"))
        .stdout(contains("  best: rehearsal 2, 100/100 on "))
        .stdout(contains("  You missed \"Recapped your qualifications\" in 2 of your last 3 calls."))
        .stdout(contains("  Tip: Recap one or two"))
        .stdout(contains("Voicemails").not());

    let last = history_json(home.path(), &["--last", "1"]);
    assert_eq!((ids(&last), last.trend.best), (vec![3], Some(3)));
    callcoach(home.path())
        .args(["history", "--last", "2"])
        .assert()
        .success()
        .stdout(contains("Rehearsals (the last 2 of 3)"));

    // A voicemail has its own trend beside the calls'.
    analyze(home.path(), &[&sample("voicemail.wav")]).assert().success();
    let history = history_json(home.path(), &[]);
    let modes: Vec<(&str, Option<u64>)> =
        history.by_mode.iter().map(|m| (m.mode.as_str(), m.best)).collect();
    assert_eq!(modes, [("call", Some(2)), ("voicemail", Some(4))]);
    assert!(history.by_mode[1].most_missed.is_none(), "one voicemail misses nothing twice");
    callcoach(home.path())
        .arg("history")
        .assert()
        .success()
        .stdout(contains("Calls  ▅█▅  55 → 55"))
        .stdout(
            predicate::str::is_match(r"\nVoicemails  . +\d+ → \d+\n  best: rehearsal 4, ").unwrap(),
        );
}

#[test]
fn a_corrupt_history_is_one_clear_error_and_is_left_as_it_is() {
    let home = tempfile::tempdir().unwrap();
    let store = home.path().join("history.json");
    let corrupt = "{\"version\": 1,\n \"next_id\": 2,\n \"rehearsals\": [ {\"id\": 1 ]\n";
    fs::write(&store, corrupt).unwrap();
    let silent = silence(home.path(), 1);
    let error = format!("{}: line 3, column 27:", store.display());
    callcoach(home.path())
        .arg("history")
        .assert()
        .code(3)
        .stderr(contains(&error))
        .stderr(contains("it is left as it is"))
        .stderr(contains("hint: repair it, or move it aside"))
        .stderr(contains("panicked").not());
    // Refused before the work, so nothing is printed that the history does not hold.
    analyze(home.path(), &[&silent]).assert().code(3).stdout("").stderr(contains(&error));
    callcoach(home.path()).args(["history", "--forget", "--all"]).assert().code(3);
    assert_eq!(fs::read_to_string(&store).unwrap(), corrupt);
    analyze(home.path(), &[&silent]).arg("--no-save").assert().success();
    assert_eq!(fs::read_to_string(&store).unwrap(), corrupt);
}

#[test]
fn a_history_from_a_newer_callcoach_is_refused_and_left_as_it_is() {
    let home = tempfile::tempdir().unwrap();
    let store = home.path().join("history.json");
    let future = r#"{"version": 2, "takes": "a shape this callcoach has never seen"}"#;
    fs::write(&store, future).unwrap();
    analyze(home.path(), &[&silence(home.path(), 1)])
        .assert()
        .code(3)
        .stderr(contains("is history format version 2, newer than this callcoach reads (1)"))
        .stderr(contains("hint: use the newer callcoach"));
    assert_eq!(fs::read_to_string(&store).unwrap(), future);
}

#[test]
fn processes_saving_at_once_lose_no_rehearsal() {
    let home = tempfile::tempdir().unwrap();
    let take = rehearsal(home.path());
    let (processes, files_each) = (4, 3);
    let children: Vec<_> = (0..processes)
        .map(|_| {
            crate::support::callcoach_process(home.path())
                .args(["analyze", "--json", "--model"])
                .arg(model())
                .args(std::iter::repeat_n(&take, files_each))
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let history = history_json(home.path(), &["--last", "1000"]);
    let mut saved = ids(&history);
    saved.sort_unstable();
    assert_eq!(saved, (1..=(processes * files_each) as u64).collect::<Vec<_>>());
    let mode = |path: &Path| {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    };
    assert_eq!(mode(&home.path().join("history.json")), 0o600);
}

#[test]
fn forgetting_deletes_the_takes_callcoach_recorded_and_never_your_own_files() {
    let home = tempfile::tempdir().unwrap();
    let own_take = rehearsal(home.path());
    analyze(home.path(), &[&own_take]).assert().success();
    // A second rehearsal, as `callcoach record` saves one: its take in the data directory.
    let take = home.path().join("recordings/take-2025-03-14-093005.wav");
    fs::create_dir_all(take.parent().unwrap()).unwrap();
    fs::copy(&own_take, &take).unwrap();
    let store = home.path().join("history.json");
    let mut document: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&store).unwrap()).unwrap();
    let mut recorded = document["rehearsals"][0].clone();
    recorded["id"] = 2.into();
    recorded["recording"] = take.to_str().unwrap().into();
    recorded["recorded_by_callcoach"] = true.into();
    document["rehearsals"].as_array_mut().unwrap().push(recorded);
    document["next_id"] = 3.into();
    fs::write(&store, document.to_string()).unwrap();

    callcoach(home.path())
        .args(["history", "--forget", "7"])
        .assert()
        .code(3)
        .stderr(contains("there is no rehearsal 7 in the history"));
    callcoach(home.path())
        .args(["history", "--forget", "2"])
        .assert()
        .success()
        .stdout(format!("Forgot rehearsal 2 (deleted its recording {})\n", take.display()));
    assert!(!take.exists());
    assert_eq!(ids(&history_json(home.path(), &[])), [1]);
    // Forgetting everything is asked about; where nobody can answer, it needs --yes.
    callcoach(home.path())
        .args(["history", "--forget", "--all"])
        .assert()
        .code(2)
        .stderr(contains("forgetting every rehearsal needs a yes"))
        .stderr(contains("--yes"));
    assert_eq!(ids(&history_json(home.path(), &[])), [1]);
    for (answer, kept) in [("n", true), ("", true), ("y", false)] {
        let mut forget = callcoach_process(home.path());
        forget.args(["history", "--forget", "--all"]);
        let output = on_a_terminal(&forget)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                writeln!(child.stdin.take().unwrap(), "{answer}")?;
                child.wait_with_output()
            })
            .unwrap();
        let shown = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{shown}");
        assert!(shown.contains("Forget the 1 rehearsal and delete the takes"), "{shown}");
        assert_eq!(
            history_json(home.path(), &[]).rehearsals.is_empty(),
            !kept,
            "{answer:?}: {shown}"
        );
        if kept {
            assert!(shown.contains("Kept every rehearsal."), "{shown}");
        } else {
            assert!(shown
                .contains(&format!("Forgot rehearsal 1 (kept your file {})", own_take.display())));
        }
    }
    assert!(own_take.exists(), "a file given to analyze is the user's own");
    assert!(history_json(home.path(), &[]).rehearsals.is_empty());
    // Ids are never reused, so an old id can never name a new rehearsal.
    analyze(home.path(), &[&own_take]).assert().success();
    assert_eq!(ids(&history_json(home.path(), &[])), [3]);
}

#[test]
fn a_tampered_history_cannot_make_forgetting_delete_outside_the_recordings_folder() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    fs::create_dir(&data).unwrap();
    let own_take = rehearsal(home.path());
    analyze(&data, &[&own_take]).assert().success();
    let recordings = data.join("recordings");
    fs::create_dir(&recordings).unwrap();
    let victim = home.path().join("victim.wav");
    fs::write(&victim, "not callcoach's").unwrap();
    std::os::unix::fs::symlink(&victim, recordings.join("take-link.wav")).unwrap();
    // Paths a hand-edited history.json could hold for takes "recorded by callcoach": one
    // outside, one climbing out with `..` (relative, as callcoach runs in `data`), a link.
    let claims = [
        victim.display().to_string(),
        "recordings/../../victim.wav".to_string(),
        recordings.join("take-link.wav").display().to_string(),
    ];
    let store = data.join("history.json");
    let mut document: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&store).unwrap()).unwrap();
    let template = document["rehearsals"][0].clone();
    let rehearsals = document["rehearsals"].as_array_mut().unwrap();
    rehearsals.clear();
    for (id, claim) in claims.iter().enumerate() {
        let mut tampered = template.clone();
        tampered["id"] = (id + 1).into();
        tampered["recording"] = claim.as_str().into();
        tampered["recorded_by_callcoach"] = true.into();
        rehearsals.push(tampered);
    }
    fs::write(&store, document.to_string()).unwrap();

    let kept = ": callcoach deletes only the takes in its own recordings folder)\n";
    callcoach(&data).args(["history", "--forget", "--all", "--yes"]).assert().success().stdout(
        format!(
            "Forgot rehearsal 1 (kept {}{kept}\
         Forgot rehearsal 2 (kept {}{kept}\
         Forgot rehearsal 3 (kept {}{kept}",
            claims[0], claims[1], claims[2]
        ),
    );
    assert_eq!(fs::read_to_string(&victim).unwrap(), "not callcoach's");
    assert!(fs::symlink_metadata(recordings.join("take-link.wav")).is_ok());
    assert!(own_take.exists());
}
