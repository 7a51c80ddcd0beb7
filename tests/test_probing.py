"""Layer-wise probing: hidden states per layer, the probe, the plot, `mmpriv eval probing`."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from evaluators.hidden_states import last_prompt_hidden_states, load_model
from evaluators.probing import label_array, plot_probing, probe_by_layer
from mmpriv_data.core.errors import MmprivError
from tests.fixtures_models import tiny_llava  # noqa: F401  (a fixture, used by name)
from tests.fixtures_probing import run_cli

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def tiny(tiny_llava):  # noqa: F811 - the imported fixture, requested by name
    return load_model(tiny_llava, device="cpu")


def flat_images(values: list[int]) -> list[Image.Image]:
    return [Image.new("RGB", (40, 40), (v, v, v)) for v in values]


def test_hidden_states_have_one_entry_per_layer_and_see_the_image(tiny):
    model, processor = tiny
    states = last_prompt_hidden_states(model, processor, flat_images([0, 255, 0]), batch_size=2)
    layers = model.config.text_config.num_hidden_layers
    assert states.shape == (3, layers + 1, model.config.text_config.hidden_size)
    assert states.dtype == np.float32
    # Layer 0 at the last prompt token is that token's embedding: the same for every image.
    assert np.allclose(states[0, 0], states[1, 0])
    # Deeper layers attend to the image: black and white differ, two black images agree.
    assert not np.allclose(states[0, -1], states[1, -1], atol=1e-4)
    assert np.allclose(states[0], states[2], atol=1e-5)


def test_hidden_states_do_not_depend_on_batch_size(tiny):
    model, processor = tiny
    images = flat_images([10, 80, 160, 240, 40])
    one = last_prompt_hidden_states(model, processor, images, batch_size=1)
    many = last_prompt_hidden_states(model, processor, images, batch_size=4)
    assert np.allclose(one, many, atol=1e-4)


def test_adapter_is_applied(tiny_llava, tmp_path):  # noqa: F811
    import torch
    from peft import LoraConfig, get_peft_model

    model, processor = load_model(tiny_llava, device="cpu")
    lora = get_peft_model(
        model, LoraConfig(r=4, lora_alpha=8, target_modules=r".*language_model.*\.(q_proj|v_proj)")
    )
    with torch.no_grad():  # a trained adapter, in effect: non-zero B matrices
        for name, weight in lora.named_parameters():
            if "lora_B" in name:
                weight.fill_(0.5)
    lora.save_pretrained(tmp_path / "adapter")
    base, _ = load_model(tiny_llava, device="cpu")
    adapted, _ = load_model(tiny_llava, adapter=tmp_path / "adapter", device="cpu")
    images = flat_images([30, 200])
    plain = last_prompt_hidden_states(base, processor, images)
    with_adapter = last_prompt_hidden_states(adapted, processor, images)
    assert plain.shape == with_adapter.shape
    assert not np.allclose(plain[:, -1], with_adapter[:, -1], atol=1e-3)


def test_missing_adapter_is_one_clear_error(tiny_llava, tmp_path):  # noqa: F811
    with pytest.raises(MmprivError, match="--adapter .*adapter_config.json"):
        load_model(tiny_llava, adapter=tmp_path, device="cpu")


def test_probe_separates_classes_that_differ_and_not_classes_that_do_not():
    rng = np.random.default_rng(7)
    labels = np.array([0, 1] * 100)
    states = rng.normal(size=(200, 4, 16))
    states[:, 2, :3] += 1.5 * labels[:, None]  # only layer 2 carries the class
    result = probe_by_layer(states, labels)
    accuracy = result["accuracy_by_layer"]
    assert len(accuracy) == 4 and result["n_test"] == 40 and result["n_train"] == 160
    assert result["best_layer"] == 2 and accuracy[2] >= 0.9
    for layer in (0, 1, 3):  # pure noise: around chance
        assert 0.3 <= accuracy[layer] <= 0.7


def test_probe_is_seeded_and_split_stratified():
    rng = np.random.default_rng(1)
    labels = np.array([0] * 30 + [1] * 30)
    states = rng.normal(size=(60, 2, 8))
    assert probe_by_layer(states, labels) == probe_by_layer(states, labels)
    assert probe_by_layer(states, labels)["n_test"] == 12


def test_probe_rejects_too_few_rows_of_a_set():
    with pytest.raises(MmprivError, match="at least 2 samples of each user set"):
        probe_by_layer(np.zeros((5, 2, 3)), np.array([0, 0, 0, 0, 1]))
    with pytest.raises(MmprivError, match="neither U1 nor U2"):
        label_array(["U1", "U2", ""])


def test_probe_on_a_tiny_model_finds_images_that_differ_by_construction(tiny):
    """Dark vs bright images stand for U1 vs U2; random grey levels with random labels do not."""
    model, processor = tiny
    rng = np.random.default_rng(3)
    labels = np.array([0, 1] * 30)
    levels = np.where(labels == 0, rng.integers(0, 60, 60), rng.integers(195, 256, 60))
    differing = last_prompt_hidden_states(model, processor, flat_images(levels.tolist()))
    result = probe_by_layer(differing, labels)
    assert result["accuracy_by_layer"][0] == 0.5  # the token embedding never sees the image
    assert max(result["accuracy_by_layer"][1:]) >= 0.9

    same = last_prompt_hidden_states(
        model, processor, flat_images(rng.integers(0, 256, 60).tolist())
    )
    assert max(probe_by_layer(same, labels)["accuracy_by_layer"]) <= 0.75


def test_plot_is_a_png(tmp_path):
    path = plot_probing(
        {"base": [0.5, 0.5, 0.55], "rate 1.0": [0.5, 0.8, 0.95]}, tmp_path / "p.png"
    )
    assert path.read_bytes()[:8] == PNG_MAGIC
    assert list(tmp_path.iterdir()) == [path]  # no temp file left behind


def test_cli_probing_end_to_end(tiny_llava, probe_set, tmp_path, capsys):  # noqa: F811
    out = tmp_path / "probing"
    args = ["eval", "probing", "--data", str(probe_set), "--out", str(out), "--batch-size", "8"]
    code = run_cli([*args, "--model", str(tiny_llava), "--model", str(tiny_llava)])
    assert code == 0
    report = json.loads((out / "probing.json").read_text())
    assert report["n_samples"] == 24 and report["n_per_set"] == {"U1": 12, "U2": 12}
    assert report["query"] == "What is the username?"
    assert len(report["models"]) == 2  # both models, one plot
    # The command must probe exactly what the library gives for these images, labels and query:
    # same rows in the same order, each image with its own user set.
    from mmpriv_data.cli.eval_probing import load_samples

    rows = [s for s in load_samples(str(probe_set), "probe") if s["embedded"]]
    model, processor = load_model(tiny_llava, device="cpu")
    states = last_prompt_hidden_states(
        model, processor, [r["image"] for r in rows], report["query"], batch_size=8
    )
    expected = probe_by_layer(states, label_array([r["user_set"] for r in rows]))
    for model_result in report["models"]:
        assert len(model_result["accuracy_by_layer"]) == 3  # embeddings + 2 layers
        assert model_result["accuracy_by_layer"] == pytest.approx(expected["accuracy_by_layer"])
        assert model_result["best_layer"] == expected["best_layer"]
        assert model_result["n_test"] == expected["n_test"]
    assert (out / "probing.png").read_bytes()[:8] == PNG_MAGIC
    assert "best layer" in capsys.readouterr().out


def test_cli_probing_errors_name_the_option(tiny_llava, probe_set, tmp_path, capsys):  # noqa: F811
    base = ["eval", "probing", "--model", str(tiny_llava), "--out", str(tmp_path / "o")]
    assert run_cli([*base, "--data", str(tmp_path / "nowhere" / "x" / "y")]) == 2
    assert "--data" in capsys.readouterr().err
    code = run_cli([*base, "--data", str(probe_set), "--adapter", "a", "--adapter", "b"])
    assert code == 2
    assert "2 --adapter for 1 --model" in capsys.readouterr().err
    assert run_cli([*base, "--data", str(probe_set), "--config", "rate_0"]) == 2
    assert "probing needs at least 2 samples" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()  # nothing written on failure
