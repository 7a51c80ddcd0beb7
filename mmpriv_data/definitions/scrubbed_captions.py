"""The `scrubbed-captions` dataset: its parameters, and the rows of its `train` config,
conversations in the chat-message contract, scrubbed, beside the originals and a change log
(the PRISM-style configs are made by `prism`).

The source is a LLaVA .json/.jsonl file or, by default, the procedural caption corpus.

>>> rows = train_rows(0, 4, None, False, "all", 0, 2)
>>> [sorted(r) for r in rows][0]
['changes', 'id', 'image_path', 'messages', 'original_messages']
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import datasets

from mmpriv_data.content.captions import caption_sample
from mmpriv_data.core import schema
from mmpriv_data.files.scrub_files import iter_records, scrub_record

_ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant",
          "system": "system"}  # fmt: skip
IMAGE_TOKEN = "<image>"


@dataclass(frozen=True)
class Params:
    """Generation parameters (settable with `--set key=value`)."""

    seed: int = 0
    num_captions: int = 2000  # generated corpus size when no source is given
    source: str | None = None  # a LLaVA .json/.jsonl file to scrub instead
    attributes: str = "all"  # comma-separated subset of gender,age,race,eye_color,hair_color,build
    skip_bad: bool = False  # skip malformed source records instead of failing
    num_images: int = 50  # PRISM portraits (each asked about all six attributes)
    image_size: int = 256
    tagger: str = "default"  # "minilm" or "learned": opt-in taggers (the `eval` extra; slower)

    def __post_init__(self):
        from mmpriv_data.transforms.scrub import resolve_attributes
        from mmpriv_data.transforms.scrub.rewrite import TAGGERS

        if not 1 <= self.num_captions <= 10_000_000:
            raise ValueError(f"num_captions must be within 1..10000000, got {self.num_captions}")
        if not 1 <= self.num_images <= 100_000:
            raise ValueError(f"num_images must be within 1..100000, got {self.num_images}")
        if not 64 <= self.image_size <= 1024:
            raise ValueError(f"image_size must be within 64..1024, got {self.image_size}")
        resolve_attributes(self.attributes)
        if self.tagger not in TAGGERS:
            raise ValueError(f"tagger must be {' or '.join(TAGGERS)}, got {self.tagger!r}")


def features() -> datasets.Features:
    string, int32 = schema.STRING, datasets.Value("int32")
    change = {"turn": int32, "attribute": string, "original": string, "replacement": string,
              "start": int32, "end": int32}  # fmt: skip
    return datasets.Features(
        {
            "id": string,
            "messages": schema.MESSAGES_FEATURE,
            "original_messages": schema.MESSAGES_FEATURE,
            "changes": [change],
            "image_path": string,
        }
    )


def to_messages(conversations: list[dict]) -> list[dict]:
    """LLaVA turns -> chat messages; "<image>" becomes an image item of the user turn.

    >>> to_messages([{"from": "human", "value": "<image>\\nHi"}])[0]["content"][0]
    {'type': 'image', 'text': None}
    """
    messages = []
    for turn in conversations:
        role = _ROLES.get(str(turn["from"]).lower(), "user")
        text = turn["value"]
        if role == "user" and IMAGE_TOKEN in text:
            text = text.replace(IMAGE_TOKEN, "").strip("\n")
            messages.append(schema.user_turn(text, with_image=True))
        elif role == "assistant":
            messages.append(schema.assistant_turn(text))
        else:
            messages.append({"role": role, "content": [{"type": "text", "text": text}]})
    return messages


@lru_cache(maxsize=2)
def _source_records(source: str, skip_bad: bool) -> tuple[dict, ...]:
    """Records of a source file, read once per process (units index into it)."""
    return tuple(iter_records(source, skip_bad=skip_bad))


@lru_cache(maxsize=2)
def _repeated_ids(source: str, skip_bad: bool) -> frozenset[str]:
    ids = [str(r.get("id", i)) for i, r in enumerate(_source_records(source, skip_bad))]
    return (
        frozenset(i for i in ids if ids.count(i) > 1) if len(set(ids)) < len(ids) else frozenset()
    )


def record_count(seed: int, num_captions: int, source: str | None, skip_bad: bool) -> int:
    return num_captions if not source else len(_source_records(source, skip_bad))


def _record(seed: int, source: str | None, skip_bad: bool, index: int) -> dict:
    if not source:
        return caption_sample(seed, index)
    return _source_records(source, skip_bad)[index]


def train_rows(seed, num_captions, source, skip_bad, attributes, start, stop, tagger=None):
    """Rows start..stop-1 of the train config (`tagger`: `scrub()`'s)."""
    repeated = _repeated_ids(source, skip_bad) if source else frozenset()
    for index in range(start, stop):
        record = _record(seed, source, skip_bad, index)
        scrubbed, changes = scrub_record(record, attributes, tagger=tagger)
        image = record.get("image")
        row_id = str(record.get("id", index))
        yield {
            # an index suffix keeps ids unique where a source repeats one
            "id": f"{row_id}#{index}" if row_id in repeated else row_id,
            "messages": to_messages(scrubbed["conversations"]),
            "original_messages": to_messages(record["conversations"]),
            "changes": changes,
            "image_path": ", ".join(image) if isinstance(image, list) else image,
        }
