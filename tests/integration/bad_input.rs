//! The recordings users really have: phones' voice memos, screen recorders' odd layouts,
//! broken downloads, files that are not audio at all. Each one either gets a correct analysis
//! or one sentence naming the file and exit code 3 — never a panic, never words in silence.
//!
//! Most files are made here, with hound, sox or by hand; the MP3, M4A and Opus ones are
//! committed under tests/fixtures/ (`scripts/make-fixtures.sh` renders them with ffmpeg).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::{callcoach, model, root, word_error_rate, Report};

/// The first sentence of `samples/missing-two.wav`: 9 s with three checklist elements in it.
const CLIP_S: f64 = 9.0;
const CLIP_FOUND: [&str; 3] = ["thanks", "job_title", "caller_name"];

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

fn sox(args: &[&dyn AsRef<std::ffi::OsStr>]) {
    let status = std::process::Command::new("sox")
        .args(["-V1"])
        .args(args.iter().map(|a| a.as_ref()))
        .status()
        .expect("sox is installed by `make test`");
    assert!(status.success(), "sox {:?}", args.iter().map(|a| a.as_ref()).collect::<Vec<_>>());
}

/// The spoken clip as a 16 kHz mono 16-bit WAV, the form every other variant is made from.
fn spoken_clip(dir: &Path) -> PathBuf {
    let clip = dir.join("clip.wav");
    sox(&[&root().join("samples/missing-two.wav"), &clip, &"trim", &"0", &"9"]);
    clip
}

/// A canonical 44-byte WAV header; the sizes and fields are whatever the case needs.
fn wav_header(format: u16, channels: u16, rate: u32, bits: u16, data_len: u32) -> Vec<u8> {
    let block_align = channels.wrapping_mul(bits.div_ceil(8));
    let mut header = Vec::with_capacity(44);
    header.extend_from_slice(b"RIFF");
    header.extend_from_slice(&36_u32.wrapping_add(data_len).to_le_bytes());
    header.extend_from_slice(b"WAVEfmt ");
    header.extend_from_slice(&16_u32.to_le_bytes());
    header.extend_from_slice(&format.to_le_bytes());
    header.extend_from_slice(&channels.to_le_bytes());
    header.extend_from_slice(&rate.to_le_bytes());
    header.extend_from_slice(&rate.wrapping_mul(u32::from(block_align)).to_le_bytes());
    header.extend_from_slice(&block_align.to_le_bytes());
    header.extend_from_slice(&bits.to_le_bytes());
    header.extend_from_slice(b"data");
    header.extend_from_slice(&data_len.to_le_bytes());
    header
}

const PCM: u16 = 1;
const FLOAT: u16 = 3;

/// A 16-bit mono WAV at 16 kHz whose samples are `f` of the sample index.
fn mono_wav(path: &Path, seconds: f64, f: impl Fn(usize) -> f32) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut writer = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..(seconds * 16_000.0) as usize {
        writer.write_sample(f(i)).unwrap();
    }
    writer.finalize().unwrap();
}

/// Reads `clip.wav` (sox writes a plain 44-byte header) as its header and its data.
fn split_wav(bytes: &[u8]) -> (&[u8], &[u8]) {
    assert_eq!(&bytes[36..40], b"data", "sox wrote a 44-byte header");
    (&bytes[..44], &bytes[44..])
}

fn chunk(id: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut chunk = id.to_vec();
    chunk.extend_from_slice(&(body.len() as u32).to_le_bytes());
    chunk.extend_from_slice(body);
    if body.len() % 2 == 1 {
        chunk.push(0);
    }
    chunk
}

/// `analyze --json` over `files` in one run (one model load).
fn analyze(home: &Path, files: &[PathBuf]) -> Output {
    callcoach(home)
        .args(["analyze", "--json", "--model"])
        .arg(model())
        .args(files)
        .output()
        .unwrap()
}

fn reports(output: &Output) -> Vec<Report> {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(output.stderr.is_empty(), "--json prints nothing else: {stderr}");
    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
    stdout.lines().map(|line| serde_json::from_str(line).unwrap()).collect()
}

