"""Reference-calibrated logit lens: per-layer log p of an image's username, for probing.

`mmpriv eval probing --features lens` probes these values instead of hidden states. For
every probe image the model is asked the probing question ("What is the username?") and
teacher-forced two answers: the image's own username and a username of the other user set
(`paired_names`). The answer is what the chat template gives for an assistant turn holding
the name: the name, then the template's end of turn (`</s>` for LLaVA-1.5, `<|im_end|>` for
Qwen2-VL; trailing whitespace after it is dropped). For each answer, the log p summed over
its tokens is read off every layer's hidden state through the model's own final norm and
output head (a logit lens); the last layer's value is the model's own log-likelihood of the
answer (from its logits).

Raw values carry how likely each name is anyway (its length, its tokens, the model's prior);
subtracting the same values from a reference model (e.g. the same finetune without the text
in the images, rate_0) leaves what the finetune changed, which is what memorization of U1
names shows up as (bench/results/probing_reader.md: the positive control probes at 0.65-0.70
balanced accuracy user-disjoint, p = 0.002, where LDA on hidden states stays at chance).

torch and transformers are imported inside the functions, like hidden_states.py.

>>> own, other = paired_names(samples, seed=0)  # doctest: +SKIP
>>> values = name_lens_values(model, processor, images, [own, other])  # doctest: +SKIP
>>> values.shape  # (names, images, layers + 1)  # doctest: +SKIP
(2, 24, 3)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from evaluators.hidden_states import DEFAULT_QUERY, batches, prompt_text
from mmpriv_data.core.errors import MmprivError

if TYPE_CHECKING:  # pragma: no cover - typing only
    from PIL import Image

ANSWER_NOTE = (
    "answer = the username, then the chat template's end of turn; log p summed over its "
    "tokens, read off every layer through the final norm and output head (last layer: the "
    "model's own log-likelihood); features per layer: own name, other set's name"
)
RAW_NOTE = (
    "raw lens values (no --reference): they carry each name's own likelihood (length, "
    "tokens, the model's prior), which a reference model's values would remove"
)


def check_usernames(samples: Sequence[Mapping]) -> None:
    """Every probe row names its user: `--features lens` teacher-forces that name."""
    for index, sample in enumerate(samples):
        if not isinstance(sample.get("username"), str) or not sample["username"].strip():
            raise MmprivError(
                f"row {index} ({sample.get('id')}) has no username: --features lens "
                "teacher-forces each image's username"
            )


def paired_names(samples: Sequence[Mapping], seed: int = 0) -> tuple[list[str], list[str]]:
    """(own name, other-set name) per image: its own username, and a username of the other
    user set drawn with `seed` (a U2 name for a U1 image, a U1 name for a U2 image).

    The other set's names are those of the probe rows, sorted, so the pairing depends only
    on the rows and the seed: a model and its reference are asked the same names.

    >>> rows = [{"user_set": "U1", "username": "ann"}, {"user_set": "U2", "username": "bo"}]
    >>> paired_names(rows)
    (['ann', 'bo'], ['bo', 'ann'])
    """
    check_usernames(samples)
    names = {
        s: sorted({r["username"] for r in samples if r["user_set"] == s}) for s in ("U1", "U2")
    }
    if not names["U1"] or not names["U2"]:
        raise MmprivError("--features lens needs usernames of both user sets (U1 and U2)")
    rng = np.random.default_rng(seed)
    other_set = {"U1": "U2", "U2": "U1"}
    own = [r["username"] for r in samples]
    other = []
    for row in samples:
        pool = names[other_set[row["user_set"]]]
        other.append(pool[int(rng.integers(len(pool)))])
    return own, other


def lens_features(values: np.ndarray) -> np.ndarray:
    """(2, n, layers) own-name and other-name values -> (n, layers, 2) probe features,
    standardized per (layer, feature) over the images (labels unused; a constant column,
    e.g. a model minus itself, stays all zero)."""
    features = np.moveaxis(np.asarray(values, dtype=np.float64), 0, -1)
    centered = features - features.mean(0)
    return centered / (features.std(0) + 1e-9)


def lens_summary(values: np.ndarray, user_sets: Sequence[str]) -> dict:
    """Mean own-name value per layer on U1 and on U2 images (4 decimals): a model that made
    U1 names likelier shows a higher U1 line (against a reference: above zero)."""
    sets = np.asarray(user_sets)
    own = np.asarray(values, dtype=np.float64)[0]
    return {s: [round(float(v), 4) for v in own[sets == s].mean(0)] for s in ("U1", "U2")}


def final_norm_and_head(model, name: str = "the model"):
    """(final norm, output head) of an image-text model, found generically: the head is
    `get_output_embeddings()`, the norm the decoder's `.norm` (`get_decoder()`, else the
    `language_model`). A peft wrapper is looked through."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    head = base.get_output_embeddings() if hasattr(base, "get_output_embeddings") else None
    candidates = []
    if hasattr(base, "get_decoder"):
        candidates.append(base.get_decoder())
    for owner in (base, getattr(base, "model", None)):
        candidates.append(getattr(owner, "language_model", None))
    norm = next((getattr(c, "norm", None) for c in candidates if hasattr(c, "norm")), None)
    if head is None or norm is None:
        missing = "output head (get_output_embeddings())" if head is None else "final norm"
        raise MmprivError(
            f"--features lens: {name} ({type(base).__name__}) has no {missing}; the logit "
            "lens reads every layer through the decoder's final `.norm` and the output head"
        )
    return norm, head


