"""Regression cases of issue 18, round 20 (heldout22's classes, in new wording; each rewrite
fails on the round-19 scrubber of a62b273): an ethnic-group label that stays while its value
goes ("Ethnic group: Pakistani"), census categories ticked or listed on a form ("ticked as
White British", "listed as Black Caribbean", "Ethnicity: Mixed"), a nationality with
"nationals", demonyms after nouns of house shares and interviews (lodger, housemate), a year
of birth after a person, a date of birth after its label, "dyed"
kept when its colour goes, brackets emptied of a record's items, and a sentence whose first
word was a height starting with a capital. And texts that stay: trophies named after an age
class, a band, trials, pastries, an anthem, a tenancy agreement, a festival's birth, a
crowd of "over 30", a mixed-doubles entry (census.py)."""

from __future__ import annotations

import pytest

from mmpriv_data.transforms.scrub import scrub

ROUND_TWENTY = [
    ('The household form reads "Ethnic group: Pakistani" under the photo of a man.',
     'The household form reads "Ethnic group:" under the photo of a person.'),
    ("Her ethnicity is ticked as White British on the form.",
     "Their ethnicity is ticked on the form."),
    ("The register has him listed as Black Caribbean.", "The register has them listed."),
    ('Census sheet: "Ethnicity: Mixed" beside a photo of a girl.',
     'Census sheet: "Ethnicity:" beside a photo of a person.'),
    ("The notice says both Norwegian nationals were rescued.",
     "The notice says both nationals were rescued."),
    ("The intake sheet says the lodger is Polish and works late.",
     "The intake sheet says the lodger works late."),
    ("The advert says the housemate is Portuguese and cycles to work.",
     "The advert says the housemate cycles to work."),
    ("A man born in 1962 with a grey beard waves.", "A person with a beard waves."),
    ("Visitor card: Name: Ana. DOB: 12/04/1990. Sex: F.", "Visitor card: Name: Ana. DOB:. Sex:."),
    ("The after photo shows her hair dyed copper.", "The after photo shows their hair dyed."),
    ("The class list: Ana (F, 9) and Ben (M, 10) are in the photo.",
     "The class list: Ana and Ben are in the photo."),
    ('The flyer reads: "MEET SAM, 30, chef. 6ft 1, lean, with curly red hair." A man smiles.',
     'The flyer reads: "MEET SAM, 30, chef. With curly hair." A person smiles.'),
]  # fmt: skip

KEPT = [
    "The cabinet holds the Under-11s Shield and the Veterans' Cup.",
    "The U2 tribute band plays at 9.",
    "The U-17 trials start on Monday.",
    "The Danish pastries sit on the counter.",
    "The Dutch national anthem plays before the match.",
    "The tenant agreement is on the table.",
    'The hair-dye box says "dyed in 20 minutes".',
    "The festival was born in 1999 as a small fair.",
    "Over 30 people attended the talk in 2019.",
    "The form has a mixed-doubles entry.",
]


@pytest.mark.parametrize(("text", "expected"), ROUND_TWENTY)
def test_round_twenty(text: str, expected: str):
    assert scrub(text).text == expected


@pytest.mark.parametrize("text", KEPT)
def test_trophies_bands_pastries_anthems_and_crowds_stay(text: str):
    """A trophy named after an age class, a band, trials, pastries, an anthem, a tenancy."""
    assert scrub(text).text == text


def test_already_handled_kinds_still_go():
    """A year of birth in an apposition and a citizen's demonym went before this round."""
    assert scrub("The ID card shows a woman, born 1984, with short hair.").text == (
        "The ID card shows a person with short hair."
    )
    assert "Spanish" not in scrub("A Spanish citizen was stopped at the gate.").text
