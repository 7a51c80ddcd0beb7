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


def test_the_tiny_model_loads_for_evaluation(tiny_llava):  # noqa: F811
    model, processor = load_image_text_model(tiny_llava, device="cpu")
    assert not model.training and processor.tokenizer is not None
