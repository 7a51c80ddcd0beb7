"""EntryStore (issue 17): a source's entries and ids live on disk; what stays in memory per
entry is a few fixed-size numbers, so a 665K-entry mix costs what a 10K one does."""

from __future__ import annotations

import json
import tracemalloc

import pytest

from mmpriv_data.core.errors import MmprivError
from mmpriv_data.files import entries as entries_module
from mmpriv_data.files import sources
from mmpriv_data.files.entries import EntryStore


def store_of(ids: list[str]) -> EntryStore:
    store = EntryStore()
    for n, item_id in enumerate(ids):
        images = [] if n % 3 == 0 else [f"img/{n}.jpg"]
        store.append(item_id, {"messages": [{"role": "user", "n": n}], "images": images})
    store.finish()
    return store


def test_entries_ids_and_flags_read_back_in_order():
    ids = ["000000123", "7", "sharegpt_1_0", "é-unicode", "x" * 300]
    store = store_of(ids)
    assert len(store) == len(store.ids) == 5
    assert list(store.ids) == ids and store.ids[-1] == ids[-1] and store.ids[1:3] == ids[1:3]
    assert [store[n]["messages"][0]["n"] for n in range(5)] == list(range(5))
    assert list(store.has_images) == [0, 1, 1, 0, 1]
    with pytest.raises(IndexError):
        store.ids[5]


def test_index_of_finds_every_id_and_refuses_unknown_ones():
    ids = [str(n) if n % 2 else f"{n:012d}" for n in range(500)]
    store = store_of(ids)
    assert all(store.index_of(item_id) == n for n, item_id in enumerate(ids))
    with pytest.raises(KeyError):
        store.index_of("not-there")
    assert store.first_repeated_id() is None


def test_first_repeated_id_is_the_one_seen_first():
    # As Counter(ids) would report: "a" (first seen at 0) before "b" (first seen at 1).
    assert store_of(["a", "b", "c", "b", "a"]).first_repeated_id() == "a"
    assert store_of(["c", "b", "a", "b"]).first_repeated_id() == "b"


def test_hash_collisions_are_told_apart(monkeypatch):
    monkeypatch.setattr(entries_module, "_id_hash", lambda item_id: 42)  # every id collides
    store = store_of(["p", "q", "r"])
    assert [store.index_of(i) for i in "pqr"] == [0, 1, 2]
    assert store.first_repeated_id() is None
    assert store_of(["p", "q", "p"]).first_repeated_id() == "p"


def test_memory_per_entry_is_a_few_fixed_size_numbers():
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        store = store_of([f"{n:012d}" for n in range(20_000)])
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(store) == 20_000
    # offsets 16 + flag 1 + sorted hash and rank 16 bytes; a list of id strings alone is ~70.
    assert held / 20_000 < 48


def test_duplicate_ids_in_a_source_name_the_first(tmp_path):
    path = tmp_path / "mix.json"
    turns = [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello"}]
    entries = [{"id": i, "conversations": turns} for i in (5, "x", "y", "x", 5)]
    path.write_text(json.dumps(entries))
    with pytest.raises(MmprivError, match="id '5' appears more than once"):
        sources.open_source(str(path))


def test_source_item_and_index_of(tmp_path):
    path = tmp_path / "mix.json"
    turns = [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello"}]
    path.write_text(json.dumps([{"id": i, "conversations": turns} for i in (10, "b", 3)]))
    source = sources.open_source(str(path))
    assert list(source.ids) == ["10", "b", "3"] and len(source) == 3
    assert source.index_of("3") == 2 and not source.has_image(2)
    assert source.item(1)["id"] == "b" and source.text_only == 3
