"""Scrubbing speed: captions (turns) per second on generated corpora, extrapolated to LLaVA's
665K instruction set (about 1.5M turns), in one process and in two.

    python bench/scrub.py [--samples 20000] [--baseline c03bf36] [--instructions 300]
                          [--out bench/results/scrub.md]

Three corpora, all generated: `person` (the procedural caption corpus: every description
names people with biometric words), `long` (five person descriptions joined into one
~560-character turn, like LLaVA's detailed descriptions: the worst case) and `mixed` (half the
turns about scenes without people, as in COCO). `--baseline REV` also times the scrubber of
that git revision (exported with `git archive`) on the same corpora, alternating runs of the
two so that both see the same machine load, and checks that both give identical outputs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

LLAVA_TURNS = 1_500_000
TARGET_SECONDS = 600
SCENES = [
    "A red bus drives down a busy city street lined with trees and small shops.",
    "Several plates of food sit on a wooden table, including broccoli and rice.",
    "Two giraffes stand in a grassy field under a clear blue sky.",
    "A black dog runs across the beach next to an old white lighthouse.",
]
REPO = Path(__file__).resolve().parent.parent


def corpora(samples: int) -> dict[str, list[str]]:
    from mmpriv_data.content.captions import caption_corpus

    turns = [t["value"] for s in caption_corpus(0, samples) for t in s["conversations"]]
    answers = [t for t in turns if not t.startswith("<image>")]
    long = [" ".join(answers[i : i + 5]) for i in range(0, len(answers) - 5, 5)]
    mixed = [t if i % 2 else SCENES[i % 4 // 2 * 2 + (i // 2) % 2] for i, t in enumerate(turns)]
    return {"person": turns, "long": long, "mixed": mixed}


def _scrub_all(texts: list[str]) -> int:
    from mmpriv_data.transforms.scrub import scrub

    return sum(len(scrub(t).changes) for t in texts)


def measure(texts: list[str], processes: int) -> float:
    """Turns per second."""
    start = time.perf_counter()
    if processes == 1:
        _scrub_all(texts)
    else:
        size = max(1, len(texts) // (processes * 8))
        with Pool(processes) as pool:
            pool.map(_scrub_all, [texts[i : i + size] for i in range(0, len(texts), size)])
    return len(texts) / (time.perf_counter() - start)


def worker(corpus_file: Path, processes: list[int]) -> dict:
    """Runs in a child whose sys.path starts with the code under test: its speeds and a
    digest of every output."""
    from mmpriv_data.transforms.scrub import scrub

    texts = json.loads(corpus_file.read_text())
    digest = hashlib.sha256()
    for name in texts:
        for text in texts[name]:
            result = scrub(text)
            digest.update(repr((result.text, result.changes)).encode())
    speeds = {name: {str(p): measure(texts[name], p) for p in processes} for name in texts}
    return {"speeds": speeds, "sha256": digest.hexdigest()}


def run_worker(root: Path, corpus_file: Path, processes: list[int]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(root)}
    command = [sys.executable, __file__, "--worker", str(corpus_file),
               "--processes", ",".join(map(str, processes))]  # fmt: skip
    done = subprocess.run(command, env=env, cwd=root, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def instructions(root: Path, corpus_file: Path, name: str, count: int) -> int:
    """CPU instructions per turn to scrub `count` turns of a corpus, counted by valgrind's
    callgrind (deterministic, unlike time on a shared machine): a run that scrubs minus one
    that only loads, so imports and the corpus file are not counted."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    totals = []
    for scrub_them in (False, True):
        command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                   os.path.realpath(sys.executable), __file__, "--count-worker", str(corpus_file),
                   "--corpus", name, "--count", str(count if scrub_them else 0)]  # fmt: skip
        done = subprocess.run(command, env=env, cwd=root, capture_output=True, text=True)
        collected = [line for line in done.stderr.splitlines() if "Collected" in line]
        if done.returncode or not collected:
            raise SystemExit(f"valgrind failed: {done.stderr[-500:]}")
        totals.append(int(collected[-1].split()[-1]))
    return round((totals[1] - totals[0]) / count)


def count_worker(corpus_file: Path, name: str, count: int) -> None:
    from mmpriv_data.transforms.scrub import scrub

    texts = json.loads(corpus_file.read_text())[name][:count]
    for text in texts:
        scrub(text)


