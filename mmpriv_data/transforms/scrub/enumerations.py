"""Traits said with no verb after a word that stands for a person named before, or after a
titled name (round 14, heldout15's misses): enumerations of people ("three women jog: one
Black and tall, one Asian and petite", "the other short and Scottish", "the one thirty, the
younger twenty-four"), shares ("a couple, both eighty-plus and Irish,": "one" and "both"
stay), appositions of a titled name ("Ms. Lin, petite, Taiwanese, twenty-six;") and traits
set off by commas after a person and the phrase that places them ("a man in a hard hat,
sandy-haired and blue-eyed,"). The person-noun case ("the woman petite,") is
traits.after_head's.

>>> from mmpriv_data.transforms.scrub import scrub
>>> scrub("Two boys run: one Black and tall, the other short and Welsh.").text
'Two people run: one, the other.'
>>> scrub("The chaperone is Mrs. Lin, petite, Taiwanese, twenty-six; she waves.").text
'The chaperone is Mx. Lin; they wave.'
"""

from __future__ import annotations

from mmpriv_data.transforms.scrub import lexicon as lx
from mmpriv_data.transforms.scrub.ages import (
    APPROXIMATE,
    APPROXIMATELY,
    NUMBER_WORDS,
    hyphen_number,
)
from mmpriv_data.transforms.scrub.grammar import SENTENCE_END
from mmpriv_data.transforms.scrub.senses import HEDGES, POSTMODIFIER
from mmpriv_data.transforms.scrub.traits import listed

# Words that stand for one of several people named before; "younger"/"older" only after
# "the" ("the younger twenty-four").
_STAND_INS = frozenset({"one", "other", "both", "younger", "older", "elder"})
_TITLES = frozenset({"mr", "mrs", "ms", "mx", "miss", "dr"})
_CUES = _STAND_INS | _TITLES
# What may close the traits: the end of the phrase ("one tall, one short.", "Lin, petite;").
_ENDS = frozenset({",", ";", ":", ".", "!", "?", "", "with", "in", "at", ")"})
_JOINS = frozenset({"and", ","})
_BUILD_WORDS = lx.FEATURE_ADJECTIVES["build"]
# Lower-case race words that name people only in such a list ("one white and stocky").
_SKIN_WORDS = frozenset({"white", "black", "brown"})
_ROUGHLY = ("-odd", "-plus", "-ish")
_GUESSES = HEDGES | APPROXIMATELY  # "maybe fifty-five" right after a person
# ... after a phrase that places them only these: "a girl in a tutu, maybe three," keeps
# "maybe" in earlier parts, "a man in a hat, about forty," goes whole
_ESTIMATES = APPROXIMATE
# Pronouns an apposition of traits may follow ("the photo shows them, petite and grey,").
_OBJECTS = frozenset({"them", "him", "her", "they", "he", "she", "me", "us"})


def listed_traits(view, commas: bool) -> None:
    """The rules of this module, after the engine's loop; commas: the text has one."""
    stand_ins(view)
    if commas:
        apposed_traits(view)


def stand_ins(view) -> None:
    """Delete the traits after "one", "the other", "both" or a titled name, when a person was
    named in the 25 words before (not "one red and one blue" of balloons)."""
    lows = view.low
    if _CUES.isdisjoint(lows):
        return  # the common case: one set test per text (speed)
    for k, low in enumerate(lows):
        if low not in _CUES or k + 1 >= view.n or k in view.dele:
            continue
        prev = view.lw(k - 1)
        if low in _TITLES:
            if view.lw(k + 1) == "." and view.tok[k + 2 : k + 3] and view.tok[k + 2][:1].isupper():
                _traits_after(view, k + 2, apposed=True)  # "Ms. Lin, petite,"
            continue
        if low in ("younger", "older", "elder", "other") and prev != "the":
            continue  # "an older woman": the adjective rules' part
        ranked = view.bios[k - 1] and view.lw(k - 2) == "the"  # "the older one thirty"
        if low == "one" and prev not in (",", ":", ";", "the", "and") and not ranked:
            continue  # "one of", "a one-off", "one day"
        if low == "both" and not (prev == "," or view.heads[k - 1]):
            continue  # "both hands"
        if any(view.heads[max(0, k - 25) : k]):
            _traits_after(view, k, apposed=False)


