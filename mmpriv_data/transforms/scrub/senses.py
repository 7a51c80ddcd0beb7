"""Word senses the scrubber tells apart by their context: a person word that names no person
present ("Queen Victoria", "its mother" of an animal, "the female" of a pair of ducks), and a
plural person noun that is a verb ("the lighthouse guards the harbor").
`predicates.PredicateRules` builds on this class.

>>> from mmpriv_data.transforms.scrub import scrub
>>> scrub("A foal stands beside its mother.").text
'A foal stands beside its mother.'
>>> scrub("A male duck swims with the female.").text
'A male duck swims with the female.'
"""

from __future__ import annotations

from mmpriv_data.transforms.scrub import grammar as g
from mmpriv_data.transforms.scrub import lexicon as lx
from mmpriv_data.transforms.scrub.animal_kin import SEXES, sex_after_animal
from mmpriv_data.transforms.scrub.colours import shade
from mmpriv_data.transforms.scrub.tokens import TokenView

_SEXES = frozenset({"male", "female", "males", "females"})
_SUPERLATIVES = frozenset(lx.SUPERLATIVES)
# Words that start a phrase after a person noun, before its verb ("the man *in* the red shirt
# is old"): the subject of the predicate is then that person.
POSTMODIFIER = frozenset(
    "in with on at near next behind by from beside wearing holding under inside outside".split()
)
_PARTICIPLE = ("ing", "ed")
HEDGES = frozenset({"maybe", "perhaps", "probably", "possibly", "likely"})
_AFTER_PERSON = frozenset({"in", "with", "from", "who", "wearing", "holding"})
# Young plants and animals named in -ling: nouns, not participles (round 12).
_YOUNG_THINGS = frozenset(
    "sapling saplings seedling seedlings duckling ducklings gosling goslings yearling "
    "yearlings fledgling fledglings hatchling hatchlings nestling nestlings".split()
)
_PHRASE_INNER = g.SEPARATORS | g.GENERAL_ADJECTIVES | g.INTENSIFIERS
PHRASE_STARTS = HEDGES | {"a", "an"} | lx.PLURAL_PERSON_NOUNS


