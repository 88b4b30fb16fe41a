//! The profile end to end: written from its template, refused when malformed, the script
//! written from it checked at 100, and spoken takes judged against it through the real model.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use predicates::prelude::*;
use predicates::str::contains;

use crate::judgement::{render, Channel};
use crate::support::{
    callcoach, callcoach_process, model, on_a_terminal, Report, VOICEMAIL_ELEMENTS,
};

const DANA: &str = r#"version = 1
name = "Dana Reed"
phone = "617-555-0142"
job_title = "Marketing Coordinator"
company = "Northwind Foods"
interviewer = "Ms. Carter"
interview_at = "INTERVIEW_AT"
wish_i_had_said = ["I also speak Spanish"]

[[qualifications]]
skill = "PMP certification"
need = "bringing the spring launch in on schedule"

[[qualifications]]
skill = "five years of email marketing"
need = "growing online sales"
"#;

/// Where the profile is found when none is named, under the tests' private config folder.
fn default_profile(home: &Path) -> PathBuf {
    home.join("config/callcoach/profile.toml")
}

/// Dana's profile, as the default one, with the interview `hours_ago` hours ago.
fn write_dana(home: &Path, hours_ago: i64) -> PathBuf {
    let at = chrono::Local::now().naive_local() - chrono::Duration::hours(hours_ago);
    let path = default_profile(home);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, DANA.replace("INTERVIEW_AT", &at.format("%Y-%m-%d %H:%M").to_string()))
        .unwrap();
    path
}

fn json(output: std::process::Output) -> Report {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// `callcoach check --json` of `script`, read from stdin.
fn check(home: &Path, mode: &str, script: &str) -> Report {
    json(
        callcoach(home)
            .args(["check", "--json", "--mode", mode, "-"])
            .write_stdin(script)
            .output()
            .unwrap(),
    )
}

fn script(home: &Path, mode: &str) -> String {
    let output = callcoach(home).args(["script", "--mode", mode]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn profile_init_writes_a_private_template_once() {
    let home = tempfile::tempdir().unwrap();
    let path = default_profile(home.path());
    callcoach(home.path())
        .args(["profile", "init"])
        .assert()
        .success()
        .stdout(contains(path.display().to_string()));
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!((mode(path.parent().unwrap()), mode(&path)), (0o700, 0o600));
    let template = fs::read_to_string(&path).unwrap();
    assert!(template.contains("job_title = \"\""), "{template}");

    fs::write(&path, DANA.replace("INTERVIEW_AT", "2026-11-26 14:00")).unwrap();
    callcoach(home.path())
        .args(["profile", "init"])
        .assert()
        .code(1)
        .stderr(contains("already exists"))
        .stderr(contains("--force"));
    assert!(fs::read_to_string(&path).unwrap().contains("Dana Reed"), "left as it was");
    callcoach(home.path())
        .args(["profile", "show"])
        .assert()
        .success()
        .stdout(contains("Marketing Coordinator"))
        .stdout(contains("Thu 26 Nov 2026 14:00"));

    callcoach(home.path()).args(["profile", "init", "--force"]).assert().success();
    assert_eq!(fs::read_to_string(&path).unwrap(), template);
    callcoach(home.path())
        .args(["profile", "show"])
        .assert()
        .success()
        .stdout(contains("job title        (empty: not checked)"));
}

#[test]
fn profile_init_on_a_terminal_asks_one_question_at_a_time_and_again_when_wrong() {
    let home = tempfile::tempdir().unwrap();
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    let answers = [
        "Dana Reed",
        "Ms. Carter",
        "",
        "Marketing Coordinator",
        "last Tuesday",
        &format!("{today} 09:30"),
        "555",
        "617-555-0142",
        "PMP certification",
        "the spring launch",
        "email marketing",
        "",
        "",
        "I also speak Spanish",
        "",
    ];
    let mut init = callcoach_process(home.path());
    init.args(["profile", "init"]);
    let output = on_a_terminal(&init)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            for answer in answers {
                writeln!(stdin, "{answer}")?;
            }
            child.wait_with_output()
        })
        .unwrap();
    let shown = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{shown}");
    assert!(shown.contains("\"last Tuesday\" is not a date and time"), "{shown}");
    assert!(shown.contains("\"555\" has 3 digits; a phone number has 7 to 15"), "{shown}");
    assert!(shown.contains("Wrote "), "{shown}");

    let path = default_profile(home.path());
    assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    let written = fs::read_to_string(&path).unwrap();
    assert!(written.starts_with("# Your callcoach profile"), "the explanations stay: {written}");
    let show = callcoach(home.path()).args(["profile", "show"]).output().unwrap();
    let show = String::from_utf8(show.stdout).unwrap();
    for line in [
        "name             Dana Reed",
        "phone            617-555-0142",
        "job title        Marketing Coordinator",
        "company          (empty: not checked)",
        "interviewer      Ms. Carter",
        "qualifications   PMP certification (for the spring launch); email marketing",
        "wish I had said  I also speak Spanish",
    ] {
        assert!(show.contains(line), "{line:?} in {show}");
    }

    // Asked again, an existing profile is kept unless --force.
    let again = on_a_terminal(&init).stdin(std::process::Stdio::null()).output().unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("already exists"));
    assert_eq!(fs::read_to_string(&path).unwrap(), written);
}

