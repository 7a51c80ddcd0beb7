"""A learned second opinion for the rules: a token tagger (multinomial logistic regression)
that names the attribute of a word the word lists do not know ("a *gawky* teenager", "her
*tawny* hair", "They are *sinewy*"), from the word's shape and its neighbours. Its guesses
become prenominal-adjective hints (`TokenView.bios`), so the same structural rules that
handle listed words (before a person noun, after is/looks, before hair or eyes) decide what
is removed and keep the output grammatical.

The weights are built by `bench/scrub_tagger.py` from the labelled corpus parts it names
(data/tagger_weights.tsv, deterministic); nothing is downloaded or trained at run time.

>>> from mmpriv_data.transforms.scrub.tokens import TokenView
>>> view = TokenView("A gawky teenager waves.", frozenset({"build"}))
>>> "s3=wky" in features(view, 1)
True
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path

from mmpriv_data.transforms.scrub import grammar as g
from mmpriv_data.transforms.scrub import lexicon as lx
from mmpriv_data.transforms.scrub.colours import NAMES, SHADES, colour
from mmpriv_data.transforms.scrub.tokens import flagged

LABELS = ("O", "gender", "age", "race", "eye_color", "hair_color", "build")
WEIGHTS = Path(__file__).with_name("data") / "tagger_weights.tsv"
# A guess is taken above this probability (chosen by leave-one-part-out, see the bench).
THRESHOLD = 0.7
# ... and where the word itself favours the attribute by more than this (see `_internal`).
EVIDENCE = 0.3
_COPULAS = g.COPULAS | {"be", "became", "becomes", "stays", "remains", "looking"}
# Words never guessed: closed classes, and words the rules read for other purposes.
_NEVER = g.FUNCTION_WORDS | g.POSSESSIVES | g.DETERMINERS | g.COPULAS | g.SEPARATORS
_NEVER |= frozenset(lx.PRONOUNS) | {"her", "his", "they", "their", "them", "one", "person"}


_SUBJECTS = g.PERSON_PRONOUNS | {"they", "one", "both"}
_COLOURED = ("eye_color", "hair_color", "race")
_STYLED = frozenset({"eye_color", "hair_color"})
_PARTICIPLES = ("ed", "ing", "-set", "-back", "-up")


def _shape(token: str) -> str:
    if token[:1].isupper():
        return "Cap"
    if any(c.isdigit() for c in token):
        return "dig"
    return "low"


def word_features(low: str) -> list[str]:
    """Features of the word itself: its spelling and what the colour lists say of it."""
    last = low.rpartition("-")[2]
    found = ["w=" + low, "s2=" + last[-2:], "s3=" + last[-3:], "s4=" + last[-4:], "p3=" + low[:3]]
    if "-" in low:
        found += ["hy", "hx=" + last, "h0=" + low.partition("-")[0]]
    # What the colour vocabularies say of the word (a colour of things is not a biometric by
    # itself: the context features decide).
    for attribute in ("eye_color", "hair_color", "race"):
        if colour(low, attribute):
            found.append("col=" + attribute)
    if low in NAMES or last in NAMES:
        found.append("colname")
    if low in SHADES:
        found.append("shade")
    return found


def _person_predicate(view, i: int) -> bool:
    """Token i follows a copula (within two words) whose subject is a person."""
    lows = view.low
    c = i - 1 if lows[i - 1] in _COPULAS else i - 2 if i > 1 and lows[i - 2] in _COPULAS else -1
    return c > 0 and any(view.heads[k] or lows[k] in _SUBJECTS for k in range(max(0, c - 6), c))


def features(view, i: int) -> list[str]:
    """The features of token i of a `TokenView` (strings; weights are looked up by name)."""
    lows, n = view.low, view.n
    prev = lows[i - 1] if i > 0 else "<s>"
    prev2 = lows[i - 2] if i > 1 else "<s>"
    nxt = lows[i + 1] if i + 1 < n else "</s>"
    nxt2 = lows[i + 2] if i + 2 < n else "</s>"
    found = [
        "b", *word_features(lows[i]), "sh=" + _shape(view.tok[i]), "pw=" + prev, "nw=" + nxt,
        "pw2=" + prev2, "nw2=" + nxt2, "pn=" + prev + "|" + nxt,
    ]  # fmt: skip
    if i > 0 and view.sent_start(i) is False and view.tok[i][:1].isupper():
        found.append("capmid")
    if _person_predicate(view, i):  # "the climber [in red] is sinewy"
        found.append("personcop")
    for k, tag in ((i + 1, "n"), (i + 2, "n2"), (i - 1, "p"), (i - 2, "p2")):
        if 0 <= k < n:
            head = lx.FEATURE_HEADS.get(lows[k])
            if head:
                found.append(f"{tag}f={head}")
            if view.heads[k]:
                found.append(f"{tag}person")
            if view.bios[k]:
                found.append(f"{tag}lex={view.bios[k]}")
            if lows[k] in _COPULAS:
                found.append(f"{tag}cop")
    return found


class WeightTable(Mapping):
    """Feature -> one weight per label, each row parsed from its text when first read: a
    process reads a few hundred of the file's 2,200 rows, and parsing them all was a fifth of
    the cost of its first hundred long turns (round 15, speed). A read-only mapping over
    every row of the file; `get` and `in` are the hot calls, so they skip the exceptions
    that Mapping's defaults would raise for absent features."""

    def __init__(self, raw: dict[str, str]):
        self.raw = raw
        self.parsed: dict[str, tuple[float, ...]] = {}

    def get(self, name: str, default=None):
        row = self.parsed.get(name)
        if row is None:
            text = self.raw.get(name)
            if text is None:
                return default
            row = self.parsed[name] = tuple(map(float, text.split("\t")))
        return row

    def __getitem__(self, name: str) -> tuple[float, ...]:
        row = self.get(name)
        if row is None:
            raise KeyError(name)
        return row

    def __contains__(self, name: object) -> bool:
        return name in self.raw

    def __len__(self) -> int:
        return len(self.raw)

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)


