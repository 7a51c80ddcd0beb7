"""Appositions after a person noun: build, age or colour words set off by commas ("the
groom, stout and cheerful, lifts", "a student in knee socks, skinny and about ten,"). Split
from features.py in round 17 (size), when a skin word after a placing phrase ("a keeper in
his twenties, lean and sunburnt,") and an apposition that ends the sentence ("with his
wife, stout and rosy-cheeked.") joined it.

>>> from mmpriv_data.transforms.scrub import scrub
>>> scrub("He walks with his wife, stout and rosy-cheeked.").text
'They walk with their spouse.'
"""

from __future__ import annotations

from mmpriv_data.transforms.scrub import grammar as g
from mmpriv_data.transforms.scrub import lexicon as lx
from mmpriv_data.transforms.scrub import lexicon_data as data
from mmpriv_data.transforms.scrub.predicates import DEGREE, PredicateRules
from mmpriv_data.transforms.scrub.senses import POSTMODIFIER

_SHARES = frozenset({"both", "all", "mostly", "half", "part", "partly", "each"})
_APPOSED = g.SEPARATORS | g.INTENSIFIERS | {"one", "the", "other", "another", "and", "or"}
# Skin words that describe a person alone ("sunburnt", "red-faced"): no dog's colour.
_SKIN_ALONE = data.skin_words_alone()


class AppositionRules(PredicateRules):
    """Appositions after a person noun; marks tokens of the view deleted."""

    def apposed_comma(self, h: int) -> int | None:
        """The comma that opens an apposition about the person noun at h: right after it, or
        after a short phrase that places or dresses them ("a student in knee socks, skinny
        and about ten,", "a therapist with a tattoo on their arm, solid and tall,"; round 11).
        After such a phrase only build and age words count: a colour there may be the dog's."""
        lows, n = self.low, self.n
        if h + 1 < n and lows[h + 1] == ",":
            return h + 1
        if h + 1 >= n or lows[h + 1] not in POSTMODIFIER:
            return None
        comma = self.text.find(",", self.end[h], self.end[h] + 80)  # none near: no scan (speed)
        if comma < 0 or "." in self.text[self.end[h] : comma]:
            return None
        c = h + 2
        while c < min(n, h + 10) and lows[c] not in (",", "who") and self.is_word[c]:
            c += 1
        if c >= n or lows[c] != ",":
            return None
        k = c + 1
        while k < min(n, c + 8) and lows[k] not in (",", *g.SENTENCE_END):
            if self.bios[k] not in (None, "build", "age") and lows[k] not in _SKIN_ALONE:
                return None  # a sunburnt or red-faced one is a person (round 17)
            k += 1
        return c if k < n and lows[k] == "," else None

    def apposition(self, h: int) -> None:
        """Build, age or colour words set off by commas after a person noun: "the groom,
        stout and cheerful, lifts", "two sisters, one chubby and one skinny, blow" (heldout8)."""
        j, lows = h + 2, self.low
        end, stop = j, min(self.n, j + 10)
        while end < stop and lows[end] != "," and lows[end] not in g.SENTENCE_END:
            end += 1
        if end >= stop or not any(self.bios[k] in self.on for k in range(j, end)):
            return
        whole = all(
            self.bios[k] in self.on if self.bios[k] else lows[k] in DEGREE or lows[k] in _APPOSED
            for k in range(j, end)
        )  # nothing else said there, and all of it asked for: the whole apposition goes
        attribute = next((self.bios[k] for k in range(j, end) if self.bios[k]), None)
        if lows[end] != ",":
            semicolon = lows[end] == ";" and self.bios[j] in self.on  # not "one pale and ...;"
            if whole and (lows[end] == "." or semicolon) and attribute:  # "his wife, stout."
                self.delete(h + 1, end, attribute)  # (round 17; ";" round 19)
            if not semicolon or whole:
                return  # "the vicar's wife, plump and smiling; ...": items go (round 19)
        if whole:
            end = self.apposed_more(end)  # "the mother, Rohingya, young and thin," (round 19)
            self.delete(h + 1, end + 1, attribute)
            return
        items = self.predicate_items(j, None)
        # the items up to the closing comma: "two brothers, seven and nine, both tow-headed"
        # (round 18); not "a couple, both eighty-plus and Irish,", whose "both" stays
        if lows[j] not in _SHARES:
            items = [it for it in items if it[1] <= end]
        if items and items[-1][1] == end:
            head = self.base(end - 1)[0]
            if (
                len(items) == 1
                and self.person_head(end - 1)
                and not (
                    head in lx.GENDER_NOUNS or head in lx.GENDER_AGE_NOUNS or head in lx.AGE_NOUNS
                )
            ):  # "the captain, a Fijian winger,": the winger stays (round 12)
                self.drop_items([(k, k + 1, self.bios[k]) for k in range(j, end - 1)])
                return
            self.drop_items(items)  # "stout and cheerful" -> "cheerful"

    def apposed_more(self, end: int) -> int:
        """The closing comma of the biometric items after the apposition's comma at end, where
        each goes whole ("Rohingya, young and very thin,"); else end."""
        lows, on = self.low, self.on
        while True:
            k = end + 1
            while k < min(self.n, end + 8) and lows[k] != "," and self.is_word[k]:
                if not (self.bios[k] in on or lows[k] in DEGREE or lows[k] in _APPOSED):
                    return end
                k += 1
            if k >= self.n or lows[k] != "," or k == end + 1 or not self.bios[end + 1]:
                return end
            end = k
