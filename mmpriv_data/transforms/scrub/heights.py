"""Heights said in words (round 14, heldout15's misses): "six two", "five-nine", "six foot
six", "six-foot-five", "five foot nothing", "8 feet 1 inch". The predicate rules read them as
build items ("is he six two?", "both six-three and lean"), and questions.alternatives reads
them in the choices of a question ("how tall is she, five-five or five-eight?").

>>> from mmpriv_data.transforms.scrub import scrub
>>> scrub("Is the man six feet or closer to five nine?").text
'Is the person?'
"""

from __future__ import annotations

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