#[test]
fn every_way_of_storing_the_spoken_clip_gives_the_same_analysis() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let clip = spoken_clip(dir);
    let mut files = vec![clip.clone()];
    let mut variant = |name: &str, effects: &[&str]| {
        let path = dir.join(name);
        let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&clip];
        let options: Vec<&str> = effects.iter().copied().take_while(|a| *a != "|").collect();
        let after: Vec<&str> = effects.iter().copied().skip_while(|a| *a != "|").skip(1).collect();
        args.extend(options.iter().map(|a| a as &dyn AsRef<std::ffi::OsStr>));
        args.push(&path);
        args.extend(after.iter().map(|a| a as &dyn AsRef<std::ffi::OsStr>));
        sox(&args);
        files.push(path);
    };
    // Output options before "|", effects after it.
    variant("unsigned-8-bit.wav", &["-b", "8"]);
    variant("24-bit.wav", &["-b", "24"]);
    variant("32-bit.wav", &["-b", "32"]);
    variant("float.wav", &["-e", "floating-point", "-b", "32"]);
    variant("stereo.wav", &["-c", "2"]);
    variant("8-channels.wav", &["-c", "8"]);
    variant("6-channels-48k.wav", &["-r", "48000", "-c", "6"]);
    variant("8k-telephone.wav", &["-r", "8000"]);
    variant("22k.wav", &["-r", "22050"]);
    variant("44k-stereo.wav", &["-r", "44100", "-c", "2"]);
    variant("96k-24-bit.wav", &["-r", "96000", "-b", "24"]);
    variant("192k-float-stereo.wav", &["-r", "192000", "-c", "2", "-e", "floating-point"]);
    variant("dc-offset.wav", &["|", "dcshift", "0.3"]);
    variant("clipping.wav", &["|", "gain", "15"]);
    variant("quiet.wav", &["|", "gain", "-30"]);
    variant("clip.flac", &[]);
    variant("clip.ogg", &[]);
    // Decided by content, not by name.
    variant("flac-named.wav", &["-t", "flac"]);
    files.push(fixture("clip.m4a"));
    files.push(fixture("clip.mp3"));
    // A voice note as phone apps send them (Ogg Opus, 16 kbit/s, made with opusenc), and what
    // a browser records (Opus in WebM, made with ffmpeg).
    files.push(fixture("clip.opus"));
    files.push(fixture("clip.webm"));
    let voice_note = dir.join("PTT-20261202-WA0003.ogg");
    std::fs::copy(fixture("clip.opus"), &voice_note).unwrap();
    files.push(voice_note);
    let renamed = dir.join("voice-memo");
    std::fs::copy(fixture("clip.m4a"), &renamed).unwrap();
    files.push(renamed);

    let bytes = std::fs::read(&clip).unwrap();
    let (header, data) = split_wav(&bytes);
    // Recorders and editors add metadata chunks before and after the audio.
    let extra = dir.join("extra-chunks.wav");
    let list = chunk(b"LIST", b"INFOISFT\x0e\x00\x00\x00Voice Memos 2\x00");
    let cue = chunk(b"cue ", &[1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let mut with_chunks = header[..36].to_vec();
    with_chunks.extend_from_slice(&list);
    with_chunks.extend_from_slice(&cue);
    with_chunks.extend_from_slice(&header[36..]);
    with_chunks.extend_from_slice(data);
    with_chunks.extend_from_slice(&chunk(b"id3 ", b"ID3\x04\x00\x00\x00\x00\x00\x00"));
    let riff_len = (with_chunks.len() - 8) as u32;
    with_chunks[4..8].copy_from_slice(&riff_len.to_le_bytes());
    std::fs::write(&extra, with_chunks).unwrap();
    files.push(extra);
    // A recorder that streams writes "unknown" sizes and never comes back to fix them.
    let streamed = dir.join("streamed-sizes.wav");
    let mut bytes_streamed = wav_header(PCM, 1, 16_000, 16, u32::MAX);
    bytes_streamed[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    bytes_streamed.extend_from_slice(data);
    std::fs::write(&streamed, bytes_streamed).unwrap();
    files.push(streamed);
    // A recorder that died before it wrote any size, and left half a sample at the end.
    let died = dir.join("sizes-never-written.wav");
    let mut bytes_died = wav_header(PCM, 1, 16_000, 16, 0);
    bytes_died.extend_from_slice(data);
    bytes_died.push(0x7F);
    std::fs::write(&died, bytes_died).unwrap();
    files.push(died);
    // A RIFF size that disagrees with the file.
    let wrong_riff = dir.join("wrong-riff-size.wav");
    let mut bytes_wrong = bytes.clone();
    bytes_wrong[4..8].copy_from_slice(&1000_u32.to_le_bytes());
    std::fs::write(&wrong_riff, bytes_wrong).unwrap();
    files.push(wrong_riff);

    let reports = reports(&analyze(dir, &files));
    assert_eq!(reports.len(), files.len());
    let reference = &reports[0];
    assert_eq!(reference.found(), CLIP_FOUND, "{}", reference.transcript);
    for (file, report) in files.iter().zip(&reports) {
        let name = file.file_name().unwrap().to_string_lossy();
        let duration = report.duration_s.unwrap();
        // M4A keeps the AAC encoder's 1024-sample priming (symphonia ignores the edit list).
        assert!((duration - CLIP_S).abs() < 0.1, "{name}: {duration} s");
        assert_eq!(report.found(), CLIP_FOUND, "{name}: {}", report.transcript);
        let wer = word_error_rate(&reference.transcript, &report.transcript);
        assert!(wer <= 0.1, "{name}: {wer:.2} word error rate: {}", report.transcript);
    }
}

#[test]
fn silence_noise_and_broken_floats_give_no_words() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let mut files = Vec::new();
    let mut synth = |name: &str, args: &[&str]| {
        let path = dir.join(name);
        let mut all: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"-n"];
        let (options, effects) = args.split_at(args.iter().position(|a| *a == "synth").unwrap());
        all.extend(options.iter().map(|a| a as &dyn AsRef<std::ffi::OsStr>));
        all.push(&path);
        all.extend(effects.iter().map(|a| a as &dyn AsRef<std::ffi::OsStr>));
        sox(&all);
        files.push(path);
    };
    synth("silence.wav", &["-r", "16000", "-b", "16", "synth", "8", "sine", "0", "vol", "0"]);
    synth(
        "white-noise.wav",
        &["-r", "16000", "-b", "16", "synth", "8", "whitenoise", "vol", "0.3"],
    );
    synth("pink-noise.wav", &["-r", "44100", "-c", "2", "synth", "8", "pinknoise", "vol", "0.5"]);
    synth("brown-noise.flac", &["-r", "48000", "synth", "8", "brownnoise"]);
    synth("mains-hum.wav", &["-r", "8000", "synth", "8", "sine", "50", "vol", "0.5"]);
    synth(
        "noise-bursts.wav",
        &["-r", "16000", "synth", "1", "whitenoise", "vol", "0.5", "pad", "2", "2", "repeat", "2"],
    );
    let non_finite = dir.join("nan-and-inf.wav");
    let specials = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -f32::NAN];
    mono_wav(&non_finite, 5.0, |i| specials[i % 4]);
    files.push(non_finite);
    // Far out of range but finite: clamped to full scale, a constant, not speech.
    let huge = dir.join("huge-floats.wav");
    mono_wav(&huge, 5.0, |_| 3.0e30);
    files.push(huge);

    let reports = reports(&analyze(dir, &files));
    assert_eq!(reports.len(), files.len());
    for (file, report) in files.iter().zip(&reports) {
        let name = file.file_name().unwrap().to_string_lossy();
        assert_eq!(report.transcript, "", "{name}: words where nothing was said");
        assert!(report.found().is_empty(), "{name}");
        assert!(report.duration_s.unwrap() >= 5.0, "{name}");
    }
}