def answer_token_ids(processor, answer: str, query: str = DEFAULT_QUERY) -> list[int]:
    """Token ids of `answer` as the chat template writes an assistant turn after `query`:
    the text the full conversation adds to the generation prompt, trailing whitespace
    dropped, tokenized in context (the full text's tokens beyond the prompt's)."""
    tokenizer = getattr(processor, "tokenizer", processor)
    prompt = prompt_text(processor, query)
    user = {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": query}]}
    reply = {"role": "assistant", "content": [{"type": "text", "text": answer}]}
    full = processor.apply_chat_template([user, reply], tokenize=False)
    if not full.startswith(prompt) or answer not in full[len(prompt) :]:
        raise MmprivError(
            "--features lens: the chat template's assistant turn does not continue its "
            f"generation prompt ({prompt[-40:]!r} -> {full[-60:]!r})"
        )
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    full_ids = tokenizer(prompt + full[len(prompt) :].rstrip(), add_special_tokens=False)[
        "input_ids"
    ]
    if full_ids[: len(prompt_ids)] != prompt_ids or len(full_ids) == len(prompt_ids):
        raise MmprivError(
            f"--features lens: the tokenizer merges the answer {answer!r} into the prompt's "
            "last token; cannot teacher-force it"
        )
    return full_ids[len(prompt_ids) :]


def name_lens_values(
    model,
    processor,
    images: Sequence[Image.Image],
    names: Sequence[Sequence[str]],
    query: str = DEFAULT_QUERY,
    batch_size: int = 16,
    progress=None,
    model_name: str = "the model",
) -> np.ndarray:
    """float64 [len(names), n_images, n_layers + 1]: log p of each answer, every layer.

    `names[k][i]` is the k-th name teacher-forced for image i. Entry 0 reads the input
    embeddings, entry j decoder layer j's output (each through the final norm and the head);
    the last entry is the model's own log-likelihood of the answer, from its logits.
    """
    import torch

    if not images or any(len(column) != len(images) for column in names):
        raise MmprivError(f"{len(images)} images but names for {[len(c) for c in names]}")
    norm, head = final_norm_and_head(model, model_name)
    cache: dict[str, list[int]] = {}
    prompt = prompt_text(processor, query)
    chunks = []
    with torch.inference_mode():
        for number, batch in enumerate(batches(list(images), batch_size)):
            start = number * batch_size
            encoded = _prompt_inputs(model, processor, batch, prompt)
            rows = []
            for column in names:
                answers = []
                for name in column[start : start + len(batch)]:
                    if name not in cache:
                        cache[name] = answer_token_ids(processor, name, query)
                    answers.append(cache[name])
                rows.append(_answer_logprobs(model, norm, head, encoded, answers))
            chunks.append(np.stack(rows))
            if progress is not None:
                progress(len(batch))
    return np.concatenate(chunks, axis=1)


def _prompt_inputs(model, processor, images, prompt: str) -> dict:
    """The processor's inputs for the prompt, one image each (pixel keys as they come)."""
    inputs = processor(
        images=[image.convert("RGB") for image in images],
        text=[prompt] * len(images),
        padding=True,
        return_tensors="pt",
    )
    dtype = next(model.parameters()).dtype
    device = next(model.parameters()).device
    return {
        key: value.to(device, dtype=dtype) if value.is_floating_point() else value.to(device)
        for key, value in inputs.items()
    }


def _answer_logprobs(model, norm, head, encoded: dict, answers: list[list[int]]) -> np.ndarray:
    """[n_images, n_layers + 1] summed log p of `answers` after each row's prompt.

    Rows are rebuilt RIGHT padded (prompt without its padding, then the answer): positions
    then count from 0 in every row without position ids, so a row's values do not depend on
    the other rows of the batch (causal attention never looks at the padding behind it).
    """
    import inspect

    import torch

    ids, mask = encoded["input_ids"], encoded["attention_mask"].bool()
    # Per-token inputs besides the ids (attention mask, token types) are rebuilt alike.
    aligned = [
        k
        for k, v in encoded.items()
        if v.dim() == 2 and v.shape == ids.shape and k != "input_ids" and "pixel" not in k
    ]
    prompts = [row[keep] for row, keep in zip(ids, mask, strict=True)]
    lengths = [len(p) + len(a) for p, a in zip(prompts, answers, strict=True)]
    width, batch = max(lengths), len(answers)
    new_ids = torch.zeros((batch, width), dtype=ids.dtype, device=ids.device)  # 0: padding
    new_aligned = {
        k: torch.zeros((batch, width), dtype=encoded[k].dtype, device=ids.device) for k in aligned
    }
    longest = max(len(a) for a in answers)
    positions = torch.zeros((batch, longest), dtype=torch.long, device=ids.device)
    targets = torch.zeros((batch, longest), dtype=torch.long, device=ids.device)
    answer_mask = torch.zeros((batch, longest), dtype=torch.bool, device=ids.device)
    for row, (prompt, answer) in enumerate(zip(prompts, answers, strict=True)):
        n, a = len(prompt), len(answer)
        new_ids[row, :n] = prompt
        new_ids[row, n : n + a] = torch.tensor(answer, dtype=ids.dtype)
        for key in aligned:
            values = encoded[key][row][mask[row]]
            new_aligned[key][row, :n] = values
            if key == "attention_mask":
                new_aligned[key][row, n : n + a] = 1
        positions[row, :a] = torch.arange(n - 1, n + a - 1)  # each predicts the next token
        positions[row, a:] = n - 1
        targets[row, :a] = torch.tensor(answer)
        answer_mask[row, :a] = True
    inputs = {**encoded, **new_aligned, "input_ids": new_ids}
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    keep = width - int(positions.min())
    extra = {}
    if "logits_to_keep" in inspect.signature(base.forward).parameters:
        extra["logits_to_keep"] = keep  # only the answer's logits: a vocabulary per position
    outputs = model(**inputs, output_hidden_states=True, use_cache=False, **extra)
    rows = torch.arange(batch, device=ids.device)[:, None]
    shift = width - outputs.logits.shape[1]

    def summed(logits):
        logp = logits.float().log_softmax(-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
        return (logp * answer_mask).sum(1)

    layers = [summed(head(norm(state[rows, positions]))) for state in outputs.hidden_states[:-1]]
    layers.append(summed(outputs.logits[rows, positions - shift]))
    return torch.stack(layers, 1).double().cpu().numpy()
