"""The scrubber's learned second opinion (mmpriv_data/transforms/scrub/tagger.py): its weights
file names the corpus parts it was trained on, its guesses reach the structural rules as hints,
and shape or style words before hair and eyes are not taken for colours."""

from __future__ import annotations

import pytest

from mmpriv_data.transforms.scrub import scrub, tagger
from mmpriv_data.transforms.scrub.evaluation import grammar_problems
from mmpriv_data.transforms.scrub.lexicon import ATTRIBUTES
from mmpriv_data.transforms.scrub.tokens import TokenView

ALL = frozenset(ATTRIBUTES)


@pytest.fixture
def table():
    """A hand-made table: 'zorby' is a build word wherever it stands (rules decide the rest)."""
    saved = tagger.OVERRIDE
    build = tagger.LABELS.index("build")
    tagger.OVERRIDE = {"b": (2.0, 0, 0, 0, 0, 0, 0),
                       "w=zorby": tuple(5.0 if c == build else 0 for c in range(7))}  # fmt: skip
    yield tagger.OVERRIDE
    tagger.OVERRIDE = saved


def test_the_weights_file_names_its_training_parts_and_not_the_blind_one():
    head = "\n".join(line for line in tagger.WEIGHTS.read_text().splitlines()[:4])
    assert "heldout10" in head and "tuning" in head
    assert "heldout11" not in head  # scored blind with these weights
    assert len(tagger.weights()) > 100
    assert all(len(row) == len(tagger.LABELS) for row in tagger.weights().values())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A zorby cyclist rides past.", "A cyclist rides past."),
        ("The cyclist is zorby.", "I'm sorry, but I cannot provide information related to "
         "biometric attributes."),
        ("The cyclist is zorby and wears a helmet.", "The cyclist wears a helmet."),
        ("A zorby table stands in the hall.", "A zorby table stands in the hall."),
    ],
)  # fmt: skip
def test_a_guess_is_a_hint_that_the_structural_rules_act_on(table, text, expected):
    result = scrub(text)
    assert result.text == expected
    assert grammar_problems(result.text) == []


def test_without_weights_the_rules_alone_decide(table):
    tagger.OVERRIDE = {}
    assert scrub("A zorby cyclist rides past.").text == "A zorby cyclist rides past."


def test_listed_words_and_closed_classes_are_never_guessed():
    view = TokenView("The tall man is with her.", ALL)
    assert [view.tok[i] for i in range(view.n) if tagger.candidate(view, i)] == []


def test_shape_and_style_words_before_eyes_or_hair_are_not_colours():
    table = {"b": (0.0,) * 7, "nf=eye_color": (0, 0, 0, 0, 9.0, 0, 0),
             "s2=ed": (0, 0, 0, 0, 1.0, 0, 0), "s2=ny": (0, 0, 0, 0, 1.0, 0, 0)}  # fmt: skip
    view = TokenView("A woman with hooded eyes and kohl-lined eyes.", ALL)
    assert tagger.guess(view, 3, table) is None  # "hooded"
    assert tagger.guess(view, 6, table) is None  # "kohl-lined"
    view = TokenView("A woman with tawny eyes.", ALL)
    assert tagger.guess(view, 3, table) == "eye_color"


def test_a_guess_needs_evidence_from_the_word_itself_not_only_its_position():
    table = {"b": (0.0,) * 7, "nperson": (0, 0, 0, 0, 0, 0, 9.0), "s2=ky": (0, 0, 0, 0, 0, 0, 1.0)}
    assert tagger.guess(TokenView("A happy woman.", ALL), 1, table) is None
    assert tagger.guess(TokenView("A hulky woman.", ALL), 1, table) == "build"


def test_the_shipped_weights_flag_unlisted_build_and_colour_words_in_context():
    assert scrub("A gangly-looking fellow with tawny hair waves.").text != (
        "A gangly-looking fellow with tawny hair waves."
    )
    view = TokenView("The cyclist is sinewy and tanned.", ALL)
    assert tagger.probabilities(tagger.features(view, 3), tagger.weights())[0] < 0.99


def test_a_word_that_a_rule_reads_keeps_its_rule_whatever_the_tagger_says():
    saved = tagger.OVERRIDE
    build = tagger.LABELS.index("build")
    tagger.OVERRIDE = {"b": (0.0,) * 7, "nw=one": tuple(9.0 if c == build else 0 for c in range(7))}
    try:  # "tallest" before "one" is the superlative rule's; "in his" the decade rule's
        assert scrub("Three workers dig; the tallest one leans on a shovel.").text == (
            "Three workers dig; the one leans on a shovel."
        )
        assert scrub("A man in his forties rows.").text == "A person rows."
    finally:
        tagger.OVERRIDE = saved
