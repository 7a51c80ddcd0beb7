"""Age rules of the scrubber that read numbers: "in her 30s", "a boy of about ten", "a man, 40
years old,", "a girl aged seven", and the end of an age stated as a number ("three or four
years old"), which the predicate rules read too. `predicates.PredicateRules` builds on this
class.

>>> from mmpriv_data.transforms.scrub import scrub
>>> scrub("A boy aged around twelve waves.").text, scrub("A woman, in her thirties, jogs.").text
('A person waves.', 'A person jogs.')
"""

from __future__ import annotations

from mmpriv_data.transforms.scrub import grammar as g
from mmpriv_data.transforms.scrub import lexicon as lx
from mmpriv_data.transforms.scrub import traits
from mmpriv_data.transforms.scrub.senses import HEDGES, SenseRules

NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty "
    "ninety".split()
)
TENS_AND_UNITS = frozenset(
    f"{tens}-{unit}"
    for tens in "twenty thirty forty fifty sixty seventy eighty ninety".split()
    for unit in "one two three four five six seven eight nine".split()
)  # "forty-eight" (round 12)
# Words before a number that make it an estimate of age ("about 50", "around sixty").
APPROXIMATELY = frozenset(
    "about around roughly approximately maybe perhaps nearly almost over under".split()
)
FEW = frozenset({"few", "couple"})  # "a few months old", "a couple of years old"
_SPANS = frozenset({"years", "months", "weeks", "days"})
_SPAN_WORDS = _SPANS | {"year", "month", "week", "day"}  # "one month old"
# Words of share before an estimated age ("both about ten", "all under ten").
_SHARED = frozenset({"both", "all", "each"})
_STANDS_FOR = frozenset({"one", "ones", "them", "age", "they", "other", "others"})
_APPOSITION_ENDS = frozenset({",", ".", ";", "!", ":"})
_AT_ENDS = _APPOSITION_ENDS | {"", "with", "when", "and", "in", "on", "?"}  # "me at fourteen,"
_OBJECTS = frozenset({"me", "him", "her", "them", "us", "myself"})
_TITLES = frozenset({"mr", "mrs", "ms", "mx", "miss", "dr"})  # (round 14)
_NUMBER_VALUES = {
    w: v for v, w in enumerate("zero one two three four five six seven eight nine ten eleven "
                               "twelve thirteen fourteen fifteen sixteen seventeen eighteen "
                               "nineteen".split())
} | {w: 10 * (v + 2) for v, w in enumerate("twenty thirty forty fifty sixty seventy eighty "
                                            "ninety".split())}  # fmt: skip
_TURNING_THAN = frozenset({"turning", "than"})
_COMPARED_AGES = frozenset({"older", "younger"})  # "younger than ten" (round 15)
# Words after a person noun that start an age ("a man about 60 is rowing").
APPROXIMATE = frozenset({"about", "around", "approximately", "roughly"})


