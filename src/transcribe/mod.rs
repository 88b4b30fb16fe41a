//! Speech to text: a [`Transcript`] of words with their times, from 16 kHz mono samples.
//!
//! Only this module touches whisper-rs. The [`Transcriber`] trait lets the stages after it
//! be tested on a transcript fixture; the real model is tested separately on real speech.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use whisper_rs::{
    DtwMode, DtwModelPreset, DtwParameters, FullParams, SamplingStrategy, WhisperContext,
    WhisperContextParameters,
};

use crate::audio::{self, Samples, VoiceActivity, SAMPLE_RATE};
use crate::model::ggml::Hparams;

mod cores;
use cores::FreeCores;

/// One recognised word and when it was said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub text: String,
    pub start_s: f64,
    pub end_s: f64,
}

/// What was said in a take, word by word.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    pub words: Vec<Word>,
}

impl Transcript {
    /// The words joined as running text.
    pub fn text(&self) -> String {
        let mut text = String::new();
        for word in &self.words {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(&word.text);
        }
        text
    }
}

/// A stretch of a longer take, transcribed while the rest of the take is still being recorded.
#[derive(Debug, Clone, Copy)]
pub struct Part<'a> {
    /// The stretch's 16 kHz mono samples.
    pub samples: &'a [f32],
    /// Where the stretch starts in the take: its words' times are shifted by this.
    pub start_s: f64,
    /// The stretch's voice activity, judged against the whole take (see
    /// [`VoiceActivity::slice`]): a stretch alone has too little silence to find the noise floor.
    pub activity: &'a VoiceActivity,
}

/// Turns samples into a transcript.
pub trait Transcriber {
    /// A whole take, with its voice activity (which the caller also needs for the take's
    /// timing, so it is measured once). `progress` receives whole percents.
    fn transcribe(
        &self,
        samples: &Samples,
        activity: &VoiceActivity,
        progress: Box<dyn FnMut(u8)>,
    ) -> Result<Transcript, TranscribeError>;

