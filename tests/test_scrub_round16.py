"""Regression cases of issue 18, round 16 (heldout17's classes, in new wording; each fails
on the round-15 scrubber of 81dd902): the colour of eyes or hair whose owner is not named
("Freckles, auburn hair, green eyes", "the eyes are grey", "same hazel eyes", "wisps of
ginger hair": unowned.py, read from features.py and predicates.subject_kind); a share of
descent in figures ("45% Welsh", "Somali 70%", chat.percent_share); "much" and "seriously"
before a predicate ("The groom is much taller", not before "than"); an age in months,
weeks or days ("is three weeks old", ages.age_number); words the lists lacked
(tester, sitter, intruder; caveman, cavewoman). And texts that stay: an animal's, a doll's
or a dog's eyes, dye for hair, a whiskey's strength, "much" before "than" or in "much
higher", a tester who is not described, bread two days old."""

from __future__ import annotations

import pytest

from mmpriv_data.transforms.scrub import scrub

ROUND_SIXTEEN = [
    ("Freckles, auburn hair, green eyes, a gap in the front teeth.",
     "Freckles, hair, eyes, a gap in the front teeth."),
    ("The eyes are grey and the hair is honey blonde; hard to say more from this angle.",
     "Hard to say more from this angle."),
    ("The green eyes and curly red hair are just like their mother's.",
     "The eyes and curly hair are just like their parent's."),
    ("Same hazel eyes as in the old photo, same wavy chestnut hair.",
     "Same eyes as in the old photo, same wavy hair."),
    ("Wisps of ginger hair poke out from under the knitted hat.",
     "Wisps of hair poke out from under the knitted hat."),
    ("My DNA kit came back 45% Welsh, which surprised everyone.",
     "My DNA kit came back 45%, which surprised everyone."),
    ("The report says Somali 70%, and the rest Ethiopian.",
     "The report says 70%, and the rest."),
    ("Today's sitter, 5'7\", 60 kg, will hold a standing pose.",
     "Today's sitter, will hold a standing pose."),
    ("The intruder, about 5'9\", ran toward the car park.",
     "The intruder ran toward the car park."),
    ("The groom is much taller, maybe.",
     "The newlywed is maybe."),
    ("In the cartoon a caveman with a club chases a tiny cavewoman.",
     "In the cartoon a cave dweller with a club chases a cave dweller."),
]  # fmt: skip

BECOME_REFUSALS = [
    "The eyes are blue.",
    "The bride is much shorter.",
    "They are seriously tall.",
    "The baby in the sling is three weeks old.",
]

KEPT = [
    "A cat curls up on the sofa; the eyes are amber.",
    "A doll with green eyes and yellow hair sits on the shelf.",
    "The Afghan hound has long cream fur and dark eyes.",
    "The shop sells dye for black hair and brown hair.",
    "The bottle is 40% Irish whiskey.",
    "The tower is much taller than the church.",
    "The price is much higher this year.",
    "The tester found three bugs.",
    "Is the fox red? The eyes are yellow.",
    "The bread on the counter is two days old.",
]


@pytest.mark.parametrize(("text", "expected"), ROUND_SIXTEEN)
def test_round_sixteen(text: str, expected: str):
    assert scrub(text).text == expected


@pytest.mark.parametrize("text", BECOME_REFUSALS)
def test_sentences_that_only_state_biometrics_go(text: str):
    result = scrub(text)
    assert result.text != text
    assert not any(w in result.text for w in ("blue", "shorter", "tall", "weeks"))


@pytest.mark.parametrize("text", KEPT)
def test_animals_things_and_comparisons_of_things_stay(text: str):
    """An animal's, a doll's or a dog's eyes, hair dye, a whiskey, a tower, a price."""
    assert scrub(text).text == text
