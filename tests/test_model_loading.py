"""Model loading errors name the option and say what is wrong (no network involved)."""

from __future__ import annotations

import pytest

from mmpriv_data.core.errors import MmprivError
from mmpriv_data.core.models import load_causal_lm, load_image_text_model, model_error
from tests.fixtures_models import tiny_llava  # noqa: F401  (a fixture, used by name)


def test_missing_folder_is_named(tmp_path):
    with pytest.raises(MmprivError, match=r"^--model .*/nope: no such model folder$"):
        load_image_text_model(tmp_path / "nope")


def test_a_folder_without_a_model_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(MmprivError, match="--judge .*: cannot load a model from this folder"):
        load_causal_lm(tmp_path, option="--judge")


def test_a_hub_id_that_cannot_be_reached_says_so():
    error = model_error("--model", "org/some-model", OSError("offline"))
    assert "no Hub model of that id could be loaded" in str(error)


def test_the_tiny_model_loads_for_evaluation(tiny_llava, tmp_path):  # noqa: F811
    """The saved weights, in eval mode, in the dtype asked for; an adapter folder with its base."""
    import torch
    from peft import LoraConfig, get_peft_model
    from PIL import Image
    from transformers import AutoModelForImageTextToText

    model, processor = load_image_text_model(tiny_llava, device="cpu")
    assert not model.training and next(model.parameters()).device.type == "cpu"
    turn = {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Who?"}]}
    prompt = processor.apply_chat_template([turn], add_generation_prompt=True, tokenize=False)
    image = Image.new("RGB", (64, 64), (200, 30, 30))
    batch = processor(text=[prompt], images=[image], return_tensors="pt")
    with torch.no_grad():
        loaded = model(**batch).logits
    saved = AutoModelForImageTextToText.from_pretrained(tiny_llava).eval()
    with torch.no_grad():
        assert torch.equal(saved(**batch).logits, loaded)
    half, _ = load_image_text_model(tiny_llava, device="cpu", dtype=torch.bfloat16)
    assert {p.dtype for p in half.parameters()} == {torch.bfloat16}

    # A LoRA adapter folder (non-zero weights, so it changes the outputs) loads with its base.
    torch.manual_seed(0)
    lora = LoraConfig(r=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    adapted = get_peft_model(saved, lora).eval()
    adapted.save_pretrained(tmp_path / "adapter")
    processor.save_pretrained(tmp_path / "adapter")
    with torch.no_grad():
        expected = adapted(**batch).logits
    model, _ = load_image_text_model(tmp_path / "adapter", device="cpu")
    with torch.no_grad():
        got = model(**batch).logits
    assert torch.allclose(got, expected, atol=1e-5)
    assert not torch.allclose(got, loaded, atol=1e-3)