    /// One stretch of a longer take; the words' times count from the start of the take.
    fn transcribe_part(&self, part: &Part<'_>) -> Result<Transcript, TranscribeError>;
}

#[derive(Debug, thiserror::Error)]
pub enum TranscribeError {
    #[error("{path}: whisper.cpp could not load its weights (is the file cut short?)")]
    ModelLoad { path: PathBuf },
    #[error(transparent)]
    BadModel(#[from] crate::model::ggml::GgmlError),
    #[error("transcription failed: {0}")]
    Failed(String),
    #[error("{} is an English-only model: it cannot transcribe language \"{language}\"", .model.display())]
    EnglishOnly { model: PathBuf, language: String },
}

/// Whether `code` is a language code Whisper knows ("en", "es", …).
pub fn known_language(code: &str) -> bool {
    // whisper.cpp would print its own complaint about an unknown code to stderr.
    whisper_rs::install_logging_hooks();
    whisper_rs::get_lang_id(code).is_some()
}

/// How to run Whisper.
#[derive(Debug, Clone)]
pub struct WhisperOptions {
    /// Spoken language code ("en"); `None` lets a multilingual model detect it.
    pub language: Option<String>,
    /// Threads to run; `None` runs one a core that other programs leave free, at most
    /// [`MOST_THREADS`], chosen again for each stretch heard.
    pub threads: Option<usize>,
    /// Beams searched while decoding; 1 decodes greedily (what beams cost: docs/speed.md).
    pub beam_size: usize,
    /// The encoder's window in 20 ms frames, at most 1500 (30 s); 0 is the whole window.
    pub audio_ctx: usize,
    /// At most how many tokens of the text before a 30 s window (the filler prompt, then what
    /// was heard) it is decoded after. Fewer saves memory and time on long takes, but the
    /// filler prompt drops out sooner and later windows lose their "um"s (docs/speed.md).
    pub previous_text_tokens: usize,
    /// Words the speaker is expected to say (names, the job title, the number, from the
    /// profile), told to Whisper before the filler prompt so that it spells them as they are.
    pub expected_words: Option<String>,
}

impl Default for WhisperOptions {
    fn default() -> Self {
        Self {
            language: Some("en".to_string()),
            threads: None,
            beam_size: 1,
            audio_ctx: 0,
            // Whisper's own: half the decoder's 448-token context.
            previous_text_tokens: 224,
            expected_words: None,
        }
    }
}

/// More threads than this gained nothing on whisper.cpp's small models.
pub const MOST_THREADS: usize = 8;

/// The text Whisper is told came before the take.
pub const FILLER_PROMPT: &str = "Um, uh, I mean, like, you know.";

/// Whisper through whisper.cpp. The model is loaded once and serves every take.
pub struct WhisperTranscriber {
    context: WhisperContext,
    options: WhisperOptions,
    /// Words are timed by alignment (DTW), not by whisper.cpp's token timestamps.
    aligned: bool,
    free_cores: FreeCores,
}

impl WhisperTranscriber {
    pub fn load(model: &Path, options: WhisperOptions) -> Result<Self, TranscribeError> {
        // Watching from here, the first measure of other programs' load spans the model's
        // loading: another transcription starting at the same time shows in it.
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let free_cores = FreeCores::watch(cores);
        // whisper.cpp logs every load step to stderr; a user should see only our messages.
        whisper_rs::install_logging_hooks();
        let hparams = crate::model::ggml::check(model)?;
        // An English-only model given another language writes English nonsense rather than
        // failing.
        if let Some(language) = options.language.as_ref().filter(|l| *l != "en") {
            if hparams.is_english_only() {
                let (model, language) = (model.to_path_buf(), language.clone());
                return Err(TranscribeError::EnglishOnly { model, language });
            }
        }
        let mut params = WhisperContextParameters::default();
        // Alignment needs the whole encoder window: whisper.cpp aborts on a cut one.
        let heads = alignment_heads(&hparams).filter(|_| options.audio_ctx == 0);
        let aligned = heads.is_some();
        match heads {
            // Words timed by aligning the text to the audio (DTW on the attention heads that
            // follow it): on five flite sentences each word's end fell within 0.1 s of the
            // speech, where the token timestamps drifted by up to 4 s after the second
            // sentence. It needs flash attention off: about 70–90 MB more memory.
            Some(model_preset) => {
                params.dtw_parameters(DtwParameters {
                    mode: DtwMode::ModelPreset { model_preset },
                    ..DtwParameters::default()
                });
            }
            // Measured: same speed and transcripts, 65–90 MB less memory.
            None => {
                params.flash_attn(true);
            }
        }
        let context = WhisperContext::new_with_params(model, params)
            .map_err(|_| TranscribeError::ModelLoad { path: model.to_path_buf() })?;
        Ok(Self { context, options, aligned, free_cores })
    }

