"""Race and age as forms and registers state them (round 20, after heldout22's census forms,
house-share adverts, interview notes and voter IDs): a people's name ticked or listed on a
form ("Ethnicity is ticked as White British", "marked Mixed"), a nationality with
"nationals" or "citizen" ("both Dutch nationals"), a year of birth after a person ("a man,
born 1971,", "Male - born 1971"), a date of birth after its label ("DOB: 12/04/1990"), and
brackets emptied of a record's items ("Tom (M, 52)" -> "Tom").

Elsewhere a demonym alone is read only after a cue (chat.py), since "Danish pastries" and
"the Dutch national team" name things; here the cue is the form's verb or the noun of
citizenship with nothing after it that the demonym could describe.

>>> from mmpriv_data.transforms.scrub import scrub
>>> scrub("Ethnicity is ticked as White British on the form.").text
'Ethnicity is ticked on the form.'
>>> scrub("The report notes two Dutch nationals.").text
'The report notes two nationals.'
>>> scrub("Over 30 people watched the U2 concert in 1987.").text
'Over 30 people watched the U2 concert in 1987.'
>>> scrub("A man, born 1971, signs the register.").text
'A person signs the register.'
"""

from __future__ import annotations

from itertools import compress

from mmpriv_data.transforms.scrub import grammar as g
from mmpriv_data.transforms.scrub import lexicon as lx

# Verbs of a form or register that give a person's group ("ticked as", "marked", "listed as").
FORM_VERBS = frozenset(
    "ticked marked listed recorded registered checked entered identified identifies "
    "self-identified self-identifies classed classified".split()
)
CITIZENSHIP = frozenset({"national", "nationals", "citizen", "citizens"})
FORM_CUES = FORM_VERBS | {"as"}  # the word before a race word that stated_race reads
# Words after "a Dutch national" that end its phrase: the noun is the person ("a Dutch
# national was stopped"), not a modifier ("the Dutch national team").
_AFTER_CITIZEN = g.SENTENCE_END | g.SEPARATORS | g.COPULAS | {
    "", ")", '"', "who", "and", "with", "from", "in", "at", "on", "living", "travelling"
}  # fmt: skip
# Values of an ethnicity field or tick box that the race lists lack ("Ethnicity: Mixed").
FORM_RACE_VALUES = frozenset({"mixed"})


def stated_race(sc, k: int) -> tuple[int, int] | None:
    """The span to delete when the race word at k is stated by a form or a citizenship noun
    (see the module doc), else None."""
    prev = sc.lw(k - 1)
    if prev == "as" and sc.lw(k - 2) in FORM_VERBS:
        return k - 1, k + 1  # "ticked as White British" -> "ticked"
    if prev in FORM_VERBS:
        return k, k + 1  # "marked Indian"
    if sc.lw(k + 1) in CITIZENSHIP and sc.lw(k + 2) in _AFTER_CITIZEN:
        return k, k + 1  # "both Dutch nationals", "a Danish citizen who"
    return None


def form_value(sc, k: int) -> bool:
    """ "Mixed" ticked or entered as an ethnic group: after an ethnicity label's colon or a
    form verb ("Ethnicity: Mixed", "marked Mixed", "ticked as Mixed")."""
    prev = sc.lw(k - 1)
    return (
        sc.tok[k][:1].isupper() and sc.lw(k + 1) not in _NOT_AFTER_MIXED
        and (prev == "as" and sc.lw(k - 2) in FORM_VERBS or prev in FORM_VERBS)
    )  # fmt: skip


_NOT_AFTER_MIXED = frozenset({"doubles", "media", "martial", "grill", "salad", "race"})


def mixed(sc) -> None:
    """Delete "Mixed" given as a person's group on a form (see form_value)."""
    for k in range(1, sc.n):
        if sc.low[k] == "mixed" and k not in sc.dele and form_value(sc, k):
            a = k - 1 if sc.lw(k - 1) == "as" else k
            sc.delete(a, k + 1, "race")


