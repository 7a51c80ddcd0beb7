"""Readers for `--set source=PATH`: the user's own images and conversations.

PATH may be
- a LLaVA-format JSON (`[{"id", "image", "conversations": [{"from": "human", "value":
  "<image>\\n..."}, ...]}]`) with its image folder (default: the JSON's folder), or a
  Qwen-VL JSON (`Picture 1: <img>path</img>` in the user turns);
- a JSONL of `{"id", "images": [paths], "messages": [...]}` (what `mmpriv export --format
  jsonl` writes);
- a folder holding exactly one such .json/.jsonl file, or a Hub-layout dataset folder;
- a plain image folder (an optional imagefolder-style `metadata.jsonl` with `file_name` and
  `messages` or `conversations`; otherwise each image gets one "Describe this image." turn);
- a Hub dataset id with `images` (or `image`) and `messages` columns.

Every reader gives the same items: {"id", "images": [bytes], "messages"} plus, for datasets,
their other columns. Conversations are carried over unchanged (formats: `conversations.py`).
A LLaVA entry without `image` (LLaVA-665K's ~40K text-only conversations) is an item with no
image. JSON sources stream: entries go to a temporary file as they are read, so memory does
not grow with the number of entries.
"""

from __future__ import annotations

import hashlib
import logging
import re
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from mmpriv_data.core.errors import MmprivError
from mmpriv_data.files.conversations import (  # noqa: F401 - the readers' formats, re-exported
    LLAVA_IMAGE,
    LLAVA_ROLES,
    QWEN_PICTURE,
    llava_to_messages,
    messages_to_llava,
    messages_to_qwen,
    qwen_to_messages,
)
from mmpriv_data.files.entries import EntryStore, iter_json
from mmpriv_data.files.images import (  # noqa: F401 - re-exported: builders catch BadImage
    IMAGE_SUFFIXES,
    BadImage,
    load_image,
)

DEFAULT_PROMPT = "Describe this image."
log = logging.getLogger("mmpriv")


@dataclass(eq=False)  # hashed by identity: the caches below key on it
class Source:
    """Items of a source; images are read lazily (file paths or a memory-mapped dataset).

    File sources keep their entries and ids on disk (`EntryStore`: messages, image paths),
    and a few bytes per item in memory; `ids` reads them back on demand.
    """

    path: str
    ids: Sequence[str]
    entries: EntryStore | None = None  # {"messages", "images": [paths]} per item
    dataset: object = None  # datasets.Dataset for dataset sources
    extra_features: dict = field(default_factory=dict)
    skipped: int = 0  # entries dropped by skip_bad (missing images)

    @classmethod
    def of_files(cls, path: str) -> Source:
        entries = EntryStore()
        return cls(path, entries.ids, entries=entries)

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, item_id: str, messages: list[dict], image_paths: list[Path]) -> None:
        self.entries.append(
            item_id, {"messages": messages, "images": [str(p) for p in image_paths]}
        )

    def has_image(self, index: int) -> bool:
        if self.entries is not None:
            return bool(self.entries.has_images[index])
        return bool(self.item(index)["images"])

    def index_of(self, item_id: str) -> int:
        """The index of the item with `item_id`; KeyError if there is none."""
        if self.entries is not None:
            return self.entries.index_of(item_id)
        return _dataset_index(self)[item_id]

    @property
    def text_only(self) -> int:
        """Items with no image (the text-only conversations of a finetuning mix)."""
        if self.dataset is not None:
            import pyarrow.compute as pc

            lengths = pc.list_value_length(self.dataset.data.column("images"))
            return int(pc.sum(pc.equal(lengths, 0)).as_py() or 0)
        return len(self.entries.has_images) - sum(self.entries.has_images)

    def image_paths(self, index: int) -> list[Path]:
        return [Path(p) for p in self.entries[index]["images"]] if self.entries else []

    def item(self, index: int) -> dict:
        """{"id", "images": [bytes], "messages", **extra columns} of item `index`."""
        if self.dataset is not None:
            row = self.dataset[index]
            images = [image["bytes"] or Path(image["path"]).read_bytes() for image in row["images"]]
            extras = {k: row[k] for k in self.extra_features}
            return {"id": self.ids[index], "images": images, "messages": row["messages"], **extras}
        entry = self.entries[index]
        images = []
        for path in map(Path, entry["images"]):
            try:
                images.append(path.read_bytes())
            except FileNotFoundError:
                origin = f"source {self.path} item {self.ids[index]}"
                raise BadImage(origin, "missing", f"names missing image {path}") from None
            except OSError as error:
                raise BadImage(str(path), "missing", f"cannot read ({error.strerror})") from None
        return {"id": self.ids[index], "images": images, "messages": entry["messages"]}


