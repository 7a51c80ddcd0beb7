"""Rows per second of `mmpriv build --engine ray` on 1 and 2 local Ray nodes, and what that
projects for the LLaVA-665K mix on N machines.

    python bench/ray_build.py [--images 240] [--out bench/results]

A local cluster (`ray.cluster_utils.Cluster`, one CPU per node) builds `privacy-images`
`rate_50` and `rate_100` at 640x480 (rows: render a VQA scene, embed a record into half or all
of them, JPEG-encode): once to start the workers (not timed), then timed on one node, then on
two. The local engine with `--num-proc 1` and `2` is timed for reference, after its own warm-up
build (the user sets' Faker set-up, imports). Build wall time
includes the driver's part (split, Arrow file, parquet shards, card).

Projection from the one-node run's two phases: generation (rows made on the cluster and
streamed to the driver's Arrow files) divides over N machines of C cores; the driver's part
(parquet shards, checksums, card, start-up) does not. The mix needs about 4.2 rows per entry
(rate_0/10/50/100 + a 20% probe) for 665K entries.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

MIX_ENTRIES = 665_298
ROWS_PER_ENTRY = 4.2  # four rate_R configs + the probe's 20%


PHASES = {"generate": 0.0, "write": 0.0}  # seconds of the last build in each driver phase


def _timing(module, name: str, phase: str) -> None:
    """Wrap module.name so its seconds add up in PHASES[phase]."""
    original = getattr(module, name)

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            PHASES[phase] += time.perf_counter() - start

    setattr(module, name, timed)


def timed_build(out: Path, settings: dict, **engine) -> float:
    from mmpriv_data.hub.build import build

    PHASES.update(generate=0.0, write=0.0)
    start = time.perf_counter()
    build("privacy-images", out, settings=settings, configs=["rate_50", "rate_100"], **engine)
    seconds = time.perf_counter() - start
    shutil.rmtree(out)
    return seconds


def main() -> None:
    import ray
    from ray.cluster_utils import Cluster

    from mmpriv_data.hub import build as build_module
    from mmpriv_data.hub import ray_engine

    _timing(ray_engine, "generate_splits", "generate")  # on the cluster, rows to Arrow files
    _timing(build_module, "write_split", "write")  # on the driver alone: parquet, sha256

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=240)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    settings = {"num_images": args.images, "num_probe": 2}
    rows = 2 * args.images
    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="bench-ray-"))
    timed_build(work / "warm-local", {"num_images": 8, "num_probe": 2}, num_proc=1)  # caches
    seconds = {
        "local_num_proc_1": timed_build(work / "l1", settings, num_proc=1),
        "local_num_proc_2": timed_build(work / "l2", settings, num_proc=2),
    }
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    ray.init(address=cluster.address, log_to_driver=False, logging_level="WARNING")
    try:
        timed_build(work / "warm", {"num_images": 8, "num_probe": 2}, engine="ray")
        seconds["ray_1_node"] = timed_build(work / "r1", settings, engine="ray")
        phases_1_node = dict(PHASES)
        cluster.add_node(num_cpus=1)
        cluster.wait_for_nodes()
        timed_build(work / "warm2", {"num_images": 64, "num_probe": 2}, engine="ray")
        seconds["ray_2_nodes"] = timed_build(work / "r2", settings, engine="ray")
    finally:
        ray.shutdown()
        cluster.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    rate = {name: rows / s for name, s in seconds.items()}
    r1, r2 = rate["ray_1_node"], rate["ray_2_nodes"]
    # Projection from the one-node run's phases: generation spreads over every core of the
    # cluster; the driver's part (the rest of the build: parquet shards, checksums, card, Ray
    # start-up) runs on one machine, after generation.
    parallel = phases_1_node["generate"] / rows  # seconds per row on one core
    serial = (seconds["ray_1_node"] - phases_1_node["generate"]) / rows
    mix_rows = MIX_ENTRIES * ROWS_PER_ENTRY
    projection = []
    for machines, cores in ((1, 2), (1, 32), (4, 32), (16, 32), (64, 32)):
        per_row = serial + parallel / (machines * cores)
        projection.append(
            {
                "machines": machines,
                "cores_each": cores,
                "rows_per_s": round(1 / per_row, 1),
                "mix_hours": round(mix_rows * per_row / 3600, 2),
            }
        )
    report = {
        "machine": f"{os.uname().machine}, {len(os.sched_getaffinity(0))} cores",
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "rows": rows,
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
        "rows_per_s": {k: round(v, 1) for k, v in rate.items()},
        "speedup_2_nodes": round(r2 / r1, 2),
        "phases_1_node_seconds": {k: round(v, 2) for k, v in phases_1_node.items()},
        "driver_ms_per_row": round(serial * 1e3, 2),
        "generate_ms_per_row_per_core": round(parallel * 1e3, 2),
        "mix_rows": mix_rows,
        "projection": projection,
    }
    for name, value in rate.items():
        print(f"{name:18s} {value:7.1f} rows/s ({seconds[name]:.1f} s for {rows} rows)")
    print(
        f"2 nodes / 1 node: {r2 / r1:.2f}x; driver alone {serial * 1e3:.2f} ms/row, "
        f"generation {parallel * 1e3:.2f} ms/row/core"
    )
    for p in projection:
        print(
            f"  {p['machines']:3d} x {p['cores_each']:2d} cores: {p['rows_per_s']:9.1f} rows/s, "
            f"665K mix ({mix_rows:.0f} rows) in {p['mix_hours']:.2f} h"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ray_build.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
