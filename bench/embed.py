"""Wall time of `mmpriv embed` against the all-core floor: a pool that only decodes and
re-encodes the same files.

    python bench/embed.py [--n 400] [--repeats 3] [--out bench/results] [--baseline REF]

On the same N photo-like JPEGs of 640x480 (quality 90):
  floor: a fresh Python process imports Pillow and decodes + re-encodes every image into a
         mirrored tree with a pool over every core (threads, and processes: the faster counts);
  embed: a fresh Python process imports mmpriv and runs `embed_tree(..., rate=1.0)`, the whole
         command with every one-time cost (the generated users, thread start, checks, overlay,
         manifest, temp folder + rename) on every core;
  cli:   `mmpriv embed SRC DST --rate 1.0` as a user types it, against the floor as a script
         (`python -c ...`): interpreter start and imports included on both sides.
  cli_baseline (with `--baseline REF`): the same command from the mmpriv_data of git REF (its
         files extracted and compiled, put first on PYTHONPATH), to tell a change from the load
         of the machine, which other jobs share.
Each timing starts before the imports, inside the child. They alternate, `--repeats` times,
in one run; the medians are compared, and the runs of each repeat with each other (they share
its load): when other jobs come and go between repeats, the ratio of the medians can pair a
quiet floor with a loaded embed, and the median of the per-repeat ratios is the steadier
figure. Target: embed >= 0.85 x floor in images/s.

Both commands run their interpreter directly: `mmpriv` is the console script installed beside
`sys.executable` (what a venv or pip install puts on PATH), not a pyenv shim, which adds a
bash script and `pyenv exec` (about 0.1 s here) to whatever it starts. mmpriv's bytecode is
compiled first, as pip does at install: this sandbox sets PYTHONDONTWRITEBYTECODE=1, with
which an editable checkout compiles every module it imports again on each run.

Where the command's time goes (`phases`, the same `mmpriv embed` run in-process with its steps
timed): interpreter start (`python -c pass`), the CLI's imports (typer), importing the embed
path (numpy, Pillow), the generated user set (Faker's import and the users), parsing the
command line, then the tree itself (listing, checks, decode, overlay, encode, manifest,
rename).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from mmpriv_data.content.scenes import render_scene, sample_scene
from mmpriv_data.core.seeding import stream

WIDTH, HEIGHT, QUALITY = 640, 480, 90
CHUNK = 50  # images per sub-folder (a tree, as users have)


def photo_like(rng: np.random.Generator) -> Image.Image:
    """Smooth colour fields at two scales plus grain: JPEG sizes and codec times of photos."""
    coarse = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
    fine = rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)
    size, cubic = (WIDTH, HEIGHT), Image.Resampling.BICUBIC
    base = np.asarray(Image.fromarray(coarse).resize(size, cubic), dtype=np.float32)
    detail = np.asarray(Image.fromarray(fine).resize(size, cubic), dtype=np.float32)
    grain = rng.normal(0, 10, (HEIGHT, WIDTH, 1))
    return Image.fromarray(np.clip(0.7 * base + 0.3 * detail + grain, 0, 255).astype(np.uint8))


def make_images(folder: Path, n: int, kind: str) -> None:
    for i in range(n):
        rng = stream(0, "bench-embed", kind, i)
        if kind == "photo":
            image = photo_like(rng)
        else:
            image = render_scene(sample_scene(rng, width=WIDTH, height=HEIGHT))
        sub = folder / f"chunk{i // CHUNK:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        image.save(sub / f"{i:05d}.jpg", quality=QUALITY)


# Each child prints the seconds from its first line (before any import) to the end of the work.
FLOOR = """
import time; start = time.perf_counter()
import os, sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from PIL import Image
src, dst, kind, quality = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
files = sorted(p for p in src.rglob("*") if p.is_file())
for folder in {dst / p.parent.relative_to(src) for p in files}:
    folder.mkdir(parents=True, exist_ok=True)
def one(path):
    with Image.open(path) as image:
        image.load()
        image.save(dst / path.relative_to(src), format="JPEG", quality=quality)
pool = ThreadPoolExecutor if kind == "threads" else ProcessPoolExecutor
with pool(len(os.sched_getaffinity(0))) as workers:
    list(workers.map(one, files, chunksize=1 if kind == "threads" else 16))
