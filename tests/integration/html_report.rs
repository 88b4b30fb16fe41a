//! The report page end to end: made by the real `analyze`, `report` and history, then opened
//! in a real browser (headless Chromium, which `make test` installs): it renders, holds
//! every part, plays from a clicked word, and writes nothing to the console.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use predicates::str::contains;

use crate::delivery::rambling_take;
use crate::support::{callcoach, model, root, Report};

/// The score colours of the page's palette (`src/report/page.css`), by the class it gives.
const SCORE_COLOURS: [(&str, [u8; 3]); 3] =
    [("good", [0x1a, 0x7f, 0x37]), ("fair", [0x9a, 0x67, 0x00]), ("poor", [0xcf, 0x22, 0x2e])];

/// Headless Chromium as it works here: no sandbox as root, no GPU, and none of its
/// background connections, which the closed network would refuse.
fn chromium(profile: &Path) -> Command {
    let mut command = Command::new("chromium");
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        // Console messages reach stderr as `INFO:CONSOLE…` lines.
        "--enable-logging=stderr",
        "--v=0",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}

fn run_chromium(command: &mut Command) -> Output {
    let output = command.output().unwrap_or_else(|e| {
        panic!("cannot run chromium ({e}): `make test` installs it (Debian package chromium)")
    });
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    output
}

/// The page after its script has run, and what it wrote to the console.
fn open(page: &Path, profile: &Path) -> (String, Vec<String>) {
    let output = run_chromium(
        chromium(profile)
            // Lets the page's timers and media events run before the DOM is taken.
            .arg("--virtual-time-budget=3000")
            .arg("--dump-dom")
            .arg(format!("file://{}", page.display())),
    );
    let console = String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|line| line.contains(":CONSOLE"))
        .map(String::from)
        .collect();
    (String::from_utf8(output.stdout).unwrap(), console)
}

/// A screenshot of the top of the page at `width`, as RGB pixels.
fn screenshot(page: &Path, profile: &Path, width: u32, out: &Path) -> Vec<[u8; 3]> {
    run_chromium(
        chromium(profile)
            .arg(format!("--screenshot={}", out.display()))
            .arg(format!("--window-size={width},1200"))
            .arg(format!("file://{}", page.display())),
    );
    let file = std::io::BufReader::new(fs::File::open(out).unwrap());
    let mut reader = png::Decoder::new(file).read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut buffer).unwrap();
    assert_eq!(frame.width, width);
    let channels = frame.color_type.samples();
    buffer[..frame.buffer_size()].chunks(channels).map(|p| [p[0], p[1], p[2]]).collect()
}

