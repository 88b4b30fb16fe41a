//! What users expect of any command-line tool: a version that names the model format,
//! completions and a manual page generated from the same definition as `--help`, and
//! colour that `NO_COLOR` turns off.

use std::process::Command;

use predicates::prelude::*;
use predicates::str::contains;

use crate::support::{callcoach, root};

#[test]
fn the_version_names_the_model_format_it_reads() {
    let home = tempfile::tempdir().unwrap();
    callcoach(home.path())
        .arg("--version")
        .assert()
        .success()
        .stdout(contains(concat!("callcoach ", env!("CARGO_PKG_VERSION"))))
        .stdout(contains("whisper.cpp ggml"));
}

#[test]
fn completions_cover_every_subcommand_and_are_valid_bash() {
    let home = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let output = callcoach(home.path()).args(["completions", shell]).output().unwrap();
        assert!(output.status.success(), "{shell}");
        let script = String::from_utf8(output.stdout).unwrap();
        for subcommand in ["analyze", "check", "record", "history", "devices", "model", "man"] {
            assert!(script.contains(subcommand), "{shell} completes {subcommand}");
        }
        assert!(script.contains("--forget"), "{shell} completes history's options");
    }
    let script = home.path().join("callcoach.bash");
    let output = callcoach(home.path()).args(["completions", "bash"]).output().unwrap();
    std::fs::write(&script, output.stdout).unwrap();
    let status = Command::new("bash").arg("-n").arg(&script).status().unwrap();
    assert!(status.success(), "bash parses the completion script");
    callcoach(home.path()).args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn the_manual_page_is_roff_with_every_subcommand() {
    let home = tempfile::tempdir().unwrap();
    callcoach(home.path())
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::starts_with(".ie"))
        .stdout(contains(".TH callcoach 1"))
        .stdout(contains(".SH SUBCOMMANDS"))
        .stdout(contains("callcoach\\-history(1)"))
        .stdout(contains("Exit codes:"));
}

#[test]
fn no_color_turns_colour_off_even_when_it_is_forced() {
    let home = tempfile::tempdir().unwrap();
    let script = root().join("samples/missing-two.txt");
    let run = |no_color: bool| {
        let mut command = callcoach(home.path());
        command.env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1").arg("check").arg(&script);
        if no_color {
            command.env("NO_COLOR", "1");
        }
        command.assert().success()
    };
    run(false).stdout(contains("\u{1b}[")).stdout(contains("✓ Thanked").not());
    run(true).stdout(contains("\u{1b}[").not()).stdout(contains("✓ Thanked them"));
}
