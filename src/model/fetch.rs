//! `callcoach model fetch NAME`: downloading whisper.cpp's ggml models, installed only once
//! they are complete and checked.

use std::fmt;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sha1::Sha1;
use sha2::digest::DynDigest;
use sha2::{Digest, Sha256};

use super::{ggml, store};
use crate::atomic_file::PartialFile;

/// whisper.cpp's model repository on Hugging Face; `ggml-NAME.bin` is appended.
pub const DEFAULT_BASE_URL: &str = "https://huggingface.co/ggerganov/whisper.cpp/resolve/main";

/// Replaces [`DEFAULT_BASE_URL`], for mirrors and tests.
pub const BASE_URL_ENV: &str = "CALLCOACH_MODEL_BASE_URL";

/// The SHA-1 of every model whisper.cpp publishes one for: the "Available models" table of
/// `models/README.md` in ggml-org/whisper.cpp (read at commit 233fe1fc9b48, August 2026; the
/// table last changed in 2ef717b29, October 2024). Other files in the Hugging Face repository,
/// such as `tiny-q5_1` or `base-q8_0`, have no published checksum and need one from the user.
const KNOWN_MODELS: &[(&str, &str)] = &[
    ("tiny", "bd577a113a864445d4c299885e0cb97d4ba92b5f"),
    ("tiny.en", "c78c86eb1a8faa21b369bcd33207cc90d64ae9df"),
    ("base", "465707469ff3a37a2b9b8d8f89f2f99de7299dac"),
    ("base.en", "137c40403d78fd54d454da0f9bd998f78703390c"),
    ("small", "55356645c2b361a969dfd0ef2c5a50d530afd8d5"),
    ("small.en", "db8a495a91d927739e50b3fc1cc4c6b8f6c2d022"),
    ("small.en-tdrz", "b6c6e7e89af1a35c08e6de56b66ca6a02a2fdfa1"),
    ("medium", "fd9727b6e1217c2f614f9b698455c4ffd82463b4"),
    ("medium.en", "8c30f0e44ce9560643ebd10bbe50cd20eafd3723"),
    ("large-v1", "b1caaf735c4cc1429223d5a74f0f4d0b9b59a299"),
    ("large-v2", "0f4c8e34f21cf1a914c59d8b3ce882345ad349d6"),
    ("large-v2-q5_0", "00e39f2196344e901b3a2bd5814807a769bd1630"),
    ("large-v3", "ad82bf6a9043ceed055076d0fd39f5f186ff8062"),
    ("large-v3-q5_0", "e6e2ed78495d403bef4b7cff42ef4aaadcfea8de"),
    ("large-v3-turbo", "4af2b29d7ec73d781377bfd1758ca957a807e941"),
    ("large-v3-turbo-q5_0", "e050f7970618a659205450ad97eb95a18d69c9ee"),
];

/// The model names [`fetch`] can check without a checksum from the caller.
pub fn known_models() -> impl Iterator<Item = &'static str> {
    KNOWN_MODELS.iter().map(|(name, _)| *name)
}

/// An expected file digest, written `sha1:HEX` or `sha256:HEX` (the CLI's `--checksum`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checksum {
    algorithm: Algorithm,
    /// Lowercase, so that comparing two checksums compares digests.
    hex: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Algorithm {
    Sha1,
    Sha256,
}

impl Algorithm {
    fn label(self) -> &'static str {
        match self {
            Algorithm::Sha1 => "sha1",
            Algorithm::Sha256 => "sha256",
        }
    }

    fn hasher(self) -> Box<dyn DynDigest> {
        match self {
            Algorithm::Sha1 => Box::new(Sha1::new()),
            Algorithm::Sha256 => Box::new(Sha256::new()),
        }
    }
}

impl Checksum {
    fn of(algorithm: Algorithm, digest: &[u8]) -> Self {
        Checksum { algorithm, hex: digest.iter().map(|byte| format!("{byte:02x}")).collect() }
    }
}

