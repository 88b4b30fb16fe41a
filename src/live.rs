//! Transcribing a take while it is being recorded, so that the report is ready the moment
//! the speaker stops.
//!
//! The take is cut into parts at the pauses between phrases, found from the audio's energy
//! ([`LevelTrack`]). Each part goes to a worker thread and is transcribed while the speaker
//! goes on, its words' times counted from the start of the take. When the take stops only
//! the part since the last pause is left.

use std::sync::mpsc;
use std::thread::{Scope, ScopedJoinHandle};

use crate::audio::{LevelTrack, Samples, VoiceActivity, SAMPLE_RATE};
use crate::transcribe::{Part, TranscribeError, Transcriber, Transcript};

/// A part is cut at the first pause this long (on top of the 0.2 s that voice activity holds
/// on after a word): the gap between sentences, not the catch of breath inside one.
const PAUSE_S: f64 = 0.3;
/// How far into the pause the cut goes: the part ends with 0.3 s of quiet after its last word,
/// and the next starts with at least 0.2 s before its first.
const CUT_INTO_PAUSE_S: f64 = 0.1;
/// The shortest part while the worker is busy: Whisper hears a sentence or two better than a
/// few words, and each part costs a whole encoder pass, so short parts would pile up.
const MIN_PART_S: f64 = 3.0;
/// The shortest part while the worker is idle. The speaker may have just said their last
/// words: transcribing them now, with time to spare, is what makes the report immediate.
const MIN_IDLE_PART_S: f64 = 1.0;
/// A speaker who never pauses is cut at the quietest moment before this length; it is well
/// inside the 30 s that Whisper hears at once.
const MAX_PART_S: f64 = 20.0;
/// How much new audio makes it worth looking for a pause again.
const CHECK_EVERY: usize = SAMPLE_RATE as usize / 10;

struct Job {
    samples: Vec<f32>,
    start_s: f64,
    activity: VoiceActivity,
}

/// What was heard when the take stopped.
pub struct Heard {
    /// The whole take at 16 kHz mono.
    pub samples: Samples,
    /// Its voice activity: the same as [`VoiceActivity::detect`] on `samples`.
    pub activity: VoiceActivity,
    pub transcript: Transcript,
}

/// A take being transcribed as it is recorded.
pub struct LiveTranscription<'scope> {
    samples: Vec<f32>,
    levels: LevelTrack,
    /// Where the part being heard now starts, in samples; always on a frame boundary.
    part_start: usize,
    /// The take's length when pauses were last looked for.
    checked: usize,
    jobs: mpsc::Sender<Job>,
    done: mpsc::Receiver<Result<Transcript, TranscribeError>>,
    /// Parts sent to the worker and not yet back.
    in_flight: usize,
    transcript: Transcript,
    failure: Option<TranscribeError>,
    worker: ScopedJoinHandle<'scope, ()>,
}

