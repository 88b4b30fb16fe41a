//! The report as one web page that needs nothing else: the score and checklist with its
//! evidence, the transcript with each element's words and the fillers marked, a timeline of
//! the take against the brevity target, the recording itself to play from any word, and the
//! scores of the rehearsals so far.
//!
//! Everything is inside the one file — styles, script, charts (inline SVG) and the audio (a
//! `data:` URI) — so it opens offline, on a phone as on a desktop, and can be sent on as
//! it is. Every piece of user text (the transcript, file names, a custom checklist's labels)
//! is escaped.

use std::fmt::{self, Write as _};
use std::io::Cursor;

use base64::Engine as _;
use chrono::Local;

use super::{clock, Report};
use crate::audio::{Samples, SAMPLE_RATE};
use crate::history::Rehearsal;
use crate::take::TakeWriter;

const STYLE: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");

/// The most rehearsals the chart of scores shows: the latest ones.
const CHART_TAKES: usize = 20;

/// Word times and evidence times are both rounded to the millisecond; this absorbs that.
const SAME_TIME_S: f64 = 0.0015;

/// What one page shows.
pub struct Page<'a> {
    pub report: &'a Report,
    /// The take's sound, embedded for the player; `None` when the recording cannot be read
    /// any more, and the page says so.
    pub audio: Option<&'a Samples>,
    /// The rehearsals so far, oldest first, for the chart of scores (drawn from two on).
    pub history: &'a [Rehearsal],
    /// This take's id in `history`, marked on the chart.
    pub this: Option<u64>,
}

/// The page as one HTML document.
pub fn render(page: &Page) -> String {
    let report = page.report;
    let name = page.take_name();
    let mut out = String::with_capacity(
        16_000 + page.audio.map_or(0, |a| a.data.len() * 8 / 3) + report.words.len() * 80,
    );
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — {}/100 — callcoach</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n",
        Escaped(&name),
        report.score
    );
    let numbers = element_numbers(report);
    header(&mut out, page, &name);
    player(&mut out, page.audio);
    checklist(&mut out, report, &numbers);
    profile(&mut out, report);
    timeline(&mut out, report, &numbers);
    transcript(&mut out, report, &numbers);
    delivery(&mut out, report);
    history_chart(&mut out, page.history, page.this);
    let _ = write!(
        out,
        "<footer><p>Made by callcoach {} on this computer. Everything is in this one file: \
         nothing is fetched or sent when it is opened.</p></footer>\n</main>\n\
         <script>\n{SCRIPT}</script>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    out
}

/// The samples as a 16-bit WAV file: a quarter of the size of the `f32` samples, and a
/// format every browser plays. It is what callcoach heard, so a take decoded from MP3 or
/// recorded at 48 kHz stereo plays the same way.
pub fn wav_bytes(samples: &Samples) -> Vec<u8> {
    let pcm: Vec<i16> = samples
        .data
        .iter()
        .map(|&s| (s.clamp(-1.0, 1.0) * f32::from(i16::MAX)).round() as i16)
        .collect();
    let sink = Cursor::new(Vec::with_capacity(44 + pcm.len() * 2));
    // Writing to memory cannot fail.
    let mut writer = TakeWriter::new(sink, SAMPLE_RATE, 1).expect("memory takes a header");
    writer.write(&pcm).expect("memory takes the samples");
    writer.into_sink().expect("memory takes the sizes").into_inner()
}

/// Text made safe to put in HTML, in an element or an attribute.
struct Escaped<'a>(&'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
            f.write_str(&rest[..at])?;
            f.write_str(match rest.as_bytes()[at] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            })?;
            rest = &rest[at + 1..];
        }
        f.write_str(rest)
    }
}

/// Each found element's number (1, 2, … in the checklist's order), which ties its checklist
/// line to its marker on the timeline and its words in the transcript.
fn element_numbers(report: &Report) -> Vec<Option<usize>> {
    let mut next = 0;
    report
        .elements
        .iter()
        .map(|e| {
            e.found.then(|| {
                next += 1;
                next
            })
        })
        .collect()
}

/// A score's colour class and the words that say the same.
fn band(score: u32) -> (&'static str, &'static str) {
    match score {
        80.. => ("good", "ready to call"),
        50..=79 => ("fair", "nearly there"),
        _ => ("poor", "keep rehearsing"),
    }
}