#[test]
fn recordings_cut_short_are_analyzed_as_far_as_they_go() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let clip = spoken_clip(dir);
    let flac = dir.join("clip.flac");
    let ogg = dir.join("clip.ogg");
    sox(&[&clip, &flac]);
    sox(&[&clip, &ogg]);
    let mut files = Vec::new();
    // (file, how much of it is kept)
    for source in [clip.clone(), flac, ogg, fixture("clip.mp3")] {
        let bytes = std::fs::read(&source).unwrap();
        let name = format!("cut-{}", source.file_name().unwrap().to_string_lossy());
        let cut = dir.join(name);
        std::fs::write(&cut, &bytes[..bytes.len() * 6 / 10]).unwrap();
        files.push(cut);
    }
    let reports = reports(&analyze(dir, &files));
    for (file, report) in files.iter().zip(&reports) {
        let name = file.file_name().unwrap().to_string_lossy();
        let duration = report.duration_s.unwrap();
        // 60 % of the bytes is about 60 % of the audio (less for the compressed formats'
        // headers, which are kept whole).
        assert!(duration > 0.5 * CLIP_S && duration < 0.65 * CLIP_S, "{name}: {duration} s");
        assert!(report.transcript.starts_with("Hello"), "{name}: {}", report.transcript);
        assert!(report.found().contains(&"caller_name"), "{name}: {}", report.transcript);
    }
}

