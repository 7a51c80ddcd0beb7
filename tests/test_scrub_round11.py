"""Regression cases of issue 18, round 11 (heldout12's classes, in new wording; each fails
on the round-10 scrubber 15f6a08): role nouns the lists did not know as people, heading an
apposition or a copula (a busker, a sommelier, a fishmonger); an apposition after a phrase that
places or dresses the person ("a potter in an apron, heavyset and bald,"); "they're" as a
subject with its copula, and a place kept after the predicate ("He's Pashtun, from
Peshawar."); demonyms said alone in chat (chat.py: "half Korean half Mexican", "I think
Peruvian"); peoples and gendered role words the lists lacked. And texts that stay."""

from __future__ import annotations

import pytest

from mmpriv_data.transforms.scrub import BIOMETRIC_REFUSAL as REFUSAL
from mmpriv_data.transforms.scrub import scrub

ROUND_ELEVEN = [
    ("The hiker's sun-streaked ponytail swings.", "The hiker's ponytail swings."),
    ('The barista is petite and pale-eyed.',
     REFUSAL),
    ('Behind the stall, a fishmonger, stocky and red-faced, guts a trout.',
     'Behind the stall, a fishmonger guts a trout.'),  # red-faced too since round 17 (race)
    ('An auntie with a shopping trolley waits at the crossing.',
     'A relative with a shopping trolley waits at the crossing.'),
    ('A choirboy in a red cassock sings.',
     'A chorister in a red cassock sings.'),
    ('A busker, scrawny and barefoot, plays a fiddle.',
     'A busker, barefoot, plays a fiddle.'),
    ('The sommelier is portly and silver-haired.',
     REFUSAL),
    ('A potter in a clay-spattered apron, heavyset and bald, throws a bowl.',
     'A potter in a clay-spattered apron, bald, throws a bowl.'),
    ('A juggler on a unicycle, wiry and tall, tosses pins.',
     'A juggler on a unicycle tosses pins.'),
    ("They're Kurdish, from Erbil, and run a bakery.",
     "They're from Erbil, and run a bakery."),
    ("He's Pashtun, from Peshawar.",
     "They're from Peshawar."),
    ('lol no, half Korean half Mexican, and very proud of it',
     'lol no and very proud of it'),
    ("who's the guy on the left? probably Lebanese, maybe forty",
     "who's the person on the left? probably, maybe forty"),
    ("The woman with the cart? Nigerian, I'd guess.",
     "The person with the cart? I'd guess."),
    ('Hmm, I think Peruvian.',
     'Hmm, I think.'),
    ('A Mixtec weaver sits at a loom.',
     'A weaver sits at a loom.'),
    ('A Druze elder sits on the steps.',
     'A person sits on the steps.'),
]  # fmt: skip

KEPT = [
    "The restaurant serves half Korean, half Mexican dishes.",
    "I think Peruvian food is underrated.",
    "The tower is tall and slim.",
    "A courier parcel sits on the porch.",
    "They're from Erbil and run a bakery.",
    "I suspect the printer is broken.",
    "The Egyptian, the Greek and the Roman galleries are closed.",
]


@pytest.mark.parametrize(("text", "expected"), ROUND_ELEVEN)
def test_round_eleven(text: str, expected: str):
    assert scrub(text).text == expected


@pytest.mark.parametrize("text", KEPT)
def test_things_and_places_stay(text: str):
    """A demonym before a noun names a thing; a tower is not a person; "they're from"."""
    assert scrub(text).text == text


def test_a_bare_demonym_logs_race():
    changes = scrub("Hmm, I think Peruvian.").changes
    assert [c["attribute"] for c in changes] == ["race"]