impl Page<'_> {
    /// This take as the history keeps it, where it is there.
    fn rehearsal(&self) -> Option<&Rehearsal> {
        self.this.and_then(|id| self.history.iter().find(|r| r.id == id))
    }

    /// The recording's file name, without its folder.
    fn file_name(&self) -> &str {
        self.report.file.rsplit('/').next().unwrap_or(&self.report.file)
    }

    /// What the take was: "Call, Wed 2 Dec 14:05, take 3 of the day" where it is in the
    /// history, else its mode and file name.
    fn take_name(&self) -> String {
        match self.rehearsal() {
            Some(this) => this.name(self.history),
            None => format!("{} rehearsal: {}", self.report.mode.title(), self.file_name()),
        }
    }
}

/// The page's heading, named `name`, and its scores.
fn header(out: &mut String, page: &Page, name: &str) {
    let report = page.report;
    let detected = if report.mode_detected { " (told from what you said)" } else { "" };
    let length = match report.duration_s {
        Some(duration_s) => clock(duration_s),
        None => "a typed script".into(),
    };
    let _ = write!(
        out,
        "<header>\n<h1>{}</h1>\n<p class=\"meta\">{}{detected} · {length} · {} words",
        Escaped(name),
        report.mode,
        report.words.len()
    );
    if let Some(this) = page.rehearsal() {
        let file = page.file_name();
        let _ = write!(out, " · rehearsal {} of your history · {}", this.id, Escaped(file));
    }
    out.push_str("</p>\n</header>\n<section class=\"scores\" aria-label=\"Scores\">\n");
    for (id, what, score) in [
        ("score", "Checklist", report.score),
        ("delivery-score", "Delivery", report.delivery.score),
    ] {
        let (class, verdict) = band(score);
        let _ = writeln!(
            out,
            "<div class=\"score {class}\" id=\"{id}\"><span class=\"value\">{score}<span \
             class=\"of\">/100</span></span> <span class=\"verdict\">{what}: {verdict}</span></div>"
        );
    }
    out.push_str("</section>\n");
}

fn player(out: &mut String, audio: Option<&Samples>) {
    out.push_str("<section id=\"player\" aria-label=\"Recording\">\n");
    match audio {
        Some(samples) => {
            let encoded = base64::engine::general_purpose::STANDARD.encode(wav_bytes(samples));
            let _ = write!(
                out,
                "<audio id=\"audio\" controls preload=\"auto\" src=\"data:audio/wav;base64,{encoded}\">\
                 </audio>\n<p class=\"note\">Click any word, element or point on the timeline \
                 to hear it.</p>\n"
            );
        }
        None => out.push_str(
            "<p class=\"note\">The recording could not be read when this page was made, so \
             it cannot be played here.</p>\n",
        ),
    }
    out.push_str("</section>\n");
}

/// A button that plays the take from `start_s`.
fn play_button(out: &mut String, start_s: Option<f64>) {
    if let Some(at) = start_s {
        let _ = write!(
            out,
            " <button class=\"play\" type=\"button\" data-start=\"{at}\" \
             aria-label=\"Play from {0}\">▶ {0}</button>",
            clock(at)
        );
    }
}

fn checklist(out: &mut String, report: &Report, numbers: &[Option<usize>]) {
    out.push_str("<section id=\"checklist\">\n<h2>Checklist</h2>\n<ul class=\"checks\">\n");
    for (element, number) in report.elements.iter().zip(numbers) {
        let (class, mark, said) =
            if element.found { ("found", "✓", "Found") } else { ("missed", "✗", "Missed") };
        let _ = write!(
            out,
            "<li class=\"element {class}\" data-element=\"{}\"><span class=\"mark\" \
             aria-hidden=\"true\">{mark}</span><div><span class=\"sr-only\">{said}: </span>",
            Escaped(&element.id)
        );
        if let Some(n) = number {
            let _ = write!(out, "<span class=\"num\">{n}</span> ");
        }
        let _ = write!(out, "<span class=\"label\">{}</span>", Escaped(&element.label));
        play_button(out, element.start_s);
        if let Some(quote) = &element.evidence {
            let _ = write!(out, "<blockquote>“{}”</blockquote>", Escaped(quote));
        }
        if let Some(tip) = &element.tip {
            let _ = write!(out, "<p class=\"tip\">Tip: {}</p>", Escaped(tip));
        }
        out.push_str("</div></li>\n");
    }
    let b = &report.brevity;
    let (class, mark, said) =
        if b.ok { ("ok", "✓", "Met") } else { ("not-ok", "✗", "Not met") };
    let talk = if b.estimated {
        format!("about {} of talk (estimated from the word count)", clock(b.talk_s))
    } else {
        format!("{} of talk", clock(b.talk_s))
    };
    let _ = write!(
        out,
        "<li class=\"brief {class}\"><span class=\"mark\" aria-hidden=\"true\">{mark}</span>\
         <div><span class=\"sr-only\">{said}: </span><span class=\"label\">Brief</span>: {talk} \
         (target {}–{})",
        clock(b.target_min_s),
        clock(b.target_max_s)
    );
    if let Some(tip) = &b.tip {
        let _ = write!(out, "<p class=\"tip\">Tip: {}</p>", Escaped(tip));
    }
    out.push_str("</div></li>\n</ul>\n</section>\n");
}

