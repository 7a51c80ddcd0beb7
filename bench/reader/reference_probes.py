"""Reference-calibrated probes (issue 15, fifth run): fixed before that run, after every
probe on a model's own hidden states had missed the positive control user-disjoint.

Why those missed: a user-disjoint probe must find one direction shared by all memorized
names, but most of what varies between probe images is which name it is (the paper
protocol's 0.8-0.95 is that identity), and a memorized name shows as states that predict
its own next characters, which is a different direction for each name. So the probes below
first take away what the name alone explains, by comparing with a reference model on the
same inputs, and read the memorization where the model itself reads it:

- `@answer~REF`, `@blind~REF`: the answer-position states (text present, and on the scene
  with its text removed) minus the reference model's states on the same input, then the
  same per-layer PCA + shrinkage-LDA probe as the other positions;
- `@lens~REF`, `@lens_blind~REF`: per layer, log p of the image's own name and of the paired
  other-set name read off that layer's states through the model's final norm and output
  head (`experiment.logit_lens`), minus the reference's; two features a layer.

REF is `rate_0` of the same seed (the same finetune without the text: the matched control)
for every finetuned model, and `base` (the reader before finetuning) for every model. The
base reader's own lens values are probed raw (`base@lens`, `base@lens_blind`): whether the
two user sets' names differ to a model that saw neither.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

STATE_POSITIONS = ("answer", "blind")
LENS_POSITIONS = {"lens": "", "lens_blind": "@blind"}


def load_lens(folder: Path) -> dict[str, np.ndarray]:
    """{key or key@blind: (2, n, layers+1)} log p of the U1 and the U2 name per layer."""
    path = folder / "lens.npz"
    if not path.exists():
        return {}
    with np.load(path) as data:
        return {k: data[k] for k in data.files}


def references(seed: int | None, condition: str) -> dict[str, str]:
    """{label: model key} of one model's references: the matched rate_0 (same seed; label
    `rate_0`) and the base reader."""
    if condition == "base":
        return {}
    refs = {} if condition == "rate_0" else {"rate_0": f"rate_0_s{seed}"}
    return {**refs, "base": "base"}


def lens_features(values: np.ndarray, user_set: np.ndarray) -> np.ndarray:
    """(2, n, layers) U1/U2-name log p -> (n, layers, 2) own-name and other-set-name log p,
    standardized per (layer, feature) over the probe images (labels unused)."""
    u1 = user_set == "U1"
    own = np.where(u1, values[0].T, values[1].T).T
    wrong = np.where(u1, values[1].T, values[0].T).T
    x = np.stack([own, wrong], -1)
    return (x - x.mean(0)) / (x.std(0) + 1e-9)


def feature_sets(meta: dict, hidden: dict, lens: dict, user_set: np.ndarray, pca) -> dict:
    """{probe key: (n, layers, k) features} for every model, position and reference present.
    `pca(x)` reduces hidden-state differences the way the other positions are reduced."""
    from bench.reader.analyze import parse_key

    out = {}
    for position, suffix in LENS_POSITIONS.items():
        if "base" + suffix in lens:
            out[f"base@{position}"] = lens_features(lens["base" + suffix], user_set)
    for model in meta["models"]:
        key = model["key"]
        condition, seed, _ = parse_key(key)
        for label, ref in references(seed, condition).items():
            for position in STATE_POSITIONS:
                mine, theirs = hidden.get(f"{key}@{position}"), hidden.get(f"{ref}@{position}")
                if mine is not None and theirs is not None:
                    out[f"{key}@{position}~{label}"] = pca(mine - theirs)
            for position, suffix in LENS_POSITIONS.items():
                mine, theirs = lens.get(key + suffix), lens.get(ref + suffix)
                if mine is not None and theirs is not None:
                    out[f"{key}@{position}~{label}"] = lens_features(mine - theirs, user_set)
    return out


def lens_gaps(lens: dict, user_set: np.ndarray, users: np.ndarray) -> dict:
    """Per model and reference, per layer: mean change of own-name log p on U1 images minus on
    U2 images (memorizing U1 names makes it positive), with CIs that resample users."""
    from bench.reader.analyze import parse_key, set_gap

    out = {}
    keys = [k for k in lens if not k.endswith("@blind")]
    for key in keys:
        condition, seed, _ = parse_key(key)
        for label, ref in references(seed, condition).items():
            for position, suffix in LENS_POSITIONS.items():
                if key + suffix not in lens or ref + suffix not in lens:
                    continue
                change = lens[key + suffix] - lens[ref + suffix]
                u1 = user_set == "U1"
                own = np.where(u1, change[0].T, change[1].T).T
                out[f"{key}@{position}~{label}"] = [
                    set_gap(own[:, layer], user_set, users, n_boot=1000)
                    for layer in range(own.shape[1])
                ]
    return out
