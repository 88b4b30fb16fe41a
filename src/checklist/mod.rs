//! The checklist a rehearsal is judged against: the elements of a good thank-you call, the
//! phrases that show each one was said (and the look-alikes that do not), their weights and
//! tips, the brevity target, and the word knowledge the phrases share.
//!
//! It is data, not code: a built-in TOML file (`default.toml` beside this module) that a user
//! can replace with their own (`--checklist FILE`), or extend with a file that says
//! `extends = "builtin"`. The format is documented in docs/checks.md and in `default.toml`; the
//! phrase language is in [`pattern`].

pub mod pattern;
mod personal;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::meaning::MeaningModel;
use crate::profile::Profile;

pub use pattern::{phone_number, Lexicon, Match, Pattern, PatternError, Token};
pub use personal::{Heard, Hearing, NumberSaid, Personal};

/// The built-in checklist's text.
pub const BUILTIN: &str = include_str!("default.toml");

/// The only checklist file format version this build reads.
pub const FORMAT_VERSION: u32 = 2;

/// What `extends` names to start from the built-in checklist.
const BUILTIN_NAME: &str = "builtin";

/// What kind of message a rehearsal is, which decides what it is judged on: a call the
/// interviewer answers, or the voicemail left when they do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Call,
    Voicemail,
}

impl Mode {
    pub const ALL: [Mode; 2] = [Mode::Call, Mode::Voicemail];

    /// The mode as written in checklist files, the JSON report and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Call => "call",
            Mode::Voicemail => "voicemail",
        }
    }

    /// The mode as a title for a person: "Call", "Voicemail".
    pub fn title(self) -> &'static str {
        match self {
            Mode::Call => "Call",
            Mode::Voicemail => "Voicemail",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone)]
pub struct Checklist {
    /// Every element the checklist defines, in file order; each mode judges some of them.
    pub elements: Vec<Element>,
    /// Spellings, word classes and not-names, shared by every element's patterns.
    pub lexicon: Lexicon,
    pub delivery: DeliveryRules,
    /// The user's profile, which makes some elements personal; `None` judges generically.
    pub personal: Option<Personal>,
    /// The meaning model that judges beside the phrases; `None` judges by the rules alone.
    pub meaning: Option<Arc<MeaningModel>>,
    call: Rules,
    voicemail: Rules,
}

/// How one mode judges a rehearsal.
#[derive(Debug, Clone)]
pub struct Rules {
    pub brevity: BrevityTarget,
    /// The elements judged, as indices into [`Checklist::elements`] in file order, each with
    /// its weight in this mode.
    pub weights: Vec<(usize, u32)>,
    /// Phrases that suggest a rehearsal is this kind of message, for telling the modes apart.
    pub cues: Vec<Pattern>,
}

/// How a rehearsal should sound, beside what it says: the targets delivery is judged on,
/// what each counts in the delivery score, and the tips for a miss.
#[derive(Debug, Clone)]
pub struct DeliveryRules {
    pub weights: DeliveryWeights,
    /// Filler words ("um", "you know"), counted wherever they are said.
    pub fillers: Marker,
    /// More fillers a minute than this earn the tip.
    pub fillers_most_per_minute: f64,
    /// Hedges and apologies that undercut confidence ("sorry to bother you").
    pub hedges: Marker,
    /// Words a minute outside this range earn a tip; `pace_aim` is the range to aim for.
    pub pace_wpm: (f64, f64),
    pub pace_aim_wpm: (f64, f64),
    /// The window the pace is followed over, to find where it ran fast.
    pub pace_window_s: f64,
    pub pace_tip_fast: String,
    pub pace_tip_slow: String,
    /// Silences this long within the talk are pauses; this long, dead air.
    pub pause_s: f64,
    pub dead_air_s: f64,
    pub dead_air_tip: String,
    /// Voice fewer decibels than this above the background earns the tip.
    pub least_speech_to_noise_db: f64,
    pub noise_tip: String,
    /// Pitch varying less than this (standard deviation, in semitones) reads as monotone.
    pub least_pitch_semitones: f64,
    pub monotone_tip: String,
    /// Sentences whose last word is this many decibels quieter than the sentence trail off.
    pub trailing_off_db: f64,
    pub trailing_off_tip: String,
}

/// What each part of delivery counts in the delivery score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryWeights {
    pub fillers: u32,
    pub pace: u32,
    pub pauses: u32,
    pub noise: u32,
    pub voice: u32,
    pub hedges: u32,
}

/// Words counted wherever they are said, with a tip for when there are too many.
#[derive(Debug, Clone)]
pub struct Marker {
    pub phrases: Vec<Pattern>,
    pub unless: Vec<Pattern>,
    pub tip: String,
}

impl Marker {
    /// Every separate place it was said.
    pub fn find_all(&self, tokens: &[Token]) -> Vec<Match> {
        separate_matches(&self.phrases, &self.unless, tokens)
    }
}

