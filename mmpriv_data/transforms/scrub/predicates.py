"""Predicate rules of the scrubber: what follows is/are/looks/appears/seems when the subject is
a person ("She is tall and thin", "The man in the red shirt is old", "Her eyes are blue",
"Is she chubby?", "She seems to be about 50"), and deleting listed items with their
separators. `engine.Scrubber` builds on this class.

>>> from mmpriv_data.transforms.scrub import scrub
>>> scrub("Is she chubby?").text, scrub("She seems to be about 50, and she smiles.").text
('Are they?', 'They smile.')
"""

from __future__ import annotations

from mmpriv_data.transforms.scrub import grammar as g
from mmpriv_data.transforms.scrub import lexicon as lx
from mmpriv_data.transforms.scrub.ages import APPROXIMATELY, FEW, NUMBER_WORDS, AgeRules
from mmpriv_data.transforms.scrub.clause_keeping import predicate_clause
from mmpriv_data.transforms.scrub.clause_tails import both_after_pronouns
from mmpriv_data.transforms.scrub.drops import UNWANTED as _UNWANTED
from mmpriv_data.transforms.scrub.drops import DropRules
from mmpriv_data.transforms.scrub.heights import height_end
from mmpriv_data.transforms.scrub.senses import HEDGES, PHRASE_STARTS, POSTMODIFIER
from mmpriv_data.transforms.scrub.unowned import HEADS as UNOWNED_HEADS
from mmpriv_data.transforms.scrub.unowned import unowned_colour

_ARTICLES = frozenset({"a", "an"})
# Words of degree or doubt before a predicate item ("a little chubby", "probably Korean",
# "somewhere around forty"): they go with the item.
DEGREE = g.INTENSIFIERS | HEDGES | {"somewhere", "almost", "nearly"}  # (heldout6)
# ... and of share or number ("half Japanese", "both lanky", "barely eighteen"; heldout7)
DEGREE |= {"half", "part", "partly", "mostly", "both", "all", "barely", "just", "only", "not"}
DEGREE |= {"already", "still"}  # "is already taller than her" (heldout8)
DEGREE |= {"naturally"}  # "is her hair naturally black" (round 18)
_ITEM_SEPARATORS = g.SEPARATORS | {"but"}
_SMALL_AMOUNTS = frozenset({"bit", "little", "tad"})
_COMPARE = frozenset({"no", "not", "more", "less"})
_MODALS = frozenset("could might may must would will should can".split())
# Verbs between a feature and its colour: "hair that is going gray", "is dyed blue".
COLOUR_VERBS = frozenset(
    "going turning dyed colored coloured bleached flecked streaked tinged shot gone turned".split()
)  # ("flecked with gray": heldout7 round; "a beard gone white": round 18)
# Nouns after a colour that name it again ("a warm olive tone").
_TONE = frozenset({"tone", "shade", "hue", "color", "colour"})
# Words that stand for one of several people named before ("one is Korean, the other ...").
_ONE_OF = frozenset({"one", "other", "another", "each", "both"})
_INVERTED = frozenset({"is", "are", "was", "were", "isn't", "aren't", "wasn't", "weren't"})
_DO = frozenset({"does", "do", "did", "doesn't", "don't", "didn't"})
LOOK = frozenset("look looks seem seems appear appears".split())
_SUBJECT_PRONOUNS = lx.SUBJECT_PRONOUNS | {"they", "i", "you", "we"}
# Words that start a new clause after ", and" ("..., and she smiles", "... and the dog runs").
_CLAUSE_STARTS = g.PERSON_PRONOUNS | {"the", "a", "an", "this", "that", "it", "there"}
_CLAUSE_STARTS |= g.POSSESSIVES  # "..., and *his* shirt hangs loosely" (heldout8)
_CLAUSE_STARTS |= {"he's", "she's"}  # "..., and he's carrying a llama" (round 12)
# Words that can start a predicate item besides prenominal adjectives: numbers, "in her 30s",
# "of Asian descent", colours of eyes or hair ("Her eyes are blue").
_ITEM_STARTS = (
    NUMBER_WORDS | APPROXIMATELY | PHRASE_STARTS | {"in", "of"}
    | lx.FEATURE_ADJECTIVES["eye_color"] | lx.FEATURE_ADJECTIVES["hair_color"]
    | lx.FEATURE_ADJECTIVES["race"] | lx.FEATURE_ADJECTIVES["build"]
)  # fmt: skip


