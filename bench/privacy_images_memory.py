"""Peak memory of `mmpriv build privacy-images` as the number of images grows.

    python bench/privacy_images_memory.py [--sizes 1000 3000 10000] [--config rate_50]

Each size is built in a fresh subprocess (`mmpriv build privacy-images --config C`, 640x480
scenes). Rows are streamed to Arrow by `datasets`, so the memory the build holds should stay
flat: the ratio of the largest to the smallest build's peak anonymous memory is printed
(1.0 = perfectly flat), next to the peak RSS, which includes mapped Arrow file pages.
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

# The child samples its own /proc/self/status every 20 ms: RssAnon is the memory the build
# really holds; ru_maxrss also counts pages of memory-mapped Arrow files that were read
# (file-backed, evictable page cache), which grow with the dataset by design of `datasets`.
CHILD = """
import atexit, resource, sys, threading, time
peak = {"anon": 0}
def sample():
    while True:
        for line in open("/proc/self/status"):
            if line.startswith("RssAnon:"):
                peak["anon"] = max(peak["anon"], int(line.split()[1]))
        time.sleep(0.02)
threading.Thread(target=sample, daemon=True).start()
atexit.register(lambda: print("PEAK_KB", peak["anon"],
    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr))
from mmpriv_data.cli.app import main
main()
"""


def peak_memory_mb(size: int, config: str) -> tuple[float, float, float]:
    """(peak anonymous RSS MB, peak RSS MB, seconds) of one build in a child process."""
    with tempfile.TemporaryDirectory(prefix="bench-pi-mem-") as out:
        command = [sys.executable, "-c", CHILD, "build", "privacy-images", "--out", out]
        command += ["--config", config, "--set", f"num_images={size}"]
        start = time.perf_counter()
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    anon_kb, rss_kb = (int(v) for v in done.stderr.rsplit("PEAK_KB", 1)[1].split()[:2])
    return anon_kb / 1024, rss_kb / 1024, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000, 10000])
    parser.add_argument("--config", default="rate_50")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    rows = []
    for size in sorted(args.sizes):
        anon, rss, seconds = peak_memory_mb(size, args.config)
        rows.append(
            {
                "images": size,
                "peak_anon_mb": round(anon, 1),
                "peak_rss_mb": round(rss, 1),
                "seconds": round(seconds, 1),
            }
        )
        print(
            f"{size:6d} images: peak anonymous {anon:6.1f} MB, "
            f"peak RSS {rss:6.1f} MB ({seconds:.0f} s)"
        )
    ratio = rows[-1]["peak_anon_mb"] / rows[0]["peak_anon_mb"]
    print(f"peak anonymous memory at {rows[-1]['images']} / at {rows[0]['images']}: {ratio:.2f}x")
    args.out.mkdir(parents=True, exist_ok=True)
    report = {"config": args.config, "cores": os.cpu_count(), "builds": rows, "ratio": ratio}
    (args.out / "privacy_images_memory.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