def _conversation_source(path: Path, image_folder: Path, skip_bad: bool) -> Source:
    """LLaVA, Qwen-VL or mmpriv JSONL entries. A LLaVA entry without `image` (the text-only
    conversations of LLaVA-665K) is an item with no image; its turns are kept as they are."""
    source = Source.of_files(str(path))
    for number, entry in enumerate(iter_json(path)):
        origin = f"{path} entry {number}"
        if not isinstance(entry, dict):
            raise MmprivError(f"{origin}: expected an object, got {type(entry).__name__}")
        if "messages" in entry:  # our JSONL export
            messages, names = entry["messages"], entry.get("images", [])
        elif "image" in entry or not _has_qwen_pictures(entry):  # LLaVA (text-only: no image)
            messages = llava_to_messages(entry.get("conversations"), origin)
            image = entry.get("image")
            names = [] if image is None else image if isinstance(image, list) else [image]
        else:  # Qwen-VL
            messages, names = qwen_to_messages(entry.get("conversations"), origin)
        paths = [image_folder / str(name) for name in names]
        missing = [p for p in paths if not p.is_file()]
        if missing:
            if skip_bad:
                source.skipped += 1
                continue
            raise BadImage(
                f"{origin} (id {entry.get('id')})", "missing", f"names missing image {missing[0]}"
            )
        source.add(str(entry.get("id", number)), messages, paths)
    return source


def _has_qwen_pictures(entry: dict) -> bool:
    turns = entry.get("conversations")
    return isinstance(turns, list) and any(
        isinstance(t, dict) and QWEN_PICTURE.search(str(t.get("value", ""))) for t in turns
    )


def _image_folder_source(folder: Path) -> Source:
    metadata = {}
    if (folder / "metadata.jsonl").is_file():
        for number, entry in enumerate(iter_json(folder / "metadata.jsonl")):
            origin = f"{folder / 'metadata.jsonl'} entry {number}"
            if not isinstance(entry, dict) or "file_name" not in entry:
                raise MmprivError(f"{origin}: needs `file_name` and `messages` or `conversations`")
            if "messages" in entry:
                metadata[entry["file_name"]] = entry["messages"]
            else:
                metadata[entry["file_name"]] = llava_to_messages(entry.get("conversations"), origin)
    files = sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
    )
    from mmpriv_data.core.schema import user_turn  # imports datasets: only where needed

    source = Source.of_files(str(folder))
    for path in files:
        relative = path.relative_to(folder).as_posix()
        default = [user_turn(DEFAULT_PROMPT, with_image=True)]
        source.add(relative, metadata.get(relative, default), [path])
    if not len(source):
        raise MmprivError(
            f"{folder}: no images found (looked for {', '.join(sorted(IMAGE_SUFFIXES))})"
        )
    return source


def _dataset_source(path: str, config: str, split: str) -> Source:
    import datasets

    try:
        dataset = datasets.load_dataset(path, config or None, split=split)
    except Exception as error:  # datasets raises many types; the user needs one line
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise MmprivError(
            f"source {path} (config {config or 'default'}, split {split}): {first_line}"
        ) from None
    if "image" in dataset.column_names and "images" not in dataset.column_names:
        dataset = dataset.map(lambda row: {"images": [row["image"]]}, remove_columns=["image"])
    missing = [c for c in ("images", "messages") if c not in dataset.column_names]
    if missing:
        raise MmprivError(f"source {path}: dataset has no {' or '.join(missing)} column")
    dataset = dataset.cast_column("images", datasets.List(datasets.Image(decode=False)))
    ids = dataset["id"] if "id" in dataset.column_names else [str(i) for i in range(len(dataset))]
    extra = {k: v for k, v in dataset.features.items() if k not in ("id", "images", "messages")}
    return Source(path, [str(i) for i in ids], dataset=dataset, extra_features=extra)


