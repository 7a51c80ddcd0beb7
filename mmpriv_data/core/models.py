"""Loading models by folder or Hub id, with one clear error when that fails.

torch and transformers are imported inside the functions: building data never needs them.

>>> model, processor = load_image_text_model("models/tiny-llava")  # doctest: +SKIP
"""

from __future__ import annotations

import re
from pathlib import Path

from mmpriv_data.core.errors import MmprivError

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")


def model_error(option: str, path: str, error: BaseException) -> MmprivError:
    """One line saying whether `path` is missing, not a model, or an unreachable Hub id."""
    if Path(path).exists():
        detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return MmprivError(f"{option} {path}: cannot load a model from this folder ({detail})")
    if _HUB_ID.match(path) and not path.startswith((".", "~")):
        return MmprivError(
            f"{option} {path}: no such folder, and no Hub model of that id could be loaded "
            "(offline, or not in the local cache)"
        )
    return MmprivError(f"{option} {path}: no such model folder")


def default_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def load_image_text_model(
    path: str | Path,
    *,
    option: str = "--model",
    dtype=None,
    device: str | None = None,
    attn_implementation: str | None = None,
    for_eval: bool = True,
):
    """(model, processor) of an image-text model (`AutoModelForImageTextToText`) on `device`.

    A folder holding a peft adapter loads its base model with the adapter (transformers does).
    """
    from transformers import AutoModelForImageTextToText, AutoProcessor

    path = str(path)
    kwargs = {"dtype": dtype} if dtype is not None else {}
    if attn_implementation:
        kwargs["attn_implementation"] = attn_implementation
    try:
        processor = AutoProcessor.from_pretrained(path)
        model = AutoModelForImageTextToText.from_pretrained(path, **kwargs)
    except (OSError, ValueError) as error:
        raise model_error(option, path, error) from None
    model = model.to(device or default_device())
    return (model.eval() if for_eval else model), processor


def load_causal_lm(path: str | Path, *, option: str = "--judge", device: str | None = None):
    """(model, tokenizer) of a text-only causal LM in eval mode (judges, rewriters)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = str(path)
    try:
        tokenizer = AutoTokenizer.from_pretrained(path)
        model = AutoModelForCausalLM.from_pretrained(path)
    except (OSError, ValueError) as error:
        raise model_error(option, path, error) from None
    return model.to(device or default_device()).eval(), tokenizer