    fn params(&self) -> FullParams<'_, '_> {
        let strategy = match self.options.beam_size {
            0 | 1 => SamplingStrategy::Greedy { best_of: 1 },
            beams => SamplingStrategy::BeamSearch { beam_size: beams as i32, patience: -1.0 },
        };
        let mut params = FullParams::new(strategy);
        let threads = match self.options.threads {
            Some(threads) => threads,
            None => self.free_cores.threads(MOST_THREADS),
        };
        params.set_n_threads(threads as i32);
        params.set_audio_ctx(self.options.audio_ctx as i32);
        params.set_language(self.options.language.as_deref());
        params.set_detect_language(false);
        // Timestamps stay on: without them whisper.cpp drops stretches around the 30 s
        // window boundaries of long takes (measured, see the project notes).
        params.set_no_timestamps(false);
        // Token timestamps only where there is no alignment: they keep an energy curve of
        // the whole take (a float a sample) that aligned words do not need.
        params.set_token_timestamps(!self.aligned);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_special(false);
        params.set_print_timestamps(false);
        // Whisper writes fluent text and leaves out "um"s and "uh"s; a prompt that holds them
        // makes it keep them (measured in docs/checks.md, "How you said it"), and the delivery
        // report counts them. Longer prompts kept a few more but cut a sample's last sentence.
        match &self.options.expected_words {
            Some(words) => params.set_initial_prompt(&format!("{words} {FILLER_PROMPT}")),
            None => params.set_initial_prompt(FILLER_PROMPT),
        }
        params.set_n_max_text_ctx(self.options.previous_text_tokens as i32);
        params
    }
}

impl Transcriber for WhisperTranscriber {
    fn transcribe(
        &self,
        samples: &Samples,
        activity: &VoiceActivity,
        mut progress: Box<dyn FnMut(u8)>,
    ) -> Result<Transcript, TranscribeError> {
        if !activity.has_speech() {
            // Whisper invents "Thank you." in silence; there is nothing to hear.
            progress(100);
            return Ok(Transcript::default());
        }
        let mut params = self.params();
        params.set_progress_callback_safe(move |percent: i32| {
            progress(percent.clamp(0, 100) as u8);
        });
        self.run(params, &samples.data, activity)
    }

    fn transcribe_part(&self, part: &Part<'_>) -> Result<Transcript, TranscribeError> {
        if !part.activity.has_speech() {
            return Ok(Transcript::default());
        }
        // Measured on the samples and two real voices, against transcribing each file whole:
        // parts heard alone differ by 0–4.3 % of words. Two ways to go faster were worse: an
        // encoder window cut to the part's length (whisper.cpp's audio_ctx) repeated phrases
        // (up to 68 % different), and the previous text as a prompt set off Whisper's slow
        // retries at higher temperatures (3–10× the time) without better words.
        let mut transcript = self.run(self.params(), part.samples, part.activity)?;
        shift(&mut transcript.words, part.start_s);
        Ok(transcript)
    }
}

impl WhisperTranscriber {
    /// Runs Whisper on `samples`, then once more on each stretch of voice it left without
    /// words. Times are seconds from the start of `samples`.
    fn run(
        &self,
        params: FullParams<'_, '_>,
        samples: &[f32],
        activity: &VoiceActivity,
    ) -> Result<Transcript, TranscribeError> {
        let mut words = self.hear(params, samples, activity)?;
        let take_s = samples.len() as f64 / f64::from(SAMPLE_RATE);
        for (start_s, end_s) in unheard_voice(&words, activity, take_s) {
            let stretch = audio::slice_s(samples, start_s, end_s);
            let mut heard = self.hear(self.params(), stretch, &activity.slice(start_s, end_s))?;
            shift(&mut heard, start_s);
            words.extend(heard);
        }
        words.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
        Ok(Transcript { words })
    }

