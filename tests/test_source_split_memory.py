"""Issue 17, "sources stream": what a privacy-images build keeps per source entry after the
source is read (the split of the source, the work units) is a few bytes, not Python strings
and tuples, so a 100K-entry LLaVA mix costs about what a 10K one does.

Measured with tracemalloc as the growth per entry between two source sizes (the fixed costs
cancel); no timings.
"""

from __future__ import annotations

import gc
import json
import pathlib
import tracemalloc

from PIL import Image

from builders.privacy_images_builder import WORK_UNIT
from mmpriv_data.definitions import privacy_images
from mmpriv_data.files import sources

# Before: the split held each id as a string in a tuple (~70 B) over a cached tuple of int
# indices (~36 B), and the units an (id, set) tuple per item (~64 B more). Now: 8-byte
# indices in arrays, and work units of 32 indices with a flag byte each.
MAX_SPLIT_BYTES_PER_ENTRY = 24
MAX_UNITS_BYTES_PER_ENTRY = 24


def write_source(folder, entries: int) -> str:
    """A LLaVA-style JSON: numeric and string ids, 1 in 16 entries text-only, 8 shared images."""
    for k in range(8):
        Image.new("RGB", (96, 72), (k * 30, 90, 160)).save(folder / f"{k}.jpg")
    rows = []
    for i in range(entries):
        row = {"id": i if i % 4 == 0 else f"{i:012d}", "conversations": []}
        question = "<image>\nWhat is shown?" if i % 16 else "Hello?"
        row["conversations"] = [
            {"from": "human", "value": question},
            {"from": "gpt", "value": "A."},
        ]
        if i % 16:
            row["image"] = f"{i % 8}.jpg"
        rows.append(row)
    path = folder / f"mix_{entries}.json"
    path.write_text(json.dumps(rows))
    return str(path)


def traced(snapshot: tracemalloc.Snapshot) -> int:
    # Left out: one-off growth of the interpreter's tables that lands wherever it happens to
    # be triggered (pathlib interns path parts; lazy imports), not per entry.
    ignored = [tracemalloc.Filter(False, pathlib.__file__), tracemalloc.Filter(False, "<frozen *")]
    return sum(stat.size for stat in snapshot.filter_traces(ignored).statistics("filename"))


def kept_now() -> int:
    """Bytes traced and still reachable: cyclic garbage is collected first, so whether the
    collector happened to run inside the window (it depends on what ran before in the
    process) does not count as memory kept."""
    gc.collect()
    return traced(tracemalloc.take_snapshot())


def bytes_kept(plan: privacy_images.Params) -> tuple[int, int, int]:
    """(bytes held by the split, bytes held by the probe and rate_0 units, probe items)."""
    plan.open_source()  # the source itself is measured by test_source_entries
    tracemalloc.start()
    try:
        before = kept_now()
        split = privacy_images._split_ids(plan)
        after_split = kept_now()
        units = [privacy_images.config_units(plan, c, WORK_UNIT) for c in ("probe", "rate_0")]
        after_units = kept_now()
    finally:
        tracemalloc.stop()
    assert sum(len(u) for u in units) == -(-len(split[1]) // WORK_UNIT) - (
        -len(split[0]) // WORK_UNIT
    )
    return after_split - before, after_units - after_split, len(split[1])


def test_split_and_units_keep_a_few_bytes_per_entry(tmp_path):
    small, large = 2_000, 10_000
    kept = {}
    for entries in (500, small, large):  # 500: a first run takes the one-off costs (caches)
        folder = tmp_path / str(entries)
        folder.mkdir()
        plan = privacy_images.Params(source=write_source(folder, entries), seed=3)
        kept[entries] = bytes_kept(plan)
        assert kept[entries][2] > 0  # some items were held out for the probe split
    split = (kept[large][0] - kept[small][0]) / (large - small)
    units = (kept[large][1] - kept[small][1]) / (large - small)
    assert split <= MAX_SPLIT_BYTES_PER_ENTRY, f"split keeps {split:.1f} B per entry"
    assert units <= MAX_UNITS_BYTES_PER_ENTRY, f"work units keep {units:.1f} B per entry"


def test_units_give_the_ids_and_sets_of_the_config(tmp_path):
    plan = privacy_images.Params(source=write_source(tmp_path, 300), seed=5)
    sets = privacy_images.probe_sets(plan)
    for config in ("probe", "rate_50"):
        items = [
            pair
            for unit in privacy_images.config_units(plan, config, WORK_UNIT)
            for pair in privacy_images.unit_items(plan, config, unit)
        ]
        ids = privacy_images.config_ids(plan, config)
        assert [item_id for item_id, _ in items] == ids
        expected = [sets[i] for i in ids] if config == "probe" else [None] * len(ids)
        assert [user_set for _, user_set in items] == expected
    assert sorted(sets.values()).count("U1") == (len(sets) + 1) // 2
    assert isinstance(sources.checked_indices(plan.open_source(), False)[0], int)
