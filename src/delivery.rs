//! How a rehearsal was said, beside what was said: filler words, pace, pauses, background
//! noise, the voice's pitch and loudness, and hedges — each measured, judged against the
//! checklist's [`DeliveryRules`], and scored on its own.
//!
//! Only what was observed is reported: a count, a rate, a level, a time. A typed script has
//! no sound, so only its words (fillers, hedges) are judged.

use pitch_detection::detector::mcleod::McLeodDetector;
use pitch_detection::detector::PitchDetector;
use serde::{Deserialize, Serialize};

use crate::analysis::Script;
use crate::audio::{Samples, VoiceActivity, SAMPLE_RATE};
use crate::checklist::{Checklist, DeliveryRules, Lexicon, Marker};
use crate::transcribe::Transcript;

/// The sound of a take.
pub struct Sound<'a> {
    pub samples: &'a Samples,
    pub activity: &'a VoiceActivity,
}

/// The words judged: each with whether it ends a typed line, and its times where known.
struct Said<'a> {
    words: Vec<(&'a str, bool)>,
    times: Vec<Option<(f64, f64)>>,
}

/// How a recorded take was said and sounded.
pub fn of_take(transcript: &Transcript, sound: &Sound, checklist: &Checklist) -> Delivery {
    let said = Said {
        words: transcript.words.iter().map(|w| (w.text.as_str(), false)).collect(),
        times: transcript.words.iter().map(|w| Some((w.start_s, w.end_s))).collect(),
    };
    judge(&said, &checklist.lexicon, Some(sound), &checklist.delivery)
}

/// How a typed script is worded: its fillers and hedges.
pub fn of_script(script: &Script, checklist: &Checklist) -> Delivery {
    let words: Vec<(&str, bool)> = script.words().collect();
    let said = Said { times: vec![None; words.len()], words };
    judge(&said, &checklist.lexicon, None, &checklist.delivery)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// 0–100: the weighted share of the checks met.
    pub score: u32,
    pub checks: Vec<Check>,
    pub fillers: Fillers,
    pub hedges: Vec<Moment>,
    /// `None` for a typed script, as for everything measured from the sound.
    pub pace: Option<Pace>,
    pub pauses: Option<Pauses>,
    pub noise: Option<Noise>,
    pub voice: Option<Voice>,
}

/// One part of delivery, judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// `fillers`, `pace`, `pauses`, `noise`, `voice` or `hedges`.
    pub id: String,
    pub label: String,
    /// No points lost. A tick in the report also needs `near_aim` off.
    pub ok: bool,
    /// Outside the range to aim for but near enough to lose no points (a pace of 156 words
    /// a minute against an aim of 120–150): shown as near, not ticked.
    #[serde(default)]
    pub near_aim: bool,
    pub weight: u32,
    /// What was observed, in plain words ("a little fast", "quiet room").
    pub observed: String,
    /// The measurement behind it ("156 words a minute", "voice 43 dB above the background").
    #[serde(default)]
    pub measured: String,
    pub tip: Option<String>,
}

