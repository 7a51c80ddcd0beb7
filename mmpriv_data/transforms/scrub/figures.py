"""Figures and records (round 10): heights, weights and ages written in figures ("5'10\"",
"6 ft 1", "180 cm", "200 lb", "8 yo", "23 F", "mid-40s") and telegraphic descriptions that
name no person noun ("M, 60s, white, approx. 200 lb, gray hair"). A pass after the word rules:
a figure goes when the text is about people and the figure is a person's (a height in feet
and inches, a label such as "height"/"wt", a list item beside another biometric item, the
predicate of a person), never when it sizes a thing ("a 6 ft fence", "the table is 180 cm").

>>> from mmpriv_data.transforms.scrub import scrub
>>> scrub("The man, 6'1\\" and about 90 kg, waves.").text
'The person waves.'
>>> scrub("A 6 ft fence and a 200 lb tuna.").text
'A 6 ft fence and a 200 lb tuna.'
"""

from __future__ import annotations

import re
from itertools import compress
from operator import itemgetter

from mmpriv_data.transforms.scrub import grammar as g
from mmpriv_data.transforms.scrub import lexicon as lx
from mmpriv_data.transforms.scrub.ages import NUMBER_WORDS
from mmpriv_data.transforms.scrub.heights import comma_before_with, glued_feet
from mmpriv_data.transforms.scrub.records import (
    HEDGE_WORDS,
    ITEM_EDGES,
    RANGE,
    SEXES,
    RecordRules,
    age_value,
)
from mmpriv_data.transforms.scrub.senses import HEDGES
from mmpriv_data.transforms.scrub.tokens import FIGURE_WORDS