class AgeRules(SenseRules):
    """Rules for ages stated with numbers; marks tokens of the view deleted."""

    def age_number(self, k: int) -> int | None:
        """End of an age stated as a number from k ("about 50", "three or four years old",
        "eight years of age"), or None."""
        j, estimate = k, self.lw(k) in APPROXIMATELY
        j += estimate
        if self.lw(j) == "the" and self.lw(j + 1) == "age" and self.lw(j + 2) == "of":
            j += 3  # "around the age of five"
        number = self.lw(j)
        if (
            number in ("a", "an")
            and self.lw(j + 1) in ("year", "month")
            and self.lw(j + 2) == "old"
        ):
            return j + 3  # "about a year old"
        if number in ("a", "an") and self.lw(j + 1) in FEW:  # "a few months old"
            m = j + 2 + (self.lw(j + 2) == "of")
            if self.lw(m) in _SPANS and self.lw(m + 1) == "old":
                return m + 2
            return None
        if not (number.isdigit() or number in NUMBER_WORDS or hyphen_number(number)):
            rough = number.removesuffix("-odd").removesuffix("-plus")
            if rough == number or not (rough in NUMBER_WORDS or hyphen_number(rough)):
                return None  # "is sixty-odd", "both eighty-plus" (round 14)
        j += 1
        later = self.lw(j + 1)
        if self.lw(j) in ("or", "to", "-") and (later.isdigit() or later in NUMBER_WORDS):
            j += 2  # "three or four years old"
        if self.lw(j) == "or" and later == "so":
            j, estimate = j + 2, True  # "forty or so" (heldout14)
        if self.lw(j) in _SPAN_WORDS and self.lw(j + 1) == "old":
            return j + 2  # "six years old", "three weeks old" (months, weeks, days: round 16)
        if self.lw(j) in ("years", "year") and self.lw(j + 1) == "of" and self.lw(j + 2) == "age":
            return j + 3
        nxt = self.lw(j)
        if estimate or not nxt or nxt in g.SENTENCE_END or nxt in (",", "and", "or"):
            return j
        return None

    def aged_number(self, i: int) -> int | None:
        """ "a boy aged (around) 12", "a girl, aged seven, reads": the end of the phrase."""
        comma = self.lw(i - 1) == ","
        if not self.person_head(i - 1 - comma):
            return None
        nxt = self.lw(i + 1)
        end = self.age_number(i + 1) or (
            i + 2 if nxt[:1].isdigit() or nxt in NUMBER_WORDS else None
        )  # fmt: skip
        if end is None or comma and self.lw(end) not in (",", "."):
            return None
        if "age" in self.on:
            self.delete(i - comma, end + (comma and self.lw(end) == ","), "age")
        return end

    def decade_phrase(self, i: int) -> None:
        """ "in her 30s", "in his early forties" (age)."""
        if "age" not in self.on or self.lw(i + 1) not in g.POSSESSIVES:
            return
        k = i + 3 if self.lw(i + 2) in ("early", "mid", "late") else i + 2
        if lx.DECADE.match(self.lw(k)):
            if self.lw(i - 1) in HEDGES and self.lw(i - 2) == ",":
                i -= 1  # "a woman, probably in her thirties, is jogging"
            self.delete(i, k + 1, "age")
            if self.lw(i - 1) == "," and self.lw(k + 1) == ",":
                self.delete(k + 1, k + 2, "age")
                self.delete(i - 1, i, "age")  # "A woman, in her thirties, is jogging"

    def number(self, i: int) -> None:
        """A number after a person: "A man, 40 years old,", "a boy of ten", "a man about 60"."""
        prev = self.low[i - 1]
        if prev == "at" or prev == "born":
            self.age_at(i)  # "me at fourteen", "Anton, born 1872," (round 12)
            return
        if prev in APPROXIMATELY and self.lw(i - 2) == "of" and i > 2:
            self.age_of(i - 1, i - 3)  # "a girl of maybe seven"
        if prev == "then" or prev in APPROXIMATELY and self.lw(i - 2) == "then":
            comma = i - 2 if prev == "then" else i - 3
            if self.lw(comma) == ",":  # "The Countess, then twenty-two," (round 15)
                self.age_apposition(i, comma)
            return
        if prev in _TURNING_THAN and i > 1 and "age" in self.on:
            self.turning_or_than(i)
            return
        if self.low[i] in NUMBER_WORDS or self.low[i].isdigit():
            self.estimated_age(i)
        if prev in HEDGES and self.lw(i - 2) == ",":
            self.age_apposition(i, i - 2)  # "Two boys, probably around eight, play"
        elif prev == ",":
            self.age_apposition(i, i - 1)
        elif prev == "of":
            if i > 1:
                self.age_of(i, i - 2)
        elif self.low[i] in APPROXIMATE and self.person_head(i - 1):
            self.age_of(i, i - 1)  # "a woman about 35 is rowing"

    def turning_or_than(self, i: int) -> None:
        """ "a boy turning eight blows out the candles": a person's coming age; "younger than
        ten" after an age word that went: the number with it (round 15)."""
        if self.low[i - 1] == "than":
            if i - 2 in self.dele and self.low[i - 2] in _COMPARED_AGES:
                self.delete(i - 1, self.age_number(i) or i + 1, "age")
            return
        after = self.lw(i + 1)
        if self.person_head(i - 2) and (after in _AT_ENDS or g.is_coordinated_verb(after)):
            self.delete(i - 1, i + 1, "age")

    def estimated_age(self, i: int) -> None:
        """ "The two boys, around six and nine, chase a ball", "the younger one, maybe five,",
        "..., both about ten.": an estimated number set off by a comma, in a text about
        people, that counts nothing after it, is an age (round 8)."""
        a = i
        while a > 0 and (self.low[a - 1] in APPROXIMATELY or self.low[a - 1] in HEDGES):
            a -= 1
        so = self.lw(i + 1) == "or" and self.lw(i + 2) == "so"  # "both seventeen or so" (round 15)
        if a == i and not so or "age" not in self.on:
            return  # a bare number after a comma is as often a count
        shared = self.lw(a - 1) in _SHARED
        a -= shared
        if self.lw(a - 1) != ",":
            return
        named = a - 2  # what the apposition follows: people ("two boys, about ten,")
        if not (
            shared or self.person_head(named) or self.lw(named) in _STANDS_FOR
            or self.bios[named] == "age" or self.with_phrase(named) if named >= 0 else False
        ):  # fmt: skip
            return  # "apples, about ten,": a count
        j = i + 1 + 2 * so
        if self.lw(j) in ("and", "or", "to", "-") and (
            self.lw(j + 1) in NUMBER_WORDS or self.lw(j + 1).isdigit()
        ):  # fmt: skip
            j += 2
        if self.lw(j) in ("years", "year") and self.lw(j + 1) == "old":
            j += 2
        if j < self.n and self.low[j] not in _APPOSITION_ENDS:
            return  # "about ten people", "around six o'clock"
        if any(
            self.person_head(k) or self.low[k] in g.PERSON_PRONOUNS or self.low[k] == "they"
            for k in range(max(0, a - 30), a)
        ):  # fmt: skip
            self.delete(a, j, "age")

    def with_phrase(self, k: int) -> bool:
        """k ends a "with" phrase about a person: "a man with wild curls, roughly forty,"
        (round 15)."""
        for m in range(k - 1, max(0, k - 6), -1):
            if self.low[m] == "with":
                return self.person_head(m - 1) and self.low[k] not in lx.NOT_PEOPLE
            if self.low[m] in _APPOSITION_ENDS:
                return False
        return False

    def age_at(self, i: int) -> None:
        """ "That's me at fourteen", "my dad at sixty with his beard": a person's age after
        "at" (over twelve: "at six" is a time); "Grandfather Anton, born 1872, was": a year
        of birth set off by commas after a person or a name (round 12)."""
        low, after, by = self.low[i], self.lw(i + 1), i - 2
        if "age" not in self.on or after not in _AT_ENDS:
            return
        if self.low[i - 1] == "born":
            if low.isdigit() and len(low) == 4 and 1850 <= int(low) <= 2030 and (
                self.lw(by) == "," and (self.person_head(by - 1) or self.named(by - 1))
                and after == ","
            ):  # fmt: skip
                self.delete(i - 2, i + 2, "age")  # both commas: "Anton was"
            return
        value = int(low) if low.isdigit() else _NUMBER_VALUES.get(low.split("-")[0], 0)
        if 12 < value <= 110 and (
            self.person_head(by) or self.lw(by) in _OBJECTS or self.named(by)
            or self.tok[by][:1].isupper() and (
                self.lw(by - 1) == "." and self.lw(by - 2) in _TITLES  # "Mr. Okafor at 72"
                or self.lw(by - 1) == "of" and self.person_head(by - 2)  # "the king of Spain"
            )
        ):  # fmt: skip
            self.delete(i - 1, i + 1, "age")

    def named(self, k: int) -> bool:
        """A name after a person noun: "player Luis", "Grandfather Anton"."""
        return self.word(k) and self.tok[k][:1].isupper() and not self.sent_start(k) and (
            self.person_head(k - 1)
        )  # fmt: skip

    def age_of(self, i: int, head: int) -> None:
        """ "A boy of about ten", "a woman of 40", "a man about 60" (age)."""
        if "age" in self.on and self.person_head(head) and self.low[head] not in lx.GROUP_HEADS:
            low = self.low[i].removesuffix("-odd").removesuffix("-plus")  # "of sixty-odd"
            number = low.isdigit() or low in NUMBER_WORDS or hyphen_number(low)
            end = self.age_number(i) or (i + 1 if number else None)
            if end == i + 1 and self.lw(end) == "or" and self.lw(end + 1) in NUMBER_WORDS:
                end += 2  # "a schoolboy of eight or nine reading" (round 12)
            if end:  # "a woman of 40 smiles": any number after "of" a person
                self.delete(head + 1, end, "age")

    def age_apposition(self, i: int, comma: int) -> None:
        """ "A man, 40 years old, smiles", "two boys, probably around eight or nine years
        old, play" (the commas go in fix_commas)."""
        if "age" not in self.on or not (
            self.person_head(comma - 1) or self.named(comma - 1) or self.after_traits(comma)
        ):
            return  # "Baseball player Luis, thirty-one, poses" (round 12)
        end = self.age_number(i)
        if end is None and (self.low[i].isdigit() or self.low[i] in NUMBER_WORDS):
            end = sourced_end(self, i + 1)  # "a mother, 43 according to the chart," (round 19)
        if end is not None and (self.lw(end) in (",", ".", ";") or self.lw(end) in _SOURCES):
            self.delete(comma + 1, end, "age")
            if comma in self.dele and self.lw(end) == ",":
                self.delete(end, end + 1, "age")  # the apposition before went with its commas

    def after_traits(self, comma: int) -> bool:
        """The comma closes an apposition of traits about a person ("a herdsman, broad and
        bow-legged, forty or so,"): a trait word before it and, a few words back, a comma
        after a person noun (heldout14)."""
        if not self.bios[comma - 1] or not traits.listed(self.low[comma - 1]):
            return False  # not a tagger's guess ("in Utah, 1869")
        k = comma - 2
        while k > max(0, comma - 8) and self.low[k] != ",":
            k -= 1
        return self.low[k] == "," and (self.person_head(k - 1) or self.named(k - 1))


def hyphen_number(word: str) -> bool:
    """ "twenty-five", "forty-two"."""
    return "-" in word and all(part in NUMBER_WORDS for part in word.split("-"))


_SOURCES = frozenset({"per", "according"})  # "88 per the caption", "43 according to the chart"


def sourced_end(view, end: int) -> int | None:
    """After an age set off by a comma (ending at end): the start of a source that closes
    the apposition, "per the caption", "according to her bib" (round 19), which stays."""
    if view.lw(end) not in _SOURCES:
        return None
    k = end + 1 + (view.lw(end + 1) == "to")
    stop = k + 4
    while k < min(stop, view.n) and view.is_word[k]:
        k += 1
    return end if view.lw(k) in (",", ".", ";") else None
