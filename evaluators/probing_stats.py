"""Statistics for layer-wise probes of hidden states (numpy + scikit-learn, no torch).

The question a probe answers here: do a model's hidden states tell which user set (U1, seen
in finetuning, or U2, never seen) the text in an image came from? This module gives that
answer with error bars:

- `paper_folds`: repeated stratified k-fold over images (ProbingPrivacy's protocol, with
  more splits than its single 80/20 split).
- `user_folds`: repeated k-fold over *users*: no user is in both the train and the test part,
  and every test part holds users of both sets. A model that merely reads can separate U1
  from U2 in the paper's protocol by recognising the 40 names; here it cannot.
- `layer_accuracies`: cross-validated accuracy of a linear probe at every layer.
- `max_layer_permutation_test`: a permutation null of the *best layer's* accuracy (the max
  over layers of each permutation), so picking the best layer is paid for in the p-value.
  With `groups`, labels are permuted between users, not images.
- `layer_confidence_intervals`: bootstrap CIs per layer (resampling users when grouped).
- `probe_report`: all of the above in one call, as one JSON-able dict.

The probe is a shrinkage linear discriminant: features standardized on the training part,
w = (S + g*I)^-1 (m1 - m0) with S the training covariance shrunk towards its mean variance
by `shrinkage`, threshold half way between the projected class means, scored by balanced
accuracy. Why not logistic regression (the paper's probe): S does not depend on the labels,
so one factorization per fold serves every permutation at once, which makes 1000-permutation
nulls over every layer take seconds; and the midpoint threshold ignores class proportions,
so folds that a permutation leaves unbalanced do not bias the null.

Shapes: `features` is (n_samples, n_layers, dim); `labels` holds two classes (any values;
the sorted second one is "positive"); `groups` holds one user id per sample.

>>> rng = np.random.default_rng(0)
>>> y = np.repeat([0, 1], 50)
>>> x = rng.normal(size=(100, 2, 5)); x[:, 1, 0] += 4 * y
>>> report = probe_report(x, y, protocol="paper", n_permutations=99)
>>> report["best_layer"], report["best_layer_acc"] > 0.9, report["perm_p"] <= 0.01
(1, True, True)
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import RepeatedStratifiedKFold

Folds = list[tuple[np.ndarray, np.ndarray]]


def _binary(labels) -> np.ndarray:
    """Two-class labels of any type -> bool (True = the sorted second class)."""
    labels = np.asarray(labels)
    classes = np.unique(labels)
    if len(classes) != 2:
        raise ValueError(f"probing needs exactly two classes, got {classes.tolist()}")
    return labels == classes[1]


def paper_folds(labels, n_splits: int = 5, n_repeats: int = 10, seed: int = 0) -> Folds:
    """Repeated stratified k-fold over samples: [(train_index, test_index), ...]."""
    y = _binary(labels)
    splitter = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=seed)
    return [(train, test) for train, test in splitter.split(np.zeros(len(y)), y)]


def user_folds(labels, groups, n_splits: int = 5, n_repeats: int = 10, seed: int = 0) -> Folds:
    """Repeated k-fold over users, class-balanced: each class's users are shuffled and dealt
    into `n_splits` parts, and test part j joins part j of both classes.

    Every user must carry one label (a user belongs to U1 or to U2). Raises ValueError when a
    class has fewer users than `n_splits`.
    """
    y, groups = _binary(labels), np.asarray(groups)
    users = np.unique(groups)
    user_label = {}
    for user in users:
        values = np.unique(y[groups == user])
        if len(values) != 1:
            raise ValueError(f"user {user!r} appears under both labels")
        user_label[user] = bool(values[0])
    by_class = [np.array([u for u in users if user_label[u] == c]) for c in (False, True)]
    if min(len(members) for members in by_class) < n_splits:
        raise ValueError(f"user folds: each class needs >= {n_splits} users")
    rng = np.random.default_rng(seed)
    folds = []
    for _ in range(n_repeats):
        parts = [np.array_split(rng.permutation(members), n_splits) for members in by_class]
        for j in range(n_splits):
            test_users = np.concatenate([parts[0][j], parts[1][j]])
            test = np.isin(groups, test_users)
            folds.append((np.flatnonzero(~test), np.flatnonzero(test)))
    return folds


def _fold_scores(x_train, x_test, y_train, shrinkage: float) -> np.ndarray:
    """Decision scores (n_test, n_label_columns) of the shrinkage discriminant.

    `y_train` is (n_train, P) bool: P labelings share one covariance factorization.
    """
    mean, std = x_train.mean(0), x_train.std(0) + 1e-8
    a, b = (x_train - mean) / std, (x_test - mean) / std
    cov = a.T @ a / len(a)
    # A constant layer (e.g. the prompt token's embedding) has cov = 0: keep it invertible.
    scale = max(np.trace(cov) / len(cov), 1e-12)
    cov = (1 - shrinkage) * cov + shrinkage * scale * np.eye(len(cov))
    # The training part is centred, so n1*m1 + n0*m0 = 0: one product gives both class means
    # (float labels: a bool operand would make numpy skip BLAS).
    pos = y_train.astype(np.float64)
    n1 = pos.sum(0).clip(min=1)
    n0 = (len(pos) - pos.sum(0)).clip(min=1)
    m1 = a.T @ pos / n1
    m0 = -m1 * (n1 / n0)
    w = np.linalg.solve(cov, m1 - m0)
    threshold = 0.5 * ((m1 + m0) * w).sum(0)
    return b @ w - threshold


def _balanced_correct(scores: np.ndarray, y_test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(balanced accuracy per column, per-sample correctness) of scores > 0."""
    predicted = scores > 0
    correct = predicted == y_test
    positives, negatives = y_test.sum(0), (~y_test).sum(0)
    tpr = np.where(positives > 0, (correct & y_test).sum(0) / np.maximum(positives, 1), np.nan)
    tnr = np.where(negatives > 0, (correct & ~y_test).sum(0) / np.maximum(negatives, 1), np.nan)
    balanced = np.nanmean(np.stack([tpr, tnr]), 0)
    return balanced, correct