def stated_ages(sc) -> None:
    """Years and dates of birth (engine.mark calls it with the figures)."""
    if "age" in sc.on:
        if "born " in sc.text:
            birth_year(sc)
        text = sc.text
        if ":" in text and ("irth" in text or "OB" in text or "ob" in text):
            birth_dates(sc)


_MONTHS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_DATE_MARKS = frozenset({"/", "-", "."})


def _age_value(low: str) -> bool:
    """ "39", "thirty-nine" (records.age_words, which imports this module, reads more)."""
    return low.isdigit() and int(low) <= 120 or all(p in lx.NUMBER_WORD_SET for p in low.split("-"))


def _date_part(low: str) -> bool:
    return low.isdigit() or low in _MONTHS or low.replace("-", "").isdigit()


def birth_dates(sc) -> None:
    """A date of birth after its form label ("DOB: 12/04/1990", "Date of birth: 3 March
    1985") and an age after "Age last birthday:" go (age; heldout12's convention)."""
    lows = sc.low
    for c in compress(range(sc.n - 1), map(":".__eq__, lows)):
        if c == 0 or c + 1 in sc.dele:
            continue
        label = lows[c - 1]
        if label == "birthday" and sc.lw(c - 2) == "last" and _age_value(lows[c + 1]):
            sc.delete(c + 1, c + 2, "age")  # "Age last birthday: thirty-nine"
            continue
        if not (label == "dob" or label == "birth" and sc.lw(c - 2) == "of"):
            continue
        end = c + 1
        while end < sc.n and (
            _date_part(lows[end])
            or lows[end] in _DATE_MARKS and end > c + 1 and _date_part(sc.lw(end + 1))
            and sc.start[end + 1] == sc.end[end]
        ):  # fmt: skip
            end += 1
        if end > c + 1 and any(map(str.isdigit, lows[c + 1 : end])):
            sc.delete(c + 1, end, "age")


def birth_year(sc) -> None:
    """ "born 1971", "born in 1971" after a person (a comma, a dash or a person noun before
    it): an age (heldout14's convention: the phrase is one span)."""
    lows = sc.low
    for i in range(sc.n - 1):
        if lows[i] != "born" or i in sc.dele:
            continue
        y = i + 1 + (lows[i + 1] == "in")
        year = sc.lw(y)
        if not (len(year) == 4 and year.isdigit() and 1850 <= int(year) <= 2030):
            continue
        prev, after = sc.lw(i - 1), sc.lw(y + 1)
        if prev in (",", "(") and after in (",", ")"):
            sc.delete(i - 1, y + 1, "age")  # "a man, born 1971, signs" -> "a person signs"
        elif prev in (",", "—", "-", "–") and not sc.word(y + 1):
            sc.delete(i - 1 if prev == "," else i, y + 1, "age")  # "Male — born 1971"
        elif i and sc.heads[i - 1]:
            sc.delete(i, y + 1, "age")  # "a man born in 1979 with sandy hair"


def empty_brackets(view) -> None:
    """Brackets whose every word went go too: "Tom (M, 52), Aisha (F, 49)" -> "Tom, Aisha"."""
    lows, dele = view.low, view.dele
    for i in compress(range(view.n - 2), map("(".__eq__, lows)):  # found in C (speed)
        if i in dele or i + 1 not in dele:
            continue
        j = i + 1
        while j < view.n and j in dele:
            j += 1
        if j < view.n and lows[j] == ")":
            view.delete(i, i + 1, dele[i + 1])
            view.delete(j, j + 1, dele[i + 1])


_NOT_SENTENCE_ENDS = frozenset({"approx", "ca", "abt", "c", "no", "nos", "nr", "aged", "age"})


def figure_opens(view, i: int) -> bool:
    """A figure at i opens a sentence: after ".", "!" or "?" and a space, not after a
    figure's decimal point ("3.2 kg") or an abbreviation ("approx. 45")."""
    return i == 0 or (
        view.low[i - 1] in (".", "!", "?") and view.start[i] > view.end[i - 1]
        and i > 1 and not view.low[i - 2][:1].isdigit()
        and view.low[i - 2] not in _NOT_SENTENCE_ENDS
    )  # fmt: skip