/// What the user's profile expected and did not hear, and the time left to call; nothing
/// for a rehearsal judged without a profile.
fn profile(out: &mut String, report: &Report) {
    let Some(personal) = &report.personal else { return };
    out.push_str("<section id=\"profile\">\n<h2>From your profile</h2>\n<ul class=\"checks\">\n");
    if personal.left_out.is_empty() {
        out.push_str(
            "<li class=\"ok\"><span class=\"mark\" aria-hidden=\"true\">✓</span><div>You made \
             every point of your profile.</div></li>\n",
        );
    }
    for point in &personal.left_out {
        let _ = writeln!(
            out,
            "<li class=\"not-ok left-out\"><span class=\"mark\" aria-hidden=\"true\">✗</span>\
             <div><span class=\"sr-only\">Left out: </span>{}</div></li>",
            Escaped(point)
        );
    }
    out.push_str("</ul>\n");
    if let Some(window) = &personal.call_window {
        let _ =
            writeln!(out, "<p class=\"note\" id=\"call-window\">{}</p>", Escaped(&window.message));
    }
    out.push_str("</section>\n");
}

/// The timeline's drawing: a 600-wide box that the page scales to its width.
const WIDTH: f64 = 600.0;
const LEFT: f64 = 14.0;
const RIGHT: f64 = 586.0;
const MARKER_ROWS: usize = 3;
const MARKER_ROW_H: f64 = 24.0;
const EVIDENCE_Y: f64 = 80.0;
const BAND_Y: f64 = 92.0;
const BAND_H: f64 = 24.0;
const FILLER_Y: f64 = 120.0;
const AXIS_Y: f64 = 134.0;
const TIMELINE_H: f64 = 158.0;
/// Words closer than this are one stretch of speech on the timeline.
const SPEECH_JOIN_S: f64 = 0.3;

