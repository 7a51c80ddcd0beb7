"""MIA metrics equal scikit-learn's on fixed inputs."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score, roc_curve

from mmpriv_data.core.errors import MmprivError
from mmpriv_data.core.metrics import bootstrap_auc, rank_auc, roc_summary, tpr_at_fpr

LABELS = np.array([1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1])
SCORES = np.array([0.9, 0.1, 0.8, 0.4, 0.4, 0.3, 0.7, 0.65, 0.2, 0.05, 0.5, 0.4])  # with ties


def test_auc_matches_scikit_learn_with_ties():
    expected = roc_auc_score(LABELS, SCORES)
    assert rank_auc(LABELS, SCORES) == pytest.approx(expected, abs=1e-12)
    assert roc_summary(LABELS, SCORES, n_bootstrap=10)["auc"] == pytest.approx(expected, abs=1e-12)


def test_tpr_at_fpr_reads_scikit_learns_roc_curve():
    fpr, tpr, _ = roc_curve(LABELS, SCORES)
    for target in (0.0, 1 / 6, 0.5):
        assert tpr_at_fpr(LABELS, SCORES, target) == tpr[fpr <= target + 1e-12].max()
    # By hand: the top three scores are members, the fourth (0.65) a non-member.
    assert tpr_at_fpr(LABELS, SCORES, 0.01) == pytest.approx(3 / 6)


def test_summary_holds_the_report_fields_and_a_deterministic_interval():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 200)
    scores = rng.normal(size=400) + labels * 1.0
    a = roc_summary(labels, scores, seed=3)
    assert set(a["tpr_at_fpr"]) == {"0.001", "0.01", "0.05"}
    assert a["auc_ci"]["low"] < a["auc"] < a["auc_ci"]["high"]
    assert 0.7 < a["auc"] < 0.82  # a one-sigma shift of two normals gives AUC ~0.76
    assert a == roc_summary(labels, scores, seed=3)
    assert bootstrap_auc(labels, scores, seed=4) != a["auc_ci"]


@pytest.mark.parametrize(
    ("labels", "scores", "message"),
    [
        ([1, 1], [0.2, 0.3], "both members (1) and non-members (0)"),
        ([0, 1], [0.2, float("nan")], "NaN or infinite"),
        ([0, 1, 1], [0.2, 0.3], "equal length"),
    ],
)
def test_bad_inputs_are_one_clear_error(labels, scores, message):
    with pytest.raises(MmprivError, match=message.replace("(", r"\(").replace(")", r"\)")):
        roc_summary(labels, scores)
