"""Traits said with no verb right after what they describe (round 13, heldout14's misses):
a person noun followed by its build, age or race ("the man tall and thin, the woman petite",
"a bouncer thirtyish,") and a feature followed by its colour, as records and old forms write
them ("hair black, eyes brown", "complexion fair;").

>>> from mmpriv_data.transforms.scrub import scrub
>>> scrub("The couple: the man tall and thin, the woman petite.").text
'The couple: the person, the person.'
>>> scrub("The manifest lists a sailor, hair black, eyes brown.").text
'The manifest lists a sailor, hair, eyes.'
"""

from __future__ import annotations

from mmpriv_data.transforms.scrub import grammar as g
from mmpriv_data.transforms.scrub import lexicon as lx
from mmpriv_data.transforms.scrub.tokens import _compound_bio

# What may follow the traits of a person noun: the end of the phrase ("the woman petite,",
# "a man thirtyish in a red shirt", "the boy tall with braids").
_HEAD_ENDS = frozenset({",", ";", ":", ".", "!", "?", "", "with", "in", "at", "and"})
_JOINS = frozenset({"and", ","})
_SHAPES = frozenset({"build", "age"})
_COMPOUND_COLOURS = frozenset({"hair_color", "eye_color"})
# What may follow a demonym that stands for a person ("a burly Sicilian, who").
_AFTER_PERSON = frozenset({",", ";", ".", "!", "?", ")", "", "in", "with", "from", "who"})
_TINTS = frozenset({"white", "black", "brown", "red", "pink", "pale", "grey", "gray", "green"})
# A feature and the attribute of the colour that follows it in a record.
_VALUED = {"hair": "hair_color", "eyes": "eye_color", "complexion": "race", "skin": "race"}
# Ranks of age that stand for a person after "the" ("the youngest, maybe five, holds").
_AGE_RANKS = frozenset(word for word, attr in lx.SUPERLATIVES.items() if attr == "age")
# What may follow a feature's colour in a record: the next item or the end.
_VALUE_ENDS = frozenset({",", ";", ".", "", ")", '"', "/"})


def after_head(view, h: int) -> None:
    """Build, age or race words right after the person noun at h and before the end of the
    phrase: "the woman petite," "the parent sixty-ish and bald;" (the words go)."""
    lows = view.low
    k, last = h + 1, None
    while k < min(view.n, h + 8) and _trait(view, k):
        last = k
        k += 1
        if lows[k] in _JOINS and k + 1 < view.n and _trait(view, k + 1):
            k += 1  # "tall and thin", "tall, thin"
    if last is None or view.lw(last + 1) not in _HEAD_ENDS:
        return
    if view.lw(last + 1) == "and":
        if not view.word(last + 2) or view.lw(last + 3) not in _HEAD_ENDS - {"and"}:
            return  # "the girl tall and happy waves": a clause of its own
        last += 1  # "the parent sixty-ish and bald," -> "the parent bald,"
    if view.lw(last + 1) == "with" and any(lows[k] in _TINTS for k in range(h + 1, last + 1)):
        return  # "a man white with rage", "the boy black with soot"
    if lx.FEATURE_HEADS.get(view.lw(last + 1)):
        return  # "the man brown hair": a feature's colour, the feature rules' part
    view.delete(h + 1, last + 1, view.bios[h + 1])


def _trait(view, k: int) -> bool:
    """A listed build or age word, or a capitalised race word ("the people Austrian"), at k;
    not a tagger's guess ("the suspect said") nor a colour ("the newborn grey?")."""
    attribute = view.bios[k]
    if attribute not in view.on or view.heads[k] or not listed(view.low[k]):
        return False
    # hyphenated hair and eye compounds too: "the dad grey-haired and heavy," (round 18)
    return (
        attribute in _SHAPES
        or attribute == "race" and view.tok[k][:1].isupper()
        or attribute in _COMPOUND_COLOURS and "-" in view.low[k]
    )  # fmt: skip


def listed(low: str) -> bool:
    """A word the lists or the spelling rules give an attribute (not a tagger's guess)."""
    return low in lx.PERSON_ADJECTIVES or bool(_compound_bio(low)) or lx.age_compound(low)


def value_after(view, h: int) -> None:
    """A feature's colour right after it, closed by the next item or the end: "hair black,",
    "eyes grey.", "complexion fair;" (the colour goes, the feature stays as a form's label)."""
    attribute = _VALUED.get(view.low[h])
    if attribute is None or attribute not in view.on or h + 1 >= view.n:
        return
    k = h + 1
    while k < min(view.n, h + 4) and view.colour(view.low[k], attribute):
        k += 1
    if k > h + 1 and view.lw(k) in _VALUE_ENDS:  # "dyed her hair black." too
        view.delete(h + 1, k, attribute)


def demonym_phrase(view, i: int) -> int | None:
    """A demonym that ends an apposition or a list after "a"/"an" stands for a person: "the
    coach is wiry, an Australian," (round 12); with build or age words before it: "her father,
    a burly Sicilian", "a seven-foot giant and a pot-bellied Russian" (round 14). The demonym
    becomes "person", its traits go; returns the index after it, or None."""
    if "race" not in view.on:
        return None  # the demonym stays, and so do its traits: the rules for those read them
    j = i
    while j + 1 < view.n and view.bios[j] in _SHAPES and listed(view.low[j]):
        j += 1
    if j == i:  # no traits: the round-12 rule, after a comma only
        if view.low[i - 2] != "," or view.bios[i] != "race" or not view.demonym_noun(i):
            return None
    elif not (
        view.bios[j] == "race" and view.tok[j][:1].isupper() and view.lw(i - 1) in ("a", "an")
        and (not view.word(j + 1) or view.lw(j + 1) in _AFTER_PERSON)
        and any(view.heads[max(0, i - 5) : i - 1])  # "her father, a burly Sicilian"
    ):  # fmt: skip
        return None  # "a tall Danish chair", "his dog, a small Maltese"
    if all(view.bios[k] in view.on for k in range(i, j)):
        view.delete(i, j, view.bios[i])  # one change for the traits, as before
    else:  # "a petite Filipina" with build off: the traits not asked for stay
        for k in range(i, j):
            if view.bios[k] in view.on:
                view.delete(k, k + 1, view.bios[k])
    view.replace(j, "person", "race")
    return j + 1


def rank_as_person(view, i: int, attribute: str | None) -> bool:
    """ "The younger is skinny", "the youngest, maybe five, holds their hand": an age rank
    after "the" that stands for one of the people named before becomes "one" (round 15).
    Returns whether it did."""
    nxt = view.lw(i + 1)
    if view.low[i] not in _AGE_RANKS or attribute not in view.on:
        return False
    if not (nxt == "," or nxt in g.COPULAS or g.is_coordinated_verb(nxt)):
        return False  # "the older one", "the eldest son": the rules for those
    if not any(view.heads[max(0, i - 30) : i]):
        return False  # "the oldest, built in 1650," (a church)
    view.replace(i, g.match_case(view.tok[i], "one"), attribute)
    return True