/// Something said, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Moment {
    pub text: String,
    pub start_s: Option<f64>,
    pub end_s: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fillers {
    /// Fillers found; there may be more (see `heard`).
    pub at_least: usize,
    pub per_minute: Option<f64>,
    pub heard: Vec<Filler>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Filler {
    #[serde(flatten)]
    pub moment: Moment,
    /// `transcript` where the words hold it; `audio` for voiced sound between words that no
    /// word accounts for, most often an "um" the transcript left out.
    pub found_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pace {
    /// Words a minute over the speaking time: the talk without its pauses.
    pub words_per_minute: f64,
    pub speaking_s: f64,
    /// Stretches of the window's length that ran faster than the range allows.
    pub fast: Vec<Stretch>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stretch {
    pub start_s: f64,
    pub end_s: f64,
    pub words_per_minute: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pauses {
    /// Silences of at least the pause length between the first word and the last, measured
    /// from the audio.
    pub pauses: Vec<Gap>,
    /// How many of them are dead air.
    pub dead_air: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    pub start_s: f64,
    pub end_s: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Noise {
    /// The level the quiet between words sits at.
    pub noise_floor_dbfs: f64,
    /// The typical level of the voice.
    pub speech_level_dbfs: f64,
    pub speech_to_noise_db: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Voice {
    /// The spread of the voice's pitch (standard deviation, semitones); `None` where too
    /// little voiced sound had a clear pitch.
    pub pitch_variation_semitones: Option<f64>,
    pub sentences: usize,
    /// Sentences whose last word was much quieter than the sentence.
    pub trailing_off: usize,
}

/// Judges how the words were said, and, for a recording, how they sounded.
fn judge(said: &Said, lexicon: &Lexicon, sound: Option<&Sound>, rules: &DeliveryRules) -> Delivery {
    let (tokens, word_of_token) = lexicon.read(said.words.iter().copied());
    let moments = |marker: &Marker| -> Vec<Moment> {
        marker
            .find_all(&tokens)
            .into_iter()
            .map(|m| {
                let (first, last) = (word_of_token[m.start], word_of_token[m.end - 1]);
                let text: Vec<&str> = said.words[first..=last].iter().map(|(w, _)| *w).collect();
                Moment {
                    text: text.join(" "),
                    start_s: said.times[first].map(|t| t.0),
                    end_s: said.times[last].map(|t| t.1),
                }
            })
            .collect()
    };
    let transcript_fillers = moments(&rules.fillers);
    let hedges = moments(&rules.hedges);
    let timed: Vec<(f64, f64)> = said.times.iter().flatten().copied().collect();
    let talk = timed.first().zip(timed.last()).map(|(first, last)| (first.0, last.1));

    let mut heard: Vec<Filler> = transcript_fillers
        .into_iter()
        .map(|moment| Filler { moment, found_by: "transcript".into() })
        .collect();
    let (mut pace, mut pauses, mut noise, mut voice) = (None, None, None, None);
    if let (Some(sound), Some((talk_start, talk_end))) = (sound, talk) {
        heard.extend(unworded_voice(&timed, sound.activity).into_iter().map(|(start, end)| {
            Filler {
                moment: Moment {
                    text: "(voiced sound between words)".into(),
                    start_s: Some(round_ms(start)),
                    end_s: Some(round_ms(end)),
                },
                found_by: "audio".into(),
            }
        }));
        heard.sort_by(|a, b| {
            let at = |f: &Filler| f.moment.start_s.unwrap_or(f64::INFINITY);
            at(a).total_cmp(&at(b))
        });
        let gaps: Vec<Gap> = sound
            .activity
            .pauses(talk_start, rules.pause_s)
            .into_iter()
            .filter(|&(start, end)| start < talk_end && end <= talk_end + 0.25)
            .map(|(start, end)| Gap {
                start_s: round_ms(start),
                end_s: round_ms(end.min(talk_end)),
            })
            .filter(|g| g.end_s - g.start_s >= rules.pause_s)
            .collect();
        let paused_s: f64 = gaps.iter().map(|g| g.end_s - g.start_s).sum();
        let speaking_s = (talk_end - talk_start - paused_s).max(0.0);
        pace = Some(measure_pace(&timed, speaking_s, &gaps, rules));
        pauses = Some(Pauses {
            dead_air: gaps.iter().filter(|g| g.end_s - g.start_s >= rules.dead_air_s).count(),
            pauses: gaps,
        });
        noise = sound.activity.speech_level_dbfs().map(|speech| Noise {
            noise_floor_dbfs: round_tenth(sound.activity.noise_floor_dbfs),
            speech_level_dbfs: round_tenth(speech),
            speech_to_noise_db: round_tenth(speech - sound.activity.noise_floor_dbfs),
        });
        let sentences = sentences(said);
        voice = Some(Voice {
            pitch_variation_semitones: pitch_variation(sound).map(round_tenth),
            sentences: sentences.len(),
            trailing_off: trailing_off(said, &sentences, sound.activity, rules.trailing_off_db),
        });
    }
    let minutes = pace.as_ref().map(|p| p.speaking_s / 60.0).filter(|&m| m > 0.0);
    let fillers = Fillers {
        at_least: heard.len(),
        per_minute: minutes.map(|m| round_tenth(heard.len() as f64 / m)),
        heard,
    };
    let checks = checks(
        &fillers,
        &hedges,
        pace.as_ref(),
        pauses.as_ref(),
        noise.as_ref(),
        voice.as_ref(),
        rules,
    );
    let possible: u32 = checks.iter().map(|c| c.weight).sum();
    let earned: u32 = checks.iter().filter(|c| c.ok).map(|c| c.weight).sum();
    let score = (earned * 100 + possible / 2).checked_div(possible).unwrap_or(100);
    Delivery { score, checks, fillers, hedges, pace, pauses, noise, voice }
}

/// A voice this many decibels above the least that passes sounds like a quiet room.
const QUIET_ROOM_DB: f64 = 15.0;

/// What a check says: plain words for the report, and the measurement behind them.
struct Words {
    plain: String,
    measured: String,
}

fn plural<'a>(n: usize, one: &'a str, more: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        more
    }
}

/// The checks that apply: those about sound only where there was sound.
#[allow(clippy::too_many_arguments)]
fn checks(
    fillers: &Fillers,
    hedges: &[Moment],
    pace: Option<&Pace>,
    pauses: Option<&Pauses>,
    noise: Option<&Noise>,
    voice: Option<&Voice>,
    rules: &DeliveryRules,
) -> Vec<Check> {
    let w = &rules.weights;
    let check = |(id, label): (&str, &str), weight: u32, ok: bool, words: Words, tip: &str| Check {
        id: id.into(),
        label: label.into(),
        ok,
        near_aim: false,
        weight,
        observed: words.plain,
        measured: words.measured,
        tip: (!ok).then(|| tip.to_string()),
    };
    let mut checks = Vec::new();
    let fillers_ok = match fillers.per_minute {
        Some(rate) => rate <= rules.fillers_most_per_minute,
        None => fillers.at_least == 0,
    };
    let rate = fillers.per_minute.map_or(String::new(), |r| format!(" ({r} a minute)"));
    let heard = match fillers.at_least {
        0 => "none heard".to_string(),
        n => format!("at least {n}{rate}"),
    };
    checks.push(check(
        ("fillers", "Filler words"),
        w.fillers,
        fillers_ok,
        Words { plain: heard.clone(), measured: heard },
        &rules.fillers.tip,
    ));
    if let Some(pace) = pace {
        let (low, high) = rules.pace_wpm;
        let (aim_low, aim_high) = rules.pace_aim_wpm;
        let wpm = pace.words_per_minute;
        let tip = if wpm > high { &rules.pace_tip_fast } else { &rules.pace_tip_slow };
        let ok = (low..=high).contains(&wpm);
        let on_aim = (aim_low..=aim_high).contains(&wpm);
        let aim = format!("aim for {aim_low:.0}–{aim_high:.0}");
        let plain = match (on_aim, ok, wpm > aim_high) {
            (true, _, _) => "a calm pace".to_string(),
            (false, true, true) => format!("a little fast — {aim}"),
            (false, true, false) => format!("a little slow — {aim}"),
            (false, false, true) => format!("too fast — {aim}"),
            (false, false, false) => format!("too slow — {aim}"),
        };
        let mut pace_check = check(
            ("pace", "Pace"),
            w.pace,
            ok,
            Words { plain, measured: format!("{wpm:.0} words a minute") },
            tip,
        );
        pace_check.near_aim = ok && !on_aim;
        checks.push(pace_check);
    }
    if let Some(pauses) = pauses {
        let plain = match (pauses.pauses.len(), pauses.dead_air) {
            (0, _) => "no long silences".to_string(),
            (n, 0) => format!("{n} {} to think, none too long", plural(n, "pause", "pauses")),
            (_, n) => format!(
                "{n} long {} (over {} s)",
                plural(n, "silence", "silences"),
                rules.dead_air_s
            ),
        };
        checks.push(check(
            ("pauses", "Pauses"),
            w.pauses,
            pauses.dead_air == 0,
            Words {
                plain,
                measured: format!(
                    "{} over {} s, {} over {} s",
                    pauses.pauses.len(),
                    rules.pause_s,
                    pauses.dead_air,
                    rules.dead_air_s
                ),
            },
            &rules.dead_air_tip,
        ));
    }
    if let Some(noise) = noise {
        let db = noise.speech_to_noise_db;
        let least = rules.least_speech_to_noise_db;
        let plain = if db >= least + QUIET_ROOM_DB {
            "quiet room"
        } else if db >= least {
            "some background noise, but your voice stands out"
        } else {
            "noisy: the background competes with your voice"
        };
        checks.push(check(
            ("noise", "Background"),
            w.noise,
            db >= least,
            Words {
                plain: plain.to_string(),
                measured: match db {
                    db if db > 60.0 => "voice more than 60 dB above the background".to_string(),
                    db => format!("voice {db:.0} dB above the background"),
                },
            },
            &rules.noise_tip,
        ));
    }
    if let Some(voice) = voice {
        let least = rules.least_pitch_semitones;
        let monotone = voice.pitch_variation_semitones.is_some_and(|v| v < least);
        let trailing = voice.sentences >= 3 && voice.trailing_off * 3 > voice.sentences;
        let tune = match voice.pitch_variation_semitones {
            None => "too little voice to hear its tune",
            Some(_) if monotone => "your voice stayed quite flat",
            Some(v) if v < least * 1.5 => "your voice moved a little",
            Some(_) => "your voice rose and fell naturally",
        };
        let endings = match voice.trailing_off {
            0 => "no sentence trailed off".to_string(),
            n => format!("{n} of {} sentences trailed off", voice.sentences),
        };
        let pitch = voice
            .pitch_variation_semitones
            .map_or("pitch unclear".to_string(), |v| format!("pitch varies {v:.1} semitones"));
        let tip = if monotone { &rules.monotone_tip } else { &rules.trailing_off_tip };
        checks.push(check(
            ("voice", "Voice"),
            w.voice,
            !monotone && !trailing,
            Words {
                plain: format!("{tune}; {endings}"),
                measured: format!(
                    "{pitch}; {} of {} sentences trail off",
                    voice.trailing_off, voice.sentences
                ),
            },
            tip,
        ));
    }
    let plain = match hedges.first() {
        None => "none".to_string(),
        Some(first) => format!("{}, such as \"{}\"", hedges.len(), first.text),
    };
    let first = hedges.first().map_or(String::new(), |h| format!(": \"{}\"", h.text));
    checks.push(check(
        ("hedges", "Hedges"),
        w.hedges,
        hedges.is_empty(),
        Words { plain, measured: format!("{}{first}", hedges.len()) },
        &rules.hedges.tip,
    ));
    checks
}

/// Voiced sound no word accounts for: a short island of voice, set apart by silence, with
/// no word near it — where the transcript most often leaves out an "um" or "uh". Word times
/// are approximate, so a word counts for an island it comes near.
fn unworded_voice(timed: &[(f64, f64)], activity: &VoiceActivity) -> Vec<(f64, f64)> {
    const NEAR_S: f64 = 0.3;
    const ISLAND_S: std::ops::RangeInclusive<f64> = 0.15..=1.0;
    let (Some(first), Some(last)) = (timed.first(), timed.last()) else { return Vec::new() };
    activity
        .islands(first.0 - NEAR_S, last.1 + NEAR_S)
        .into_iter()
        .filter(|(start, end)| ISLAND_S.contains(&(end - start)))
        .filter(|&(start, end)| {
            !timed.iter().any(|&(ws, we)| ws < end + NEAR_S && we > start - NEAR_S)
        })
        .collect()
}

fn measure_pace(
    timed: &[(f64, f64)],
    speaking_s: f64,
    gaps: &[Gap],
    rules: &DeliveryRules,
) -> Pace {
    let words_per_minute =
        if speaking_s > 0.0 { timed.len() as f64 * 60.0 / speaking_s } else { 0.0 };
    let mut fast: Vec<Stretch> = Vec::new();
    let window = rules.pace_window_s;
    let talk_end = timed.last().map_or(0.0, |last| last.1);
    for (i, &(start, _)) in timed.iter().enumerate() {
        let end = start + window;
        if end > talk_end {
            break;
        }
        let words = timed[i..].iter().take_while(|w| w.0 < end).count();
        let paused: f64 =
            gaps.iter().map(|g| (g.end_s.min(end) - g.start_s.max(start)).max(0.0)).sum();
        let wpm = words as f64 * 60.0 / (window - paused).max(1.0);
        if wpm > rules.pace_wpm.1 {
            match fast.last_mut() {
                Some(previous) if previous.end_s >= start => {
                    previous.end_s = round_ms(end);
                    previous.words_per_minute = previous.words_per_minute.max(round_tenth(wpm));
                }
                _ => fast.push(Stretch {
                    start_s: round_ms(start),
                    end_s: round_ms(end),
                    words_per_minute: round_tenth(wpm),
                }),
            }
        }
    }
    Pace { words_per_minute: round_tenth(words_per_minute), speaking_s: round_ms(speaking_s), fast }
}

/// The spread of the voice's pitch in semitones, from 40 ms windows with a clear pitch in
/// the range of speaking voices.
fn pitch_variation(sound: &Sound) -> Option<f64> {
    const WINDOW: usize = 640;
    const SPEAKING_HZ: std::ops::RangeInclusive<f64> = 60.0..=400.0;
    let mut detector = McLeodDetector::<f32>::new(WINDOW, WINDOW / 2);
    let mut semitones = Vec::new();
    let step_s = WINDOW as f64 / f64::from(SAMPLE_RATE);
    for (i, window) in sound.samples.data.chunks_exact(WINDOW).enumerate() {
        let start_s = i as f64 * step_s;
        if sound.activity.islands(start_s, start_s + step_s).is_empty() {
            continue;
        }
        if let Some(pitch) = detector.get_pitch(window, SAMPLE_RATE as usize, 0.0, 0.7) {
            let hz = f64::from(pitch.frequency);
            if SPEAKING_HZ.contains(&hz) {
                semitones.push(12.0 * (hz / 100.0).log2());
            }
        }
    }
    // Too few windows with a pitch say nothing about a whole take.
    if semitones.len() < 25 {
        return None;
    }
    // A window whose estimate is a harmonic (an octave off, common where a phone line cuts
    // the fundamental) is folded back next to the voice's median.
    let mut sorted = semitones.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    for s in &mut semitones {
        *s -= 12.0 * ((*s - median) / 12.0).round();
    }
    let mean = semitones.iter().sum::<f64>() / semitones.len() as f64;
    let variance =
        semitones.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / semitones.len() as f64;
    Some(variance.sqrt())
}

/// Word index ranges of the sentences said, by their ends.
fn sentences(said: &Said) -> Vec<std::ops::Range<usize>> {
    let mut sentences = Vec::new();
    let mut start = 0;
    for (i, (word, line_end)) in said.words.iter().enumerate() {
        let closing = word.trim_end_matches(['"', '\'', ')']);
        if *line_end || closing.ends_with(['.', '?', '!']) || i + 1 == said.words.len() {
            if i + 1 - start >= 3 {
                sentences.push(start..i + 1);
            }
            start = i + 1;
        }
    }
    sentences
}

/// How many sentences end on a word much quieter than the sentence as a whole.
fn trailing_off(
    said: &Said,
    sentences: &[std::ops::Range<usize>],
    activity: &VoiceActivity,
    drop_db: f64,
) -> usize {
    sentences
        .iter()
        .filter(|range| {
            let (Some(first), Some(last)) = (said.times[range.start], said.times[range.end - 1])
            else {
                return false;
            };
            let whole = activity.voice_level_between(first.0, last.1);
            let end = activity.voice_level_between(last.0, last.1);
            whole.zip(end).is_some_and(|(whole, end)| whole - end >= drop_db)
        })
        .count()
}

fn round_ms(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

fn round_tenth(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}