/// The take over time: speech and pauses, where each element was said, the fillers; and
/// under it the length of the talk against the brevity target. Only a recording has one.
fn timeline(out: &mut String, report: &Report, numbers: &[Option<usize>]) {
    let Some(duration) = report.duration_s.filter(|&d| d > 0.0) else {
        return;
    };
    let x = |t: f64| LEFT + (t.clamp(0.0, duration) / duration) * (RIGHT - LEFT);
    let d = &report.delivery;
    let pauses = d.pauses.as_ref().map_or(&[][..], |p| &p.pauses[..]);
    // Dead air is the longest pauses: a pause is dead air when it is at least the dead-air
    // length, so the `dead_air` longest are exactly those.
    let mut by_length: Vec<f64> = pauses.iter().map(|g| g.end_s - g.start_s).collect();
    by_length.sort_by(|a, b| b.total_cmp(a));
    let dead_air_from = d
        .pauses
        .as_ref()
        .filter(|p| p.dead_air > 0)
        .map_or(f64::INFINITY, |p| by_length[p.dead_air.min(by_length.len()) - 1]);
    let found = numbers.iter().flatten().count();
    let fillers: Vec<(f64, f64)> =
        d.fillers.heard.iter().filter_map(|f| Some((f.moment.start_s?, f.moment.end_s?))).collect();

    let _ = write!(
        out,
        "<section id=\"timeline\">\n<h2>Timeline</h2>\n<div class=\"scroll\"><svg viewBox=\"0 0 {WIDTH} {TIMELINE_H}\" \
         role=\"img\" aria-labelledby=\"timeline-title\" data-duration=\"{duration}\" \
         data-left=\"{LEFT}\" data-right=\"{RIGHT}\">\n<title id=\"timeline-title\">The {} \
         take over time: speech, {} pauses, where {found} checklist elements were said, and \
         {} fillers</title>\n<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" \
         patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" \
         height=\"6\" fill=\"#fff\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" \
         stroke=\"#57606a\" stroke-width=\"3\"/></pattern></defs>\n",
        clock(duration),
        pauses.len(),
        fillers.len()
    );
    // Silence is the band's ground; speech is drawn over it.
    let _ = writeln!(
        out,
        "<rect x=\"{LEFT}\" y=\"{BAND_Y}\" width=\"{}\" height=\"{BAND_H}\" fill=\"#eaeef2\"/>",
        RIGHT - LEFT
    );
    for (start, end) in speech_stretches(report) {
        let _ = writeln!(
            out,
            "<rect class=\"speech\" x=\"{:.1}\" y=\"{BAND_Y}\" width=\"{:.1}\" \
             height=\"{BAND_H}\" fill=\"#0969da\"><title>speech {}–{}</title></rect>",
            x(start),
            (x(end) - x(start)).max(1.0),
            clock(start),
            clock(end)
        );
    }
    for gap in pauses {
        let length = gap.end_s - gap.start_s;
        let (class, stroke, what) = if length >= dead_air_from {
            ("dead-air", "#cf222e", "dead air")
        } else {
            ("pause", "#57606a", "pause")
        };
        let (x0, x1) = (x(gap.start_s), x(gap.end_s));
        let _ = writeln!(
            out,
            "<rect class=\"{class}\" data-start=\"{}\" x=\"{x0:.1}\" y=\"{BAND_Y}\" \
             width=\"{:.1}\" height=\"{BAND_H}\" fill=\"url(#hatch)\" stroke=\"{stroke}\" \
             stroke-width=\"2\"><title>{what} of {length:.1} s at {}</title></rect>",
            gap.start_s,
            (x1 - x0).max(2.0),
            clock(gap.start_s)
        );
        if x1 - x0 >= 34.0 {
            let _ = writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{}\" font-size=\"13\" text-anchor=\"middle\" \
                 font-weight=\"700\">{length:.1} s</text>",
                (x0 + x1) / 2.0,
                BAND_Y + 16.0
            );
        }
    }
    // Markers go in the first row with room, so that close elements stay readable.
    let mut row_ends = [f64::NEG_INFINITY; MARKER_ROWS];
    let mut placed: Vec<(f64, f64, usize, &str, &str)> = report
        .elements
        .iter()
        .zip(numbers)
        .filter_map(|(e, n)| Some((e.start_s?, e.end_s?, (*n)?, e.id.as_str(), e.label.as_str())))
        .collect();
    placed.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (start, end, n, id, label) in placed {
        let cx = x(start);
        let row = (0..MARKER_ROWS).find(|&r| row_ends[r] + 24.0 <= cx).unwrap_or_else(|| {
            (0..MARKER_ROWS).min_by(|&a, &b| row_ends[a].total_cmp(&row_ends[b])).unwrap_or(0)
        });
        row_ends[row] = cx;
        let cy = 12.0 + row as f64 * MARKER_ROW_H;
        let _ = writeln!(
            out,
            "<g class=\"marker\" data-element=\"{}\" data-start=\"{start}\"><title>{n}. {} at \
             {}</title><rect x=\"{cx:.1}\" y=\"{EVIDENCE_Y}\" width=\"{:.1}\" height=\"8\" \
             fill=\"#9a6700\"/><line x1=\"{cx:.1}\" y1=\"{cy}\" x2=\"{cx:.1}\" y2=\"{EVIDENCE_Y}\" \
             stroke=\"#1b1f24\" stroke-width=\"1\"/><circle cx=\"{cx:.1}\" cy=\"{cy}\" r=\"11\" \
             fill=\"#1b1f24\"/><text x=\"{cx:.1}\" y=\"{}\" font-size=\"13\" font-weight=\"700\" \
             text-anchor=\"middle\" style=\"fill:#fff\">{n}</text></g>",
            Escaped(id),
            Escaped(label),
            clock(start),
            (x(end) - cx).max(2.0),
            cy + 4.0
        );
    }
    for (start, end) in &fillers {
        let cx = x(*start);
        let _ = writeln!(
            out,
            "<path class=\"filler\" data-start=\"{start}\" d=\"M{cx:.1} {FILLER_Y} l-6 10 h12 z\" \
             fill=\"#bc4c00\"><title>filler at {} ({:.1} s)</title></path>",
            clock(*start),
            end - start
        );
    }
    axis(out, duration, &x);
    let _ = write!(
        out,
        "<line id=\"playhead\" x1=\"{LEFT}\" y1=\"0\" x2=\"{LEFT}\" y2=\"{AXIS_Y}\" \
         stroke=\"#0969da\" stroke-width=\"2\" visibility=\"hidden\"/>\n</svg></div>\n"
    );
    out.push_str(
        "<ul class=\"legend\"><li><span class=\"swatch\" style=\"background:#0969da\"></span>\
         speech</li><li><span class=\"swatch\" style=\"background:#eaeef2;border:1px solid \
         #8c959f\"></span>silence</li><li><span class=\"swatch\" style=\"background:repeating-\
         linear-gradient(45deg,#57606a 0 2px,#fff 2px 4px)\"></span>pause (red edge: dead \
         air)</li><li><span class=\"num\">1</span> where a checklist element was said (its \
         words in amber)</li><li><span style=\"color:#bc4c00\">▲</span> filler</li></ul>\n",
    );
    brevity_bar(out, report);
    out.push_str("</section>\n");
}

