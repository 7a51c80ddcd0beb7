"""Read an mmpriv dataset and turn its rows into model batches, loss on assistant tokens only.

A dataset is named as a folder (`DIR/profiles`), `DIR/profiles:forget_10`, or a Hub id
(`org/mmpriv-profiles`). Rows carry `images` + `messages` (the contract in DESIGN.md); the
processor's own chat template renders them, so any model whose template marks assistant turns
with `{% generation %}` works as is, and others fall back to rendering turn prefixes.

>>> rows = load_rows("mmpriv-hub/profiles:forget_10")  # doctest: +SKIP
>>> batch = ChatCollator(processor)(rows[:4])  # doctest: +SKIP
"""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Sequence
from pathlib import Path

from mmpriv_data.core.errors import MmprivError
from trainers.batching import best_fit_decreasing

IGNORE_INDEX = -100


def parse_spec(
    spec: str, config: str | None = None, split: str | None = None, option: str = "--data"
) -> tuple[str, str | None, str | None]:
    """'DIR', 'DIR:config' or 'DIR:config:split' -> (DIR, config, split). `config` and
    `split` given apart (--config, --split) fill what the spec leaves out and must agree."""
    head, *named = spec.split(":")
    if Path(spec).exists() or not named or len(named) > 2 or not all(named):
        return spec, config, split
    if any("/" in name for name in named):
        return spec, config, split
    named_config, named_split = named[0], (named[1] if len(named) == 2 else None)
    if config and config != named_config:
        raise MmprivError(
            f"{option} {spec}: config {named_config!r} differs from --config {config}"
        )
    if split and named_split and split != named_split:
        raise MmprivError(f"{option} {spec}: split {named_split!r} differs from --split {split}")
    return head, named_config, named_split or split


def split_spec(spec: str, config: str | None = None) -> tuple[str, str | None]:
    """'DIR:config' -> ('DIR', 'config'); an explicit `config` wins over none in the spec."""
    path, config, _ = parse_spec(spec, config)
    return path, config


def choose_split(available: Sequence[str], split: str | None, where: str) -> str:
    """`split` if the dataset has it; without one, `train` or the config's only split."""
    if split is None:
        if "train" in available or len(available) == 1:
            return "train" if "train" in available else available[0]
        raise MmprivError(f"{where}: name one of its splits with --split ({', '.join(available)})")
    if split not in available:
        raise MmprivError(f"{where}: no split {split!r} (it has {', '.join(available)})")
    return split


def _read_parquet_folder(folder: Path, config: str | None, split: str | None) -> list[dict]:
    """The same rows without the `datasets` library (GPU machines may lack it): pyarrow only."""
    import pyarrow.parquet as pq

    config_dir = folder / (config or "")
    available = sorted({p.name.split("-")[0] for p in config_dir.glob("*-*.parquet")})
    if not available:
        raise MmprivError(f"{config_dir}: no *.parquet shards")
    split = choose_split(available, split, str(config_dir))
    rows: list[dict] = []
    for shard in sorted(config_dir.glob(f"{split}-*.parquet")):
        rows += pq.read_table(shard).to_pylist()
    return rows


def check_data(spec: str, config: str | None = None, split: str | None = None,
               option: str = "--data") -> str:  # fmt: skip
    """Fail fast on a dataset argument: a mistyped folder at once, a Hub id after one request
    (`core.models.check_source`). Returns "local", "offline" or "hub"."""
    from mmpriv_data.core.models import check_source

    path, _, _ = parse_spec(spec, config, split, option)
    mode = check_source(path, option, "dataset")
    if mode == "local" and not Path(path).is_dir():
        raise MmprivError(f"{option} {path}: not a dataset folder")
    return mode