impl<'scope> LiveTranscription<'scope> {
    /// Starts the worker thread that transcribes the parts, in order, with `transcriber`.
    pub fn start<'env>(
        scope: &'scope Scope<'scope, 'env>,
        transcriber: &'env (dyn Transcriber + Sync),
    ) -> Self {
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (outbox, done) = mpsc::channel();
        let worker = scope.spawn(move || {
            for job in inbox {
                let part =
                    Part { samples: &job.samples, start_s: job.start_s, activity: &job.activity };
                if outbox.send(transcriber.transcribe_part(&part)).is_err() {
                    break;
                }
            }
        });
        Self {
            samples: Vec::new(),
            levels: LevelTrack::default(),
            part_start: 0,
            checked: 0,
            jobs,
            done,
            in_flight: 0,
            transcript: Transcript::default(),
            failure: None,
            worker,
        }
    }

    /// Adds the next 16 kHz mono samples of the take, and sends off each part that ends in
    /// a pause.
    pub fn push(&mut self, samples: &[f32]) {
        self.samples.extend_from_slice(samples);
        self.levels.push(samples);
        if self.samples.len() - self.checked < CHECK_EVERY {
            return;
        }
        self.checked = self.samples.len();
        let activity = self.levels.activity();
        while let Some(cut) = self.next_cut(&activity) {
            self.send(cut, &activity);
        }
    }

    /// Where the part being heard should end, if it should end yet.
    fn next_cut(&self, activity: &VoiceActivity) -> Option<usize> {
        let start_s = seconds(self.part_start);
        let now_s = seconds(self.samples.len());
        let min_s = if self.in_flight == 0 { MIN_IDLE_PART_S } else { MIN_PART_S };
        let cut = activity
            .pauses(start_s, PAUSE_S)
            .into_iter()
            .map(|(pause_s, _)| pause_s + CUT_INTO_PAUSE_S)
            .find(|&cut_s| cut_s >= start_s + min_s);
        if let Some(cut_s) = cut {
            return Some(frame_at(cut_s));
        }
        if now_s - start_s < MAX_PART_S {
            return None;
        }
        // No pause yet: the middle of the longest gap, or failing that, right here.
        let gap = activity
            .pauses(start_s + MIN_PART_S, 0.0)
            .into_iter()
            .max_by(|a, b| (a.1 - a.0).total_cmp(&(b.1 - b.0)));
        Some(gap.map_or(frame_at(now_s), |(from, to)| frame_at((from + to) / 2.0)))
    }

    fn send(&mut self, end: usize, activity: &VoiceActivity) {
        let end = end.min(self.samples.len());
        let start_s = seconds(self.part_start);
        let job = Job {
            samples: self.samples[self.part_start..end].to_vec(),
            start_s,
            activity: activity.slice(start_s, seconds(end)),
        };
        self.part_start = end;
        // The worker only stops when this side is gone, or on a panic that surfaces at `finish`.
        if self.jobs.send(job).is_ok() {
            self.in_flight += 1;
        }
    }

    /// Takes in the parts transcribed since the last call; says whether there were any.
    pub fn poll(&mut self) -> bool {
        let mut any = false;
        while let Ok(heard) = self.done.try_recv() {
            self.take_in(heard);
            any = true;
        }
        any
    }

    fn take_in(&mut self, heard: Result<Transcript, TranscribeError>) {
        self.in_flight -= 1;
        match heard {
            Ok(part) => self.transcript.words.extend(part.words),
            Err(e) => {
                self.failure.get_or_insert(e);
            }
        }
    }

    /// What has been transcribed so far.
    pub fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    /// Transcribes what is left since the last pause and waits for every part.
    pub fn finish(mut self) -> Result<Heard, TranscribeError> {
        let activity = self.levels.activity();
        if self.part_start < self.samples.len() {
            self.send(self.samples.len(), &activity);
        }
        while self.in_flight > 0 {
            match self.done.recv() {
                Ok(heard) => self.take_in(heard),
                Err(_) => break,
            }
        }
        drop(self.jobs);
        if let Err(panic) = self.worker.join() {
            std::panic::resume_unwind(panic);
        }
        match self.failure {
            Some(e) => Err(e),
            None => Ok(Heard {
                samples: Samples::new(self.samples),
                activity,
                transcript: self.transcript,
            }),
        }
    }
}

fn seconds(samples: usize) -> f64 {
    samples as f64 / f64::from(SAMPLE_RATE)
}

