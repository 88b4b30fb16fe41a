//! Where a take holds voice, from its energy: the measure of speaking time, and the guard
//! against Whisper "hearing" words in silence.

use super::{Samples, SAMPLE_RATE};

/// Frame length for the energy measure: short enough to find the gaps between phrases.
const FRAME_S: f64 = 0.02;
/// A frame is voiced when it stands this far above the take's noise floor…
const ABOVE_FLOOR_DB: f64 = 12.0;
/// …and above this absolute level, so that near-silence is never voice.
const MIN_VOICE_DBFS: f64 = -50.0;
/// Voiced stretches are held this long after the energy drops: word endings are quiet.
const HANGOVER_S: f64 = 0.2;
/// Less voiced time than this in a whole take is treated as no speech at all.
const MIN_SPEECH_S: f64 = 0.3;

/// Which 20 ms frames of a take are voiced.
#[derive(Debug, Clone)]
pub struct VoiceActivity {
    voiced: Vec<bool>,
    /// Each frame's level (dBFS).
    levels: Vec<f64>,
    /// The level (dBFS) that most of the quiet frames sit at: background noise.
    pub noise_floor_dbfs: f64,
    /// The level a frame must reach to count as voice, before the hangover.
    threshold_dbfs: f64,
}

impl VoiceActivity {
    pub fn detect(samples: &Samples) -> Self {
        let mut levels = LevelTrack::default();
        levels.push(&samples.data);
        levels.activity()
    }

    fn from_levels(levels: &[f64]) -> Self {
        let noise_floor_dbfs = percentile(levels, 0.10).unwrap_or(-120.0);
        let threshold = (noise_floor_dbfs + ABOVE_FLOOR_DB).max(MIN_VOICE_DBFS);
        let hangover = (HANGOVER_S / FRAME_S) as usize;
        let mut voiced = Vec::with_capacity(levels.len());
        let mut hold = 0;
        for level in levels {
            if *level >= threshold {
                hold = hangover;
                voiced.push(true);
            } else if hold > 0 {
                hold -= 1;
                voiced.push(true);
            } else {
                voiced.push(false);
            }
        }
        Self { voiced, levels: levels.to_vec(), noise_floor_dbfs, threshold_dbfs: threshold }
    }

    /// The typical level of the voice: the median level of the frames loud enough to be
    /// voice; `None` for a take without any.
    pub fn speech_level_dbfs(&self) -> Option<f64> {
        let loud: Vec<f64> =
            self.levels.iter().copied().filter(|&l| l >= self.threshold_dbfs).collect();
        percentile(&loud, 0.5)
    }

    /// The level of the voice between two times: the mean power of its frames loud enough
    /// to be voice, in dBFS; `None` where there are none.
    pub fn voice_level_between(&self, start_s: f64, end_s: f64) -> Option<f64> {
        let loud: Vec<f64> = self.levels[self.frames(start_s, end_s)]
            .iter()
            .copied()
            .filter(|&l| l >= self.threshold_dbfs)
            .collect();
        (!loud.is_empty()).then(|| {
            let power = loud.iter().map(|l| 10f64.powf(l / 10.0)).sum::<f64>() / loud.len() as f64;
            10.0 * power.log10()
        })
    }

    /// The stretches between two times whose every frame is loud enough to be voice (no
    /// hangover), as (start, end) times.
    pub fn islands(&self, start_s: f64, end_s: f64) -> Vec<(f64, f64)> {
        let range = self.frames(start_s, end_s);
        let mut islands = Vec::new();
        let mut run_start = None;
        for i in range.clone().chain(std::iter::once(range.end)) {
            let loud = i < range.end && self.levels[i] >= self.threshold_dbfs;
            match (loud, run_start) {
                (true, None) => run_start = Some(i),
                (false, Some(start)) => {
                    islands.push((start as f64 * FRAME_S, i as f64 * FRAME_S));
                    run_start = None;
                }
                _ => {}
            }
        }
        islands
    }

    /// Seconds of the take that hold voice.
    pub fn speech_s(&self) -> f64 {
        self.voiced.iter().filter(|&&v| v).count() as f64 * FRAME_S
    }

    /// Whether the take holds enough voice to be worth transcribing.
    pub fn has_speech(&self) -> bool {
        self.speech_s() >= MIN_SPEECH_S
    }

    /// Whether any frame between the two times is voiced.
    pub fn voiced_between(&self, start_s: f64, end_s: f64) -> bool {
        self.voiced.get(self.frames(start_s, end_s)).is_some_and(|frames| frames.iter().any(|&v| v))
    }

