"""Records (round 10): telegraphic descriptions that name no person noun, as in police
notes, casting notes, intake cards and chat answers ("M, 60s, white, approx. 200 lb, gray
hair", "Female, Asian, slim, long black hair", "Sex: F  Eyes: GRN  Hair: BLK"). A sentence is
read as a record about one person when it lists a person's figure (figures.py) or starts with
a sex item ("M,", "Female,"); its list items that state a biometric go. Form labels ("Eyes:",
"Hair:", "Race:", "Build:", "Sex:") mark the value after them wherever they appear.

>>> from mmpriv_data.transforms.scrub import scrub
>>> scrub("Female, Asian, slim, long black hair, glasses.").text
'Long hair, glasses.'
>>> scrub('The form reads "Sex: F  Eyes: GRN  Hair: BLK".').text
'The form reads "Sex: Eyes: Hair:".'
"""

from __future__ import annotations

import re

from mmpriv_data.transforms.scrub import grammar as g
from mmpriv_data.transforms.scrub import lexicon as lx
from mmpriv_data.transforms.scrub import lexicon_data as data
from mmpriv_data.transforms.scrub.census import FORM_RACE_VALUES
from mmpriv_data.transforms.scrub.features import FeatureRules
from mmpriv_data.transforms.scrub.senses import HEDGES

RANGE = re.compile(r"^\d{1,2}-\d{1,2}$")  # "25-30"
HEDGE_WORDS = HEDGES | {"approx", "approximately", "about", "around", "roughly", "like", "~", "ca"}
ITEM_EDGES = frozenset({",", ";", ":", "(", "/"})
SEXES = frozenset({"male", "female"})
_SEX_ITEMS = frozenset({"M", "F", "Male", "Female", "MALE", "FEMALE"})
# Form labels and the attribute of the value after them ("Eyes: GRN", "Race: White").
_LABELLED = {
    "eyes": "eye_color", "eye": "eye_color", "hair": "hair_color", "race": "race",
    "ethnicity": "race", "nationality": "race", "build": "build", "physique": "build",
    "sex": "gender", "gender": "gender",
    "ethnic group": "race", "ethnic origin": "race", "ethnic background": "race",  # (round 20)
}  # fmt: skip
# Three-letter colour codes of eyes and hair on US driving licences and ID cards (AAMVA
# DL/ID Card Design Standard, data elements D20 eye colour and D21 hair colour).
_CODES = frozenset("BLK BLU BRO BRN GRY GRN HAZ MAR PNK DIC BAL BLN RED SDY WHI".split())


# Country names of ISO 3166-1 (data/demonyms.tsv), for "a woman from Japan": a person's
# country of origin states race as its demonym does ("a Japanese woman").
_COUNTRIES = frozenset(
    row["country"].lower() for row in data.rows("demonyms.tsv")
    if "," not in row["country"] and "(" not in row["country"]
)  # fmt: skip


_BUILD_VALUES = lx.FEATURE_ADJECTIVES["build"]  # "Build: Medium", "Build: average"
_ABBREVIATED = frozenset({"approx", "ca", "abt"})  # hedges cut short: "approx. 45 yrs"
_BEFORE_OWN_AGE = frozenset({"am", "i'm", "im", ",", ":", ";"})  # "I am 30, F," (round 15)


# Abbreviations of "number" before a figure (round 17).
_NUMBER_ABBREVIATIONS = frozenset({"no", "nos", "nr"})


def age_value(low: str) -> bool:
    """ "34", "25-30": a number a person's age may be."""
    parts = low.split("-") if RANGE.match(low) else [low]
    return all(p.isdigit() and 1 <= int(p) <= 110 for p in parts)


def age_words(low: str) -> bool:
    """An age in figures or words ("34", "forty-eight", "mid-twenties"; round 12)."""
    if low.isalpha() or "-" in low and low.replace("-", "").isalpha():
        return all(p in lx.NUMBER_WORD_SET for p in low.split("-")) or bool(lx.DECADE.match(low))
    return age_value(low) or bool(lx.DECADE.match(low))


def aged(first: str, second: str) -> bool:
    """ "age 30", "aged 7", "120 years", "born 1989": an age in two words."""
    if first == "born":
        return second.isdigit() and len(second) == 4 and 1850 <= int(second) <= 2030
    if first in _AGE_BEFORE:
        return age_words(second)
    return second in _AGE_AFTER and (
        age_words(first) or first.isdigit() and int(first) <= 150  # an elf's "120 years"
    )


