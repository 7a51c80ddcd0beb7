"""Layer-wise probing (ProbingPrivacy): can a linear probe tell user set U1 from U2?

For each layer, a `LogisticRegression(max_iter=5000)` is fitted on hidden states of the last
prompt position (see `hidden_states.py`) with a stratified 80/20 split (random_state=42), as
the paper's code does; the test accuracy by layer is the result. Accuracy well above 0.5 at
some layer means the model's representation carries which user set was drawn into the image;
around 0.5 means it does not (two balanced classes). `plot_probing` draws the paper's figure:
accuracy by layer, one line per model, a dashed chance line.

Only numpy, scikit-learn and matplotlib: usable on the GPU machine without `datasets`.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> labels = np.array([0, 1] * 50)
>>> states = rng.normal(size=(100, 3, 8)) + labels[:, None, None]  # classes differ by 1
>>> result = probe_by_layer(states, labels)
>>> len(result["accuracy_by_layer"]), result["best_accuracy"] > 0.8
(3, True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from mmpriv_data.core.atomic import atomic_file, check_file_target, json_report
from mmpriv_data.core.errors import MmprivError

CHANCE = 0.5
TEST_SIZE = 0.2
SPLIT_SEED = 42  # ProbingPrivacy's random_state
PLOT_STAMP = "mmpriv plot_probing"


def label_array(user_sets: Sequence[str], classes: tuple[str, str] = ("U1", "U2")) -> np.ndarray:
    """User-set names -> 0/1 labels; anything other than the two classes is an error."""
    index = {name: i for i, name in enumerate(classes)}
    unknown = sorted({s for s in user_sets if s not in index}, key=str)
    if unknown:
        raise MmprivError(
            f"user_set values {unknown} are neither {classes[0]} nor {classes[1]}: "
            "probing needs rows embedded with one of the two user sets"
        )
    return np.array([index[s] for s in user_sets], dtype=np.int64)


def probe_by_layer(
    states: np.ndarray, labels: np.ndarray, test_size: float = TEST_SIZE, seed: int = SPLIT_SEED
) -> dict:
    """Fit one logistic-regression probe per layer; test accuracy by layer.

    `states` is [n_samples, n_layers + 1, hidden], `labels` is [n_samples] of 0/1. The same
    stratified split is used at every layer, so layers are compared on the same test rows.
    Returns accuracy_by_layer, best_layer, best_accuracy, mean_accuracy, n_train, n_test.

    >>> probe_by_layer(np.zeros((10, 2, 4)), np.array([0, 1] * 5))["accuracy_by_layer"]
    [0.5, 0.5]
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    states = np.asarray(states, dtype=np.float64)
    labels = np.asarray(labels)
    if states.ndim != 3 or len(states) != len(labels):
        raise MmprivError(
            f"hidden states of shape {states.shape} do not match {len(labels)} labels "
            "(expected [n_samples, n_layers + 1, hidden])"
        )
    counts = np.bincount(labels, minlength=2)
    if len(counts) != 2 or counts.min() < 2:
        raise MmprivError(
            f"probing needs at least 2 samples of each user set, got U1={counts[0]}, "
            f"U2={counts[1] if len(counts) > 1 else 0}"
        )
    n_test = max(2, round(len(labels) * test_size))
    train_idx, test_idx = train_test_split(
        np.arange(len(labels)), test_size=n_test, stratify=labels, random_state=seed
    )
    accuracies = []
    for layer in range(states.shape[1]):
        features = states[:, layer, :]
        train_labels = labels[train_idx]
        if np.ptp(features[train_idx], axis=0).max(initial=0.0) == 0.0:
            # Constant features carry nothing: the probe can only guess the majority class.
            majority = np.bincount(train_labels, minlength=2).argmax()
            predictions = np.full(len(test_idx), majority)
        else:
            probe = LogisticRegression(max_iter=5000)
            probe.fit(features[train_idx], train_labels)
            predictions = probe.predict(features[test_idx])
        accuracies.append(round(float(np.mean(predictions == labels[test_idx])), 4))
    best = int(np.argmax(accuracies))
    return {
        "accuracy_by_layer": accuracies,
        "best_layer": best,
        "best_accuracy": accuracies[best],
        "mean_accuracy": round(float(np.mean(accuracies)), 4),
        "n_train": len(train_idx),
        "n_test": len(test_idx),
    }