def minutes(turns_per_s: float) -> float:
    return round(LLAVA_TURNS / turns_per_s / 60, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20000)
    parser.add_argument("--baseline", help="git revision whose scrubber to compare with")
    parser.add_argument("--rounds", type=int, default=2, help="alternating runs; best counts")
    parser.add_argument("--out", type=Path, default=Path("bench/results/scrub.md"))
    parser.add_argument("--instructions", type=int, default=0, metavar="N",
                        help="also count CPU instructions per turn over N turns of each corpus "
                        "(valgrind; deterministic where timings are not)")  # fmt: skip
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--count-worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--processes", default="1,2", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.count_worker:
        count_worker(args.count_worker, args.corpus, args.count)
        return
    if args.worker:
        print(json.dumps(worker(args.worker, [int(p) for p in args.processes.split(",")])))
        return
    with tempfile.TemporaryDirectory() as tmp:
        texts = corpora(args.samples)
        corpus_file = Path(tmp) / "corpora.json"
        corpus_file.write_text(json.dumps(texts))
        roots = {"after": REPO}
        if args.baseline:  # the old package, exported read-only from git
            roots["before"] = Path(tmp) / "baseline"
            roots["before"].mkdir()
            git = ["git", "-C", str(REPO), "archive", args.baseline, "mmpriv_data"]
            archive = subprocess.run(git, capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(roots["before"])], input=archive, check=True)
        best: dict[str, dict] = {label: {} for label in roots}
        digests = {}
        for _ in range(args.rounds):
            for label, root in roots.items():
                processes = [1, 2] if label == "after" else [1]
                result = run_worker(root, corpus_file, processes)
                digests[label] = result["sha256"]
                for name, speeds in result["speeds"].items():
                    for p, speed in speeds.items():
                        key = (name, p)
                        best[label][key] = max(best[label].get(key, 0.0), speed)
        counted = {
            (label, name): instructions(root, corpus_file, name, args.instructions)
            for label, root in roots.items() for name in texts
        } if args.instructions else {}  # fmt: skip
    rows = []
    for name, corpus in texts.items():
        after, two = best["after"][(name, "1")], best["after"][(name, "2")]
        row = {"corpus": name, "turns": len(corpus),
               "mean_chars": round(sum(map(len, corpus)) / len(corpus)),
               "turns_per_s_1proc": round(after), "turns_per_s_2proc": round(two),
               "llava_minutes_1proc": minutes(after),
               "llava_minutes_2proc": minutes(two)}  # fmt: skip
        if "before" in best:
            before = best["before"][(name, "1")]
            row |= {"before_turns_per_s_1proc": round(before),
                    "before_llava_minutes_1proc": minutes(before),
                    "speedup_1proc": round(after / before, 2)}  # fmt: skip
        if counted:
            row["instructions_per_turn"] = counted[("after", name)]
            if "before" in best:
                row["before_instructions_per_turn"] = counted[("before", name)]
        rows.append(row)
        print(json.dumps(row))
    same = len(set(digests.values())) == 1
    if args.baseline:
        print(f"outputs identical to {args.baseline}: {same}")
    load = os.getloadavg()[0]  # other work on the machine slows every figure down
    machine = (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
               f"{platform.python_version()}, load average {load:.1f} after the run")  # fmt: skip
    lines = [
        "# Scrubbing speed (`python bench/scrub.py`)",
        "",
        f"Machine: {machine}. Rule-based scrubber, all six attributes. LLaVA-665K is taken as "
        f"{LLAVA_TURNS:,} turns; the target is under {TARGET_SECONDS // 60} minutes. Best of "
        f"{args.rounds} alternating runs.",
        "",
    ]
    if args.baseline:
        lines += [
            f"Before = revision `{args.baseline}`, after = this tree, timed in the same run on "
            f"the same corpora; outputs identical (sha256 of every text and change log): "
            f"{'yes' if same else 'NO'}.",
            "",
            "| corpus | turns | mean chars/turn | before, turns/s | after, turns/s | speed-up | "
            "after, turns/s (2 proc) | LLaVA-665K, min: before / after / after 2 proc |",
            "|---|---|---|---|---|---|---|---|",
            *(
                f"| {r['corpus']} | {r['turns']} | {r['mean_chars']} | "
                f"{r['before_turns_per_s_1proc']} | {r['turns_per_s_1proc']} | "
                f"{r['speedup_1proc']}x | {r['turns_per_s_2proc']} | "
                f"{r['before_llava_minutes_1proc']} / {r['llava_minutes_1proc']} / "
                f"{r['llava_minutes_2proc']} |"
                for r in rows
            ),  # fmt: skip
        ]
    else:
        lines += [
            "| corpus | turns | mean chars/turn | turns/s (1 proc) | turns/s (2 proc) | "
            "LLaVA-665K, min (1 proc) | LLaVA-665K, min (2 proc) |",
            "|---|---|---|---|---|---|---|",
            *(
                f"| {r['corpus']} | {r['turns']} | {r['mean_chars']} | {r['turns_per_s_1proc']}"
                f" | {r['turns_per_s_2proc']} | {r['llava_minutes_1proc']} | "
                f"{r['llava_minutes_2proc']} |"
                for r in rows
            ),  # fmt: skip
        ]
    if counted:
        lines += [
            "",
            f"CPU instructions per turn (valgrind callgrind, {args.instructions} turns "
            "of each corpus; unaffected by other work on the machine):",
            "",
            "| corpus | before | after | after / before |",
            "|---|---|---|---|",
        ]
        for r in rows:
            before = r.get("before_instructions_per_turn")
            ratio = f"{r['instructions_per_turn'] / before:.3f}" if before else "n/a"
            lines.append(f"| {r['corpus']} | {before or 'n/a'} | {r['instructions_per_turn']} | "
                         f"{ratio} |")  # fmt: skip
    lines += [
        "",
        "`person`: every description names people with biometric words; `long`: five of them "
        "per turn (~LLaVA detailed descriptions, the worst case); `mixed`: half the turns "
        "describe scenes without people. `mmpriv scrub --num-proc N` splits a file over N "
        "processes; with a load average near or above the core count the 2-process column "
        "shows little gain.",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
