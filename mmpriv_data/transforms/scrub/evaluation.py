"""Scoring a scrubber on a labelled corpus, span by span (in the manner of Presidio's
evaluator): recall of biometric terms per attribute, precision, and how many unrelated words
are kept. The corpus format is described in `bench/data/scrub_corpus/README.md`:

    kind<TAB>text with [span|attribute] (must change), {span} (must stay), <span> (may change)

>>> item = parse_line("answer\\tThe [old|age] man walks his {black} dog.")
>>> item.text, [(item.text[a:b], label) for a, b, label in item.spans]
('The old man walks his black dog.', [('old', 'age'), ('black', 'keep')])

Gendered pronouns (he, she, her ...) are labelled `gender` here rather than by hand: a closed
class. The lexicon of the scrubber is never used to label anything.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

LABELS = ("gender", "age", "race", "eye_color", "hair_color", "build")
_MARK = re.compile(r"\[([^\]|]+)\|([a-z_]+)\]|\{([^}]+)\}|<([^>]+)>")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")
# Pronouns that name a gender: a closed class, labelled here instead of in every line.
_GENDERED_PRONOUNS = frozenset("he she him her his hers himself herself".split())
_ARTICLES = frozenset({"a", "an"})
# Verb forms that must change when "he"/"she" becomes "they": not unrelated changes.
_AGREEMENT = {
    "is": "are", "was": "were", "has": "have", "does": "do", "isn't": "aren't",
    "wasn't": "weren't", "hasn't": "haven't", "doesn't": "don't", "'s": "'re",
}  # fmt: skip
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")
# Function words deleted together with a biometric term ("looks [overweight] and is sitting"
# -> "is sitting", "a man [with] blue eyes"): glue of the removed phrase, not unrelated words.
_GLUE = frozenset(
    "and or with of is are was were be been being looks look appears appear seems seem to has "
    "have had who a an the very quite slightly fairly rather somewhat extremely in their his her "
    "about around".split()
)


@dataclass
class Item:
    """One corpus line: its plain text and labelled spans (start, end, label)."""

    kind: str
    text: str
    spans: list[tuple[int, int, str]]
    where: str = ""


def parse_line(line: str, where: str = "") -> Item:
    kind, _, marked = line.rstrip("\n").partition("\t")
    if not marked:
        raise ValueError(f"{where}: expected 'kind<TAB>text'")
    pieces, spans, cursor, length = [], [], 0, 0
    for match in _MARK.finditer(marked):
        before = marked[cursor : match.start()]
        pieces.append(before)
        length += len(before)
        words, attribute, keep, maybe = match.groups()
        inner = words or keep or maybe
        label = attribute if words else "keep" if keep else "maybe"
        if label not in LABELS and label not in ("keep", "maybe"):
            raise ValueError(f"{where}: unknown attribute {label!r}")
        spans.append((length, length + len(inner), label))
        pieces.append(inner)
        length += len(inner)
        cursor = match.end()
    pieces.append(marked[cursor:])
    text = "".join(pieces)
    if any(c in text for c in "[]{}<>|"):
        raise ValueError(f"{where}: unbalanced mark in {marked!r}")
    return Item(kind, text, spans, where)


def load_corpus(path: Path) -> list[Item]:
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            items.append(parse_line(line, f"{path.name}:{number}"))
    return items


@dataclass
class Token:
    start: int
    end: int
    label: str  # an attribute, "keep", "maybe" or "other"
    span: int | None  # index of the labelled span holding it


def tokens(item: Item) -> list[Token]:
    found = []
    for match in _WORD.finditer(item.text):
        a, b = match.span()
        # "[woman|gender]'s" labels the word "woman's": a span inside a word labels the word
        span = next((k for k, (s, e, _) in enumerate(item.spans) if s < b and a < e), None)
        if span is not None:
            label = item.spans[span][2]
        elif match.group().lower() in _GENDERED_PRONOUNS:
            label = "gender"
        else:
            label = "other"
        found.append(Token(a, b, label, span))
    return found


def _agreement(original: str, replacement: str) -> bool:
    """A change a correct rewrite makes to a word it does not remove: a/an, he walks ->
    they walk, and a capital moved to the new first word of a sentence."""
    low, new = original.lower(), replacement.lower()
    if low == new or (low in _ARTICLES and new in _ARTICLES):
        return True
    if _AGREEMENT.get(low) == new:
        return True
    return bool(new) and low in (new + "s", new + "es", new[:-1] + "ies")


@dataclass
class Report:
    """Counts over a corpus; `summary()` turns them into rates."""

    spans: Counter = field(default_factory=Counter)
    removed: Counter = field(default_factory=Counter)
    true_pos: Counter = field(default_factory=Counter)
    false_pos: Counter = field(default_factory=Counter)
    unrelated: int = 0
    unrelated_changed: int = 0
    dropped_with_biometric_sentence: int = 0
    keep_spans: int = 0
    keep_spans_changed: int = 0
    misses: dict = field(default_factory=lambda: defaultdict(list))
    wrongly_changed: list = field(default_factory=list)
    grammar: list = field(default_factory=list)

    def summary(self) -> dict:
        per = {}
        for label in LABELS:
            tp, fp = self.true_pos[label], self.false_pos[label]
            per[label] = {
                "terms": self.spans[label], "removed": self.removed[label],
                "recall": _rate(self.removed[label], self.spans[label]),
                "changed_tokens": tp, "wrong_tokens": fp, "precision": _rate(tp, tp + fp),
            }  # fmt: skip
        kept = self.unrelated - self.unrelated_changed
        return {
            "per_attribute": per,
            "recall_all": _rate(sum(self.removed.values()), sum(self.spans.values())),
            "unrelated_words": self.unrelated,
            "unrelated_kept": _rate(kept, self.unrelated),
            "hard_negative_spans": self.keep_spans,
            "hard_negatives_kept": _rate(
                self.keep_spans - self.keep_spans_changed, self.keep_spans
            ),
            "dropped_with_biometric_sentence": self.dropped_with_biometric_sentence,
            "grammar_problems": len(self.grammar),
        }


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def evaluate(items: Iterable[Item], results: Iterable[tuple[str, list[dict]]]) -> Report:
    """Score scrubbed `results` ((output text, changes) per item, in order)."""
    report = Report()
    for item, (output, changes) in zip(items, results, strict=True):
        _score(item, output, changes, report)
    return report


def _score(item: Item, output: str, changes: list[dict], report: Report) -> None:
    toks = tokens(item)
    hit: list[list[dict]] = [
        [c for c in changes if c["start"] < t.end and t.start < c["end"]] for t in toks
    ]
    refused = len(changes) == 1 and changes[0]["start"] == 0 and changes[0]["end"] == len(item.text)
    biometric = {k for k, t in enumerate(toks) if t.label in LABELS}
    dropped = _dropped_sentences(item.text, toks, hit, refused) if biometric else set()
    # a labelled span is removed when every word of it changed
    by_span: dict[tuple, list[int]] = defaultdict(list)
    for k, t in enumerate(toks):
        if t.label in LABELS:
            by_span[(t.span, k) if t.span is None else (t.span,)].append(k)
    for members in by_span.values():
        label = toks[members[0]].label
        report.spans[label] += 1
        if refused or all(_removes(item.text, toks[k], hit[k]) for k in members):
            report.removed[label] += 1
        else:
            first, last = toks[members[0]], toks[members[-1]]
            report.misses[label].append((item.where, item.text[first.start : last.end],
                                         item.text, output))  # fmt: skip
    labelled = [(toks[k].start, toks[k].end) for k in biometric]
    for k, t in enumerate(toks):
        word = item.text[t.start : t.end].lower()
        wrong = [
            c for c in hit[k]
            if not _agreement(c["original"].strip(), c["replacement"])
            and not (word in _GLUE and not c["replacement"]
                     and any(c["start"] < e and s < c["end"] for s, e in labelled))
        ]  # fmt: skip
        if t.label in LABELS:
            if hit[k]:
                report.true_pos[t.label] += 1
        elif t.label in ("other", "keep"):
            if k in dropped:
                report.dropped_with_biometric_sentence += 1
                continue
            report.unrelated += 1
            if wrong:
                report.unrelated_changed += 1
                report.false_pos[wrong[0]["attribute"]] += 1
                report.wrongly_changed.append(
                    (item.where, item.text[t.start : t.end], wrong[0]["attribute"], output)
                )
    for s, e, label in item.spans:
        if label == "keep":
            report.keep_spans += 1
            if any(c["start"] < e and s < c["end"] for c in changes):
                report.keep_spans_changed += 1
    report.grammar += [(item.where, problem, output) for problem in grammar_problems(output)]


def _removes(text: str, token: Token, changes: list[dict]) -> bool:
    """The word is deleted or replaced by a different word."""
    word = text[token.start : token.end].lower()
    return bool(changes) and all(word not in c["replacement"].lower().split() for c in changes)


def _dropped_sentences(text: str, toks: list[Token], hit: list, refused: bool) -> set[int]:
    """Tokens of sentences deleted whole because they stated a biometric ("Her eyes are
    blue."): Safe-LLaVA drops those; they are counted apart, not as wrongly changed words."""
    dropped = set()
    for match in _SENTENCE.finditer(text):
        members = [k for k, t in enumerate(toks) if match.start() <= t.start < match.end()]
        if not members or not any(toks[k].label in LABELS for k in members):
            continue
        if refused or all(hit[k] and all(c["replacement"] == "" for c in hit[k])
                          for k in members):  # fmt: skip
            dropped.update(members)
    return dropped


# --- grammar checks on the output --------------------------------------------------------
_THEY_SINGULAR = re.compile(
    r"\b(?:they|They)\s+(?:is|was|has|does|isn't|wasn't|hasn't|doesn't)\b"
    r"|\b(?:Is|is|Was|was|Has|has|Does|does)\s+they\b"
)
# "their" where an object was meant ("around their are"), or a dangling "their".
_THEIR_AS_OBJECT = re.compile(
    r"\b[Tt]heir\s+(?:is|are|was|were|and|or|to|in|on|at)\b|\btheir\s*[.,!?]"
)
_ARTICLE = re.compile(r"\b([Aa]n?)\s+([A-Za-z][\w-]*)")
_CONSONANT_SOUND = ("one", "uni", "use", "usu", "eu", "ur", "uk", "ute")  # "a ukulele"
_VOWEL_SOUND = ("hour", "honest", "honor")
_SPACING = re.compile(r"\s[,.!?;]|\s{2,}|,\s*[,.]|^\s|\s$|\(\s*\)")


def grammar_problems(text: str) -> list[str]:
    """Problems a reader would see: "they is", "a elderly", doubled spaces or commas."""
    found = [f"agreement: {m.group()!r}" for m in _THEY_SINGULAR.finditer(text)]
    found += [f"possessive for object: {m.group()!r}" for m in _THEIR_AS_OBJECT.finditer(text)]
    for m in _ARTICLE.finditer(text):
        article, word = m.group(1).lower(), m.group(2).lower()
        vowel = word[0] in "aeiou"
        if word.startswith(_CONSONANT_SOUND):
            vowel = False
        if word.startswith(_VOWEL_SOUND):
            vowel = True
        if (article == "an") != vowel and not word.isupper():
            found.append(f"article: {m.group()!r}")
    found += [f"spacing: {m.group()!r}" for m in _SPACING.finditer(text)]
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
        if sentence[:1].islower():
            found.append(f"lower-case sentence start: {sentence[:20]!r}")
    return found


def run(items: list[Item], scrub_one: Callable[[str], tuple[str, list[dict]]]) -> Report:
    return evaluate(items, (scrub_one(item.text) for item in items))
