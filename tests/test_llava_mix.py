"""The real LLaVA-665K mix as a source (issue 17): text-only entries (no `image` key) are kept
in every rate_R config as they are, counted in the build summary and the card; the mix's other
quirks (numeric ids, `<image>` at the end of a turn, several image sub-folders, many turns)
come through unchanged.
"""

from __future__ import annotations

import json

import datasets
import pytest
from PIL import Image

from mmpriv_data.core.errors import MmprivError
from mmpriv_data.files import sources
from mmpriv_data.hub.build import build

FOLDERS = ["coco/train2017", "gqa/images", "ocr_vqa/images", "textvqa/train_images", "vg/VG_100K_2"]


def mix_entries() -> list[dict]:
    entries = []
    for i in range(30):
        folder = FOLDERS[i % len(FOLDERS)]
        turns = [
            {"from": "human", "value": f"What colour is object {i}?\n<image>"}  # marker last
            if i % 2
            else {"from": "human", "value": f"<image>\nWhat colour is object {i}?"},
            {"from": "gpt", "value": "Red."},
            {"from": "human", "value": "And the background?"},
            {"from": "gpt", "value": "Blue."},
        ]
        entry_id = 100_000 + i if i % 3 == 0 else f"{i:012d}"  # numeric ids, as in the mix
        entries.append({"id": entry_id, "image": f"{folder}/{i:06d}.jpg", "conversations": turns})
        if i % 5 == 0:  # ShareGPT-style text-only conversations: no `image` key
            entries.append(
                {
                    "id": f"sharegpt_{i}_0",
                    "model": "",
                    "conversations": [
                        {"from": "human", "value": f"Write a haiku about the number {i}."},
                        {"from": "gpt", "value": "Numbers in a row\nquietly adding up\n..."},
                    ],
                }
            )
    return entries


@pytest.fixture(scope="module")
def mix(tmp_path_factory):
    root = tmp_path_factory.mktemp("llava")
    entries = mix_entries()
    for entry in entries:
        if "image" in entry:
            path = root / entry["image"]
            path.parent.mkdir(parents=True, exist_ok=True)
            shade = len(str(entry["id"])) * 20 % 255
            Image.new("RGB", (320, 240), (shade, 120, 200)).save(path, quality=90)
    data = root / "llava_v1_5_mix665k.json"
    data.write_text(json.dumps(entries), encoding="utf-8")
    return data, entries


@pytest.fixture(scope="module")
def built(mix, tmp_path_factory):
    data, _ = mix
    out = tmp_path_factory.mktemp("built")
    result = build("privacy-images", out, settings={"source": str(data)}, num_proc=1)
    return result, out / "privacy-images"


def rows(folder, config, split="train"):
    return datasets.load_dataset(str(folder), config, split=split)


def test_text_only_entries_are_in_every_rate_config_as_they_are(mix, built):
    _, entries = mix
    _, folder = built
    text_only = {e["id"]: e for e in entries if "image" not in e}
    for rate in (0, 10, 50, 100):
        by_id = {row["id"]: row for row in rows(folder, f"rate_{rate}")}
        for item_id, entry in text_only.items():
            row = by_id[item_id]
            assert row["images"] == [] and row["embedded"] is False
            expected = sources.llava_to_messages(entry["conversations"], "test")
            assert row["messages"] == expected
    assert not set(text_only) & {row["id"] for row in rows(folder, "probe", "test")}


def test_image_entries_keep_ids_markers_and_turns(mix, built):
    _, entries = mix
    _, folder = built
    rate_100 = {row["id"]: row for row in rows(folder, "rate_100")}
    probe = {row["id"]: row for row in rows(folder, "probe", "test")}
    with_images = [e for e in entries if "image" in e]
    text_only = {e["id"] for e in entries if "image" not in e}
    assert {str(e["id"]) for e in with_images} == (set(rate_100) | set(probe)) - text_only
    assert not set(rate_100) & set(probe)
    for entry in with_images:
        row = rate_100.get(str(entry["id"])) or probe[str(entry["id"])]
        assert len(row["images"]) == 1 and row["embedded"] is True
        back = sources.messages_to_llava(row["messages"])
        assert back == entry["conversations"]  # `<image>` first or last, four turns


def test_text_only_count_in_summary_and_card(built):
    result, folder = built
    assert result.notes == ["6 text-only source entries kept in every rate_R config"]
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert "6 text-only entries kept as they are" in card


def test_missing_image_is_an_error_or_skipped(mix, tmp_path):
    data, entries = mix
    missing = {**entries[0], "id": 999, "image": "coco/train2017/nope.jpg"}
    broken = [*entries, missing]
    path = data.parent / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(MmprivError, match="nope.jpg"):
        build("privacy-images", tmp_path / "a", settings={"source": str(path)}, num_proc=1)
    assert not (tmp_path / "a" / "privacy-images").exists()
    settings = {"source": str(path), "skip_bad": "true"}
    build("privacy-images", tmp_path / "b", settings=settings, configs=["rate_0"], num_proc=1)
    ids = {row["id"] for row in rows(tmp_path / "b" / "privacy-images", "rate_0")}
    assert "999" not in ids and "sharegpt_0_0" in ids
