"""`mmpriv eval probing` statistics: k-fold protocols, CIs per layer, the corrected p-value."""

from __future__ import annotations

import json

import numpy as np
import pytest

from evaluators.probing import (
    label_array,
    plot_probing,
    probe_statistics,
    statistics_folds,
    user_groups,
)
from mmpriv_data.cli.eval_probing import load_samples
from mmpriv_data.core.errors import MmprivError
from tests.fixtures_models import tiny_llava  # noqa: F401  (a fixture, used by name)
from tests.fixtures_probing import run_cli

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def probe_rows(probe_set) -> list[dict]:
    return [s for s in load_samples(str(probe_set), "probe") if s["embedded"]]


def test_users_protocol_never_shares_a_user_between_train_and_test(probe_rows):
    labels = label_array([s["user_set"] for s in probe_rows])
    groups = user_groups(probe_rows)
    assert groups.tolist() == [str(s["user_id"]) for s in probe_rows]
    assert len(set(groups.tolist())) < len(probe_rows)  # users repeat: the protocol matters
    folds = statistics_folds(labels, groups, "users", folds=3, repeats=4)
    assert len(folds) == 12
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test])
        assert set(labels[test]) == {0, 1}  # both user sets in every test part
        assert sorted([*train, *test]) == list(range(len(probe_rows)))
    # The paper's protocol splits images, not users: the same rows do share users.
    paper = statistics_folds(labels, groups, "paper", folds=3, repeats=4)
    assert any(set(groups[train]) & set(groups[test]) for train, test in paper)


def test_a_layer_that_separates_the_sets_gets_a_small_corrected_p_and_a_ci_above_chance():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 40)
    states = rng.normal(size=(80, 4, 6))
    states[:, 2, 0] += 4 * labels  # only layer 2 carries the set
    states[:, 0] = 0.25  # like a model's layer 0: the same token embedding for every image
    stats = probe_statistics(states, labels, folds=4, repeats=3, permutations=199)
    assert stats["constant_layers"] == [0]
    assert stats["acc"][0] == 0.5 and stats["ci"][0] == [0.5, 0.5]
    assert stats["best_layer"] == 2 and stats["best_layer_acc"] >= 0.9
    assert stats["perm_p"] == pytest.approx(1 / 200)  # no permutation's best layer reaches it
    assert stats["ci_best"][0] > 0.5
    assert len(stats["acc"]) == len(stats["ci"]) == 4
    noise = probe_statistics(states[:, [0, 1, 3]], labels, folds=4, repeats=3, permutations=199)
    assert noise["perm_p"] > 0.05


def test_users_protocol_is_at_chance_when_only_user_identity_separates_the_sets():
    """Each user has its own fingerprint: images of seen users are recognised (paper protocol),
    but a probe cannot tell the set of a user it never saw (users protocol)."""
    rng = np.random.default_rng(1)
    users = np.repeat(np.arange(20), 4)
    labels = (users >= 10).astype(int)
    fingerprints = rng.normal(size=(20, 8)) * 3
    states = (fingerprints[users] + rng.normal(size=(80, 8)) * 0.3)[:, None, :]
    groups = users.astype(str)
    paper = probe_statistics(states, labels, "paper", groups, 5, 4, 99)
    by_user = probe_statistics(states, labels, "users", groups, 5, 4, 99)
    assert paper["best_layer_acc"] > 0.7
    assert by_user["ci_best"][0] < 0.5 < by_user["ci_best"][1] or by_user["perm_p"] > 0.05
    assert by_user["n_users"] == 20


def test_settings_the_rows_cannot_support_are_one_clear_error(probe_rows):
    labels = label_array([s["user_set"] for s in probe_rows])
    groups = user_groups(probe_rows)
    with pytest.raises(MmprivError, match="--protocol users --folds 30"):
        statistics_folds(labels, groups, "users", folds=30, repeats=1)
    with pytest.raises(MmprivError, match="--protocol 'both'"):
        statistics_folds(labels, groups, "both", folds=3, repeats=1)
    with pytest.raises(MmprivError, match="no user_id or username"):
        user_groups([{"id": "x", "user_id": None, "username": ""}])
    with pytest.raises(MmprivError, match="--permutations 0"):
        probe_statistics(np.zeros((24, 2, 3)), labels, permutations=0)