_SHAPES = frozenset({"build", "physique", "stature"})  # "average build" (round 12)
_DAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
_HEIGHT_STARTS = NUMBER_WORDS | APPROXIMATELY | {"closer"}  # "closer to five nine" (round 14)


class PredicateRules(AgeRules, DropRules):
    """Rules for predicates; marks tokens of the view replaced or deleted."""

    # Set where a sentence starting "Yes," or "No," is deleted after the answer word.
    answer_kept = False
    # Copulas before a person phrase that goes on ("is a tall man in a grey suit"): read by
    # phrase_clauses.settle once every rule has run (round 17).
    phrase_clauses: tuple[tuple[int, str], ...] = ()

    def predicate(self, c: int, contracted: bool = False) -> None:
        """ "She is tall and thin", "Her eyes are blue", "He is 40 years old"."""
        lows, n = self.low, self.n
        p = c if contracted else c - 1  # "He's tall": the subject is the token itself
        if lows[c] == "be" and self.lw(p) in _MODALS:
            p -= 1  # "The man could be Hispanic"
        k = c + 3 if c + 2 < n and lows[c + 1] == "to" and lows[c + 2] == "be" else c + 1
        while (
            k < n
            and lows[k] in g.PREDICATE_INTENSIFIERS
            and (lows[k] in g.INTENSIFIERS or self.lw(k + 2) != "than")
        ):  # "is much taller", not "seems much younger than the character" (round 16)
            k += 1
        if k < n and lows[k] in COLOUR_VERBS:
            k += 1 + (self.lw(k + 1) == "with")  # "is going gray", "is flecked with gray"
        if k < n and (lows[k] in DEGREE or lows[k] == "a" and self.lw(k + 1) in _SMALL_AMOUNTS):
            k = self.after_degree(k)
        if k >= n:
            return
        low = lows[k]  # can an item start here? Most predicates ("is wearing") end here (speed)
        if low in _ARTICLES and not self.may_start_phrase(k + 1) and self.lw(k + 1) not in FEW:
            if self.lw(p) not in lx.FEATURE_HEADS:  # "her eyes are a pale green"
                return  # "is a car": no person phrase (speed: "is a" is common)
        start = _STARTS.get(low)  # what the word alone says, memoised (speed)
        if start is None:
            start = _item_start(low)
        # "her eyes are brownish", "the man's hair is cinnamon": any word after an owned feature
        if not (
            self.bios[k] or start == 1
            or k + 1 < n and lows[k + 1] in g.SEPARATORS
            or start == 2 and (
                low in ("no", "not") and self.bio(k + 1) == "age"
                or low in _COMPARE and self.lw(k + 1) in _COMPARE
                or low == "on" and self.lw(k + 1) == "the"  # "on the heavy side"
            )
            or p >= 0 and lows[p] in lx.FEATURE_HEADS and not low.endswith("ing")
            and (self.lw(p - 1) in g.POSSESSIVES or self.lw(p - 1).endswith("'s"))
        ):  # fmt: skip
            return
        if contracted:  # "who's thin and pale": a relative clause (round 17)
            kind, fattr = ("who" if lows[c] == "who's" else "person"), None
        else:
            kind, fattr = self.subject_kind(p)
        if kind is None:
            return
        items, first = self.predicate_items(k, fattr), k
        while items and first > c + 1 and lows[first - 1] in g.PREDICATE_INTENSIFIERS:
            first -= 1  # "his arms are very thin and ...": "very" goes with "thin" (heldout8)
            items.insert(0, (first, first + 1, None))
        k = items[-1][1] if items else k
        bio = [it for it in items if it[2] in self.on]
        if not bio:
            return
        if any(it[2] is None and self.low[it[0]] not in _UNWANTED for it in items):
            self.drop_items(items)
        elif (
            self.lw(p) in ("and", "but")
            and p not in self.dele
            and (k >= n or self.low[k] in g.SENTENCE_END)
        ):
            self.delete(p, k, bio[0][2])  # "The man wears a hat and is tall."
        elif kind == "who":
            self.delete(p, k, bio[0][2])
        elif kind == "whose":
            self.delete(p - 1, k, bio[0][2])  # the relative clause goes
        elif self.lw(k) in (",", "and") and self.lw(k + 1 + (self.lw(k + 1) == "and")) in (
            _CLAUSE_STARTS
        ):  # "She is about 50, and she smiles": the first clause goes whole
            a = c
            while a > 0 and not self.sent_start(a):
                a -= 1
            self.delete(a, k + 1 + (self.lw(k + 1) == "and"), bio[0][2])
        elif self.lw(k) in ("and", ",") and self.word(k + 1):
            if self.low[k] == "," and self.lw(k + 1) == "and" and _own_verb(self.lw(k + 2)):
                k += 1  # "is Indian, plump, and wears a sari": the verb after "and" (round 15)
            nxt = self.low[k + 1]
            if nxt.endswith("ing") or nxt in g.GENERAL_ADJECTIVES:
                self.delete(first, k + 1, bio[0][2])
            elif g.is_coordinated_verb(nxt) or nxt in g.COMMON_VERBS or self.verb_like(k + 1):
                if contracted:  # "She's slender and wears glasses" -> "They wear glasses"
                    self.delete(c + 1, k + 1, bio[0][2])
                    if "gender" in self.on:
                        self.replace(c, g.match_case(self.tok[c], "they"), "gender")
                        verb = g.plural_verb(self.tok[k + 1])
                        if verb:
                            self.replace(k + 1, verb, "gender")
                else:
                    self.delete(c, k + 1, bio[0][2])
            elif contracted and nxt in ("from", "in", "on", "at"):
                self.delete(c + 1, k + 1, bio[0][2])  # "they're Hazara, from Kabul": place kept
            else:
                self.delete_sentence(c, bio[0][2])
        elif len(items) == 1 and self.word(k) and self.person_head(k - 1) and kind == "person":
            # "is a statuesque Ghanaian woman in a gold gown": left to the phrase rules, and
            # the sentence goes after them only if they leave a biometric (round 17)
            self.phrase_clauses = (*self.phrase_clauses, (c, bio[0][2]))
        elif self.lw(k) != "on" or kind != "person" or self.lw(k + 1) not in _DAYS:
            predicate_clause(self, c, p, k, kind, contracted, bio[0][2])  # (round 18)
        else:  # "they were ninety-one years old on Tuesday": the day stays (round 14)
            self.delete(first, k, bio[0][2])

    def subject_kind(self, p: int) -> tuple[str | None, str | None]:
        """("person" | "who" | "feature" | None, feature attribute) of the subject ending at p."""
        subject = self.lw(p)
        if subject in _SUBJECT_PRONOUNS:
            return "person", None
        if subject == "who":
            return "who", None
        if subject in ("that", "which") and self.lw(p - 1) in lx.FEATURE_HEADS:
            return "feature", lx.FEATURE_HEADS[self.low[p - 1]]  # "hair that is going gray"
        if subject in _ONE_OF and (
            any(map(self.person_head, range(max(0, p - 25), p))) or both_after_pronouns(self, p)
        ):  # "two people ...; one is South Asian"
            return "person", None
        if subject in ("and", "but"):  # "She wears a hijab and looks Arab": the first subject
            a = p
            while a > 0 and not self.sent_start(a):
                a -= 1
            person = self.lw(a) in _SUBJECT_PRONOUNS  # or "The man looks ... and is slight"
            person = (
                person
                or self.lw(a) in _ONE_OF
                and any(map(self.person_head, range(max(0, a - 25), a)))
            )  # "two schoolgirls ... Both are slim and look about fifteen" (round 15)
            person = person or any(map(self.person_head, range(a, min(p, a + 4))))
            return ("person", None) if person else (None, None)
        if 0 <= p and self.heads[p] and self.person_head(p) and not self.base(p)[1]:
            return "person", None
        if subject in lx.FEATURE_HEADS:
            before = self.lw(p - 1)
            if before in g.POSSESSIVES or self.base(p - 1)[0] in lx.PERSON_HEADS:
                return "feature", lx.FEATURE_HEADS[subject]
            if before == "whose" and self.person_head(p - 2):
                return "whose", lx.FEATURE_HEADS[subject]  # "a woman whose eyes are blue"
            if before == "the" and subject in UNOWNED_HEADS and unowned_colour(self, p, p - 1):
                return "feature", lx.FEATURE_HEADS[subject]  # "The eyes are blue." (round 16)
        for k in range(p - 1, max(-1, p - 5), -1):  # "the one on the right is White"
            if self.low[k] in _ONE_OF and self.lw(k + 1) in POSTMODIFIER:
                return ("person", None) if any(self.heads[max(0, k - 25) : k]) else (None, None)
        # a person noun a few words back, followed by a phrase about it
        if not any(self.heads[max(0, p - 8) : p]):  # none: skip the scan (speed)
            return None, None
        k = p - 1
        while k >= 0 and p - k < 9 and self.low[k] not in g.SENTENCE_END and self.low[k] != ",":
            if self.person_head(k) and not self.base(k)[1]:
                return ("person", None) if self.postmodified(k + 1) else (None, None)
            k -= 1
        return None, None

    def after_degree(self, k: int) -> int:
        """The index after words of degree or doubt at k ("a little", "probably")."""
        while k < self.n:
            if self.low[k] in DEGREE:
                k += 1
            elif (
                self.low[k] == "a"
                and self.lw(k + 1) in _SMALL_AMOUNTS
                and (self.bio(k + 2) or self.lw(k + 2) in _ITEM_STARTS)
            ):
                k += 2
            else:
                return k
        return k

    def predicate_items(self, k: int, fattr: str | None) -> list[tuple[int, int, str | None]]:
        """Adjectives or age phrases from k on, with the separators between them."""
        items = []
        while k < self.n:
            item = self.predicate_item(k, fattr)
            if item is None:
                break
            items.append(item)
            k = item[1]
            sep = self.lw(k)  # "broad but not fat": "but" before a biometric (round 19)
            after = self.predicate_item(k + 1, fattr) if sep in _ITEM_SEPARATORS else None
            after = None if sep == "but" and not (after and after[2]) else after
            if (
                after is not None
                and self.low[k + 1].endswith("ing")
                and self.lw(k + 2) in _ARTICLES
            ):
                after = None  # "..., towering a full head above her": a clause (round 15)
            if after is not None and (after[2] or not self.verb_like(k + 1)):
                items.append((k, k + 1, after[2] if sep == "but" else None))
                k += 1
            else:
                break
        return items

    def predicate_item(self, k: int, fattr: str | None) -> tuple[int, int, str | None] | None:
        if not self.word(k):
            return None
        low, bio = self.low[k], self.bios[k]
        if bio and fattr is None:
            return (k, k + 1, bio)  # the common case first (speed)
        if low in DEGREE or low == "a" and self.lw(k + 1) in _SMALL_AMOUNTS:
            j = self.after_degree(k)
            item = self.predicate_item(j, fattr) if k < j else None
            if item is not None and item[2]:
                return (k, item[1], item[2])  # "a little chubby", "probably Korean"
        if low in ("no", "not") and self.bio(k + 1) == "age" and self.lw(k + 2) == "than":
            end = self.age_number(k + 3)  # "no older than four"
            if end is not None:
                return (k, end, "age")
        if low in _COMPARE:  # "no more than five", "more than 60", "less than a year old"
            j = k + (low in ("no", "not"))
            if self.lw(j) in ("more", "less") and self.lw(j + 1) == "than":
                end = self.age_number(j + 2)
                return None if end is None else (k, end, "age")
        if low == "on" and self.lw(k + 1) == "the" and self.lw(k + 3) == "side":
            bio = self.bio(k + 2)  # "on the heavy side", "on the older side"
            return (k, k + 4, bio) if bio else None
        if (low in _HEIGHT_STARTS or low[0].isdigit() or "-" in low) and (
            end := height_end(self, k)
        ):
            return (k, end, "build")  # "is he six two?", "six-three and lean" (round 14)
        if (
            low[0].isdigit() or low in NUMBER_WORDS or low in APPROXIMATELY or low in _ARTICLES
            or "-" in low and low.partition("-")[0] in NUMBER_WORDS  # "is seventy-five" (round 14)
        ):  # fmt: skip
            end = self.age_number(k)
            if end is not None:
                return (k, end, "age")
        if low == "in" and self.lw(k + 1) in g.POSSESSIVES:
            j = k + 3 if self.lw(k + 2) in ("early", "mid", "late") else k + 2
            return (k, j + 1, "age") if lx.DECADE.match(self.lw(j)) else None
        if low in PHRASE_STARTS and (phrase := self.person_phrase(k)) is not None:
            return phrase  # "a tall redhead", "maybe a teenager"
        if low == "of" and (self.bio(k + 1) == "race" or self.lw(k + 1) == "mixed"):
            # "of Korean descent", "of mixed heritage"
            m = k + 2
            while m < min(self.n, k + 4) and self.lw(m) not in lx.ORIGIN:
                m += 1
            return (k, m + 1, "race") if self.lw(m) in lx.ORIGIN else None
        if fattr is not None and low in _ARTICLES:  # "a pale green", "a striking violet-blue"
            last = None
            for m in range(k + 1, min(self.n, k + 6)):  # "a deep, soulful brown"
                if self.low[m] == "of" and self.lw(m - 1) in _TONE:
                    continue  # "a vibrant shade of red"
                if not self.word(m) and self.low[m] != "," or self.low[m] in g.FUNCTION_WORDS:
                    break
                last = self.colour_end(m, fattr) or last
            if last is None:
                return None
            return (k, last + (self.lw(last) in _TONE), fattr)  # "a warm olive tone"
        if low in g.FUNCTION_WORDS or low in g.COPULAS or g.is_coordinated_verb(low):
            return None
        if low in g.POSSESSIVES or low in g.PERSON_PRONOUNS:
            return None  # "... thin and *his* shirt hangs": a new clause
        if fattr is not None:
            end = self.colour_end(k, fattr)  # "light auburn", "cornflower blue"
            return (k, k + 1, None) if end is None else (k, end, fattr)
        if ("-" in low or low.endswith(("s", "ish"))) and (
            lx.DECADE.match(low) or lx.AGE_TOKEN.match(low) or lx.age_compound(low)
        ):
            return (k, k + 1, "age")  # "mid-thirties", "forty-something", "thirty-ish"
        return (k, k + 1, bio)

    def inverted_predicate(self, c: int) -> None:
        """ "Is she chubby?", "Are the two women overweight?", "Does he look young?"."""
        j, fattr = c + 1, None
        if self.lw(j) in _SUBJECT_PRONOUNS:
            k = j + 1
        elif self.lw(j) in g.DETERMINERS or self.lw(j) in g.POSSESSIVES:
            m = j + 1
            while m < min(self.n, j + 6) and not self.person_head(m):
                m += 1
            feature = m + 1 if self.base(m)[1] else j + 1  # "the girl's eyes", "her hair"
            if self.lw(feature) in lx.FEATURE_HEADS and (m == feature - 1 or j + 1 == feature):
                fattr, m = lx.FEATURE_HEADS[self.low[feature]], feature  # "Is her hair red?"
            elif not self.person_head(m) or self.base(m)[1]:
                return
            while self.person_head(m + 1) and not self.base(m)[1]:
                m += 1  # "the teen girl" (heldout7)
            k = m + 1
            in_decade = self.lw(k) == "in" and self.lw(k + 1) in g.POSSESSIVES  # "in his 30s"
            placed = self.lw(k) in POSTMODIFIER or self.lw(k).endswith("ing")  # "sitting at"
            placed = placed and self.lw(k + 1 - (self.lw(k) in POSTMODIFIER)) in POSTMODIFIER
            if placed and not in_decade:  # "the kid on the left Black?", "the person sitting
                # at the piano young?"
                while (
                    k < min(self.n, m + 8)
                    and self.word(k)
                    and (not self.bio(k) or self.modifies_thing(k))
                    and not (self.low[k] in NUMBER_WORDS and height_end(self, k))
                ):  # "the man in the photo six feet?" (round 14)
                    k += 1
        else:
            return
        if self.low[c] in _DO:
            if self.lw(k) not in LOOK:
                return
            k += 1
        k = k + 2 if self.lw(k) == "to" and self.lw(k + 1) == "be" else k
        while self.lw(k) in g.INTENSIFIERS:
            k += 1
        if self.lw(k) in COLOUR_VERBS:
            k += 1  # "Is her hair dyed purple?" (heldout7)
        items = self.predicate_items(k, fattr)
        if items and self.lw(e := items[-1][1]) in _SHAPES and items[-1][2] is None:
            items[-1] = (items[-1][0], e + 1, "build")  # "Is she slim or average build?"
        if any(it[2] in self.on for it in items):
            self.drop_items(items)


_AUXILIARIES = g.COPULAS | _DO | {"has", "have", "had"}  # "..., and was his weight"


def _own_verb(low: str) -> bool:
    """A verb that starts a predicate of its own ("wears", not "was" or "has")."""
    return low not in _AUXILIARIES and g.is_coordinated_verb(low)


_STARTS: dict[str, int] = {}


def _item_start(low: str) -> int:
    """1: the word can start a predicate item ("tall", "40", "mid-thirties"); 2: it can with
    the words after it ("no older than", "more than", "on the heavy side"); 0: it cannot."""
    if len(_STARTS) > 100_000:  # a bound on memory over millions of turns
        _STARTS.clear()
    start = (
        1 if low in _ITEM_STARTS or low[:1].isdigit() or "-" in low
        or low.endswith("s") and lx.DECADE.match(low)
        else 2 if low in _COMPARE or low == "on" else 0
    )  # fmt: skip
    _STARTS[low] = start
    return start
