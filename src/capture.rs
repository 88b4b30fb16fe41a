//! The microphone: the one module that talks to the sound system (through cpal).
//!
//! The audio callback runs on the sound system's thread, where a late return loses audio.
//! It only converts the samples to 16 bits and pushes them into a wait-free ring buffer; it
//! never locks, allocates or does I/O. Writing, resampling and transcribing happen on other
//! threads, which read the ring through [`Capture::read`].

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample};

/// Seconds of audio the ring holds. A real microphone fills it at real time, so this is how
/// long the reading side may stall (a slow disk syncing the take) before audio is lost; a
/// test device that plays a file unpaced fills it in milliseconds, and a whole test take fits.
const RING_S: usize = 60;

/// An input device as `callcoach devices` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InputDevice {
    /// What `--device` takes, e.g. `alsa:default`.
    pub id: String,
    pub description: String,
    pub sample_rate: u32,
    pub channels: u16,
    pub is_default: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error("no microphone found: this computer has no audio input device")]
    NoInput,
    #[error("there is no input device `{name}`")]
    UnknownDevice { name: String },
    #[error("the input device {device} cannot be used: {reason}")]
    Unusable { device: String, reason: String },
    #[error("the sound system cannot be used: {0}")]
    Host(String),
}

/// The input devices that can record, the default one marked.
pub fn input_devices() -> Result<Vec<InputDevice>, CaptureError> {
    quiet_sound_system();
    let host = cpal::default_host();
    let default_id = host.default_input_device().and_then(|d| d.id().ok());
    let devices = host.input_devices().map_err(|e| CaptureError::Host(e.to_string()))?;
    Ok(devices
        .filter_map(|device| {
            // A device without a default input configuration cannot record: not a microphone.
            let config = device.default_input_config().ok()?;
            let id = device.id().ok()?;
            if is_discarding(&id.to_string()) {
                return None;
            }
            Some(InputDevice {
                id: id.to_string(),
                description: description_of(&device).unwrap_or_default(),
                sample_rate: config.sample_rate(),
                channels: config.channels(),
                is_default: Some(&id) == default_id.as_ref(),
            })
        })
        .collect())
}

/// What the sound system calls a device ("USB Audio, Microphone"), where it says anything.
fn description_of(device: &cpal::Device) -> Option<String> {
    device.description().ok().map(|d| d.name().to_string()).filter(|d| !d.trim().is_empty())
}

/// ALSA's null device (and PulseAudio's or PipeWire's null sink): it records zeros from no
/// microphone at all, so it is never listed as one. It can still be named with `--device`.
fn is_discarding(id: &str) -> bool {
    let pcm = id.split_once(':').map_or(id, |(_, pcm)| pcm);
    pcm == "null" || pcm.starts_with("null:") || pcm.ends_with("null.monitor")
}

/// What the callback and the sound system's error handler report to the reading side.
#[derive(Default)]
struct Health {
    /// Samples of the take that the ring had no room for.
    dropped: AtomicU64,
    /// The device went away (unplugged, or its driver failed).
    lost: AtomicBool,
}

/// A microphone being recorded: 16-bit interleaved samples at the device's own rate and
/// channel count, waiting in the ring until [`Capture::read`] takes them, up to a limit.
pub struct Capture {
    stream: cpal::Stream,
    samples: rtrb::Consumer<i16>,
    health: Arc<Health>,
    /// Samples the take is limited to, and those read so far.
    limit: u64,
    read: u64,
    /// The device's id, e.g. `alsa:default`.
    pub device: String,
    /// What the sound system calls it ("USB Audio, Microphone"), or the id where it says
    /// nothing.
    pub description: String,
    pub sample_rate: u32,
    pub channels: u16,
}

