"""The `privacy-images` dataset (ProbingPrivacy): user records embedded into VQA images.

Items come from the procedural scene generator (`scenes.py`) or from the user's own data
(`sources.py`). Configs `rate_R` hold the train items with a fraction R% embedded; `probe`
holds held-out items, every one embedded, half with user set U1 (the set used in training)
and half with U2 (never seen), as labelled by `user_set`.

Nested rates: one draw per item, `uniform01(seed, "privacy-images", "embed", id)`, decides;
the item is embedded at rate R iff draw < R/100, and the overlay (user, position, style) comes
from a stream keyed by the id alone, so an item embedded at rate 10 is embedded identically
at 50 and 100, and every config shares the same base images and conversations.

>>> plan = Params(seed=0, num_images=8, num_probe=4, width=160, height=120)
>>> rows = [make_row(plan, "rate_100", i) for i in config_ids(plan, "rate_100")]
>>> all(r["embedded"] and r["user_set"] == "U1" for r in rows)
True
"""

from __future__ import annotations

import dataclasses
import logging
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import datasets

from mmpriv_data.content import scenes
from mmpriv_data.content.identities import USER_FIELDS, make_user_sets
from mmpriv_data.core import schema
from mmpriv_data.core.errors import MmprivError
from mmpriv_data.core.seeding import stream, uniform01
from mmpriv_data.files import sources
from mmpriv_data.transforms import embedding

DATASET = "privacy-images"
RATES = (0, 10, 50, 100)
CONFIGS = (*(f"rate_{r}" for r in RATES), "probe")
TRAIN_SET, UNSEEN_SET = "U1", "U2"
JPEG_QUALITY = 90
log = logging.getLogger("mmpriv")


@dataclass(frozen=True)
class Params(embedding.EmbedStyle):
    """Generation parameters (settable with `--set key=value`).

    The overlay's style is inherited from `EmbedStyle` (fields, font_size, color, opacity,
    position, box, rotation), so its defaults and checks are declared once, there. Picklable:
    it travels to worker processes.
    """

    seed: int = 0
    num_images: int = 1000
    num_probe: int = 200
    width: int = 640
    height: int = 480
    users_per_set: int = 20
    source: str = ""
    source_config: str = ""
    source_split: str = "train"
    image_folder: str = ""
    probe_fraction: float = 0.2
    skip_bad: bool = False

    def __post_init__(self):
        if isinstance(self.fields, str):  # `--set fields=username,email`
            object.__setattr__(self, "fields", parse_fields(self.fields))
        super().__post_init__()
        if self.num_images < 1 or self.num_probe < 2:
            raise ValueError("num_images must be >= 1 and num_probe >= 2")
        if not (64 <= self.width <= 4096 and 64 <= self.height <= 4096):
            raise ValueError(
                f"width and height must be within 64..4096, got {self.width}x{self.height}"
            )
        if not 2 <= self.users_per_set <= 10_000:
            raise ValueError(f"users_per_set must be within 2..10000, got {self.users_per_set}")
        if not 0 < self.probe_fraction < 1:
            raise ValueError(f"probe_fraction must be in (0, 1), got {self.probe_fraction}")

    @property
    def style(self) -> embedding.EmbedStyle:
        """The overlay style alone (what each row's `style` column records)."""
        names = [f.name for f in dataclasses.fields(embedding.EmbedStyle)]
        return embedding.EmbedStyle(**{name: getattr(self, name) for name in names})

    def open_source(self) -> sources.Source:
        return sources.open_source(
            self.source,
            config=self.source_config,
            split=self.source_split,
            image_folder=self.image_folder,
            skip_bad=self.skip_bad,
        )


def embed_draw(seed: int, item_id: str) -> float:
    """The one uniform draw per item that decides embedding at every rate."""
    return uniform01(seed, DATASET, "embed", item_id)


def is_embedded(seed: int, item_id: str, rate_percent: int) -> bool:
    return embed_draw(seed, item_id) < rate_percent / 100


@lru_cache(maxsize=4)
def user_sets(seed: int, users_per_set: int) -> dict[str, list[dict]]:
    return make_user_sets(seed, users_per_set, names=(TRAIN_SET, UNSEEN_SET))


