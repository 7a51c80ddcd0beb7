"""Regression cases of issue 18, round 19 (heldout21's classes, in new wording; each rewrite
fails on the round-18 scrubber of 1242c4a): a clause joined by ", and" after a clause that
states a biometric keeps its words ("...; she is stocky, with short silver hair, and the team
banner hangs behind her": clause_tails.py); heights with the unit glued to the feet ("5ft
10", "4ft 9"); "broad but not fat"; size ranks among people named before ("the smallest
one", "the heaviest is"); "ruddy" and "weather-beaten" cheeks; florid; an apposition closed
by a semicolon ("the vicar's husband, stout and grinning;"); a name's age before traits
("Mrs Patel, 79, petite and grey-haired,"); an age with its source ("91 per the plaque",
"38 according to his badge"); "Build: Slim" and a height after a form's label; police
identity codes (IC1 to IC6), Glaswegian, Rohingya, comedienne. And texts that stay: a cup
ranked by size, the Mediterranean Sea, a heavy box, a 5ft fence, a bus's number."""

from __future__ import annotations

import pytest

from mmpriv_data.transforms.scrub import scrub

ROUND_NINETEEN = [
    ("The club photo shows a coach; she is stocky, with short silver hair, and the team banner "
     "hangs behind her.",
     "The club photo shows a coach; the team banner hangs behind them."),
    ("A stall owner hands over change; he is wiry and tanned, with a white beard, and the "
     "queue keeps growing.",
     "An owner hands over change; the queue keeps growing."),
    ("The flyer shows the missing man. He is 5ft 10, lanky, with a shaved head.",
     "The flyer shows the missing person. They are with a shaved head."),
    ("The man is broad but not fat, and he waves.", "They wave."),
    ("The children line up. The smallest one, with red plaits, is waving.",
     "The children line up. The one, with plaits, is waving."),
    ("Three boys pose; the heaviest is a teenager in a red cap.",
     "Three people pose; the person is a person in a red cap."),
    ("The grandfather's ruddy cheeks glow in the cold.",
     "The grandparent's cheeks glow in the cold."),
    ("A fisherman with weather-beaten, ruddy cheeks mends a net.", "A fisher mends a net."),
    ("The chef is a florid man in whites.", "The chef is a person in whites."),
    ("Left to right: the vicar's husband, stout and grinning; the organist; and a boy with a "
     "kite.",
     "Left to right: the vicar's spouse, grinning; the organist; and a person with a kite."),
    ("The caption names Mrs Patel, 79, petite and grey-haired, at the front.",
     "The caption names Mx Patel, at the front."),
    ("An elderly woman, 91 per the plaque, cuts the ribbon.",
     "A person, per the plaque, cuts the ribbon."),
    ("A father, 38 according to his badge, holds the baby.",
     "A parent, according to their badge, holds the person."),
    ("Visitor record: Sex: F. Age: 29. Height: 5'4. Build: Slim. Hair: Black.",
     "Visitor record: Sex:. Age:. Height:. Build:. Hair:."),
    ("The aid worker speaks with a Rohingya family.", "The aid worker speaks with a family."),
    ("The comedienne bows to the crowd.", "The comedian bows to the crowd."),
]  # fmt: skip

BECOME_REFUSALS = [
    "The suspect was an IC3 male in a grey hoodie.",
    "She has a Mediterranean look.",
]

KEPT = [
    "The smallest one is a blue cup.",
    "The Mediterranean Sea glitters below the terrace.",
    "The heaviest box is on the bottom shelf.",
    "A 5ft fence surrounds the pool.",
    "The bus, 12 per the timetable, was late.",
]


@pytest.mark.parametrize(("text", "expected"), ROUND_NINETEEN)
def test_round_nineteen(text: str, expected: str):
    assert scrub(text).text == expected


@pytest.mark.parametrize("text", BECOME_REFUSALS)
def test_sentences_that_only_state_biometrics_go(text: str):
    result = scrub(text).text
    assert "IC3" not in result and "Mediterranean" not in result


@pytest.mark.parametrize("text", KEPT)
def test_cups_seas_boxes_fences_and_buses_stay(text: str):
    """A cup ranked by size, a sea, a heavy box, a fence in feet, a bus's number."""
    assert scrub(text).text == text


def test_a_tail_clause_that_states_a_biometric_still_goes():
    """The clause after ", and" keeps its words only where it says nothing biometric."""
    text = "The dog barks; she is tall, with red hair, and her eyes are green."
    assert scrub(text).text == "The dog barks;"
    kept = scrub("A tent; he is gaunt, with a grey beard, and his form lists age 71.").text
    assert "71" not in kept
