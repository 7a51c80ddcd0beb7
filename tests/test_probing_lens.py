"""`mmpriv eval probing --features lens [--reference MODEL]`: the reference-calibrated name lens."""

from __future__ import annotations

import json

import numpy as np
import pytest

from evaluators.hidden_states import DEFAULT_QUERY, load_model
from evaluators.name_lens import (
    answer_token_ids,
    final_norm_and_head,
    lens_features,
    lens_summary,
    name_lens_values,
    paired_names,
)
from evaluators.probing import label_array, probe_statistics, user_groups
from mmpriv_data.cli.eval_probing import load_samples
from mmpriv_data.core.errors import MmprivError
from tests.fixtures_models import tiny_llava  # noqa: F401  (a fixture, used by name)
from tests.fixtures_probing import run_cli


@pytest.fixture(scope="module")
def rows(probe_set) -> list[dict]:
    return [s for s in load_samples(str(probe_set), "probe") if s["embedded"]]


@pytest.fixture(scope="module")
def tiny(tiny_llava):  # noqa: F811 - the imported fixture, requested by name
    return load_model(tiny_llava, device="cpu")


def teacher_forced_log_p(model, processor, image, name: str) -> tuple[float, float]:
    """The model's log p of the assistant turn `name`, from transformers' own loss, and the
    same read off the embeddings (layer 0) through the final norm and head, one row alone."""
    import torch

    user = {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": DEFAULT_QUERY}]}
    reply = {"role": "assistant", "content": [{"type": "text", "text": name}]}
    text = processor.apply_chat_template([user, reply], tokenize=False)
    prompt = processor.apply_chat_template([user], add_generation_prompt=True, tokenize=False)
    inputs = processor(images=[image], text=[text], return_tensors="pt")
    prompt_ids = processor(images=[image], text=[prompt], return_tensors="pt")["input_ids"]
    labels = inputs["input_ids"].clone()
    labels[:, : prompt_ids.shape[1]] = -100  # loss on the answer only
    n_answer = int((labels != -100).sum())
    with torch.no_grad():
        outputs = model(**inputs, labels=labels, output_hidden_states=True)
        decoder, head = model.get_decoder(), model.get_output_embeddings()
        logits = head(decoder.norm(outputs.hidden_states[0]))[0, -n_answer - 1 : -1]
        targets = inputs["input_ids"][0, -n_answer:]
        lens_0 = logits.log_softmax(-1).gather(-1, targets[:, None]).sum()
    return -float(outputs.loss) * n_answer, float(lens_0)


def test_answer_is_the_name_then_the_end_of_turn(tiny):
    _, processor = tiny
    ids = answer_token_ids(processor, "jane_doe42")
    tokenizer = processor.tokenizer
    assert ids[-1] == tokenizer.eos_token_id  # the tiny LLaVA template ends a turn with </s>
    assert tokenizer.decode(ids[:-1]).strip() == "jane_doe42"


def test_last_layer_is_the_models_own_log_likelihood_of_the_name(tiny, rows):
    model, processor = tiny
    images = [r["image"] for r in rows[:5]]
    own, other = paired_names(rows, seed=3)
    values = name_lens_values(model, processor, images, [own[:5], other[:5]], batch_size=2)
    layers = model.config.text_config.num_hidden_layers
    assert values.shape == (2, 5, layers + 1)
    for i in range(5):
        for k, name in enumerate((own[i], other[i])):
            expected, embeddings = teacher_forced_log_p(model, processor, images[i], name)
            assert values[k, i, -1] == pytest.approx(expected, abs=1e-3)
            assert values[k, i, 0] == pytest.approx(embeddings, abs=1e-3)
    # Earlier layers are read through the lens, not copies of the last one.
    assert not np.allclose(values[..., 0], values[..., -1], atol=1e-2)
    # Names of different lengths pad the batch: a row's values never depend on its batch.
    one_by_one = name_lens_values(model, processor, images, [own[:5], other[:5]], batch_size=1)
    assert np.allclose(values, one_by_one, atol=1e-4)


def test_pairs_give_every_image_a_name_of_the_other_set(rows):
    own, other = paired_names(rows, seed=0)
    by_set = {s: {r["username"] for r in rows if r["user_set"] == s} for s in ("U1", "U2")}
    assert own == [r["username"] for r in rows]
    for row, name in zip(rows, other, strict=True):
        assert name in by_set["U2" if row["user_set"] == "U1" else "U1"]
    assert paired_names(rows, seed=0) == (own, other)  # the seed fixes the pairs
    assert any(paired_names(rows, seed=s)[1] != other for s in range(1, 6))


def test_a_model_minus_itself_is_zero_and_probes_at_chance(tiny, rows):
    model, processor = tiny
    own, other = paired_names(rows)
    values = name_lens_values(model, processor, [r["image"] for r in rows], [own, other])
    features = lens_features(values - values)
    assert features.shape == (len(rows), values.shape[-1], 2) and not features.any()
    labels = label_array([r["user_set"] for r in rows])
    stats = probe_statistics(features, labels, "users", user_groups(rows), 3, 2, 99)
    assert stats["acc"] == [0.5] * values.shape[-1] and stats["perm_p"] == 1.0


def test_a_model_that_finds_u1_names_likelier_is_seen_against_its_reference(tiny_llava, rows):  # noqa: F811
    """Planted memorization: an output bias on the tokens only U1 names use. Against the
    unchanged model, the lens features separate the sets for users the probe never saw."""
    import torch

    reference, processor = load_model(tiny_llava, device="cpu")
    planted, _ = load_model(tiny_llava, device="cpu")
    names = paired_names(rows)
    images = [r["image"] for r in rows]
    tokens = {
        s: {
            t
            for r in rows
            if r["user_set"] == s
            for t in answer_token_ids(processor, r["username"])
        }
        for s in ("U1", "U2")
    }
    head = planted.get_output_embeddings()
    biased = torch.nn.Linear(head.in_features, head.out_features, bias=True)
    with torch.no_grad():
        biased.weight.copy_(head.weight)
        biased.bias.zero_()
        biased.bias[sorted(tokens["U1"] - tokens["U2"])] = 1.0
    planted.set_output_embeddings(biased)
    change = name_lens_values(planted, processor, images, names) - name_lens_values(
        reference, processor, images, names
    )
    means = lens_summary(change, [r["user_set"] for r in rows])
    assert min(means["U1"]) > 1.0 and max(means["U2"]) < 0.0  # U1 names got likelier
    labels = label_array([r["user_set"] for r in rows])
    stats = probe_statistics(lens_features(change), labels, "users", user_groups(rows), 3, 2, 99)
    assert stats["best_layer_acc"] >= 0.85 and stats["perm_p"] <= 0.02


def test_cli_with_a_reference_writes_the_lens_report(tiny_llava, probe_set, tmp_path, capsys):  # noqa: F811
    out = tmp_path / "lens"
    args = ["eval", "probing", "--model", str(tiny_llava), "--data", str(probe_set)]
    args += ["--out", str(out), "--features", "lens", "--reference", str(tiny_llava)]
    args += ["--protocol", "users", "--folds", "3", "--repeats", "2", "--permutations", "99"]
    assert run_cli(args) == 0
    report = json.loads((out / "probing.json").read_text())
    assert report["features"] == "lens"
    assert report["reference"] == {"model": str(tiny_llava), "adapter": None}
    assert "minus --reference" in report["lens"]["values"]
    assert report["lens"]["pairing_seed"] == 0
    (result,) = report["models"]
    stats = result["statistics"]
    layers = 3  # embeddings + 2 decoder layers
    assert len(stats["acc"]) == len(stats["ci"]) == len(stats["per_layer_p"]) == layers
    assert stats["acc"] == [0.5] * layers and stats["perm_p"] == 1.0  # the model vs itself
    assert result["lens_mean_own_name"] == {"U1": [0.0] * layers, "U2": [0.0] * layers}
    assert report["statistics"]["protocol"] == "users" and stats["n_probe"] == 24
    assert (out / "probing.png").read_bytes()[:4] == b"\x89PNG"
    assert "corrected for the best-layer pick" in capsys.readouterr().out


def test_cli_without_a_reference_probes_raw_values(tiny_llava, probe_set, tmp_path, tiny):  # noqa: F811
    out = tmp_path / "raw"
    args = ["eval", "probing", "--model", str(tiny_llava), "--data", str(probe_set)]
    args += ["--out", str(out), "--features", "lens", "--folds", "3", "--repeats", "2"]
    assert run_cli([*args, "--permutations", "99", "--seed", "4"]) == 0
    report = json.loads((out / "probing.json").read_text())
    assert report["features"] == "lens" and report["reference"] is None
    assert "raw lens values" in report["lens"]["values"]
    # The command probes what the library gives for the same rows, names and seed.
    model, processor = tiny
    rows = [s for s in load_samples(str(probe_set), "probe") if s["embedded"]]
    values = name_lens_values(model, processor, [r["image"] for r in rows], paired_names(rows, 4))
    labels = label_array([r["user_set"] for r in rows])
    expected = probe_statistics(lens_features(values), labels, "paper", None, 3, 2, 99, seed=4)
    stats = report["models"][0]["statistics"]
    assert stats["acc"] == pytest.approx(expected["acc"], abs=2e-3)
    own_means = lens_summary(values, [r["user_set"] for r in rows])
    reported = report["models"][0]["lens_mean_own_name"]
    assert reported.keys() == own_means.keys()
    for user_set, layer_means in own_means.items():  # approx takes no nested mappings
        assert reported[user_set] == pytest.approx(layer_means, abs=2e-3), user_set
    assert max(own_means["U1"]) < 0  # raw values are log-likelihoods


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--reference", "x"], "--reference needs --features lens"),
        (["--features", "pixels"], "--features 'pixels'"),
        (["--features", "lens", "--reference-adapter", "a"], "--reference-adapter needs"),
        (["--features", "lens", "--reference", "x", "--reference-adapter", "a"], "adapter_config"),
    ],
)
def test_cli_bad_lens_options_stop_before_any_model(probe_set, tmp_path, capsys, extra, message):
    out = tmp_path / "o"
    args = ["eval", "probing", "--model", str(tmp_path / "no-model"), "--data", str(probe_set)]
    assert run_cli([*args, "--out", str(out), *extra]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_rows_without_a_username_and_models_without_a_norm_are_named(tiny):
    rows = [{"id": "a", "user_set": "U1", "username": "ann"}, {"id": "b", "user_set": "U2"}]
    with pytest.raises(MmprivError, match=r"row 1 \(b\) has no username"):
        paired_names(rows)
    with pytest.raises(MmprivError, match="usernames of both user sets"):
        paired_names([{"id": "a", "user_set": "U1", "username": "ann"}])

    class Headless:
        def get_output_embeddings(self):
            return tiny[0].get_output_embeddings()

    with pytest.raises(MmprivError, match="--model m/x .*Headless.* no final norm"):
        final_norm_and_head(Headless(), "--model m/x")
    norm, head = final_norm_and_head(tiny[0])
    assert head is tiny[0].get_output_embeddings() and norm is tiny[0].get_decoder().norm