def _split_ids(plan: Params) -> tuple[Sequence, Sequence]:
    """(train, probe) items. Scenes: tuples of ids (their own id spaces). A source, split by a
    draw per id: arrays of source indices, 8 bytes an item whatever the source's size (the
    ids stay on disk, in the source's EntryStore)."""
    if not plan.source:
        train = tuple(f"scene-{i:06d}" for i in range(plan.num_images))
        return train, tuple(f"probe-{j:06d}" for j in range(plan.num_probe))
    source = plan.open_source()
    state = sources.image_files_state(source)
    return _split_source(plan.seed, plan.probe_fraction, source, plan.skip_bad, state)


@lru_cache(maxsize=4)
def _split_source(
    seed: int, probe_fraction: float, source: sources.Source, skip_bad: bool, state: str
) -> tuple[array, array]:
    train, probe = array("q"), array("q")
    for index in sources.checked_indices(source, skip_bad, state):
        # Text-only items (no image to embed) always stay in the rate_R configs, as they are.
        held = source.has_image(index) and (
            uniform01(seed, DATASET, "holdout", source.ids[index]) < probe_fraction
        )
        (probe if held else train).append(index)
    return train, probe


def config_ids(plan: Params, config: str) -> list[str]:
    """Item ids of a config, in row order."""
    train, probe = _split_ids(plan)
    items = probe if config == "probe" else train
    if not plan.source:
        return list(items)
    ids = plan.open_source().ids
    return [ids[index] for index in items]


def config_units(plan: Params, config: str, size: int) -> list[tuple]:
    """A config's rows as work units of `size` items, in row order, for `unit_items`.

    A unit is (source indices, U1 flags of probe items) for a source, (scene numbers, flags)
    for scenes: a few bytes an item, not an (id string, user set) tuple, so the units of a
    100K-entry source stay small; the ids are read back from the source on whichever process
    or Ray node runs the unit, and the user sets travel with the unit (no node re-splits).
    """
    train, probe = _split_ids(plan)
    items = probe if config == "probe" else train
    flags = _probe_flags(plan.seed, len(probe)) if config == "probe" else b""
    if not plan.source:
        items = range(len(items))
    return [(items[i : i + size], flags[i : i + size]) for i in range(0, len(items), size)]


def unit_items(plan: Params, config: str, unit: tuple) -> Iterator[tuple[str, str | None]]:
    """(item id, probe user set or None) of each item of a `config_units` unit."""
    items, flags = unit
    ids = plan.open_source().ids if plan.source else None
    prefix = "probe" if config == "probe" else "scene"
    for k, item in enumerate(items):
        item_id = ids[item] if ids is not None else f"{prefix}-{item:06d}"
        yield item_id, ((TRAIN_SET if flags[k] else UNSEEN_SET) if flags else None)


@lru_cache(maxsize=4)  # make_row looks an item up in it when not given its set
def probe_sets(plan: Params) -> dict[str, str]:
    """Probe id -> U1 or U2: a seeded permutation puts exactly half (rounded up) in U1."""
    probe = config_ids(plan, "probe")
    flags = _probe_flags(plan.seed, len(probe))
    return {item_id: TRAIN_SET if flags[j] else UNSEEN_SET for j, item_id in enumerate(probe)}


