"""Feature rules of the scrubber: the colour or size of a person's eyes, hair, skin or body
("her blue eyes", "a man with a gray beard", "She has a slim build."). `engine.Scrubber`
builds on this class.

>>> from mmpriv_data.transforms.scrub import scrub
>>> scrub("A man with deep brown eyes waves.").text, scrub("A cat with green eyes.").text
('A person waves.', 'A cat with green eyes.')
"""

from __future__ import annotations

from mmpriv_data.transforms.scrub import grammar as g
from mmpriv_data.transforms.scrub import lexicon as lx
from mmpriv_data.transforms.scrub.lexicon import (
    BARE_HEADS,
    CONTINUES,
    FEATURE_COMPOUND,
    NOT_PEOPLE,
    STYLE,
)
from mmpriv_data.transforms.scrub.predicates import PredicateRules

_FEATURE_MODIFIERS = STYLE | g.GENERAL_ADJECTIVES | g.INTENSIFIERS
_PARTICIPLE = ("ed", "ing")


class FeatureRules(PredicateRules):
    """Rules for body features; marks tokens of the view replaced or deleted."""

    def feature(self, h: int) -> None:
        """Colour or size of a person's eyes, hair, skin or body ("her blue eyes")."""
        before = self.low[h - 1] if h else ""
        if before in g.POSSESSIVES or before in g.DETERMINERS:
            return  # "her face", "the hair": no colour or size before the head (speed)
        attribute = lx.FEATURE_HEADS[self.base(h)[0]]
        if attribute not in self.on or self.lw(h + 1) in FEATURE_COMPOUND:
            return
        a, lows, colours = h, self.low, lx.FEATURE_ADJECTIVES[attribute]
        while a > 0:  # back over colours and style words (set lookups inline: speed)
            prev = lows[a - 1]
            if not (
                prev in _FEATURE_MODIFIERS or prev in colours
                or ("-" in prev or "ish" in prev) and self.colour(prev, attribute)
                or prev in g.SEPARATORS and self.word(a - 2) and self.colour(lows[a - 2], attribute)
                or prev.endswith(_PARTICIPLE) and prev.isalpha()
                and prev not in g.FUNCTION_WORDS  # "thinning white hair"
            ):  # fmt: skip
                break
            a -= 1
        while a < h and lows[a] in g.SEPARATORS:
            a += 1
        items = [(k, k + 1, attribute if lows[k] in colours or ("-" in lows[k] or "ish" in lows[k])
                  and self.colour(lows[k], attribute) else None)
                 for k in range(a, h)]  # fmt: skip
        if not any(it[2] for it in items):
            return
        if self.low[h] == "eye" and self.lw(a - 1) in ("a", "an"):
            return  # "a black eye": a bruise, not a colour
        p = a - 1
        word, suffix = self.base(p)
        if self.lw(p) in g.POSSESSIVES or (suffix and word in lx.PERSON_HEADS):
            self.drop_items(items)
            return
        prep = self.owner_preposition(p - 1 if self.lw(p) in ("a", "an", "the") else p)
        if prep is None:
            return
        rest = [it for it in items if it[2] is None and self.low[it[0]] not in g.SEPARATORS]
        if rest or self.lw(h + 1) in CONTINUES or self.base(h)[0] not in BARE_HEADS:
            self.drop_items(items)
            return
        first = p if self.lw(p) in ("a", "an", "the") else a
        before = self.prev_kept(first)
        nxt = self.lw(h + 2)
        verb = g.is_coordinated_verb(nxt) or nxt in g.COMMON_VERBS
        k, stop = h + 2, min(self.n, h + 7)  # "with blue eyes and an Asian woman": the "and"
        while (
            k < stop
            and self.is_word[k]
            and not (  # joins people ("a full figure": no)
                self.person_head(k) and self.low[k] not in lx.FEATURE_HEADS
            )
        ):
            k += 1
        verb = verb or self.person_head(k)
        if self.lw(h + 1) == "and" and nxt not in g.PERSON_PRONOUNS and not verb:
            self.delete(first, h + 2, attribute)
        elif self.lw(before) in ("and", ","):
            self.delete(before, h + 1, attribute)
        elif self.low[prep] in ("with", "of") and before == prep:
            self.delete(prep, h + 1, attribute)
        elif self.lw(h + 1) in g.SENTENCE_END or h + 1 >= self.n:
            self.delete_sentence(h, attribute)  # "She has blue eyes."
        else:
            self.drop_items(items)

    def owner_preposition(self, q: int) -> int | None:
        """Index of the "with"/"of"/"has" whose owner is a person, or None."""
        w = q
        while w >= 0 and q - w < 12 and self.low[w] not in ("with", "of", "has", "have", "had"):
            if self.low[w] in g.SENTENCE_END or self.low[w] not in ("and", ",") and w == q:
                return None
            w -= 1
        if w < 0 or self.low[w] not in ("with", "of", "has", "have", "had"):
            return None
        k = w - 1
        while k >= 0 and w - k <= 8 and self.low[k] not in g.SENTENCE_END:
            word = self.base(k)[0]
            if word in NOT_PEOPLE:
                return None
            if word in g.PERSON_PRONOUNS or self.person_head(k):
                return w
            if self.low[w] != "with" and self.low[w] != "of" and self.lw(w - 1) != "and":
                return None  # "has" needs its subject right before it, or "... and has"
            k -= 1
        return None
