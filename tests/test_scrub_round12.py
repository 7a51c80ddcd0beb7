"""Regression cases of issue 18, round 12 (heldout13's classes, in new wording; each fails
on the round-11 scrubber d1e49d3): lists of traits without a sex item or a figure to open
them (character sheets, personal ads, witness descriptions: records.list_records); the owner
of a coloured feature guessed from an agent noun ("a drummer with magenta hair") or behind a
word of its own ("piercing blue eyes"); hair worn up (bun, topknot); traits said by "describe
... as" and "call ..." (frames.py); inverted questions past a participle phrase; colours
pointed at on a person ("Is that auburn on the singer?"); ages after a name ("Tomas,
twenty-nine,"), after "at" and coordinated ("of six or seven"); "built like an ox"; a demonym
standing for a person in an apposition ("a Ghanaian,"). And texts that stay."""

from __future__ import annotations

import pytest

from mmpriv_data.transforms.scrub import scrub

ROUND_TWELVE = [
    ("Dossier: Mira, half-orc, female, 31 years, wiry, amber eyes, copper hair.",
     "Dossier: Mira, half-orc, person, eyes, hair."),
    ("Personal ad: Divorced male, 44, stocky, ginger, likes fishing.",
     "Personal ad: Divorced person likes fishing."),
    ("The mugger was described as a black male, lanky, twenty to thirty, with short dark hair.",
     "The mugger was described as a person, with short hair."),
    ("Scouting report: striker, age 22, Ghanaian.",
     "Scouting report: striker."),
    ("A hipster with teal hair sips a latte.",
     "A hipster sips a latte."),
    ("A violinist with a silver topknot tunes her instrument.",
     "A violinist with a topknot tunes their instrument."),
    ("An ice skater spins on the rink, her auburn bun pinned tight.",
     "An ice skater spins on the rink, their bun pinned tight."),
    ("A juggler with sleepy grey eyes yawns.",
     "A juggler with sleepy eyes yawns."),
    ("Would you call the grandpa on the porch frail?",
     "Would you call the grandparent on the porch?"),
    ("I'd describe my cousin as tall and freckled.",
     "I'd describe my cousin as freckled."),
    ("Is the lady waiting at the bus stop young or elderly?",
     "Is the person waiting at the bus stop?"),
    ("Is that strawberry-blond or copper on the drummer?",
     "Is that on the drummer?"),
    ("Poster caption: midfielder Tomas, twenty-nine, lifts the cup.",
     "Poster caption: midfielder Tomas lifts the cup."),
    ("That's my aunt at seventeen on her first motorbike.",
     "That's my relative on their first motorbike."),
    ("The foreman is gruff and built like an ox.",
     "The foreman is gruff."),
    ("The sculptor, a Ghanaian, works in bronze.",
     "The sculptor, a person, works in bronze."),
    ("A schoolgirl of six or seven skips rope.",
     "A student skips rope."),
    ("Our stepmom waves from the car.",
     "Our stepparent waves from the car."),
    ("A Southern European tourist buys a map.",
     "A tourist buys a map."),
]  # fmt: skip

KEPT = [
    "The shed is built like a fortress.",
    "Is that a red hat on the scarecrow?",
    "Is that red on the dog's collar?",
    "A poster with a blonde wig is taped to the door.",
    "A labrador with amber eyes naps on the rug.",
    "The dog, a Maltese, sleeps by the fire.",
    "Sizes: small, large, 12, 14.",
    "The jerseys read 23, 7, and 11.",
    "The train leaves at 14:22, platform 3, coach 9.",
    "I met them at six by the fountain.",
    "A daddy longlegs clings to the ceiling.",
    "A young sapling is tied to a stake.",
    "The white knight takes a pawn.",
]


@pytest.mark.parametrize(("text", "expected"), ROUND_TWELVE)
def test_round_twelve(text: str, expected: str):
    assert scrub(text).text == expected


@pytest.mark.parametrize("text", KEPT)
def test_things_times_and_animals_stay(text: str):
    """A shed's simile, a hat's colour, an animal's eyes, sizes, shirt numbers, a time."""
    assert scrub(text).text == text


def test_a_list_of_traits_logs_each_attribute():
    changes = scrub("Notes: Vero, female, 52, petite, grey eyes.").changes
    assert {c["attribute"] for c in changes} == {"gender", "age", "build", "eye_color"}
