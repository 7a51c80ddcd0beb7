"""Peak memory of a build from a LLaVA-665K-style JSON source, as the number of entries grows.

    python bench/source_memory.py [--sizes 10000 100000] [--out bench/results]

Each size is a LLaVA JSON shaped like the real mix (numeric and string ids, images in the
mix's five sub-folders, `<image>` first or last, two to six turns, 6% text-only entries
without `image`), over a pool of 200 small JPEGs that entries share. Each build
(`mmpriv build privacy-images --set source=... --config rate_0 --num-proc 1`) runs in a fresh
process that samples its own anonymous RSS every 20 ms (the memory the build holds; mapped
Arrow pages are page cache, not counted), and notes it at the end of each phase: source read
(entries streamed to disk), bad-image check and split, generation (datasets' Arrow files),
and the parquet shard written. Sources stream, so the source phase should not grow with the
number of entries beyond a few bytes per entry.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

FOLDERS = ["coco/train2017", "gqa/images", "ocr_vqa/images", "textvqa/train_images", "vg/VG_100K_2"]
POOL = 200
PHASES = ("source", "split", "generation", "shards")

# The child: the build as `mmpriv` runs it, with the peak anonymous RSS so far noted as each
# phase ends (the functions are wrapped, nothing else changes).
CHILD = """
import atexit, json, sys, threading, time
peak = {"anon": 0}
phases = {}
def anon_kb():
    for line in open("/proc/self/status"):
        if line.startswith("RssAnon:"):
            return int(line.split()[1])
def sample():
    while True:
        peak["anon"] = max(peak["anon"], anon_kb())
        time.sleep(0.02)
threading.Thread(target=sample, daemon=True).start()
def noting(owner, name, phase):
    function = getattr(owner, name)
    def wrapped(*args, **kwargs):
        result = function(*args, **kwargs)
        peak["anon"] = max(peak["anon"], anon_kb())
        phases.setdefault(phase, peak["anon"])
        return result
    setattr(owner, name, wrapped)
import datasets
from mmpriv_data.definitions import privacy_images
from mmpriv_data.files import sources
from mmpriv_data.hub import build
noting(sources, "open_source", "source")
noting(privacy_images, "_split_ids", "split")
noting(datasets.DatasetBuilder, "download_and_prepare", "generation")
if len(sys.argv) > 1 and sys.argv[1].startswith("--max-shard-size="):
    import functools
    size = sys.argv.pop(1).split("=", 1)[1]
    build.write_split = functools.partial(build.write_split, max_shard_size=size)
noting(build, "write_split", "shards")
atexit.register(lambda: print("PEAK", json.dumps({"phases_kb": phases, "anon_kb": peak["anon"],
    "rss_kb": __import__("resource").getrusage(__import__("resource").RUSAGE_SELF).ru_maxrss}),
    file=sys.stderr))
from mmpriv_data.cli.app import main
main()
"""


def write_mix(folder: Path, entries: int) -> Path:
    for k in range(POOL):
        path = folder / FOLDERS[k % len(FOLDERS)] / f"{k:012d}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            Image.new("RGB", (96, 72), (k % 256, 90, 160)).save(path, quality=90)
    data = folder / f"mix_{entries}.json"
    with open(data, "w", encoding="utf-8") as out:
        out.write("[")
        for i in range(entries):
            turns = []
            for t in range(1 + i % 3):
                question = f"Question {t} about item {i}: what is shown, and where?"
                if t == 0 and i % 16 != 0:
                    question = f"<image>\n{question}" if i % 2 else f"{question}\n<image>"
                turns += [{"from": "human", "value": question}, {"from": "gpt", "value": "A." * 40}]
            entry = {"id": i if i % 4 == 0 else f"{i:012d}", "conversations": turns}
            if i % 16 != 0:  # 1 in 16 (6%) is a text-only conversation, as ShareGPT's part
                k = i % POOL
                entry["image"] = f"{FOLDERS[k % len(FOLDERS)]}/{k:012d}.jpg"
            out.write(("," if i else "") + json.dumps(entry))
        out.write("]")
    return data


def peak_memory(source: Path, max_shard_size: str | None) -> tuple[dict, float]:
    """({peak anonymous, peak RSS, peak anonymous at the end of each phase} in MB, seconds)
    of one build in a child process."""
    with tempfile.TemporaryDirectory(prefix="bench-src-mem-") as out:
        command = [sys.executable, "-c", CHILD]
        command += [f"--max-shard-size={max_shard_size}"] if max_shard_size else []
        command += ["build", "privacy-images", "--out", out]
        command += ["--config", "rate_0", "--num-proc", "1", "--set", f"source={source}"]
        start = time.perf_counter()
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        shards = len(list(Path(out).rglob("*.parquet")))
    peak = json.loads(done.stderr.rsplit("PEAK", 1)[1])
    memory = {
        "peak_anon_mb": round(peak["anon_kb"] / 1024, 1),
        "peak_rss_mb": round(peak["rss_kb"] / 1024, 1),
        "anon_mb_after": {p: round(peak["phases_kb"][p] / 1024, 1) for p in PHASES},
        "shards": shards,
    }
    return memory, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument(
        "--max-shard-size",
        help="cut shards at this size (e.g. 8MB: ~3.5K of these rows, as many as a 500 MB "
        "shard of 150 KB photos holds); default: the build's own 500MB",
    )
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-mix-") as tmp:
        for size in sorted(args.sizes):
            source = write_mix(Path(tmp), size)
            load = os.getloadavg()
            memory, seconds = peak_memory(source, args.max_shard_size)
            json_mb = round(source.stat().st_size / 2**20, 1)
            rows.append(
                {"entries": size, "json_mb": json_mb, **memory, "seconds": round(seconds, 1)}
            )
            rows[-1]["load_average_before"] = [round(x, 2) for x in load]
            phases = ", ".join(f"{p} {mb}" for p, mb in memory["anon_mb_after"].items())
            print(
                f"{size:7d} entries ({json_mb} MB JSON): peak anonymous "
                f"{memory['peak_anon_mb']:6.1f} MB, peak RSS {memory['peak_rss_mb']:6.1f} MB "
                f"({seconds:.0f} s, load {load[0]:.1f}); peak anonymous after each phase: {phases}",
                flush=True,
            )
    margin = rows[-1]["peak_anon_mb"] - rows[0]["peak_anon_mb"]
    print(f"{rows[-1]['entries']} vs {rows[0]['entries']} entries: +{margin:.1f} MB anonymous")
    growth = {
        p: round(rows[-1]["anon_mb_after"][p] - rows[0]["anon_mb_after"][p], 1) for p in PHASES
    }
    print("growth of the peak by the end of each phase (MB):", growth)
    args.out.mkdir(parents=True, exist_ok=True)
    report = {
        "command": "mmpriv build privacy-images --set source=MIX.json --config rate_0 --num-proc 1",
        "max_shard_size": args.max_shard_size or "500MB (default)",
        "machine": f"{os.uname().machine}, {len(os.sched_getaffinity(0))} cores",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "builds": rows,
        "margin_mb": round(margin, 1),
        "phase_growth_mb": growth,
    }
    name = f"source_memory_shards_{args.max_shard_size}" if args.max_shard_size else "source_memory"
    (args.out / f"{name}.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
