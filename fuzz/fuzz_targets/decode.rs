//! Any bytes, under any name, must decode to samples or to an error: never a panic, never a
//! hang, never memory beyond the longest take.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The decoder reads files: one in memory-backed /dev/shm where there is one.
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        tempfile::Builder::new().tempdir_in("/dev/shm").or_else(|_| tempfile::tempdir()).unwrap()
    });
    let path = dir.path().join("take");
    std::fs::write(&path, data).unwrap();
    if let Ok(samples) = callcoach::audio::read_recording(&path) {
        // Not bounded by 1: band-limiting a full-scale square overshoots, harmlessly.
        assert!(samples.data.iter().all(|v| v.is_finite()));
    }
});
