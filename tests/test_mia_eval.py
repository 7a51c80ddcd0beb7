"""`mmpriv eval mia` end to end on tiny local models, the batched scorer, and bad input."""

# ruff: noqa: F811  (pytest fixtures imported by name, then requested as arguments)
from __future__ import annotations

import json

import numpy as np
import pyarrow.parquet as pq
import pytest
from fixtures_mia import mia_data, run_cli, save_text_model, tiny_text_models  # noqa: F401
from fixtures_models import tiny_llava  # noqa: F401
from sklearn.metrics import roc_auc_score

from evaluators.mia.fimmia import cross_fitted_scores


def _eval(capsys, out, *args):
    code, stdout, err = run_cli(capsys, "eval", "mia", "--out", out, *args)
    assert code == 0, err
    return json.loads((out / "metrics.json").read_text()), stdout


def test_trained_model_is_caught_untrained_is_not(capsys, mia_data, tiny_text_models, tmp_path):
    trained, _ = _eval(
        capsys, tmp_path / "trained", "--model", tiny_text_models["trained"], "--data", mia_data,
        "--ref-model", tiny_text_models["untrained"],
        "--attacks", "loss,zlib,min_k,min_k_pp,neighborhood,ref",
    )  # fmt: skip
    attacks = trained["attacks"]
    assert attacks["loss"]["auc"] > 0.9
    assert attacks["ref"]["auc"] > 0.9 and attacks["min_k"]["auc"] > 0.9
    assert attacks["neighborhood"]["auc"] > 0.6
    for metrics in attacks.values():
        assert {"auc", "auc_ci", "tpr_at_fpr"} <= set(metrics)
    scores = pq.read_table(tmp_path / "trained" / "scores.parquet").to_pandas()
    assert len(scores) == 60 and scores["member"].sum() == 30
    # The report's AUC is the one scikit-learn gives on the written per-sample scores.
    expected = roc_auc_score(scores["label"], scores["score_loss"])
    assert expected == pytest.approx(attacks["loss"]["auc"])
    assert (tmp_path / "trained" / "roc.png").read_bytes()[:4] == b"\x89PNG"

    untrained_model = tiny_text_models["untrained"]
    untrained, _ = _eval(
        capsys, tmp_path / "u", "--model", untrained_model, "--data", mia_data, "--attacks", "loss"
    )
    assert 0.3 < untrained["attacks"]["loss"]["auc"] < 0.7


def test_learned_fimmia_attack_end_to_end(capsys, mia_data, tiny_text_models, tmp_path):
    metrics, stdout = _eval(
        capsys, tmp_path / "f", "--model", tiny_text_models["trained"], "--data", mia_data,
        "--attacks", "fimmia",
    )  # fmt: skip
    assert metrics["entries"] == 60 and "fimmia" in stdout
    assert set(metrics["attacks"]["fimmia"]["tpr_at_fpr"]) == {"0.001", "0.01", "0.05"}
    # Out-of-fold, the learned attack finds what training left in the neighbour losses; on the
    # same samples an untrained model gives it much less to find.
    trained = metrics["attacks"]["fimmia"]["auc"]
    untrained, _ = _eval(
        capsys, tmp_path / "u", "--model", tiny_text_models["untrained"], "--data", mia_data,
        "--attacks", "fimmia",
    )  # fmt: skip
    assert trained > 0.75 and trained > untrained["attacks"]["fimmia"]["auc"] + 0.1


def test_model_level_setting_scores_members_under_both_models(
    capsys,
    mia_data,
    tiny_text_models,
    tmp_path,
):
    # The base model is trained exactly as the target, on the non-members: both know the data's
    # distribution, so only memorisation of the members tells them apart.
    metrics, _ = _eval(
        capsys, tmp_path / "ml", "--model", tiny_text_models["trained"],
        "--base-model", tiny_text_models["nonmembers"], "--data", mia_data, "--attacks", "loss",
    )  # fmt: skip
    assert metrics["setting"] == "model-level" and metrics["entries"] == 60
    assert metrics["attacks"]["loss"]["auc"] > 0.9
    scores = pq.read_table(tmp_path / "ml" / "scores.parquet").to_pandas()
    assert set(scores["model"]) == {"target", "base"} and scores["member"].all()
    assert (scores["label"] == (scores["model"] == "target")).all()  # label 1 = finetuned copy
    # A target that is its own base: the two copies of every sample score the same: chance.
    same, _ = _eval(
        capsys, tmp_path / "same", "--model", tiny_text_models["nonmembers"],
        "--base-model", tiny_text_models["nonmembers"], "--data", mia_data, "--attacks", "loss",
    )  # fmt: skip
    assert same["attacks"]["loss"]["auc"] == pytest.approx(0.5)


def test_learned_attack_never_scores_in_sample():
    """Pure-noise features: an MLP scored in-sample would fit them; out-of-fold it cannot."""
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 30)
    loss_diffs, emb_diffs = rng.normal(size=(60, 4)), rng.normal(size=(60, 4, 24))
    scores = cross_fitted_scores(loss_diffs, emb_diffs, labels, [str(i) for i in range(60)])
    assert 0.25 < roc_auc_score(labels, scores) < 0.75


