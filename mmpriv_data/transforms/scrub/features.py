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
from mmpriv_data.transforms.scrub import traits
from mmpriv_data.transforms.scrub.agents import owner_noun
from mmpriv_data.transforms.scrub.appositions import AppositionRules
from mmpriv_data.transforms.scrub.clause_keeping import in_longer_sentence, subject_kept
from mmpriv_data.transforms.scrub.colours import shade
from mmpriv_data.transforms.scrub.lexicon import (
    BARE_HEADS,
    CONTINUES,
    FEATURE_COMPOUND,
    NOT_PEOPLE,
    STYLE,
)
from mmpriv_data.transforms.scrub.predicates import (
    COLOUR_VERBS,
    DEGREE,
    LOOK,
)
from mmpriv_data.transforms.scrub.unowned import LEADS, unowned_colour

_FEATURE_MODIFIERS = STYLE | g.GENERAL_ADJECTIVES | g.INTENSIFIERS
_PARTICIPLE = ("ed", "ing")
# Words before a colour that still leave it a person's ("one blue eye and one brown eye").
_LEADS = LEADS
_ALL = frozenset({"both", "all", "each"})
_STOPS = (g.FUNCTION_WORDS | g.POSSESSIVES) - g.SEPARATORS
# "hair still dark blond", "hair naturally black" (round 18)
_TAIL_ADVERBS = frozenset({"still", "naturally", "already"})
_TAIL_VERBS = COLOUR_VERBS | _TAIL_ADVERBS
_TAIL_STARTS = _TAIL_VERBS | {",", "of"}
# Verbs of a colour tail that say how, not which colour: they stay ("hair dyed blond" ->
# "hair dyed"; round 20, as every part of the corpus leaves them unlabelled). Not "going"
# or "gone", which the corpus leaves unlabelled too but which read wrongly alone ("a beard
# going at the chin").
_KEPT_TAIL_VERBS = frozenset({"dyed", "coloured", "colored"})
_ASKS = frozenset({"is", "are", "was", "were", "does", "do", "did"})
# Words of an apposition besides its adjectives ("one chubby and one skinny").
# Ranked by age or build ("the older one", "the burly one"; round 8).
_RANKED = frozenset({"age", "build"})
# Objects after "the tallest of" that are a group of people ("the tallest of them").
_GROUP_OF = frozenset({"them", "us", "all", "the", "these", "those"})
# Words that stand for one of the people named before, and where their clause may start.
_ONE_OF = frozenset({"one", "other", "another", "both", "each"})
_CLAUSE_EDGES = frozenset({",", ";", ":", "and", "but", "while", "whereas", "."})
_RANKED_WORDS = frozenset(lx.SUPERLATIVES)
# Heads whose every adjective says a build ("a powerful build", "a compact frame"; round 8).
_SHAPE_HEADS = frozenset({"build", "physique", "frame", "figure", "stature"})
_FRAMES = frozenset({"frame", "figure"})  # also things ("a gold frame", "a bronze figure")
# Skin reddened by weather, a skin tone on the cheeks too ("his ruddy cheeks"; round 19):
# not "rosy" or "chubby" cheeks, which most parts leave unlabelled or call a build.
_REDDENED = frozenset({"ruddy", "weather-beaten", "sun-reddened", "sunburnt", "sunburned"})
_PROCESSES = frozenset({"bleached", "dyed", "peroxide", "hennaed"})  # (round 12)
_CONTRACTED = frozenset({"he's", "she's", "they're"})
_OWNING = frozenset({"with", "has", "have", "had"})
_NEAREST = frozenset({"closest", "nearest", "farthest", "furthest", "standing", "sitting"})