/// The matches of `phrases` that no `unless` pattern overlaps, left to right, taken without
/// overlapping each other.
fn separate_matches(phrases: &[Pattern], unless: &[Pattern], tokens: &[Token]) -> Vec<Match> {
    let vetoed: Vec<Match> = unless.iter().flat_map(|p| p.find_all(tokens)).collect();
    let mut matches: Vec<Match> = phrases
        .iter()
        .flat_map(|p| p.find_all(tokens))
        .filter(|m| !vetoed.iter().any(|v| v.overlaps(m)))
        .collect();
    matches.sort_by_key(|m| (m.start, m.end));
    let mut separate: Vec<Match> = Vec::new();
    for m in matches {
        if separate.last().is_none_or(|last| !last.overlaps(&m)) {
            separate.push(m);
        }
    }
    separate
}

/// How long the message's own talk should be, and what to say when it is not.
#[derive(Debug, Clone, PartialEq)]
pub struct BrevityTarget {
    pub min_s: f64,
    pub max_s: f64,
    pub weight: u32,
    pub tip_long: String,
    pub tip_short: String,
}

/// One thing a good call does, such as thanking the interviewer.
#[derive(Debug, Clone)]
pub struct Element {
    /// Stable identifier, part of the JSON contract (`thanks`, `job_title`, …).
    pub id: String,
    pub label: String,
    pub tip: String,
    /// Any one of these shows the element was said…
    pub phrases: Vec<Pattern>,
    /// …unless one of these matches words it matched ("thanks to my manager").
    pub unless: Vec<Pattern>,
    /// How many separate times it must be said (a phone number on a voicemail: twice).
    pub times: usize,
}