@lru_cache(maxsize=4)
def _probe_flags(seed: int, count: int) -> bytes:
    """1 at the probe positions in U1: the first half (rounded up) of a seeded permutation."""
    order = stream(seed, DATASET, "probe-sets", count).permutation(count)
    flags = bytearray(count)
    for j in order[: (count + 1) // 2]:
        flags[j] = 1
    return bytes(flags)


def text_only_count(plan: Params) -> int:
    """Source items with no image: kept unembedded in every rate_R config (0 for scenes)."""
    return plan.open_source().text_only if plan.source else 0


def base_item(plan: Params, item_id: str) -> dict:
    """{"id", "image" (PIL), "image_bytes", "format", "messages", "scene", "questions"}."""
    if not plan.source:
        rng = stream(plan.seed, DATASET, "scene", item_id)
        scene = scenes.sample_scene(rng, width=plan.width, height=plan.height)
        questions = scenes.scene_questions(scene, stream(plan.seed, DATASET, "qa", item_id))
        image = scenes.render_scene(scene)
        return {
            "id": item_id,
            "image": image,
            "image_bytes": schema.encode_image(image, quality=JPEG_QUALITY)["bytes"],
            "format": "JPEG",
            "messages": scenes.scene_messages(questions),
            "scene": {"background": scene["background"], "objects": scene["objects"]},
            "questions": questions,
        }
    source = plan.open_source()
    item = source.item(source.index_of(item_id))
    if not item["images"]:  # a text-only conversation: nothing to embed into
        return {**item, "image": None, "scene": {"background": "", "objects": []}, "questions": []}
    image = sources.load_image(item["images"][0], f"source {plan.source} item {item_id}")
    return {
        "id": item_id,
        "image": image,
        "image_bytes": item["images"][0],
        "format": "PNG" if image.format == "PNG" else "JPEG",
        "messages": item["messages"],
        "scene": {"background": "", "objects": []},
        "questions": [],
        "more_images": item["images"][1:],
    }


def _unembedded_columns() -> dict:
    return {
        "embedded": False,
        "user_set": "",
        "user_id": "",
        "username": "",
        "embedded_fields": [],
        "embedded_text": "",
        "bbox": [],
        "style": None,
    }


def make_row(plan: Params, config: str, item_id: str, probe_set: str | None = None) -> dict | None:
    """The row of `item_id` in `config` (None when skip_bad drops an unreadable source image).

    `probe_set` (U1/U2) of a probe item, when the caller has `probe_sets(plan)` at hand.
    """
    try:
        item = base_item(plan, item_id)
    except sources.BadImage as error:
        if not plan.skip_bad:
            raise
        log.warning("skipped (%s): %s", error.kind, error)
        return None
    if item["image"] is None:  # text-only: the conversation as it is, in every rate_R
        return {
            "id": item_id,
            "images": [],
            "messages": item["messages"],
            **_unembedded_columns(),
            "scene": item["scene"],
            "questions": item["questions"],
        }
    if config == "probe":
        user_set = probe_set or probe_sets(plan)[item_id]
        key = "probe-overlay"
    else:
        rate = int(config.removeprefix("rate_"))
        user_set = TRAIN_SET if is_embedded(plan.seed, item_id, rate) else None
        key = "overlay"
    columns = _unembedded_columns()
    image_bytes = item["image_bytes"]
    if user_set is not None:
        rng = stream(plan.seed, DATASET, key, item_id)  # same draws at every rate
        user = embedding.choose_user(rng, user_sets(plan.seed, plan.users_per_set)[user_set])
        try:
            params = embedding.get_params(rng, item["image"].size, user, plan.style)
        except MmprivError as error:  # name the entry: the worker's error reaches the user
            where = f"source {plan.source} item {item_id}" if plan.source else f"item {item_id}"
            raise MmprivError(f"{where}: {error}") from None
        marked = embedding.apply(item["image"], params)
        image_bytes = schema.encode_image(marked, fmt=item["format"], quality=JPEG_QUALITY)["bytes"]
        columns = {
            "embedded": True,
            "user_set": user_set,
            "user_id": str(user.get("user_id", "")),
            "username": str(user.get("username", "")),
            "embedded_fields": params["fields"],
            "embedded_text": params["text"],
            "bbox": params["bbox"],
            "style": {
                "font_size": params["font_size"],
                "color": params["color"],
                "opacity": params["opacity"],
                "box": params["box"],
                "rotation": params["rotation"],
                "position": plan.style.position,
                "xy": params["xy"],
            },
        }
    images = [{"bytes": b, "path": None} for b in [image_bytes, *item.get("more_images", [])]]
    return {
        "id": item_id,
        "images": images,
        "messages": item["messages"],
        **columns,
        "scene": item["scene"],
        "questions": item["questions"],
    }


def features() -> datasets.Features:
    string, int32 = datasets.Value("string"), datasets.Value("int32")
    return datasets.Features(
        {
            "id": string,
            "images": schema.IMAGES_FEATURE,
            "messages": schema.MESSAGES_FEATURE,
            "embedded": datasets.Value("bool"),
            "user_set": string,
            "user_id": string,
            "username": string,
            "embedded_fields": [string],
            "embedded_text": string,
            "bbox": [int32],
            "style": {
                "font_size": int32,
                "color": string,
                "opacity": datasets.Value("float32"),
                "box": string,
                "rotation": datasets.Value("float32"),
                "position": string,
                "xy": [int32],
            },
            "scene": {
                "background": string,
                "objects": [
                    {"shape": string, "color": string, "position": string, "bbox": [int32]}
                ],
            },
            "questions": [{"kind": string, "question": string, "answer": string}],
        }
    )


def parse_fields(text: str) -> tuple[str, ...]:
    """'username, age' -> ('username', 'age'); unknown names are an error naming the option."""
    fields = tuple(f.strip() for f in text.split(",") if f.strip())
    unknown = [f for f in fields if f not in USER_FIELDS]
    if unknown or not fields:
        raise ValueError(f"fields={text!r}: choose from {', '.join(USER_FIELDS)}")
    return fields
