"""Regression cases of issue 18, round 13 (heldout14's classes, in new wording; each fails
on the round-12 scrubber of 10a2cc4): approximate ages written as one word ("fiftyish",
"30ish") or closed by "or so" in an apposition of traits ("a shepherd, lean and knock-kneed,
thirty or so,"), ages after "of" in words ("of forty-two", "of sixty-odd"); traits right
after a person noun with no verb ("the man short and stocky, the woman willowy",
"the clerk thirtyish at the desk", traits.after_head); a colour after its feature in a record
("hair brown, eyes blue", "complexion fair;", traits.value_after); build compounds ("stoop-
shouldered", "double-chinned"), words of build, titles and trades the lists lacked
(herdsman, noblewoman, thick-set, matronly) and colloquial demonyms ("Aussie"). And texts that
stay: animals whose names end like agent nouns ("an elderly Labrador"), a foal's legs, a
Welsh dresser, counts of things."""

from __future__ import annotations

import pytest

from mmpriv_data.transforms.scrub import scrub

ROUND_THIRTEEN = [
    ("A shepherd, lean and knock-kneed, thirty or so, leads the flock.",
     "A shepherd leads the flock."),
    ("The photo shows a baker, sunburnt and fiftyish, pulling loaves from the oven.",
     "The photo shows a baker pulling loaves from the oven."),
    ("A fortyish tourist photographs the fountain.",
     "A tourist photographs the fountain."),
    ("The clerk thirtyish at the desk stamps a form.",
     "The clerk at the desk stamps a form."),
    ("The pair on the steps: the man short and stocky, the woman willowy.",
     "The pair on the steps: the person, the person."),
    ("Ship's register: Anton Weber, sailor, hair brown, eyes blue, bound for Hamburg.",
     "Ship's register: Anton Weber, sailor, hair, eyes, bound for Hamburg."),
    ("The form gives complexion fair; hair auburn.",
     "The form gives complexion; hair."),
    ("Her hair black, she waves.",
     "Their hair, they wave."),
    ("A pianist of sixty-odd plays a waltz.",
     "A pianist plays a waltz."),
    ("A cellist of forty-two bows.",
     "A cellist bows."),
    ("The herdsman drives goats up the slope.",
     "The herder drives goats up the slope."),
    ("The noblewoman in the portrait holds a fan.",
     "The noble in the portrait holds a fan."),
    ("An Aussie surfer waxes a board.",
     "A surfer waxes a board."),
    ("A stoop-shouldered clerk files papers.",
     "A clerk files papers."),
    ("A double-chinned banker laughs.",
     "A banker laughs."),
    ("A thick-set plasterer smooths a wall.",
     "A plasterer smooths a wall."),
    ("A bearlike lumberjack swings an axe.",
     "A lumberjack swings an axe."),
    ("A matronly cook ladles soup.",
     "A cook ladles soup."),
]  # fmt: skip

KEPT = [
    "An elderly Labrador dozes on the porch.",
    "A skinny Dalmatian chases a ball.",
    "A newborn foal with long skinny legs wobbles in the paddock.",
    "A bag of twenty-odd apples sits on the table.",
    "We bought forty or so lanterns for the party.",
    "The paint dried brown, then grey.",
    "A fortyish bottle of port? No, a 1984 vintage.",
    "A Venetian mirror hangs in the hall.",
    "The knock-kneed colt trots.",
]


@pytest.mark.parametrize(("text", "expected"), ROUND_THIRTEEN)
def test_round_thirteen(text: str, expected: str):
    assert scrub(text).text == expected


@pytest.mark.parametrize("text", KEPT)
def test_animals_and_counts_stay(text: str):
    """Dogs and foals, counts of things, a paint's colours, a mirror's style."""
    assert scrub(text).text == text


def test_a_welsh_dresser_is_furniture():
    """The grandmother goes, the dresser keeps its origin."""
    assert scrub("Her grandmother's Welsh dresser holds blue plates.").text == (
        "Their grandparent's Welsh dresser holds blue plates."
    )


def test_a_record_logs_each_colour_by_its_feature():
    changes = scrub("Entry: hair red, eyes green, complexion fair.").changes
    assert {c["attribute"] for c in changes} == {"hair_color", "eye_color", "race"}
