"""`scrub(text, attributes=[...])` changes only the attributes asked for (issue 18).

Property: over every text of the corpus parts `tuning` and `heldout`..`heldout17`, for each
single attribute of `lexicon.ATTRIBUTES` and each pair of them, every change of
`scrub(text, attributes=enabled)` has an enabled attribute. The only changes that may carry
another attribute are the ones a correct rewrite makes to agree with an enabled attribute's
own change, next to it (see `_agreement`). The frozen parts heldout18 and heldout19 are
never read here.

With all attributes enabled the outputs must stay those of the rules before the leaks were
fixed (see `test_all_attributes_unchanged`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from functools import cache
from pathlib import Path

import pytest

from mmpriv_data.transforms.scrub import ATTRIBUTES, scrub
from mmpriv_data.transforms.scrub.evaluation import load_corpus

_CORPUS = Path(__file__).resolve().parents[1] / "bench" / "data" / "scrub_corpus"
# heldout18 and heldout19 are frozen for a blind score: not in this list, never opened.
_PARTS = ("tuning", "heldout", *(f"heldout{k}" for k in range(2, 18)))
_ARTICLES = frozenset({"a", "an"})
_ENABLED_SETS = [
    *((a,) for a in ATTRIBUTES),
    *itertools.combinations(ATTRIBUTES, 2),
]  # 6 singles and 15 pairs over 7,267 texts: about 15 s on one core


@cache
def _texts() -> tuple[str, ...]:
    return tuple(item.text for part in _PARTS for item in load_corpus(_CORPUS / f"{part}.txt"))


def _agreement(change: dict, own: list[dict]) -> bool:
    """A change made only to agree with an enabled attribute's change that touches it:
    "a" <-> "an" before a changed word, a letter's case ("the tall man. He" -> "They": the
    new first word of a sentence is capitalised), or a lone comma deleted around a deleted
    phrase. Anything else (a word removed or reworded) is a leak."""
    original, new = change["original"].strip(), change["replacement"].strip()
    kind = (
        original.lower() in _ARTICLES and new.lower() in _ARTICLES
        or original != new and original.lower() == new.lower()
        or original == "," and not new
    )  # fmt: skip
    return kind and any(
        c["start"] <= change["end"] + 1 and change["start"] <= c["end"] + 1 for c in own
    )


@pytest.mark.parametrize("enabled", _ENABLED_SETS, ids="+".join)
def test_only_enabled_attributes_change(enabled: tuple[str, ...]) -> None:
    leaks = []
    for text in _texts():
        changes = scrub(text, attributes=list(enabled)).changes
        own = [c for c in changes if c["attribute"] in enabled]
        leaks += [
            (c["attribute"], c["original"], text[:120])
            for c in changes
            if c["attribute"] not in enabled and not _agreement(c, own)
        ]
    assert not leaks, f"{len(leaks)} changes of attributes not enabled, e.g. {leaks[:5]}"


@pytest.mark.parametrize(
    ("text", "enabled", "expected"),
    [
        # chat.bare_race: a demonym after a share or a guess is race only (the case)
        ("She says the app calls her mostly Ashkenazi.", "hair_color", None),
        ("She says the app calls her mostly Ashkenazi.", "race", "She says the app calls her."),
        # questions.alternatives: the choices go only with the asked attribute enabled
        ("How old do you think the man is, forty or fifty?", "build", None),
        ("How old do you think the man is, forty or fifty?", "age",
         "How old do you think the man is?"),
        ("Assistant, what colour were the queen's eyes, blue or grey?", "hair_color", None),
        ("Assistant, what colour were the queen's eyes, blue or grey?", "eye_color",
         "Assistant, what colour were the queen's eyes?"),
        # features.apposition: only the asked words of ", lean and young," go
        ("The Tajik shepherd, lean and young, had startling blue eyes.", "age",
         "The Tajik shepherd, lean, had startling blue eyes."),
        ("The Tajik shepherd, lean and young, had startling blue eyes.", "build",
         "The Tajik shepherd, young, had startling blue eyes."),
        # traits.demonym_phrase: "a petite Filipina" keeps "petite" when build is off
        ("The bride, a petite Filipina with jet-black hair, laughs.", "race",
         "The bride, a petite person with jet-black hair, laughs."),
        ("The bride, a petite Filipina with jet-black hair, laughs.", "build",
         "The bride, a Filipina with jet-black hair, laughs."),
        # records.record_item: "white" is no eye colour, whatever else is off
        ("M, 60s, white, approx. 200 lb, gray hair.", "eye_color", None),
    ],
)  # fmt: skip
def test_fixed_rules(text: str, enabled: str, expected: str | None) -> None:
    result = scrub(text, attributes=[enabled])
    assert result.text == (text if expected is None else expected)
    assert {c["attribute"] for c in result.changes} <= {enabled}


# sha256 over the same parts in `_PARTS` order, with all attributes enabled, of:
# - texts: each `scrub(text).text` encoded as UTF-8, followed by b"\0";
# - spans: each change log as json.dumps([[start, end, replacement], ...]) (default
#   separators), followed by b"\0".
# Both computed once by a one-off script with the rules of the parent commit cf5a7bd (before
# the leaks were fixed) and equal after the fix: the output texts and the edits are byte for
# byte the same. Only three attributes of change logs moved (the choices of eye-colour
# questions, "what colour are his eyes, grey or pale blue?", were labelled race or
# hair_color; now eye_color), which the spans digest leaves out on purpose. A later rule
# change that changes outputs must recompute both: round 17 did (its rules change outputs on
# purpose; cf5a7bd's were 306e4839... and 48797f0b...), round 18 did (round 17's were
# 34786443... and 9d1eb4e5...), round 19 did (round 18's were cd170fd6... and f738df53...),
# and round 20 did (round 19's were 17b84b88... and 06331253...).
_TEXTS_SHA256 = "907251fcb61a0a6c42cd2c47019169b50e2bdeefd624fd59e8cbe6ce67512d81"
_SPANS_SHA256 = "9759801f61df5e0fccda0584fc2f79b69d10601ea80145699f12b8f8a272e137"


def test_all_attributes_unchanged() -> None:
    texts, spans = hashlib.sha256(), hashlib.sha256()
    for text in _texts():
        result = scrub(text)
        texts.update(result.text.encode() + b"\0")
        edits = [[c["start"], c["end"], c["replacement"]] for c in result.changes]
        spans.update(json.dumps(edits).encode() + b"\0")
    assert texts.hexdigest() == _TEXTS_SHA256
    assert spans.hexdigest() == _SPANS_SHA256