def test_plot_draws_confidence_bands(tmp_path):
    curves = {"a": [0.5, 0.7], "b": [0.5, 0.5]}
    bands = {"a": [[0.4, 0.6], [0.6, 0.8]], "b": [[0.45, 0.55], [0.4, 0.6]]}
    path = plot_probing(curves, tmp_path / "p.png", intervals=bands)
    assert path.read_bytes()[:8] == PNG_MAGIC


def test_cli_writes_statistics_per_model(tiny_llava, probe_set, tmp_path, capsys):  # noqa: F811
    out = tmp_path / "probing"
    args = ["eval", "probing", "--model", str(tiny_llava), "--data", str(probe_set)]
    args += ["--out", str(out), "--protocol", "users", "--folds", "3", "--repeats", "2"]
    assert run_cli([*args, "--permutations", "99", "--seed", "5"]) == 0
    report = json.loads((out / "probing.json").read_text())
    assert report["statistics"] == {
        "protocol": "users",
        "folds": 3,
        "repeats": 2,
        "permutations": 99,
        "seed": 5,
    }
    (result,) = report["models"]
    stats = result["statistics"]
    layers = len(result["accuracy_by_layer"])  # the paper's single split is still there
    assert len(stats["acc"]) == len(stats["ci"]) == len(stats["per_layer_p"]) == layers
    assert all(low <= high for low, high in stats["ci"])
    assert stats["best_layer_acc"] == max(stats["acc"]) == stats["acc"][stats["best_layer"]]
    assert stats["ci_best"] == stats["ci"][stats["best_layer"]]
    assert 1 / 100 <= stats["perm_p"] <= 1 and round(stats["perm_p"] * 100, 6) % 1 == 0
    assert stats["n_probe"] == 24 and stats["n_folds"] == 6 and stats["n_permutations"] == 99
    assert stats["protocol"] == "users" and stats["n_users"] >= 6
    # The command reports what the library computes on the same hidden states.
    from evaluators.hidden_states import last_prompt_hidden_states, load_model

    rows = [s for s in load_samples(str(probe_set), "probe") if s["embedded"]]
    model, processor = load_model(tiny_llava, device="cpu")
    states = last_prompt_hidden_states(model, processor, [r["image"] for r in rows])
    labels = label_array([r["user_set"] for r in rows])
    expected = probe_statistics(states, labels, "users", user_groups(rows), 3, 2, 99, seed=5)
    assert stats["acc"] == pytest.approx(expected["acc"], abs=2e-3)
    assert stats["perm_p"] == pytest.approx(expected["perm_p"], abs=0.03)
    assert (out / "probing.png").read_bytes()[:8] == PNG_MAGIC
    assert "corrected for the best-layer pick" in capsys.readouterr().out


def test_cli_folds_0_keeps_the_paper_split_only(tiny_llava, probe_set, tmp_path):  # noqa: F811
    out = tmp_path / "probing"
    args = ["eval", "probing", "--model", str(tiny_llava), "--data", str(probe_set)]
    assert run_cli([*args, "--out", str(out), "--folds", "0"]) == 0
    report = json.loads((out / "probing.json").read_text())
    assert report["statistics"] is None
    assert "statistics" not in report["models"][0]


def test_cli_bad_protocol_stops_before_the_model_loads(probe_set, tmp_path, capsys):
    out = tmp_path / "o"
    args = ["eval", "probing", "--model", str(tmp_path / "no-model"), "--data", str(probe_set)]
    assert run_cli([*args, "--out", str(out), "--protocol", "users", "--folds", "40"]) == 2
    assert "--folds 40" in capsys.readouterr().err  # not a model-loading error
    assert run_cli([*args, "--out", str(out), "--permutations", "0"]) == 2
    assert "--permutations 0" in capsys.readouterr().err
    assert not out.exists()
