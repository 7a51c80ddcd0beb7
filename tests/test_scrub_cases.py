"""The scrubber against a table of hand-written caption cases (tests/data/scrub_cases.tsv)
and a generated corpus whose biometric words and look-alike traps are marked."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmpriv_data.content.captions import caption_corpus
from mmpriv_data.transforms.scrub import ATTRIBUTES, BIOMETRIC_REFUSAL, apply_changes, scrub

CASES_FILE = Path(__file__).parent / "data" / "scrub_cases.tsv"


def load_cases() -> list[tuple[str, str, str]]:
    cases = []
    for line in CASES_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        attributes, text, expected = line.split("\t")
        cases.append((attributes, text.replace("\\n", "\n"), expected.replace("\\n", "\n")))
    return cases


CASES = load_cases()


def test_the_table_is_large_and_covers_every_attribute():
    assert len(CASES) >= 300
    switched = {
        a for attributes, _, _ in CASES if attributes != "all" for a in attributes.split(",")
    }
    assert set(ATTRIBUTES) <= switched
    changed = {c["attribute"] for _, text, _ in CASES for c in scrub(text).changes}
    assert changed == set(ATTRIBUTES)


@pytest.mark.parametrize(("attributes", "text", "expected"), CASES, ids=[c[1][:60] for c in CASES])
def test_case(attributes: str, text: str, expected: str):
    result = scrub(text, None if attributes == "all" else attributes)
    assert result.text == expected
    if result.text != BIOMETRIC_REFUSAL:  # the change log reproduces the output
        assert apply_changes(text, result.changes) == result.text
    assert all(text[c["start"] : c["end"]] == c["original"] for c in result.changes)
    assert result.changed == (expected != text)


def test_changes_name_attribute_span_and_replacement():
    result = scrub("An older woman is sitting on a bench.")
    assert result.changes == [
        {"attribute": "gender", "original": "An", "replacement": "A", "start": 0, "end": 2},
        {"attribute": "age", "original": "older ", "replacement": "", "start": 3, "end": 9},
        {"attribute": "gender", "original": "woman", "replacement": "person", "start": 9,
         "end": 14},
    ]  # fmt: skip


def test_unknown_attribute_is_one_clear_error():
    from mmpriv_data.core.errors import MmprivError

    with pytest.raises(
        MmprivError, match="unknown attribute 'shoe_size'; known attributes: gender"
    ):
        scrub("A man.", attributes=["gender", "shoe_size"])


def test_no_biometric_term_survives_on_a_generated_corpus_and_traps_stay():
    corpus = caption_corpus(seed=7, n=400)
    missed, trapped, marked = [], [], 0
    for sample in corpus:
        results = [scrub(turn["value"]) for turn in sample["conversations"]]
        for turn, start, end, attribute in sample["biometric_spans"]:
            marked += 1
            if not any(c["start"] < end and start < c["end"] for c in results[turn].changes):
                missed.append((sample["conversations"][turn]["value"][start:end], attribute))
        for turn, start, end in sample["trap_spans"]:
            if any(c["start"] < end and start < c["end"] for c in results[turn].changes):
                trapped.append(sample["conversations"][turn]["value"][start:end])
    assert marked > 1000
    assert missed == []
    assert trapped == []


def test_corpus_is_deterministic_per_item():
    assert caption_corpus(3, 5)[4] == caption_corpus(3, 50)[4]
    assert caption_corpus(3, 5) != caption_corpus(4, 5)
