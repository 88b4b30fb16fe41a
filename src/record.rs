//! Recording a rehearsal: the microphone's audio goes into the take file as it arrives and
//! into the live transcription, until the speaker stops, the take reaches its length limit,
//! or the device or the disk fails. In every case the take recorded so far is kept.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::audio::{AudioError, Mixdown, MonoResampler, Samples, VoiceActivity};
use crate::capture::{Capture, CaptureError};
use crate::live::LiveTranscription;
use crate::take::TakeWriter;
use crate::transcribe::{TranscribeError, Transcriber, Transcript};

/// How often the recording side looks for new audio when none has come: a fraction of the
/// smallest device period, so the ring never waits long.
const IDLE: Duration = Duration::from_millis(5);
/// A device that delivers nothing for this long has gone away, whether or not the sound
/// system said so (a stuck driver, a USB microphone whose stream froze)…
const STALL: Duration = Duration::from_secs(2);
/// …and one that has not started yet gets this long (a Bluetooth headset can take seconds to
/// switch its microphone on).
const FIRST_AUDIO: Duration = Duration::from_secs(5);
/// The level meter's window.
const METER_S: f64 = 0.1;
/// The microphone is taken to hear nothing when the first seconds stay below this level…
const SILENT_DBFS: f64 = -60.0;
/// …over this much audio.
pub const SILENT_CHECK_S: f64 = 3.0;
/// Samples at full scale in one meter window that show the input clips, not just peaks once.
const CLIPPED_SAMPLES: usize = 3;

/// What to record.
#[derive(Debug, Clone)]
pub struct RecordOptions<'a> {
    /// An input device id (`callcoach devices`); `None` for the default.
    pub device: Option<&'a str>,
    /// Where the take is written.
    pub path: &'a Path,
    /// The take stops after this much audio, counted in recorded frames, not wall time.
    pub max_duration: Duration,
}

/// What happens while recording, for the status line.
#[derive(Debug)]
pub enum Event<'a> {
    /// Recording has started from this device: its id and what the sound system calls it.
    Started { device: &'a str, description: &'a str },
    /// Each tenth of a second of audio: how much is recorded, and its loudest level (dBFS).
    Level { elapsed_s: f64, peak_dbfs: f64 },
    /// The first seconds were silent: a muted or wrong microphone.
    Silent,
    /// The first seconds were not silent: the microphone hears the speaker.
    Hearing,
    /// The input reached full scale: the voice is distorted.
    Clipping { at_s: f64 },
    /// More of the take has been transcribed.
    Heard(&'a Transcript),
    /// The take has ended and its file is complete on disk; the last words are still being
    /// transcribed.
    Saved { at_s: f64 },
}

/// Why the take ended.
#[derive(Debug)]
pub enum Ending {
    /// The speaker stopped it (Enter, Ctrl-C, SIGTERM).
    Stopped,
    /// It reached the length limit.
    MaxDuration,
    /// The device went away, or stopped delivering audio.
    DeviceLost,
    /// The take file could not be written (a full disk): it holds what fitted, the first
    /// [`Recording::saved_s`] of the take.
    WriteFailed(io::Error),
}