/// Stretches of speech, from the words' times.
fn speech_stretches(report: &Report) -> Vec<(f64, f64)> {
    let mut stretches: Vec<(f64, f64)> = Vec::new();
    for (start, end) in report.words.iter().filter_map(|w| Some((w.start_s?, w.end_s?))) {
        match stretches.last_mut() {
            Some(last) if start - last.1 < SPEECH_JOIN_S => last.1 = last.1.max(end),
            _ => stretches.push((start, end)),
        }
    }
    stretches
}

/// The time axis, with a tick every round number of seconds that gives at most 8 of them.
fn axis(out: &mut String, duration: f64, x: &dyn Fn(f64) -> f64) {
    let step = [1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0]
        .into_iter()
        .find(|step| duration / step <= 8.0)
        .unwrap_or(1200.0);
    let _ = write!(
        out,
        "<g class=\"axis\"><line x1=\"{LEFT}\" y1=\"{AXIS_Y}\" x2=\"{RIGHT}\" y2=\"{AXIS_Y}\" \
         stroke=\"#57606a\"/>"
    );
    let mut t = 0.0;
    while t <= duration + 1e-9 {
        let tx = x(t);
        let _ = write!(
            out,
            "<line x1=\"{tx:.1}\" y1=\"{AXIS_Y}\" x2=\"{tx:.1}\" y2=\"{}\" stroke=\"#57606a\"/>\
             <text x=\"{tx:.1}\" y=\"{}\" font-size=\"13\" text-anchor=\"middle\">{}</text>",
            AXIS_Y + 4.0,
            AXIS_Y + 18.0,
            clock(t)
        );
        t += step;
    }
    out.push_str("</g>\n");
}

/// The talk's length on a bar, against the target band.
fn brevity_bar(out: &mut String, report: &Report) {
    let b = &report.brevity;
    let scale = b.talk_s.max(b.target_max_s) * 1.1;
    let percent = |t: f64| t / scale * 100.0;
    let (mark, verdict) = if b.ok {
        ("✓", "within the target")
    } else if b.talk_s < b.target_min_s {
        ("✗", "shorter than the target")
    } else {
        ("✗", "longer than the target")
    };
    let _ = writeln!(
        out,
        "<div class=\"brevity\"><p>{mark} Talk from the first word to the last: {}, {verdict} \
         of {}–{}.</p><div class=\"track\" aria-hidden=\"true\"><div class=\"target\" \
         style=\"left:{:.1}%;width:{:.1}%\"></div><div class=\"talk\" style=\"width:{:.1}%\">\
         </div></div></div>",
        clock(b.talk_s),
        clock(b.target_min_s),
        clock(b.target_max_s),
        percent(b.target_min_s),
        percent(b.target_max_s - b.target_min_s),
        percent(b.talk_s)
    );
}

/// The transcript, each word playable: the words that showed an element highlighted and
/// numbered, fillers marked, and voiced sound the transcript left out shown where it was.
fn transcript(out: &mut String, report: &Report, numbers: &[Option<usize>]) {
    out.push_str("<section id=\"transcript\">\n<h2>What you said</h2>\n");
    if report.words.is_empty() {
        out.push_str("<p class=\"note\">No speech was heard.</p>\n</section>\n");
        return;
    }
    // A word belongs to a stretch when it lies inside it and starts before it ends (or is
    // its first): Whisper gives some words no length, and one of those at a stretch's end
    // is the next word.
    let within = |start: Option<f64>, end: Option<f64>, from: Option<f64>, to: Option<f64>| {
        matches!((start, end, from, to), (Some(s), Some(e), Some(f), Some(t))
            if s >= f - SAME_TIME_S && e <= t + SAME_TIME_S && (s < t || s <= f + SAME_TIME_S))
    };
    let heard = &report.delivery.fillers.heard;
    let mut unworded = heard
        .iter()
        .filter(|f| f.found_by == "audio")
        .filter_map(|f| Some((f.moment.start_s?, f.moment.end_s?)))
        .peekable();
    let mut numbered = vec![false; report.elements.len()];
    out.push_str("<p class=\"words\">");
    for word in &report.words {
        while let Some(&(start, end)) =
            unworded.peek().filter(|(start, _)| word.start_s.is_some_and(|w| *start < w))
        {
            voiced_chip(out, start, end);
            unworded.next();
        }
        let element = report
            .elements
            .iter()
            .position(|e| e.found && within(word.start_s, word.end_s, e.start_s, e.end_s));
        let filler = heard.iter().any(|f| {
            f.found_by == "transcript"
                && within(word.start_s, word.end_s, f.moment.start_s, f.moment.end_s)
        });
        if let Some(i) = element.filter(|&i| !numbered[i]) {
            numbered[i] = true;
            if let Some(n) = numbers[i] {
                let _ = write!(out, "<span class=\"num\" aria-hidden=\"true\">{n}</span> ");
            }
        }
        let mut class = String::from("w");
        if element.is_some() {
            class.push_str(" ev");
        }
        if filler {
            class.push_str(" filler");
        }
        let _ = write!(out, "<span class=\"{class}\"");
        if let Some(i) = element {
            let _ = write!(out, " data-element=\"{}\"", Escaped(&report.elements[i].id));
        }
        if let (Some(start), Some(end)) = (word.start_s, word.end_s) {
            let _ = write!(
                out,
                " data-start=\"{start}\" data-end=\"{end}\" title=\"{}\"",
                clock(start)
            );
        }
        let _ = write!(out, ">{}</span> ", Escaped(&word.text));
    }
    for (start, end) in unworded {
        voiced_chip(out, start, end);
    }
    out.push_str(
        "</p>\n<ul class=\"legend\"><li><span class=\"w ev\">amber</span> the words that \
         showed a checklist element</li><li><span class=\"w filler\">wavy</span> a filler \
         word</li><li><span class=\"voiced\">um?</span> voiced sound between words, most \
         often an “um” the transcript left out</li></ul>\n</section>\n",
    );
}