/// Runs `analyze` and gives its output and the process's peak memory in bytes.
fn analyze_measuring_memory(home: &Path, file: &Path) -> (Output, u64) {
    use std::os::unix::process::ExitStatusExt;
    // Reaped by wait4 below, which std cannot do: it also gives the child's peak memory.
    #[allow(clippy::zombie_processes)]
    let child = crate::support::callcoach_process(home)
        .args(["analyze", "--json", "--model"])
        .arg(model())
        .arg(file)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    // Read the pipes on threads so that a full pipe cannot stall the child before it exits.
    let mut stdout = child.stdout.unwrap();
    let mut stderr = child.stderr.unwrap();
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut buf).unwrap();
        buf
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut buf).unwrap();
        buf
    });
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid, and wait4 only writes into the two locals.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid);
    let output = Output {
        status: std::process::ExitStatus::from_raw(status),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    // Linux gives ru_maxrss in kilobytes.
    (output, usage.ru_maxrss as u64 * 1024)
}

/// A sparse file: a WAV header, then `frames` of silence that take no disk space.
fn sparse_wav(path: &Path, rate: u32, channels: u16, seconds: u64) -> u64 {
    let data_len = seconds * u64::from(rate) * u64::from(channels) * 2;
    let mut file = std::fs::File::create(path).unwrap();
    file.write_all(&wav_header(PCM, channels, rate, 16, data_len.min(u64::from(u32::MAX)) as u32))
        .unwrap();
    file.set_len(44 + data_len).unwrap();
    44 + data_len
}

#[test]
fn an_hour_long_take_is_decoded_in_bounded_memory() {
    let home = tempfile::tempdir().unwrap();
    // An hour of 48 kHz stereo is 691 MB of 16-bit samples, 2.8 GB as f64: decoded in blocks,
    // only the 16 kHz mono output (230 MB of f32) grows with the take.
    let hour = home.path().join("an-hour.wav");
    let file_len = sparse_wav(&hour, 48_000, 2, 3600);
    let (output, peak) = analyze_measuring_memory(home.path(), &hour);
    let report = &reports(&output)[0];
    assert_eq!(report.duration_s, Some(3600.0));
    assert_eq!(report.transcript, "");
    let output_len = 3600 * 16_000 * 4;
    assert!(
        peak < output_len + 300_000_000 && peak < file_len,
        "peak memory {} MB for a {} MB file",
        peak / 1_000_000,
        file_len / 1_000_000
    );
}