impl FromStr for Checksum {
    type Err = InvalidChecksum;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidChecksum(text.to_owned());
        let (label, hex) = text.split_once(':').ok_or_else(invalid)?;
        let algorithm = [Algorithm::Sha1, Algorithm::Sha256]
            .into_iter()
            .find(|algorithm| algorithm.label().eq_ignore_ascii_case(label))
            .ok_or_else(invalid)?;
        let digest_len = algorithm.hasher().output_size();
        if hex.len() != 2 * digest_len || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid());
        }
        Ok(Checksum { algorithm, hex: hex.to_ascii_lowercase() })
    }
}

impl fmt::Display for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm.label(), self.hex)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a checksum: write sha1:HEX (40 hex digits) or sha256:HEX (64)")]
pub struct InvalidChecksum(String);

/// What to download, and where to.
#[derive(Debug, Clone)]
pub struct FetchRequest<'a> {
    /// The model name, e.g. `base.en`; the file is `ggml-NAME.bin`.
    pub name: &'a str,
    /// Where the model is installed, usually [`store::ModelDirs::install_dir`]; created if
    /// missing.
    pub dir: &'a Path,
    /// The URL `ggml-NAME.bin` is appended to: [`DEFAULT_BASE_URL`] unless overridden.
    pub base_url: &'a str,
    /// Required for a name outside [`known_models`]; for a known one it replaces the
    /// published checksum (for a mirror serving a re-converted file, say).
    pub expected: Option<Checksum>,
    /// Download again even if the model is installed.
    pub force: bool,
}

/// A model ready to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub path: PathBuf,
    /// `false` when the model was already installed and nothing was downloaded.
    pub downloaded: bool,
}

/// Why a model could not be fetched. Whatever the reason, no partial file is left behind,
/// and an installed model that a `force` download would have replaced is untouched.
///
/// Messages leave the underlying cause to [`std::error::Error::source`]; print the chain
/// (anyhow's `{:#}`) to show it.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("`{name}` is not a model name: use letters, digits, `.`, `-` and `_`, like `base.en`")]
    InvalidName { name: String },
    #[error(
        "no published checksum for model `{name}` (known models: {}): pass \
         `--checksum sha1:HEX` to download it anyway",
        known_models().collect::<Vec<_>>().join(", ")
    )]
    UnknownModel { name: String },
    #[error("no model named `{name}` at {url}")]
    NotFound { name: String, url: String },
    /// The server's name did not resolve or no route led to it: most often no connection.
    /// The resolver's own words ("io: failed to lookup address information") stay out of the
    /// message, in `reason`.
    #[error("cannot reach {host}: this computer seems to be offline (or the address is wrong)")]
    Offline { host: String, reason: ureq::Error },
    #[error("could not download {url}")]
    Network { url: String, source: ureq::Error },
    #[error("download of {url} stopped after {got} of {expected} bytes")]
    Truncated { url: String, expected: u64, got: u64 },
    #[error("{url} is not the expected file: its checksum is {actual}, not {expected}")]
    ChecksumMismatch { url: String, expected: Checksum, actual: Checksum },
    #[error("{url} is not a whisper.cpp ggml model")]
    NotGgml { url: String },
    #[error("could not save the download to {}", .path.display())]
    Io { path: PathBuf, source: io::Error },
}

/// Whether a request failed before reaching any server: the name did not resolve (what the
/// system's resolver says without a connection) or the network is unreachable.
fn unreachable(error: &ureq::Error) -> bool {
    use io::ErrorKind::{HostUnreachable, NetworkDown, NetworkUnreachable};
    match error {
        ureq::Error::HostNotFound => true,
        ureq::Error::Io(e) => {
            matches!(e.kind(), HostUnreachable | NetworkDown | NetworkUnreachable)
                || e.to_string().contains("failed to lookup address")
        }
        _ => false,
    }
}

/// The host of an http(s) URL, for messages.
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', ':']).next().unwrap_or(rest).to_owned()
}

