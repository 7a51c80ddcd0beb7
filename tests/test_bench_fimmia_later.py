"""bench/mia_attacks.py `fimmia`: FiMMIA fitted on the CPU from the losses a GPU run saved.

The GPU image has no text embedder, so the device run saves every sample's and neighbour's
loss and this step adds the FiMMIA rows to that seed's JSON. It must see a planted membership
signal, stay near chance without one, and refuse losses saved for other samples.
"""

# ruff: noqa: F811  (pytest fixtures imported by name, then requested as arguments)
from __future__ import annotations

import json
import sys
from argparse import Namespace
from pathlib import Path

import numpy as np
import pytest
from fixtures_mia import mia_data  # noqa: F401

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.mia_attacks import fimmia_later  # noqa: E402
from evaluators.mia.run import load_rows  # noqa: E402


def _save(results: Path, ids: list[str], labels: np.ndarray, gap: float, seed: int = 0) -> None:
    """Losses as the device run saves them: members' own loss `gap` below their neighbours'."""
    rng = np.random.default_rng(seed)
    losses = rng.normal(3.0, 0.3, len(ids))
    neighbor_losses = losses[:, None] + rng.normal(0.0, 0.3, (len(ids), 4))
    neighbor_losses += gap * labels[:, None]
    np.savez_compressed(
        results / f"seed{seed}-ep1.npz",
        labels=labels,
        groups=np.array(ids),
        losses=losses,
        neighbor_losses=neighbor_losses,
    )
    row = {"attack": "loss", "epochs": 1, "seed": seed, "auc": 0.5}
    (results / f"seed{seed}.json").write_text(json.dumps({"seed": seed, "rows": [row]}))


def _fimmia_row(results: Path, seed: int = 0) -> dict:
    rows = json.loads((results / f"seed{seed}.json").read_text())["rows"]
    assert [r["attack"] for r in rows] == ["loss", "fimmia"]  # the run's own rows are kept
    return rows[1]


@pytest.mark.parametrize(("gap", "low", "high"), [(1.0, 0.9, 1.0), (0.0, 0.3, 0.7)])
def test_fimmia_rows_from_saved_losses(mia_data, tmp_path, gap, low, high):
    rows = load_rows(mia_data, True, 0)
    labels = np.array([int(r["member"]) for r in rows])
    _save(tmp_path, [r["id"] for r in rows], labels, gap)
    fimmia_later(Namespace(data=str(mia_data), results=str(tmp_path)))
    row = _fimmia_row(tmp_path)
    assert low <= row["auc"] <= high
    assert row["ci"][0] <= row["auc"] <= row["ci"][1]
    assert (row["n_member"], row["n_nonmember"]) == (30, 30)
    # Run twice: the row is replaced, not added again.
    fimmia_later(Namespace(data=str(mia_data), results=str(tmp_path)))
    assert _fimmia_row(tmp_path)["auc"] == row["auc"]


def test_losses_of_other_samples_are_refused(mia_data, tmp_path):
    rows = load_rows(mia_data, True, 0)
    ids = [r["id"] for r in rows][::-1]  # same samples, another order
    _save(tmp_path, ids, np.array([int(r["member"]) for r in rows]), 1.0)
    with pytest.raises(SystemExit, match="seed0-ep1.npz: its samples are not"):
        fimmia_later(Namespace(data=str(mia_data), results=str(tmp_path)))
