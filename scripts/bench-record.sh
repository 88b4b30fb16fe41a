#!/usr/bin/env bash
# Measures `callcoach record` on a 60 s spoken take played in real time through an ALSA
# capture device (the real-time FIFO recipe in ../shared/notes/audio.md; no sound card needed):
#   - stop-to-report: from Ctrl-C (SIGINT) to the JSON report on stdout, for several runs,
#     stopping 1.1 s after the last word and right at it;
#   - audio lost on kill -9: seconds fed to the device minus seconds in the saved take.
# Usage: scripts/bench-record.sh [runs]   (after `make test` or `make build`: needs sox,
# python3, target/release/callcoach and models/ggml-tiny.en.bin)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
bin="$root/target/release/callcoach"
model="$root/models/ggml-tiny.en.bin"
[ -x "$bin" ] && [ -f "$model" ] || { echo "build first: make build (and make model)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The take: two sample calls back to back (the last word ends at 58.9 s), silence to 60 s, in
# the device's format (cpal opens the file plugin as 48 kHz stereo f32).
sox "$root/samples/complete-call.wav" "$root/samples/missing-two.wav" \
    -t raw -r 48000 -c 2 -e floating-point -b 32 -L "$work/take.raw" pad 0 1 trim 0 60
mkfifo "$work/mic"
mkdir -p "$work/config/alsa"
cat > "$work/config/alsa/asoundrc" <<EOF
pcm.!default {
    type file
    slave.pcm { type null }
    file "/dev/null"
    infile "$work/mic"
    format "raw"
}
EOF

python3 - "$bin" "$model" "$work" "$runs" <<'EOF'
import json, os, signal, statistics, subprocess, sys, threading, time

binary, model, work, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
take = open(f"{work}/take.raw", "rb").read()
BYTES_PER_S = 48000 * 2 * 4
CHUNK = BYTES_PER_S // 100  # 10 ms
env = dict(os.environ, XDG_CONFIG_HOME=f"{work}/config", HOME=work, NO_COLOR="1",
           CALLCOACH_DATA_DIR=work)

class Feeder(threading.Thread):
    """Plays the take into the FIFO at real-time pace, then silence until stopped."""
    def __init__(self):
        super().__init__(daemon=True)
        # Read-write, so the writer never blocks on open or gets EPIPE when the recorder
        # probes the device and opens it again.
        self.fd = os.open(f"{work}/mic", os.O_RDWR | os.O_NONBLOCK)
        self.fed = 0  # bytes written
        self.done = threading.Event()
    def run(self):
        deadline = time.monotonic()
        silence = bytes(CHUNK)
        while not self.done.is_set():
            chunk = take[self.fed:self.fed + CHUNK] or silence
            try:
                # A chunk under PIPE_BUF is written whole or not at all.
                os.write(self.fd, chunk)
            except BlockingIOError:
                # Nobody reads yet (or any more): wait without writing ahead.
                time.sleep(0.001)
                continue
            self.fed += len(chunk)
            # Keep pace from the last write: a write that had to wait (no reader yet) is not
            # made up for with a burst.
            deadline = max(deadline + 0.01, time.monotonic())
            time.sleep(max(0.0, deadline - time.monotonic()))
    def fed_s(self):
        return self.fed / BYTES_PER_S
    def stop(self):
        self.done.set()
        self.join()
        os.close(self.fd)

def record(stop_at_s, sig):
    # A new feeder each run: when the last one closed the FIFO, what it held was dropped.
    feeder = Feeder()
    feeder.start()
    out = f"{work}/take.wav"
    proc = subprocess.Popen([binary, "record", "--json", "--model", model, "--out", out,
                             "--max-duration", "5m"], env=env, cwd=work,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    while feeder.fed_s() < stop_at_s:
        time.sleep(0.002)
    fed_s = feeder.fed_s()
    stopped = time.monotonic()
    proc.send_signal(sig)
    line = proc.stdout.readline()
    reported = time.monotonic()
    proc.wait()
    feeder.stop()
    return fed_s, reported - stopped, line, proc

def wav_seconds(path):
    import wave
    with wave.open(path) as w:
        return w.getnframes() / w.getframerate()

for stop_at, label in [(60.0, "1.1 s after the last word"), (58.95, "at the last word")]:
    latencies = []
    for _ in range(runs):
        fed_s, latency, line, proc = record(stop_at, signal.SIGINT)
        report = json.loads(line)
        found = [e["id"] for e in report["elements"] if e["found"]]
        latencies.append(latency)
        print(f"stop {label}: take {report['duration_s']:.2f} s, report after {latency:.3f} s, "
              f"score {report['score']}, found {','.join(found)}")
    print(f"stop-to-report, stopping {label}: median {statistics.median(latencies):.3f} s, "
          f"max {max(latencies):.3f} s over {runs} runs")

for _ in range(runs):
    fed_s, _, _, _ = record(20.0, signal.SIGKILL)
    kept = wav_seconds(f"{work}/take.wav")
    print(f"kill -9 after {fed_s:.2f} s fed: {kept:.2f} s saved, {fed_s - kept:.2f} s lost")
EOF