#[test]
fn a_slip_in_the_profile_is_warned_about_with_its_line_and_the_take_still_judged() {
    let home = tempfile::tempdir().unwrap();
    let path = default_profile(home.path());
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    // A missing quote, and an interview a year back: each named with its line.
    let year_back = (chrono::Local::now() - chrono::Duration::days(365)).format("%Y-%m-%d 14:00");
    for (broken, line) in [
        ("version = 1\nname = \"Dana\ninterview_at = \"last Tuesday\"\n".to_string(), "line 2"),
        ("version = 1\nname = \"Dana\"\ninterview_at = \"last Tuesday\"\n".to_string(), "line 3"),
        (format!("version = 1\nname = \"Dana\"\ninterview_at = \"{year_back}\"\n"), "line 3"),
    ] {
        fs::write(&path, &broken).unwrap();
        let output = callcoach(home.path())
            .args(["check", "--json", "-"])
            .write_stdin("Thank you for the interview.")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        assert!(
            stderr.starts_with(&format!("warning: {}: {line}", path.display())),
            "{broken}: {stderr}"
        );
        assert!(stderr.contains("judging without your profile until it is fixed"), "{stderr}");
        let report = json(output);
        assert!(report.personal.is_none(), "judged as for anyone");
        assert!(report.elements.iter().any(|e| e.id == "thanks" && e.found));
        assert_eq!(fs::read_to_string(&path).unwrap(), broken, "left as it was");

        // Where the profile is what is asked for, the slip is an error.
        callcoach(home.path())
            .args(["profile", "show"])
            .assert()
            .code(3)
            .stderr(contains(format!("error: {}: {line}", path.display())));
    }
    let year_slip = format!("interview_at = \"{year_back}\" is 365 days ago: is the year right?");
    callcoach(home.path()).args(["profile", "show"]).assert().stderr(contains(year_slip));

    // A profile named on the command line must be right.
    callcoach(home.path())
        .args(["check", "--profile"])
        .arg(&path)
        .arg("-")
        .write_stdin("Thank you.")
        .assert()
        .code(3)
        .stdout("");
    callcoach(home.path())
        .args(["check", "--profile", "missing.toml", "-"])
        .write_stdin("Thank you.")
        .assert()
        .code(3)
        .stderr(contains("missing.toml: cannot read it"))
        .stderr(contains("callcoach profile init"));
}

#[test]
fn the_script_checks_at_100_and_a_cut_one_names_what_went() {
    let home = tempfile::tempdir().unwrap();
    write_dana(home.path(), 2);

    let call = script(home.path(), "call");
    assert!(call.starts_with("# Your call to Ms. Carter about the Marketing Coordinator job"));
    let report = check(home.path(), "call", &call);
    assert_eq!(report.score, 100, "{call}\n{report:#?}");
    let personal = report.personal.unwrap();
    assert_eq!(personal.left_out, Vec::<String>::new());
    let window = personal.call_window.unwrap();
    assert!((21.9..=22.0).contains(&window.hours_left), "{window:?}");
    // The interview was two hours ago to the minute; a minute may turn while the test runs.
    assert!(
        predicates::str::is_match(r"^(21 h 5\d min|22 h) left").unwrap().eval(&window.message),
        "{}",
        window.message
    );
    let at = |text: &str| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").unwrap();
    assert_eq!(at(&window.closes_at) - at(&window.interview_at), chrono::Duration::hours(24));

    let voicemail = script(home.path(), "voicemail");
    assert_eq!(check(home.path(), "voicemail", &voicemail).score, 100, "{voicemail}");

    let cut: String = call
        .lines()
        .filter(|line| !line.contains("PMP") && !line.contains("decision"))
        .map(|line| format!("{line}\n"))
        .collect();
    let report = check(home.path(), "call", &cut);
    let missed: Vec<&str> =
        report.elements.iter().filter(|e| !e.found).map(|e| e.id.as_str()).collect();
    assert_eq!(missed, ["decision_timeline"]);
    assert_eq!(
        report.personal.unwrap().left_out,
        ["You didn't mention your PMP certification."],
        "the other qualification still counts for the recap"
    );

    let wrong_number = voicemail.replace("0142", "0124");
    let report = check(home.path(), "voicemail", &wrong_number);
    let number = report.elements.iter().find(|e| e.id == "phone_number").unwrap();
    assert!(!number.found);
    assert!(number
        .tip
        .as_deref()
        .unwrap()
        .contains("617-555-0124, is not the one in your profile"));
}

