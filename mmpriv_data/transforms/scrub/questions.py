"""The choices offered after a question about a person's age, height or colouring (round 14,
heldout15's misses): "How old were they, sixty or sixty-five?", "how tall is he, are they
six eleven or seven feet?", "What is her hair colour, dirty blond or light brown?". The
question stays; the choices after its last comma go.

>>> from mmpriv_data.transforms.scrub import scrub
>>> scrub("How old is the baby, two days or two weeks?").text
'How old is the person?'
"""

from __future__ import annotations

from mmpriv_data.transforms.scrub import grammar as g
from mmpriv_data.transforms.scrub.ages import NUMBER_WORDS, hyphen_number

# The word after "how" and the attribute its answer states.
_ASKED = {"old": "age", "tall": "build", "heavy": "build", "big": "build"}
_COLOURS = ("colour", "color")
# Words of a choice besides numbers and colours: units, hedges, shades.
_CHOICE_WORDS = frozenset(
    "or just maybe closer to about around over under really feet foot inches years old "
    "days weeks months light dark dirty pale deep".split()
)
_COLOUR_ATTRIBUTES = ("hair_color", "eye_color", "race")
_EYES = frozenset({"eye", "eyes", "eye colour", "eye color"})
_SKIN = frozenset({"skin", "complexion", "skin tone", "skin colour", "skin color"})
_JOINS = frozenset({",", "and"})  # not "or": "or is his hair just pale?" keeps "just"
_PEOPLE = frozenset({"they", "he", "she", "her", "his", "their", "them", "him", "you", "i"})


def alternatives(view) -> None:
    """Delete ", X or Y" before the "?" of a how-old, how-tall or what-colour question."""
    text, lows = view.text, view.low
    if "?" not in text or "olo" not in text and ("ow " not in text or "how" not in lows):
        return  # the common case: no such question ("brown", "shows": no "how"; speed)
    for k, low in enumerate(lows):
        if low == "how" and view.lw(k + 1) in _ASKED:
            attribute = _ASKED[view.low[k + 1]]
        elif low.endswith(_COLOURS) and "what" in lows[max(0, k - 6) : k]:  # "hair colour"
            attribute = None  # the attribute of the feature it asks about: _colour_asked
        else:
            continue
        q = k + 1
        while q < view.n and lows[q] != "?" and lows[q] not in g.SENTENCE_END:
            q += 1
        if view.lw(q) != "?":
            continue
        c = q - 1
        while c > k + 1 and lows[c] != ",":
            c -= 1
        if lows[c] != "," or "or" not in lows[c + 1 : q]:
            continue
        a = max(0, k - 6)  # "her hair colour": the owner may come before the cue
        if not any(view.heads[a:c]) and _PEOPLE.isdisjoint(lows[a:c]):
            continue  # "how tall is the tree, ten or twenty feet?"
        a = c + 1
        if lows[a] in g.COPULAS and view.lw(a + 1) in ("they", "he", "she", "it"):
            a += 2  # "..., are they six eleven or seven feet?"
        if all(_choice_word(view, m, attribute) for m in range(a, q)):
            attribute = attribute or _colour_asked(view, max(0, k - 6), c)
            if attribute in view.on:
                view.delete(c, q, attribute)


def _colour_asked(view, a: int, c: int) -> str:
    """The attribute of the colours offered after a what-colour question a..c: the feature it
    names says, not the colour words ("brown" is a skin tone too): "what colour were the
    queen's eyes, blue or grey?" asks eye colour, "what colour is her skin, olive or
    brown?" race, and "the teen's moustache, blond or light brown?" hair colour."""
    asked = view.low[a:c]
    if not _EYES.isdisjoint(asked):
        return "eye_color"
    return "race" if not _SKIN.isdisjoint(asked) else "hair_color"


def asked(view, c: int) -> bool:
    """The verb at c starts a question: "Is she tall?", or after a comma or "and" ("In your
    set, is the roller Cuban?", "..., and are they eighty or sixty?"; round 14)."""
    if view.tok[c][0].isupper() and view.sent_start(c):
        return True
    if view.lw(c - 1) not in _JOINS or "?" not in view.text:
        return False
    after = view.lw(c + 1)
    if not (after in _PEOPLE or after in ("the", "this", "that")):
        return False
    return view.lw(view.sentence_end(c + 2)) == "?"


def _choice_word(view, m: int, attribute: str | None) -> bool:
    low = view.low[m]
    if low in _CHOICE_WORDS:
        return True
    if attribute is None:
        return view.bios[m] in _COLOUR_ATTRIBUTES or any(
            view.colour(low, a) for a in ("hair_color", "eye_color")
        )
    return low in NUMBER_WORDS or low.isdigit() or hyphen_number(low)