def apposed_traits(view) -> None:
    """Traits set off by commas after a person and the phrase that places them: "a man in a
    hard hat, sandy-haired and blue-eyed, grinning", "a man with dreadlocks, maybe fifty-five,
    strums", "the photo shows them, petite and silver-haired," (not "apples, about ten,": the
    person must come right before the comma or before a phrase in with/on/at...)."""
    lows = view.low
    for c in [k for k, low in enumerate(lows) if low == ","]:
        if (
            c in view.dele
            or c + 1 in view.dele
            or not (_trait(view, c + 1) or view.lw(c + 1) in _GUESSES)
        ):
            continue
        h = c - 1
        while h > max(-1, c - 10) and not (view.heads[h] or lows[h] in _OBJECTS):
            if lows[h] in SENTENCE_END or lows[h] == "," and not _gone(view, h, c):
                break  # (not a comma before an age that went: "twin boys, three years old,")
            h -= 1
        if not (view.heads[h] or lows[h] in _OBJECTS) or h < 0:
            continue
        placed = lows[h + 1] in POSTMODIFIER  # "a man in a hat, tall"
        placed = placed or lows[h + 1] == "of" and view.tok[h + 2][:1].isupper()  # "of Spain,"
        placed = placed or h == c - 2 and view.named(c - 1)  # "my aunt Ida, slim,"
        placed = placed or _gone(view, h, c)  # "a boy of about
        # ten, fair-haired and blue-eyed,": the words between went as an age (round 18)
        if h < c - 1 and not placed:
            continue  # "the woman sells apples, about ten,": a count
        hedges = _GUESSES if h == c - 1 or lows[h + 1] not in POSTMODIFIER else _ESTIMATES
        _traits_after(view, c - 1, apposed=True, hedges=hedges)


def _traits_after(view, h: int, apposed: bool, hedges: frozenset[str] = frozenset()) -> None:
    """Traits from h + 1 (after a comma when apposed) to the end of the phrase go; an apposed
    list goes with its opening comma ("Lin, petite, Taiwanese;" -> "Lin;")."""
    start = h + 1 + (apposed and view.lw(h + 1) == ",")
    if apposed and start == h + 1:
        return
    k, last = start, None
    if view.lw(k) in hedges and _trait(view, k + 1):
        k += 1  # "maybe fifty-five", "around forty"
    while k < min(view.n, start + 10) and _trait(view, k):
        last = k
        k += 1
        if view.lw(k) in _JOINS and _trait(view, k + 1):
            k += 1  # "Black and tall", "petite, Taiwanese"
        elif view.lw(k) == "and" and _last_item(view, k + 1):
            if view.lw(k + 2) in _ENDS and view.lw(k + 2) not in ("with", "in", "at"):
                last, k = k + 1, k + 2  # the last of a list: "both grey-haired and round,"
            break  # (round 18)
    if last is None or view.lw(last + 1) not in _ENDS:
        return
    attribute = view.bios[last] or "age"
    close = last + 1  # its closing comma too before a verb: "a man with a cane, stout, walks"
    close += view.lw(close) == "," and view.verb_like(close + 1)
    if apposed:
        view.delete(h + 1, close, attribute)
    else:  # "one" and "both" stay: "a couple, both, dancing" (words the corpus keeps)
        view.delete(h + 1, last + 1, attribute)


def _gone(view, a: int, b: int) -> bool:
    """Every token from a (itself aside) to b went, but commas (round 18)."""
    return all(k in view.dele or view.low[k] == "," for k in range(a + 1, b))


def _last_item(view, k: int) -> bool:
    """The last word of a list of traits: a listed attribute's word or a build adjective
    ("both grey-haired and round,"; round 18)."""
    return view.bio(k) in view.on or "build" in view.on and view.lw(k) in _BUILD_WORDS


def _trait(view, k: int) -> bool:
    """A listed build, age or race word, a skin word of a list, or an age in words."""
    if not view.word(k) or view.heads[k]:
        return False
    low, attribute = view.low[k], view.bios[k]
    if attribute in view.on:
        if attribute in ("build", "age") and listed(low):
            return True
        if attribute == "race":  # "Filipino", "Scandinavian-looking"; "white" in a list
            return view.tok[k][:1].isupper() or low in _SKIN_WORDS
        return "-" in low  # "silver-haired", "grey-bearded", "blue-eyed"
    if "age" not in view.on:
        return False
    rough = low
    for suffix in _ROUGHLY:
        rough = rough.removesuffix(suffix)
    return rough in NUMBER_WORDS and rough != "one" or hyphen_number(rough) or (
        lx.age_compound(low)
    )  # fmt: skip