def _check(features, labels) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(features, dtype=np.float64)
    if x.ndim == 2:
        x = x[:, None, :]
    if x.ndim != 3:
        raise ValueError(f"features must be (n, layers, dim), got shape {x.shape}")
    y = _binary(labels)
    if len(y) != len(x):
        raise ValueError(f"{len(x)} feature rows but {len(y)} labels")
    return x, y


def layer_accuracies(features, labels, folds: Folds, shrinkage: float = 0.1) -> dict:
    """Cross-validated probe accuracy per layer.

    Returns {"acc": [mean balanced accuracy per layer], "fold_acc": [[per fold] per layer],
    "sample_correct": [[share of a sample's test appearances predicted right] per sample,
    one value per layer], "best_layer": int, "best_acc": float}.
    """
    x, y = _check(features, labels)
    n, n_layers, _ = x.shape
    fold_acc = np.zeros((n_layers, len(folds)))
    hits, seen = np.zeros((n, n_layers)), np.zeros(n)
    for k, (train, test) in enumerate(folds):
        seen[test] += 1
        for layer in range(n_layers):
            scores = _fold_scores(x[train, layer], x[test, layer], y[train, None], shrinkage)
            balanced, correct = _balanced_correct(scores, y[test, None])
            fold_acc[layer, k] = balanced[0]
            hits[test, layer] += correct[:, 0]
    acc = fold_acc.mean(1)
    best = int(np.argmax(acc))
    return {
        "acc": acc.tolist(),
        "fold_acc": fold_acc.tolist(),
        "sample_correct": (hits / np.maximum(seen, 1)[:, None]).tolist(),
        "best_layer": best,
        "best_acc": float(acc[best]),
    }


def _permuted_labels(y: np.ndarray, groups, n: int, rng) -> np.ndarray:
    """(n_samples, n) bool labelings: samples shuffled, or whole users when `groups`."""
    if groups is None:
        return np.stack([rng.permutation(y) for _ in range(n)], 1)
    groups = np.asarray(groups)
    users, inverse = np.unique(groups, return_inverse=True)
    user_y = np.array([y[inverse == u][0] for u in range(len(users))])
    return np.stack([rng.permutation(user_y)[inverse] for _ in range(n)], 1)


