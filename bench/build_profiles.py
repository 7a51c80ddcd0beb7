"""Profiles build speed and peak memory at two sizes, measured in one run.

    python bench/build_profiles.py [--sizes 500 5000] [--num-proc 1]

Each size is built in a fresh subprocess (every config, portraits included) so that its peak
memory is its own. Peak anonymous memory (sampled from /proc) is the figure that matters:
RSS also counts pages of the memory-mapped Arrow cache, which the OS reclaims at will.
Prints people/s, seconds and peak MB per size, and the memory ratio between the largest and
smallest size: flat memory means a ratio near 1 while rows grow 10x.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile

CHILD = """
import json, resource, sys, threading, time
from mmpriv_data.hub.build import build

def rss_anon_mb():
    # Anonymous memory only: memory-mapped Arrow files are page cache the OS can drop.
    for line in open("/proc/self/status"):
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    return 0.0

peak = {"anon": 0.0}
done = threading.Event()
def sample():
    while not done.is_set():
        peak["anon"] = max(peak["anon"], rss_anon_mb())
        time.sleep(0.05)
threading.Thread(target=sample, daemon=True).start()
n, num_proc, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
start = time.perf_counter()
result = build("profiles", out, settings={"num_profiles": str(n)}, num_proc=num_proc)
seconds = time.perf_counter() - start
done.set()
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"people": n, "rows": result.rows, "seconds": seconds, "peak_mb": peak_mb,
                  "peak_anon_mb": peak["anon"], "size_mb": result.size_bytes / 2**20}))
"""


def measure(people: int, num_proc: int) -> dict:
    with tempfile.TemporaryDirectory() as out:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(people), str(num_proc), out],
            check=True,
            capture_output=True,
            text=True,
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--num-proc", type=int, default=1)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    results = [measure(n, args.num_proc) for n in args.sizes]
    print(
        f"{'people':>7} {'rows':>7} {'seconds':>8} {'people/s':>9} {'peak RSS MB':>12} "
        f"{'peak anon MB':>13} {'size MB':>8}"
    )
    for r in results:
        rate = r["people"] / r["seconds"]
        print(
            f"{r['people']:>7} {r['rows']:>7} {r['seconds']:>8.1f} {rate:>9.1f} "
            f"{r['peak_mb']:>12.0f} {r['peak_anon_mb']:>13.0f} {r['size_mb']:>8.1f}"
        )
    if len(results) > 1:
        first, last = results[0], results[-1]
        print(
            f"people x{last['people'] / first['people']:.0f} -> peak anonymous memory "
            f"x{last['peak_anon_mb'] / first['peak_anon_mb']:.2f} (RSS incl. mapped files "
            f"x{last['peak_mb'] / first['peak_mb']:.2f}), people/s "
            f"x{(last['people'] / last['seconds']) / (first['people'] / first['seconds']):.2f}"
        )
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"num_proc": args.num_proc, "results": results}, handle, indent=2)


if __name__ == "__main__":
    main()
