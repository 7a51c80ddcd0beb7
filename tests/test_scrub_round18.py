"""Regression cases of issue 18, round 18 (heldout20's classes, in new wording; each rewrite
fails on the round-17 scrubber of 73d010c): a clause of a longer sentence keeps its words
where it stated a biometric ("the cyclist in the lead is a person; they seem delighted", "the
cashier has eyes; ...", "the barista behind the bar has a goatee; ...", "..., and his eyes are
grey." goes alone: clause_keeping.py); hair and eye compounds after a person and the words
that went as an age ("a girl of about six, sandy-haired and green-eyed,"), after a person
noun ("the mum grey-haired and stout,") and last in a list ("both white-haired and portly");
a colour after a feature and "gone", "still" or "naturally"; haircuts the lists lacked
(undercut, mop, comb-over, crop); "tow-headed"; "18-stone"; "severely underweight";
"pink-cheeked". And texts that stay: a shoe size after "Men's", baby's breath, a children's
version, a cleaner's red mop, a crop top, and a clause that says nothing but hair beside
another that says nothing but eyes."""

from __future__ import annotations

import pytest

from mmpriv_data.transforms.scrub import scrub

ROUND_EIGHTEEN = [
    ("In the picture, the cyclist in the lead is a boy of about ten with ginger hair; he seems "
     "delighted.",
     "In the picture, the cyclist in the lead is a person; they seem delighted."),
    ("The volunteer is a lady of about 80 with silver hair; she's smiling.",
     "The volunteer is a person; they're smiling."),
    ("The cashier has green hair and hazel eyes; she's chatting with a customer.",
     "The cashier has eyes; they're chatting with a customer."),
    ("The barista behind the bar is wiry with a ginger goatee; the queue is long.",
     "The barista behind the bar has a goatee; the queue is long."),
    ("Dr Ames retired at 70; he still lectures on Fridays, and his eyes are grey.",
     "Dr Ames retired at 70; they still lecture on Fridays."),
    ("A portrait of a girl of about six, sandy-haired and green-eyed, in a red coat.",
     "A portrait of a person, in a red coat."),
    ("They're twin girls, two years old, plump and fair-haired.",
     "They're twin people."),
    ("Behind them are a mother and daughter, the mum grey-haired and stout, the girl laughing.",
     "Behind them are a parent and child, the parent, the person laughing."),
    ("The old sailor has a beard gone grey.", "The sailor has a beard."),
    ("After the treatment: hair still light auburn, thicker at the crown.",
     "After the treatment: hair, thicker at the crown."),
    ("A juggler with a bleached undercut entertains the queue.",
     "A juggler with an undercut entertains the queue."),
    ("The kid with the ginger mop is my nephew.", "The person with the mop is my relative."),
    ("The farmer with the white crop nods.", "The farmer with the crop nods."),
    ("A busker with a grey comb-over sings.", "A busker with a comb-over sings."),
    ("The 18-stone bouncer checks tickets.", "The bouncer checks tickets."),
]  # fmt: skip

BECOME_REFUSALS = [
    "The girls are both tow-headed.",
    "The patient is severely underweight.",
    "The nurse is stout and pink-cheeked.",
]

KEPT = [
    'The box says "Men\'s 9", brown leather, narrow fit.',
    "The vase holds roses and baby's breath.",
    "Crochet pattern, children's version: a bear with a scarf.",
    "The cleaner leaves a red mop by the door.",
]


@pytest.mark.parametrize(("text", "expected"), ROUND_EIGHTEEN)
def test_round_eighteen(text: str, expected: str):
    assert scrub(text).text == expected


@pytest.mark.parametrize("text", BECOME_REFUSALS)
def test_sentences_that_only_state_biometrics_go(text: str):
    result = scrub(text)
    assert not any(w in result.text for w in ("tow-headed", "underweight", "pink-cheeked"))


@pytest.mark.parametrize("text", KEPT)
def test_sizes_flowers_versions_and_mops_stay(text: str):
    """A shoe size, a flower, a children's version of a pattern, a cleaner's mop."""
    assert scrub(text).text == text


def test_clauses_that_say_nothing_else_still_go():
    """A whole sentence that states only biometrics goes as before, and so do clauses whose
    subject says nothing but who ("one", "the other") when nothing else is left."""
    assert "goatee" not in scrub("The barista behind the bar is wiry with a ginger goatee.").text
    kept = scrub("Two cousins wait. One has copper hair; the other has grey eyes.").text
    assert kept == "Two cousins wait."
    assert scrub("She wears a white crop top.").text == "They wear a white crop top."