fn voiced_chip(out: &mut String, start: f64, end: f64) {
    let _ = write!(
        out,
        "<span class=\"voiced\" data-start=\"{start}\" data-end=\"{end}\" title=\"voiced sound \
         between words at {}\">um?</span> ",
        clock(start)
    );
}

fn delivery(out: &mut String, report: &Report) {
    let _ =
        write!(out, "<section id=\"delivery\">\n<h2>How you said it</h2>\n<ul class=\"checks\">\n");
    for check in &report.delivery.checks {
        let (class, mark, said) = match (check.ok, check.near_aim) {
            (true, false) => ("ok", "✓", "Good"),
            (true, true) => ("near", "~", "Nearly"),
            (false, _) => ("not-ok", "✗", "To work on"),
        };
        let _ = write!(
            out,
            "<li class=\"{class}\" data-check=\"{}\"><span class=\"mark\" aria-hidden=\"true\">\
             {mark}</span><div><span class=\"sr-only\">{said}: </span><span class=\"label\">{}\
             </span>: {}",
            Escaped(&check.id),
            Escaped(&check.label),
            Escaped(&check.observed)
        );
        if !check.measured.is_empty() && check.measured != check.observed {
            let _ = write!(out, " <span class=\"measured\">({})</span>", Escaped(&check.measured));
        }
        if let Some(tip) = &check.tip {
            let _ = write!(out, "<p class=\"tip\">Tip: {}</p>", Escaped(tip));
        }
        out.push_str("</div></li>\n");
    }
    out.push_str("</ul>\n");
    if report.delivery.fillers.heard.iter().any(|f| f.found_by == "audio") {
        out.push_str(
            "<p class=\"note\">Filler counts are a minimum: the transcript leaves out most \
             “um”s, so voiced sound between words is counted too.</p>\n",
        );
    }
    out.push_str("</section>\n");
}

