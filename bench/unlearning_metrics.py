"""Scoring helpers of bench/unlearning_seeds.py: MCQ choice accuracy with shuffled options,
TOFU-style truth ratios and forget quality, and intervals (bootstrap over questions, t over
seeds).

Multiple choice is scored by `choice` only (the letter among A-D ranked first as the next
token): a model trained from random weights that never writes a letter still scores chance
(25%) this way, so it is the fair baseline; generation is skipped because it is the costly part
on a CPU and adds nothing to a first-letter score that `choice` does not already decide.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

# The tiny models' tokenizer text is drawn with another seed than the bench datasets' (0), so no
# bench person's name or fact is in it.
TOKENIZER_SEED = 1


def mcq_items(rows, shuffle_seed: int) -> list[tuple[dict, object, str]]:
    """(question with shuffled options, portrait, person id) for every MCQ of `rows`."""
    from evaluators.qa import shuffle_options

    return [
        (shuffle_options(q, shuffle_seed), row["images"][0], row["id"])
        for row in rows
        for q in row["questions"]
        if q["task"] == "mcq"
    ]


def tokenizer_texts(path: str | None = None) -> list[str]:
    """The tiny model's tokenizer text: mmpriv text of seed 1 (no bench person's name or fact
    in it), or the same list saved as JSON for a machine without Faker (see
    bench/issue16_device.sh)."""
    if path:
        return json.loads(Path(path).read_text())
    from trainers.tiny_model import default_texts

    return default_texts(seed=TOKENIZER_SEED)


def on_device(batch, model) -> dict:
    """A collated batch moved to the model's device (a no-op on the CPU)."""
    device = next(model.parameters()).device
    return {k: v.to(device) if hasattr(v, "to") else v for k, v in batch.items()}


# Collated batches by (kind, items): the questions never change during a run, only the model
# does, and collating (chat template, portraits) costs far more than a forward pass of these
# small models on a GPU. Unlearning scores the same items hundreds of times.
_COLLATED: dict[tuple, list] = {}


def _collated(kind: str, items, build) -> list:
    key = (kind, *map(id, items))
    if key not in _COLLATED:
        _COLLATED[key] = build()
    return _COLLATED[key]


def choice_correct(model, processor, items, batch_size: int = 32) -> np.ndarray:
    """1/0 per item: is the right letter the model's most likely next token among A-D?"""
    import torch

    from evaluators.qa import letter_token_ids, prompt_batch
    from mmpriv_data.content.questions import LETTERS

    processor.tokenizer.padding_side = "left"  # the next token follows the right edge
    letter_ids = letter_token_ids(processor)
    correct = np.zeros(len(items))
    was_training = model.training
    model.eval()

    def build():
        batches = []
        for with_image in (True, False):
            index = [i for i, (q, _, _) in enumerate(items) if q["with_image"] == with_image]
            for start in range(0, len(index), batch_size):
                chunk = index[start : start + batch_size]
                prompts = [items[i][:2] for i in chunk]
                batches.append((chunk, prompt_batch(processor, prompts, with_image)))
        return batches

    for chunk, batch in _collated("choice", items, build):
        with torch.no_grad():
            logits = model(**on_device(batch, model)).logits
        best = logits[:, -1, letter_ids].argmax(-1).tolist()
        for i, b in zip(chunk, best, strict=True):
            correct[i] = float(LETTERS[b] == items[i][0]["answer"])
    model.train(was_training)
    return correct


def option_nlls(model, processor, items, batch_size: int = 32) -> np.ndarray:
    """Mean per-token NLL of each option as the assistant's reply to the question asked WITHOUT
    its options (items x options). No letter is involved, so this probes the fact itself."""
    import torch

    from evaluators.qa import prompt_messages
    from trainers.data import ChatCollator
    from trainers.lora import sequence_nll

    def build():
        examples = []
        for q, image, _ in items:
            bare = {**q, "task": "generation"}  # the question alone, options not listed
            for option in q["options"]:
                reply = {"role": "assistant", "content": [{"type": "text", "text": option}]}
                examples.append(
                    {"images": [image] if q["with_image"] else [],
                     "messages": [*prompt_messages(bare), reply]}
                )  # fmt: skip
        collate = ChatCollator(processor)
        batches = []
        for with_image in (True, False):
            index = [i for i, e in enumerate(examples) if bool(e["images"]) == with_image]
            for start in range(0, len(index), batch_size):
                chunk = index[start : start + batch_size]
                batches.append((chunk, collate([examples[i] for i in chunk])))
        return batches

    processor.tokenizer.padding_side = "right"  # as the training batches (state others read)
    width = len(items[0][0]["options"]) if items else 4
    nll = np.zeros(len(items) * width)
    was_training = model.training
    model.eval()
    for chunk, collated in _collated("options", items, build):
        batch = on_device(collated, model)
        labels = batch.pop("labels")
        with torch.no_grad():
            total, counts = sequence_nll(model(**batch).logits, labels)
        nll[chunk] = (total / counts).float().cpu().numpy()
    model.train(was_training)
    return nll.reshape(len(items), width)


def _right(q) -> int:
    from mmpriv_data.content.questions import LETTERS

    return LETTERS.index(q["answer"])


def likelihood_correct(nlls: np.ndarray, items) -> np.ndarray:
    """1/0 per item: is the right option the most likely reply (lowest mean token NLL)?"""
    pairs = zip(nlls, items, strict=True)
    return np.array([float(row.argmin() == _right(q)) for row, (q, _, _) in pairs])


def truth_ratios(nlls: np.ndarray, items) -> np.ndarray:
    """TOFU's truth-ratio statistic per MCQ, from `option_nlls`.

    TOFU scores exp(mean NLL(perturbed answers) - NLL(paraphrased answer)) with NLL the mean
    per-token loss of an answer; here the right option is the true answer and the three wrong
    options are the perturbed ones. Above 1: the model prefers the truth.
    """
    ratios = []
    for row, (q, _, _) in zip(nlls, items, strict=True):
        right = _right(q)
        ratios.append(math.exp(np.delete(row, right).mean() - row[right]))
    return np.array(ratios)


def forget_quality(ratios: np.ndarray, retain_model_ratios: np.ndarray) -> float:
    """TOFU's forget quality: the KS-test p-value between the two truth-ratio samples (1 = the
    unlearned model cannot be told from one that never saw the forget set)."""
    from scipy.stats import ks_2samp

    return float(ks_2samp(ratios, retain_model_ratios).pvalue)


def bootstrap_ci(values, seed: int = 0, n: int = 2000, level: float = 0.95) -> list[float]:
    """Percentile interval of the mean of `values` (questions resampled with replacement)."""
    values = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    means = rng.choice(values, size=(n, len(values))).mean(axis=1)
    tail = (1 - level) / 2 * 100
    return [float(x) for x in np.percentile(means, [tail, 100 - tail])]


def seed_ci(values, level: float = 0.95) -> list[float]:
    """Student-t interval of the mean over seeds (few seeds: t, not normal, quantiles)."""
    from scipy.stats import t

    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return [float("nan"), float("nan")]
    half = t.ppf(0.5 + level / 2, len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values))
    return [float(values.mean() - half), float(values.mean() + half)]
