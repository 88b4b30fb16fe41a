"""Times callcoach against faster-whisper on the same takes and the same weights
(`compare`), what each of Whisper's settings gains or costs on one take (`levers`), and
how many words callcoach gets wrong with each of several models (`accuracy`), each as a
Markdown table. Run by bench/run.sh (`make bench`), which builds and provides
everything named on the command line.

Every measurement is one process under /usr/bin/time (wall time, CPU time, peak resident
memory); each program also reports its own model-load and transcription times. Engines take
turns within each run, so a busy machine slows them alike; each figure is the median of the
runs."""

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
import wave
from pathlib import Path

# CPU seconds and peak memory; wall time is measured here, finer than time's 10 ms.
TIME_FORMAT = "%U %S %M"


def measure(command):
    """Runs a command under /usr/bin/time: its stdout, and wall s, CPU s and peak MB."""
    started = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-f", TIME_FORMAT, *command], capture_output=True, text=True
    )
    wall_s = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"bench: {' '.join(map(str, command))} failed:\n{result.stderr}")
    user, system, peak_kb = result.stderr.strip().splitlines()[-1].split()
    return result.stdout, {
        "wall_s": wall_s,
        "cpu_s": float(user) + float(system),
        "peak_mb": int(peak_kb) / 1024,
    }


def analyze_command(callcoach, ggml, take, *options):
    """`callcoach analyze` of one take as JSON, without the history or a user's profile: the
    same work on every machine."""
    return [
        callcoach, "analyze", "--json", "--quiet", "--no-save", "--no-profile", *options,
        "--model", ggml, take,
    ]


def duration_s(wav):
    with wave.open(str(wav)) as w:
        return w.getnframes() / w.getframerate()


def median(runs, key):
    values = [run[key] for run in runs if key in run]
    return statistics.median(values) if values else None


def fmt(value, digits=2):
    return "–" if value is None else f"{value:.{digits}f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--transcribe", help="benches/transcribe's binary (for compare and levers)"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    commands = parser.add_subparsers(dest="command", required=True)
    compare_parser = commands.add_parser("compare")
    compare_parser.add_argument("--callcoach", required=True, help="the callcoach binary")
    compare_parser.add_argument("--python", required=True, help="a Python with faster-whisper")
    compare_parser.add_argument("--ct2", required=True, help="the CTranslate2 tiny.en folder")
    compare_parser.add_argument(
        "--pair",
        action="append",
        required=True,
        metavar="PRECISION:GGML:COMPUTE_TYPE:TAKE,…",
        help="a ggml model and its precision's name, the faster-whisper compute type that "
        "matches it, and the takes to run them on",
    )
    levers_parser = commands.add_parser("levers")
    levers_parser.add_argument("--model", required=True, help="the default ggml model")
    levers_parser.add_argument("--f16", required=True, help="the same weights in float16")
    levers_parser.add_argument("--q4", required=True, help="the same weights in q4_0")
    levers_parser.add_argument("takes", nargs="+")
    accuracy_parser = commands.add_parser("accuracy")
    accuracy_parser.add_argument("--callcoach", required=True, help="the callcoach binary")
    accuracy_parser.add_argument(
        "--model", action="append", required=True, metavar="NAME:GGML", help="a model to try"
    )
    accuracy_parser.add_argument("takes", nargs="+", help="WAVs, each with its script as .txt")
    args = parser.parse_args()
    if args.command != "accuracy" and not args.transcribe:
        parser.error(f"{args.command} needs --transcribe")
    {"compare": compare, "levers": levers, "accuracy": accuracy}[args.command](args)