    /// The activity of the stretch between two times, judged against the whole take's noise
    /// floor, with times counted from `start_s`: what a part of a take is transcribed with.
    pub fn slice(&self, start_s: f64, end_s: f64) -> Self {
        let frames = self.frames(start_s, end_s);
        Self {
            voiced: self.voiced[frames.clone()].to_vec(),
            levels: self.levels[frames].to_vec(),
            noise_floor_dbfs: self.noise_floor_dbfs,
            threshold_dbfs: self.threshold_dbfs,
        }
    }

    /// The unvoiced stretches at or after `from_s` that last at least `min_s`, as (start, end)
    /// times; the last one may run on to the end of the take.
    pub fn pauses(&self, from_s: f64, min_s: f64) -> Vec<(f64, f64)> {
        let first = self.frames(from_s, from_s).start;
        let min_frames = ((min_s / FRAME_S).round() as usize).max(1);
        let mut pauses = Vec::new();
        let mut run_start = None;
        for (i, &voiced) in self.voiced.iter().enumerate().skip(first) {
            match (voiced, run_start) {
                (false, None) => run_start = Some(i),
                (true, Some(start)) => {
                    if i - start >= min_frames {
                        pauses.push((start as f64 * FRAME_S, i as f64 * FRAME_S));
                    }
                    run_start = None;
                }
                _ => {}
            }
        }
        if let Some(start) = run_start.filter(|&start| self.voiced.len() - start >= min_frames) {
            pauses.push((start as f64 * FRAME_S, self.voiced.len() as f64 * FRAME_S));
        }
        pauses
    }

    /// The frames between two times, clamped to the take.
    fn frames(&self, start_s: f64, end_s: f64) -> std::ops::Range<usize> {
        // Rounding guards against times like 0.06 / 0.02 = 2.9999…
        let first = ((start_s.max(0.0) / FRAME_S + 1e-6) as usize).min(self.voiced.len());
        let last = ((end_s.max(0.0) / FRAME_S - 1e-6).ceil() as usize).min(self.voiced.len());
        first..last.max(first)
    }
}

/// The frame levels of a take that is still growing: [`VoiceActivity::detect`] for audio
/// that arrives in pieces. Judged on the same samples, both give the same activity.
#[derive(Debug, Clone, Default)]
pub struct LevelTrack {
    levels: Vec<f64>,
    /// The samples of a frame not yet complete.
    partial: Vec<f32>,
}

impl LevelTrack {
    /// The length of a frame in samples: where a take can be cut without splitting one.
    pub const FRAME_LEN: usize = (FRAME_S * SAMPLE_RATE as f64) as usize;

    pub fn push(&mut self, mut samples: &[f32]) {
        if !self.partial.is_empty() {
            let take = (Self::FRAME_LEN - self.partial.len()).min(samples.len());
            self.partial.extend_from_slice(&samples[..take]);
            samples = &samples[take..];
            if self.partial.len() < Self::FRAME_LEN {
                return;
            }
            self.levels.push(level_dbfs(&self.partial));
            self.partial.clear();
        }
        let mut frames = samples.chunks_exact(Self::FRAME_LEN);
        self.levels.extend(frames.by_ref().map(level_dbfs));
        self.partial.extend_from_slice(frames.remainder());
    }

    /// The activity of everything pushed so far, a last short frame included.
    pub fn activity(&self) -> VoiceActivity {
        if self.partial.is_empty() {
            return VoiceActivity::from_levels(&self.levels);
        }
        let mut levels = self.levels.clone();
        levels.push(level_dbfs(&self.partial));
        VoiceActivity::from_levels(&levels)
    }
}

/// The frame's power around its own mean: a DC offset (a cheap microphone, a bad converter)
/// is not voice, and counted as level it would drown the difference speech makes.
fn level_dbfs(frame: &[f32]) -> f64 {
    let n = frame.len() as f64;
    let mean = frame.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let power = frame.iter().map(|&v| (f64::from(v) - mean).powi(2)).sum::<f64>() / n;
    (10.0 * power.log10()).max(-120.0)
}

