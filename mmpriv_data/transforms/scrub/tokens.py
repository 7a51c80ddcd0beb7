"""Tokens of a text and their edit marks, and how marks become the output and the change
log. The rules that set the marks live in `engine.py`.

>>> view = TokenView("A man, a dog.", {"gender"})
>>> view.tok
['A', 'man', ',', 'a', 'dog', '.']
>>> view.replace(1, "person", "gender"); view.changes()[0]["replacement"]
'person'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache
from itertools import accumulate, compress, repeat
from operator import contains, is_, itemgetter

from mmpriv_data.transforms.scrub import grammar as g
from mmpriv_data.transforms.scrub import lexicon as lx
from mmpriv_data.transforms.scrub.census import empty_brackets, figure_opens
from mmpriv_data.transforms.scrub.colours import NAMES
from mmpriv_data.transforms.scrub.colours import colour as _colour
from mmpriv_data.transforms.scrub.wordforms import OCR_HINT, ocr_spellings

_MW_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _mwe in sorted(lx.MULTIWORD, key=len, reverse=True):
    _MW_FIRST.setdefault(_mwe[0], []).append(_mwe)
# Second words per first word: most "he", "his", "hair" ... start no expression (speed).
_MW_SECOND = {first: {mwe[1] for mwe in mwes} for first, mwes in _MW_FIRST.items()}
_FIRST_CHAR = itemgetter(0)
# Splitting on the token pattern gives [space, token, space, token, ..., space] in one C call.
_SPLIT = re.compile(f"({g.TOKEN.pattern})")
# Word-level lookups precomputed once, since the rules ask them for most tokens (speed):
# prenominal adjectives with their attribute, and every form whose base is a person noun.
_BIO_WORDS = {**dict.fromkeys(lx.BUILD_COMPOUNDS, "build"), **lx.PERSON_ADJECTIVES}
# Graded forms of the build adjectives ("one is stockier"; round 8), see lexicon.graded.
_BIO_WORDS.update((w, "build") for w in lx.GRADED_BUILD if w not in _BIO_WORDS)
_SHEPHERDS = frozenset({"shepherd", "shepherds"})
# Small words inside a title-cased name ("The Girl with a Pearl Earring", "Man of Steel").
_TITLE_LINKS = frozenset({"of", "the", "with", "a", "an", "in", "on", "and"})
# Words without a digit that may start a figure or a record (figures.py: "six foot",
# "thirties", "M, 60s"): found by the same one pass as the rare words (speed).
_DECADES = ("teens twenties thirties forties fifties sixties seventies eighties nineties").split()
FIGURE_WORDS = frozenset(
    ["foot", "feet", "ft", "m", "f", *_DECADES]
    + [f"{p}-{d}" for p in ("early", "mid", "late") for d in _DECADES]
    + [f"{n}something" for n in ("twenty", "thirty", "forty", "fifty", "sixty", "seventy")]
)
_RARE_WORDS = lx.CASED_RACE | lx.ROYALS | _SHEPHERDS | FIGURE_WORDS
_PERSON_HEAD_FORMS = lx.PERSON_HEADS | {
    head + "'s" for head in lx.PERSON_HEADS if head + "'s" not in lx.PRONOUNS
}
# Words an OCR spelling may stand for ("b1ond", "ha1r", "fema1e"; round 20).
_OCR_KNOWN = frozenset(_BIO_WORDS) | lx.PERSON_HEADS | frozenset(lx.FEATURE_HEADS) | NAMES


# Prefixes of kin nouns: "great-grandmother" is a grandmother for the rules.
_KIN_PREFIXES = ("great-", "step-")
# Person nouns written with a hyphen ("pre-schooler", "grand-daughter") -> the listed word.
_HYPHENATED_HEADS = {
    w[:p] + "-" + w[p:]: w for w in _PERSON_HEAD_FORMS if w.isalpha() for p in range(2, len(w) - 1)
}


def _merge_multiwords(start: list[int], end: list[int], lows: list[str]
                      ) -> tuple[list[int], list[int], list[str]] | None:  # fmt: skip
    """Join multi-word expressions ("middle eastern", "he or she") into one token; None when
    there is none."""
    merges = []  # (index, size); only positions whose word starts an expression are tried
    last = len(lows) - 1
    for i in compress(range(len(lows)), map(_MW_FIRST.__contains__, lows)):
        if i == last or lows[i + 1] not in _MW_SECOND[lows[i]]:
            continue
        if merges and i < merges[-1][0] + merges[-1][1]:
            continue
        for mwe in _MW_FIRST[lows[i]]:
            if tuple(lows[i : i + len(mwe)]) == mwe:
                merges.append((i, len(mwe)))
                break
    if not merges:
        return None
    merged_start, merged_end, merged_lows, cursor = [], [], [], 0
    for i, size in merges:
        merged_start += start[cursor : i + 1]
        merged_end += end[cursor:i]
        merged_end.append(end[i + size - 1])
        merged_lows += lows[cursor:i]
        merged_lows.append(" ".join(lows[i : i + size]))
        cursor = i + size
    return (merged_start + start[cursor:], merged_end + end[cursor:],
            merged_lows + lows[cursor:])  # fmt: skip


def flagged(words: list[str], test: Callable[[str], bool], cache: dict[str, bool]
            ) -> Iterator[int]:  # fmt: skip
    """Indices of the words that pass `test`, memoised per word in `cache`: a text's words
    are then looked up in C instead of tested one by one in Python (speed).

    >>> list(flagged(["a", "man", "a"], lambda w: len(w) > 1, {}))
    [1]
    """
    flags = list(map(cache.get, words))
    if None in flags:
        if len(cache) > 100_000:  # a bound on memory over millions of turns
            cache.clear()
        for k in compress(range(len(words)), map(is_, flags, repeat(None))):
            flags[k] = cache[words[k]] = test(words[k])
    return compress(range(len(words)), flags)


# Body shapes of the somatotype charts ("pear-shaped", "hourglass-shaped").
_BODY_SHAPES = frozenset({"pear", "apple", "hourglass", "v", "spoon", "barrel", "rectangle"})


# Memoised, with a bound on memory over millions of turns: the same compounds ("middle-aged",
# "blue-eyed") come back in caption after caption (speed).
@lru_cache(maxsize=100_000)
def _compound_bio(low: str) -> str | None:
    """The attribute of a hyphenated adjective: "30-year-old", "blue-eyed", or None."""
    if lx.age_compound(low):
        return "age"  # "30-year-old", "the ten-year-olds"
    prefix, _, suffix = low.rpartition("-")
    if suffix in ("aged", "age") and prefix:
        return "age"  # "preschool-aged", "college-aged", "college-age"
    attribute = lx.COMPOUND_SUFFIXES.get(suffix)
    if attribute and _colour(prefix, attribute):
        return attribute
    if lx.PERSON_ADJECTIVES.get(suffix) == "hair_color" and _colour(prefix, "hair_color"):
        return "hair_color"  # "honey-blond", "strawberry-blonde"
    if suffix in lx.BODY_PART_SUFFIXES and (
        prefix in lx.BODY_SIZE_PREFIXES or prefix in lx.FEATURE_ADJECTIVES["build"]
        or suffix == "bellied" and prefix.isalpha()  # "beer-bellied" (round 10)
    ):  # fmt: skip
        return "build"  # "broad-chested", "chubby-cheeked", "pot-bellied"
    if prefix == "sun" and lx.PERSON_ADJECTIVES.get(suffix) == "race":
        return "race"  # "sun-tanned", "sun-bronzed" (heldout6)
    if lx.PERSON_ADJECTIVES.get(suffix) == "build" and prefix.isalpha():
        return "build"  # "rail-thin", "stick-thin", "super-skinny" (heldout7)
    if suffix == "shaped" and prefix in _BODY_SHAPES:
        return "build"  # "pear-shaped" (heldout7)
    return None


_PART_OF = frozenset({"half", "part", "quarter", "mixed"})


def _race_compound(token: str, low: str) -> str | None:
    """ "Korean-born", "Mexican-American": a capitalised compound with a race word;
    "half-Japanese", "part-Samoan" (heldout7)."""
    parts = low.split("-")
    if token[:1].isupper() or parts[0] in _PART_OF:
        if any(part in lx.RACE_WORDS for part in parts):
            return "race"
    return None


def _fold(text: str) -> str:
    """Accents dropped ("Sámi" -> "Sami"), so that the word lists match (heldout7)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