/// Downloads `ggml-NAME.bin` into `req.dir`, unless it is already there and `req.force` is
/// off (the file only ever appears through the final rename below, so its presence means a
/// complete, checked download).
///
/// The body streams into a hidden [`PartialFile`] beside the destination while being hashed;
/// its length (against `Content-Length`), checksum and ggml header are checked, and only
/// then is it synced and renamed into place. Redirects (Hugging Face sends one to its CDN)
/// are followed, and `HTTPS_PROXY`/`NO_PROXY` are honoured.
///
/// `progress` receives the bytes written so far and the total when the server states it.
pub fn fetch(
    req: &FetchRequest,
    progress: &mut dyn FnMut(u64, Option<u64>),
) -> Result<Fetched, FetchError> {
    let name = req.name;
    let is_name_char = |c: char| c.is_ascii_alphanumeric() || "._-".contains(c);
    if name.is_empty() || name.starts_with('.') || !name.chars().all(is_name_char) {
        return Err(FetchError::InvalidName { name: name.to_owned() });
    }
    let file_name = store::file_name(name);
    let destination = req.dir.join(&file_name);
    if !req.force && destination.is_file() {
        return Ok(Fetched { path: destination, downloaded: false });
    }
    let expected = match &req.expected {
        Some(checksum) => checksum.clone(),
        None => KNOWN_MODELS
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, sha1)| Checksum { algorithm: Algorithm::Sha1, hex: (*sha1).to_owned() })
            .ok_or_else(|| FetchError::UnknownModel { name: name.to_owned() })?,
    };
    let url = format!("{}/{file_name}", req.base_url.trim_end_matches('/'));
    let network = |source| FetchError::Network { url: url.clone(), source };

    let response = agent()
        .get(&url)
        // Content-Length must count the bytes we write, not a compressed encoding of them.
        .header("Accept-Encoding", "identity")
        .call()
        .map_err(|err| match err {
            ureq::Error::StatusCode(404) => {
                FetchError::NotFound { name: name.to_owned(), url: url.clone() }
            }
            err if unreachable(&err) => FetchError::Offline { host: host_of(&url), reason: err },
            err => network(err),
        })?;
    let total = response.body().content_length();
    let mut body = response.into_body().into_reader();

    fs::create_dir_all(req.dir).map_err(write_error(req.dir))?;
    let part = PartialFile::create(&destination).map_err(write_error(&destination))?;
    let mut file = part.file();
    let mut hasher = expected.algorithm.hasher();
    let mut buf = vec![0; 1 << 16];
    let mut done = 0;
    progress(done, total);
    loop {
        let len = match body.read(&mut buf) {
            Ok(0) => break,
            Ok(len) => len,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            // How ureq reports a body cut short of its Content-Length: the length check below
            // turns it into `Truncated`.
            Err(err) if err.kind() == io::ErrorKind::UnexpectedEof && total.is_some() => break,
            Err(err) => return Err(network(err.into())),
        };
        hasher.update(&buf[..len]);
        file.write_all(&buf[..len]).map_err(write_error(part.path()))?;
        done += len as u64;
        progress(done, total);
    }
    if let Some(expected) = total.filter(|&expected| expected != done) {
        return Err(FetchError::Truncated { url, expected, got: done });
    }

    let actual = Checksum::of(expected.algorithm, &hasher.finalize());
    if actual != expected {
        return Err(FetchError::ChecksumMismatch { url, expected, actual });
    }
    ggml::read_header(part.path()).map_err(|err| match err {
        ggml::GgmlError::NotGgml { .. }
        | ggml::GgmlError::Truncated { .. }
        | ggml::GgmlError::Malformed { .. } => FetchError::NotGgml { url },
        ggml::GgmlError::Io { path, source } => FetchError::Io { path, source },
    })?;
    part.persist(&destination).map_err(write_error(&destination))?;
    Ok(Fetched { path: destination, downloaded: true })
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(30)))
        // Fails a stalled transfer without limiting how long a slow, multi-gigabyte one takes.
        .timeout_per_read(Some(Duration::from_secs(60)))
        .build()
        .into()
}

