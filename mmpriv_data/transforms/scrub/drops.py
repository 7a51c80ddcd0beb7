"""Deleting what the rules found: listed items with the separators between them
("friendly, tall and happy" -> "friendly and happy"), or the sentence that states a
biometric. Split from predicates.py in round 15 (size); `PredicateRules` builds on it.

>>> from mmpriv_data.transforms.scrub import scrub
>>> scrub("The man is friendly, tall and happy.").text
'The person is friendly and happy.'
"""

from __future__ import annotations

from mmpriv_data.transforms.scrub import grammar as g
from mmpriv_data.transforms.scrub.clause_tails import coordinated_tail

UNWANTED = g.SEPARATORS | g.PREDICATE_INTENSIFIERS  # words that are no item of their own


class DropRules:
    """Deletions of items and sentences; marks tokens of the view deleted."""

    answer_kept = False  # set where a sentence starting "Yes," or "No," keeps that word

    def drop_items(self, items: list[tuple[int, int, str | None]]) -> bool:
        """Delete the items (token ranges) whose attribute is enabled; keep the separators
        between kept items ("friendly, tall and happy" -> "friendly and happy").
        Returns whether anything was kept."""
        lows, on = self.low, self.on
        if len(items) == 1:  # one adjective ("a tall man"): three in four calls (speed)
            a, b, attribute = items[0]
            if attribute in on and lows[a] not in UNWANTED:
                self.delete(a, b, attribute)
                return False
        words = [it for it in items if lows[it[0]] not in UNWANTED]
        dropped = [it for it in words if it[2] in on]
        if not dropped:
            return True
        attribute = dropped[0][2]
        kept = [it[0] for it in words if it[2] not in on]
        if (
            items[-1][2] is None
            and lows[items[-1][0]] in g.INTENSIFIERS
            and self.word(items[-1][1])
        ):
            kept.append(items[-1][0])  # "plump, bald and very happy": "very happy" stays
        for a, b, attr in dropped:
            self.delete(a, b, attr)
            k = a - 1  # intensifiers bound to the dropped word: "very tall"
            while k >= items[0][0] and self.low[k] in g.PREDICATE_INTENSIFIERS:
                self.delete(k, k + 1, attr)
                k -= 1
        seps = [it[0] for it in items if self.low[it[0]] in g.SEPARATORS]
        for s in seps:
            before = [k for k in kept if k < s]
            after = [k for k in kept if k > s]
            if before and after:
                between = [t for t in seps if before[-1] < t < after[0]]
                if s == between[-1]:
                    continue
            self.delete(s, s + 1, attribute)
        return bool(kept)

    def delete_sentence(self, i: int, attribute: str) -> None:
        a, b = self.sentence_start(i), self.sentence_end(i)
        if self.lw(a) in ("yes", "no") and self.lw(a + 1) == "," and self.lw(b) == ";":
            a += 2  # "Yes, the boy is Black; he is ..." -> "Yes, they are ..." (heldout8)
            self.answer_kept = a == 2
        tail = coordinated_tail(self, i, a, b)  # ", and the caption says ..." stays (round 19)
        if tail is not None:
            self.delete(a, tail + 1, attribute)
            return
        self.delete(a, min(b + 1, self.n), attribute)
