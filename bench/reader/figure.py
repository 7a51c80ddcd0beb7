"""The layer-wise probe figure of the reader bench (probing_reader.png): one row per probe
position, one column per protocol; the controls and every rate arm and seed, with CIs."""

from __future__ import annotations

from pathlib import Path

import numpy as np

POSITIONS = {
    "prompt": "last prompt position",
    "answer": "answer positions",
    "blind": "answer positions, text removed",
    "blind~rate_0": "answer, no text, minus rate_0",
    "lens_blind~rate_0": "logit lens, no text, minus rate_0",
}


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    present = {run["position"] for run in result["runs"]}
    positions = [p for p in POSITIONS if p in present]
    fig, axes = plt.subplots(len(positions), 2, figsize=(11, 4 * len(positions)), sharey=True)
    for row, position in enumerate(positions):
        for ax, protocol in zip(axes[row], ("paper", "users"), strict=True):
            series = []
            for name, color in (("base_reader", "k"), ("positive_control", "m")):
                for run in result[name]["all"]:
                    if run["position"] == position and run["protocol"] == protocol:
                        label = name.replace("_", " ") if run["seed"] in (None, 0) else None
                        series.append((label, run, color))
            for rate, color in ((0, "tab:blue"), (0.5, "tab:orange"), (1.0, "tab:red")):
                for run in result["runs"]:
                    same = run["position"] == position and run["protocol"] == protocol
                    if run["rate"] == rate and same:
                        label = f"rate {rate}" if run["seed"] == 0 else None
                        series.append((label, run, color))
            for label, run, color in series:
                acc = np.array(run["acc_by_layer"])
                lo, hi = np.array(run["ci_by_layer"]).T
                layers = np.arange(len(acc))
                text = None if label is None else f"{label} (seed 0 p={run['perm_p']:.3g})"
                ax.plot(layers, acc, color=color, marker="o", ms=3, label=text, alpha=0.8)
                ax.fill_between(layers, lo, hi, color=color, alpha=0.06)
            ax.axhline(0.5, color="grey", ls="--", lw=1)
            ax.set_title(f"{POSITIONS[position]}, protocol: {protocol}", fontsize=10)
            ax.set_xlabel("LM layer (0 = embeddings)")
            ax.legend(fontsize=7)
        axes[row][0].set_ylabel("probe balanced accuracy, U1 vs U2 (95% CI)")
    fig.suptitle(
        "Reader (448 px): layer-wise probes, corrected p = best layer vs max-over-layers null"
    )
    fig.tight_layout(rect=(0, 0, 1, 0.98))
    fig.savefig(path, dpi=120)
