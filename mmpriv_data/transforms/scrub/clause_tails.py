"""A clause joined by ", and" after a clause that states a biometric keeps its words (round 19,
heldout21's wrongly changed words). A clause after a semicolon or colon that stated a
biometric was deleted to the end of its sentence, and a second clause with a subject of its
own went with it: "; she is slim, with long platinum extensions, and the caption reminds
visitors that skirts must reach the knee." lost what the caption says. Now the deletion stops
at that "and" when the clause after it says nothing a rule would have to remove: no
biometric word (gender words excepted: the rules neutralise them in place), no head of hair,
eyes or skin and no figure ("and his form lists age 71" still goes whole). A whole sentence
that starts with such a clause goes whole as before (Safe-LLaVA drops those).

>>> from mmpriv_data.transforms.scrub import scrub
>>> scrub("The dog barks; she is slim, with long red hair, and the sign says no dogs.").text
'The dog barks; the sign says no dogs.'
>>> scrub("She is tall, with red hair, and the sign says no dogs.").text  # a whole sentence
"I'm sorry, but I cannot provide information related to biometric attributes."
"""

from __future__ import annotations

from mmpriv_data.transforms.scrub import grammar as g
from mmpriv_data.transforms.scrub import lexicon as lx

# Words that start a clause of its own after ", and": a subject ("the caption", "his form",
# "they"), not a noun phrase that goes on a list ("and a teenage son": no article "a").
_SUBJECT_STARTS = g.POSSESSIVES | {"the", "this", "that", "these", "those", "there", "it"}
_SUBJECT_STARTS |= g.PERSON_PRONOUNS - {"him", "them", "who", "her", "you", "i"}
_SAYS_NOTHING_BIOMETRIC = frozenset({None, "gender"})


def coordinated_tail(view, i: int, a: int, end: int) -> int | None:
    """The "and" of ", and SUBJECT ..." between i and the end of its clause (end) after which
    nothing is biometric, or None. Only the words before it go with the clause of i."""
    lows = view.low  # a: the start of i's clause, end: its end
    if a == 0 or lows[a - 1] not in (";", ":") or not _kept_before(view, a - 1):
        return None  # a whole sentence of biometrics goes whole, as before
    m = i + 1
    while m + 2 < end:
        if lows[m] == "," and lows[m + 1] == "and" and lows[m + 2] in _SUBJECT_STARTS:
            break
        m += 1
    else:
        return None
    for k in range(m + 2, end):
        if (
            view.bios[k] not in _SAYS_NOTHING_BIOMETRIC
            or lows[k] in lx.FEATURE_HEADS
            or not lows[k].isalpha()
            and any(ch.isdigit() for ch in lows[k])
        ):
            return None
    return m + 1


def both_after_pronouns(view, p: int) -> bool:
    """ "Both" at p after "he" or "she" in the 40 words before it stands for two people ("He
    is muscular ..., and she is tiny .... Both are Filipino"; round 19)."""
    return view.low[p] == "both" and not lx.SUBJECT_PRONOUNS.isdisjoint(
        view.low[max(0, p - 40) : p]
    )


def _kept_before(view, m: int) -> bool:
    """A word the rules keep in the sentence before m (the semicolon or colon of the clause):
    else the sentence goes whole, as before ("According to the caption, she is Cherokee; she
    is sturdy, ..., and she is beading": nothing of it would be left but the last clause)."""
    while m > 0 and view.low[m - 1] not in g.FULL_STOPS:
        m -= 1
        if view.is_word[m] and m not in view.dele:
            return True
    return False