fn write_error(path: &Path) -> impl FnOnce(io::Error) -> FetchError + '_ {
    move |source| FetchError::Io { path: path.to_path_buf(), source }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::store::tests::fake_tiny_en;
    use std::net::{TcpListener, TcpStream};
    use std::thread;

    /// A one-thread HTTP/1.1 server on 127.0.0.1 answering each request path with canned
    /// bytes, then closing the connection; an unknown path gets a 404.
    struct Server {
        listener: TcpListener,
        url: String,
    }

    impl Server {
        fn bind() -> Self {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let url = format!("http://{}", listener.local_addr().unwrap());
            Server { listener, url }
        }

        /// Serves `routes` (path, raw response) from a background thread; returns the base URL.
        fn serve(self, routes: Vec<(&'static str, Vec<u8>)>) -> String {
            thread::spawn(move || {
                for stream in self.listener.incoming() {
                    let mut stream = stream.unwrap();
                    let path = read_request_path(&mut stream);
                    let response = routes
                        .iter()
                        .find(|(route, _)| *route == path)
                        .map_or_else(|| status(404, "Not Found"), |(_, response)| response.clone());
                    // The client may already have given up; that is what some tests check.
                    let _ = stream.write_all(&response);
                }
            });
            self.url
        }
    }

    fn read_request_path(stream: &mut TcpStream) -> String {
        let mut head = Vec::new();
        let mut byte = [0];
        while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap() == 1 {
            head.push(byte[0]);
        }
        let head = String::from_utf8(head).unwrap();
        head.split(' ').nth(1).unwrap_or_default().to_owned()
    }

    fn response(status_line: &str, content_length: usize, body: &[u8]) -> Vec<u8> {
        let mut bytes = format!(
            "HTTP/1.1 {status_line}\r\nContent-Length: {content_length}\r\nConnection: close\r\n\r\n"
        )
        .into_bytes();
        bytes.extend_from_slice(body);
        bytes
    }

    fn ok(body: &[u8]) -> Vec<u8> {
        response("200 OK", body.len(), body)
    }

    fn status(code: u16, reason: &str) -> Vec<u8> {
        response(&format!("{code} {reason}"), 0, b"")
    }

    fn checksum(algorithm: Algorithm, bytes: &[u8]) -> Checksum {
        let mut hasher = algorithm.hasher();
        hasher.update(bytes);
        Checksum::of(algorithm, &hasher.finalize())
    }

    fn fetch_fake(
        dir: &Path,
        base_url: &str,
        expected: Checksum,
        force: bool,
    ) -> Result<Fetched, FetchError> {
        let req = FetchRequest { name: "fake", dir, base_url, expected: Some(expected), force };
        fetch(&req, &mut |_, _| {})
    }

    fn files_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn downloads_checks_and_installs() {
        let model = fake_tiny_en();
        let url = Server::bind().serve(vec![("/repo/ggml-fake.bin", ok(&model))]);
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("models");
        let mut seen = Vec::new();
        let req = FetchRequest {
            name: "fake",
            dir: &target,
            base_url: &format!("{url}/repo/"),
            expected: Some(checksum(Algorithm::Sha256, &model)),
            force: false,
        };

        let fetched = fetch(&req, &mut |done, total| seen.push((done, total))).unwrap();

        assert_eq!(fetched, Fetched { path: target.join("ggml-fake.bin"), downloaded: true });
        assert_eq!(fs::read(&fetched.path).unwrap(), model);
        assert_eq!(files_in(&target), ["ggml-fake.bin"]);
        let total = Some(model.len() as u64);
        assert_eq!(seen.first(), Some(&(0, total)));
        assert_eq!(seen.last(), Some(&(model.len() as u64, total)));
    }

    #[test]
    fn follows_a_redirect_to_the_cdn() {
        let model = fake_tiny_en();
        let server = Server::bind();
        let cdn = format!("{}/cdn/blob", server.url);
        let redirect = format!(
            "HTTP/1.1 302 Found\r\nLocation: {cdn}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        let url = server
            .serve(vec![("/ggml-fake.bin", redirect.into_bytes()), ("/cdn/blob", ok(&model))]);
        let dir = tempfile::tempdir().unwrap();

        let fetched =
            fetch_fake(dir.path(), &url, checksum(Algorithm::Sha1, &model), false).unwrap();

        assert_eq!(fs::read(fetched.path).unwrap(), model);
    }

    #[test]
    fn missing_model_is_not_found() {
        let url = Server::bind().serve(vec![]);
        let dir = tempfile::tempdir().unwrap();
        let err = fetch_fake(dir.path(), &url, checksum(Algorithm::Sha1, b""), false).unwrap_err();
        let expected_url = format!("{url}/ggml-fake.bin");
        assert!(
            matches!(&err, FetchError::NotFound { name, url } if name == "fake" && *url == expected_url)
        );
        assert_eq!(err.to_string(), format!("no model named `fake` at {expected_url}"));
        assert!(files_in(dir.path()).is_empty());
    }

    #[test]
    fn server_error_is_a_network_error() {
        let url = Server::bind().serve(vec![("/ggml-fake.bin", status(503, "Unavailable"))]);
        let dir = tempfile::tempdir().unwrap();
        let err = fetch_fake(dir.path(), &url, checksum(Algorithm::Sha1, b""), false).unwrap_err();
        assert!(matches!(err, FetchError::Network { source: ureq::Error::StatusCode(503), .. }));
        assert!(files_in(dir.path()).is_empty());
    }

    #[test]
    fn truncated_body_leaves_nothing() {
        let model = fake_tiny_en();
        let cut = response("200 OK", model.len() + 100, &model);
        let url = Server::bind().serve(vec![("/ggml-fake.bin", cut)]);
        let dir = tempfile::tempdir().unwrap();
        let err =
            fetch_fake(dir.path(), &url, checksum(Algorithm::Sha1, &model), false).unwrap_err();
        assert!(
            matches!(err, FetchError::Truncated { expected, got, .. }
                if expected == model.len() as u64 + 100 && got == model.len() as u64),
            "{err:?}"
        );
        assert!(files_in(dir.path()).is_empty());
    }

    #[test]
    fn checksum_mismatch_leaves_nothing() {
        let model = fake_tiny_en();
        let url = Server::bind().serve(vec![("/ggml-fake.bin", ok(&model))]);
        let dir = tempfile::tempdir().unwrap();
        let wrong = checksum(Algorithm::Sha1, b"another file");
        let err = fetch_fake(dir.path(), &url, wrong.clone(), false).unwrap_err();
        assert!(
            matches!(&err, FetchError::ChecksumMismatch { expected, actual, .. }
                if *expected == wrong && *actual == checksum(Algorithm::Sha1, &model)),
            "{err:?}"
        );
        assert!(files_in(dir.path()).is_empty());
    }

    #[test]
    fn a_file_that_is_not_ggml_is_refused() {
        let page = b"<html>Sign in to continue</html>";
        let url = Server::bind().serve(vec![("/ggml-fake.bin", ok(page))]);
        let dir = tempfile::tempdir().unwrap();
        let err = fetch_fake(dir.path(), &url, checksum(Algorithm::Sha1, page), false).unwrap_err();
        assert!(matches!(err, FetchError::NotGgml { .. }), "{err:?}");
        assert!(files_in(dir.path()).is_empty());
    }

    #[test]
    fn server_closing_at_once_is_a_network_error() {
        let url = Server::bind().serve(vec![("/ggml-fake.bin", Vec::new())]);
        let dir = tempfile::tempdir().unwrap();
        let err = fetch_fake(dir.path(), &url, checksum(Algorithm::Sha1, b""), false).unwrap_err();
        assert!(matches!(err, FetchError::Network { .. }), "{err:?}");
        assert!(files_in(dir.path()).is_empty());
    }

    #[test]
    fn a_name_that_does_not_resolve_is_called_offline() {
        let dir = tempfile::tempdir().unwrap();
        // .invalid never resolves (RFC 6761), online or not.
        let url = "http://callcoach-models.invalid/models";
        let err = fetch_fake(dir.path(), url, checksum(Algorithm::Sha1, b""), false).unwrap_err();
        assert!(
            matches!(&err, FetchError::Offline { host, .. } if host == "callcoach-models.invalid"),
            "{err:?}"
        );
        assert!(files_in(dir.path()).is_empty());
    }

    #[test]
    fn connection_refused_is_a_network_error() {
        let url = Server::bind().url; // dropped at once: nothing listens on that port any more
        let dir = tempfile::tempdir().unwrap();
        let err = fetch_fake(dir.path(), &url, checksum(Algorithm::Sha1, b""), false).unwrap_err();
        assert!(matches!(err, FetchError::Network { .. }), "{err:?}");
        assert!(files_in(dir.path()).is_empty());
    }

    #[test]
    fn installed_model_is_kept_unless_forced_and_survives_a_failed_refetch() {
        let url = Server::bind().serve(vec![]);
        let dir = tempfile::tempdir().unwrap();
        let installed = dir.path().join("ggml-fake.bin");
        fs::write(&installed, b"already here").unwrap();

        // No checksum needed to find that there is nothing to download.
        let req = FetchRequest {
            name: "fake",
            dir: dir.path(),
            base_url: &url,
            expected: None,
            force: false,
        };
        let kept = fetch(&req, &mut |_, _| {}).unwrap();
        assert_eq!(kept, Fetched { path: installed.clone(), downloaded: false });

        let err = fetch_fake(dir.path(), &url, checksum(Algorithm::Sha1, b""), true).unwrap_err();
        assert!(matches!(err, FetchError::NotFound { .. }), "{err:?}");
        assert_eq!(fs::read(&installed).unwrap(), b"already here");
        assert_eq!(files_in(dir.path()), ["ggml-fake.bin"]);
    }

    #[test]
    fn unknown_model_without_checksum_is_refused_before_any_download() {
        let dir = tempfile::tempdir().unwrap();
        let req = FetchRequest {
            name: "tiny-q5_1",
            dir: dir.path(),
            base_url: "http://127.0.0.1:9",
            expected: None,
            force: false,
        };
        let err = fetch(&req, &mut |_, _| {}).unwrap_err();
        assert!(matches!(err, FetchError::UnknownModel { .. }));
        let message = err.to_string();
        assert!(message.contains("tiny.en, base"), "{message}");
        assert!(message.contains("--checksum sha1:HEX"), "{message}");
    }

    #[test]
    fn names_that_would_escape_the_directory_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["../evil", "a/b", "", ".hidden"] {
            let req = FetchRequest {
                name,
                dir: dir.path(),
                base_url: DEFAULT_BASE_URL,
                expected: Some(checksum(Algorithm::Sha1, b"")),
                force: false,
            };
            let err = fetch(&req, &mut |_, _| {}).unwrap_err();
            assert!(matches!(err, FetchError::InvalidName { .. }), "{name}: {err:?}");
        }
    }

    #[test]
    fn known_checksums_are_well_formed_sha1() {
        assert!(known_models().any(|name| name == store::DEFAULT_MODEL));
        for (name, sha1) in KNOWN_MODELS {
            assert!(format!("sha1:{sha1}").parse::<Checksum>().is_ok(), "{name}");
        }
    }

    #[test]
    fn checksum_syntax() {
        let sha1 = "sha1:C78C86EB1A8FAA21B369BCD33207CC90D64AE9DF".parse::<Checksum>().unwrap();
        assert_eq!(sha1.to_string(), "sha1:c78c86eb1a8faa21b369bcd33207cc90d64ae9df");
        let sha256 = format!("SHA256:{}", "ab".repeat(32)).parse::<Checksum>().unwrap();
        assert_eq!(sha256.to_string(), format!("sha256:{}", "ab".repeat(32)));
        for bad in ["c78c86eb", "md5:00", "sha1:c78c", &format!("sha256:{}", "zz".repeat(32))] {
            assert!(bad.parse::<Checksum>().is_err(), "{bad}");
        }
    }
}
