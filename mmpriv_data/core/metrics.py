"""Membership-inference metrics: ROC AUC with a bootstrap interval, TPR at low FPR.

Scores are "higher means member". Point values come from scikit-learn (`roc_auc_score`,
`roc_curve`); the bootstrap uses a rank-based AUC (Mann-Whitney U, equal to scikit-learn's with
ties counted half) because it runs a thousand times. numpy and scikit-learn only: no torch.

>>> from mmpriv_data.core.metrics import roc_summary
>>> s = roc_summary([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], n_bootstrap=200)
>>> s["auc"], s["tpr_at_fpr"]["0.01"]
(0.75, 0.5)
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata
from sklearn.metrics import roc_auc_score, roc_curve

from mmpriv_data.core.errors import MmprivError
from mmpriv_data.core.seeding import stream

FPR_TARGETS = (0.001, 0.01, 0.05)
N_BOOTSTRAP = 1000
CI_LEVEL = 0.95


def _check(labels, scores) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(labels, dtype=int)
    s = np.asarray(scores, dtype=float)
    if y.shape != s.shape or y.ndim != 1:
        raise MmprivError(f"labels {y.shape} and scores {s.shape} must be 1-d and of equal length")
    if not np.isfinite(s).all():
        raise MmprivError(f"{int((~np.isfinite(s)).sum())} score(s) are NaN or infinite")
    if set(np.unique(y)) != {0, 1}:
        raise MmprivError("ROC metrics need both members (1) and non-members (0)")
    return y, s


def rank_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """ROC AUC as the Mann-Whitney U statistic (ties count half), like `roc_auc_score`."""
    y, s = np.asarray(labels, dtype=int), np.asarray(scores, dtype=float)
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    ranks = rankdata(s)
    return float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def tpr_at_fpr(labels, scores, fpr_target: float) -> float:
    """The highest TPR whose FPR is at most `fpr_target`, read off scikit-learn's ROC curve."""
    fpr, tpr, _ = roc_curve(labels, scores)
    return float(tpr[fpr <= fpr_target + 1e-12].max())


def bootstrap_auc(
    labels, scores, n_bootstrap: int = N_BOOTSTRAP, seed: int = 0, level: float = CI_LEVEL
) -> dict:
    """Mean, std and percentile interval of the AUC over resamples stratified by class."""
    y, s = _check(labels, scores)
    rng = stream(seed, "metrics", "bootstrap", len(y))
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    aucs = np.empty(n_bootstrap)
    for b in range(n_bootstrap):
        # Stratified: every resample keeps both classes, so every AUC is defined.
        idx = np.concatenate([rng.choice(pos, len(pos)), rng.choice(neg, len(neg))])
        aucs[b] = rank_auc(y[idx], s[idx])
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(aucs, [tail, 100 - tail])
    return {
        "mean": float(aucs.mean()),
        "std": float(aucs.std()),
        "low": float(low),
        "high": float(high),
    }


def roc_summary(labels, scores, n_bootstrap: int = N_BOOTSTRAP, seed: int = 0) -> dict:
    """Everything the MIA report holds for one attack: AUC, its interval, TPR at low FPR."""
    y, s = _check(labels, scores)
    return {
        "auc": float(roc_auc_score(y, s)),
        "auc_ci": bootstrap_auc(y, s, n_bootstrap, seed),
        "tpr_at_fpr": {f"{t:g}": tpr_at_fpr(y, s, t) for t in FPR_TARGETS},
        "n_member": int(y.sum()),
        "n_nonmember": int(len(y) - y.sum()),
    }