class TokenView:
    """Tokens of a text (multi-word expressions merged) with their marks: replaced or
    deleted. The output is the text with the marks applied; `changes()` lists them."""

    def __init__(self, text: str, attributes: frozenset[str] | set[str]):
        self.text, self.on = text, attributes
        # C calls (split, accumulate, map) instead of per-token Python loops: tokenising was
        # a third of the time on long turns.
        ascii_text = text.isascii()
        # Accents dropped before tokenising ("Sámi" is one word, matched as "sami"), where that
        # keeps every character's offset; tokens are still cut from the text as written.
        source = text
        if not ascii_text:
            folded = _fold(text)
            source = folded if len(folded) == len(text) else text
        parts = _SPLIT.split(source)
        offsets = list(accumulate(map(len, parts)))  # token k spans offsets[2k]..[2k+1]
        start, end = offsets[0:-1:2], offsets[1::2]
        if ascii_text:  # lowering ASCII maps token to token
            tok = parts[1::2]
            lows = list(map(str.lower, tok))
        else:
            tok = [text[a:b] for a, b in zip(start, end, strict=True)]
            lowered = source.lower().replace("’", "'")
            if len(lowered) != len(text):  # a few characters change length when lowered
                lows = [
                    source[a:b].lower().replace("’", "'") for a, b in zip(start, end, strict=True)
                ]
            else:
                lows = [lowered[a:b] for a, b in zip(start, end, strict=True)]
        if ("1" in source or "0" in source) and OCR_HINT.search(source):  # "b1ond" (round 20)
            ocr_spellings(lows, _OCR_KNOWN)
        if not _MW_FIRST.keys().isdisjoint(lows):
            merged = _merge_multiwords(start, end, lows)
            if merged is not None:
                start, end, lows = merged
                tok = [text[a:b] for a, b in zip(start, end, strict=True)]
        self.tok = tok
        self.low = lows
        self.start = start
        self.end = end
        self.n = len(tok)
        self.is_word = list(map(str.isalnum, map(_FIRST_CHAR, tok)))
        # Per-token word lookups the rules ask again and again, made once (in C, by map).
        self.bios = list(map(_BIO_WORDS.get, lows))  # see bio()
        rare = not _RARE_WORDS.isdisjoint(lows)  # one pass for the checks below (speed)
        self.figure_words = rare and not FIGURE_WORDS.isdisjoint(lows)
        self.race_cue = rare and not lx.CASED_RACE.isdisjoint(lows)  # chat.py: "half Thai"
        if self.race_cue:  # demonyms only capitalised: "Polish"
            for k in compress(range(self.n), map(lx.CASED_RACE.__contains__, lows)):
                if not tok[k][:1].isupper():
                    self.bios[k] = None
        if "-" in text:
            for k in compress(range(self.n), map(contains, lows, repeat("-"))):
                if self.bios[k] is None:
                    self.bios[k] = _compound_bio(lows[k]) or _race_compound(tok[k], lows[k])
                    if self.bios[k] is None and lows[k] in _HYPHENATED_HEADS:
                        lows[k] = _HYPHENATED_HEADS[lows[k]]  # "pre-schooler", "grand-daughter"
                    elif self.bios[k] is None and lows[k].startswith(_KIN_PREFIXES):
                        last = lows[k].rpartition("-")[2]  # "great-grandmother" (round 8)
                        if last in _PERSON_HEAD_FORMS:
                            lows[k] = last
        if "ish" in text:  # "fortyish", "30ish" as one word (heldout14)
            for k in compress(range(self.n), map(str.endswith, lows, repeat("ish"))):
                if self.bios[k] is None and lx.age_compound(lows[k]):
                    self.bios[k] = "age"
        self.heads = list(map(_PERSON_HEAD_FORMS.__contains__, lows))  # see person_head()
        if rare and not lx.ROYALS.isdisjoint(lows) and not lx.GAME_WORDS.isdisjoint(lows):
            for k in compress(range(self.n), map(lx.ROYALS.__contains__, lows)):
                self.heads[k] = False  # chess pieces or playing cards, see game_piece()
        if rare and not _SHEPHERDS.isdisjoint(lows):  # "a German shepherd" is a dog
            for k in compress(range(1, self.n), map(_SHEPHERDS.__contains__, lows[1:])):
                self.heads[k] = lows[k - 1] not in lx.SHEPHERD_BREEDS
        self.repl: dict[int, tuple[str, str]] = {}
        self.dele: dict[int, str] = {}

    # --- token helpers ----------------------------------------------------------------------
    def lw(self, i: int) -> str:
        return self.low[i] if 0 <= i < self.n else ""

    def base(self, i: int) -> tuple[str, str]:
        """(word, possessive suffix): "woman's" -> ("woman", "'s")."""
        low = self.low[i] if 0 <= i < self.n else ""
        if low.endswith("'s") and low not in lx.PRONOUNS:
            return low[:-2], self.tok[i][-2:]
        return low, ""

    def word(self, i: int) -> bool:
        return 0 <= i < self.n and self.is_word[i]

    def sent_start(self, i: int) -> bool:
        return (
            i == 0
            or self.low[i - 1] in g.SENTENCE_END
            or self.low[i - 1] in (":", '"')
            or ("\n" in self.text[self.end[i - 1] : self.start[i]])
        )

    def replace(self, i: int, new: str, attribute: str) -> None:
        if i not in self.dele and new != self.tok[i]:
            self.repl[i] = (new, attribute)

    def delete(self, i: int, j: int, attribute: str) -> None:
        dele, repl = self.dele, self.repl
        for k in range(i, j):
            dele.setdefault(k, attribute)
            repl.pop(k, None)

    def prev_kept(self, i: int) -> int:
        i -= 1
        while i >= 0 and i in self.dele:
            i -= 1
        return i

    def bio(self, i: int) -> str | None:
        """The attribute a prenominal adjective at i describes, or None."""
        return self.bios[i] if 0 <= i < self.n else None

    @staticmethod
    def colour(low: str, attribute: str) -> bool:
        return _colour(low, attribute)

    def person_head(self, i: int) -> bool:
        return 0 <= i < self.n and self.heads[i] and self.is_word[i] and not self.proper(i)

    def game_piece(self, i: int) -> bool:
        """A king or queen of chess or cards (the text speaks of a game)."""
        return self.low[i] in lx.ROYALS and not self.heads[i]

    def proper(self, i: int) -> bool:
        """A capitalised word inside a name ("Iron Man", "Burger King") is not a person noun."""
        if not self.tok[i][:1].isupper():
            return False
        if self.sent_start(i) and self.lw(i + 1) != "of":  # "Queen Victoria's statue"
            nxt = self.tok[i + 1] if i + 1 < self.n else ""
            low = self.low[i][:-1] if self.low[i].endswith("s") else self.low[i]
            return low in lx.NOBLE_TITLES and nxt[:1].isupper() and nxt != "I"  # "Queens Blvd"
        before = i - 1 >= 0 and self.word(i - 1) and self.tok[i - 1][:1].isupper()
        before = before and not self.sent_start(i - 1) and self.low[i - 1] != "i"
        # "the Isle of Man": a capitalised word before "of"
        before = (
            before
            or self.lw(i - 1) == "of"
            and self.word(i - 2)
            and (self.tok[i - 2][:1].isupper() and not self.sent_start(i - 2))
        )
        k = i + 2 if self.lw(i + 1) == "'" else i + 1  # "the Ladies' Mile"
        after = self.word(k) and self.tok[k][:1].isupper() and self.low[k] != "i"
        k = i + 1  # "the Maid of the Mist", "The Girl with a Pearl Earring"
        while k < min(self.n, i + 4) and self.low[k] in _TITLE_LINKS:
            k += 1
        named = k > i + 1 and self.word(k) and self.tok[k][:1].isupper() and self.low[k] != "i"
        return before or after or named

    # --- output ------------------------------------------------------------------------------
    def out(self, i: int) -> str:
        return self.repl[i][0] if i in self.repl else self.tok[i]

    def fix_commas(self) -> None:
        """Commas left around deleted words: ", with a slim build," goes with its commas."""
        for i in compress(range(self.n), map(",".__eq__, self.low)):
            if i in self.dele:
                continue
            prev = self.prev_kept(i)
            prev = prev if prev >= 0 else None
            nxt = i + 1
            while nxt < self.n and nxt in self.dele:
                nxt += 1
            nxt = nxt if nxt < self.n else None
            gap_after = (nxt if nxt is not None else self.n) > i + 1
            gap_before = (prev if prev is not None else -1) < i - 1
            attribute = self.dele.get(i + 1) or self.dele.get(i - 1)
            if gap_after and (nxt is None or self.low[nxt] in g.SENTENCE_END):
                self.delete(i, i + 1, attribute)
            elif gap_after and self.low[nxt] == ",":
                self.delete(i, i + 1, attribute)
                self.delete(nxt, nxt + 1, attribute)
            elif gap_before and (prev is None or self.low[prev] in g.SENTENCE_END):
                self.delete(i, i + 1, attribute)
        if "(" in self.text:
            empty_brackets(self)  # "Tom (M, 52)" -> "Tom" (round 20)

    def fix_articles_and_case(self) -> None:
        if self.dele:
            self.fix_commas()
        marked = sorted({*self.repl, *self.dele})  # one set, not three (speed)
        kept_before = set()  # built in the same order as before, so it iterates the same
        dele = self.dele
        for m in marked:
            m -= 1
            if m in dele:
                continue  # inside a run of deletions: its first mark added the same word
            kept_before.add(m)
        for i in kept_before:
            if i < 0 or self.low[i] not in ("a", "an"):
                continue
            m = i + 1
            while m < self.n and m in self.dele:
                m += 1
            touched = m < self.n and (m in self.repl or m > i + 1)
            if self.low[i] in ("a", "an") and touched and self.word(m):
                attribute = self.repl[m][1] if m in self.repl else self.dele[m - 1]
                self.replace(i, g.match_case(self.tok[i], g.article_for(self.out(m))), attribute)
        for i in sorted(self.dele):
            first = self.tok[i][:1]  # "6ft 3, lean, with ..." -> "With ..." (round 20)
            if first.isupper() and self.sent_start(i) or first.isdigit() and figure_opens(self, i):
                m = i
                while m < self.n and m in self.dele:
                    m += 1
                # "She is Ethiopian; her dress ...": the next sentence's first word too
                if m < self.n and self.word(m) and (not self.sent_start(m) or m - 1 in self.dele):
                    new = self.out(m)  # a replaced pronoun keeps its attribute: gender
                    attribute = self.repl[m][1] if m in self.repl else self.dele[i]
                    self.replace(m, new[:1].upper() + new[1:], attribute)

    def changes(self) -> list[dict]:
        return [
            {"attribute": attr, "original": self.text[a:b], "replacement": new, "start": a,
             "end": b}
            for a, b, new, attr in self.edits()
        ]  # fmt: skip

    def edits(self) -> list[tuple[int, int, str, str]]:
        """The marks as (start, end, replacement, attribute) spans of the text, in order."""
        if not self.repl and not self.dele:
            return []
        self.fix_articles_and_case()
        found = [(self.start[i], self.end[i], new, attr) for i, (new, attr) in self.repl.items()]
        marks, r = sorted(self.dele), 0
        while r < len(marks):  # each run of deleted tokens i..j-1
            i = j = marks[r]
            while j < self.n and j in self.dele:
                j += 1
            r += j - i
            if i > 0 and (not self.is_word[i] or j >= self.n or not self.is_word[j]):
                a, b = self.end[i - 1], self.end[j - 1]  # eat the space before
            else:
                a, b = self.start[i], self.start[j] if j < self.n else self.end[j - 1]
            cut = a
            for k in range(i, j):  # one change per attribute run inside the block
                if k + 1 == j or self.dele[k + 1] != self.dele[k]:
                    end = b if k + 1 == j else self.start[k + 1]
                    found.append((cut, end, "", self.dele[k]))
                    cut = end
        found.sort()
        return found