PROTOCOLS = ("paper", "users")


def user_groups(samples: Sequence[Mapping]) -> np.ndarray:
    """One user id per probe row (the `user_id` column, else `username`), for `--protocol users`.

    >>> user_groups([{"user_id": "7"}, {"username": "jo"}]).tolist()
    ['7', 'jo']
    """
    groups = []
    for index, sample in enumerate(samples):
        user = sample.get("user_id") or sample.get("username")
        if user in (None, ""):
            raise MmprivError(
                f"row {index} ({sample.get('id')}) has no user_id or username: "
                "--protocol users needs the user drawn into each probe image"
            )
        groups.append(str(user))
    return np.array(groups)


def statistics_folds(
    labels: np.ndarray, groups, protocol: str, folds: int, repeats: int, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (train, test) splits `probe_statistics` uses; a bad setting is one clear error.

    `paper`: repeated stratified k-fold over images. `users`: repeated k-fold over users, so
    no user is in both parts (`evaluators.probing_stats.user_folds`).
    """
    from evaluators.probing_stats import paper_folds, user_folds

    if protocol not in PROTOCOLS:
        raise MmprivError(f"--protocol {protocol!r}: one of {', '.join(PROTOCOLS)}")
    if folds < 2 or repeats < 1:
        raise MmprivError(f"--folds {folds} --repeats {repeats}: need folds >= 2, repeats >= 1")
    try:
        if protocol == "paper":
            return paper_folds(labels, folds, repeats, seed)
        return user_folds(labels, groups, folds, repeats, seed)
    except ValueError as error:  # probing_stats and scikit-learn speak ValueError
        raise MmprivError(f"--protocol {protocol} --folds {folds}: {error}") from None


def probe_statistics(
    states: np.ndarray,
    labels: np.ndarray,
    protocol: str = "paper",
    groups=None,
    folds: int = 5,
    repeats: int = 10,
    permutations: int = 1000,
    seed: int = 0,
) -> dict:
    """Cross-validated accuracy per layer with CIs and the best layer's corrected p-value.

    A thin adapter over `evaluators.probing_stats.probe_report` (a shrinkage linear probe
    scored by balanced accuracy; permutation null of the max over layers; bootstrap CIs,
    over users with `--protocol users`): settings are checked first with errors that name
    the option, numbers are rounded for the JSON report, and layers whose hidden state is the
    same for every image are set aside (see `_merge_constant_layers`).
    """
    from evaluators.probing_stats import probe_report

    if permutations < 1:
        raise MmprivError(f"--permutations {permutations}: need at least 1 (1000 is usual)")
    statistics_folds(labels, groups, protocol, folds, repeats, seed)  # errors before the work
    states = np.asarray(states, dtype=np.float64)
    # Layer 0 at the last prompt token is a token embedding: identical for every image. Its
    # covariance is zero, which probe_report's shrinkage cannot invert (singular matrix).
    varying = [layer for layer in range(states.shape[1]) if np.ptp(states[:, layer]) > 0]
    report = None
    if varying:
        report = probe_report(
            states[:, varying],
            labels,
            protocol=protocol,
            groups=groups if protocol == "users" else None,
            n_splits=folds,
            n_repeats=repeats,
            n_permutations=permutations,
            seed=seed,
        )
    report = _merge_constant_layers(report, varying, states.shape[1], len(labels), permutations)
    report |= {"protocol": protocol, "n_folds": folds * repeats}
    rounded = {key: _rounded(value) for key, value in report.items()}
    n_users = len(set(groups.tolist())) if groups is not None else None
    return {**rounded, "folds": folds, "repeats": repeats, "n_users": n_users, "seed": seed}


def _merge_constant_layers(
    report: dict | None, varying: list[int], n_layers: int, n_probe: int, permutations: int
) -> dict:
    """probe_report over the varying layers -> every layer, constant ones at exactly chance.

    A constant layer scores 0.5 under every labelling (its probe has nothing to go on), so in
    the max-over-layers null it only lifts a permutation's max to 0.5: the corrected p-value
    of a best layer above 0.5 is unchanged. When no varying layer beats 0.5, the best layer
    is a constant one and p is 1.
    """
    chance = {"acc": CHANCE, "ci": [CHANCE, CHANCE], "per_layer_p": 1.0}
    merged = {key: [value] * n_layers for key, value in chance.items()}
    if report is not None:
        for position, layer in enumerate(varying):
            for key in chance:
                merged[key][layer] = report[key][position]
    constant = [layer for layer in range(n_layers) if layer not in varying]
    if report is not None and (report["best_layer_acc"] > CHANCE or not constant):
        best, perm_p = varying[report["best_layer"]], report["perm_p"]
        null_q95 = max(report["null_max_q95"], CHANCE) if constant else report["null_max_q95"]
    else:
        best, perm_p, null_q95 = constant[0], 1.0, CHANCE
    return {
        **merged,
        "best_layer": best,
        "best_layer_acc": merged["acc"][best],
        "ci_best": merged["ci"][best],
        "perm_p": perm_p,
        "null_max_q95": null_q95,
        "n_probe": n_probe,
        "n_permutations": permutations,
        "constant_layers": constant,
    }


def _rounded(value):
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def plot_probing(
    curves: Mapping[str, Sequence[float]],
    path: Path | str,
    title: str = "Probing U1 vs U2",
    intervals: Mapping[str, Sequence[Sequence[float]]] | None = None,
) -> Path:
    """ProbingPrivacy's figure: accuracy by layer, one line per model, chance at 0.5 (PNG).

    `intervals` (label -> [[lo, hi] per layer]) draws each model's confidence band.

    >>> plot_probing({"base": [0.5, 0.52], "rate 1.0": [0.6, 0.9]}, "/tmp/probing.png")
    PosixPath('/tmp/probing.png')
    """
    import matplotlib

    matplotlib.use("Agg")  # files only: never needs a display
    import matplotlib.pyplot as plt

    path = Path(path)
    figure, axes = plt.subplots(figsize=(6.4, 4.0), dpi=120)
    for label, accuracies in curves.items():
        line = axes.plot(range(len(accuracies)), accuracies, marker="o", markersize=3, label=label)
        if intervals and label in intervals:  # the per-layer confidence interval, as a band
            low, high = zip(*intervals[label], strict=True)
            axes.fill_between(range(len(low)), low, high, color=line[0].get_color(), alpha=0.2)
    axes.axhline(CHANCE, color="gray", linestyle="--", linewidth=1, label="chance (0.5)")
    axes.set_xlabel("layer (0 = embeddings)")
    axes.set_ylabel("probe test accuracy")
    axes.set_ylim(0.3, 1.02)
    axes.set_title(title)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    # The PNG's own text chunk says mmpriv drew it, so a later run may replace it.
    stamp = {"Software": PLOT_STAMP}
    write_atomically(
        path,
        lambda tmp: figure.savefig(tmp, format="png", metadata=stamp),
        kind="plot",
        recognise=is_mmpriv_plot,
    )
    plt.close(figure)
    return path


def is_mmpriv_plot(path: Path) -> bool:
    """Whether `path` is a PNG that `plot_probing` drew (its Software text chunk)."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            return image.format == "PNG" and image.info.get("Software") == PLOT_STAMP
    except OSError:
        return False


def check_outputs(out: Path, kind: str, names: Sequence[str]) -> None:
    """Before any work: each file to be written in `out` is new or mmpriv's own earlier one."""
    for name in names:
        if name.endswith(".png"):
            check_file_target(out / name, "plot", "--out", is_mmpriv_plot)
        else:
            check_file_target(out / name, kind, "--out")


def write_atomically(path: Path, write, kind: str, recognise=None) -> None:
    """Call `write(temp_path)` next to `path`, then rename: no half-written file is left, and
    a file that mmpriv did not write is never replaced."""
    with atomic_file(path, kind, recognise=recognise) as temp:
        write(str(temp))


def write_json(path: Path | str, payload: dict, kind: str = "eval probing") -> Path:
    """Pretty JSON, written atomically (with the key that lets a later run replace it)."""
    path = Path(path)
    text = json_report(payload, kind)
    write_atomically(path, lambda tmp: Path(tmp).write_text(text), kind)
    return path