/// The scores of the rehearsals so far as a line, this one marked.
fn history_chart(out: &mut String, history: &[Rehearsal], this: Option<u64>) {
    if history.len() < 2 {
        return;
    }
    let shown = &history[history.len().saturating_sub(CHART_TAKES)..];
    let (left, right, top, bottom) = (40.0, 390.0, 28.0, 170.0);
    let x = |i: usize| left + 12.0 + i as f64 / (shown.len() - 1) as f64 * (right - left - 24.0);
    let y = |score: u32| bottom - f64::from(score.min(100)) / 100.0 * (bottom - top);
    let scores: Vec<String> = shown.iter().map(|r| r.report.score.to_string()).collect();
    let of = if shown.len() < history.len() {
        format!("the last {} of your {} rehearsals", shown.len(), history.len())
    } else {
        format!("your {} rehearsals", shown.len())
    };
    let _ = write!(
        out,
        "<section id=\"history\">\n<h2>Your rehearsals</h2>\n<svg viewBox=\"0 0 400 200\" \
         role=\"img\" aria-labelledby=\"history-title\">\n<title id=\"history-title\">Checklist \
         scores of {of}, oldest first: {}</title>\n<g class=\"axis\">",
        scores.join(", ")
    );
    for score in [0, 50, 100] {
        let _ = write!(
            out,
            "<line x1=\"{left}\" y1=\"{0}\" x2=\"{right}\" y2=\"{0}\" stroke=\"#d0d7de\"/>\
             <text x=\"{1}\" y=\"{2}\" font-size=\"13\" text-anchor=\"end\">{score}</text>",
            y(score),
            left - 6.0,
            y(score) + 4.0
        );
    }
    // As many labels as fit side by side, the last always; one that would touch the last is
    // left out. A label is about 7.5 units a character at this size, plus a gap.
    let widest = shown.iter().map(|r| r.id.to_string().len() + 1).max().unwrap_or(2);
    let label_w = widest as f64 * 7.5 + 6.0;
    let step = if shown.len() > 1 { x(1) - x(0) } else { label_w };
    let label_every = (label_w / step).ceil().max(1.0) as usize;
    let last = shown.len() - 1;
    for (i, rehearsal) in shown.iter().enumerate() {
        let room_before_last = x(last) - x(i) >= label_w;
        if (i % label_every == 0 && room_before_last) || i == last {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"192\" font-size=\"13\" text-anchor=\"middle\">#{}</text>",
                x(i),
                rehearsal.id
            );
        }
    }
    let points: Vec<String> = shown
        .iter()
        .enumerate()
        .map(|(i, r)| format!("{:.1},{:.1}", x(i), y(r.report.score)))
        .collect();
    let _ = write!(
        out,
        "</g>\n<polyline points=\"{}\" fill=\"none\" stroke=\"#0969da\" stroke-width=\"2\"/>\n",
        points.join(" ")
    );
    for (i, rehearsal) in shown.iter().enumerate() {
        let (cx, cy) = (x(i), y(rehearsal.report.score));
        let is_this = Some(rehearsal.id) == this;
        let _ = writeln!(
            out,
            "<circle class=\"{}\" data-id=\"{}\" data-score=\"{}\" cx=\"{cx:.1}\" cy=\"{cy:.1}\" \
             r=\"{}\" fill=\"{}\" stroke=\"#0969da\" stroke-width=\"2\"><title>rehearsal {} \
             ({}), {}: {}/100</title></circle>",
            if is_this { "take this" } else { "take" },
            rehearsal.id,
            rehearsal.report.score,
            if is_this { 8 } else { 5 },
            if is_this { "#1b1f24" } else { "#fff" },
            rehearsal.id,
            rehearsal.report.mode,
            rehearsal.at.with_timezone(&Local).format("%Y-%m-%d %H:%M"),
            rehearsal.report.score
        );
        if is_this {
            let anchor = if i == 0 {
                "start"
            } else if i == shown.len() - 1 {
                "end"
            } else {
                "middle"
            };
            let _ = writeln!(
                out,
                "<text x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"13\" font-weight=\"700\" \
                 text-anchor=\"{anchor}\">this take: {}</text>",
                (cy - 14.0).max(12.0),
                rehearsal.report.score
            );
        }
    }
    out.push_str(
        "</svg>\n<p class=\"note\">The checklist score of each rehearsal, oldest first; the \
         filled point is this one.</p>\n</section>\n",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample_report;

    #[test]
    fn the_profile_section_lists_what_was_left_out_and_the_time_left() {
        let mut report = sample_report();
        let page =
            |report: &Report| render(&Page { report, audio: None, history: &[], this: None });
        assert!(!page(&report).contains("id=\"profile\""), "judged without a profile");
        report.personal = Some(crate::report::PersonalReport {
            left_out: vec!["You didn't mention your <PMP> certification.".into()],
            call_window: None,
        });
        let html = page(&report);
        assert!(html.contains("<h2>From your profile</h2>"));
        assert!(html.contains("You didn&#39;t mention your &lt;PMP&gt; certification."));
        assert!(!html.contains("call-window"));
    }

    #[test]
    fn user_text_is_escaped() {
        assert_eq!(
            Escaped("<b>Tom & \"Jerry's\"</b>").to_string(),
            "&lt;b&gt;Tom &amp; &quot;Jerry&#39;s&quot;&lt;/b&gt;"
        );
        let mut report = sample_report();
        report.file = "<script>alert(1)</script>.wav".into();
        report.words[0].text = "<img src=x onerror=alert(1)>".into();
        let html = render(&Page { report: &report, audio: None, history: &[], this: None });
        assert!(!html.contains("<script>alert"), "the file name is escaped");
        assert!(!html.contains("<img"), "the transcript is escaped");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    }

    #[test]
    fn the_audio_is_the_samples_as_a_16_bit_wav() {
        let samples = Samples::new(vec![0.0, 0.5, -1.0, 1.0, 2.0]);
        let bytes = wav_bytes(&samples);
        let mut reader = hound::WavReader::new(Cursor::new(bytes)).unwrap();
        let spec = reader.spec();
        assert_eq!((spec.sample_rate, spec.channels, spec.bits_per_sample), (16_000, 1, 16));
        let back: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
        assert_eq!(back, [0, 16_384, -32_767, 32_767, 32_767]);

        let report = sample_report();
        let html =
            render(&Page { report: &report, audio: Some(&samples), history: &[], this: None });
        let encoded = base64::engine::general_purpose::STANDARD.encode(wav_bytes(&samples));
        assert!(html.contains(&format!("src=\"data:audio/wav;base64,{encoded}\"")));
        let without = render(&Page { report: &report, audio: None, history: &[], this: None });
        assert!(!without.contains("<audio") && without.contains("could not be read"));
    }

    #[test]
    fn evidence_words_are_numbered_and_every_word_plays_from_its_start() {
        let report = sample_report();
        let html = render(&Page { report: &report, audio: None, history: &[], this: None });
        // "Thank you for your time" (words 5–9, 0.4 s apart) showed the first element.
        assert!(
            html.contains(
                "<span class=\"num\" aria-hidden=\"true\">1</span> <span class=\"w ev\" \
             data-element=\"thanks\" data-start=\"2\" data-end=\"2.3\" title=\"0:02\">Thank</span>"
            ),
            "{html}"
        );
        let words = html.matches("<span class=\"w").count() - 2; // two in the legend
        assert_eq!(words, report.words.len());
        assert!(html.matches(" data-start=\"").count() >= report.words.len());
        let found = report.elements.iter().filter(|e| e.found).count();
        assert_eq!(html.matches("<g class=\"marker\"").count(), found);
        assert!(html.contains("<li class=\"element missed\" data-element=\"qualifications\">"));
    }

    #[test]
    fn the_chart_appears_from_two_rehearsals_and_marks_this_one() {
        let report = sample_report();
        let rehearsal = |id, score| Rehearsal {
            id,
            at: chrono::Utc::now(),
            recording: "/take.wav".into(),
            recorded_by_callcoach: false,
            report: Report { score, ..report.clone() },
        };
        let one = [rehearsal(1, 40)];
        let page = |history, this| render(&Page { report: &report, audio: None, history, this });
        assert!(!page(&one, Some(1)).contains("id=\"history\""));
        let three = [rehearsal(1, 40), rehearsal(2, 70), rehearsal(5, 55)];
        let html = page(&three, Some(2));
        assert!(html.contains("Checklist scores of your 3 rehearsals, oldest first: 40, 70, 55"));
        assert_eq!(html.matches("<circle class=\"take").count(), 3);
        assert!(html.contains("<circle class=\"take this\" data-id=\"2\" data-score=\"70\""));
        assert!(html.contains("this take: 70"));
    }

    #[test]
    fn chart_labels_never_overlap_and_the_page_is_named_by_what_the_take_was() {
        let report = sample_report();
        let at = chrono::Utc::now();
        for takes in [2_u64, 12, 13, 14, 19, 20, 25] {
            let history: Vec<Rehearsal> = (0..takes)
                .map(|i| Rehearsal {
                    id: 100 + i,
                    at: at - chrono::Duration::minutes((takes - i) as i64),
                    recording: "/take.wav".into(),
                    recorded_by_callcoach: false,
                    report: Report { score: (i * 7 % 100) as u32, ..report.clone() },
                })
                .collect();
            let this = history.last().unwrap().id;
            let html =
                render(&Page { report: &report, audio: None, history: &history, this: Some(this) });
            let xs: Vec<f64> = html
                .match_indices("<text x=\"")
                .filter(|(i, _)| {
                    html[*i..].contains("y=\"192\"") && html[*i..].find("y=\"192\"").unwrap() < 40
                })
                .map(|(i, m)| {
                    let rest = &html[i + m.len()..];
                    rest[..rest.find('"').unwrap()].parse().unwrap()
                })
                .collect();
            assert!(xs.len() >= 2, "{takes}: {xs:?}");
            // "#119" at 13 units is about 30 units wide.
            assert!(xs.windows(2).all(|w| w[1] - w[0] >= 30.0), "{takes} takes: labels at {xs:?}");
            let name = history.last().unwrap().name(&history);
            assert!(name.starts_with("Call, ") && name.contains(" of the day"), "{name}");
            assert!(html.contains(&format!("<title>{name} — ")), "the title names the take");
            assert!(html.contains(&format!("<h1>{name}</h1>")));
        }
    }
}