fn percentile(values: &[f64], fraction: f64) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted.get(index).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn burst(seconds: f64, amplitude: f32) -> Vec<f32> {
        let n = (seconds * f64::from(SAMPLE_RATE)) as usize;
        (0..n).map(|i| amplitude * (i as f32 * 0.2).sin()).collect()
    }

    #[test]
    fn silence_holds_no_speech() {
        let activity = VoiceActivity::detect(&Samples::new(vec![0.0; 16_000 * 3]));
        assert!(!activity.has_speech());
        assert_eq!(activity.speech_s(), 0.0);
    }

    #[test]
    fn a_dc_offset_neither_hides_speech_nor_is_speech() {
        let mut take = burst(2.0, 0.0);
        take.extend(burst(1.0, 0.3));
        take.extend(burst(2.0, 0.0));
        let shifted: Vec<f32> = take.iter().map(|v| v + 0.3).collect();
        let activity = VoiceActivity::detect(&Samples::new(shifted));
        assert!((activity.speech_s() - 1.0).abs() < 0.3, "{}", activity.speech_s());
        let constant = VoiceActivity::detect(&Samples::new(vec![0.5; 16_000 * 3]));
        assert!(!constant.has_speech());
    }

    #[test]
    fn steady_noise_is_not_speech() {
        // A hum at a constant level is the floor itself, however loud.
        let activity = VoiceActivity::detect(&Samples::new(burst(3.0, 0.05)));
        assert!(!activity.has_speech(), "speech_s {}", activity.speech_s());
    }

    #[test]
    fn measures_voiced_time_and_places_it() {
        let mut data = vec![0.0; 16_000];
        data.extend(burst(2.0, 0.3));
        data.extend(vec![0.0; 32_000]);
        let activity = VoiceActivity::detect(&Samples::new(data));
        let speech = activity.speech_s();
        assert!((speech - 2.2).abs() < 0.05, "speech_s {speech}");
        assert!(activity.voiced_between(1.5, 1.6));
        assert!(!activity.voiced_between(0.0, 0.9));
        assert!(!activity.voiced_between(3.5, 5.0));
    }

    #[test]
    fn levels_pushed_in_pieces_give_the_same_activity() {
        let mut data = vec![0.0; 7_000];
        data.extend(burst(1.3, 0.3));
        data.extend(vec![0.001; 9_123]);
        let whole = VoiceActivity::detect(&Samples::new(data.clone()));
        let mut track = LevelTrack::default();
        for piece in data.chunks(777) {
            track.push(piece);
        }
        let pieces = track.activity();
        assert_eq!(pieces.voiced, whole.voiced);
        assert_eq!(pieces.noise_floor_dbfs, whole.noise_floor_dbfs);
    }

    #[test]
    fn measures_the_voice_level_and_its_loud_runs() {
        // 1 s silence, 0.5 s at one level, 0.3 s of silence, 1 s 12 dB quieter.
        let mut data = vec![0.0; 16_000];
        data.extend(burst(0.5, 0.4));
        data.extend(vec![0.0; 4_800]);
        data.extend(burst(1.0, 0.1));
        let activity = VoiceActivity::detect(&Samples::new(data));
        let loud = activity.voice_level_between(1.0, 1.5).unwrap();
        let quiet = activity.voice_level_between(1.8, 2.8).unwrap();
        assert!((loud - quiet - 12.04).abs() < 0.1, "{loud} {quiet}");
        assert_eq!(activity.voice_level_between(0.0, 0.9), None);
        let typical = activity.speech_level_dbfs().unwrap();
        assert!((typical - quiet).abs() < 0.2, "the median frame is a quiet one: {typical}");
        let islands = activity.islands(0.0, 3.0);
        assert_eq!(islands.len(), 2, "{islands:?}");
        let (start, end) =
            islands.into_iter().max_by(|a, b| (a.1 - a.0).total_cmp(&(b.1 - b.0))).unwrap();
        assert!((start - 1.8).abs() < 1e-9 && (end - 2.8).abs() < 1e-9, "{start} {end}");
        assert_eq!(activity.islands(0.0, 0.9), []);
    }

    #[test]
    fn finds_pauses_and_slices_keep_the_takes_floor() {
        // 1 s silence, 1 s voice, 0.5 s silence, 1 s voice, 1 s silence.
        let mut data = vec![0.0; 16_000];
        data.extend(burst(1.0, 0.3));
        data.extend(vec![0.0; 8_000]);
        data.extend(burst(1.0, 0.3));
        data.extend(vec![0.0; 16_000]);
        let activity = VoiceActivity::detect(&Samples::new(data));
        let near = |a: f64, b: f64| (a - b).abs() < 1e-9;
        let pauses = activity.pauses(0.0, 0.2);
        assert_eq!(pauses.len(), 3, "{pauses:?}");
        // Each voiced stretch is held 0.2 s past its end.
        assert!(near(pauses[0].0, 0.0) && near(pauses[0].1, 1.0), "{pauses:?}");
        assert!(near(pauses[1].0, 2.2) && near(pauses[1].1, 2.5), "{pauses:?}");
        assert!(near(pauses[2].0, 3.7) && near(pauses[2].1, 4.5), "{pauses:?}");
        assert_eq!(activity.pauses(2.4, 0.5).len(), 1, "only the trailing pause is long enough");

        let part = activity.slice(2.0, 4.5);
        assert_eq!(part.noise_floor_dbfs, activity.noise_floor_dbfs);
        assert!((part.speech_s() - 1.4).abs() < 1e-9, "{}", part.speech_s());
        assert!(part.voiced_between(0.0, 0.1) && !part.voiced_between(0.3, 0.45));
    }
}
