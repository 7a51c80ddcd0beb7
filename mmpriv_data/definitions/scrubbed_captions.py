"""Rows of the `train` config of `scrubbed-captions`: conversations in the chat-message
contract, scrubbed, beside the originals and a change log.

The source is a LLaVA .json/.jsonl file or, by default, the procedural caption corpus.

>>> rows = train_rows(0, 4, None, False, "all", 0, 2)
>>> [sorted(r) for r in rows][0]
['changes', 'id', 'image_path', 'messages', 'original_messages']
"""

from __future__ import annotations

from functools import lru_cache

import datasets

from mmpriv_data.content.captions import caption_sample
from mmpriv_data.core import schema
from mmpriv_data.files.scrub_files import iter_records, scrub_record

_ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant",
          "system": "system"}  # fmt: skip
IMAGE_TOKEN = "<image>"


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


def train_rows(seed, num_captions, source, skip_bad, attributes, start, stop):
    """Rows start..stop-1 of the train config."""
    repeated = _repeated_ids(source, skip_bad) if source else frozenset()
    for index in range(start, stop):
        record = _record(seed, source, skip_bad, index)
        scrubbed, changes = scrub_record(record, attributes)
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