@lru_cache(maxsize=1)
def weights() -> WeightTable:
    """Feature -> one weight per label (the file written by bench/scrub_tagger.py)."""
    if not WEIGHTS.exists():
        return WeightTable({})
    rows = WEIGHTS.read_text(encoding="utf-8").split("\n")
    return WeightTable(dict(row.split("\t", 1) for row in rows if row and row[0] != "#"))


def probabilities(feats: list[str], table: dict[str, tuple[float, ...]]) -> list[float]:
    rows = [row for row in map(table.get, feats) if row is not None]
    scores = list(map(sum, zip(*rows, strict=True))) if rows else [0.0] * len(LABELS)  # (C)
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


def _internal(feats: list[str], table: dict, c: int) -> float:
    """How much the word itself, without its context, favours label c over no label: a guess
    needs the word's own evidence too (a suffix, the word, a colour list), so that an adjective
    unknown to the weights is not taken for a biometric by its position alone."""
    total = 0.0
    for name in feats:
        row = table.get(name)
        if row is not None:
            total += row[c] - row[0]
    return total


def _evidence(low: str, table: dict) -> bool:
    """Whether the word itself favours some attribute (see `_internal`): most words do not,
    and are not looked at further (speed)."""
    if low in _NEVER or not low.replace("-", "").isalpha() or low in lx.FEATURE_HEADS:
        return False  # the word checks of `candidate`, memoised with this (speed)
    if low in lx.NOUN_USE or any(colour(low, attribute) for attribute in _COLOURED):
        return False  # listed colours: the feature rules read them already (speed)
    feats = word_features(low)
    return any(_internal(feats, table, c) > EVIDENCE for c in range(2, len(LABELS)))


def candidate(view, i: int, listed: bool = False) -> bool:
    """Words the tagger may guess for: unlisted (or, to train on, also `listed`) alphabetic
    words that are not closed-class."""
    low = view.low[i]
    return (
        view.is_word[i] and (listed or view.bios[i] is None) and not view.heads[i]
        and low not in _NEVER
        and low.replace("-", "").isalpha() and low not in lx.FEATURE_HEADS
        and low not in lx.NOUN_USE
        and not low.endswith(_TIMES)
    )  # fmt: skip


