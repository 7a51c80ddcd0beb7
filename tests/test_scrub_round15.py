"""Regression cases of issue 18, round 15 (heldout16's classes, in new wording; each fails
on the round-14 scrubber of 3a9eced): texts in capitals, read in lower case (rewrite._shouted);
an age set off after "then" ("The Duchess, then nineteen,"), a coming age after "turning",
"younger than nine" with its number, an estimate before "or so" (ages.py); the verb after
", and" that follows a list of traits ("is Korean, stocky, and carries a rod") and "both" as
the subject of a second predicate (predicates.py); the colour of a beard with no owner named
(features.py); "the youngest" standing for a person (traits.rank_as_person); "deeply" and
"enormously" as intensifiers; an age in figures before a sex item ("I am 27, M, Irish,",
records.record_start); words the lists lacked (countess, b-boy, shortstop, ruddy alone,
windburned). And texts that stay: an animal's age ("senior dogs", "a kid goat"),
things spelled like agent nouns after a demonym ("a Chinese cleaver", "an American quarter"),
a jellyfish, a street name and a clock time in capitals or in a record, a goat's beard, a
tree's colours, a count of apples, the oldest of three churches, a deeply green valley."""

from __future__ import annotations

import pytest

from mmpriv_data.transforms.scrub import scrub

ROUND_FIFTEEN = [
    ("THE PICTURE SHOWS A STOCKY GIRL, ABOUT TEN, FEEDING A GOAT AT THE FARM.",
     "THE PICTURE SHOWS A PERSON FEEDING A GOAT AT THE FARM."),
    ("WHERE IS THE SHORT BALD MAN IN THE GREEN SCARF GOING?",
     "WHERE IS THE BALD PERSON IN THE GREEN SCARF GOING?"),
    ("The Duchess, then nineteen, is painted in a blue gown.",
     "The Noble is painted in a blue gown."),
    ("Next to them stands uncle Tomas, then about forty, in a flat cap.",
     "Next to them stands relative Tomas in a flat cap."),
    ("A girl turning six opens her presents.",
     "A person opens their presents."),
    ("Is the girl by the fence younger than nine?",
     "Is the person by the fence?"),
    ("Two brothers with red kites, both twelve or so, race along the dune.",
     "Two siblings with red kites race along the dune."),
    ("Two sisters sit on a bench. Both are plump and look about seventy; one holds a cane.",
     "Two siblings sit on a bench. One holds a cane."),
    ("The man is Korean, maybe in his sixties, stocky, and carries a fishing rod.",
     "The person carries a fishing rod."),
    ("The diver is lean, and swims toward the reef.",
     "The diver swims toward the reef."),
    ("A photo of a countess in a velvet gown hangs in the hall.",
     "A photo of a noble in a velvet gown hangs in the hall."),
    ("A lanky b-boy spins on the cardboard.",
     "A breaker spins on the cardboard."),
    ("A muscular Cuban shortstop slides into second base.",
     "A shortstop slides into second base."),
    ("A ferryman rows past the pier, and a grey beard covers his chin.",
     "A ferryman rows past the pier, and a beard covers their chin."),
    ("The cowboy tips his hat, and a white moustache droops over his lip.",
     "The rider tips their hat, and a moustache droops over their lip."),
    ("The photo shows a father with three sons. The father is tall; the youngest, maybe five, "
     "holds his hand.",
     "The photo shows a parent with three children. The one holds their hand."),
    ("At the seaside, a leathery, deeply tanned old man sunbathes.",
     "At the seaside, a leathery person sunbathes."),
    ("The ferry captain is enormously tall, and waves from the deck.",
     "The ferry captain waves from the deck."),
    ("Looking for a flatmate. I am 27, M, Irish, tidy, a night-shift nurse.",
     "Looking for a flatmate. I am tidy, a night-shift nurse."),
]  # fmt: skip

BECOME_REFUSALS = [
    "The goalkeeper is very tall and ruddy.",  # "ruddy" alone (was: "The goalkeeper is ruddy.")
    "The sailor is windburned, with a cap.",
]

KEPT = [
    "A blonde Labrador and a black Labrador, both senior dogs, doze by the stove.",
    "The shop sells an old Chinese lacquer tray and an American quarter in a frame.",
    "A jar of Indian curry powder sits beside a Chinese cleaver.",
    "A Portuguese man o' war floats near the rocks.",
    "LOST KEYS NEAR KING ROAD, PLEASE CALL THE OFFICE.",
    "Cam 4, 03:27: one van, white, parked by the gate.",
    "A billy goat with a white beard chews on a fence post.",
    "The maple, turning eight shades of red, shades the porch.",
    "A crate of apples, about ten, sits on the counter.",
    "A kid goat and a hen share the pen.",
    "We visited three churches; the oldest, built in 1650, has a spire.",
    "The valley is deeply green.",
    "CCTV 04:50: subject 3, M, in a grey hoodie.",
]


@pytest.mark.parametrize(("text", "expected"), ROUND_FIFTEEN)
def test_round_fifteen(text: str, expected: str):
    assert scrub(text).text == expected


@pytest.mark.parametrize("text", BECOME_REFUSALS)
def test_sentences_that_only_state_biometrics_go(text: str):
    result = scrub(text)
    assert result.text != text and not any(w in result.text for w in ("ruddy", "windburned"))


@pytest.mark.parametrize("text", KEPT)
def test_animals_things_places_and_times_stay(text: str):
    """An animal's age or sex, things after a demonym, a jellyfish, a street, a clock time,
    a goat's beard, a tree's colours, a count."""
    assert scrub(text).text == text


def test_shouted_text_keeps_its_offsets_and_capitals():
    text = "THE TALL WOMAN IN THE RED COAT WAVES."
    result = scrub(text)
    assert result.text == "THE PERSON IN THE RED COAT WAVES."
    for change in result.changes:
        assert text[change["start"] : change["end"]] == change["original"]
        assert change["replacement"] == change["replacement"].upper()


def test_records_in_capitals_keep_their_record_rules():
    """A record ("SUBJ 1: M, TALL") is read as written: its sex letters are capitals."""
    result = scrub("SUBJ 1: M, TALL, SLIM, DARK HAIR, GREY SUIT.")
    assert "TALL" not in result.text and "SLIM" not in result.text