fn analyze_json(home: &Path, file: &Path, extra: &[&str]) -> Report {
    let output = callcoach(home)
        .args(["analyze", "--json", "--model"])
        .arg(model())
        .arg(file)
        .args(extra)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The value of `attribute` on every element of the page that has it, in order.
fn values<'a>(dom: &'a str, attribute: &str) -> Vec<&'a str> {
    let opening = format!(" {attribute}=\"");
    dom.match_indices(&opening)
        .map(|(at, _)| {
            let rest = &dom[at + opening.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

#[test]
fn the_page_renders_in_a_browser_with_every_part() {
    let home = tempfile::tempdir().unwrap();
    let profile = tempfile::tempdir().unwrap();
    // An earlier rehearsal, then a take with fillers and dead air whose page is made.
    analyze_json(home.path(), &root().join("samples/missing-two.wav"), &[]);
    let take = rambling_take(("flite", "slt"), home.path());
    let page = home.path().join("report.html");
    let report =
        analyze_json(home.path(), &take, &["--mode", "call", "--html", page.to_str().unwrap()]);
    assert_eq!(fs::metadata(&page).unwrap().permissions().mode() & 0o777, 0o600);

    let (dom, console) = open(&page, profile.path());
    assert!(console.is_empty(), "the page wrote to the console: {console:#?}");
    assert!(dom.contains("<html lang=\"en\" data-ready=\"true\">"), "the script ran to its end");
    assert!(!dom.contains("http://") && !dom.contains("https://"), "nothing is fetched");

    let class = if report.score >= 80 {
        "good"
    } else if report.score >= 50 {
        "fair"
    } else {
        "poor"
    };
    assert!(
        dom.contains(&format!(
            "<div class=\"score {class}\" id=\"score\"><span class=\"value\">{}<",
            report.score
        )),
        "the score"
    );
    for element in &report.elements {
        let state = if element.found { "found" } else { "missed" };
        assert!(
            dom.contains(&format!(
                "<li class=\"element {state}\" data-element=\"{}\">",
                element.id
            )),
            "checklist element {}",
            element.id
        );
    }
    let words: Vec<f64> = dom
        .split("<span class=\"w")
        .skip(1)
        .filter_map(|span| span.split(" data-start=\"").nth(1)?.split('"').next()?.parse().ok())
        .collect();
    let expected: Vec<f64> = report.words.iter().map(|w| w.start_s.unwrap()).collect();
    assert_eq!(words, expected, "every transcript word, playable from its start");
    let audio = dom.split("<audio id=\"audio\"").nth(1).expect("the audio player");
    assert!(audio.contains(" src=\"data:audio/wav;base64,UklGR"), "the take is embedded");

    let timeline = dom.split("<section id=\"timeline\">").nth(1).expect("the timeline");
    assert!(timeline.contains("<svg viewBox="));
    let found = report.elements.iter().filter(|e| e.found).count();
    assert_eq!(timeline.matches("<g class=\"marker\"").count(), found);
    let d = &report.delivery;
    assert_eq!(timeline.matches("<path class=\"filler\"").count(), d.fillers.heard.len());
    let dead_air = d.pauses.as_ref().unwrap().dead_air;
    assert!(dead_air >= 1, "the take has a 4 s silence");
    assert_eq!(timeline.matches("<rect class=\"dead-air\"").count(), dead_air);
    assert!(timeline.contains("<div class=\"brevity\">"));
    let transcript = dom.split("<section id=\"transcript\">").nth(1).unwrap();
    let said = transcript.split("<ul class=\"legend\">").next().unwrap();
    let by = |how: &str| d.fillers.heard.iter().filter(|f| f.found_by == how).count();
    assert!(by("transcript") > 0, "the take's fillers were heard: {:?}", d.fillers.heard);
    assert!(said.matches(" filler\"").count() >= by("transcript"), "filler words marked");
    assert_eq!(said.matches("<span class=\"voiced\"").count(), by("audio"), "unworded fillers");

    let history = dom.split("<section id=\"history\">").nth(1).expect("the chart of scores");
    assert_eq!(values(history, "data-id"), ["1", "2"]);
    assert!(history.contains("<circle class=\"take this\" data-id=\"2\""));

    // At a phone's width: not blank, and the score shows in its colour.
    let shot = home.path().join("phone.png");
    let phone = screenshot(&page, profile.path(), 375, &shot);
    assert!(phone.iter().any(|p| p != &phone[0]), "the screenshot is not one flat colour");
    let colour = SCORE_COLOURS.iter().find(|(c, _)| *c == class).unwrap().1;
    let score_pixels = phone.iter().filter(|p| **p == colour).count();
    assert!(score_pixels > 2_000, "{score_pixels} pixels of the score's colour {colour:?}");
}

#[test]
fn a_click_on_a_word_plays_the_take_from_it() {
    let home = tempfile::tempdir().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let page = home.path().join("report.html");
    let report = analyze_json(
        home.path(),
        &root().join("samples/complete-call.wav"),
        &["--no-save", "--html", page.to_str().unwrap()],
    );
    // A reader's click, scripted: on the tenth word, then the page reports where the
    // player stands. The browser may refuse to play unprompted; the position is set anyway.
    let word = &report.words[9];
    let clicking = home.path().join("clicked.html");
    let html = fs::read_to_string(&page).unwrap().replace(
        "</body>",
        &format!(
            "<script>document.querySelector('#transcript [data-start=\"{}\"]').click();\
             document.body.dataset.at = document.getElementById('audio').currentTime;\
             </script></body>",
            word.start_s.unwrap()
        ),
    );
    fs::write(&clicking, html).unwrap();
    let (dom, console) = open(&clicking, profile.path());
    assert!(console.is_empty(), "{console:#?}");
    let at: Vec<f64> = values(&dom, "data-at").iter().map(|v| v.parse().unwrap()).collect();
    assert_eq!(at, [word.start_s.unwrap()], "the player moved to {:?}", word.text);
    assert!(!dom.contains("id=\"history\""), "no history, no chart");
}

#[test]
fn a_rehearsal_from_the_history_gets_its_page_with_or_without_its_recording() {
    let home = tempfile::tempdir().unwrap();
    let take = home.path().join("take.wav");
    fs::copy(root().join("samples/voicemail.wav"), &take).unwrap();
    analyze_json(home.path(), &take, &["--mode", "voicemail"]);
    analyze_json(home.path(), &root().join("samples/complete-call.wav"), &[]);

    // Each row says what the take was, which tells why the other kind's elements are not
    // judged (·).
    callcoach(home.path())
        .arg("history")
        .assert()
        .success()
        .stdout(contains("take                          length  score  checklist"))
        .stdout(
            predicates::str::is_match(
                r"\n +1  .*  voicemail, take 1 of the day +0:26 +100  ✓✓✓✓✓✓···\n",
            )
            .unwrap(),
        )
        .stdout(
            predicates::str::is_match(
                r"\n +2  .*  call, take 2 of the day +0:38 +100  ✓✓✓···✓✓✓\n",
            )
            .unwrap(),
        );

    let page = |args: &[&str]| -> (String, String) {
        let out = home.path().join("page.html");
        let output = callcoach(home.path())
            .arg("report")
            .args(args)
            .arg("--html")
            .arg(&out)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(&format!("The report page is in {}", out.display())), "{stderr}");
        (fs::read_to_string(&out).unwrap(), stderr)
    };
    let (latest, _) = page(&[]);
    assert!(latest.contains(", take 2 of the day</h1>"), "named by what it was");
    assert!(latest.contains("<h1>Call, ") && latest.contains("· complete-call.wav</p>"));
    assert!(latest.contains("<circle class=\"take this\" data-id=\"2\""));
    let (first, _) = page(&["1"]);
    assert!(first.contains("<h1>Voicemail, ") && first.contains(", take 1 of the day</h1>"));
    assert!(first.contains("data-element=\"phone_number\""), "a voicemail's own elements");
    assert!(first.contains("<audio id=\"audio\""), "the recording, decoded again");
    assert!(first.contains("<circle class=\"take this\" data-id=\"1\""));

    fs::remove_file(&take).unwrap();
    let (gone, warning) = page(&["1"]);
    assert!(!gone.contains("<audio") && gone.contains("could not be read"));
    assert!(warning.contains(&format!("warning: {}: no such file", take.display())), "{warning}");

    callcoach(home.path())
        .args(["report", "7", "--html", "x.html"])
        .assert()
        .code(3)
        .stderr(contains("there is no rehearsal 7 in the history"));
    let files = [root().join("samples/voicemail.wav"), take];
    callcoach(home.path())
        .args(["analyze", "--html", "x.html"])
        .args(&files)
        .assert()
        .code(2)
        .stderr(contains("--html makes the page of one FILE"));
    assert!(!home.path().join("x.html").exists());
}
