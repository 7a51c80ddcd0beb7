"""The profiles dataset as a user loads it: configs, splits, questions, identities."""

from __future__ import annotations

import io

import pytest
from datasets import load_dataset
from PIL import Image

from mmpriv_data.content import identities
from mmpriv_data.hub.build import build

N = 20


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("hub")
    build("profiles", out, seed=7, settings={"num_profiles": str(N), "image_size": "96"})
    return out / "profiles"


def load(folder, config):
    return load_dataset(str(folder), config, split="train")


def test_every_config_loads_with_expected_rows(folder):
    expected = {
        "full": N,
        "forget_5": 1,
        "forget_10": 2,
        "forget_15": 3,
        "retain_95": N - 1,
        "retain_90": N - 2,
        "retain_85": N - 3,
        "test": N,
    }
    assert {config: load(folder, config).num_rows for config in expected} == expected


def test_forget_sets_are_nested_and_retain_is_the_complement(folder):
    ids = {c: set(load(folder, c)["id"]) for c in ("full", "forget_5", "forget_10", "forget_15")}
    assert ids["forget_5"] < ids["forget_10"] < ids["forget_15"]
    for percent in (5, 10, 15):
        retain = set(load(folder, f"retain_{100 - percent}")["id"])
        assert retain == ids["full"] - ids[f"forget_{percent}"]


def test_a_person_is_the_same_row_in_every_config(folder):
    full = {row["id"]: row for row in load(folder, "full").with_format("arrow")[:].to_pylist()}
    for config in ("forget_15", "retain_85"):
        for row in load(folder, config).with_format("arrow")[:].to_pylist():
            assert row == full[row["id"]]


def test_test_config_rerenders_portraits_and_paraphrases(folder):
    full, test = load(folder, "full"), load(folder, "test")
    assert full["id"] == test["id"]
    for a, b in zip(full, test, strict=True):
        assert a["name"] == b["name"] and a["traits"] == b["traits"]
        assert a["images"][0].tobytes() != b["images"][0].tobytes()
        assert b["portrait_variant"] and not a["portrait_variant"]
        questions_a, questions_b = a["questions"], b["questions"]
        assert [q["answer"] for q in questions_a] == [q["answer"] for q in questions_b]
        changed = sum(
            qa["question"] != qb["question"]
            for qa, qb in zip(questions_a, questions_b, strict=True)
        )
        assert changed >= 14


def test_eighteen_questions_of_three_tasks_half_with_the_portrait(folder):
    rows = load(folder, "full")
    all_values = {}
    for row in rows:
        all_values.setdefault("birth_place", set()).add(row["birth_place"])
    for row in rows:
        questions = row["questions"]
        tasks = [q["task"] for q in questions]
        assert (tasks.count("mcq"), tasks.count("generation"), tasks.count("cloze")) == (10, 4, 4)
        assert sum(q["with_image"] for q in questions) == 9
        for q in questions:
            if q["task"] == "mcq":
                assert len(q["options"]) == 4 and len(set(q["options"])) == 4
                assert q["options"]["ABCD".index(q["answer"])] == q["answer_text"]
                if q["field"] == "birth_place":
                    # distractors are other people's values of the same field
                    assert set(q["options"]) <= all_values["birth_place"]
            elif q["task"] == "cloze":
                assert "__" in q["question"] and q["answer"]
            else:
                assert row["name"] in q["answer"]
            if not q["with_image"]:
                assert "this image" not in q["question"]


def test_rows_train_as_they_are(folder):
    row = load(folder, "forget_10")[0]
    assert isinstance(row["images"][0], Image.Image) and row["images"][0].size == (96, 96)
    messages = row["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"] * (len(messages) // 2)
    assert messages[0]["content"][0]["type"] == "image"
    assert messages[1]["content"][0]["text"] == row["biography"]
    image_items = sum(c["type"] == "image" for m in messages for c in m["content"])
    assert image_items == len(row["images"]) == 1


def test_identifiers_can_never_be_real(folder):
    for row in load(folder, "full"):
        assert identities.is_reserved_email(row["email"]), row["email"]
        assert identities.is_fictional_phone(row["phone"]), row["phone"]
        assert identities.is_never_issued_national_id(row["national_id"]), row["national_id"]
        assert identities.is_never_issued_card(row["card_number"]), row["card_number"]
        assert 10**9 <= row["user_id"] < 10**10


def test_portrait_traits_are_recorded(folder):
    row = load(folder, "full").with_format("arrow")[:].to_pylist()[0]
    traits = row["traits"]
    for key in ("skin_tone", "hair_color", "hair_style", "eye_color", "build", "glasses"):
        assert traits[key]
    image = Image.open(io.BytesIO(row["images"][0]["bytes"]))
    assert image.format == "JPEG"


def test_card_describes_configs_rules_and_provenance(folder):
    card = (folder / "README.md").read_text()
    assert "forget_10" in card and "| `forget_10` | 2 |" in card
    assert "example.com" in card and "555-01" in card
    assert "sha256" in card and "builder_version" in card
    assert "MLLMU-Bench" in card