print(time.perf_counter() - start)
"""

EMBED = """
import time; start = time.perf_counter()
import sys
from mmpriv_data.files.embed_files import embed_tree
embed_tree(sys.argv[1], sys.argv[2], rate=1.0, quality=int(sys.argv[3]))
print(time.perf_counter() - start)
"""


# `mmpriv embed` run in-process, each step timed from the child's start: the CLI's imports,
# the embed path's imports, the generated users (cached, so the command does not redo them),
# parsing the command line, and the tree.
PHASES = """
import time; start = time.perf_counter()
import json, sys
from mmpriv_data.cli import app
marks = {"cli_imports": time.perf_counter() - start}
from mmpriv_data.cli import files
from mmpriv_data.files import embed_files
marks["embed_imports"] = time.perf_counter() - start
embed_files.generated_users(0)
marks["users"] = time.perf_counter() - start
tree = embed_files.embed_tree
def timed_tree(*args, **kwargs):
    marks["parse"] = time.perf_counter() - start
    result = tree(*args, **kwargs)
    marks["tree"] = time.perf_counter() - start
    return result
embed_files.embed_tree = timed_tree
try:
    app.main(["embed", sys.argv[1], sys.argv[2], "--rate", "1.0", "--quality", sys.argv[3]])
except SystemExit:
    pass