#[test]
fn a_take_over_an_hour_is_refused_before_decoding() {
    let home = tempfile::tempdir().unwrap();
    let long = home.path().join("over-an-hour.wav");
    sparse_wav(&long, 8_000, 1, 3601);
    let started = std::time::Instant::now();
    assert_refused(
        home.path(),
        &long,
        "the recording is longer than 60 minutes, the longest take callcoach analyzes",
    );
    // Not a speed target: decoding an hour would take seconds; the header is read at once.
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

/// `analyze FILE` must exit with code 3 and say, on one line, `error: FILE: {sentence}`,
/// with at most a hint after it.
fn assert_refused(home: &Path, file: &Path, sentence: &str) {
    if let Some(problem) = refusal_problem(home, file, sentence) {
        panic!("{problem}");
    }
}

fn refusal_problem(home: &Path, file: &Path, sentence: &str) -> Option<String> {
    let output =
        callcoach(home).args(["analyze", "--model"]).arg(model()).arg(file).output().unwrap();
    output_problem(&output, file, sentence)
}

fn output_problem(output: &Output, file: &Path, sentence: &str) -> Option<String> {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let name = file.file_name().unwrap().to_string_lossy();
    let expected = format!("error: {}: {sentence}", file.display());
    let lines: Vec<&str> = stderr.lines().collect();
    let one_sentence = lines.len() == 1 || (lines.len() == 2 && lines[1].starts_with("hint: "));
    (output.status.code() != Some(3)
        || !output.stdout.is_empty()
        || lines.first() != Some(&expected.as_str())
        || !one_sentence)
        .then(|| {
            format!(
                "{name}: exit code {:?}, expected\n{expected}\ngot\n{stderr}",
                output.status.code()
            )
        })
}

#[test]
fn files_that_are_not_usable_recordings_get_one_sentence_and_exit_code_3() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let clip = spoken_clip(dir);
    let clip_bytes = std::fs::read(&clip).unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let with_header = |format, channels, rate, bits| {
        let mut bytes = wav_header(format, channels, rate, bits, 32_000);
        bytes.extend(std::iter::repeat_n(0x10, 32_000));
        bytes
    };
    let noise: Vec<u8> =
        (0..4096_u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let prefixed = |magic: &[u8]| [magic, &noise].concat();
    let aiff = dir.join("voice.aiff");
    sox(&[&clip, &aiff]);
    let a_law = dir.join("a-law.wav");
    sox(&[&clip, &"-e", &"a-law", &a_law]);
    let m4a = std::fs::read(fixture("clip.m4a")).unwrap();
    let webm = std::fs::read(fixture("clip.webm")).unwrap();
    let folder = dir.join("takes.wav");
    std::fs::create_dir(&folder).unwrap();

    let holds_no_audio = "the recording holds no audio";
    let ends_early = "the recording is damaged: the file ends before any audio";
    let not_audio = "not a recording callcoach can read: its content is not audio in a format \
                     callcoach reads";
    let cases: Vec<(PathBuf, &str)> = vec![
        (write("empty.wav", b""), holds_no_audio),
        (write("header-only.wav", &wav_header(PCM, 1, 16_000, 16, 0)), holds_no_audio),
        (
            write("cut-in-header.wav", &clip_bytes[..30]),
            "the recording is damaged: the file ends inside its header",
        ),
        (
            write("riff-only.wav", b"RIFF"),
            "the recording is damaged: the file ends inside its header",
        ),
        (
            write("notes.wav", b"Hi Ms. Carter, this is Daniel Brooks.\n"),
            "not a recording callcoach can read: it holds text, not audio",
        ),
        (write("random.wav", &noise), not_audio),
        (write("photo.wav", &prefixed(b"\x89PNG\r\n\x1a\n")), not_audio),
        (write("zip.m4a", &prefixed(b"PK\x03\x04")), not_audio),
        (
            write("no-channels.wav", &with_header(PCM, 0, 16_000, 16)),
            "the recording is damaged: its WAV header is not valid (file contains zero channels)",
        ),
        (
            write("rate-zero.wav", &with_header(PCM, 1, 0, 16)),
            "not a recording callcoach can read: it says its sample rate is 0 Hz (callcoach \
             reads 4 to 384 kHz)",
        ),
        (
            write("absurd-rate.wav", &with_header(PCM, 1, 1_000_000, 16)),
            "not a recording callcoach can read: it says its sample rate is 1000000 Hz \
             (callcoach reads 4 to 384 kHz)",
        ),
        (
            write("float-64.wav", &with_header(FLOAT, 1, 16_000, 64)),
            "not a recording callcoach can read: its samples are floating-point but not 32-bit \
             (callcoach reads 8, 16, 24 and 32-bit integer and 32-bit floating-point WAV)",
        ),
        (
            a_law,
            "not a recording callcoach can read: its WAV sample encoding is not plain integer \
             or floating-point",
        ),
        (aiff, "not a recording callcoach can read: it is AIFF audio, which callcoach cannot read"),
        (write("garbage.mp3", &prefixed(b"ID3\x04\x00\x00\x00\x00\x00\x00")), ends_early),
        (write("garbage.ogg", &prefixed(b"OggS\x00\x02")), ends_early),
        (
            write("garbage.flac", &prefixed(b"fLaC")),
            "the recording is damaged: malformed stream: flac: invalid stream info block size",
        ),
        (write("garbage.m4a", &prefixed(b"\x00\x00\x00\x18ftypM4A ")), ends_early),
        (write("first-half.m4a", &m4a[..m4a.len() / 2]), ends_early),
        // symphonia's WebM reader panics on it; the panic is caught and never shown.
        (
            write("first-half.webm", &webm[..webm.len() / 2]),
            "the recording is damaged: its container's structure is broken",
        ),
        (write("garbage.webm", &prefixed(b"\x1a\x45\xdf\xa3")), ends_early),
        (folder, "is a folder, not a recording"),
        (dir.join("missing.wav"), "no such file"),
    ];
    let problems: Vec<String> =
        cases.iter().filter_map(|(file, sentence)| refusal_problem(dir, file, sentence)).collect();
    assert!(
        problems.is_empty(),
        "{} of {} cases:\n{}",
        problems.len(),
        cases.len(),
        problems.join("\n")
    );
}

#[test]
fn a_recording_without_read_permission_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let home = tempfile::tempdir().unwrap();
    let locked = home.path().join("locked.wav");
    mono_wav(&locked, 1.0, |_| 0.0);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let mut command = crate::support::callcoach_process(home.path());
    command.args(["analyze", "--model"]).arg(model()).arg(&locked);
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        // Root reads anything: run as nobody, who can enter the folder but not read the file.
        std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        command.uid(65534).gid(65534);
    }
    let output = command.output().unwrap();
    let sentence = "cannot read it: Permission denied (os error 13)";
    if let Some(problem) = output_problem(&output, &locked, sentence) {
        panic!("{problem}");
    }
}