def max_layer_permutation_test(
    features,
    labels,
    folds: Folds,
    n_permutations: int = 1000,
    groups=None,
    shrinkage: float = 0.1,
    seed: int = 0,
) -> dict:
    """p-value of the best layer's accuracy against the max over layers under permutation.

    Each permutation relabels the samples (or, with `groups`, the users), reruns the same
    folds at every layer, and keeps its best layer's mean accuracy. The corrected p-value is
    (1 + #{null max >= observed best}) / (1 + n_permutations). Also returns each layer's
    uncorrected p-value against its own null.
    """
    x, y = _check(features, labels)
    _, n_layers, _ = x.shape
    rng = np.random.default_rng(seed)
    columns = np.concatenate([y[:, None], _permuted_labels(y, groups, n_permutations, rng)], 1)
    totals = np.zeros((n_layers, 1 + n_permutations))
    for train, test in folds:
        for layer in range(n_layers):
            scores = _fold_scores(x[train, layer], x[test, layer], columns[train], shrinkage)
            totals[layer] += _balanced_correct(scores, columns[test])[0]
    mean = totals / len(folds)
    observed, null = mean[:, 0], mean[:, 1:]
    best = int(np.argmax(observed))
    null_max = null.max(0)
    per_layer_p = (1 + (null >= observed[:, None]).sum(1)) / (1 + n_permutations)
    return {
        "acc": observed.tolist(),
        "best_layer": best,
        "best_acc": float(observed[best]),
        "perm_p": float((1 + (null_max >= observed[best]).sum()) / (1 + n_permutations)),
        "per_layer_p": per_layer_p.tolist(),
        "null_max_mean": float(null_max.mean()),
        "null_max_q95": float(np.quantile(null_max, 0.95)),
        "n_permutations": n_permutations,
    }


def layer_confidence_intervals(
    sample_correct, labels, groups=None, n_boot: int = 2000, level: float = 0.95, seed: int = 0
) -> dict:
    """Percentile bootstrap CIs of each layer's balanced accuracy.

    `sample_correct` is `layer_accuracies(...)["sample_correct"]` (n_samples, n_layers).
    Resamples samples, or whole users when `groups` is given (samples of one user are not
    independent). Returns {"lo": [...], "hi": [...], "level": level}.
    """
    c = np.asarray(sample_correct, dtype=np.float64)
    if c.ndim == 1:
        c = c[:, None]
    y = _binary(labels)
    rng = np.random.default_rng(seed)
    units = np.arange(len(y)) if groups is None else np.unique(groups, return_inverse=True)[1]
    n_units = units.max() + 1
    stats = np.zeros((n_boot, c.shape[1]))
    for b in range(n_boot):
        weights = np.bincount(rng.integers(n_units, size=n_units), minlength=n_units)[units]
        pos, neg = weights * y, weights * ~y
        tpr = (c * pos[:, None]).sum(0) / max(pos.sum(), 1)
        tnr = (c * neg[:, None]).sum(0) / max(neg.sum(), 1)
        stats[b] = (tpr + tnr) / 2
    tail = (1 - level) / 2
    return {
        "lo": np.quantile(stats, tail, 0).tolist(),
        "hi": np.quantile(stats, 1 - tail, 0).tolist(),
        "level": level,
    }


def probe_report(
    features,
    labels,
    protocol: str = "paper",
    groups=None,
    n_splits: int = 5,
    n_repeats: int = 10,
    n_permutations: int = 1000,
    shrinkage: float = 0.1,
    seed: int = 0,
) -> dict:
    """Everything for one model and one protocol ("paper" or "users", which needs groups).

    Returns {"protocol", "acc" (per layer), "ci": [[lo, hi] per layer], "best_layer",
    "best_layer_acc", "ci_best": [lo, hi], "perm_p" (corrected for the best-layer pick),
    "per_layer_p", "n_probe", "n_folds", "n_permutations", "null_max_q95"}.
    """
    if protocol == "paper":
        folds = paper_folds(labels, n_splits, n_repeats, seed)
        perm_groups = None
    elif protocol == "users":
        if groups is None:
            raise ValueError("protocol 'users' needs groups (one user id per sample)")
        folds = user_folds(labels, groups, n_splits, n_repeats, seed)
        perm_groups = groups
    else:
        raise ValueError(f"protocol must be 'paper' or 'users', got {protocol!r}")
    accuracies = layer_accuracies(features, labels, folds, shrinkage)
    test = max_layer_permutation_test(
        features, labels, folds, n_permutations, perm_groups, shrinkage, seed
    )
    ci = layer_confidence_intervals(accuracies["sample_correct"], labels, perm_groups, seed=seed)
    intervals = [[lo, hi] for lo, hi in zip(ci["lo"], ci["hi"], strict=True)]
    best = test["best_layer"]
    return {
        "protocol": protocol,
        "acc": test["acc"],
        "ci": intervals,
        "best_layer": best,
        "best_layer_acc": test["best_acc"],
        "ci_best": intervals[best],
        "perm_p": test["perm_p"],
        "per_layer_p": test["per_layer_p"],
        "null_max_q95": test["null_max_q95"],
        "n_probe": len(np.asarray(labels)),
        "n_folds": len(folds),
        "n_permutations": n_permutations,
    }
