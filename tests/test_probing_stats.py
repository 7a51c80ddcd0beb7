"""evaluators.probing_stats: probes find real signal, stay at chance on noise, and the
user-disjoint protocol removes the name-recognition confound of the paper's protocol."""

import numpy as np
import pytest

from evaluators import probing_stats as ps


def _users(n_users=20, per_user=10):
    """U1 = users 0..n-1, U2 = users n..2n-1; `per_user` images each."""
    groups = np.repeat(np.arange(2 * n_users), per_user)
    labels = np.where(groups < n_users, "U1", "U2")
    return labels, groups


def test_separable_features_give_high_accuracy_and_small_p():
    rng = np.random.default_rng(0)
    labels, groups = _users()
    x = rng.normal(size=(len(labels), 3, 8))
    x[:, 2, 0] += 3.0 * (labels == "U1")  # only layer 2 carries the set
    for protocol in ("paper", "users"):
        report = ps.probe_report(
            x, labels, protocol, groups=groups, n_repeats=3, n_permutations=199
        )
        assert report["best_layer"] == 2
        assert report["best_layer_acc"] > 0.9
        assert report["perm_p"] <= 0.01
        lo, hi = report["ci_best"]
        assert lo <= report["best_layer_acc"] <= hi and hi - lo < 0.2


def test_random_features_stay_at_chance_with_a_large_p():
    rng = np.random.default_rng(1)
    labels, groups = _users()
    x = rng.normal(size=(len(labels), 6, 16))
    for protocol in ("paper", "users"):
        report = ps.probe_report(
            x, labels, protocol, groups=groups, n_repeats=3, n_permutations=199
        )
        assert abs(report["best_layer_acc"] - 0.5) < 0.1
        assert report["perm_p"] > 0.05
        assert all(lo <= 0.5 <= hi for lo, hi in report["ci"]) or report["perm_p"] > 0.05


def test_picking_the_best_layer_is_paid_for():
    rng = np.random.default_rng(2)
    labels = np.repeat([0, 1], 60)
    x = rng.normal(size=(120, 12, 4))
    folds = ps.paper_folds(labels, n_repeats=2)
    test = ps.max_layer_permutation_test(x, labels, folds, n_permutations=299)
    best = test["best_layer"]
    assert test["perm_p"] >= test["per_layer_p"][best]
    assert test["null_max_q95"] > 0.5


def test_user_folds_never_share_a_user_and_hold_both_sets():
    labels, groups = _users(n_users=10, per_user=7)
    folds = ps.user_folds(labels, groups, n_splits=5, n_repeats=4, seed=3)
    assert len(folds) == 20
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test])
        assert set(labels[test]) == {"U1", "U2"}
        assert len(train) + len(test) == len(labels)
    for r in range(4):  # within a repeat every sample is tested exactly once
        tested = np.concatenate([test for _, test in folds[5 * r : 5 * r + 5]])
        assert sorted(tested.tolist()) == list(range(len(labels)))


def test_paper_folds_are_stratified():
    labels = np.repeat([0, 1], [30, 70])
    for _, test in ps.paper_folds(labels, n_splits=5, n_repeats=2):
        assert labels[test].mean() == pytest.approx(0.7, abs=0.05)


def test_name_recognition_fools_the_paper_protocol_but_not_the_user_one():
    """Features that identify the user (a reader recognising names) but carry nothing about
    the set: the paper's protocol sees the set, the user-disjoint protocol does not."""
    rng = np.random.default_rng(4)
    labels, groups = _users(n_users=20, per_user=25)
    identity = rng.normal(size=(40, 24))[groups]
    x = (identity + 0.3 * rng.normal(size=identity.shape))[:, None, :]
    paper = ps.probe_report(x, labels, "paper", n_repeats=2, n_permutations=99)
    users = ps.probe_report(x, labels, "users", groups=groups, n_repeats=2, n_permutations=99)
    assert paper["best_layer_acc"] > 0.75 and paper["perm_p"] <= 0.02
    assert abs(users["best_layer_acc"] - 0.5) < 0.15 and users["perm_p"] > 0.05


def test_user_folds_reject_a_user_under_both_labels():
    with pytest.raises(ValueError, match="both labels"):
        ps.user_folds(["a", "b", "a", "b"] * 3, [0, 0, 1, 1] * 3, n_splits=2)


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="two classes"):
        ps.paper_folds([0, 0, 0, 0])
    with pytest.raises(ValueError, match="groups"):
        ps.probe_report(np.zeros((10, 1, 2)), [0, 1] * 5, "users")
    with pytest.raises(ValueError, match="protocol"):
        ps.probe_report(np.zeros((10, 1, 2)), [0, 1] * 5, "other")


def test_a_constant_layer_scores_chance_without_error():
    labels = np.repeat([0, 1], 20)
    x = np.ones((40, 1, 3))
    report = ps.probe_report(x, labels, "paper", n_repeats=1, n_permutations=19)
    assert report["best_layer_acc"] == 0.5