    /// Runs Whisper on `samples` and keeps the words of the segments that are over voice.
    fn hear(
        &self,
        params: FullParams<'_, '_>,
        samples: &[f32],
        activity: &VoiceActivity,
    ) -> Result<Vec<Word>, TranscribeError> {
        let mut state =
            self.context.create_state().map_err(|e| TranscribeError::Failed(e.to_string()))?;
        state.full(params, samples).map_err(|e| TranscribeError::Failed(e.to_string()))?;

        let eot = self.context.token_eot();
        let mut pieces = Vec::new();
        let mut aligned_until: f64 = 0.0;
        for segment in state.as_iter() {
            // A segment over silence is an invention ("Thanks for watching!"). Segment times
            // are reliable enough to judge that; single-token times are not.
            let start_s = segment.start_timestamp() as f64 / 100.0;
            let end_s = segment.end_timestamp() as f64 / 100.0;
            if !activity.voiced_between(start_s, end_s) {
                continue;
            }
            aligned_until = aligned_until.max(start_s);
            for i in 0..segment.n_tokens() {
                let Some(token) = segment.get_token(i) else { continue };
                // Ids from end-of-text up are control and timestamp tokens, not speech.
                if token.token_id() >= eot {
                    continue;
                }
                let data = token.token_data();
                let text =
                    token.to_str_lossy().map_err(|e| TranscribeError::Failed(e.to_string()))?;
                // An aligned token's time is where it ends; it began where the one before it
                // ended, or where its segment begins. Punctuation is aligned to the pause after
                // it, so it takes no time. Without alignment, the token timestamps.
                let (start_s, end_s) = if !self.aligned {
                    (data.t0 as f64 / 100.0, data.t1 as f64 / 100.0)
                } else if !text.chars().any(char::is_alphanumeric) {
                    (aligned_until, aligned_until)
                } else {
                    // The alignment can step back a frame or two; time does not.
                    let end_s = (data.t_dtw as f64 / 100.0).max(aligned_until);
                    let start_s = aligned_until;
                    aligned_until = end_s;
                    (start_s, end_s)
                };
                pieces.push(Piece { text: text.into_owned(), start_s, end_s });
            }
        }
        let mut words = drop_non_speech(join_pieces(&pieces));
        if self.aligned {
            start_where_the_voice_does(&mut words, activity);
            // A word aligned wholly to silence is an invention: Whisper's false start "She
            // called him." before "She called his name…" in the telephone recording was
            // squeezed into the pause before it, 0–0.5 s a word. A frame either side keeps a
            // word the alignment gave no length.
            words.retain(|w| {
                activity.voiced_between(w.start_s - ALIGNMENT_FRAME_S, w.end_s + ALIGNMENT_FRAME_S)
            });
        }
        Ok(words)
    }
}

fn shift(words: &mut [Word], by_s: f64) {
    for word in words {
        word.start_s += by_s;
        word.end_s += by_s;
    }
}

/// A silence between heard words at least this long may hide speech Whisper skipped…
const UNHEARD_GAP_S: f64 = 2.0;
/// …when it holds a phrase this long, voice broken by no pause longer than a stop
/// consonant's: shorter sounds are breaths, coughs, clicks and bursts of noise, over which
/// Whisper invents words ("Thank you.", "Next") rather than hears them.
const UNHEARD_PHRASE_S: f64 = 1.5;
/// Kept on each side of skipped voice, so that its quiet first and last sounds are whole.
const UNHEARD_MARGIN_S: f64 = 0.3;

/// The stretches of a take that hold voice but no heard word. Whisper decodes a long take in
/// 30 s windows and moves on from each after the last words it wrote; when it stops writing
/// early, the rest of the window is never heard (tiny.en skipped 19–20 s three times in a
/// 106 s take of six rehearsed calls, faster-whisper 30 s of the same take). In a take where
/// it heard no word at all, the voice is noise it rightly ignored.
fn unheard_voice(words: &[Word], activity: &VoiceActivity, take_s: f64) -> Vec<(f64, f64)> {
    if words.is_empty() {
        return Vec::new();
    }
    let mut silences = Vec::with_capacity(words.len() + 1);
    let mut heard_until = 0.0f64;
    for word in words {
        silences.push((heard_until, word.start_s));
        heard_until = heard_until.max(word.end_s);
    }
    silences.push((heard_until, take_s));
    silences
        .into_iter()
        .filter(|(start, end)| end - start >= UNHEARD_GAP_S)
        .filter_map(|(start, end)| {
            let voice = activity.islands(start, end);
            let (first, last) = (voice.first()?, voice.last()?);
            let mut phrase_start = first.0;
            let mut longest_phrase_s = 0.0f64;
            for (i, &(from, to)) in voice.iter().enumerate() {
                if i > 0 && from - voice[i - 1].1 >= WITHIN_WORD_SILENCE_S {
                    phrase_start = from;
                }
                longest_phrase_s = longest_phrase_s.max(to - phrase_start);
            }
            (longest_phrase_s >= UNHEARD_PHRASE_S).then(|| {
                ((first.0 - UNHEARD_MARGIN_S).max(start), (last.1 + UNHEARD_MARGIN_S).min(end))
            })
        })
        .collect()
}

/// A sub-word token as Whisper emits it; a leading space starts a new word.
struct Piece {
    text: String,
    start_s: f64,
    end_s: f64,
}

/// The alignment heads whisper.cpp times words with, for the models it has them for.
fn alignment_heads(hparams: &Hparams) -> Option<DtwModelPreset> {
    Some(match hparams.model_name().as_str() {
        "tiny.en" => DtwModelPreset::TinyEn,
        "tiny" => DtwModelPreset::Tiny,
        "base.en" => DtwModelPreset::BaseEn,
        "base" => DtwModelPreset::Base,
        "small.en" => DtwModelPreset::SmallEn,
        "small" => DtwModelPreset::Small,
        "medium.en" => DtwModelPreset::MediumEn,
        "medium" => DtwModelPreset::Medium,
        "large-v3" => DtwModelPreset::LargeV3,
        "large-v3-turbo" => DtwModelPreset::LargeV3Turbo,
        // large-v1 and -v2 share a header; a wrong guess would misplace every word.
        _ => return None,
    })
}

/// The alignment's time step: one encoder frame.
const ALIGNMENT_FRAME_S: f64 = 0.02;

/// Silence shorter than this within a word is a stop consonant's closure, not a gap.
const WITHIN_WORD_SILENCE_S: f64 = 0.25;

/// Moves each aligned word's start from where the word before it ended to where its own
/// sound begins: the voice that runs on, without a longer silence, into the word's end. A
/// filler said before it, apart from it, is not taken into the word.
fn start_where_the_voice_does(words: &mut [Word], activity: &VoiceActivity) {
    for word in words {
        let islands = activity.islands(word.start_s, word.end_s);
        let Some(mut start) = islands.last().map(|&(start, _)| start) else { continue };
        for pair in islands.windows(2).rev() {
            let ((_, earlier_end), (later_start, _)) = (pair[0], pair[1]);
            if later_start - earlier_end >= WITHIN_WORD_SILENCE_S {
                break;
            }
            start = pair[0].0;
        }
        word.start_s = word.start_s.max(start);
    }
}

fn join_pieces(pieces: &[Piece]) -> Vec<Word> {
    let mut words: Vec<Word> = Vec::new();
    for piece in pieces {
        let starts_word = piece.text.starts_with(' ') || words.is_empty();
        let text = piece.text.trim();
        if text.is_empty() {
            continue;
        }
        match words.last_mut() {
            Some(word) if !starts_word => {
                word.text.push_str(text);
                word.end_s = word.end_s.max(piece.end_s);
            }
            _ => words.push(Word {
                text: text.to_string(),
                start_s: piece.start_s,
                end_s: piece.end_s.max(piece.start_s),
            }),
        }
    }
    words
}

/// Removes Whisper's annotations of non-speech — `[BLANK_AUDIO]`, `(music)`, `[Applause]`,
/// `*sighs*` — which may span several words.
fn drop_non_speech(words: Vec<Word>) -> Vec<Word> {
    let mut kept = Vec::with_capacity(words.len());
    let mut closer: Option<char> = None;
    for word in words {
        if let Some(close) = closer {
            if word.text.ends_with(close) || word.text.trim_end_matches(['.', ',']).ends_with(close)
            {
                closer = None;
            }
            continue;
        }
        let opener = word.text.chars().next();
        let close = match opener {
            Some('[') => ']',
            Some('(') => ')',
            Some('*') if word.text.len() > 1 => '*',
            _ => {
                kept.push(word);
                continue;
            }
        };
        let rest = &word.text[1..];
        if !(rest.ends_with(close) || rest.trim_end_matches(['.', ',']).ends_with(close)) {
            closer = Some(close);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn piece(text: &str, start_s: f64, end_s: f64) -> Piece {
        Piece { text: text.to_string(), start_s, end_s }
    }

    fn words(texts: &[&str]) -> Vec<Word> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Word { text: t.to_string(), start_s: i as f64, end_s: i as f64 + 0.5 })
            .collect()
    }

    fn texts(words: &[Word]) -> Vec<&str> {
        words.iter().map(|w| w.text.as_str()).collect()
    }

    #[test]
    fn whisper_cpp_is_built_with_the_tiled_matrix_kernels() {
        // .cargo/config.toml asks for them; a build that lost the setting would be a third
        // slower without any other sign.
        let info = whisper_rs::print_system_info();
        assert!(info.contains("LLAMAFILE = 1"), "{info}");
    }

    #[test]
    fn finds_voice_that_no_heard_word_covers() {
        // Voice (a loud tone over faint noise) at 0.5–4.5 s, 8–12 s, 14–15 s and 17–19.5 s of
        // a 20 s take; words heard only over the first stretch.
        let voice = [(0.5, 4.5), (8.0, 12.0), (14.0, 15.0), (17.0, 19.5)];
        let data = (0..20 * SAMPLE_RATE as usize)
            .map(|i| {
                let t = i as f64 / f64::from(SAMPLE_RATE);
                let loud = voice.iter().any(|&(from, to)| t >= from && t < to);
                let noise = if i % 2 == 0 { 0.001 } else { -0.001 };
                noise
                    + if loud {
                        0.3 * (t * 440.0 * std::f64::consts::TAU).sin() as f32
                    } else {
                        0.0
                    }
            })
            .collect();
        let activity = VoiceActivity::detect(&Samples::new(data));
        let heard = |spans: &[(f64, f64)]| -> Vec<Word> {
            spans
                .iter()
                .map(|&(start_s, end_s)| Word { text: "w".into(), start_s, end_s })
                .collect()
        };
        let unheard = |words: &[(f64, f64)]| -> Vec<(f64, f64)> {
            unheard_voice(&heard(words), &activity, 20.0)
                .iter()
                .map(|&(a, b)| ((a * 10.0).round() / 10.0, (b * 10.0).round() / 10.0))
                .collect()
        };
        // From the first voice after the heard words to the last, with a margin.
        assert_eq!(unheard(&[(0.5, 2.0), (2.2, 4.5)]), [(7.7, 19.8)]);
        assert_eq!(unheard(&[(0.5, 4.5), (17.0, 19.5)]), [(7.7, 15.3)]);
        assert!(unheard(&voice).is_empty());
        // A lone burst between heard words is too short to be skipped speech.
        assert!(unheard(&[(0.5, 4.5), (8.0, 12.0), (17.0, 19.5)]).is_empty());
        // Nothing heard anywhere: the voice is noise Whisper ignored.
        assert!(unheard(&[]).is_empty());
    }

    #[test]
    fn joins_sub_word_tokens_into_timed_words() {
        let joined = join_pieces(&[
            piece(" Thank", 0.5, 0.8),
            piece(" you", 0.8, 1.0),
            piece(" for", 1.0, 1.1),
            piece(" inter", 1.2, 1.5),
            piece("viewing", 1.5, 2.0),
            piece(".", 2.0, 2.0),
        ]);
        assert_eq!(texts(&joined), ["Thank", "you", "for", "interviewing."]);
        assert_eq!((joined[3].start_s, joined[3].end_s), (1.2, 2.0));
    }

    #[test]
    fn drops_bracketed_non_speech_of_any_length() {
        let cleaned = drop_non_speech(words(&[
            "[BLANK_AUDIO]",
            "Hello,",
            "(upbeat",
            "music)",
            "this",
            "is",
            "Dana.",
            "[Music]",
            "*coughs*",
        ]));
        assert_eq!(texts(&cleaned), ["Hello,", "this", "is", "Dana."]);
    }
}