impl Element {
    /// Where the element was said for the `times`-th time, reading left to right: the
    /// matches of its phrases that no `unless` pattern overlaps, taken without overlapping
    /// each other. For an element said once, the earliest match.
    ///
    /// An element said more than once must be the same thing each time: the same digits for
    /// a phone number ("555 212 3456… again, 555 212 3465" is two numbers, each said once).
    pub fn find(&self, tokens: &[Token]) -> Option<Match> {
        let matches = separate_matches(&self.phrases, &self.unless, tokens);
        if self.times <= 1 {
            return matches.first().copied();
        }
        let said = |m: &Match| match phone_number(&tokens[m.start..]) {
            Some((_, digits)) => digits,
            None => {
                tokens[m.start..m.end].iter().map(|t| t.norm.as_str()).collect::<Vec<_>>().join(" ")
            }
        };
        let mut times_said: BTreeMap<String, usize> = BTreeMap::new();
        matches.into_iter().find(|m| {
            let times = times_said.entry(said(m)).or_default();
            *times += 1;
            *times == self.times
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ChecklistError {
    #[error("{origin}: cannot read it")]
    Unreadable { origin: String, source: std::io::Error },
    /// Bad TOML or bad content; `message` leads with the line where there is one.
    #[error("{origin}: {message}")]
    Malformed { origin: String, message: String },
    #[error("{origin}: checklist format version {found} is not supported (this callcoach reads version {FORMAT_VERSION})")]
    Version { origin: String, found: u32 },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChecklistFile {
    version: u32,
    extends: Option<Spanned<String>>,
    #[serde(default)]
    modes: ModesFile,
    delivery: Option<Spanned<DeliveryFile>>,
    #[serde(default)]
    words: WordsFile,
    #[serde(default)]
    elements: Vec<ElementFile>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModesFile {
    call: Option<Spanned<ModeFile>>,
    voicemail: Option<Spanned<ModeFile>>,
}

impl ModesFile {
    fn get(&self, mode: Mode) -> Option<&Spanned<ModeFile>> {
        match mode {
            Mode::Call => self.call.as_ref(),
            Mode::Voicemail => self.voicemail.as_ref(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModeFile {
    brevity: Option<Spanned<BrevityFile>>,
    weights: Option<Spanned<BTreeMap<String, u32>>>,
    #[serde(default)]
    cues: Vec<Spanned<String>>,
}

/// `[delivery]`: as everywhere, an extending file gives only what it changes.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeliveryFile {
    weights: Option<DeliveryWeights>,
    #[serde(default)]
    fillers: MarkerFile,
    #[serde(default)]
    hedges: MarkerFile,
    #[serde(default)]
    pace: PaceFile,
    #[serde(default)]
    pauses: PausesFile,
    #[serde(default)]
    noise: NoiseFile,
    #[serde(default)]
    voice: VoiceFile,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MarkerFile {
    most_per_minute: Option<f64>,
    tip: Option<String>,
    #[serde(default)]
    phrases: Vec<Spanned<String>>,
    #[serde(default)]
    unless: Vec<Spanned<String>>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PaceFile {
    words_per_minute: Option<(f64, f64)>,
    aim: Option<(f64, f64)>,
    window_s: Option<f64>,
    tip_fast: Option<String>,
    tip_slow: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PausesFile {
    pause_s: Option<f64>,
    dead_air_s: Option<f64>,
    tip: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoiseFile {
    least_speech_to_noise_db: Option<f64>,
    tip: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct VoiceFile {
    least_pitch_semitones: Option<f64>,
    trailing_off_db: Option<f64>,
    tip_monotone: Option<String>,
    tip_trailing_off: Option<String>,
}

/// Every field is optional so that an extending file can change only some of them; a file
/// that extends nothing must give them all.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BrevityFile {
    min_s: Option<f64>,
    max_s: Option<f64>,
    weight: Option<u32>,
    tip_long: Option<String>,
    tip_short: Option<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct WordsFile {
    #[serde(default)]
    spellings: BTreeMap<String, Vec<Spanned<String>>>,
    #[serde(default)]
    classes: BTreeMap<String, Vec<Spanned<String>>>,
    #[serde(default)]
    not_names: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ElementFile {
    id: Spanned<String>,
    label: Option<String>,
    tip: Option<String>,
    times: Option<Spanned<usize>>,
    #[serde(default)]
    phrases: Vec<Spanned<String>>,
    #[serde(default)]
    unless: Vec<Spanned<String>>,
}

/// One checklist file's text and what it says; an extending file is read over the built-in one.
struct Layer<'a> {
    origin: &'a str,
    text: &'a str,
    file: ChecklistFile,
}

impl Layer<'_> {
    fn read<'a>(text: &'a str, origin: &'a str) -> Result<Layer<'a>, ChecklistError> {
        let file: ChecklistFile = toml::from_str(text).map_err(|e| ChecklistError::Malformed {
            origin: origin.to_string(),
            message: describe_toml_error(text, &e),
        })?;
        if file.version != FORMAT_VERSION {
            return Err(ChecklistError::Version {
                origin: origin.to_string(),
                found: file.version,
            });
        }
        Ok(Layer { origin, text, file })
    }

    /// An error about something at `span` in this file.
    fn error_at(&self, span: std::ops::Range<usize>, message: impl fmt::Display) -> ChecklistError {
        let (line, _) = line_and_column(self.text, span.start);
        ChecklistError::Malformed {
            origin: self.origin.to_string(),
            message: format!("line {line}: {message}"),
        }
    }

    fn error(&self, message: impl fmt::Display) -> ChecklistError {
        ChecklistError::Malformed { origin: self.origin.to_string(), message: message.to_string() }
    }

    /// Compiles patterns written in this file.
    fn patterns(
        &self,
        sources: &[&Spanned<String>],
        lexicon: &Lexicon,
        whose: &str,
    ) -> Result<Vec<Pattern>, ChecklistError> {
        sources
            .iter()
            .map(|p| {
                Pattern::parse(p.get_ref(), lexicon)
                    .map_err(|e| self.error_at(p.span(), format!("{whose}: {e}")))
            })
            .collect()
    }
}

/// An element while the layers are read: what is known so far, and where it was written.
struct Draft<'a> {
    id: String,
    /// Where its id was last written, for errors about the element as a whole.
    layer: usize,
    span: std::ops::Range<usize>,
    label: Option<String>,
    tip: Option<String>,
    times: Option<usize>,
    phrases: Vec<(usize, &'a Spanned<String>)>,
    unless: Vec<(usize, &'a Spanned<String>)>,
}

impl Checklist {
    pub fn builtin() -> Self {
        Self::parse(BUILTIN, "built-in checklist").expect("the built-in checklist is valid")
    }

    pub fn load(path: &Path) -> Result<Self, ChecklistError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|source| ChecklistError::Unreadable { origin: origin.clone(), source })?;
        Self::parse(&text, &origin)
    }

    /// Parses a checklist file's text; `origin` names it in errors, which lead with the line
    /// they are about.
    pub fn parse(text: &str, origin: &str) -> Result<Self, ChecklistError> {
        let layer = Layer::read(text, origin)?;
        let layers = match &layer.file.extends {
            None => vec![layer],
            Some(base) if base.get_ref() == BUILTIN_NAME => {
                vec![Layer::read(BUILTIN, "built-in checklist")?, layer]
            }
            Some(base) => {
                return Err(layer.error_at(
                    base.span(),
                    format!(
                        "extends = \"{}\": only \"{BUILTIN_NAME}\" can be extended",
                        base.get_ref()
                    ),
                ))
            }
        };
        Self::compile(&layers)
    }

    /// The checklist made personal: the job title, qualifications and phone number are
    /// judged against the user's own (see [`Personal`]).
    pub fn with_profile(mut self, profile: Profile) -> Self {
        self.personal = Some(Personal::new(profile, &self.lexicon));
        self
    }

    /// The checklist judged by the meaning model beside its rules (see [`crate::meaning`]).
    pub fn with_meaning(mut self, meaning: Arc<MeaningModel>) -> Self {
        self.meaning = Some(meaning);
        self
    }

    /// How `mode` judges a rehearsal.
    pub fn rules(&self, mode: Mode) -> &Rules {
        match mode {
            Mode::Call => &self.call,
            Mode::Voicemail => &self.voicemail,
        }
    }

    /// The elements `mode` judges, each with its weight there.
    pub fn elements_of(&self, mode: Mode) -> impl Iterator<Item = (&Element, u32)> {
        self.rules(mode).weights.iter().map(|&(index, weight)| (&self.elements[index], weight))
    }

    /// The mode whose cues more of what was said matches; a call where it is a tie, as
    /// a rehearsal is a call unless it sounds like a voicemail.
    pub fn detect_mode(&self, tokens: &[Token]) -> Mode {
        let heard = |mode: Mode| {
            self.rules(mode).cues.iter().filter(|cue| !cue.find_all(tokens).is_empty()).count()
        };
        if heard(Mode::Voicemail) > heard(Mode::Call) {
            Mode::Voicemail
        } else {
            Mode::Call
        }
    }

    /// Reads the layers in order, later ones adding to and overriding earlier ones.
    fn compile(layers: &[Layer]) -> Result<Self, ChecklistError> {
        let last = layers.last().expect("at least one layer");
        let lexicon = Self::lexicon(layers)?;

        let mut drafts: Vec<Draft> = Vec::new();
        for (n, layer) in layers.iter().enumerate() {
            let mut seen: Vec<&str> = Vec::new();
            for e in &layer.file.elements {
                let id = e.id.get_ref();
                if seen.contains(&id.as_str()) {
                    return Err(
                        layer.error_at(e.id.span(), format!("element id \"{id}\" appears twice"))
                    );
                }
                seen.push(id);
                let index = match drafts.iter().position(|d| &d.id == id) {
                    Some(index) => index,
                    None => {
                        drafts.push(Draft {
                            id: id.clone(),
                            layer: n,
                            span: e.id.span(),
                            label: None,
                            tip: None,
                            times: None,
                            phrases: Vec::new(),
                            unless: Vec::new(),
                        });
                        drafts.len() - 1
                    }
                };
                let draft = &mut drafts[index];
                (draft.layer, draft.span) = (n, e.id.span());
                draft.label = e.label.clone().or(draft.label.take());
                draft.tip = e.tip.clone().or(draft.tip.take());
                if let Some(times) = &e.times {
                    if *times.get_ref() == 0 {
                        return Err(layer.error_at(
                            times.span(),
                            format!("element \"{id}\": times must be at least 1"),
                        ));
                    }
                    draft.times = Some(*times.get_ref());
                }
                draft.phrases.extend(e.phrases.iter().map(|p| (n, p)));
                draft.unless.extend(e.unless.iter().map(|p| (n, p)));
            }
        }
        if drafts.is_empty() {
            return Err(last.error("the checklist has no elements"));
        }

        let mut elements = Vec::with_capacity(drafts.len());
        for draft in &drafts {
            let layer = &layers[draft.layer];
            let missing =
                |field: &str| layer.error_at(draft.span.clone(), missing_field(&draft.id, field));
            let label = draft.label.clone().ok_or_else(|| missing("label"))?;
            let tip = draft.tip.clone().ok_or_else(|| missing("tip"))?;
            if draft.phrases.is_empty() {
                return Err(missing("phrases"));
            }
            let whose = format!("element \"{}\"", draft.id);
            let compile = |patterns: &[(usize, &Spanned<String>)]| {
                let mut compiled = Vec::new();
                for (n, p) in patterns {
                    compiled.extend(layers[*n].patterns(&[*p], &lexicon, &whose)?);
                }
                Ok::<_, ChecklistError>(compiled)
            };
            let phrases = compile(&draft.phrases)?;
            let unless = compile(&draft.unless)?;
            let times = draft.times.unwrap_or(1);
            elements.push(Element { id: draft.id.clone(), label, tip, phrases, unless, times });
        }

        let call = Self::rules_of(Mode::Call, layers, &elements, &lexicon)?;
        let voicemail = Self::rules_of(Mode::Voicemail, layers, &elements, &lexicon)?;
        for (index, draft) in drafts.iter().enumerate() {
            let judged = |rules: &Rules| rules.weights.iter().any(|&(i, _)| i == index);
            if !judged(&call) && !judged(&voicemail) {
                return Err(layers[draft.layer].error_at(
                    draft.span.clone(),
                    format!(
                        "element \"{}\" is in no mode: give it a weight under \
                         [modes.call.weights] or [modes.voicemail.weights]",
                        draft.id
                    ),
                ));
            }
        }
        let delivery = Self::delivery(layers, &lexicon)?;
        Ok(Self { elements, lexicon, delivery, personal: None, meaning: None, call, voicemail })
    }

    /// `[delivery]` from every layer: later values override, phrases add up.
    fn delivery(layers: &[Layer], lexicon: &Lexicon) -> Result<DeliveryRules, ChecklistError> {
        let mut merged = DeliveryFile::default();
        let (mut fillers, mut hedges) = ((Vec::new(), Vec::new()), (Vec::new(), Vec::new()));
        let mut place = None;
        for (n, layer) in layers.iter().enumerate() {
            let Some(file) = &layer.file.delivery else { continue };
            place = Some((n, file.span()));
            let d = file.get_ref();
            let m = &mut merged;
            m.weights = d.weights.or(m.weights);
            for (into, from, compiled, name) in [
                (&mut m.fillers, &d.fillers, &mut fillers, "fillers"),
                (&mut m.hedges, &d.hedges, &mut hedges, "hedges"),
            ] {
                into.most_per_minute = from.most_per_minute.or(into.most_per_minute);
                into.tip = from.tip.clone().or(into.tip.take());
                let whose = format!("[delivery.{name}]");
                let phrases: Vec<&Spanned<String>> = from.phrases.iter().collect();
                let unless: Vec<&Spanned<String>> = from.unless.iter().collect();
                compiled.0.extend(layer.patterns(&phrases, lexicon, &whose)?);
                compiled.1.extend(layer.patterns(&unless, lexicon, &whose)?);
            }
            let (pace, from) = (&mut m.pace, &d.pace);
            pace.words_per_minute = from.words_per_minute.or(pace.words_per_minute);
            pace.aim = from.aim.or(pace.aim);
            pace.window_s = from.window_s.or(pace.window_s);
            pace.tip_fast = from.tip_fast.clone().or(pace.tip_fast.take());
            pace.tip_slow = from.tip_slow.clone().or(pace.tip_slow.take());
            let (pauses, from) = (&mut m.pauses, &d.pauses);
            pauses.pause_s = from.pause_s.or(pauses.pause_s);
            pauses.dead_air_s = from.dead_air_s.or(pauses.dead_air_s);
            pauses.tip = from.tip.clone().or(pauses.tip.take());
            let (noise, from) = (&mut m.noise, &d.noise);
            noise.least_speech_to_noise_db =
                from.least_speech_to_noise_db.or(noise.least_speech_to_noise_db);
            noise.tip = from.tip.clone().or(noise.tip.take());
            let (voice, from) = (&mut m.voice, &d.voice);
            voice.least_pitch_semitones =
                from.least_pitch_semitones.or(voice.least_pitch_semitones);
            voice.trailing_off_db = from.trailing_off_db.or(voice.trailing_off_db);
            voice.tip_monotone = from.tip_monotone.clone().or(voice.tip_monotone.take());
            voice.tip_trailing_off =
                from.tip_trailing_off.clone().or(voice.tip_trailing_off.take());
        }
        let Some((n, span)) = place else {
            return Err(layers[0].error("the checklist has no [delivery] table"));
        };
        let missing =
            |field: &str| layers[n].error_at(span.clone(), format!("[delivery] has no {field}"));
        let m = merged;
        let rules = DeliveryRules {
            weights: m.weights.ok_or_else(|| missing("weights"))?,
            fillers: Marker {
                phrases: fillers.0,
                unless: fillers.1,
                tip: m.fillers.tip.ok_or_else(|| missing("fillers.tip"))?,
            },
            fillers_most_per_minute: m
                .fillers
                .most_per_minute
                .ok_or_else(|| missing("fillers.most_per_minute"))?,
            hedges: Marker {
                phrases: hedges.0,
                unless: hedges.1,
                tip: m.hedges.tip.ok_or_else(|| missing("hedges.tip"))?,
            },
            pace_wpm: m.pace.words_per_minute.ok_or_else(|| missing("pace.words_per_minute"))?,
            pace_aim_wpm: m.pace.aim.ok_or_else(|| missing("pace.aim"))?,
            pace_window_s: m.pace.window_s.ok_or_else(|| missing("pace.window_s"))?,
            pace_tip_fast: m.pace.tip_fast.ok_or_else(|| missing("pace.tip_fast"))?,
            pace_tip_slow: m.pace.tip_slow.ok_or_else(|| missing("pace.tip_slow"))?,
            pause_s: m.pauses.pause_s.ok_or_else(|| missing("pauses.pause_s"))?,
            dead_air_s: m.pauses.dead_air_s.ok_or_else(|| missing("pauses.dead_air_s"))?,
            dead_air_tip: m.pauses.tip.ok_or_else(|| missing("pauses.tip"))?,
            least_speech_to_noise_db: m
                .noise
                .least_speech_to_noise_db
                .ok_or_else(|| missing("noise.least_speech_to_noise_db"))?,
            noise_tip: m.noise.tip.ok_or_else(|| missing("noise.tip"))?,
            least_pitch_semitones: m
                .voice
                .least_pitch_semitones
                .ok_or_else(|| missing("voice.least_pitch_semitones"))?,
            monotone_tip: m.voice.tip_monotone.ok_or_else(|| missing("voice.tip_monotone"))?,
            trailing_off_db: m
                .voice
                .trailing_off_db
                .ok_or_else(|| missing("voice.trailing_off_db"))?,
            trailing_off_tip: m
                .voice
                .tip_trailing_off
                .ok_or_else(|| missing("voice.tip_trailing_off"))?,
        };
        if rules.pace_window_s <= 0.0 || rules.pause_s <= 0.0 || rules.dead_air_s < rules.pause_s {
            return Err(layers[n].error_at(
                span,
                "[delivery]: pace.window_s and pauses.pause_s must be above 0, and \
                 pauses.dead_air_s at least pauses.pause_s",
            ));
        }
        Ok(rules)
    }

    fn lexicon(layers: &[Layer]) -> Result<Lexicon, ChecklistError> {
        let mut lexicon = Lexicon::default();
        for layer in layers {
            let located =
                |word: &Spanned<String>, e: PatternError| layer.error_at(word.span(), e.message);
            let words = &layer.file.words;
            for (canonical, variants) in &words.spellings {
                for variant in variants {
                    lexicon
                        .add_spelling(canonical, variant.get_ref())
                        .map_err(|e| located(variant, e))?;
                }
            }
            for (class, members) in &words.classes {
                for member in members {
                    lexicon
                        .add_to_class(class, member.get_ref())
                        .map_err(|e| located(member, e))?;
                }
            }
            for word in &words.not_names {
                lexicon.add_not_name(word.get_ref()).map_err(|e| located(word, e))?;
            }
        }
        Ok(lexicon)
    }

    /// One mode's rules from every layer's `[modes.<mode>]`.
    fn rules_of(
        mode: Mode,
        layers: &[Layer],
        elements: &[Element],
        lexicon: &Lexicon,
    ) -> Result<Rules, ChecklistError> {
        let table = format!("[modes.{mode}]");
        let mut weights: Vec<Option<u32>> = vec![None; elements.len()];
        let mut cues = Vec::new();
        let mut brevity_layers = Vec::new();
        let mut place = None;
        for (n, layer) in layers.iter().enumerate() {
            let Some(file) = layer.file.modes.get(mode) else { continue };
            place = Some((n, file.span()));
            let file = file.get_ref();
            if let Some(brevity) = &file.brevity {
                brevity_layers.push((n, brevity));
            }
            if let Some(table_weights) = &file.weights {
                for (id, weight) in table_weights.get_ref() {
                    let index = elements.iter().position(|e| &e.id == id).ok_or_else(|| {
                        layer.error_at(
                            table_weights.span(),
                            format!("[modes.{mode}.weights] names \"{id}\", which is no element"),
                        )
                    })?;
                    weights[index] = Some(*weight);
                }
            }
            let sources: Vec<&Spanned<String>> = file.cues.iter().collect();
            cues.extend(layer.patterns(&sources, lexicon, &format!("{table} cue"))?);
        }
        let Some((n, span)) = place else {
            return Err(layers[0].error(format!("the checklist has no {table} table")));
        };
        let brevity = Self::brevity(mode, layers, &brevity_layers, (n, span.clone()))?;
        let weights: Vec<(usize, u32)> =
            weights.into_iter().enumerate().filter_map(|(i, w)| Some((i, w?))).collect();
        let total: u32 = weights.iter().map(|(_, w)| w).sum::<u32>() + brevity.weight;
        if total == 0 {
            return Err(layers[n]
                .error_at(span, format!("{table}: all weights are 0, so no score can be given")));
        }
        Ok(Rules { brevity, weights, cues })
    }

    fn brevity(
        mode: Mode,
        layers: &[Layer],
        files: &[(usize, &Spanned<BrevityFile>)],
        mode_place: (usize, std::ops::Range<usize>),
    ) -> Result<BrevityTarget, ChecklistError> {
        let (mut min_s, mut max_s, mut weight, mut tip_long, mut tip_short) =
            (None, None, None, None, None);
        for (_, b) in files {
            let b = b.get_ref();
            min_s = b.min_s.or(min_s);
            max_s = b.max_s.or(max_s);
            weight = b.weight.or(weight);
            tip_long = b.tip_long.clone().or(tip_long);
            tip_short = b.tip_short.clone().or(tip_short);
        }
        let (n, span) = files.last().map_or(mode_place, |(n, b)| (*n, b.span()));
        let table = format!("[modes.{mode}.brevity]");
        let error = |message: String| layers[n].error_at(span.clone(), message);
        let missing = |field: &str| error(format!("{table} has no {field}"));
        let target = BrevityTarget {
            min_s: min_s.ok_or_else(|| missing("min_s"))?,
            max_s: max_s.ok_or_else(|| missing("max_s"))?,
            weight: weight.ok_or_else(|| missing("weight"))?,
            tip_long: tip_long.ok_or_else(|| missing("tip_long"))?,
            tip_short: tip_short.ok_or_else(|| missing("tip_short"))?,
        };
        if !(target.min_s >= 0.0 && target.max_s > target.min_s) {
            return Err(error(format!(
                "{table}: min_s ({}) must be at least 0 and below max_s ({})",
                target.min_s, target.max_s
            )));
        }
        Ok(target)
    }
}

fn missing_field(id: &str, field: &str) -> String {
    format!("element \"{id}\" has no {field}")
}

/// The 1-based line and column of a byte offset.
pub(crate) fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

/// toml's message, led by "line L, column C" where the error has a place.
pub(crate) fn describe_toml_error(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim().to_string();
    match error.span() {
        Some(span) => {
            let (line, column) = line_and_column(text, span.start);
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error a checklist file called mine.toml gets.
    fn refusal(text: &str) -> String {
        match Checklist::parse(text, "mine.toml") {
            Ok(_) => panic!("accepted:\n{text}"),
            Err(e) => e.to_string(),
        }
    }

    fn line_of(text: &str, needle: &str) -> usize {
        text.lines().position(|l| l.contains(needle)).unwrap() + 1
    }

    fn ids(checklist: &Checklist, mode: Mode) -> Vec<&str> {
        checklist.elements_of(mode).map(|(e, _)| e.id.as_str()).collect()
    }

    #[test]
    fn the_builtin_checklist_has_the_contract_ids() {
        let checklist = Checklist::builtin();
        assert_eq!(
            ids(&checklist, Mode::Call),
            [
                "thanks",
                "job_title",
                "qualifications",
                "offer_info",
                "decision_timeline",
                "caller_name"
            ]
        );
        assert_eq!(
            ids(&checklist, Mode::Voicemail),
            [
                "thanks",
                "job_title",
                "caller_name",
                "callback_request",
                "phone_number",
                "number_repeated"
            ]
        );
        for mode in Mode::ALL {
            let total: u32 = checklist.elements_of(mode).map(|(_, w)| w).sum::<u32>()
                + checklist.rules(mode).brevity.weight;
            assert_eq!(total, 100, "{mode}");
        }
    }

    #[test]
    fn the_mode_is_told_apart_by_its_cues() {
        let checklist = Checklist::builtin();
        let mode = |text: &str| {
            checklist
                .detect_mode(&checklist.lexicon.read(text.split_whitespace().map(|w| (w, false))).0)
        };
        assert_eq!(mode("Hi, this is Dana. Thank you for the interview."), Mode::Call, "a tie");
        assert_eq!(
            mode("Hi, this is Dana. Sorry I missed you. Please call me back at 555 212 3456."),
            Mode::Voicemail
        );
        assert_eq!(
            mode("Hi, how are you? Thanks for taking my call. You can reach me at 555 212 3456."),
            Mode::Call
        );
    }

    #[test]
    fn an_element_said_twice_is_found_at_its_second_saying() {
        let checklist = Checklist::builtin();
        let twice = checklist.elements.iter().find(|e| e.id == "number_repeated").unwrap();
        let said =
            |text: &str| checklist.lexicon.read(text.split_whitespace().map(|w| (w, false))).0;
        assert_eq!(twice.find(&said("Call me at 555 212 3456. Thanks.")), None);
        let tokens = said("Call me at 555 212 3456. Again, that's five five five, two one two, three four five six.");
        assert_eq!(twice.find(&tokens), Some(Match { start: 8, end: 18 }));
    }

    #[test]
    fn malformed_files_name_the_line_and_column() {
        let broken = BUILTIN.replacen("thanks = 20", "thanks = twenty", 1);
        let err = refusal(&broken);
        let line = line_of(BUILTIN, "thanks = 20");
        assert!(err.starts_with(&format!("mine.toml: line {line}, column 10")), "{err}");
    }

    #[test]
    fn rejects_bad_content_with_the_line_and_a_reason() {
        let bad_pattern = "\"(calling|call|wanted|want|like) to thank\"";
        let cases = [
            (BUILTIN.replacen("\nversion = 2\n", "\nversion = 1\n", 1), "version 1", None),
            (
                BUILTIN.replacen("id = \"job_title\"", "id = \"thanks\"", 1),
                "element id \"thanks\" appears twice",
                Some("id = \"job_title\""),
            ),
            (
                BUILTIN.replacen(bad_pattern, "\"(calling|call|wanted to thank\"", 1),
                "element \"thanks\": \"(calling|call|wanted\" opens ( without closing it",
                Some(bad_pattern),
            ),
            (
                BUILTIN.replacen(bad_pattern, "\"{nothing} to thank\"", 1),
                "no word class \"nothing\"",
                Some(bad_pattern),
            ),
            (
                BUILTIN.replacen("min_s = 30", "min_s = 300", 1),
                "[modes.call.brevity]: min_s (300)",
                Some("[modes.call.brevity]"),
            ),
            (
                BUILTIN.replacen("caller_name = 5", "caller = 5", 1),
                "[modes.call.weights] names \"caller\", which is no element",
                Some("[modes.call.weights]"),
            ),
            (
                BUILTIN.replacen("number_repeated = 5", "", 1),
                "element \"number_repeated\" is in no mode",
                Some("id = \"number_repeated\""),
            ),
            (
                BUILTIN.replacen("[modes.voicemail]", "[modes.voicemale]", 1),
                "unknown field `voicemale`",
                None,
            ),
            (
                BUILTIN.replacen("label = \"Said who you are\"", "lable = \"x\"", 1),
                "unknown field",
                Some("label = \"Said who you are\""),
            ),
            (
                BUILTIN.replacen("label = \"Said who you are\"", "", 1),
                "element \"caller_name\" has no label",
                Some("id = \"caller_name\""),
            ),
        ];
        for (text, expected, line_of_fault) in cases {
            let err = refusal(&text);
            assert!(err.contains(expected), "{err:?} should mention {expected:?}");
            if let Some(needle) = line_of_fault {
                let line = line_of(BUILTIN, needle);
                assert!(err.starts_with(&format!("mine.toml: line {line}")), "{err:?}: {line}");
            }
        }
    }

    const EXTENSION: &str = r#"
version = 2
extends = "builtin"

[modes.call.brevity]
max_s = 90

[modes.call.weights]
thanks = 25
enthusiasm = 5

[words]
spellings = { thanks = ["cheers"] }

[[elements]]
id = "thanks"
phrases = ["thanks for the chinwag"]

[[elements]]
id = "enthusiasm"
label = "Said you still want the job"
tip = "Say that you are still keen on the job."
phrases = ["still (keen|interested|excited)"]
"#;

    #[test]
    fn an_extending_file_adds_to_and_overrides_the_builtin_one() {
        let checklist = Checklist::parse(EXTENSION, "mine.toml").unwrap();
        let builtin = Checklist::builtin();
        let call = checklist.rules(Mode::Call);
        assert_eq!(call.brevity.max_s, 90.0);
        assert_eq!(call.brevity.min_s, builtin.rules(Mode::Call).brevity.min_s);
        let call_ids = ids(&checklist, Mode::Call);
        assert_eq!(call_ids.len(), ids(&builtin, Mode::Call).len() + 1);
        assert_eq!(call_ids.last(), Some(&"enthusiasm"));
        assert_eq!(ids(&checklist, Mode::Voicemail), ids(&builtin, Mode::Voicemail));
        let (thanks, weight) = checklist.elements_of(Mode::Call).next().unwrap();
        assert_eq!((weight, thanks.label.as_str()), (25, builtin.elements[0].label.as_str()));
        assert_eq!(thanks.phrases.len(), builtin.elements[0].phrases.len() + 1);

        let said =
            |text: &str| checklist.lexicon.read(text.split_whitespace().map(|w| (w, false))).0;
        assert!(thanks.find(&said("cheers for the chinwag")).is_some(), "spellings fold");
        assert!(thanks.find(&said("thank you for your time")).is_some(), "builtin phrases stay");
    }

    #[test]
    fn an_extending_file_must_complete_new_elements_and_name_the_builtin() {
        let incomplete = EXTENSION.replace("label = \"Said you still want the job\"\n", "");
        let err = refusal(&incomplete);
        let line = line_of(EXTENSION, "id = \"enthusiasm\"");
        assert_eq!(err, format!("mine.toml: line {line}: element \"enthusiasm\" has no label"));

        let elsewhere = EXTENSION.replace("extends = \"builtin\"", "extends = \"mine.toml\"");
        let err = refusal(&elsewhere);
        assert!(err.contains("line 3: extends = \"mine.toml\": only \"builtin\""), "{err}");
    }

    #[test]
    fn unless_patterns_veto_the_matches_they_overlap() {
        let checklist = Checklist::builtin();
        let thanks = &checklist.elements[0];
        let said =
            |text: &str| checklist.lexicon.read(text.split_whitespace().map(|w| (w, false))).0;
        assert!(thanks.find(&said("thanks to my manager I had the chance to lead")).is_none());
        let both = said("thanks to my manager I had the chance to lead. Thank you for your time.");
        assert_eq!(thanks.find(&both).map(|m| m.start), Some(10), "the second sentence");
    }
}
