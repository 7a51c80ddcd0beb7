"""The `augmented` dataset: text- and image-augmented copies of an images+messages dataset.

The source is any dataset `sources.open_source` reads (typically `DIR/privacy-images` with
`config=rate_50`); with no source, the privacy-images `rate_50` rows are generated in-process
from the same seed, so `mmpriv build all` works without a prior build. Other columns of the
source ride along; boxes (`bbox`, `scene.objects[].bbox`) follow the image transform, and
after a horizontal flip the scene truth and the conversation's left/right words are mirrored
(recorded in `augmentation.position_rewrites`).

>>> plan = Params(seed=0, num_images=4)
>>> row = augmented_row(plan, "image", 0)
>>> row["augmentation"]["preset"], row["augmentation"]["image"] is not None
('probing_privacy', True)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import datasets
import numpy as np
from PIL import Image

from mmpriv_data.core import schema
from mmpriv_data.core.seeding import stream
from mmpriv_data.definitions import privacy_images
from mmpriv_data.files import sources
from mmpriv_data.transforms import augment

DATASET = "augmented"
CONFIGS = ("text", "image", "text_image")
JPEG_QUALITY = 90


@dataclass(frozen=True)
class Params:
    """Generation parameters (settable with `--set key=value`)."""

    seed: int = 0
    source: str = ""
    config: str = "rate_50"
    split: str = "train"
    preset: str = "probing_privacy"
    text_model: str = ""
    num_images: int = 200  # size of the in-process privacy-images source (no `source`)

    def __post_init__(self):
        if self.preset not in augment.PRESETS:
            raise ValueError(f"preset={self.preset!r}: one of {', '.join(augment.PRESETS)}")
        if not self.source and not self.config.startswith("rate_"):
            raise ValueError(f"config={self.config!r}: without a source, one of rate_0..rate_100")
        if self.text_model and not (Path(self.text_model) / "config.json").is_file():
            raise ValueError(
                f"text_model={self.text_model}: not a local model folder (no config.json)"
            )
        if self.num_images < 1:
            raise ValueError(f"num_images must be >= 1, got {self.num_images}")

    def builtin(self) -> privacy_images.Params:
        return privacy_images.Params(
            seed=self.seed, num_images=self.num_images, num_probe=2, width=320, height=240
        )


@lru_cache(maxsize=2)
def _source(plan: Params) -> sources.Source | None:
    if not plan.source:
        return None
    return sources.open_source(plan.source, config=plan.config, split=plan.split)


def num_items(plan: Params) -> int:
    """Rows to make; a source's images are all decoded first, so a bad one fails in one line."""
    source = _source(plan)
    if source is None:
        return plan.num_images
    sources.checked_indices(source, skip_bad=False)
    return len(source)


def extra_features(plan: Params) -> dict:
    source = _source(plan)
    if source is not None:
        return dict(source.extra_features)
    builtin = privacy_images.features()
    return {k: v for k, v in builtin.items() if k not in ("id", "images", "messages")}


def source_item(plan: Params, index: int) -> dict:
    """{"id", "images": [bytes], "messages", **extras} of source item `index`."""
    source = _source(plan)
    if source is not None:
        return source.item(index)
    builtin = plan.builtin()
    item_id = privacy_images.config_ids(builtin, plan.config)[index]
    row = privacy_images.make_row(builtin, plan.config, item_id)
    return {**row, "images": [image["bytes"] for image in row["images"]]}


def _boxes(item: dict) -> list[list[float]]:
    """Boxes to carry through the transform: the privacy text's, then the scene objects'."""
    boxes = [item["bbox"]] if len(item.get("bbox") or []) == 4 else []
    scene = item.get("scene") or {}
    return boxes + [o["bbox"] for o in scene.get("objects") or []]


def _put_boxes(item: dict, boxes: list[list[int]]) -> None:
    if len(item.get("bbox") or []) == 4:
        item["bbox"], boxes = boxes[0], boxes[1:]
    scene = item.get("scene") or {}
    for obj, box in zip(scene.get("objects") or [], boxes, strict=False):
        obj["bbox"] = box


def _mirror_positions(item: dict) -> list[dict]:
    """After a horizontal flip: mirror the scene truth and the conversation's position words."""
    scene = item.get("scene") or {}
    questions = item.get("questions") or []
    item["messages"], questions, rewrites = augment.flip_conversation(
        item["messages"], scene, questions
    )
    if scene.get("objects"):
        item["scene"] = augment.flip_scene(scene)
        item["questions"] = questions
    return rewrites


def augmented_row(plan: Params, config: str, index: int) -> dict:
    item = source_item(plan, index)
    preset = augment.get_preset(plan.preset)
    record = {"preset": plan.preset, "text_model": plan.text_model, "image": None}
    record["text_changes"], record["position_rewrites"] = [], []
    params = None
    if "image" in config:
        params = augment.image_params(stream(plan.seed, DATASET, "image", item["id"]), preset)
        if params["hflip"]:
            # Before the text edits: scene turns still read as generated, so they are matched
            # to the scene truth and recomputed rather than word-swapped.
            record["position_rewrites"] = _mirror_positions(item)
    if "text" in config:
        rng = stream(plan.seed, DATASET, "text", item["id"])
        item["messages"], record["text_changes"] = augment.augment_messages(
            item["messages"],
            rng,
            preset,
            seed=plan.seed,
            item=item["id"],
            model_path=plan.text_model,
        )
    if params is not None:
        images, boxes = [], _boxes(item)
        for k, data in enumerate(item["images"]):
            origin = f"source {plan.source or 'privacy-images'} item {item['id']} image {k}"
            pixels = np.asarray(sources.load_image(data, origin).convert("RGB"))
            out, moved = augment.apply_image(pixels, params, boxes if k == 0 else None)
            if k == 0:
                _put_boxes(item, moved)
            encoded = schema.encode_image(Image.fromarray(out), quality=JPEG_QUALITY)
            images.append(encoded["bytes"])
        item["images"] = images
        record["image"] = params
    return {
        **item,
        "images": [{"bytes": data, "path": None} for data in item["images"]],
        "augmentation": record,
    }


def features(plan: Params) -> datasets.Features:
    string = datasets.Value("string")
    change = {
        "turn": datasets.Value("int32"),
        "item": datasets.Value("int32"),
        "edits": datasets.Value("int32"),
        "before": string,
        "after": string,
    }
    rewrite = {
        "turn": datasets.Value("int32"),
        "item": datasets.Value("int32"),
        "method": string,  # "scene": recomputed from the flipped scene truth; "swap": words
        "before": string,
        "after": string,
    }
    image = {
        "rotate": datasets.Value("float32"),
        "hflip": datasets.Value("bool"),
        "brightness": datasets.Value("float32"),
        "contrast": datasets.Value("float32"),
    }
    return datasets.Features(
        {
            "id": string,
            "images": schema.IMAGES_FEATURE,
            "messages": schema.MESSAGES_FEATURE,
            **extra_features(plan),
            "augmentation": {
                "preset": string,
                "text_model": string,
                "image": image,
                "text_changes": [change],
                "position_rewrites": [rewrite],
            },
        }
    )
