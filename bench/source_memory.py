"""Peak memory of a build from a LLaVA-665K-style JSON source, as the number of entries grows.

    python bench/source_memory.py [--sizes 10000 100000] [--out bench/results]

Each size is a LLaVA JSON shaped like the real mix (numeric and string ids, images in the
mix's five sub-folders, `<image>` first or last, two to six turns, 6% text-only entries
without `image`), over a pool of 200 small JPEGs that entries share. Each build
(`mmpriv build privacy-images --set source=... --config rate_0 --num-proc 1`) runs in a fresh
process that samples its own anonymous RSS every 20 ms (the memory the build holds; mapped
Arrow pages are page cache, not counted). Sources stream, so the peak should not grow with
the number of entries beyond the ids and a few bytes per entry.
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
CHILD = Path(__file__).with_name("privacy_images_memory.py")


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


def peak_memory(source: Path) -> tuple[float, float, float]:
    """(peak anonymous MB, peak RSS MB, seconds) of one build in a child process."""
    code = CHILD.read_text(encoding="utf-8").split('CHILD = """', 1)[1].split('"""', 1)[0]
    with tempfile.TemporaryDirectory(prefix="bench-src-mem-") as out:
        command = [sys.executable, "-c", code, "build", "privacy-images", "--out", out]
        command += ["--config", "rate_0", "--num-proc", "1", "--set", f"source={source}"]
        start = time.perf_counter()
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    anon_kb, rss_kb = (int(v) for v in done.stderr.rsplit("PEAK_KB", 1)[1].split()[:2])
    return anon_kb / 1024, rss_kb / 1024, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-mix-") as tmp:
        for size in sorted(args.sizes):
            source = write_mix(Path(tmp), size)
            anon, rss, seconds = peak_memory(source)
            rows.append(
                {
                    "entries": size,
                    "json_mb": round(source.stat().st_size / 2**20, 1),
                    "peak_anon_mb": round(anon, 1),
                    "peak_rss_mb": round(rss, 1),
                    "seconds": round(seconds, 1),
                }
            )
            print(
                f"{size:7d} entries ({rows[-1]['json_mb']} MB JSON): peak anonymous "
                f"{anon:6.1f} MB, peak RSS {rss:6.1f} MB ({seconds:.0f} s)",
                flush=True,
            )
    margin = rows[-1]["peak_anon_mb"] - rows[0]["peak_anon_mb"]
    print(f"{rows[-1]['entries']} vs {rows[0]['entries']} entries: +{margin:.1f} MB anonymous")
    args.out.mkdir(parents=True, exist_ok=True)
    report = {
        "command": "mmpriv build privacy-images --set source=MIX.json --config rate_0 --num-proc 1",
        "machine": f"{os.uname().machine}, {len(os.sched_getaffinity(0))} cores",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "builds": rows,
        "margin_mb": round(margin, 1),
    }
    (args.out / "source_memory.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