def load_rows(spec: str, config: str | None = None, split: str | None = None,
              option: str = "--data"):  # fmt: skip
    """Rows of one config and split: a `datasets.Dataset` (or a list of dicts where `datasets`
    is absent). Without a split: `train`, or the config's only split.

    >>> rows = load_rows("mmpriv-hub/profiles", "forget_10")  # doctest: +SKIP
    >>> members = load_rows("mmpriv-hub/mia-neighbors:samples:member")  # doctest: +SKIP
    """
    path, config, split = parse_spec(spec, config, split, option)
    folder = Path(path)
    where = f"{option} {spec}" + (f" (config {config})" if config else "")
    mode = check_data(spec, config, split, option)
    if importlib.util.find_spec("datasets") is None:
        if mode != "local":
            raise MmprivError(f"{option} {path}: reading a Hub id needs `datasets`")
        return _read_parquet_folder(folder, config, split)

    try:
        loaded = quiet_load_dataset(path, config)
    except (ValueError, OSError, ConnectionError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error)
        raise MmprivError(f"{where}: {first_line}") from None
    return loaded[choose_split(list(loaded), split, where)]


def quiet_load_dataset(*args, **kwargs):
    """`datasets.load_dataset` without its "Generating train split" bars: noise around our own
    progress and error lines when a trainer or evaluator reads a dataset."""
    import datasets

    bars = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()
    try:
        return datasets.load_dataset(*args, **kwargs)
    finally:
        if bars:
            datasets.enable_progress_bars()


def to_pil(image):
    """A PIL image from what a row holds: PIL already, or an Image() value {"bytes", "path"}."""
    from PIL import Image

    if isinstance(image, Image.Image):
        return image.convert("RGB")
    if isinstance(image, dict) and image.get("bytes"):
        return Image.open(io.BytesIO(image["bytes"])).convert("RGB")
    raise MmprivError(f"image value of type {type(image).__name__} holds no bytes")


def count_images(messages: Sequence[dict]) -> int:
    return sum(
        1 for turn in messages for item in turn["content"] or [] if item.get("type") == "image"
    )


def clean_messages(messages: Sequence[dict]) -> list[dict]:
    """Drop the null fields parquet adds (`text: None` on image items) so templates see a clean
    structure."""
    return [
        {
            "role": turn["role"],
            "content": [
                {k: v for k, v in item.items() if v is not None} for item in turn["content"]
            ],
        }
        for turn in messages
    ]


def question_examples(row: dict, prompt_for=None) -> list[dict]:
    """One example per entry of a `questions` column (MLLMU-Bench's QA finetuning data).

    Multiple choice uses `mcq_prompt` and the answer letter, so training and `mmpriv eval qa`
    see the same prompt.
    """
    from mmpriv_data.content.questions import mcq_prompt

    examples = []
    for q in row["questions"]:
        prompt = mcq_prompt(q) if q["task"] == "mcq" else q["question"]
        content = [{"type": "image"}] if q["with_image"] else []
        content.append({"type": "text", "text": prompt})
        examples.append(
            {
                "images": list(row["images"][:1]) if q["with_image"] else [],
                "messages": [
                    {"role": "user", "content": content},
                    {"role": "assistant", "content": [{"type": "text", "text": q["answer"]}]},
                ],
            }
        )
    return examples


def text_only(messages: Sequence[dict]) -> list[dict]:
    """The turns without their image items: scrubbed captions keep LLaVA's `<image>` slot but
    ship no image, so they train as text (Safe-LLaVA's finetune on scrubbed captions)."""
    return [
        {**turn, "content": [item for item in turn["content"] if item.get("type") != "image"]}
        for turn in messages
    ]


def column_names(rows) -> list[str]:
    if hasattr(rows, "column_names"):
        return list(rows.column_names)
    return list(rows[0]) if len(rows) else []


