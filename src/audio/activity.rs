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
    /// The level (dBFS) that most of the quiet frames sit at: background noise.
    pub noise_floor_dbfs: f64,
}

impl VoiceActivity {
    pub fn detect(samples: &Samples) -> Self {
        let frame_len = (FRAME_S * f64::from(SAMPLE_RATE)) as usize;
        let levels: Vec<f64> = samples.data.chunks(frame_len).map(level_dbfs).collect();
        let noise_floor_dbfs = percentile(&levels, 0.10).unwrap_or(-120.0);
        let threshold = (noise_floor_dbfs + ABOVE_FLOOR_DB).max(MIN_VOICE_DBFS);
        let hangover = (HANGOVER_S / FRAME_S) as usize;
        let mut voiced = Vec::with_capacity(levels.len());
        let mut hold = 0;
        for level in &levels {
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
        Self { voiced, noise_floor_dbfs }
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
        let first = (start_s.max(0.0) / FRAME_S) as usize;
        let last = ((end_s.max(0.0) / FRAME_S).ceil() as usize).min(self.voiced.len());
        self.voiced.get(first..last.max(first)).is_some_and(|frames| frames.iter().any(|&v| v))
    }
}

fn level_dbfs(frame: &[f32]) -> f64 {
    let power =
        frame.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / frame.len() as f64;
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
}
