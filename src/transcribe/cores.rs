//! How many cores other programs leave free, so that Whisper runs no more threads than that.
//!
//! whisper.cpp's threads meet at a barrier after every step of its graphs. A thread that waits
//! there while the one it waits for has no core makes the whole take wait: beside a loop that
//! kept one of two cores busy, two threads took 2.4 times as long as one (docs/speed.md).
//! Between two transcriptions the watcher compares the CPU time the whole machine spent with
//! what this process spent: the rest is other programs' load.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Load measured over less than this is mostly noise (the kernel counts in 10 ms ticks).
const SHORTEST_WINDOW: Duration = Duration::from_millis(50);

/// Watches other programs' CPU load between transcriptions.
#[derive(Debug)]
pub struct FreeCores {
    cores: usize,
    state: Mutex<Watch>,
}

#[derive(Debug)]
struct Watch {
    since: Option<Sample>,
    /// Cores other programs kept busy over the last window long enough to measure; `None`
    /// until one has been.
    others_busy: Option<f64>,
}

/// CPU seconds spent so far, by the machine and by this process.
#[derive(Debug, Clone, Copy)]
struct Sample {
    at: Instant,
    machine_busy_s: f64,
    machine_cores: usize,
    own_s: f64,
}

impl FreeCores {
    /// Starts watching; `cores` is how many this process may run on.
    pub fn watch(cores: usize) -> Self {
        let state = Watch { since: Sample::now(), others_busy: None };
        Self { cores: cores.max(1), state: Mutex::new(state) }
    }

    /// How many threads to run now: `most`, or fewer where other programs keep cores busy;
    /// always at least one. Where the load cannot be read (not Linux), `most`.
    pub fn threads(&self, most: usize) -> usize {
        let mut watch = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(since) = watch.since {
            // The first stretch often comes a few milliseconds after the model loaded: it
            // waits for a window long enough to measure, once.
            if watch.others_busy.is_none() {
                std::thread::sleep(SHORTEST_WINDOW.saturating_sub(since.at.elapsed()));
            }
            if let Some(now) = Sample::now().filter(|now| now.at - since.at >= SHORTEST_WINDOW) {
                watch.others_busy = Some(others_busy(&since, &now));
                watch.since = Some(now);
            }
        }
        let free = self.cores.saturating_sub(watch.others_busy.unwrap_or(0.0).round() as usize);
        most.min(free).max(1)
    }
}

/// Cores other programs kept busy between two samples.
fn others_busy(since: &Sample, now: &Sample) -> f64 {
    let wall_s = now.at.duration_since(since.at).as_secs_f64();
    let others_s = (now.machine_busy_s - since.machine_busy_s) - (now.own_s - since.own_s);
    (others_s / wall_s).clamp(0.0, now.machine_cores as f64)
}

impl Sample {
    fn now() -> Option<Sample> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let (machine_busy_s, machine_cores) = machine_busy_s(&stat, clock_ticks_per_s()?)?;
        Some(Sample { at: Instant::now(), machine_busy_s, machine_cores, own_s: own_cpu_s()? })
    }
}

/// The CPU seconds all cores have spent busy since boot, and how many cores there are, from
/// /proc/stat's text.
fn machine_busy_s(stat: &str, ticks_per_s: f64) -> Option<(f64, usize)> {
    let mut lines = stat.lines();
    let total = lines.next()?.strip_prefix("cpu ")?;
    let ticks: Vec<u64> =
        total.split_whitespace().map(|t| t.parse().ok()).collect::<Option<_>>()?;
    // user nice system idle iowait irq softirq steal …: all but idle and iowait are busy.
    let busy: u64 =
        ticks.iter().enumerate().filter(|(i, _)| *i != 3 && *i != 4).take(6).map(|(_, t)| t).sum();
    let cores = lines.take_while(|l| l.starts_with("cpu")).count();
    Some((busy as f64 / ticks_per_s, cores.max(1)))
}

fn clock_ticks_per_s() -> Option<f64> {
    // SAFETY: sysconf only reads a configuration value.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    (ticks > 0).then_some(ticks as f64)
}

/// The CPU seconds this process has spent, in user and system time.
fn own_cpu_s() -> Option<f64> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::uninit();
    // SAFETY: getrusage writes the struct it is given and nothing else.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) } != 0 {
        return None;
    }
    // SAFETY: getrusage returned 0, so it filled the struct.
    let usage = unsafe { usage.assume_init() };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Some(seconds(usage.ru_utime) + seconds(usage.ru_stime))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_busy_time_on_every_core_but_idle_and_waiting() {
        let stat = "cpu  100 20 30 400 50 6 4 10 0 0\ncpu0 50 10 15 200 25 3 2 5 0 0\n\
                    cpu1 50 10 15 200 25 3 2 5 0 0\nintr 12345\n";
        // user + nice + system + irq + softirq + steal = 170 ticks.
        assert_eq!(machine_busy_s(stat, 100.0), Some((1.7, 2)));
        assert_eq!(machine_busy_s("intr 1\n", 100.0), None);
    }

    #[test]
    fn others_load_is_the_machine_s_less_this_process_s() {
        let at = Instant::now();
        let since = Sample { at, machine_busy_s: 10.0, machine_cores: 4, own_s: 1.0 };
        // Over 2 s the machine spent 5 CPU seconds, this process 3: others kept one core busy.
        let now =
            Sample { at: at + Duration::from_secs(2), machine_busy_s: 15.0, own_s: 4.0, ..since };
        assert!((others_busy(&since, &now) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn a_core_kept_busy_by_another_program_is_left_to_it() {
        let cores = FreeCores::watch(2);
        let mut spinner = std::process::Command::new("sh")
            .args(["-c", "while :; do :; done"])
            .spawn()
            .expect("sh runs");
        std::thread::sleep(Duration::from_millis(400));
        let threads = cores.threads(2);
        spinner.kill().unwrap();
        spinner.wait().unwrap();
        assert_eq!(threads, 1);
    }

    #[test]
    fn an_explicit_most_and_one_thread_are_the_bounds() {
        let cores = FreeCores::watch(8);
        assert!(cores.threads(3) <= 3);
        assert_eq!(FreeCores::watch(1).threads(4), 1);
    }
}
