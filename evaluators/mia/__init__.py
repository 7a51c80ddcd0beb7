"""Membership-inference attacks, one small module per family.

Every attack maps `MiaInputs` to one score per entry, higher meaning "member", and declares
what it needs beyond the target model's token log-probs (neighbours, a reference model, the
scorer's vocabulary statistics, the text embedder). `mmpriv_data.cli.eval_mia` runs them;
`mmpriv_data.core.metrics` turns scores into AUC / TPR.

>>> from evaluators.mia import ATTACKS
>>> sorted(ATTACKS)
['fimmia', 'loss', 'min_k', 'min_k_pp', 'neighborhood', 'ref', 'zlib']
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

import numpy as np

from evaluators.scoring import TokenScores

DEFAULT_ATTACKS = ("loss", "zlib", "min_k", "min_k_pp", "neighborhood")


@dataclass
class MiaInputs:
    """What the attacks read. One entry per (sample, model): in the sample-level setting one per
    sample; in the model-level setting each sample twice, under the base and the finetuned model."""

    labels: np.ndarray  # 1 = member (or: scored by the finetuned model)
    groups: list[str]  # sample id of each entry: learned attacks split by it
    texts: list[str]  # the target (assistant) text
    target: list[TokenScores]
    neighbors: list[list[TokenScores]] | None = None
    neighbor_texts: list[list[str]] | None = None
    reference: list[TokenScores] | None = None
    seed: int = 0
    options: dict = field(default_factory=dict)  # e.g. {"k": 0.2, "embedder": PATH}

    @property
    def losses(self) -> np.ndarray:
        return np.array([s.loss for s in self.target])


def needs_vocab_stats(names) -> bool:
    """Whether any of the named attacks reads the scorer's vocabulary statistics.

    >>> needs_vocab_stats(["loss", "min_k"]), needs_vocab_stats(["loss", "min_k_pp"])
    (False, True)
    """
    return any("vocab_stats" in ATTACKS[name].needs for name in names)


@dataclass(frozen=True)
class Attack:
    name: str
    module: str
    needs: tuple[str, ...] = ()  # "neighbors", "reference", "vocab_stats" (scorer's mink_pp)
    summary: str = ""

    def scores(self, inputs: MiaInputs) -> np.ndarray:
        return np.asarray(importlib.import_module(self.module).scores(inputs), dtype=float)


ATTACKS: dict[str, Attack] = {
    a.name: a
    for a in [
        Attack("loss", "evaluators.mia.loss", (), "-(mean target-token loss) (Yeom et al.)"),
        Attack(
            "zlib", "evaluators.mia.zlib", (), "-(loss / zlib-compressed length) (Carlini et al.)"
        ),
        Attack(
            "min_k",
            "evaluators.mia.min_k",
            (),
            "mean of the lowest k% token log-probs (Shi et al.)",
        ),
        Attack(
            "min_k_pp",
            "evaluators.mia.min_k_pp",
            ("vocab_stats",),
            "min-k% of (log p - mu)/sigma (Zhang et al.)",
        ),
        Attack(
            "neighborhood",
            "evaluators.mia.neighborhood",
            ("neighbors",),
            "mean neighbour loss - loss (Mattern et al.)",
        ),
        Attack("ref", "evaluators.mia.ref", ("reference",), "reference-model loss - loss"),
        Attack(
            "fimmia",
            "evaluators.mia.fimmia",
            ("neighbors",),
            "learned: MLP on neighbour loss and embedding differences (FiMMIA)",
        ),
    ]
}
