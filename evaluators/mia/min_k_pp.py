"""Min-k%++ (Zhang et al. 2024): min-k% over (log p - mu) / sigma, where mu and sigma are the
mean and standard deviation of log p under the model's own next-token distribution. Those
statistics cost extra, so the scorer computes them only when asked (`vocab_stats=True`)."""

from __future__ import annotations

import numpy as np

from evaluators.mia.min_k import DEFAULT_K, lowest_fraction_mean
from mmpriv_data.core.errors import MmprivError


def scores(inputs) -> np.ndarray:
    if any(s.mink_pp is None for s in inputs.target):
        raise MmprivError(
            "min_k_pp: the token scores have no vocabulary statistics; "
            "score with LossScorer.score(..., vocab_stats=True)"
        )
    k = inputs.options.get("k", DEFAULT_K)
    return np.array([lowest_fraction_mean(s.mink_pp, k) for s in inputs.target])