impl Capture {
    /// Opens the default input device, or the one `name`d by its id as `callcoach devices`
    /// shows it (with or without the `alsa:` host prefix), to record at most `limit` of
    /// audio, counted in the device's frames. Recording starts with [`start`].
    ///
    /// [`start`]: Capture::start
    pub fn open(name: Option<&str>, limit: Duration) -> Result<Self, CaptureError> {
        quiet_sound_system();
        let host = cpal::default_host();
        let device = match name {
            None => host.default_input_device().ok_or(CaptureError::NoInput)?,
            Some(name) => find_device(&host, name)?,
        };
        let id =
            device.id().map_or_else(|_| name.unwrap_or("default").to_string(), |id| id.to_string());
        let description = description_of(&device).unwrap_or_else(|| id.clone());
        let unusable = |error: cpal::Error| CaptureError::Unusable {
            device: id.clone(),
            reason: error.to_string(),
        };
        // Where a sound system always offers a default device (ALSA does, even with no sound
        // card), only its configuration tells whether a microphone is really there.
        let config = device.default_input_config().map_err(|e| {
            if name.is_none() && e.kind() == cpal::ErrorKind::DeviceNotAvailable {
                CaptureError::NoInput
            } else {
                unusable(e)
            }
        })?;
        let (sample_rate, channels) = (config.sample_rate(), config.channels());
        let capacity = RING_S * sample_rate as usize * usize::from(channels);
        let (ring, samples) = rtrb::RingBuffer::new(capacity);
        let health = Arc::new(Health::default());
        let frames = (limit.as_secs_f64() * f64::from(sample_rate)).round() as u64;
        let limit = frames * u64::from(channels);
        let feed = Feed {
            ring,
            channels: usize::from(channels),
            left: limit,
            health: Arc::clone(&health),
        };
        let format = config.sample_format();
        let config: cpal::StreamConfig = config.into();
        let stream = match format {
            SampleFormat::I8 => build::<i8>(&device, config, feed),
            SampleFormat::I16 => build::<i16>(&device, config, feed),
            SampleFormat::I24 => build::<cpal::I24>(&device, config, feed),
            SampleFormat::I32 => build::<i32>(&device, config, feed),
            SampleFormat::I64 => build::<i64>(&device, config, feed),
            SampleFormat::U8 => build::<u8>(&device, config, feed),
            SampleFormat::U16 => build::<u16>(&device, config, feed),
            SampleFormat::U24 => build::<cpal::U24>(&device, config, feed),
            SampleFormat::U32 => build::<u32>(&device, config, feed),
            SampleFormat::U64 => build::<u64>(&device, config, feed),
            SampleFormat::F32 => build::<f32>(&device, config, feed),
            SampleFormat::F64 => build::<f64>(&device, config, feed),
            other => {
                return Err(CaptureError::Unusable {
                    device: id,
                    reason: format!("it delivers {other} samples, which callcoach cannot record"),
                })
            }
        }
        .map_err(unusable)?;
        Ok(Self {
            stream,
            samples,
            health,
            limit,
            read: 0,
            device: id,
            description,
            sample_rate,
            channels,
        })
    }

    /// Starts the device delivering audio.
    pub fn start(&self) -> Result<(), CaptureError> {
        self.stream.play().map_err(|e| CaptureError::Unusable {
            device: self.device.clone(),
            reason: e.to_string(),
        })
    }

    /// Moves every sample that has arrived (whole frames, interleaved) to the end of `out`,
    /// and says how many there were.
    pub fn read(&mut self, out: &mut Vec<i16>) -> usize {
        let available = self.samples.slots();
        let chunk = self.samples.read_chunk(available).expect("no more than the slots available");
        let (first, second) = chunk.as_slices();
        out.extend_from_slice(first);
        out.extend_from_slice(second);
        chunk.commit_all();
        self.read += available as u64;
        available
    }

    /// Whether the whole limit has been read (or lost: see [`Capture::dropped`]).
    pub fn reached_limit(&self) -> bool {
        self.read + self.dropped() >= self.limit
    }

    /// Lets go of a device that stopped delivering. Its thread may be stuck inside the sound
    /// system (a read that never returns), and closing the stream waits for that thread: it
    /// is closed on a thread of its own, so that the take can still be finished.
    pub fn abandon(self) {
        let stream = self.stream;
        std::thread::spawn(move || drop(stream));
    }

    /// Whether the device went away while recording.
    pub fn lost(&self) -> bool {
        self.health.lost.load(Ordering::Relaxed)
    }

    /// Samples of the take lost because the reading side fell more than the ring's length
    /// behind: together with those read, they count towards the limit.
    pub fn dropped(&self) -> u64 {
        self.health.dropped.load(Ordering::Relaxed)
    }
}

fn find_device(host: &cpal::Host, name: &str) -> Result<cpal::Device, CaptureError> {
    let devices = host.input_devices().map_err(|e| CaptureError::Host(e.to_string()))?;
    devices
        .into_iter()
        .find(|device| device.id().is_ok_and(|id| id.to_string() == name || id.id() == name))
        .ok_or_else(|| CaptureError::UnknownDevice { name: name.to_string() })
}

