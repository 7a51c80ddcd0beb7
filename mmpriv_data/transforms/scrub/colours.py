"""Colour words of eyes, hair and skin: the scales' names in the lexicon, plus the colour names
of the xkcd colour survey (data/colour_names.tsv) for eyes and hair, compounds ("sea-green",
"bluish-gray", "coal-black", "gray-streaked"), "-ish" forms and comparatives ("darker").

Names of the survey count only where a colour of eyes, hair or skin is read: before those heads, or
after "her hair is". Shade words ("warm", "bright", "faded") count only before another colour.

>>> colour("cinnamon", "hair_color"), colour("mahogany", "race"), colour("warm", "eye_color")
(True, True, False)
>>> colour("sea-green", "eye_color"), colour("bluish-gray", "eye_color")
(True, True)
>>> colour("darker", "hair_color"), colour("gray-streaked", "hair_color")
(True, True)
"""

from __future__ import annotations

from functools import lru_cache

from mmpriv_data.transforms.scrub import lexicon as lx
from mmpriv_data.transforms.scrub import lexicon_data as data

_ROWS = data.rows("colour_names.tsv")
NAMES = frozenset(row["term"] for row in _ROWS if row["kind"] == "name")
SHADES = frozenset(row["term"] for row in _ROWS if row["kind"] == "shade")
# Suffixes after a colour in a compound: "honey-colored", "gray-streaked", "blonde-tipped".
TINT = frozenset(
    "colored coloured toned tinted hued streaked flecked tinged tipped".split()
)  # fmt: skip
# Hair lightened by the sun: a colour only before a hair head ("sun-bleached curls").
_SUN_LIGHTENED = frozenset({"sun-bleached", "sun-lightened", "sun-kissed"})
# Attributes that take the survey's names; skin too since round 10 ("mahogany skin",
# "cocoa-brown skin", "blue-black skin": skin colours named by things). Race reads colours
# only before or after its heads (skin, complexion), never alone.
_NAMED = frozenset({"eye_color", "hair_color", "race"})
_NAMED_ISH = frozenset({"eye_color", "hair_color"})  # "reddish skin" is a flush, not a tone
_SKIN_NAMES = frozenset(n for n in NAMES if not n.endswith("ish"))
# Intensity words of colours in descriptions of people, beyond the survey's (this project's).
SHADES |= frozenset("flaming fiery inky pitch jet snowy icy steely smoky misty".split())
SHADES |= frozenset("milky faded washed-out".split())  # "milky blue eyes" (heldout8)


def _single(low: str, attribute: str) -> bool:
    """One word (no hyphen): a listed colour, a survey name, "-ish" or a comparative."""
    words = lx.FEATURE_ADJECTIVES[attribute]
    if low in words or attribute in _NAMED_ISH and low in NAMES:
        return True
    if attribute == "race" and low in _SKIN_NAMES:
        return True
    if attribute == "build" or len(low) < 5:
        return False
    if low.endswith("ish"):  # "grayish", "reddish", "bluish"
        stem = low[:-3]
        return any(s in words or attribute in _NAMED_ISH and s in NAMES
                   for s in (stem, stem + "e", stem[:-1]))  # fmt: skip
    if low.endswith("y") and attribute in _NAMED_ISH:  # "gingery", "coppery" (round 12)
        return low[:-1] in words
    if low.endswith("er"):  # "darker", "paler", "redder"
        stems = (low[:-2], low[:-1]) + ((low[:-3],) if low[-3] == low[-4] else ())
        return any(s in words for s in stems)
    return False


@lru_cache(maxsize=100_000)  # the same words come back in caption after caption (speed)
def colour(low: str, attribute: str) -> bool:
    """Whether the word names a colour of the attribute's feature (eyes, hair, skin)."""
    if "-" not in low or low in lx.FEATURE_ADJECTIVES[attribute]:  # "salt-and-pepper"
        return _single(low, attribute)
    parts = low.split("-")
    if parts[-1] in TINT and len(parts) > 1:  # "honey-colored", "copper-toned"
        parts = parts[:-1]
    elif parts[0] == "sun" and attribute == "race":  # "sun-tanned", "sun-bronzed"
        parts = parts[1:]
    if parts == ["sun"] or low in _SUN_LIGHTENED:  # "sun-streaked", "sun-bleached" (round 11)
        return attribute == "hair_color"
    if attribute not in _NAMED:
        return all(p in lx.FEATURE_ADJECTIVES[attribute] for p in parts)
    # eyes and hair: a compound ending in a colour ("sea-green", "coal-black", "bluish-gray")
    return _single(parts[-1], attribute) and all(p.isalpha() for p in parts[:-1])


def shade(low: str, attribute: str) -> bool:
    """A word that is part of a colour when another colour follows ("warm brown")."""
    names = _SKIN_NAMES if attribute == "race" else NAMES
    return attribute in _NAMED and (low in SHADES or low in names) or colour(low, attribute)