/// A finished take.
#[derive(Debug)]
pub struct Recording {
    pub path: PathBuf,
    pub device: String,
    /// The take at 16 kHz mono: the same samples that decoding the saved file gives.
    pub samples: Samples,
    pub activity: VoiceActivity,
    pub transcript: Transcript,
    pub ending: Ending,
    /// Seconds of the take in the saved file: all of it, unless writing failed.
    pub saved_s: f64,
    /// Seconds of audio lost because this side fell too far behind the device.
    pub dropped_s: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error(transparent)]
    Capture(#[from] CaptureError),
    #[error("the input device {device} delivered no audio")]
    NoAudio { device: String },
    #[error("cannot create {path}: {source}")]
    Create { path: PathBuf, source: io::Error },
    #[error(transparent)]
    Audio(#[from] AudioError),
    #[error(transparent)]
    Transcribe(#[from] TranscribeError),
}

/// Records a take into `options.path` until `stop` is set or the take ends on its own, and
/// transcribes it as it goes. `on_event` is called on this thread.
pub fn record(
    options: &RecordOptions<'_>,
    transcriber: &(dyn Transcriber + Sync),
    stop: &AtomicBool,
    on_event: &mut dyn FnMut(Event<'_>),
) -> Result<Recording, RecordError> {
    let mut capture = Capture::open(options.device, options.max_duration)?;
    let (rate, channels) = (capture.sample_rate, capture.channels);
    let mut writer = TakeWriter::create(options.path, rate, channels)
        .map_err(|source| RecordError::Create { path: options.path.to_path_buf(), source })?;
    let mut resampler = MonoResampler::new(rate)?;
    let mut mixdown = Mixdown::new(usize::from(channels));
    capture.start()?;
    on_event(Event::Started { device: &capture.device, description: &capture.description });

    std::thread::scope(|scope| {
        let mut live = LiveTranscription::start(scope, transcriber);
        let mut meter = Meter::new(rate, channels);
        let mut block = Vec::new();
        let mut mono = Vec::new();
        let mut any_audio = false;
        let mut last_audio = Instant::now();
        let mut patience = FIRST_AUDIO;
        let ending = loop {
            // Read before looking at `stop`, so the audio up to the moment of stopping is kept.
            let stopping = stop.load(Ordering::Relaxed);
            block.clear();
            if capture.read(&mut block) == 0 {
                if stopping {
                    break Ending::Stopped;
                }
                if capture.lost() || last_audio.elapsed() > patience {
                    break Ending::DeviceLost;
                }
                if live.poll() {
                    on_event(Event::Heard(live.transcript()));
                }
                std::thread::sleep(IDLE);
                continue;
            }
            last_audio = Instant::now();
            patience = STALL;
            any_audio = true;
            let written = writer.write(&block);
            meter.measure(&block, on_event);
            for &sample in &block {
                // The scale that decoding a 16-bit file uses, so both paths hear the same.
                mixdown.add(f32::from(sample) / 32_768.0, &mut resampler, &mut mono);
            }
            mixdown.flush(&mut resampler, &mut mono);
            live.push(&mono);
            mono.clear();
            if live.poll() {
                on_event(Event::Heard(live.transcript()));
            }
            if let Err(e) = written {
                break Ending::WriteFailed(e);
            }
            if capture.reached_limit() {
                break Ending::MaxDuration;
            }
            if stopping {
                break Ending::Stopped;
            }
        };
        let dropped_s = capture.dropped() as f64 / f64::from(rate) / f64::from(channels);
        let device = capture.device.clone();
        // Release the device before the last words are transcribed.
        match ending {
            Ending::DeviceLost => capture.abandon(),
            _ => drop(capture),
        }
        let ending = match (ending, writer.checkpoint()) {
            (Ending::WriteFailed(e), _) | (_, Err(e)) => Ending::WriteFailed(e),
            (ending, Ok(())) => ending,
        };
        let saved_s = writer.saved_s();
        drop(writer);
        if !any_audio && matches!(ending, Ending::DeviceLost) {
            return Err(RecordError::NoAudio { device });
        }
        on_event(Event::Saved { at_s: saved_s });
        resampler.finish(&mut mono);
        live.push(&mono);
        let heard = live.finish()?;
        Ok(Recording {
            path: options.path.to_path_buf(),
            device,
            samples: heard.samples,
            activity: heard.activity,
            transcript: heard.transcript,
            ending,
            saved_s,
            dropped_s,
        })
    })
}

/// The level meter and the live warnings, measured on the device's own samples.
struct Meter {
    window: usize,
    in_window: usize,
    peak: i32,
    clipped: usize,
    samples_per_s: f64,
    recorded: u64,
    loudest: i32,
    silence_checked: bool,
}

impl Meter {
    fn new(rate: u32, channels: u16) -> Self {
        let samples_per_s = f64::from(rate) * f64::from(channels);
        Self {
            window: ((samples_per_s * METER_S) as usize).max(1),
            in_window: 0,
            peak: 0,
            clipped: 0,
            samples_per_s,
            recorded: 0,
            loudest: 0,
            silence_checked: false,
        }
    }

    fn measure(&mut self, block: &[i16], on_event: &mut dyn FnMut(Event<'_>)) {
        for &sample in block {
            let level = i32::from(sample).abs();
            self.peak = self.peak.max(level);
            if level >= i32::from(i16::MAX) {
                self.clipped += 1;
            }
            self.in_window += 1;
            if self.in_window == self.window {
                self.end_window(on_event);
            }
        }
    }

    fn end_window(&mut self, on_event: &mut dyn FnMut(Event<'_>)) {
        self.recorded += self.in_window as u64;
        let elapsed_s = self.recorded as f64 / self.samples_per_s;
        let peak_dbfs = if self.peak == 0 {
            f64::NEG_INFINITY
        } else {
            20.0 * (f64::from(self.peak) / 32_768.0).log10()
        };
        on_event(Event::Level { elapsed_s, peak_dbfs });
        if self.clipped >= CLIPPED_SAMPLES {
            on_event(Event::Clipping { at_s: elapsed_s });
        }
        self.loudest = self.loudest.max(self.peak);
        if !self.silence_checked && elapsed_s >= SILENT_CHECK_S {
            self.silence_checked = true;
            let loudest_dbfs = 20.0 * (f64::from(self.loudest.max(1)) / 32_768.0).log10();
            if loudest_dbfs < SILENT_DBFS {
                on_event(Event::Silent);
            } else {
                on_event(Event::Hearing);
            }
        }
        self.in_window = 0;
        self.peak = 0;
        self.clipped = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(rate: u32, channels: u16, blocks: &[Vec<i16>]) -> Vec<String> {
        let mut meter = Meter::new(rate, channels);
        let mut seen = Vec::new();
        for block in blocks {
            meter.measure(block, &mut |event| {
                seen.push(match event {
                    Event::Level { elapsed_s, peak_dbfs } => {
                        format!("level {elapsed_s:.1} {peak_dbfs:.0}")
                    }
                    Event::Silent => "silent".to_string(),
                    Event::Hearing => "hearing".to_string(),
                    Event::Clipping { at_s } => format!("clipping {at_s:.1}"),
                    other => format!("{other:?}"),
                })
            });
        }
        seen
    }

    #[test]
    fn the_meter_reports_each_tenth_of_a_second_and_its_peak() {
        // 0.25 s of stereo at 1 kHz, a peak of half scale in the second tenth.
        let mut block = vec![0_i16; 500];
        block[300] = 16_384;
        let seen = events(1_000, 2, &[block]);
        assert_eq!(seen, ["level 0.1 -inf", "level 0.2 -6"]);
    }

    #[test]
    fn silence_in_the_first_seconds_and_clipping_are_warned_of() {
        let quiet = vec![vec![3_i16; 1_000]; 4];
        let seen = events(1_000, 1, &quiet);
        assert_eq!(seen.iter().filter(|e| *e == "silent").count(), 1, "{seen:?}");

        let mut loud = vec![1_000_i16; 1_000];
        loud[10..14].fill(i16::MAX);
        loud[500] = i16::MIN;
        let seen = events(1_000, 1, &[loud.clone(), loud]);
        assert!(seen.contains(&"clipping 0.1".to_string()), "{seen:?}");
        assert!(!seen.iter().any(|e| e == "silent" || e == "clipping 0.6"), "{seen:?}");
    }
}
