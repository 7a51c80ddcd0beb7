"""Word forms the lexicon derives by spelling rules: comparatives and superlatives of build
adjectives ("stockier", "leanest"), ages written as one token ("30-year-old", "thirty-ish")
and decades ("mid-40s", "thirties"). Split from lexicon.py (round 12); lexicon re-exports
them.

>>> age_compound("30-year-old"), age_compound("fortyish"), bool(DECADE.match("mid-40s"))
(True, True, True)
"""

from __future__ import annotations

import re

# Sizes that grade things as often as people ("a smaller room", "a pipe fitter", "a hedge
# trimmer"): their comparatives are not made below.
_THING_GRADES = frozenset(
    "small tiny big large huge enormous massive gigantic trim fit slight short tall squat "
    "rounded towering broad round full heavy thin fat slim buff".split()
)


def graded(word: str) -> tuple[str, str]:
    """Comparative and superlative of a one-word adjective by the regular spelling rules
    ("stocky" -> "stockier", "lean" -> "leanest", "slim" -> "slimmer").

    >>> graded("stocky"), graded("lean"), graded("slim")
    (('stockier', 'stockiest'), ('leaner', 'leanest'), ('slimmer', 'slimmest'))
    """
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return word[:-1] + "ier", word[:-1] + "iest"
    if word.endswith("e"):
        return word + "r", word + "st"
    if (
        len(word) > 2 and word[-1] not in "aeiouwxy" and word[-2] in "aeiou"
        and word[-3] not in "aeiou"
    ):  # fmt: skip
        return word + word[-1] + "er", word + word[-1] + "est"
    return word + "er", word + "est"


def gradable(word: str) -> bool:
    """Adjectives graded with -er/-est: one syllable ("lean", "stout") or two ending in -y
    ("stocky"); not the comparatives listed already nor the sizes of things."""
    if not word.isalpha() or word in _THING_GRADES or word.endswith(("er", "ed", "ing")):
        return False
    stem = word[:-1] if word.endswith(("y", "e")) else word
    syllables = len(re.findall("[aeiou]+", stem))
    return syllables == 1 or syllables == 2 and word.endswith("y")


_NUMBER = (
    r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety)(?:-(?:one|two|three|four|five|six|seven|eight|nine))?"
)
NUMBER_WORD_SET = frozenset(w for w in _NUMBER.split(")")[0].split("|") if w.isalpha())
AGE_TOKEN = re.compile(
    rf"^{_NUMBER}(?:-|\s)?(?:year|month|week)s?-old$|^(?:twenty|thirty|forty|fifty|sixty|"
    r"seventy|eighty|ninety|\d0)-?something$"
)


def age_compound(low: str) -> bool:
    """ "30-year-old" or its plural "30-year-olds" (an age token, one word)."""
    if low.endswith("ish"):  # "thirty-ish", "fortyish", "30ish" (heldout7)
        stem = low[:-4] if low.endswith("-ish") else low[:-3]
        return stem.isdigit() or stem in NUMBER_WORD_SET or bool(DECADE.match(stem))
    return bool(AGE_TOKEN.match(low[:-1] if low.endswith("-olds") else low))


DECADE = re.compile(
    r"^(?:(?:early|mid|late)-?)?(?:\d0'?s|teens|twenties|thirties|forties|fifties|sixties|"
    r"seventies|eighties|nineties)$"
)


# OCR's digits for letters inside a word ("b1ond", "fema1e", "sma11"), and in a text that has
# one, letters for digits inside a number ("7O", "8O"). The check of the text starts with
# its digit, so that the regex engine scans for "0" and "1" alone (a pattern starting with
# a letter class cost 8% of the instructions of a long turn; round 20).
OCR_HINT = re.compile(r"[01](?:(?=[a-zA-Z])|(?<=[a-zA-Z][01]))")
_ONE_AS_L = str.maketrans("10", "lo")
_ONE_AS_I = str.maketrans("10", "io")


def ocr_spellings(lows: list[str], known) -> None:
    """Read OCR spellings in the lowered tokens as the words they stand for, in place, where
    the word read is one of `known` ("b1ond" -> "blond", "wh1te" -> "white", "7o" -> "70");
    other tokens ("1st", "5ft", "a1") stay as written.

    >>> lows = ["wh1te", "ha1r", "b1ond", "7o", "1st", "5ft", "wheelcha1r"]
    >>> ocr_spellings(lows, {"white", "hair", "blond"}); lows
    ['white', 'hair', 'blond', '70', '1st', '5ft', 'wheelcha1r']
    """
    for k, low in enumerate(lows):
        if not low.isalnum() or low.isalpha() or low.isdigit():
            continue
        if low[0].isdigit():
            if low.endswith("o") and low.replace("o", "0").isdigit():
                lows[k] = low.replace("o", "0")  # "7O", "8O": an age or a size
        elif (word := low.translate(_ONE_AS_L)) in known or (
            word := low.translate(_ONE_AS_I)
        ) in known:
            lows[k] = word