def training_examples(rows, with_questions: bool = False, where: str = "--data") -> list[dict]:
    """{"images", "messages"} examples: each row's conversation (+ its questions if asked).

    Rows without images (scrubbed captions) give text-only examples."""
    columns = column_names(rows)
    if columns and "messages" not in columns:
        raise MmprivError(
            f"{where}: no `messages` column ({', '.join(columns)}); training reads chat rows"
        )
    if with_questions and columns and "questions" not in columns:
        raise MmprivError("--questions: the dataset has no `questions` column")
    examples = []
    for row in rows:
        images = list(row.get("images") or [])
        messages = row["messages"] if images else text_only(row["messages"])
        examples.append({"images": images, "messages": messages})
        if with_questions:
            examples += question_examples(row)
    return examples


def _has_generation_marks(processor) -> bool:
    return "{% generation %}" in (getattr(processor, "chat_template", None) or "")


class ChatCollator:
    """Examples -> padded batch (to the longest in the batch) with labels on assistant tokens.

    Labels are -100 everywhere but on assistant replies (their end-of-turn token included), so
    prompts, images and padding never count in the loss.
    """

    def __init__(
        self,
        processor,
        max_length: int | None = None,
        pack_length: int | None = None,
    ):
        self.processor = processor
        self.max_length = max_length
        # Packing: rows of `pack_length` tokens holding several examples, no padding between.
        self.pack_length = pack_length
        self.pad_id = processor.tokenizer.pad_token_id
        token = getattr(processor, "image_token", None)
        self.image_token_id = processor.tokenizer.convert_tokens_to_ids(token) if token else None

    def _assistant_mask_by_marks(self, messages, input_ids):
        """The tokenizer's {% generation %} mask, stretched over the processor's image tokens.

        The tokenizer sees one placeholder per image; the processor repeats it once per image
        feature. Returns None if the two sequences do not line up that way.
        """
        import torch

        plain = self.processor.tokenizer.apply_chat_template(
            messages,
            chat_template=self.processor.chat_template,
            tokenize=True,
            return_dict=True,
            return_assistant_tokens_mask=True,
        )
        ids, marks = plain["input_ids"], plain["assistant_masks"]
        mask, j = torch.zeros_like(input_ids), 0
        expanded = input_ids.tolist()
        for token, mark in zip(ids, marks, strict=True):
            if j >= len(expanded) or expanded[j] != token:
                return None
            if token == self.image_token_id:
                while j < len(expanded) and expanded[j] == token:
                    j += 1
                continue
            mask[j] = mark
            j += 1
        return mask if j == len(expanded) else None

    def _assistant_mask_by_prefix(self, messages, images, input_ids):
        """For templates without {% generation %}: token spans between rendered prefixes."""
        import torch

        mask = torch.zeros_like(input_ids)
        for end, turn in enumerate(messages):
            if turn["role"] != "assistant":
                continue
            before = self._length(messages[:end], images, add_generation_prompt=True)
            after = self._length(messages[: end + 1], images, add_generation_prompt=False)
            mask[before:after] = 1
        return mask

    def _length(self, messages, images, add_generation_prompt: bool) -> int:
        text = self.processor.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=add_generation_prompt
        )
        used = images[: count_images(messages)] or None
        return len(self.processor(text=[text], images=used)["input_ids"][0])

    def __call__(self, examples: Sequence[dict]) -> dict:
        import torch

        rows = []
        for example in examples:
            messages = clean_messages(example["messages"])
            images = [to_pil(image) for image in example.get("images") or []]
            if count_images(messages) != len(images):
                raise MmprivError(
                    f"row has {count_images(messages)} image items but {len(images)} images"
                )
            text = self.processor.apply_chat_template(messages, tokenize=False)
            encoded = self.processor(text=[text], images=images or None, return_tensors="pt")
            input_ids = encoded["input_ids"][0]
            mask = None
            if _has_generation_marks(self.processor):
                mask = self._assistant_mask_by_marks(messages, input_ids)
            if mask is None:
                mask = self._assistant_mask_by_prefix(messages, images, input_ids)
            labels = torch.where(mask.bool(), input_ids, IGNORE_INDEX)
            rows.append((encoded, input_ids, labels))
        return self._pack(rows) if self.pack_length else self._pad(rows)

    def _pack(self, rows) -> dict:
        """Examples laid end to end in rows of `pack_length` tokens, each restarting its
        `position_ids` at 0 and no `attention_mask`: transformers then builds a block-diagonal
        causal mask, so no example sees another. The tail of a row is padding (labels -100) that
        forms a segment of its own. Vision inputs follow the packed order, which is the order
        in which the model finds their image tokens."""
        import torch

        if any("image_grid_thw" in encoded for encoded, _, _ in rows):
            raise MmprivError("--pack-length: packing needs 1-D positions (LLaVA-style models)")
        width = self.pack_length
        for _, ids, _ in rows:
            if len(ids) > width:
                raise MmprivError(f"--pack-length {width}: a row has {len(ids)} tokens")
        packed = best_fit_decreasing([len(ids) for _, ids, _ in rows], width)
        batch_ids = torch.full((len(packed), width), self.pad_id, dtype=torch.long)
        batch_labels = torch.full((len(packed), width), IGNORE_INDEX, dtype=torch.long)
        positions = torch.zeros((len(packed), width), dtype=torch.long)
        for r, members in enumerate(packed):
            start = 0
            for i in members:
                _, ids, labels = rows[i]
                end = start + len(ids)
                batch_ids[r, start:end], batch_labels[r, start:end] = ids, labels
                positions[r, start:end] = torch.arange(len(ids))
                start = end
            positions[r, start:] = torch.arange(width - start)
        batch = {"input_ids": batch_ids, "labels": batch_labels, "position_ids": positions}
        if "mm_token_type_ids" in rows[0][0]:
            mm = torch.zeros((len(packed), width), dtype=torch.long)
            for r, members in enumerate(packed):
                types = [rows[i][0]["mm_token_type_ids"][0] for i in members]
                mm[r, : sum(len(t) for t in types)] = torch.cat(types)
            batch["mm_token_type_ids"] = mm
        return batch | self._vision_inputs([rows[i] for members in packed for i in members])

    @staticmethod
    def _vision_inputs(rows) -> dict:
        """Vision inputs (pixel_values, image_grid_thw, image_sizes...), concatenated per image
        in the order of `rows`; keys no example of the batch has are left out."""
        import torch

        batch = {}
        for key in rows[0][0].keys() - {"input_ids", "attention_mask", "mm_token_type_ids"}:
            parts = [encoded[key] for encoded, _, _ in rows if key in encoded]
            if parts:
                batch[key] = torch.cat(parts)
        return batch

    def _pad(self, rows) -> dict:
        import torch

        lengths = [len(ids) for _, ids, _ in rows]
        if self.max_length:
            for (_, ids, _), n in zip(rows, lengths, strict=True):
                cut = ids[self.max_length :]
                if self.image_token_id is not None and (cut == self.image_token_id).any():
                    raise MmprivError(
                        f"--max-length {self.max_length} would cut image tokens of a {n}-token row"
                    )
            lengths = [min(n, self.max_length) for n in lengths]
        width = max(lengths)
        batch_ids = torch.full((len(rows), width), self.pad_id, dtype=torch.long)
        batch_labels = torch.full((len(rows), width), IGNORE_INDEX, dtype=torch.long)
        attention = torch.zeros((len(rows), width), dtype=torch.long)
        for i, ((_, ids, labels), n) in enumerate(zip(rows, lengths, strict=True)):
            batch_ids[i, :n], batch_labels[i, :n], attention[i, :n] = ids[:n], labels[:n], 1
        batch = {"input_ids": batch_ids, "attention_mask": attention, "labels": batch_labels}
        batch |= self._vision_inputs(rows)
        if "mm_token_type_ids" in rows[0][0]:
            mm = torch.zeros((len(rows), width), dtype=torch.long)
            for i, ((encoded, _, _), n) in enumerate(zip(rows, lengths, strict=True)):
                mm[i, :n] = encoded["mm_token_type_ids"][0, :n]
            batch["mm_token_type_ids"] = mm
        return batch
