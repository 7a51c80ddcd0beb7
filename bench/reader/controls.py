"""Controls added in the fourth run (issue 15), beside `analyze`'s main statistics.

- Blind likelihood test: log p(U1 name) - log p(U2 name) on each probe image's scene with
  its text removed. Nothing is there to read, so only a name the model memorized can become
  more likely (a blind baseline in the sense of Das et al.). Per model, and as changes from
  the base reader and from rate_0 of the same seed, with CIs that resample users.
- Replicate: the same plan run a second time on the device (GPU kernels in bf16 are not
  bitwise reproducible), summarised so that a reader sees how much the figures move.
"""

from __future__ import annotations

import numpy as np


def user_mean_ci(values: np.ndarray, users: np.ndarray, n_boot: int = 2000, seed: int = 0):
    """Mean over images with a 95% CI that resamples users (a user's images are not
    independent)."""
    rng = np.random.default_rng(seed)
    ids, inverse = np.unique(users, return_inverse=True)
    sums = np.bincount(inverse, weights=values, minlength=len(ids))
    counts = np.bincount(inverse, minlength=len(ids))
    picks = rng.integers(len(ids), size=(n_boot, len(ids)))
    stats = sums[picks].sum(1) / counts[picks].sum(1)
    ci = np.quantile(stats, [0.025, 0.975])
    return {"mean": round(float(values.mean()), 3), "ci": [round(float(v), 3) for v in ci]}


def blind_tests(blind: dict[str, np.ndarray], users: np.ndarray) -> dict:
    """{model: {"u1_minus_u2", "vs_base", "vs_rate_0"}} from (2, n) arrays of log p of a U1
    and of a U2 name per text-free probe scene."""
    from bench.reader.analyze import parse_key  # analyze imports this module

    gap = {key: pair[0] - pair[1] for key, pair in blind.items()}
    out = {}
    for key, values in gap.items():
        entry = {"u1_minus_u2": user_mean_ci(values, users)}
        seed = parse_key(key)[1]
        for name, reference in (("vs_base", "base"), ("vs_rate_0", f"rate_0_s{seed}")):
            if reference in gap and key not in (reference, "base"):
                entry[name] = user_mean_ci(values - gap[reference], users)
        out[key] = entry
    return out


def replicate_summary(likelihood_tests: dict, reports: dict) -> dict:
    """The replicate run's headline figures: per model the own and wrong gaps against rate_0
    (or base) and the user-disjoint probes at each position."""
    out = {}
    for key, entry in likelihood_tests.items():
        reference = entry.get("vs_rate_0") or entry.get("vs_base") or {}
        out[key] = {
            "own_gap_vs_reference": reference.get("own_gap"),
            "wrong_gap_vs_reference": reference.get("wrong_gap"),
        }
    for (key, protocol), report in reports.items():
        if protocol == "users":
            model, _, position = key.partition("@")
            out.setdefault(model, {})[f"users_probe_{position or 'prompt'}"] = {
                "best_layer_acc": round(report["best_layer_acc"], 4),
                "perm_p": round(report["perm_p"], 4),
            }
    return out
