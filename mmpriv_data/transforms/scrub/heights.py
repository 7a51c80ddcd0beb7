"""Heights said in words (round 14, heldout15's misses): "six two", "five-nine", "six foot
six", "six-foot-five", "five foot nothing", "8 feet 1 inch". The predicate rules read them as
build items ("is he six two?", "both six-three and lean"), and questions.alternatives reads
them in the choices of a question ("how tall is she, five-five or five-eight?").

>>> from mmpriv_data.transforms.scrub import scrub
>>> scrub("Is the man six feet or closer to five nine?").text
'Is the person?'
"""

from __future__ import annotations

import re

# Feet of an adult's height, and the inches after them.
_FEET = frozenset({"four", "five", "six", "seven", "eight"})
_INCHES = frozenset("one two three four five six seven eight nine ten eleven nothing half".split())
_UNITS = frozenset({"foot", "feet", "ft"})
_ROUGHLY = frozenset({"closer", "over", "under", "nearly", "almost"})
# What may follow a bare "six two" for it to be a height, not a count ("six two-seaters").
_AFTER_PAIR = frozenset(
    {"", ",", ".", "?", "!", ";", ")", "and", "or", "but", "like", "in", "tall", "with", "now"}
)


def height_end(view, k: int) -> int | None:
    """The end of a height in words starting at k, or None."""
    low = view.lw(k)
    if low in _ROUGHLY:  # "closer to five nine", "over six feet"
        k += 1 + (low == "closer" and view.lw(k + 1) == "to")
        low = view.lw(k)
    if "-" in low:
        parts = low.split("-")
        if parts[0] in _FEET and (
            len(parts) == 2 and parts[1] in _INCHES
            or len(parts) == 3 and parts[1] in _UNITS and parts[2] in _INCHES
        ):  # fmt: skip
            return k + 1  # "six-three", "six-foot-five"
        return None
    if not (low in _FEET or low.isdigit() and 4 <= int(low) <= 8):
        return None
    nxt = view.lw(k + 1)
    if nxt in _UNITS:
        end = k + 2
        inches = view.lw(end)
        if inches in _INCHES or inches.isdigit() and int(inches) < 12:
            end += 1  # "six foot six", "8 feet 1"
            end += view.lw(end) in ("inch", "inches", "in")
        return end
    if low in _FEET and nxt in _INCHES and nxt != "nothing" and view.lw(k + 2) in _AFTER_PAIR:
        return k + 2  # "six two", "five nine"
    return None


_GLUED_FEET = re.compile(r"^[3-7]ft$")
_INCH_MARKS = frozenset({"in", "inches", "inch", '"'})


def glued_feet(view, i: int) -> tuple[int, int, str, bool] | None:
    """ "5ft 9", "4ft 11" (round 19, heldout21): feet glued to their unit and the inches
    after them, a height in figures (start, end, "build", strong) as figures.figure reads
    one; "5ft" alone is strong only before "tall" ("a 6ft fence")."""
    if not _GLUED_FEET.match(view.low[i]):
        return None
    end, inches = i + 1, view.lw(i + 1)
    if inches.isdigit() and int(inches) < 12 or inches in _INCHES and inches != "nothing":
        end += 1 + (view.lw(i + 2) in _INCH_MARKS)
    tall = view.lw(end) == "tall"
    return i, end + tall, "build", end > i + 1 or tall


def comma_before_with(view, c: int, attribute: str) -> None:
    """After the copula at c, whose items before a comma and "with" all went: the comma goes
    too ("is 5ft 9, skinny, with a scar" -> "is with a scar", not "is, with"; round 19)."""
    m = c + 1
    while m < view.n and m in view.dele:
        m += 1
    if m > c + 1 and view.lw(m) == "," and view.lw(m + 1) == "with":
        view.delete(m, m + 1, attribute)
