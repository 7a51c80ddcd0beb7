"""Shared column types and helpers of the dataset contract (DESIGN.md, "Column conventions")."""

from __future__ import annotations

import io

import datasets
from PIL import Image

STRING = datasets.Value("string")

# Chat turns as processor.apply_chat_template and TRL read them; image items have text None.
MESSAGES_FEATURE = [
    {"role": STRING, "content": [{"type": STRING, "text": STRING}]},
]
IMAGES_FEATURE = datasets.List(datasets.Image())


def user_turn(text: str, *, with_image: bool = False) -> dict:
    content = [{"type": "image", "text": None}] if with_image else []
    return {"role": "user", "content": [*content, {"type": "text", "text": text}]}


def assistant_turn(text: str) -> dict:
    return {"role": "assistant", "content": [{"type": "text", "text": text}]}


def encode_image(image: Image.Image, fmt: str = "JPEG", quality: int = 90) -> dict:
    """An `Image()` feature value holding bytes (never a path: folders stay self-contained)."""
    buffer = io.BytesIO()
    if fmt.upper() == "JPEG":
        image.convert("RGB").save(buffer, format="JPEG", quality=quality)
    else:
        image.save(buffer, format=fmt)
    return {"bytes": buffer.getvalue(), "path": None}
