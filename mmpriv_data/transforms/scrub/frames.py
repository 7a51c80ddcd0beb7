"""Judgements said of a person by a verb of saying or judging (round 12): "I'd describe the
baby as plump", "Would you call the aunt in this picture petite?", "Would you describe the
girl as chubby or just stocky?". The adjectives after the person go as a predicate's do.

>>> from mmpriv_data.transforms.scrub import scrub
>>> scrub("Would you call the uncle in the photo lanky?").text
'Would you call the relative in the photo?'
"""

from __future__ import annotations

from mmpriv_data.transforms.scrub import grammar as g
from mmpriv_data.transforms.scrub import lexicon as lx
from mmpriv_data.transforms.scrub.predicates import DEGREE
from mmpriv_data.transforms.scrub.senses import HEDGES, POSTMODIFIER

# Verbs that judge their object: "describe X as", "call X", "consider X".
DESCRIBE = frozenset({"describe", "described", "describes", "describing"})
CALL = frozenset({"call", "calls", "called", "consider", "considers", "considered"})
VERBS = DESCRIBE | CALL
STARTS = VERBS | {"built"}  # the words that send a text here (engine.mark)
_OBJECTS = frozenset({"me", "him", "her", "them", "myself", "himself", "herself", "yourself"})
_SOFT = HEDGES | {"just", "rather", "quite", "more", "as"}


def judged(view) -> None:
    """Each "describe/call + person + adjectives" of the text (view: the scrubber)."""
    lows = view.low
    for v in range(view.n - 2):
        if lows[v] not in VERBS:
            continue
        m = person_object(view, v + 1)
        if m is None:
            continue
        k = m + 1
        if lows[v] in DESCRIBE:
            while k < min(view.n, m + 8) and lows[k] != "as" and lows[k] not in g.SENTENCE_END:
                k += 1
            if view.lw(k) != "as":
                continue
            k += 1
        else:  # "call the aunt in this picture petite": past a phrase that places them
            while k < min(view.n, m + 8) and view.word(k) and not view.bios[k]:
                if lows[k] not in POSTMODIFIER and k == m + 1:
                    break
                k += 1
        while k < view.n and (lows[k] in DEGREE or lows[k] in g.INTENSIFIERS):
            k += 1
        items = view.predicate_items(k, None)
        # "chubby or just stocky": a softener before the second adjective
        while items and view.lw(e := items[-1][1]) in ("or", "and") and view.lw(e + 1) in _SOFT:
            more = view.predicate_items(e + 2, None)
            if not more or not more[0][2]:
                break
            items += [(e, e + 1, None), (e + 1, e + 2, None), *more]  # "just" is kept
        if any(it[2] in view.on for it in items):
            view.drop_items(items)
            for k in range(items[0][0], items[-1][1]):  # "muscular or just fit": "just" stays
                if lows[k] in _SOFT and lows[k] not in HEDGES:
                    view.dele.pop(k, None)


def simile(view) -> None:
    """ "built like a tank", "built like a linebacker": a build said by a simile; its "and"
    goes too when the words before it went ("He's six foot four and built like ...")."""
    lows = view.low
    for b in range(view.n - 3):
        if lows[b] != "built" or lows[b + 1] != "like" or "build" not in view.on:
            continue
        end = b + 2 + (lows[b + 2] in ("a", "an", "the"))
        if not view.word(end) or lows[end] in g.FUNCTION_WORDS:
            continue
        a = view.sentence_start(b)
        if not any(view.heads[k] or k in view.repl for k in range(a, b)):
            continue  # "the shed is built like a fortress": no person
        start = b
        if lows[b - 1] == "and":  # "gruff and built like an ox", "my stepdad, and built ..."
            start = b - 1 - (lows[b - 2] == ",")
        view.delete(start, end + 1, "build")


def shown_on(view, c: int) -> None:
    """ "Are those hazel or green eyes on the actor?", "Is that auburn or chestnut on the
    singer?": colours of eyes or hair pointed at on a person; the colours go."""
    lows, j = view.low, c + 1
    p = j + 1
    while p < min(view.n, j + 8) and lows[p] not in ("on", "of") and view.word(p):
        p += 1
    if view.lw(p) not in ("on", "of") or person_object(view, p + 1) is None:
        return
    heads = [k for k in range(j + 1, p) if lows[k] in lx.FEATURE_HEADS]
    attribute = lx.FEATURE_HEADS[lows[heads[0]]] if heads else "hair_color"
    if attribute not in ("hair_color", "eye_color") or attribute not in view.on:
        return
    end = heads[0] if heads else p
    items = [(k, k + 1, attribute if view.colour(lows[k], attribute) else None)
             for k in range(j + 1, end)]  # fmt: skip
    if not heads and any(it[2] is None and lows[it[0]] not in g.SEPARATORS for it in items):
        return  # "Is that a red hat on the man?": a thing's colour
    if any(it[2] for it in items):
        view.drop_items(items)


def person_object(view, j: int) -> int | None:
    """The last word of a person object from j ("the baby", "the aunt", "her", "me")."""
    if view.lw(j) in _OBJECTS:
        return j
    if view.lw(j) in g.DETERMINERS or view.lw(j) in g.POSSESSIVES:
        m = j + 1
        while m < min(view.n, j + 4) and not view.person_head(m):
            m += 1
        if view.person_head(m) and not view.base(m)[1]:
            return m
    return None
