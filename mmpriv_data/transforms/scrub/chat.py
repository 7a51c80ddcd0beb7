"""A people's name said alone in chat, with no person noun or subject (round 11, after
heldout12): "half Thai half Irish", "def half Japanese", "I think Egyptian, young, trim",
"Armenian, about seventy, tiny" (an answer to "who is behind the counter?").

Elsewhere a demonym is read only before a person noun or after a person's copula, since
"Thai food" and "the Egyptian museum" name things. Here it is a person's only when a cue
says so: a share of descent before it (half, part, quarter), a hedge of a guess (I think,
probably, maybe), or a sentence that opens with it and goes on to a comma; and
when nothing follows it that it could size (a noun: "half Japanese restaurant").

>>> from mmpriv_data.transforms.scrub import scrub
>>> scrub("def half Japanese, they've got grey eyes").text
"def, they've got grey eyes"
>>> scrub("The menu is half Japanese food.").text
'The menu is half Japanese food.'
"""

from __future__ import annotations

from itertools import compress

from mmpriv_data.transforms.scrub import census
from mmpriv_data.transforms.scrub import grammar as g
from mmpriv_data.transforms.scrub import lexicon as lx

SHARES = frozenset({"half", "part", "quarter", "mostly"})
GUESSES = frozenset({"think", "probably", "maybe", "prob", "definitely", "def", "guess"})
CUES = SHARES | GUESSES
# What may follow the demonym when it stands alone: the end of a clause or another share.
_LINKS = frozenset({",", "and", "/"})
_AFTER = g.SENTENCE_END | g.SEPARATORS | SHARES | {"", ")", '"', "on", "from", "i"}


def bare_race(sc) -> None:
    """Delete demonyms said alone after a cue (see the module doc). sc: the Scrubber."""
    if " look" in sc.text and "race" in sc.on and "race" in sc.bios:
        race_look(sc)  # "a Mediterranean look" (round 19)
    if "Mixed" in sc.text and "race" in sc.on:
        census.mixed(sc)  # "marked Mixed", "ticked as Mixed" (round 20)
    if not sc.race_cue or "race" not in sc.on:
        return
    lows = sc.low
    for k in compress(range(sc.n), map(lx.CASED_RACE.__contains__, lows)):
        if sc.bios[k] != "race" or k in sc.dele:
            continue
        nxt, b = sc.lw(k + 1), k + 1
        if (nxt in census.CITIZENSHIP or sc.lw(k - 1) in census.FORM_CUES) and (
            stated := census.stated_race(sc, k)
        ) is not None:
            sc.delete(*stated, "race")  # "ticked as White British", "Dutch nationals" (round 20)
            continue
        while b < sc.n and (  # "half Korean, half Mexican dishes": what follows the chain
            lows[b] in SHARES or sc.bios[b] == "race"
            or lows[b] in _LINKS and (sc.lw(b + 1) in SHARES or sc.bio(b + 1) == "race")
        ):  # fmt: skip
            b += 1
        a, prev = k, sc.lw(k - 1)
        # "62% Irish", "Yoruba 58%" (round 16): the figure stays ("the test says 62%")
        if not percent_share(sc, k, b):
            if nxt not in _AFTER or _sized(sc, b):
                continue  # "half Japanese food", "an Egyptian museum"
            if prev in SHARES:
                a = k - 1  # the share goes with it: "half Thai"
            elif not (prev in GUESSES or sc.sent_start(k) and nxt == ","):
                continue
        end = k + 1 + (nxt == "," and sc.sent_start(k))  # "Armenian, about seventy": its comma
        sc.delete(a, end, "race")


def percent_share(sc, k: int, b: int) -> bool:
    """A share of descent in figures next to the demonym at k ("62% Irish", "Yoruba 58%",
    "Igbo 20% and the rest Akan"; round 16, after heldout17's DNA-test chats); b: the end of
    its chain. Nothing follows that the demonym could size ("20% Irish whiskey" stays)."""
    if sc.lw(k - 1) == "%" and sc.lw(k - 2)[:1].isdigit():
        return not _sized(sc, b)
    if sc.lw(k - 1) == "rest" and sc.lw(k - 2) == "the":  # "and the rest Akan"
        return "%" in sc.low[max(0, k - 8) : k]
    return sc.lw(k + 2) == "%" and sc.lw(k + 1)[:1].isdigit() and not _sized(sc, k + 3)


def _sized(sc, m: int) -> bool:
    """A word at m that a demonym before it could describe ("Japanese food", "Irish
    whiskey"), not a word that ends its phrase."""
    return m < sc.n and sc.is_word[m] and sc.low[m] not in _AFTER


_LOOKS = frozenset({"look", "looks"})
_LOOK_OPENERS = frozenset({"a", "an", "the", "that", "this", ",", ":"}) | g.POSSESSIVES


def race_look(sc) -> None:
    """A people's name before "look" states a person's race: "Scandinavian look", "a
    Mediterranean look", "that 'black Irish' look" (round 19, heldout21's casting notes)."""
    lows = sc.low
    for k in compress(range(sc.n), map(_LOOKS.__contains__, lows)):  # found in C (speed)
        if k and sc.bios[k - 1] == "race" and k - 1 not in sc.dele:
            a = k - 1
            while a > 0 and sc.bios[a - 1] == "race":
                a -= 1
            if sc.lw(k + 1) in g.PREPOSITIONS or not (
                sc.lw(a - 1) in _LOOK_OPENERS or sc.sent_start(a)
            ):
                continue  # "the Irish look out to sea", "a French look for summer"
            if sc.lw(a - 1) == ",":  # a list item: ", Scandinavian look" goes whole
                sc.delete(a - 1, k + 1, "race")
            else:
                sc.delete(a, k, "race")  # "a Mediterranean look" -> "a look"