def compare(args):
    fw_script = Path(__file__).with_name("faster_whisper_run.py")

    pairs = []
    for pair in args.pair:
        precision, ggml, compute_type, takes = pair.split(":")
        pairs.append((precision, Path(ggml), compute_type, [Path(t) for t in takes.split(",")]))

    prompt = subprocess.run(
        [args.transcribe, "--prompt"], capture_output=True, text=True, check=True
    ).stdout.strip()

    def engines(ggml, compute_type, take):
        threads = str(args.threads)
        yield "callcoach analyze", analyze_command(args.callcoach, ggml, take, "--threads", threads)
        yield "whisper-rs transcription", [args.transcribe, ggml, take, "--threads", threads]
        faster_whisper = [
            args.python, fw_script, args.ct2, take, "--compute-type", compute_type,
            "--threads", threads,
        ]
        yield "faster-whisper", [*faster_whisper, "--initial-prompt", prompt]
        # What a user of faster-whisper gets by default.
        yield "faster-whisper, no prompt", faster_whisper

    results = {}  # (ggml, take, engine) -> [run]
    check_runs = []
    for run in range(args.runs):
        print(f"run {run + 1} of {args.runs}", file=sys.stderr)
        for _, ggml, compute_type, takes in pairs:
            for take in takes:
                for engine, command in engines(ggml, compute_type, take):
                    stdout, measured = measure(command)
                    output = json.loads(stdout)
                    if engine == "callcoach analyze":
                        output = {"text": output["transcript"]}
                    measured.update(output)
                    results.setdefault((ggml, take, engine), []).append(measured)
        _, measured = measure([args.callcoach, "check", "samples/complete-call.txt"])
        check_runs.append(measured)

    print(
        "| take | weights | engine | wall time (s) | real-time factor | CPU time (s) "
        "| peak memory (MB) | model load (s) | transcription (s) | words wrong "
        "| callcoach / faster-whisper |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for precision, ggml, compute_type, takes in pairs:
        for take in takes:
            length = duration_s(take)
            script = script_words(take)
            fw = results[(ggml, take, "faster-whisper")]
            for engine, _ in engines(ggml, compute_type, take):
                runs = results[(ggml, take, engine)]
                wall = median(runs, "wall_s")
                if engine == "callcoach analyze":
                    ratio = wall / median(fw, "wall_s")
                    ratio_note = " (whole runs)"
                elif engine == "whisper-rs transcription":
                    ratio = median(runs, "transcribe_s") / median(fw, "transcribe_s")
                    ratio_note = " (transcription)"
                else:
                    ratio, ratio_note = None, ""
                from_ct2 = engine.startswith("faster-whisper")
                weights = f"CT2 {compute_type}" if from_ct2 else f"ggml {precision}"
                print(
                    f"| {length:.0f} s | {weights} | {engine} "
                    f"| {fmt(wall)} | {fmt(wall / length, 3)} | {fmt(median(runs, 'cpu_s'))} "
                    f"| {fmt(median(runs, 'peak_mb'), 0)} | {fmt(median(runs, 'load_s'))} "
                    f"| {fmt(median(runs, 'transcribe_s'))} "
                    f"| {words_wrong(runs[0]['text'], script)} "
                    f"| {fmt(ratio)}{ratio_note if ratio is not None else ''} |"
                )
    print()
    print(
        f"`callcoach check samples/complete-call.txt` (start-up, no model): "
        f"{fmt(median(check_runs, 'wall_s'), 3)} s, {fmt(median(check_runs, 'peak_mb'), 0)} MB"
    )
    print(f"Medians of {args.runs} runs, {args.threads} thread(s) for every engine.")
    print(
        "Words wrong: the word error rate against the take's script (the first run's "
        "transcript; numbers compared digit by digit). faster-whisper is given callcoach's "
        "prompt; the ratios compare with that row."
    )


DIGITS = dict(zip("zero one two three four five six seven eight nine".split(), "0123456789"))


def normalized_words(text):
    """Lower-case words without punctuation or hyphens, numbers as single digits: "555-0124"
    and "five five five, zero one two four" compare equal, as do "e-mail" and "email"."""
    text = text.lower().replace("%", " percent").replace("-", "")
    words = []
    for word in re.findall(r"[a-z0-9']+", text):
        if word.isdigit():
            words.extend(word)
        else:
            words.append(DIGITS.get(word, word))
    return words


def script_words(take):
    return normalized_words(Path(take).with_suffix(".txt").read_text())


def words_wrong(text, script):
    return f"{word_error_rate(normalized_words(text), script) * 100:.1f} %"


def word_error_rate(words, reference):
    """Edits (substitutions, insertions, deletions) over the reference's words."""
    previous = list(range(len(words) + 1))
    for i, expected in enumerate(reference, 1):
        current = [i]
        for j, word in enumerate(words, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (expected != word))
            )
        previous = current
    return previous[-1] / max(len(reference), 1)