class SenseRules(TokenView):
    """Context tests the rules ask before removing a person word."""

    def sentence_start(self, i: int) -> int:
        while i > 0 and not self.sent_start(i):
            i -= 1
        return i

    def sentence_end(self, i: int) -> int:
        """The first end of a sentence at or after i (g.SENTENCE_END: ";" is one), or n."""
        while i < self.n and self.low[i] not in g.SENTENCE_END:
            i += 1
        return i

    def person_before(self, i: int) -> bool:
        """A person noun or pronoun earlier in the sentence than i (whom "its" may refer to:
        "a newborn sleeps on its mother's chest")."""
        return any(
            self.person_head(k)
            and self.lw(k + 1) not in lx.MODIFIED  # not "a baby elephant"
            or self.low[k] in g.PERSON_PRONOUNS
            for k in range(self.sentence_start(i), i)
        )

    def noble_name(self, i: int) -> bool:
        """ "Queen Victoria", "Prince Albert": a title before a capitalised name."""
        nxt = i + 1
        return (
            self.low[i] in lx.NOBLE_TITLES and self.word(nxt) and self.tok[nxt][:1].isupper()
            and self.low[nxt] != "i"
        )  # fmt: skip

    def person_phrase(self, k: int) -> tuple[int, int, str | None] | None:
        """ "a tall redhead", "maybe a teenager" from k after a copula: (start, end, attribute
        of its first biometric word) when its head is a person noun, else None."""
        m = k + (self.low[k] in HEDGES)
        article = self.lw(m) in ("a", "an")  # none before a plural: "they are teenagers"
        m, lows, attribute = m + article, self.low, None
        while m < self.n and (
            self.bios[m] or lows[m] in g.SEPARATORS or lows[m] in g.GENERAL_ADJECTIVES
            or lows[m] in g.INTENSIFIERS
        ):  # fmt: skip
            attribute = attribute or self.bios[m]
            m += 1
        if not article and not (self.person_head(m) and lows[m] in lx.PLURAL_PERSON_NOUNS):
            return None
        if self.person_head(m):
            word = self.base(m)[0]
            own = "gender" if word in lx.GENDER_NOUNS or word in lx.GENDER_AGE_NOUNS else None
            own = own or ("age" if word in lx.AGE_NOUNS else None)
        elif self.lw(m) in lx.NOUN_USE:  # "a tall redhead"
            own = lx.NOUN_USE_ATTRIBUTE.get(lows[m]) or self.bios[m]
        elif lows[m - 1] in lx.NOUN_USE and self.bios[m - 1]:  # "a tall blonde"
            return (k, m, attribute)
        else:
            return None
        attribute = attribute or own
        return (k, m + 1, attribute) if attribute else None

    def may_start_phrase(self, m: int) -> bool:
        """Whether the word at m can follow the article of a person phrase (a cheap test
        made before `person_phrase`)."""
        if m >= self.n:
            return False
        low = self.low[m]
        return bool(self.bios[m]) or self.heads[m] or low in _PHRASE_INNER or low in lx.NOUN_USE

    def colour_end(self, k: int, attribute: str) -> int | None:
        """End of a colour phrase from k ("light auburn", "warm brown"): shade words then a
        colour; None when there is no colour at k."""
        m, end = k, None
        while m < self.n and self.is_word[m]:
            low = self.low[m]
            if self.colour(low, attribute):
                end = m + 1
            elif not shade(low, attribute):
                break
            m += 1
        return end

    def verb_like(self, j: int) -> bool:
        """A verb after "and": a known one, or an -s form before a preposition or a noun
        phrase ("her hair is jet black and falls past her shoulders")."""
        low = self.lw(j)
        if g.is_coordinated_verb(low) or low in g.COMMON_VERBS:
            return True
        after = self.lw(j + 1)
        return (
            low.endswith("s") and not low.endswith("ss") and low.isalpha()
            and (after in g.PREPOSITIONS or after in g.DETERMINERS or after in g.POSSESSIVES)
        )  # fmt: skip

    def demonym_noun(self, i: int) -> bool:
        """A capitalised race word after "a"/"an" that ends its phrase: a person ("the coach
        is wiry, an Australian in his fifties"; round 12)."""
        nxt = self.lw(i + 1)
        if not (
            self.tok[i][:1].isupper() and self.lw(i - 1) in ("a", "an") and "race" in self.on
            and (not self.word(i + 1) or nxt in _AFTER_PERSON)
        ):  # fmt: skip
            return False  # "the dog is a Maltese": no comma, no apposition
        a = self.sentence_start(i)
        return any(self.heads[k] or self.low[k] in g.PERSON_PRONOUNS for k in range(a, i - 2))

    def verb_not_noun(self, j: int) -> bool:
        """A plural-looking person noun followed by a determiner is a verb: "the lighthouse
        guards the harbor", "the coach trains a team"."""
        nxt = self.lw(j + 1)  # "a Hawaiian shirt fans himself" (heldout8): a reflexive too
        return self.low[j].endswith("s") and (
            nxt in g.DETERMINERS or nxt in g.POSSESSIVES or nxt.endswith(("self", "selves"))
        )

    def animal_sex(self, i: int) -> bool:
        """ "A male duck swims with the female": the sex of an animal named in the same
        sentence by "male"/"female" before a noun that is not a person."""
        a, n = self.sentence_start(i), self.n
        if sex_after_animal(self.low, self.heads, i):
            return True  # "A blackbird sings; the male is jet black" (round 17)
        for k in range(a, n):
            low = self.low[k]
            if low in g.SENTENCE_END and k > i:
                return False
            if k != i and low in _SEXES and self.word(k + 1) and not self.heads[k + 1]:
                return self.low[k + 1] not in g.FUNCTION_WORDS
        return False

    def noun_use(self, i: int) -> bool:
        """ "a blonde", "the elderly", "a smiling redhead": an adjective standing for a person."""
        nxt = self.lw(i + 1)
        if self.low[i] in SEXES and self.animal_sex(i):
            return False  # "a male mallard beside a brown female": a duck (round 17)
        if self.low[i] in _SUPERLATIVES and not self.superlative_person(i):
            return False  # "the oldest building", "the oldest of the dogs"
        if self.low[i].endswith("s") and not self.person_head(i + 1):
            return True  # "Asians", "redheads": plural nouns only
        if self.word(i + 1) and not (
            nxt in g.FUNCTION_WORDS or nxt in g.COPULAS
            or nxt.endswith(("ing", "ed")) and nxt not in _YOUNG_THINGS  # "a young sapling"
            or g.is_coordinated_verb(nxt) or nxt in g.COMMON_VERBS
        ):  # fmt: skip
            return False  # an adjective before its noun
        k = i - 1  # back over other adjectives to the determiner
        while k > i - 5 and (
            self.lw(k) == ","
            or self.word(k) and self.lw(k) not in g.FUNCTION_WORDS
            and (self.bios[k] or not self.person_head(k))
        ):  # fmt: skip
            k -= 1
        before = self.lw(k)
        return before in g.DETERMINERS or before.isdigit()

    def superlative_person(self, i: int) -> bool:
        """ "the youngest has", "the eldest of the three children": a person (heldout7)."""
        nxt = self.lw(i + 1)
        if self.lw(i - 1) != "the":
            return False  # "a year older"
        if self.low[i] in lx.SIZE_RANKS and not any(map(self.person_head, range(i))):
            return False  # "from the biggest to the smallest" of dolls (round 19)
        if nxt == "of":
            k = i + 2
            while self.lw(k) in g.DETERMINERS or self.lw(k) in lx.NUMBER_WORD_SET:
                k += 1
            if self.lw(k) in ("them", "us", "all"):  # "the tallest of them holds" (round 8)
                return True
            return self.person_head(k) or k > i + 2 and not self.word(k)  # "of the three."
        return not self.word(i + 1) or nxt in g.AUXILIARIES or g.is_coordinated_verb(nxt)

    def noun_use_replace(self, i: int) -> None:
        low = self.low[i]
        if low in lx.DEMONYM_NOUNS and (not self.tok[i][:1].isupper() or self.proper(i)):
            return  # "a pole", not "a Pole"; "a Great Dane"
        attribute = lx.NOUN_USE_ATTRIBUTE.get(low) or self.bio(i)
        if attribute == "gender" and self.animal_sex(i):
            return  # "a male duck swims with the female"
        if attribute in self.on and low in _SUPERLATIVES and self.lw(i + 1) == "of":
            if self.lw(i - 1) == "the":  # "the youngest of the three" -> "one of the three"
                self.delete(i - 1, i, attribute)
                self.replace(i, g.match_case(self.tok[i - 1], "one"), attribute)
                return
        if attribute in self.on:
            # "Asian" is capitalised as a proper adjective; "person" only at a sentence start
            case = self.tok[i] if self.sent_start(i) or self.tok[i].isupper() else low
            new = lx.NOUN_USE.get(low) or ("people" if low.endswith("s") else "person")
            self.replace(i, g.match_case(case, new), attribute)

    def age_noun(self, i: int) -> bool:
        """ "a lanky twelve-year-old is ...": an age compound standing for a person."""
        low, nxt = self.lw(i), self.lw(i + 1)
        if not ("-" in low and lx.age_compound(low)):
            return False
        return (
            not self.word(i + 1)
            or nxt in g.FUNCTION_WORDS
            or nxt in g.COPULAS
            or (g.is_coordinated_verb(nxt))
        )  # not "a 100-year-old building"

    def postmodified(self, k: int) -> bool:
        """A phrase about the person noun before k starts at k: a preposition ("the man *in*
        the red shirt") or a participle ("the officer *directing* traffic", "the woman *seated*
        at the loom"; heldout8)."""
        low = self.lw(k)
        return low in POSTMODIFIER or (
            low.endswith(_PARTICIPLE) and low.isalpha() and low not in g.FUNCTION_WORDS
            and low not in g.COPULAS and self.bios[k] is None
        )  # fmt: skip

    def modifies_thing(self, k: int) -> bool:
        """A colour or size before a noun inside a phrase about the person: "the man in the
        *black* suit", "the girl with *blond* hair" (heldout8)."""
        nxt = self.lw(k + 1)
        return (
            self.word(k + 1) and not self.bios[k + 1] and nxt not in g.FUNCTION_WORDS
            and nxt not in g.COPULAS and nxt not in ("or", "and")
        )  # fmt: skip