/// The sample at the frame boundary nearest to a time, so parts never split a level frame.
fn frame_at(seconds: f64) -> usize {
    let frames = (seconds * f64::from(SAMPLE_RATE) / LevelTrack::FRAME_LEN as f64).round();
    frames as usize * LevelTrack::FRAME_LEN
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcribe::Word;
    use std::sync::Mutex;

    /// Says one word per part, "w<start in tenths of a second>", spanning the part, and
    /// remembers each part's start and length.
    #[derive(Default)]
    struct Recorder {
        parts: Mutex<Vec<(f64, f64)>>,
    }

    impl Transcriber for Recorder {
        fn transcribe(
            &self,
            _: &Samples,
            _: &VoiceActivity,
            _: Box<dyn FnMut(u8)>,
        ) -> Result<Transcript, TranscribeError> {
            unreachable!("live transcription hears parts")
        }

        fn transcribe_part(&self, part: &Part<'_>) -> Result<Transcript, TranscribeError> {
            let length_s = seconds(part.samples.len());
            self.parts.lock().unwrap().push((part.start_s, length_s));
            if !part.activity.has_speech() {
                return Ok(Transcript::default());
            }
            let word = Word {
                text: format!("w{}", (part.start_s * 10.0).round()),
                start_s: part.start_s,
                end_s: part.start_s + length_s,
            };
            Ok(Transcript { words: vec![word] })
        }
    }

    fn tone(seconds: f64) -> Vec<f32> {
        let n = (seconds * f64::from(SAMPLE_RATE)) as usize;
        (0..n).map(|i| 0.3 * (i as f32 * 0.2).sin()).collect()
    }

    fn silence(seconds: f64) -> Vec<f32> {
        vec![0.0; (seconds * f64::from(SAMPLE_RATE)) as usize]
    }

    fn run(take: &[f32], piece: usize) -> (Heard, Vec<(f64, f64)>) {
        let transcriber = Recorder::default();
        let heard = std::thread::scope(|scope| {
            let mut live = LiveTranscription::start(scope, &transcriber);
            for chunk in take.chunks(piece) {
                live.push(chunk);
                live.poll();
            }
            live.finish().unwrap()
        });
        (heard, transcriber.parts.into_inner().unwrap())
    }

    #[test]
    fn parts_end_in_pauses_and_their_words_keep_the_takes_times() {
        // Four phrases 1 s apart; a part holds at least MIN_PART_S.
        let mut take = silence(0.5);
        for _ in 0..3 {
            take.extend(tone(2.5));
            take.extend(silence(1.0));
        }
        take.extend(tone(1.0));
        let (heard, parts) = run(&take, 1_000);
        let starts: Vec<f64> = parts.iter().map(|p| p.0).collect();
        // Pauses start 0.2 s after each phrase; parts end 0.1 s into them.
        assert_eq!(starts, [0.0, 3.3, 6.8, 10.3], "{parts:?}");
        assert_eq!(heard.transcript.text(), "w0 w33 w68 w103");
        assert_eq!(heard.samples.data, take);
        let whole = VoiceActivity::detect(&heard.samples);
        assert_eq!(heard.activity.speech_s(), whole.speech_s());
    }

    #[test]
    fn an_idle_worker_takes_a_short_last_phrase_at_once() {
        let mut take = silence(0.5);
        take.extend(tone(1.0));
        take.extend(silence(3.0));
        let (heard, parts) = run(&take, take.len());
        // Cut 0.1 s into the pause that starts at 1.7 s, before the take ends; the rest is quiet.
        assert_eq!(parts, [(0.0, 1.8), (1.8, 2.7)]);
        assert_eq!(heard.transcript.text(), "w0");
    }

    #[test]
    fn the_way_the_audio_arrives_does_not_change_the_parts() {
        let mut take = Vec::new();
        for _ in 0..4 {
            take.extend(tone(3.5));
            take.extend(silence(0.8));
        }
        let (_, small) = run(&take, 160);
        let (_, large) = run(&take, 48_000);
        let starts = |parts: &[(f64, f64)]| parts.iter().map(|p| p.0).collect::<Vec<_>>();
        assert_eq!(starts(&small), [0.0, 3.8, 8.1, 12.4, 16.7]);
        assert_eq!(starts(&small), starts(&large));
    }

    #[test]
    fn a_speaker_who_never_pauses_is_cut_before_whisper_s_window_fills() {
        let mut take = silence(4.0);
        take.extend(tone(30.0));
        let (heard, parts) = run(&take, 4_000);
        assert_eq!(parts.len(), 3, "{parts:?}");
        // The longest gap after the shortest part is the end of the opening silence.
        assert!((parts[1].0 - 3.5).abs() < 1e-9, "{parts:?}");
        assert!(parts.iter().all(|p| p.1 <= MAX_PART_S + 0.25), "{parts:?}");
        assert_eq!(heard.samples.duration_s(), 34.0);
        assert_eq!(heard.transcript.words.len(), 2, "the opening silence says nothing");
    }

    #[test]
    fn silence_is_sent_once_and_says_nothing() {
        let (heard, parts) = run(&silence(5.0), 8_000);
        assert_eq!(parts.len(), 1);
        assert!(heard.transcript.words.is_empty());
    }
}