marks["exit"] = time.perf_counter() - start
print(json.dumps(marks))
"""


def child_seconds(code: str, *args) -> float:
    done = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, check=True
    )
    return float(done.stdout.strip().splitlines()[-1])


def phase_seconds(src: Path, dst: Path) -> dict:
    """Seconds of each step of `mmpriv embed` (not cumulative), interpreter start included."""
    interpreter = command_seconds([sys.executable, "-c", "pass"])
    done = subprocess.run(
        [sys.executable, "-c", PHASES, str(src), str(dst), str(QUALITY)],
        capture_output=True,
        text=True,
        check=True,
    )
    marks = json.loads(done.stdout.strip().splitlines()[-1])
    steps, previous = {"interpreter": interpreter}, 0.0
    for name, at in marks.items():
        steps[name], previous = at - previous, at
    return steps


def console_script(name: str) -> str:
    """The console script installed beside this interpreter (not a shim that finds it)."""
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else shutil.which(name) or name


def command_seconds(command: list[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True, env=env)
    return time.perf_counter() - start


def baseline_tree(ref: str, work: Path) -> Path:
    """mmpriv_data as of git `ref`, extracted under `work` and compiled: a PYTHONPATH entry."""
    root = work / "baseline"
    root.mkdir()
    repo = Path(__file__).resolve().parents[1]
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", ref, "mmpriv_data"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
    compileall.compile_dir(root / "mmpriv_data", quiet=1)
    return root


def bench(n: int, repeats: int, work: Path, baseline: str | None = None) -> dict:
    src = work / "src"
    make_images(src, n, "photo")
    package = Path(__file__).resolve().parents[1] / "mmpriv_data"
    compileall.compile_dir(package, quiet=1)  # as installed: see the module's docstring
    mmpriv = console_script("mmpriv")

    def command(dst: Path) -> list[str]:
        return [mmpriv, "embed", str(src), str(dst), "--rate", "1.0", "--quality", str(QUALITY)]

    runs = {
        "floor_threads": lambda dst: child_seconds(FLOOR, src, dst, "threads", QUALITY),
        "floor_processes": lambda dst: child_seconds(FLOOR, src, dst, "processes", QUALITY),
        "embed": lambda dst: child_seconds(EMBED, src, dst, QUALITY),
        "cli_floor": lambda dst: command_seconds(
            [sys.executable, "-c", FLOOR, str(src), str(dst), "threads", str(QUALITY)]
        ),
        "cli_embed": lambda dst: command_seconds(command(dst)),
    }
    if baseline:  # the same console script, finding the baseline's package first
        env = {**os.environ, "PYTHONPATH": str(baseline_tree(baseline, work))}
        runs["cli_baseline"] = lambda dst: command_seconds(command(dst), env=env)
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}  # user + system, the whole child
    for r in range(repeats):
        order = list(runs) if r % 2 == 0 else list(runs)[::-1]  # both see the same load
        for name in order:
            dst = work / f"{name}-{r}"
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            seconds[name].append(runs[name](dst))
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            shutil.rmtree(dst)
    steps = []
    for r in range(repeats):  # after the timed runs: a breakdown, not part of the ratios
        steps.append(phase_seconds(src, work / f"phases-{r}"))
        shutil.rmtree(work / f"phases-{r}")
    median = {name: statistics.median(values) for name, values in seconds.items()}
    per_repeat = [
        round(min(t, p) / e, 3)
        for t, p, e in zip(
            seconds["floor_threads"], seconds["floor_processes"], seconds["embed"], strict=True
        )
    ]
    cli_per_repeat = [
        round(f / e, 3) for f, e in zip(seconds["cli_floor"], seconds["cli_embed"], strict=True)
    ]
    floor = min(median["floor_threads"], median["floor_processes"])
    mean_kb = sum(p.stat().st_size for p in src.rglob("*.jpg")) / n / 1024
    return {
        "images": n,
        "repeats": repeats,
        "mean_jpeg_kb": round(mean_kb, 1),
        "seconds": {name: [round(v, 3) for v in values] for name, values in seconds.items()},
        "median_seconds": {name: round(v, 3) for name, v in median.items()},
        "floor_images_per_s": round(n / floor, 1),
        "embed_images_per_s": round(n / median["embed"], 1),
        "ratio": round(floor / median["embed"], 3),
        "ratio_cli": round(median["cli_floor"] / median["cli_embed"], 3),
        # CPU seconds of each child (its pool's processes included): what the ratio tends to
        # when other jobs hold the cores and nothing overlaps.
        "cpu_median_seconds": {name: round(statistics.median(v), 3) for name, v in cpu.items()},
        "ratio_cli_cpu": round(
            statistics.median(cpu["cli_floor"]) / statistics.median(cpu["cli_embed"]), 3
        ),
        # The runs of one repeat follow each other, so they share its load: ratios per repeat.
        "ratio_per_repeat": per_repeat,
        "ratio_cli_per_repeat": cli_per_repeat,
        "ratio_median_of_repeats": round(statistics.median(per_repeat), 3),
        "ratio_cli_median_of_repeats": round(statistics.median(cli_per_repeat), 3),
        **(
            {
                "baseline": baseline,
                "ratio_cli_baseline": round(median["cli_floor"] / median["cli_baseline"], 3),
                "ratio_cli_baseline_per_repeat": [
                    round(f / e, 3)
                    for f, e in zip(seconds["cli_floor"], seconds["cli_baseline"], strict=True)
                ],
                # below 1: this tree's command is faster than the baseline's in that repeat
                "cli_embed_over_baseline_per_repeat": [
                    round(e / b, 3)
                    for e, b in zip(seconds["cli_embed"], seconds["cli_baseline"], strict=True)
                ],
            }
            if baseline
            else {}
        ),
        "cli_embed_steps_median_seconds": {
            name: round(statistics.median(s[name] for s in steps), 3) for name in steps[0]
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument("--baseline", help="git ref whose `mmpriv embed` alternates too")
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-embed-") as tmp:
        result = bench(args.n, args.repeats, Path(tmp), args.baseline)
    cores = len(os.sched_getaffinity(0))
    report = {
        "machine": f"{platform.machine()}, {cores} cores, {platform.system()}",
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "size": f"{WIDTH}x{HEIGHT}",
        "quality": QUALITY,
        "photo": result,
    }
    m = result["median_seconds"]
    print(
        f"{args.n} photo-like JPEGs, {cores} cores, load {load_before[0]:.2f}: "
        f"floor {min(m['floor_threads'], m['floor_processes']):.3f} s "
        f"(threads {m['floor_threads']:.3f}, processes {m['floor_processes']:.3f}), "
        f"embed {m['embed']:.3f} s -> ratio {result['ratio']:.3f}x | "
        f"as commands: floor script {m['cli_floor']:.3f} s, mmpriv embed {m['cli_embed']:.3f} s"
        f" -> {result['ratio_cli']:.3f}x"
    )
    print(
        f"ratio per repeat (median {result['ratio_median_of_repeats']:.3f}x):",
        result["ratio_per_repeat"],
        f"as commands (median {result['ratio_cli_median_of_repeats']:.3f}x):",
        result["ratio_cli_per_repeat"],
    )
    c = result["cpu_median_seconds"]
    print(
        f"CPU seconds (medians): floor script {c['cli_floor']:.3f}, mmpriv embed "
        f"{c['cli_embed']:.3f} -> {result['ratio_cli_cpu']:.3f}x"
        + (f", baseline {c['cli_baseline']:.3f}" if args.baseline else "")
    )
    if args.baseline:
        print(
            f"baseline {args.baseline}: mmpriv embed {m['cli_baseline']:.3f} s -> "
            f"{result['ratio_cli_baseline']:.3f}x; this tree over the baseline per repeat:",
            result["cli_embed_over_baseline_per_repeat"],
        )
    print("mmpriv embed, seconds per step (medians):", result["cli_embed_steps_median_seconds"])
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "embed.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