def levers(args):
    for take in args.takes:
        levers_on(args, Path(take))
        print()
    print(f"Medians of {args.runs} runs.")


def levers_on(args, take):
    threads = ["--threads", str(args.threads)]
    other_threads = 1 if args.threads > 1 else 2
    def plural(n):
        return f"{n} thread{'s' if n > 1 else ''}"

    variants = [
        (f"callcoach's settings, {plural(args.threads)}", [args.model]),
        (plural(other_threads), [args.model, "--threads", str(other_threads)]),
        ("beam search, 5 beams", [args.model, "--beam-size", "5"]),
        ("encoder window 15 s (audio_ctx 750)", [args.model, "--audio-ctx", "750"]),
        ("float16 weights instead of q8_0", [args.f16]),
        ("q4_0 weights instead of q8_0", [args.q4]),
        ("previous text at most 64 tokens, not 224", [args.model, "--previous-text", "64"]),
    ]
    results = {}
    for run in range(args.runs):
        print(f"levers, {take.name}: run {run + 1} of {args.runs}", file=sys.stderr)
        for name, options in variants:
            model, *rest = options
            stdout, measured = measure([args.transcribe, model, take, *threads, *rest])
            measured.update(json.loads(stdout))
            results.setdefault(name, []).append(measured)

    baseline = results[variants[0][0]]
    reference = normalized_words(baseline[0]["text"])
    script = script_words(take)
    base_time = median(baseline, "transcribe_s")
    print(
        f"| setting ({take.name}, {duration_s(take):.0f} s) | transcription (s) | change "
        "| CPU time (s) | peak memory (MB) | checklist elements found | words differing "
        "| words wrong |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, _ in variants:
        runs = results[name]
        seconds = median(runs, "transcribe_s")
        found = sorted({tuple(run["found"]) for run in runs})
        found_text = " / ".join(", ".join(f) or "none" for f in found)
        if name != variants[0][0]:
            same = found == sorted({tuple(run["found"]) for run in baseline})
            found_text = "same" if same else found_text
        change = "" if name == variants[0][0] else f"{(seconds / base_time - 1) * 100:+.0f} %"
        differing = word_error_rate(normalized_words(runs[0]["text"]), reference) * 100
        print(
            f"| {name} | {fmt(seconds)} | {change} | {fmt(median(runs, 'cpu_s'))} "
            f"| {fmt(median(runs, 'peak_mb'), 0)} | {found_text} | {differing:.1f} % "
            f"| {words_wrong(runs[0]['text'], script)} |"
        )


def accuracy(args):
    """Words wrong against each take's script, and the checklist score, model by model."""
    models = [model.split(":", 1) for model in args.model]
    print(
        "| take | words | "
        + " | ".join(f"{name}: words wrong | {name}: score" for name, _ in models)
        + " |"
    )
    print("|---|---|" + "---|---|" * len(models))
    wrong = [0] * len(models)
    total = 0
    for take in map(Path, args.takes):
        script = script_words(take)
        total += len(script)
        cells = []
        for i, (_, ggml) in enumerate(models):
            stdout, _ = measure(analyze_command(args.callcoach, ggml, take))
            report = json.loads(stdout)
            errors = round(word_error_rate(normalized_words(report["transcript"]), script)
                           * len(script))
            wrong[i] += errors
            cells.append(f"{errors} ({errors / len(script) * 100:.1f} %) | {report['score']}")
        print(f"| {take.name} | {len(script)} | " + " | ".join(cells) + " |")
    totals = " | ".join(f"{w} ({w / total * 100:.2f} %) | –" for w in wrong)
    print(f"| all {len(args.takes)} takes | {total} | {totals} |")


if __name__ == "__main__":
    main()
