//! Nothing leaves the machine: commands other than `model fetch` open no network socket.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::{callcoach_process, model, root};

/// Runs `command` under strace, recording every socket it creates, in any thread or child.
/// Gives its output and the socket calls for an internet family (IPv4, IPv6).
fn with_sockets_traced(dir: &Path, command: Command) -> (Output, Vec<String>) {
    let log = dir.join("sockets.log");
    let mut traced = Command::new("strace");
    traced
        .args(["-f", "-qq", "-e", "trace=socket", "-o"])
        .arg(&log)
        .arg(command.get_program())
        .args(command.get_args())
        .current_dir(command.get_current_dir().unwrap_or(dir));
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => traced.env(key, value),
            None => traced.env_remove(key),
        };
    }
    let output = traced.output().expect("strace is installed by `make test`");
    let calls = std::fs::read_to_string(&log).unwrap();
    assert!(calls.is_empty() || calls.contains("socket("), "strace logged: {calls}");
    let internet =
        calls.lines().filter(|l| l.contains("AF_INET") || l.contains("AF_INET6")).map(String::from);
    (output, internet.collect())
}

#[test]
fn analyze_and_check_open_no_network_socket() {
    let home = tempfile::tempdir().unwrap();
    let mut analyze = callcoach_process(home.path());
    analyze.args(["analyze", "--json", "--model"]).arg(model());
    analyze.arg(root().join("samples/missing-two.wav"));
    let (output, sockets) = with_sockets_traced(home.path(), analyze);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("\"found\":true"));
    assert!(sockets.is_empty(), "analyze opened {sockets:?}");

    let script = home.path().join("plan.txt");
    std::fs::write(&script, "Hi, this is Dana. Thank you for the interview.").unwrap();
    let mut check = callcoach_process(home.path());
    check.args(["check", "--json"]).arg(&script);
    let (output, sockets) = with_sockets_traced(home.path(), check);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(sockets.is_empty(), "check opened {sockets:?}");
}

/// The tracing itself works: `model fetch` does open one, towards a closed local port.
#[test]
fn the_socket_trace_sees_model_fetch_connect() {
    let home = tempfile::tempdir().unwrap();
    let mut fetch = callcoach_process(home.path());
    fetch.args(["model", "fetch", "tiny.en", "--base-url", "http://127.0.0.1:9"]);
    let (output, sockets) = with_sockets_traced(home.path(), fetch);
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(!sockets.is_empty(), "no socket seen: the trace is blind");
}