class FeatureRules(AppositionRules):
    """Rules for body features; marks tokens of the view replaced or deleted."""

    def feature(self, h: int) -> None:
        """Colour or size of a person's eyes, hair, skin or body ("her blue eyes")."""
        before = self.low[h - 1] if h else ""
        nxt = self.low[h + 1] if h + 1 < self.n else ""
        if (
            (before in g.POSSESSIVES or before in g.DETERMINERS)
            and nxt not in COLOUR_VERBS
            and (nxt != "," or self.lw(h + 2) not in ("a", "an"))  # "his eyes, a faded blue,"
        ):
            return  # "her face", "the hair": no colour or size before the head (speed)
        attribute = lx.FEATURE_HEADS[self.base(h)[0]]
        if attribute not in self.on or nxt in FEATURE_COMPOUND:
            return
        lows, colours = self.low, lx.FEATURE_ADJECTIVES[attribute]
        shape = lows[h] in _SHAPE_HEADS  # "a powerful build": any adjective is a build
        a = self.chain_start(h, attribute, shape)
        if shape and lows[h] in _FRAMES and not any(lows[k] in colours for k in range(a, h)):
            shape = False  # "a gold frame": a frame is a build only beside a listed build word
            a = self.chain_start(h, attribute, shape)
        while a < h and lows[a] in g.SEPARATORS:
            a += 1
        items = [(k, k + 1, attribute if lows[k] in colours or self.colour(lows[k], attribute)
                  or self.bios[k] == attribute or shape and lows[k].isalpha()
                  else "race" if lows[k] in _REDDENED and lows[h] == "cheeks" else None)
                 for k in range(a, h)]  # fmt: skip
        if h - a > 1:  # "warm brown", "bright red": a shade before a colour is colour too
            for m in range(h - a - 2, -1, -1):
                if items[m][2] is None and items[m + 1][2] and shade(lows[a + m], attribute):
                    items[m] = (a + m, a + m + 1, attribute)
            for m in range(h - a - 1):  # "bleached blond twists": how, not which colour
                if lows[a + m] in _PROCESSES and items[m + 1][2]:
                    items[m] = (a + m, a + m + 1, None)
        # "light eyes, probably blue", "hair dyed pink"
        tail = self.colour_tail(h, attribute) if nxt in _TAIL_STARTS else None
        if tail is None and not any(it[2] for it in items):
            return
        if (
            self.low[h] == "eye"
            and self.lw(a - 1) in ("a", "an")
            or (self.low[h] == "eyes" and self.lw(a - 1) == "two" and self.low[a] == "black")
        ):
            return  # "a black eye", "two black eyes": a bruise, not a colour
        p = a - 1
        word, suffix = self.base(p)
        owner = self.low[p] if p >= 0 else ""
        if (
            owner in g.POSSESSIVES or (suffix and word in lx.PERSON_HEADS)
            or owner == "whose" and self.owner(p - 1)  # "a woman whose violet eyes"
        ):  # fmt: skip
            self.drop_items(items)
            if tail is not None:
                self.delete(tail_start(self.low, h), tail, attribute)
            return
        # "with sharp grey eyes", "has kind brown eyes": a word of its own before the colour;
        # only the colour goes (round 12)
        apart = (
            p > 0 and lows[p - 1] in _OWNING and lows[p] not in g.FUNCTION_WORDS
            and lows[p].isalpha() and not self.heads[p] and any(it[2] for it in items)
        )  # fmt: skip
        p -= apart
        prep = self.owner_preposition(p - 1 if self.lw(p) in _LEADS else p)
        if prep is None:
            if unowned_colour(self, h, p):  # "a white beard frames their jaw" (round 15)
                self.drop_items(items)  # "The eyes are blue.", "blue eyes, missing teeth"
                if tail is not None:
                    self.delete(tail_start(self.low, h), tail, attribute)
            return
        if tail is not None:
            self.delete(h + 1, tail, attribute)  # "with hair dyed pink" may go whole
        rest = [it for it in items if it[2] is None and self.low[it[0]] not in g.SEPARATORS]
        if rest or apart or self.lw(h + 1) in CONTINUES or self.base(h)[0] not in BARE_HEADS:
            self.drop_items(items)
            return
        first = p if self.lw(p) in _LEADS else a
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
        elif self.low[prep] == "of" and not self.person_head(prep - 1):
            if self.lw(prep - 1) in g.COPULAS and self.lw(h + 1) in g.SENTENCE_END:
                self.delete_sentence(h, attribute)  # "He is of slight build."
            else:
                self.drop_items(items)  # "a mop of sandy hair": the colour only
        elif (
            self.low[prep] == "with"
            and before == prep
            and self.lw(prep - 1) in _ALL
            and (self.lw(prep - 2) == "," and self.lw(h + 1) == ",")
        ):
            self.delete(prep - 2, h + 2, attribute)  # "the couple, both with silver hair,"
        elif self.low[prep] in ("with", "of") and before == prep:
            # "with" goes with the change after it ("with hazel eyes and auburn hair")
            if prep + 1 in self.dele:
                self.delete(prep, prep + 1, self.dele[prep + 1])
            self.delete(prep, h + 1, attribute)
        elif self.lw(tail or h + 1) == "?" and self.low[self.sentence_start(h)] == "how":
            self.drop_items(items)  # "How many girls have dark hair?": the question stays
        elif self.lw(tail or h + 1) in g.SENTENCE_END or (tail or h + 1) >= self.n:
            if in_longer_sentence(self, h) and subject_kept(self, prep):  # "the shopper has hair
                # and eyes; ..." (round 18)
                self.drop_items(items)  # settled at the end: phrase_clauses.settle
                self.phrase_clauses = (*self.phrase_clauses, (h, attribute, -1))
            else:
                self.delete_sentence(h, attribute)  # "She has blue eyes."
        else:
            self.drop_items(items)

    def chain_start(self, h: int, attribute: str, shape: bool) -> int:
        """Start of the colours and style words before the feature head at h."""
        a, lows, colours = h, self.low, lx.FEATURE_ADJECTIVES[attribute]
        while a > 0:  # back over colours and style words (set lookups inline: speed)
            prev = lows[a - 1]
            if prev in _STOPS:
                break  # "with", "has", "a" ... (most chains end here: speed)
            if a == h and a > 1 and prev.isalpha() and (
                lows[a - 2] in colours or self.colour(lows[a - 2], attribute)
            ) and not shade(prev, attribute):  # fmt: skip
                a -= 1  # a noun of the style between colour and head: "red handlebar moustache"
                continue
            if not (
                shape and prev.isalpha() and not self.heads[a - 1]
                or
                prev in _FEATURE_MODIFIERS or prev in colours or shade(prev, attribute)
                or prev in _REDDENED and lows[h] == "cheeks"  # "ruddy cheeks" (round 19)
                or self.bios[a - 1] == attribute  # the tagger's guess ("tawny hair")
                or prev in g.SEPARATORS and self.word(a - 2) and (
                    self.colour(lows[a - 2], attribute) or lows[a - 2] in _FEATURE_MODIFIERS
                    or lows[a - 2].endswith(_PARTICIPLE) and lows[a - 2].isalpha()
                    or lows[a - 2] in _REDDENED and lows[h] == "cheeks"
                )  # "long, dark hair", "weathered, bronze skin" (round 10)
                or prev.endswith(_PARTICIPLE) and prev.isalpha()
                and prev not in g.FUNCTION_WORDS  # "thinning white hair"
                or "-" in prev and prev[0].isalpha()  # compounds: "peach-fuzz", "deep-set"
                or prev.endswith("ly") and prev.isalpha()  # "a neatly trimmed gray beard"
            ):  # fmt: skip
                break
            a -= 1
        return a

    def superlative_rank(self, i: int) -> bool:
        """ "the tallest one leans", "the oldest girl", "she is the tallest in her class": a
        person ranked by build or age; the rank goes (heldout8). Returns whether it did."""
        low, nxt = self.low[i], self.lw(i + 1)
        if self.lw(i - 1) != "the":
            return False
        attribute = lx.SUPERLATIVES.get(low) if low.endswith("st") else None
        if attribute is None and self.bios[i] in _RANKED:  # "the burly one", "the older one"
            if (
                nxt in ("one", "ones")
                and self.bios[i] in self.on
                and any(self.person_head(k) or self.low[k] in g.PERSON_PRONOUNS for k in range(i))
            ):  # a person named before: "one" stands for them, not for a chair
                self.delete(i, i + 1, self.bios[i])
                return True
            return traits.rank_as_person(self, i, self.bios[i])  # "the younger is" (round 15)
        if attribute not in self.on:
            return False
        if (
            nxt in ("one", "ones")
            and low in lx.SIZE_RANKS
            and not any(self.person_head(k) or self.low[k] in g.PERSON_PRONOUNS for k in range(i))
        ):
            return False  # "the smallest one" of cups: no person named before (round 19)
        if nxt in ("one", "ones") or self.person_head(i + 1):
            self.delete(i, i + 1, attribute)  # "the tallest one" -> "the one"
            return True
        if nxt == "in" and self.lw(i - 2) in g.COPULAS and self.person_before(i - 2):
            self.delete_sentence(i, attribute)  # "The boy is the tallest in his class."
            return True
        if (nxt in g.SENTENCE_END or nxt == "of" and self.lw(i + 2) in _GROUP_OF) and (
            self.lw(i - 2) in g.COPULAS and self.person_before(i - 2)
        ):  # "She is the oldest.", "he is the tallest of them." (round 8)
            self.delete_sentence(i, attribute)
            return True
        return traits.rank_as_person(self, i, attribute)  # "the youngest, maybe five," (round 15)

    def colour_tail(self, h: int, attribute: str) -> int | None:
        """End of a colour after the head and a comma ("light eyes, probably blue") or a
        participle ("hair dyed bright pink"), or None."""
        verb = self.lw(h + 1) in _TAIL_VERBS
        if self.lw(h + 1) not in (",", "of") and not verb:
            return None
        if verb and self.low[self.sentence_start(h)] in _ASKS:
            return None  # "Is her hair dyed purple?": the question's predicate (inverted rule)
        if not verb and self.lw(h + 1) == "of" and self.lw(h + 2) in ("a", "an"):
            verb = True  # "eyes of a deep blue"
        article = not verb and self.lw(h + 2) in ("a", "an")  # "his eyes, a faded blue, are"
        k = h + 2 + (verb and self.lw(h + 2) in ("with", "a", "an") or article)
        while self.lw(k) in DEGREE:
            k += 1
        end = self.colour_end(k, attribute)
        if end is None or not verb and end < self.n and self.is_word[end]:
            return None
        if article and self.lw(end) == ",":
            return end + 1  # the apposition's closing comma goes too
        return end

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
        while k >= 0 and w - k <= 11 and self.low[k] not in g.SENTENCE_END:
            word = self.base(k)[0]
            if word in NOT_PEOPLE and not (  # "the girls in the photo have": a place
                self.lw(k - 1) in g.DETERMINERS and self.lw(k - 2) in ("in", "on")
            ):
                return None
            if word in lx.AGE_NOUNS and self.young_animal(k, w):
                return None  # "a newborn foal with long skinny legs" (round 13)
            if word in g.PERSON_PRONOUNS or self.person_head(k) or self.owner(k):
                return w
            if self.low[w] != "with" and self.low[w] != "of" and self.lw(w - 1) != "and":
                return w if self.has_subject(w) else None  # "has": its subject before it
            if k == w - 1 and self.low[w] == "with" and owner_noun(word) and self.word(k - 1):
                return w  # "a hipster with auburn hair": an agent noun owns it (round 12)
            if word in _CONTRACTED and self.low[w] != "with" and self.low[w] != "of":
                return w  # "she's half-Japanese and has dark eyes" (round 12)
            k -= 1
        return None

    def young_animal(self, k: int, w: int) -> bool:
        """An age noun used as an adjective before a noun of its own: "a newborn foal", "a
        baby elephant" (not "the baby sleeps", "the toddler wearing")."""
        nxt = self.lw(k + 1)
        return (
            k + 1 < w and self.word(k + 1) and not self.heads[k + 1]
            and nxt not in g.FUNCTION_WORDS and not nxt.endswith(("ing", "ed", "s"))
        )  # fmt: skip

    def owner(self, k: int) -> bool:
        """A person at k: a pronoun, a person noun, or "the youngest", "the brunette"."""
        word = self.base(k)[0]
        return (
            word in g.PERSON_PRONOUNS
            or self.person_head(k)
            or (word in lx.NOUN_USE and self.lw(k - 1) in g.DETERMINERS)
            or word in _ONE_OF
            and self.one_of_people(k)
        )

    def one_of_people(self, k: int) -> bool:
        """ "One has red hair and the other ...", "the older one has", "both have": one of
        the people named before, at the start of its clause (round 8)."""
        before = self.lw(k - 1)
        if before in ("the", "each") or before in _RANKED_WORDS and self.lw(k - 2) == "the":
            before = self.lw(k - 2 - (before != "the" and before != "each"))
        if not (k == 0 or before in _CLAUSE_EDGES or self.sent_start(k)):
            return False
        return any(
            self.person_head(m) or self.low[m] in g.PERSON_PRONOUNS or self.low[m] == "they"
            for m in range(max(0, k - 40), k)
        )

    def has_subject(self, w: int) -> bool:
        """The subject of "has" at w is a person: "the man in the red jacket has", "the
        person closest to the camera has", "she looks to have" (heldout7)."""
        k = w - 1
        if self.lw(k) in _ALL and (
            self.owner(k - 1) or any(map(self.person_head, range(max(0, k - 12), k)))
        ):  # "the sisters both have", "...; both have" (heldout8)
            return True
        if self.lw(k) == "to" and self.lw(k - 1) in LOOK:
            k -= 2
            if self.owner(k):
                return True
        for m in range(k - 1, max(-1, k - 8), -1):
            if self.low[m] in g.SENTENCE_END or self.low[m] in g.COPULAS:
                return False
            if self.owner(m):
                return self.postmodified(m + 1) or self.lw(m + 1) in _NEAREST
        return False


def tail_start(lows: list[str], h: int) -> int:
    """Where a colour tail after the head at h starts to go: after a verb that stays."""
    return h + 2 if h + 1 < len(lows) and lows[h + 1] in _KEPT_TAIL_VERBS else h + 1