def _stamp(path: str) -> tuple:
    """What changes when the files behind `path` change (keys the caches below)."""
    local = Path(path).expanduser()
    if not local.exists():
        return (path,)
    if local.is_file():
        return (local.stat().st_mtime_ns, local.stat().st_size)
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(local.rglob("*")))


def open_source(
    path: str,
    *,
    config: str = "",
    split: str = "train",
    image_folder: str = "",
    skip_bad: bool = False,
) -> Source:
    """Open `path` as one of the source kinds above.

    Cached per process (workers reopen it cheaply) and re-read when the files change.
    """
    return _open_source(path, config, split, image_folder, skip_bad, _stamp(path))


def checked_indices(source: Source, skip_bad: bool, state: str | None = None) -> array:
    """Indices of items whose first image decodes, and of text-only items (no image: nothing
    to check); a bad image raises (or its item is left out).

    Builders call this before generating, so a bad image fails with one clear line (errors
    raised inside generation reach the user wrapped by `datasets`). Cached per file state
    (`state`: `image_files_state(source)`, when the caller has it); the array is shared with
    the cache, so it must not be modified. 8 bytes an index, not a tuple of int objects.
    """
    return _checked_indices(source, skip_bad, state or image_files_state(source))


def image_files_state(source: Source) -> str:
    """A digest of every image file's path and mtime: one string, whatever the source's size."""
    digest = hashlib.sha256()
    for index in range(len(source) if source.entries else 0):
        for path in source.image_paths(index):
            mtime = path.stat().st_mtime_ns if path.exists() else None
            digest.update(f"{path}\0{mtime}\n".encode())
    return digest.hexdigest()


@lru_cache(maxsize=4)
def _checked_indices(source: Source, skip_bad: bool, _state: str) -> array:
    good = array("q")
    for index, item_id in enumerate(source.ids):
        if source.entries is not None and not source.entries.has_images[index]:
            good.append(index)  # text-only: kept as it is
            continue
        origin = f"source {source.path} item {item_id}"
        try:
            item = source.item(index)
            if item["images"]:
                load_image(item["images"][0], origin)
        except BadImage as error:
            if not skip_bad:
                raise
            source.skipped += 1
            log.warning("skipped (%s): %s", error.kind, error)
            continue
        good.append(index)
    return good


@lru_cache(maxsize=4)
def _open_source(
    path: str, config: str, split: str, image_folder: str, skip_bad: bool, _stamp: tuple
) -> Source:
    local = Path(path).expanduser()
    if local.is_dir():
        if (local / "README.md").is_file() or any(local.glob("*/*.parquet")):
            source = _dataset_source(str(local), config, split)
        else:
            listed = sorted(  # hidden files (mmpriv's own `.mmpriv.json` marker) are not data
                p
                for p in local.glob("*.json*")
                if p.suffix in (".json", ".jsonl") and not p.name.startswith(".")
            )
            if len(listed) == 1:
                local = listed[0]
            else:
                source = _image_folder_source(local)
    elif not local.exists():
        if re.fullmatch(r"[\w.-]+/[\w.-]+", path):
            source = _dataset_source(path, config, split)
        else:
            raise MmprivError(f"source {path}: no such file or folder (nor a Hub dataset id)")
    if local.is_file():
        if local.suffix not in (".json", ".jsonl"):
            raise MmprivError(f"source {path}: expected a .json/.jsonl file, a folder or a Hub id")
        folder = Path(image_folder).expanduser() if image_folder else local.parent
        source = _conversation_source(local, folder, skip_bad)
    if source.entries is not None:
        source.entries.finish()  # indexes the ids: 16 bytes per entry, not a dict of strings
        duplicate = source.entries.first_repeated_id()
    else:
        duplicate = next((i for i, n in Counter(source.ids).items() if n > 1), None)
    if duplicate is not None:
        raise MmprivError(f"source {path}: id {duplicate!r} appears more than once")
    return source


@lru_cache(maxsize=2)
def _dataset_index(source: Source) -> dict[str, int]:
    """id -> index of a dataset source (memory-mapped; its ids are a list already)."""
    return {item_id: i for i, item_id in enumerate(source.ids)}
