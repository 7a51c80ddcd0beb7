"""A copula before a person phrase that goes on (round 17, heldout18's and heldout19's
wrongly changed words): "The soloist beside him is a statuesque Ghanaian woman in a gold
gown." lost the whole sentence, soloist and gown included. The predicate rule now leaves such
a phrase to the rules of noun phrases ("is a person in a gold gown"), and `settle` deletes
the sentence after all where they left nothing but "a person" ("Our guide was a jolly
Bavarian man with a huge belly.") or left a biometric word: a listed one, a colour of hair or
eyes, an age in words or a word coordinated with a deleted one ("is a person, tall and bony",
"a person, maybe twenty-five", "with a jet-black beehive", "tiny and compact").

>>> from mmpriv_data.transforms.scrub import scrub
>>> scrub("The soloist beside him is a statuesque Ghanaian woman in a gold gown.").text
'The soloist beside them is a person in a gold gown.'
>>> scrub("The gardener is a gentleman of eighty-seven, tall and bony.").text == scrub("x").text
False
"""

from __future__ import annotations

from mmpriv_data.transforms.scrub import grammar as g
from mmpriv_data.transforms.scrub import lexicon as lx
from mmpriv_data.transforms.scrub.ages import NUMBER_WORDS, hyphen_number
from mmpriv_data.transforms.scrub.clause_keeping import has_instead, in_longer_sentence, rest_kept
from mmpriv_data.transforms.scrub.products import GOODS

# Colours of hair or eyes that, left in the sentence, may still be the person's.
_LEFT_COLOURS = lx.FEATURE_ADJECTIVES["hair_color"] | lx.FEATURE_ADJECTIVES["eye_color"]
_COLOUR_ATTRIBUTES = frozenset({"hair_color", "eye_color"})
_ARTICLES = frozenset({"a", "an"})
# ... but not before a thing worn or carried ("in a silver gown", "with a red cap").
_WORN = GOODS | frozenset(
    "gown gowns suit suits robe robes scarf sari cap caps hat helmet uniform jersey hoodie "
    "sweater jumper tie bag sash apron turban hijab headscarf veil blazer vest cardigan belt "
    "beret bonnet shawl kimono leotard tracksuit overalls".split()
)


def settle(view) -> None:
    """Delete the sentence of each recorded copula (view.phrase_clauses) whose person phrase
    the phrase rules left with a biometric word in it."""
    on, lows, dele, repl, bios = view.on, view.low, view.dele, view.repl, view.bios
    colours = _LEFT_COLOURS if not on.isdisjoint(_COLOUR_ATTRIBUTES) else ()
    numbers = NUMBER_WORDS if "age" in on else ()  # "a person, maybe twenty-five"
    kept = []  # clauses kept in a longer sentence, checked again at the end (round 18)
    for c, attribute, *with_at in view.phrase_clauses:
        if with_at:  # "the tutor is heavy-set with a goatee", "the shopper has hair;"
            if with_at[0] < 0 or has_instead(view, c, with_at[0], attribute):
                kept.append((c, attribute))
            continue
        end = view.sentence_end(c + 1)
        if all(
            k in dele or k in repl or lows[k] in _ARTICLES or not view.is_word[k]
            for k in range(c + 1, end)
        ):  # "Our guide was a person.": nothing said but that; the sentence goes as before,
            if in_longer_sentence(view, c):  # but "the rider is a person; they wave"
                kept.append((c, attribute))  # keeps its words (round 18)
            else:
                view.delete_sentence(c, attribute)
            continue
        k = view.sentence_start(c)
        while k < view.n and lows[k] not in g.SENTENCE_END:
            if (k not in dele and k not in repl) and (
                bios[k] in on or lows[k] in colours and view.lw(k + 1) not in _WORN
                or numbers and (lows[k] in numbers or hyphen_number(lows[k]))
                or k - 1 in dele and lows[k - 1] in ("and", "or")  # "tiny and compact"
            ):  # fmt: skip
                view.delete_sentence(c, attribute)
                break
            k += 1
    for c, attribute in kept:
        if not rest_kept(view, c):
            view.delete_sentence(c, attribute)