_FEET_INCHES = re.compile(r"^[3-7]'(?:[0-9]|1[01])$")  # "5'9" (the '"' is a token of its own)
_FOOT_COMPOUND = re.compile(
    r"^(?:[3-7]|three|four|five|six|seven)-(?:foot|feet|ft)"
    r"(?:-(?:[0-9]|1[01]|one|two|three|four|five|six|seven|eight|nine|ten|eleven))?$"
)
_AGE_SEX = re.compile(r"^(?:\d{1,2}[FM]|[FM]\d{1,2})$")  # "23F", "M34" (upper case)
_GLUED = re.compile(r"^(\d{1,3})(cm|kg|kgs|lbs?|yo)$")
_HYPHEN_UNIT = re.compile(r"^\d{2,3}-(?:pound|lb|kilo|kg|kilogram|stone)$")  # "20-stone": round 18
_PLUS = re.compile(r"^\d{1,2}0-?plus$")  # "80-plus"
_FEET_WORDS = {"three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_INCH_WORDS = frozenset("one two three four five six seven eight nine ten eleven".split())
_FOOT = frozenset({"foot", "feet", "ft"})
_INCH = frozenset({"in", "inches", "inch", '"'})
# Units of a weight or a length, with the range a person's figure falls in (a newborn's too).
_UNITS = {
    "cm": (40, 230), "centimetres": (40, 230), "centimeters": (40, 230),
    "kg": (2, 250), "kgs": (2, 250), "kilos": (2, 250), "kilograms": (2, 250),
    "lb": (5, 500), "lbs": (5, 500), "pounds": (5, 500), "stone": (4, 40), "m": (1, 2),
}  # fmt: skip
_AGE_UNITS = frozenset({"yo", "y"})  # "8 yo", "72 y/o"
_SPANS = frozenset("years year yrs months month weeks week days".split())
_NAME_AGE_ENDS = frozenset({",", ".", ";", ")", "and"})
_LABEL_VERBS = frozenset("weighs weighed weigh weighing stands standing measures".split())
# Words a predicate of figures may hold besides them ("stands at 180 cm and weighs in at").
_FILLERS = _LABEL_VERBS | {"and", "at", "in", ":", ","}
_LABELS = frozenset(
    "height ht weight wt weighs weighing weighed weigh stands standing measures".split()
)
_AGE_LABELS = frozenset({"age", "aged"})
_WEARERS = frozenset({"boys", "girls", "kids"})  # "Girls' Age 7-8" on a rack
_OPENERS = g.COPULAS | {":", '"'}  # words after which a list of figures may start
_HEDGES = HEDGE_WORDS
# Hedges that go with a whole list item ("approx. 200 lb"); "about" and "around" also
# between two figures ("six foot four and about 120 kilos").
_ABBREVIATED = frozenset({"approx", "~", "ca", "about", "around"})
_GLUE_HEDGES = frozenset({"about", "around"})
_ITEM_EDGES = ITEM_EDGES
_ITEM_ENDS = frozenset({",", ";", ".", ")", '"', "!", "?", "and", "but", "with"})
# Words after a figure that still leave it a person's ("6'5\" easily", "5 ft 3 in and ...").
_AFTER = HEDGES | {"tall", "max", "tops", "flat", "easily", "or", "so", "ish", "old"}
_DIMENSIONS = frozenset("wide long deep high across thick length width depth".split())
_SEX_LETTERS = frozenset({"m", "f", "male", "female"})  # a record may start with one
# Words for people besides person nouns: pronouns, the writer ("24F here, that's me").
_SELF = g.PERSON_PRONOUNS | set(lx.PRONOUNS) | {"they", "their", "me", "my", "i'm"}
_SEXES = SEXES
_ERA = frozenset({"the", "'", "’", "of"})  # "the 60s", "music of '80s" (an era, no age)


_DECADE_WORDS = {"teens", "twenties", "thirties", "forties", "fifties", "sixties", "seventies",
                 "eighties", "nineties"}  # fmt: skip
_FIRST = itemgetter(0)
# Words without a digit that may start a figure: tokens.FIGURE_WORDS (engine.mark calls
# figures() only for a text with one of those, a digit, a colon or "Male,"), "six" (foot),
# "mid-40s".
_WORD_STARTS = FIGURE_WORDS | set(_FEET_WORDS) | {
    f"{p}-{d}0s" for p in ("early", "mid", "late") for d in range(1, 10)
}  # fmt: skip


class FigureRules(RecordRules):
    """Figures and record items; `figures()` runs after the word rules (engine.mark)."""

    def figures(self) -> None:
        lows = self.low
        if ":" in self.text:
            self.labels()  # "Eyes: GRN", "Sex: F"
        n = self.n  # the words a figure may start with, found in C (speed): digits first
        starts = set(compress(range(n), map(str.isdigit, map(_FIRST, lows))))
        starts.update(compress(range(n), map(_WORD_STARTS.__contains__, lows)))
        starts = sorted(starts)
        records = set() if _SEX_LETTERS.isdisjoint(lows) else self.record_start()
        found: list[tuple[int, int, str, bool]] = []  # (start, end, attribute, strong)
        done = 0
        for i in starts:
            if i < done or (hit := self.figure(i)) is None:
                continue
            found.append(hit)
            done = hit[1]
        if not found and not records:
            return
        accepted: list[tuple[int, int, str]] = []
        waiting = []
        # A sentence with two figures of a person's kind is a record about one ("Intake
        # card: age 58, ht 170 cm, wt 82 kg"), though it names nobody.
        # An age written in figures ("7 y/o", "23F", "Age: 34") is a person's by itself.
        starts = [self.sentence_start(a) for a, _, _, _ in found]
        kinds = [s for s, (a, _, attribute, strong) in zip(starts, found, strict=True)
                 if strong or self.labelled(a)]  # fmt: skip
        kinds += [s for s, (_, _, attribute, strong) in zip(starts, found, strict=True)
                  if attribute == "age" and strong]  # fmt: skip
        for a, b, attribute, strong in found:
            if attribute not in self.on or self.thing_after(b) or self.thing_subject(a):
                continue
            if (
                kinds.count(self.sentence_start(a)) < 2
                and not self.about_people(a, b)
                and not (self.dele and self.lw(a - 1) == ":" and self.labelled(a))
            ):  # "Sex: M. ... Height: 5'11.": a form about a person (round 19)
                continue
            if (
                strong
                or self.labelled(a)
                or self.person_predicate(a)
                or self.person_head(b)
                or (attribute == "age" and self.person_head(self.hedged(a) - 1))
            ):  # "both girls early 20s", "a 200-pound man"
                accepted.append((a, b, attribute))
            else:
                waiting.append((a, b, attribute))
        grew = True
        while grew and waiting:  # list items beside an accepted figure or a biometric word
            grew = False
            for span in list(waiting):
                if self.beside(span[0], span[1], accepted):
                    accepted.append(span)
                    waiting.remove(span)
                    grew = True
        for a, b, attribute in sorted(accepted):
            self.drop_figure(a, b, attribute)
            k = self.hedged(a, _GLUE_HEDGES) - 1
            if self.lw(k) in ("and", "or") and k - 1 in self.dele:  # "6 ft and about 90 kg"
                self.delete(k, a, attribute)
        for a, _, attribute in accepted:
            self.figure_predicate(a, attribute)
        if accepted or records:
            self.record_items({self.sentence_start(a) for a, _, _ in accepted} | records)

    def figure_predicate(self, a: int, attribute: str) -> None:
        """A figure after a copula: the build or age words after it go too ("is 5'8\" and
        slim"), and a predicate left empty takes its sentence ("He is about 6 ft 2.")."""
        c = self.verb_before(a)
        verb = self.lw(c) in _LABEL_VERBS  # "He stands 185 cm and weighs 90 kg."
        if self.lw(c) not in g.COPULAS and self.lw(c) not in lx.PRONOUNS and not verb:
            return
        m = a
        while m < self.n and (m in self.dele or self.low[m] in _HEDGES):
            m += 1
        joined = self.lw(m) in ("and", ",")
        if (joined or self.lw(m - 1) == ",") and m + joined < self.n:
            items = self.predicate_items(m + joined, None)
            if items and any(it[2] for it in items) and self.lw(items[-1][1]) in _ITEM_ENDS:
                if joined and all(it[2] or self.low[it[0]] in g.SEPARATORS for it in items):
                    self.delete(m, m + 1, attribute)  # "is 5'8\" and slim"
                self.drop_items(items)  # "is 6'3\", tanned and muscular"
        comma_before_with(self, c, attribute)  # "is 5ft 9, skinny, with a scar" (round 19)
        m = c + 1
        while m < self.n and (
            m in self.dele or self.low[m] in _HEDGES or self.low[m] in _FILLERS
            or self.low[m] == "." and self.lw(m - 1) == "approx"
        ):  # fmt: skip
            m += 1
        if m >= self.n or self.low[m] in g.SENTENCE_END:
            self.delete_sentence(a, attribute)  # nothing else said: "He is 6'1\"."

    # --- reading figures ---------------------------------------------------------------------
    def figure(self, i: int) -> tuple[int, int, str, bool] | None:
        """A figure starting at i: (start, end, attribute, strong) or None. Strong figures
        are a person's wherever the text is about people (a height in feet and inches, an
        age in "yo"); the others need a label or a neighbour."""
        low = self.low[i]
        if "-year" in low or "-month" in low:
            return None  # "30-year-old": ages.py (the commonest figure of captions)
        if _FEET_INCHES.match(low):
            end = i + 1 + (self.lw(i + 1) == '"')
            return i, end, "build", True
        if _FOOT_COMPOUND.match(low):
            return i, i + 1, "build", low.count("-") == 2 or self.lw(i + 1) == "tall"
        if low.endswith("ft") and (glued := glued_feet(self, i)) is not None:
            return glued  # "5ft 9" (round 19)
        if _AGE_SEX.match(self.tok[i]):
            return i, i + 1, "age", True  # "23F", "M34"
        if glued := _GLUED.match(low):  # "180cm", "90kg", "34yo"
            value, unit = int(glued[1]), glued[2]
            if unit == "yo":
                return i, i + 1, "age", True
            low_bound, high_bound = _UNITS[unit]
            return (i, i + 1, "build", False) if low_bound <= value <= high_bound else None
        if _HYPHEN_UNIT.match(low):
            return i, i + 1, "build", False  # "a 200-pound man"
        if low in _FEET_WORDS or low.isdigit() and 3 <= int(low) <= 7:
            if self.lw(i + 1) in _FOOT or self.lw(i + 1) == "'" and self.adjacent(i):
                end, inch = i + 2, self.lw(i + 2)
                if inch.isdigit() and int(inch) < 12 or inch in _INCH_WORDS:
                    end += 1
                    strong = True
                    if self.lw(end) in _INCH:
                        end += 1
                else:
                    strong = self.lw(end) == "tall"
                if self.lw(end) == "tall":
                    end += 1
                return i, end, "build", strong
        if low.isdigit() or RANGE.match(low):
            return self.number_figure(i)
        if lx.DECADE.match(low) or low.endswith("something") and low[:-9] in NUMBER_WORDS:
            start = i - 1 if self.lw(i - 1) in ("early", "mid", "late") else i
            if self.lw(start - 1) in _ERA or low[:1].isdigit() and self.lw(start - 1) == "in":
                return None  # "the 60s", "in 60s fashion"
            return start, i + 1, "age", False
        if _PLUS.match(low):
            return i, i + 1, "age", False
        return None

    def number_figure(self, i: int) -> tuple[int, int, str, bool] | None:
        """ "160 lbs", "3.4 kg", "1.85 m", "8 yo", "72 y/o", "25-30 years old", "23 F"."""
        low, j = self.low[i], i + 1
        decimal = self.lw(j) == "." and self.lw(j + 1).isdigit() and self.adjacent(i)
        if decimal:
            j += 2
        unit = self.lw(j)
        if unit in _UNITS and low.isdigit():
            low_bound, high_bound = _UNITS[unit]
            value = int(low)
            if unit == "m" and not decimal or not low_bound <= value <= high_bound:
                return None
            return i, j + 1, "build", False
        if decimal:
            return None
        if unit in _AGE_UNITS:
            if unit == "y" and not (self.lw(j + 1) == "/" and self.lw(j + 2) == "o"):
                return None
            end = j + 3 if unit == "y" else j + 1
            end += self.lw(end) == "old"
            if self.tok[end : end + 1] in (["F"], ["M"]):
                end += 1  # "a 64 yo M"
            return i, end, "age", True
        if unit in _SPANS and self.lw(j + 1) == "old" and age_value(low):
            return i, j + 2, "age", True  # "25-30 years old", "18 months old"
        after = self.lw(i + 2)
        if self.lw(i - 1) == "," and self.lw(i + 1) in _NAME_AGE_ENDS and age_value(low) and (
            self.word(i - 2) and self.tok[i - 2][:1].isupper() and self.lw(i - 2) != "i"
        ) and (
            self.lw(i + 1) not in (",", "and") or after in g.FUNCTION_WORDS
            or self.tok[i + 2 : i + 3] != [after] or g.is_coordinated_verb(after)
            or self.bios[i + 2] in ("build", "race", "hair_color")  # "Hollis, 84, tiny and"
        ):  # fmt: skip
            return i, i + 1, "age", False  # "Ali, 7, and their sister"
        if self.tok[i + 1 : i + 2] in (["F"], ["M"]) and self.lw(i + 2) in _ITEM_ENDS | {""}:
            return i, i + 2, "age", True  # "23 F"
        if unit == "/" and self.tok[i + 2 : i + 3] in (["F"], ["M"]) and age_value(low):
            return i, i + 3, "age", True  # "34/M"
        if self.lw(i - 1) == "(" and unit == ")" and age_value(low) and (
            self.person_head(i - 2) or self.word(i - 2) and self.tok[i - 2][:1].isupper()
        ):  # fmt: skip
            return i, i + 1, "age", True  # "Maria (34) and her son"
        if self.lw(i - 2) == "'" and self.lw(i - 3) in _WEARERS:
            return None  # "Boys' Age 11-12": a size of clothes (round 19)
        if self.lw(i - 1) in _AGE_LABELS or self.lw(i - 1) == ":" and self.lw(i - 2) == "age":
            return i, i + 1, "age", True  # "Age: 34", "playing age 35-45"
        if self.lw(i - 1) == ":" and self.lw(i - 2) in _LABELS or self.lw(i - 1) in _LABELS:
            return i, i + 1, "build", True  # "Ht: 5-06", "Wt: 140"
        return None

    def hedged(self, a: int, hedges: frozenset[str] = _HEDGES) -> int:
        """Start of the hedges before a ("about", "approx.")."""
        k = a
        while k > 0 and (
            self.low[k - 1] in hedges or self.low[k - 1] == "." and self.lw(k - 2) == "approx"
        ):
            k -= 1
        return k

    def adjacent(self, i: int) -> bool:
        return i + 1 < self.n and self.end[i] == self.start[i + 1]

    # --- whose figure ------------------------------------------------------------------------
    def about_people(self, a: int, b: int) -> bool:
        """A person named (or a biometric word marked) in the sentence or the one before."""
        start = self.sentence_start(a) - 1
        while start > 0 and self.low[start] in g.SENTENCE_END:  # "!!"
            start -= 1
        start = self.sentence_start(max(0, start))
        stop = self.sentence_end(b)
        return any(
            self.heads[k] or self.low[k] in _SELF
            or k in self.dele or k in self.repl or self.bios[k] in ("gender", "age", "race")
            or self.tok[k] in ("M", "F")
            for k in range(start, min(self.n, stop + 1))
        )  # fmt: skip

    def thing_after(self, b: int) -> bool:
        """ "a 6 ft fence", "180 cm wide": the figure sizes the noun after it."""
        nxt = self.lw(b)
        if not self.word(b) or nxt in _AFTER or self.person_head(b) or self.bios[b]:
            return False
        return nxt in _DIMENSIONS or not (
            nxt in g.FUNCTION_WORDS or nxt in g.COPULAS or nxt.endswith("ly")
            or self.tok[b][:1].isupper() or g.is_coordinated_verb(nxt)
        )  # fmt: skip

    def thing_subject(self, a: int) -> bool:
        """ "The table is 180 cm": a copula whose subject is a thing before the figure."""
        k = self.verb_before(a)
        if self.lw(k) not in g.COPULAS and self.lw(k) not in _LABEL_VERBS or k < 1:
            return False
        s = k - 1  # the clause before the verb names no person ("the man in the parka is")
        while s >= 0 and self.low[s] not in g.SENTENCE_END and self.low[s] not in (";", ":"):
            if self.person_head(s) or s in self.repl or self.bios[s] or self.low[s] in _SELF:
                return False
            s -= 1
        return self.is_word[k - 1] and not self.tok[k - 1][:1].isupper()

    def verb_before(self, a: int) -> int:
        """Index of the word before the figure and its hedges, ":", "at", "in" ("weighs in
        at about 90 kg": "weighs")."""
        k = self.hedged(a) - 1
        k -= self.lw(k) == ":"
        k -= self.lw(k) == "at"
        k -= self.lw(k) == "in"
        return k

    def labelled(self, a: int) -> bool:
        """ "height 128 cm", "wt 49 kg", "weighs about 90 kg"."""
        return self.lw(self.verb_before(a)) in _LABELS  # "ht: 5-06", "weighing in at 90 kg"

    def person_predicate(self, a: int) -> bool:
        """ "She is about 185 cm", "they're late 50s": after a copula of a person subject."""
        k = self.hedged(a) - 1
        if self.lw(k) not in g.COPULAS and self.lw(k) not in lx.PRONOUNS:
            return False
        if self.lw(k) in ("he's", "she's"):
            return True
        s = k - 1
        return s >= 0 and (
            self.person_head(s) or self.low[s] in g.PERSON_PRONOUNS or self.low[s] == "they"
            or s in self.repl
        )  # fmt: skip

    def beside(self, a: int, b: int, accepted: list[tuple[int, int, str]]) -> bool:
        """A list item next to an accepted figure, a marked biometric word or a person noun
        ("5'9\", 160 lbs", "six foot four and about 120 kilos", "a person, early 20s")."""
        k = self.hedged(a) - 1
        before = self.lw(k) in _ITEM_EDGES or self.lw(k) == "and"
        m = b + (self.lw(b) == ")")
        after = self.lw(m) in (",", ";", "and", "(") and m + 1 < self.n
        ends = {e for _, e, _ in accepted} | {e + 1 for _, e, _ in accepted}
        starts = {s for s, _, _ in accepted}
        if before and k - 1 >= 0:
            p = k - 1
            if p + 1 in ends or p in self.dele or p in self.repl or self.bios[p] or (
                self.person_head(p) or self.tok[p] in ("M", "F")
                or self.tok[p][:1].isupper() and self.is_word[p] and self.low[p] != "i"
            ):  # fmt: skip
                return True  # "5'9\", 160 lbs", "a woman, early 20s", "Ali, 7,"
        if after:
            q = m + 1
            while q < self.n and self.low[q] in _HEDGES:
                q += 1
            return q in starts or q in self.dele or bool(self.bios[q])
        return False

    # --- removing ----------------------------------------------------------------------------
    def drop_figure(self, a: int, b: int, attribute: str) -> None:
        """The figure, its hedge when the figure is a whole list item ("approx. 200 lb"),
        and the sex letter of "23 F"."""
        k = self.hedged(a, _ABBREVIATED)
        if k < a and (k == 0 or self.low[k - 1] in _ITEM_EDGES) and self.lw(b) in _ITEM_ENDS:
            a = k  # "approx." (the other hedges stay: "maybe", "about")
        if self.lw(a - 1) == "(" and self.lw(b) == ")":
            a, b = a - 1, b + 1  # "5'10\" (178 cm)"
        elif self.lw(a - 1) in _OPENERS and self.lw(b) == "," and self.word(b + 1):
            b += 1  # "is 6'3\", tanned": not "is, tanned"; "Patient: 64 yo M, cough"
        self.delete(a, b, attribute)
        if self.tok[b - 1] in ("F", "M") and "gender" in self.on:
            self.delete(b - 1, b, "gender")
        if self.tok[a][:1].isdigit() and self.sent_start(a) and self.word(b):
            nxt = self.out(b)  # "24F here, ...": "Here, ..." (tokens.py capitalises after
            self.replace(b, nxt[:1].upper() + nxt[1:], attribute)  # capitals only)
