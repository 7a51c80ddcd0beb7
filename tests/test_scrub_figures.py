"""Regression cases of issue 18, round 10 (heldout11's classes, in new wording; each fails
on the round-9 scrubber 60dad90): heights, weights and ages written in figures, telegraphic
records without a person noun, form labels, build words with a noun and skin colours named by
things (figures.py, records.py); and figures that size things, which stay."""

from __future__ import annotations

import pytest

from mmpriv_data.transforms.scrub import BIOMETRIC_REFUSAL as REFUSAL
from mmpriv_data.transforms.scrub import scrub
from mmpriv_data.transforms.scrub.evaluation import grammar_problems

ROUND_TEN = [
    # a country of origin after a person noun
    ("A woman from the Philippines sells fruit.", "A person sells fruit."),
    ("The chef from Peru cooks.", "The chef cooks."),
    ('The woman at the counter is 5\'8" and slim.',
     REFUSAL),
    ('The boxer, 6 ft 2 and 95 kg, shadowboxes in the ring.',
     'The boxer shadowboxes in the ring.'),
    ('Our model wears a size S and is 5\'11" (180 cm).',
     REFUSAL),
    ('The man in the parka is six foot three and about 100 kilos.',
     REFUSAL),
    ('The lifeguard is 6\'3", tanned and muscular.',
     REFUSAL),
    ('He stands 185cm and weighs 90kg.',
     REFUSAL),
    ('A 200-pound man lifts a 50-pound bag.',
     'A person lifts a 50-pound bag.'),
    ('OMG the baby has the bluest eyes!! 6 months old maybe?',
     'OMG the person has the bluest eyes!! Maybe?'),
    ('Patient is a 64 yo M with a cough.',
     'Patient is a with a cough.'),
    ('24F here, and the photo is me at the beach.',
     'Here, and the photo is me at the beach.'),
    ('Maria (34) and her son Leo (6) pose by the car.',
     'Maria and their child Leo pose by the car.'),
    ('Tom, 9, plays with his sister Ann, 6.',
     'Tom plays with their sibling Ann.'),
    ('Back row: both men early 20s; front: the cox.',
     'Back row: both people; front: the cox.'),
    ((
        'Suspect: female, 40s, Asian, 5 ft 6 in, 130 lbs, black hair, brown eyes, '
        'last seen on Main Street.'
     ),
     'Suspect: person, hair, eyes, last seen on Main Street.'),
    ('F, mid-30s, Hispanic, 5\'4", curly brown hair, glasses.',
     'Curly hair, glasses.'),
    ('Casting call: "Female, playing age 20-25, 5\'6", slim build."',
     'Casting call: "Playing age."'),
    ('Intake card: age 58, ht 170 cm, wt 82 kg, gray hair.',
     'Intake card: age, ht, wt, hair.'),
    ('Female, Asian, slim, long black hair, glasses.',
     'Long hair, glasses.'),
    ('The licence reads "Sex: M  Eyes: BRO  Hair: BLN".',
     'The licence reads "Sex: Eyes: Hair:".'),
    ('A buxom singer takes a bow.',
     'A singer takes a bow.'),
    ('A thirtysomething man jogs past the pond.',
     'A person jogs past the pond.'),
    ('A woman with chestnut-brown skin and a shaved head waves.',
     'A person with a shaved head waves.'),
    ('His mahogany skin glistens in the sun.',
     'Their skin glistens in the sun.'),
    ('Her weathered, copper skin is lined with age.',
     'Their weathered skin is lined with age.'),
    ('The jolly, jelly-bellied host waves.',
     'The jolly host waves.'),
    ('Patient: 64 yo M, cough, fever.',
     'Patient: Cough, fever.'),
    ('Chart: 7 y/o, 122 cm, 23 kg, no allergies.',
     'Chart: no allergies.'),
]  # fmt: skip

# Figures of things, and numbers that are no age: unchanged but for the person words.
KEPT = [
    ("A man from the bank waves.", "A person from the bank waves."),
    ('A 6 ft fence surrounds the yard where a boy plays.',
     'A 6 ft fence surrounds the yard where a person plays.'),
    ('The fisherman holds up a 30 lb salmon.',
     'The fisher holds up a 30 lb salmon.'),
    ('The table is 180 cm long and the man sits at it.',
     'The table is 180 cm long and the person sits at it.'),
    ('He bought a 2 kg bag of rice.',
     'They bought a 2 kg bag of rice.'),
    ('She dances while 60s music plays.',
     'They dance while 60s music plays.'),
    ('The woman wears a size M shirt.',
     'The person wears a size M shirt.'),
    ('A man parks in bay 5, level 3, at 6 pm.',
     'A person parks in bay 5, level 3, at 6 pm.'),
    ('The girl carries a 5 kg dumbbell.',
     'The person carries a 5 kg dumbbell.'),
    ('The man points at a 7 ft statue of a bear.',
     'The person points at a 7 ft statue of a bear.'),
    ('The crate weighs 90 kg and the man lifts it.',
     'The crate weighs 90 kg and the person lifts it.'),
    ('A whisky aged 12 years sits by the man.',
     'A whisky aged 12 years sits by the person.'),
    ('Paris, 7, rue de la Paix is the address of the woman.',
     'Paris, 7, rue de la Paix is the address of the person.'),
    ('In the 80s photo, a woman stands by a car.',
     'In the 80s photo, a person stands by a car.'),
    ('The suitcase is 23kg, the woman says.',
     'The suitcase is 23kg, the person says.'),
    ('A man sits by a reddish wall.',
     'A person sits by a reddish wall.'),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), ROUND_TEN + KEPT, ids=lambda v: v[:50])
def test_figures_and_records(text: str, expected: str):
    result = scrub(text)
    assert result.text == expected
    assert grammar_problems(result.text) == []


def test_a_figure_logs_its_attribute():
    changes = scrub("Suspect: male, 50s, 6'1\", 90 kg.").changes
    assert {c["attribute"] for c in changes} == {"gender", "age", "build"}


def test_texts_without_people_keep_their_figures():
    for text in ("A 6'8\" door.", "Age: 300 years. Height: 40 m.", "The boards are 5 ft 2 in."):
        assert scrub(text).text == text
