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


def plot_probing(
    curves: Mapping[str, Sequence[float]], path: Path | str, title: str = "Probing U1 vs U2"
) -> Path:
    """ProbingPrivacy's figure: accuracy by layer, one line per model, chance at 0.5 (PNG).

    >>> plot_probing({"base": [0.5, 0.52], "rate 1.0": [0.6, 0.9]}, "/tmp/probing.png")
    PosixPath('/tmp/probing.png')
    """
    import matplotlib

    matplotlib.use("Agg")  # files only: never needs a display
    import matplotlib.pyplot as plt

    path = Path(path)
    figure, axes = plt.subplots(figsize=(6.4, 4.0), dpi=120)
    for label, accuracies in curves.items():
        axes.plot(range(len(accuracies)), accuracies, marker="o", markersize=3, label=label)
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