# Compounds that date a thing or a person ("a Renaissance-era nobleman"): never a trait.
_TIMES = ("-era", "-period", "-century")  # (round 13)


def guess(view, i: int, table: dict | None = None, threshold: float = THRESHOLD) -> str | None:
    """The attribute the tagger gives token i, or None."""
    weights_now = weights() if table is None else table
    probs = probabilities(features(view, i), weights_now)
    return decide(probs, view.low[i], weights_now, threshold)


def decide(probs: list[float], low: str, table: dict, threshold: float = THRESHOLD) -> str | None:
    """The label of the probabilities, if it passes the threshold and the word's own evidence
    and is no shape or style word before eyes or hair; else None."""
    best = max(range(len(LABELS)), key=probs.__getitem__)
    if not best or probs[best] < threshold:
        return None
    attribute = LABELS[best]
    if _internal(word_features(low), table, best) <= EVIDENCE:
        return None  # the context alone ("a ___ young woman"): "happy" is no build
    if (
        attribute in _STYLED and low.endswith(_PARTICIPLES) and not low.startswith("sun-")
        and not colour(low, attribute)
    ):  # fmt: skip
        return None  # "almond-shaped eyes", "slicked-back hair": a shape or a style
    return attribute


# A table to use instead of the weights file (leave-one-part-out runs of the bench); None:
# the file.
OVERRIDE: dict[str, tuple[float, ...]] | None = None


def table() -> dict[str, tuple[float, ...]]:
    return weights() if OVERRIDE is None else OVERRIDE


# Words near which the tagger's guesses are asked (besides person nouns).
_ANCHORS = (
    frozenset(lx.FEATURE_HEADS) | g.COPULAS | frozenset(lx.PRONOUNS)
    | {"her", "his", "they", "one", "ones", "them", "their"}
)  # fmt: skip


# The weights table last used, and per word whether it has evidence of its own (memoised,
# see `flagged`); the table is held so that its id is not reused by another.
_EVIDENCE: list = [None, {}, {}]
_UNSEEN = object()


def hints(view) -> set[int]:
    """Unlisted words near a person noun, a feature (hair, eyes, build), a copula or a
    pronoun that the tagger gives an attribute (not gender: a noun to replace, not a word to
    drop). They become prenominal-adjective hints (`bios`) of the view, as listed words are;
    returns their indices."""
    weights_now = table()
    if not weights_now:
        return set()
    if _EVIDENCE[0] is not weights_now:
        _EVIDENCE[:] = [weights_now, {}, {}]
    cache, guesses = _EVIDENCE[1], _EVIDENCE[2]
    lows, heads, n = view.low, view.heads, view.n
    found = set()
    for i in flagged(lows, lambda w: _evidence(w, weights_now), cache):
        if view.bios[i] or heads[i] or not view.is_word[i]:
            continue
        lo, hi = max(0, i - 3), min(n, i + 4)  # a person noun or an anchor within 3 words
        if not any(heads[lo:hi]) and _ANCHORS.isdisjoint(lows[lo:hi]):  # (C calls: speed)
            continue
        a, b = max(0, i - 2), i + 3
        key = (
            i - a,
            tuple(lows[a:b]),
            tuple(heads[a:b]),
            tuple(view.bios[a:b]),
            view.tok[i][:1].isupper() and (view.sent_start(i) and 1 or 2),
            _person_predicate(view, i),
        )  # fmt: skip  (what the features read: the same key gives the same guess)
        attribute = guesses.get(key, _UNSEEN)
        if attribute is _UNSEEN:
            if len(guesses) > 100_000:  # a bound on memory over millions of turns
                guesses.clear()
            attribute = guesses[key] = guess(view, i, weights_now)
        if attribute and attribute != "gender" and attribute in view.on:
            view.bios[i] = attribute
            found.add(i)
    return found