#[test]
fn without_a_profile_the_script_has_placeholders_and_says_which() {
    let home = tempfile::tempdir().unwrap();
    callcoach(home.path())
        .args(["script"])
        .assert()
        .success()
        .stdout(contains("Hi [their name], this is [your name]."))
        .stderr(contains("fill in interviewer, name, job_title, qualifications"))
        .stderr(contains("callcoach profile init"));
}

/// Analyzes a spoken take against Dana's profile.
fn analyze(home: &Path, take: &Path, mode: &str) -> Report {
    json(
        callcoach(home)
            .args(["analyze", "--json", "--no-save", "--mode", mode, "--model"])
            .arg(model())
            .arg(take)
            .output()
            .unwrap(),
    )
}

/// The job title said the other way round ("the coordinator job in marketing"), one
/// qualification of two, and the interviewer by name.
const SPOKEN_CALL: &str = "Hi Ms. Carter, this is Dana Reed. Thank you for meeting with me \
    yesterday about the coordinator job in marketing. My PMP certification would help you bring \
    the spring launch in on schedule. I'd be happy to send references if that would help. May I \
    ask when you expect to make a decision? Thanks again.";

/// The title spelt another way, and the number in words, twice.
const SPOKEN_VOICEMAIL: &str = "Hi Ms. Carter, this is Dana Reed, calling about the marketing \
    co-ordinator position. Thank you again for the interview. If I can provide any more \
    information, please call me back at six one seven, five five five, zero one four two. Again, \
    that's six one seven, five five five, zero one four two. Thank you.";

#[test]
fn spoken_takes_are_judged_against_the_profile() {
    let home = tempfile::tempdir().unwrap();
    write_dana(home.path(), 20);
    for (voice, channel) in
        [(("flite", "slt"), Channel::Clean), (("flite", "rms"), Channel::Telephone)]
    {
        let dir = tempfile::tempdir().unwrap();
        let take = render(SPOKEN_CALL, voice, channel, dir.path());
        let report = analyze(home.path(), &take, "call");
        let said = |id: &str| {
            report
                .elements
                .iter()
                .find(|e| e.id == id)
                .unwrap()
                .evidence
                .clone()
                .unwrap_or_default()
        };
        let context = format!("{voice:?} {channel:?}: {}", report.transcript);
        let title = said("job_title").to_lowercase().replace('-', "");
        assert!(title.contains("coordinator") && title.contains("marketing"), "{context}");
        assert!(said("qualifications").contains("certification"), "{context}");
        assert_eq!(report.found().len(), 6, "every element: {context}");
        assert_eq!(
            report.personal.unwrap().left_out,
            [
                "You didn't mention your five years of email marketing.",
                "You didn't add what you wished you had said in the interview: \"I also speak \
                 Spanish\"."
            ],
            "{context}"
        );
    }
    for (voice, channel) in [
        (("flite", "slt"), Channel::Clean),
        (("flite", "rms"), Channel::Telephone),
        (("espeak-ng", "en-us"), Channel::Noisy),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let take = render(SPOKEN_VOICEMAIL, voice, channel, dir.path());
        let report = analyze(home.path(), &take, "voicemail");
        let context = format!("{voice:?} {channel:?}: {}", report.transcript);
        let found: Vec<&str> = report.found();
        assert_eq!(found, VOICEMAIL_ELEMENTS, "{context}");
        let window = report.personal.unwrap().call_window.unwrap();
        assert!((3.9..=4.0).contains(&window.hours_left), "{window:?}");
    }
}