# Words a list item may hold around its trait ("and built like a tank", "with grey hair").
_LINKS = frozenset({"and", "or", "but", "with", "very", "real", "really", "quite"})
_AGE_BEFORE = frozenset({"age", "aged", "ages"})
_AGE_AFTER = frozenset({"years", "yrs", "year", "years-old", "old"})
_UNIT_WORDS = frozenset({"kg", "kgs", "kilos", "lb", "lbs", "pounds", "cm", "stone"})
# Words that make a list about a person: a sex or a pronoun (round 12).
_PEOPLE_WORDS = SEXES | {"he", "she", "him", "her", "his", "i", "i'm", "me", "my", "they"}
_PERSON_BIOS = frozenset({"gender", "age"})
_FORM_LABELS = frozenset({"ht", "wt", "height", "weight", "dob", "sex", "card", "form"})
_SHAPE_HEADS = frozenset({"build", "physique", "frame", "figure", "stature", "height"})
# A suntan, not a skin colour, in a list of traits ("lean and sunburnt").
_SUNTANS = frozenset({"sunburnt", "sunburned", "suntanned", "tanned", "tan", "bronzed"})


class RecordRules(FeatureRules):
    """List items of a record and values after form labels; marks tokens deleted."""

    def labels(self) -> None:
        """ "Eyes: GRN", "Hair: auburn", "Race: White", "Build: slim", "Sex: F"."""
        for c in range(1, self.n - 1):
            if self.low[c] != ":" or (attribute := _LABELLED.get(self.low[c - 1])) is None:
                continue
            if attribute not in self.on or c + 1 in self.dele:
                continue
            k, tok, low = c + 1, self.tok[c + 1], self.low[c + 1]
            if attribute == "gender":
                if tok in _SEX_ITEMS or low in SEXES:
                    self.delete(k, k + 1, "gender")
            elif attribute in ("eye_color", "hair_color"):
                if tok in _CODES or self.colour(low, attribute):
                    self.delete(k, k + 1, attribute)
            elif (
                self.bios[k] == attribute or attribute == "build" and low in _BUILD_VALUES
                or attribute == "race" and low in FORM_RACE_VALUES  # "Ethnicity: Mixed"
            ):  # fmt: skip
                end = k + 1  # "Build: slim", "Build: Medium" (round 19)
                while end < self.n and self.bios[end] == attribute:
                    end += 1
                self.delete(k, end, attribute)

    def origin_phrase(self, i: int) -> None:
        """ "a man from India", "the woman from the Philippines": after a person noun at i,
        "from" and a country's name go (race)."""
        k = i + 2 + (self.lw(i + 2) == "the")
        if not self.word(k) or not self.tok[k][:1].isupper():
            return
        for size in (3, 2, 1):
            if " ".join(self.low[k : k + size]) in _COUNTRIES and k + size <= self.n:
                self.delete(i + 1, k + size, "race")
                return

    def record_start(self) -> set[int]:
        """Sentences that start with a sex item ("M, 60s", "Female, Asian, slim"), or with an
        age in figures before one ("I am 30, F, Polish, quiet": from the age; round 15)."""
        lows = self.low
        return {
            k if self.sent_start(k) else k - 2 for k in range(self.n - 1)
            if self.tok[k] in _SEX_ITEMS and lows[k + 1] == "," and (
                self.sent_start(k) or k > 1 and lows[k - 1] == "," and age_value(lows[k - 2])
                and (self.sent_start(k - 2) or lows[k - 3] in _BEFORE_OWN_AGE)  # not "subject 3"
            )
        }  # fmt: skip

    def record_items(self, starts: set[int]) -> None:
        """In a sentence that lists a person's figures, the other list items that state a
        biometric go too: "M, 60s, white, ..., gray hair" (sex letters, race and build
        words, colours before hair or eyes, "thin build")."""
        lows = self.low
        for s in starts:
            e = s
            while e < self.n and lows[e] not in g.SENTENCE_END or self.record_dot(e):
                e += 1
            a = s
            while a < e:
                b = a
                while b < e and lows[b] not in ITEM_EDGES:
                    b += 1
                self.record_item(a, b)
                a = b + 1

    def list_records(self) -> None:
        """Sentences that list a person's traits, comma by comma, without a sex item or a
        figure to open them (character sheets, ads, witness lists: "Elra, half-elf, female,
        120 years, slender, violet eyes", "Single female, 29, slim, brunette"; round 12): two
        list items that state a biometric by themselves, one of them in words, and a person
        (a person noun, a pronoun, a sex or an age) in the sentence."""
        lows, s = self.low, 0
        while s < self.n:
            e = s
            while e < self.n and lows[e] not in g.SENTENCE_END or self.record_dot(e):
                e += 1
            if e - s > 4 and lows[s:e].count(",") >= 2:
                worded = numbers = 0
                a = s
                while a < e:
                    b = a
                    while b < e and lows[b] not in ITEM_EDGES:
                        b += 1
                    kind = self.list_item_kind(a, b)
                    worded += kind == "word"
                    numbers += kind == "number"
                    a = b + 1
                if (
                    worded
                    and worded + numbers >= 2
                    and any(
                        self.heads[k]
                        or lows[k] in _PEOPLE_WORDS
                        or self.bios[k] in _PERSON_BIOS
                        or lx.DECADE.match(lows[k])
                        for k in range(s, e)
                    )
                ):
                    self.record_items({s})
            s = e + 1

    def list_item_kind(self, a: int, b: int) -> str | None:
        """ "word": a list item that states a biometric in words ("slender", "white male",
        "violet eyes", "lean and blonde", "mid-twenties"); "number": an age or a figure alone
        ("29", "forty-eight", "age 30", "140 pounds"); else None."""
        lows, bios = self.low, self.bios
        words = [k for k in range(a, b) if lows[k] not in HEDGE_WORDS and lows[k] not in _LINKS]
        if not words or len(words) > 5 or any(self.heads[k] for k in words):
            return None  # "a man with a red beard": a phrase, no list item
        article = lows[words[0]] in ("a", "an")  # "a petite brunette": no list item either
        if not article and lows[words[-1]] in SEXES or not article and all(
            bios[k] or lows[k] in g.INTENSIFIERS for k in words
        ) and any(bios[k] for k in words):  # fmt: skip
            return "word"
        heads = [k for k in words if self.is_word[k] and self.base(k)[0] in lx.FEATURE_HEADS]
        if heads and heads[0] > words[0]:
            attribute = lx.FEATURE_HEADS[self.base(heads[0])[0]]
            if attribute != "build" and any(
                self.colour(lows[k], attribute) for k in words if k < heads[0]
            ):
                return "word"  # "violet eyes", "braided copper beard"
            return None
        if len(words) == 1 and lx.DECADE.match(lows[words[0]]):
            return "word"  # "mid-twenties"
        if self.catalogue_number(words[0]):
            return None  # "no. 41, photograph, 1930s": the item's number (round 17)
        if len(words) <= 2 and (
            len(words) == 1
            and age_words(lows[words[0]])
            or len(words) == 2
            and aged(lows[words[0]], lows[words[1]])
            or len(words) == 2
            and lows[words[0]].isdigit()
            and lows[words[1]] in _UNIT_WORDS
        ):
            return "number"  # "29", "forty-eight", "120 years", "age 30", "140 pounds"
        return None

    def catalogue_number(self, k: int) -> bool:
        """A number after "no." or "#" ("Museum catalogue no. 41", "#7"): it numbers a thing,
        and the "." before it split the sentence, so it reads as a list item (heldout19)."""
        before = self.lw(k - 1)
        return before == "#" or before == "." and self.lw(k - 2) in _NUMBER_ABBREVIATIONS

    def record_dot(self, e: int) -> bool:
        """The "." of "approx." or of a decimal does not end the record."""
        return e < self.n and self.low[e] == "." and (
            self.lw(e - 1) == "approx" or self.lw(e - 1).isdigit() and self.lw(e + 1).isdigit()
        )  # fmt: skip

    def record_item(self, a: int, b: int) -> None:
        """One list item a..b of a record."""
        lows = self.low
        if a >= b or all(k in self.dele for k in range(a, b)):
            return
        words = [k for k in range(a, b) if k not in self.dele]
        first = words[0]
        if len(words) == 1 and self.tok[first] in ("M", "F", "Male", "Female"):
            if "gender" in self.on and (first == 0 or lows[first - 1] in ITEM_EDGES
                                        or self.sent_start(first)):  # fmt: skip
                # "\"Male, playing age ...": the comma too when nothing is before it
                comma = self.lw(first + 1) == "," and not self.word(first - 1)
                self.delete(first, first + 1 + comma, "gender")
            return
        if len(words) == 1 and self.is_word[first] and lows[first] not in HEDGE_WORDS:
            # "brown/hazel", "hair: auburn": a hair colour first, whatever is enabled (with
            # hair colour off, "white" is no eye colour to remove)
            attribute = next(
                (a for a in ("hair_color", "eye_color") if self.colour(lows[first], a)), None
            )
            if attribute in self.on:
                self.delete(first, first + 1, attribute)
                return
        if lows[words[-1]] in SEXES and "gender" in self.on:
            self.replace(words[-1], g.match_case(self.tok[words[-1]], "person"), "gender")
            words = words[:-1]  # "a male", "white male"
            k = len(words)
            while k and self.bios[words[k - 1]] in self.on and self.bios[words[k - 1]] != "gender":
                k -= 1  # "a white male": the words before the sex too (round 12)
            if k < len(words):
                self.drop_items([(m, m + 1, self.bios[m]) for m in words[k:]])
                words = words[:k]
            if not words:
                return
        numbers = [k for k in words if lows[k] not in HEDGE_WORDS]
        if self.catalogue_number(first):
            return  # "Catalogue no. 23, portrait miniature": a number, no age (round 17)
        if first > 1 and lows[first - 1] == ":" and lows[first - 2].isdigit():
            return  # "at 14:22": a time
        if self.lw(b) == ":" and self.lw(b + 1)[:1].isdigit() and lows[words[-1]].isdigit():
            return  # "cam 3, 02:14:": its hour (round 15)
        if len(numbers) == 1 and age_words(lows[numbers[0]]) and "age" in self.on:
            self.delete(numbers[0], numbers[0] + 1, "age")  # "F, roughly 25-30, 5'5\""
            self.cut_hedge(first)
            return
        if len(numbers) == 2 and "age" in self.on and aged(lows[numbers[0]], lows[numbers[1]]):
            label = lows[numbers[0]] in _AGE_BEFORE and self.form(numbers[0])
            self.delete(numbers[0] + label, numbers[1] + 1, "age")  # "age 30", "born 1989"
            if not label:
                self.cut_hedge(first)
            return
        if "age" in self.on and (
            len(numbers) == 3 and lows[numbers[1]] in ("to", "or")
            and age_words(lows[numbers[0]]) and age_words(lows[numbers[2]])
        ):  # fmt: skip
            self.delete(numbers[0], numbers[2] + 1, "age")  # "thirty to forty" (round 12)
            return
        if len(words) == 1 and lows[first] in _AGE_BEFORE and self.dele.get(first + 1) == "age":
            if not self.form(first):
                self.delete(first, first + 1, "age")  # "prop, 118 kg, age 30" (round 12)
            return
        attributes = {self.bios[k] for k in words if self.bios[k]}
        heads = [k for k in words if self.base(k)[0] in lx.FEATURE_HEADS]
        if heads:
            self.record_feature(words, heads[0])
            return
        if len(attributes) == 1 and (attribute := attributes.pop()) in self.on and all(
            self.bios[k] or lows[k] in g.INTENSIFIERS or lows[k] in HEDGE_WORDS
            or lows[k] in _LINKS or lows[k] in ("appearance", "looking") for k in words
        ):  # fmt: skip
            last = max(k for k in words if self.bios[k])  # "Middle Eastern appearance"
            self.delete(words[0], last + 1, attribute)  # "white", "tiny and compact"
        elif (
            len(attributes) > 1
            and attributes <= self.on
            and all(self.bios[k] and lows[k] not in _SUNTANS or lows[k] in _LINKS for k in words)
        ):  # "lean and blonde" (round 12; not "lean and sunburnt": a suntan)
            self.drop_items([(k, k + 1, self.bios[k]) for k in range(words[0], words[-1] + 1)])

    def cut_hedge(self, first: int) -> None:
        """ "approx. 45 yrs": a hedge cut short goes with the age after it (round 13)."""
        if self.lw(first - 1) == "." and self.lw(first - 2) in _ABBREVIATED:
            self.delete(first - 2, first, "age")

    def form(self, k: int) -> bool:
        """A form, which keeps its labels ("Intake card: age 58, ht 170 cm"; round 12)."""
        m = self.sentence_start(k)
        while m < self.n and self.low[m] not in g.SENTENCE_END:
            if self.low[m] in _FORM_LABELS:
                return True
            m += 1
        return False

    def record_feature(self, words: list[int], h: int) -> None:
        """ "gray hair", "brown hair in a bun", "thin build", "blue eyes" as a list item."""
        attribute = lx.FEATURE_HEADS[self.base(h)[0]]
        if attribute not in self.on or words[0] == h:
            return
        colours = lx.FEATURE_ADJECTIVES[attribute]
        before = [k for k in words if k < h]
        if attribute == "build" or self.low[h] in ("build", "physique"):
            if all(self.low[k].isalpha() for k in before) and (
                self.low[h] in _SHAPE_HEADS or all(self.bios[k] == "build" for k in before)
            ):  # not "a weathered face", "rosy cheeks" (round 12)
                self.delete(before[0], h + 1, "build")  # "thin build", "medium build"
            return
        for k in before:
            if self.low[k] in colours or self.colour(self.low[k], attribute):
                self.delete(k, k + 1, attribute)
