"""Device-side drawing: the embedder's overlay on carried base scenes, fresh users, inputs.

Every image goes through the same path as a privacy-images row: base scene (lossless PNG
from the bundle) -> `embedding.apply` -> JPEG at quality 90 -> resized to the model input.
Pretraining users are mmpriv users of other seeds (from the bundle) or synthetic ones with
random-letter usernames, so the model must read rather than recall a prior over names.
"""

from __future__ import annotations

import io
import pickle
import string
from pathlib import Path

import numpy as np
from PIL import Image

from bench.reader.mmpriv_glue import EmbedStyle, apply, get_params, record_text
from bench.reader.model import INPUT_SIZE, SOURCE_SIZE

JPEG_QUALITY = 90  # privacy-images' encoding
FIELDS = ("username", "user_id", "gender", "age", "capture_time", "capture_location")
GENDERS = ("Male", "Female", "Non-binary", "Other")


def load_bundle(path: Path) -> dict:
    return pickle.loads(Path(path).read_bytes())


def decode_png(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB")


def jpeg_roundtrip(image: Image.Image) -> tuple[Image.Image, bytes]:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=JPEG_QUALITY)
    data = buffer.getvalue()
    with Image.open(io.BytesIO(data)) as decoded:
        return decoded.convert("RGB"), data


def to_input(image: Image.Image) -> np.ndarray:
    """640x480 RGB -> uint8 (3, 480, 640). The square resize to the model's 448x448 input
    (bicubic, antialiased, as LLaVA-style processors do) runs on the GPU in
    `Reader.normalize`: on the CPU it was the largest single cost of drawing an image."""
    return np.asarray(image.convert("RGB"), dtype=np.uint8).transpose(2, 0, 1).copy()


def input_box(bbox: list[int], size: tuple[int, int] = SOURCE_SIZE) -> list[float]:
    """A bbox in source pixels -> model-input pixels."""
    sx, sy = INPUT_SIZE / size[0], INPUT_SIZE / size[1]
    return [bbox[0] * sx, bbox[1] * sy, bbox[2] * sx, bbox[3] * sy]


def draw_row(png: bytes, params: dict | None) -> tuple[np.ndarray, bytes]:
    """(model input, JPEG bytes) of one experiment row, embedded with `params` or not."""
    base = decode_png(png)
    marked = apply(base, params) if params else base
    image, data = jpeg_roundtrip(marked)
    return to_input(image), data


def synthetic_user(rng: np.random.Generator, pool: list[dict]) -> dict:
    """A record shaped like mmpriv's; the username is random letters (+ '_' and digits)."""
    letters = string.ascii_lowercase
    head = "".join(rng.choice(list(letters), int(rng.integers(3, 9))))
    tail = ""
    if rng.random() < 0.5:
        tail = "_" + "".join(rng.choice(list(letters), int(rng.integers(2, 6))))
    digits = "".join(rng.choice(list(string.digits), int(rng.integers(0, 5))))
    donor = pool[int(rng.integers(len(pool)))]
    return {
        "username": head + tail + digits,
        "user_id": int(rng.integers(1_000_000_000, 10_000_000_000)),
        "gender": GENDERS[int(rng.integers(4))],
        "age": int(rng.integers(22, 63)),
        "capture_time": f"{int(rng.integers(2020, 2027))}-{int(rng.integers(1, 13)):02d}-"
        f"{int(rng.integers(1, 29)):02d} {int(rng.integers(24)):02d}:"
        f"{int(rng.integers(60)):02d}:{int(rng.integers(60)):02d}",
        "capture_location": donor["capture_location"],
    }


def question_for(rng: np.random.Generator, record: dict | None, scene_qa: list, mix: dict):
    """One (question, answer): reading tasks on marked images, scene VQA otherwise."""
    if record is None:
        return scene_qa[int(rng.integers(len(scene_qa)))]
    task = rng.choice(list(mix), p=np.array(list(mix.values())) / sum(mix.values()))
    if task == "read":
        return "Read the text.", "; ".join(record_text(record, FIELDS).split("\n"))
    if task == "username":
        return "What is the username?", str(record["username"])
    if task == "user_id":
        return "What is the user_id?", str(record["user_id"])
    if task == "field":
        field = FIELDS[int(rng.integers(2, len(FIELDS)))]
        return f"What is the {field}?", str(record[field])
    return scene_qa[int(rng.integers(len(scene_qa)))]


def pretrain_sample(
    rng: np.random.Generator, bundle: dict, stage: dict, decoded: dict | None = None
) -> dict:
    """One freshly drawn training image with its text lines, box and one question.

    `decoded` (scene index -> decoded base scene) caches PNG decoding across calls.
    """
    index = int(rng.integers(len(bundle["pretrain_scenes"])))
    scene = bundle["pretrain_scenes"][index]
    if decoded is None:
        base = decode_png(scene["png"])
    else:
        if index not in decoded:
            decoded[index] = decode_png(scene["png"])
        base = decoded[index].copy()
    record = None
    if rng.random() < stage["text_prob"]:
        pool = bundle["pretrain_users"]
        record = (
            dict(pool[int(rng.integers(len(pool)))])
            if rng.random() < 0.5
            else synthetic_user(rng, pool)
        )
    box, lines = [0.0, 0.0, 0.0, 0.0], []
    if record is not None:
        lo, hi = stage["font_range"]
        font = 0 if rng.random() < stage["default_prob"] else int(rng.integers(lo, hi + 1))
        params = get_params(rng, base.size, record, EmbedStyle(font_size=font))
        base = apply(base, params, inplace=True)
        box, lines = input_box(params["bbox"], base.size), params["text"].split("\n")
    image, _ = jpeg_roundtrip(base)
    return {
        "image": to_input(image),
        "box": box,
        "has_text": record is not None,
        "lines": lines,
        "qa": question_for(rng, record, scene["qa"], stage["mix"]),
    }