/// The callback's side of the ring: where the samples go, and how many the take still wants.
struct Feed {
    ring: rtrb::Producer<i16>,
    channels: usize,
    left: u64,
    health: Arc<Health>,
}

impl Feed {
    /// What the audio callback does: converts to 16 bits and pushes whole frames into the
    /// ring. Frames that find no room are counted, never waited for; frames past the limit
    /// are ignored. No lock, no allocation, no I/O.
    fn take<T>(&mut self, data: &[T])
    where
        T: SizedSample,
        i16: FromSample<T>,
    {
        let wanted = data.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let room = self.ring.slots() / self.channels * self.channels;
        let n = wanted.min(room);
        if let Ok(chunk) = self.ring.write_chunk_uninit(n) {
            chunk.fill_from_iter(data[..n].iter().map(|&s| s.to_sample::<i16>()));
        }
        if n < wanted {
            self.health.dropped.fetch_add((wanted - n) as u64, Ordering::Relaxed);
        }
        self.left -= wanted as u64;
    }
}

/// Builds the stream whose callback hands samples of type `T` to the [`Feed`].
fn build<T>(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    mut feed: Feed,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample,
    i16: FromSample<T>,
{
    let on_error = Arc::clone(&feed.health);
    device.build_input_stream(
        config,
        move |data: &[T], _: &cpal::InputCallbackInfo| feed.take(data),
        move |error: cpal::Error| {
            // Overruns and other passing errors lose a moment of audio; only a device that is
            // gone ends the take.
            if error.kind() == cpal::ErrorKind::DeviceNotAvailable {
                on_error.lost.store(true, Ordering::Relaxed);
            }
        },
        None,
    )
}

/// alsa-lib prints its own errors (`cannot find card '0'`, `Unknown PCM default`, …) on stderr
/// while devices are probed; callcoach says what went wrong in one sentence instead. The
/// handler is per thread: call this on each thread that opens devices.
fn quiet_sound_system() {
    #[cfg(target_os = "linux")]
    {
        // Errors go to a buffer nobody reads; without the handler they go to stderr.
        let _ = alsa::Output::local_error_handler();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(capacity: usize, channels: usize, limit: u64) -> (Feed, rtrb::Consumer<i16>) {
        let (ring, samples) = rtrb::RingBuffer::new(capacity);
        (Feed { ring, channels, left: limit, health: Arc::default() }, samples)
    }

    fn drain(samples: &mut rtrb::Consumer<i16>) -> Vec<i16> {
        std::iter::from_fn(|| samples.pop().ok()).collect()
    }

    #[test]
    fn only_the_sound_systems_null_devices_are_discarding() {
        for id in ["alsa:null", "null", "alsa:null:CARD=0", "pulse:alsa_output.null.monitor"] {
            assert!(is_discarding(id), "{id}");
        }
        for id in ["alsa:default", "alsa:quiet", "alsa:hw:CARD=0,DEV=0", "alsa:nullmic"] {
            assert!(!is_discarding(id), "{id}");
        }
    }

    #[test]
    fn converts_to_16_bits_and_stops_at_the_limit() {
        let (mut feed, mut samples) = feed(100, 2, 6);
        feed.take(&[0.5_f32, -0.5, 1.0, -1.0]);
        feed.take(&[0.25_f32, 0.25, 0.75, 0.75]);
        assert_eq!(drain(&mut samples), [16_384, -16_384, 32_767, -32_768, 8_192, 8_192]);
        assert_eq!(feed.health.dropped.load(Ordering::Relaxed), 0, "past the limit is not lost");
    }

    #[test]
    fn a_full_ring_loses_whole_frames_and_counts_them() {
        // Room for 2 stereo frames and a half: only whole frames go in.
        let (mut feed, mut samples) = feed(5, 2, 1_000);
        feed.take(&[1_i16, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(drain(&mut samples), [1, 2, 3, 4]);
        assert_eq!(feed.health.dropped.load(Ordering::Relaxed), 4);
        feed.take(&[9_i16, 10]);
        assert_eq!(drain(&mut samples), [9, 10], "room again once read");
        assert_eq!(feed.left, 1_000 - 10);
    }
}
