"""Regression cases of issue 18, round 17 (heldout18's and heldout19's classes, in new
wording; each fails on the round-16 scrubber of 76b617c): a copula before a person phrase
that goes on keeps the sentence ("The pianist is a tall, bony man with a kind smile" -> "The
pianist is a person with a kind smile"; phrase_clauses.py), and deletes it where the phrase
rules leave a biometric word; role nouns the lists lacked (zookeeper, keeper, cosplayer,
timpanist, chorister, archer, winner, steward); a face or cheeks reddened by sun or effort
(red-faced, red-cheeked, rosy-cheeked); a number after "no." is no age. And texts that stay:
an animal's kin and sex ("a mother panda", "a meerkat father", "the female is mottled
brown": animal_kin.py), goods named for the people they are made for ("men's hiking boots",
"girls' age 5-6 party dresses", "a children's picture book": products.py), a shop steward."""

from __future__ import annotations

import pytest

from mmpriv_data.transforms.scrub import scrub

ROUND_SEVENTEEN = [
    ("The zookeeper, wiry and sunburnt, hoses down the otter pool.",
     "The zookeeper hoses down the otter pool."),
    ("A rosy-cheeked timpanist waits for the cue.",
     "A timpanist waits for the cue."),
    ("A plump, red-cheeked chorister sings at the front.",
     "A chorister sings at the front."),
    ("Exhibit no. 9, photograph: a father in a cap, short and wiry.",
     "Exhibit no. 9, photograph: a parent in a cap."),
    ("The shop steward, a tall Welshman, speaks to the crowd.",
     "The shop steward speaks to the crowd."),
    ("The lifeguard on the tower is a stocky man in his forties with a red cap.",
     "The lifeguard on the tower is a person with a red cap."),
    ("The pianist is a tall, bony man with a kind smile.",
     "The pianist is a person with a kind smile."),
]  # fmt: skip

BECOME_REFUSALS = [
    "The cosplayer is short and red-faced under the helmet.",
    "The keeper is a gentleman of seventy, stooped and thin.",
    "The winner is Kenyan and rail-thin.",
]

KEPT = [
    "A baby otter naps on its mother otter's belly.",
    "A mother panda chews bamboo while the keeper watches.",
    "A meerkat father keeps watch from the mound.",
    "Two mallards paddle past; the female is mottled brown.",
    "A pair of men's hiking boots, size 10, sits by the door.",
    "The shelf holds girls' age 5-6 party dresses in red velvet.",
    "A children's picture book lies open on the rug.",
    "The shop steward hands out leaflets at the gate.",
    "Catalogue no. 31, oil on board: a harbour at dusk.",
]


@pytest.mark.parametrize(("text", "expected"), ROUND_SEVENTEEN)
def test_round_seventeen(text: str, expected: str):
    assert scrub(text).text == expected


@pytest.mark.parametrize("text", BECOME_REFUSALS)
def test_sentences_that_only_state_biometrics_go(text: str):
    result = scrub(text)
    assert result.text != text
    assert not any(w in result.text for w in ("red-faced", "seventy", "thin", "Kenyan"))


@pytest.mark.parametrize("text", KEPT)
def test_animals_goods_and_numbers_stay(text: str):
    """An animal's kin or sex, goods for men or girls, a children's book, a shop steward."""
    assert scrub(text).text == text


def test_a_phrase_the_rules_leave_biometric_drops_the_sentence():
    """A colour of hair after the phrase rules ran: the sentence goes after all, unless the
    colour is a garment's ("in a silver gown")."""
    assert "beehive" not in scrub("The caster is a tall woman with a jet-black beehive.").text
    kept = scrub("The harpist beside him is a slender Norwegian woman in a silver gown.").text
    assert kept == "The harpist beside them is a person in a silver gown."
