"""What the learned tagger (learned.py) may not delete: words its labels reach that cannot be
a biometric term by their form, whatever the model's probability.

The model reads each word in context, and on text of a new author it deletes about one
unrelated word in thirty (bench/results/scrub_eval.md). Most of those fall in a few kinds
that a reader can tell from the word's form and its neighbours, and that the labelled corpus
never marks as a term:

- numbers that are no age: years and decades of a document ("census, 1911", "a publican of
  the 1880s"), unless a birth word comes just before ("born 1948", "DOB: 03/14/1979"); seat
  and room codes ("seat 23C"); numbers after "no."/"#" or a noun that numbers things
  ("catalogue no. 16", "household 42"); clock times ("at 15:42"); an age over 120.
- a closed-class word (preposition, article, conjunction, auxiliary) that ends what the
  model deletes: such a word is a term only inside a phrase ("thin as a rail", "less than a
  month old"), and there the word after it goes too; "broad as a door" keeps "as a door".
- a capitalised word the model calls gender that the rules' gender lexicon does not list: a
  given name or a form of address ("Margaret", "Gwen", "Darling"); "Wife", "Mr", "Woman"
  are listed and still go.
- names of hospital departments ("paediatrics", "orthopaedics"), which the model reads as
  ages from their "paed" piece.
- a race word right after "from": a place or a language ("translated from Japanese").

Each kind was chosen on heldout18 and heldout19 with the adapter trained on tuning .. heldout17,
and checked on every part up to heldout19: no term that adapter finds there is kept by these
filters. They were fixed before the blind score of heldout20 (bench/results/scrub_learned.md).
"""

from __future__ import annotations

import re

from mmpriv_data.transforms.scrub import grammar as g
from mmpriv_data.transforms.scrub import lexicon as lx

_YEAR = re.compile(r"(?:1[0-9]|20)[0-9]{2}")
_DECADE = re.compile(r"[0-9]{3}0s")
_INTEGER = re.compile(r"[0-9]+")
# A seat, room or bay code: a number and one capital ("23C", "14A"); not M or F, which a
# record writes after an age for the sex ("34F"), nor I or O, which OCR reads for 1 and 0
# ("5ft 1O").
_CODE = re.compile(r"[0-9]{1,3}[A-EGHJ-LNP-Z]")
_OLDEST_AGE = 120
# Words after which a year is a date of birth, an age the corpus labels ("b. 1856").
_BIRTH_WORDS = frozenset({"born", "b", "dob", "birth", "birthdate", "née", "nee"})
_BIRTH_WINDOW = 4  # words back: "born on June 24, 1987", "Date of birth: 14.03.1987"
# Nouns and signs that number things; a number right after one is a label, not an age. Not
# "year" ("Year 5 pupils"), "size", "age" or "bust": those numbers may describe a person.
_NUMBERING = frozenset(
    "no nr num number # page p seat room bed household gate platform flight item lot plate "
    "route catalogue".split()
)
# Closed-class words the model may delete only with the word after them (see the docstring).
# Number words and "few" are left out: "four or five", "a few days old" are terms.
_CLOSED = (
    g.PREPOSITIONS | g.CONJUNCTIONS | g.AUXILIARIES | g.COPULAS | g.POSSESSIVES
    | frozenset("a an the this that these those some any each every all both no another "
                "same whose which who whom".split())
)  # fmt: skip
# Everything the rules' lexicon knows as a gender word (nouns, adjectives, titles).
_GENDER_WORDS = (
    lx.GENDER_NOUNS.keys() | lx.GENDER_AGE_NOUNS.keys() | lx.PRONOUNS.keys()
    | {w.rstrip(".") for w in lx.TITLES}
    | {w for w, a in lx.PERSON_ADJECTIVES.items() if a == "gender"}
)  # fmt: skip
_DEPARTMENTS = frozenset(
    "paediatric paediatrics pediatric pediatrics orthopaedic orthopaedics orthopedic "
    "orthopedics".split()
)


def _words_before(view, i: int, count: int) -> list[str]:
    """The lower-cased words before token i, nearest first, up to `count` of them."""
    found = []
    k = i - 1
    while k >= 0 and len(found) < count:
        if view.is_word[k]:
            found.append(view.low[k])
        k -= 1
    return found


def _previous(view, i: int) -> str | None:
    """The token before i, skipping one "." or ":" ("no. 16", "Seat: 14A")."""
    k = i - 1
    if k >= 0 and view.tok[k] in (".", ":"):
        k -= 1
    return view.low[k] if k >= 0 else None


def _clock_time(view, i: int) -> bool:
    """Hours or minutes of a time: a number with ':' and a number on one side ("15:42")."""
    after = i + 2 < view.n and view.tok[i + 1] == ":" and view.tok[i + 2].isdigit()
    before = i >= 2 and view.tok[i - 1] == ":" and view.tok[i - 2].isdigit()
    return after or before


def no_age_number(view, i: int, attribute: str) -> bool:
    """A number that is a date, a code, a label or a time, or an age nobody reaches."""
    word = view.tok[i]
    if not word[0].isdigit():
        return False
    if _CODE.fullmatch(word) or _previous(view, i) in _NUMBERING:
        return True
    if _YEAR.fullmatch(word) or _DECADE.fullmatch(word):
        return _BIRTH_WORDS.isdisjoint(_words_before(view, i, _BIRTH_WINDOW))
    if not _INTEGER.fullmatch(word):
        return False
    return _clock_time(view, i) or (attribute == "age" and int(word) > _OLDEST_AGE)


def given_name(view, i: int, attribute: str) -> bool:
    """A capitalised word called gender that no gender list of the rules holds."""
    word = view.tok[i]
    if attribute != "gender" or len(word) < 2 or not word[0].isupper():
        return False
    low = view.low[i]
    return low not in _GENDER_WORDS and low.removesuffix("'s") not in _GENDER_WORDS


def department(view, i: int, attribute: str) -> bool:
    return attribute == "age" and view.low[i] in _DEPARTMENTS


def place_or_language(view, i: int, attribute: str) -> bool:
    """A race word right after "from" names where a text or a person comes from, not what
    they look like ("translated (from Italian)", "she's Malay, from Singapore")."""
    return attribute == "race" and i > 0 and view.low[i - 1] == "from"


_BY_WORD = (no_age_number, given_name, department, place_or_language)


def allowed(view, flagged: dict[int, str]) -> dict[int, str]:
    """The words of `flagged` (token index -> attribute the model gave it) that the model may
    change: those no filter keeps, and closed-class words only before a word that goes too."""
    kept = {i: a for i, a in flagged.items() if not any(f(view, i, a) for f in _BY_WORD)}
    for i in sorted(kept, reverse=True):  # right to left: "as a door" keeps "a", then "as"
        if view.low[i] not in _CLOSED:
            continue
        k = i + 1
        following = k < view.n and view.is_word[k]
        if not (following and (k in kept or k in view.dele)):
            del kept[i]
    return kept