def test_batched_scores_equal_one_at_a_time_for_an_image_text_model(mia_data, tiny_llava):
    from evaluators.scoring import LossScorer
    from mmpriv_data.definitions.mia_neighbors import read_samples

    rows = read_samples(mia_data, ["messages", "images"]).to_pylist()[:6]
    batched = LossScorer(tiny_llava, batch_tokens=100000)
    encoded = [batched.encode(r["messages"], r["images"]) for r in rows]
    assert "pixel_values" in encoded[0].extras
    together = batched.score_encoded(encoded)
    batched.max_batch = 1
    alone = batched.score_encoded(encoded)
    for a, b in zip(together, alone, strict=True):
        assert a.loss == pytest.approx(b.loss, abs=1e-4)
        assert a.n_tokens == b.n_tokens > 0
    # Only assistant tokens count: the decoded targets are the assistant text.
    tokens = [t for t, f in zip(encoded[0].input_ids, encoded[0].target, strict=True) if f]
    decoded = batched.tokenizer.decode(tokens)
    assert rows[0]["messages"][1]["content"][0]["text"][:40] in decoded
    assert "Who is this person" not in decoded


def test_bad_input_is_one_clear_line(capsys, mia_data, tiny_text_models, tmp_path):
    model = str(tiny_text_models["trained"])
    code, _, err = run_cli(
        capsys,
        "eval",
        "mia",
        "--model",
        tmp_path / "none",
        "--data",
        mia_data,
        "--out",
        tmp_path / "o",
    )
    assert code == 2 and "--model" in err and "no such model folder" in err
    code, _, err = run_cli(
        capsys,
        "eval",
        "mia",
        "--model",
        model,
        "--data",
        mia_data,
        "--attacks",
        "ref",
        "--out",
        tmp_path / "o",
    )
    assert code == 2 and "--ref-model" in err
    broken = tmp_path / "broken" / "samples"
    broken.mkdir(parents=True)
    table = pq.read_table(next((mia_data / "samples").glob("member-*.parquet")), columns=["id"])
    for split in ("member", "nonmember"):
        pq.write_table(table, broken / f"{split}-00000-of-00001.parquet")
    code, _, err = run_cli(
        capsys, "eval", "mia", "--model", model, "--data", broken.parent, "--out", tmp_path / "o"
    )
    assert code == 2 and "missing column(s) messages" in err and "member-00000" in err
    texts = ["User: hello there\nAssistant: general kenobi\n"] * 4
    mismatched = save_text_model(tmp_path / "mismatch", texts, [], steps=0, vocab=50)
    code, _, err = run_cli(
        capsys, "eval", "mia", "--model", mismatched, "--data", mia_data, "--out", tmp_path / "o"
    )
    assert code == 2 and "tokenizer/model mismatch" in err
    assert not (tmp_path / "o").exists()  # nothing half-written


def test_vocab_stats_only_on_request_and_other_scores_unchanged(
    capsys, mia_data, tiny_text_models, tmp_path
):
    import torch

    from evaluators.mia import ATTACKS, MiaInputs
    from evaluators.scoring import LossScorer
    from mmpriv_data.core.errors import MmprivError
    from mmpriv_data.definitions.mia_neighbors import read_samples

    rows = read_samples(mia_data, ["messages"]).to_pylist()[:8]
    scorer = LossScorer(tiny_text_models["trained"], batch_tokens=100000)
    samples = [(r["messages"], None) for r in rows]
    with_stats, without = scorer.score(samples, vocab_stats=True), scorer.score(samples)
    for a, b in zip(with_stats, without, strict=True):
        assert a.loss == b.loss and np.array_equal(a.logprobs, b.logprobs)
        assert b.mink_pp is None and a.mink_pp.shape == a.logprobs.shape
    # The statistics against a plain log-softmax over the vocabulary, on the first sample.
    encoded = scorer.encode(*samples[0])
    ids = torch.tensor(encoded.input_ids)
    with torch.inference_mode():
        logp = scorer.model(input_ids=ids[None]).logits[0, :-1].log_softmax(-1)
    predicts_target = torch.tensor(encoded.target[1:])
    logp, wanted = logp[predicts_target], ids[1:][predicts_target]
    token = logp.gather(-1, wanted[:, None])[:, 0]
    mu = (logp.exp() * logp).sum(-1)
    sigma = (logp.exp() * (logp - mu[:, None]).square()).sum(-1).sqrt()
    assert with_stats[0].logprobs == pytest.approx(token.numpy(), abs=1e-5)
    assert with_stats[0].mink_pp == pytest.approx(((token - mu) / sigma).numpy(), abs=1e-3)

    def inputs(target):
        labels = np.array([int(r["member"]) for r in rows])
        return MiaInputs(labels, [str(i) for i in range(8)], ["some text"] * 8, target)

    for name in ("loss", "zlib", "min_k"):
        expected = ATTACKS[name].scores(inputs(with_stats))
        assert np.array_equal(ATTACKS[name].scores(inputs(without)), expected)
    with pytest.raises(MmprivError, match="min_k_pp: .* no vocabulary statistics"):
        ATTACKS["min_k_pp"].scores(inputs(without))

    # Through the CLI: min_k_pp absent unless asked for; the other columns do not change.
    model = tiny_text_models["trained"]
    for name, attacks in (("plain", "loss,min_k"), ("stats", "loss,min_k,min_k_pp")):
        _eval(capsys, tmp_path / name, "--model", model, "--data", mia_data,
              "--attacks", attacks, "--max-samples", "5")  # fmt: skip
    plain = pq.read_table(tmp_path / "plain" / "scores.parquet").to_pydict()
    stats = pq.read_table(tmp_path / "stats" / "scores.parquet").to_pydict()
    assert "score_min_k_pp" not in plain and len(stats["score_min_k_pp"]) == 10
    for column in ("loss", "score_loss", "score_min_k"):
        assert plain[column] == stats[column]