/// Inputs the fuzzer (`scripts/fuzz-decode.sh`) found crashing the decoder, kept in
/// tests/fixtures/fuzz/ with what each now gets: the sentence, or `None` for an analysis.
/// Run with 2 GB of address space, as on a small machine: a decoder that trusts a length
/// field and asks for gigabytes aborts there.
#[test]
fn what_fuzzing_found_stays_fixed() {
    use std::os::unix::process::CommandExt;
    let home = tempfile::tempdir().unwrap();
    let findings = [
        (
            "flac-comment-length-4gb.flac",
            Some("the recording is damaged: a Vorbis comment runs past the end of its block"),
        ),
        // Its sample table gives a 1 GB sample: symphonia allocates it (untouched) and reads on.
        ("m4a-sample-size-1gb.m4a", None),
        // symphonia subtracts past zero on a sample-to-chunk table that runs backwards: a panic
        // where overflow is checked (the fuzzer's debug assertions), this error in release.
        (
            "m4a-stsc-first-chunk-underflow.m4a",
            Some(
                "the recording is damaged: malformed stream: isomp4: stsc entry first chunk not \
                 monotonic",
            ),
        ),
    ];
    for (name, sentence) in findings {
        let file = fixture("fuzz").join(name);
        let mut command = crate::support::callcoach_process(home.path());
        command.args(["analyze", "--json", "--model"]).arg(model()).arg(&file);
        // SAFETY: setrlimit is async-signal-safe and touches no memory of the parent.
        unsafe {
            command.pre_exec(|| {
                let limit = libc::rlimit { rlim_cur: 2 << 30, rlim_max: 2 << 30 };
                if libc::setrlimit(libc::RLIMIT_AS, &limit) == 0 {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            });
        }
        let output = command.output().unwrap();
        match sentence {
            Some(sentence) => {
                if let Some(problem) = output_problem(&output, &file, sentence) {
                    panic!("{problem}");
                }
            }
            None => assert_eq!(reports(&output).len(), 1, "{name}"),
        }
    }
}
