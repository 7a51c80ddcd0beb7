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
import json
import logging
import os
import re
import tempfile
import warnings
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from PIL import Image, UnidentifiedImageError

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

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
DEFAULT_PROMPT = "Describe this image."
log = logging.getLogger("mmpriv")


class BadImage(MmprivError):
    """An unusable image; `kind` is one of missing, not-an-image, corrupt, too-large."""

    def __init__(self, origin: str, kind: str, detail: str):
        super().__init__(f"{origin}: {detail}")
        self.kind = kind


def load_image(data: bytes | Path, origin: str, max_pixels: int | None = None) -> Image.Image:
    """Open and fully decode an image, or raise BadImage naming `origin` and what is wrong.

    The pixel count is checked from the header before decoding, so a decompression bomb
    costs nothing. `max_pixels` defaults to Pillow's Image.MAX_IMAGE_PIXELS.

    >>> load_image(b"not an image", "x.jpg")
    Traceback (most recent call last):
    ...
    mmpriv_data.files.sources.BadImage: x.jpg: not an image file
    """
    limit = max_pixels or Image.MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data) if isinstance(data, bytes) else data)
        if limit and image.width * image.height > limit:
            raise BadImage(
                origin,
                "too-large",
                f"{image.width}x{image.height} pixels exceeds the limit of {limit} "
                "(possible decompression bomb)",
            )
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise BadImage(origin, "too-large", f"possible decompression bomb ({error})") from None
    except FileNotFoundError:
        raise BadImage(origin, "missing", "image file not found") from None
    except UnidentifiedImageError:
        raise BadImage(origin, "not-an-image", "not an image file") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise BadImage(origin, "corrupt", f"corrupt or truncated image ({error})") from None
    return image


class EntryStore:
    """A source's entries, spilled to an anonymous temporary file as they stream in.

    Only each entry's offset stays in memory (8 bytes), so a 665K-entry mix costs what a
    10K one does; entries are read back with `os.pread`, safe in threads and forked workers.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="mmpriv-source-")
        self._offsets = array("Q", [0])

    def append(self, entry: dict) -> None:
        line = json.dumps(entry, ensure_ascii=False).encode("utf-8") + b"\n"
        self._file.write(line)
        self._offsets.append(self._offsets[-1] + len(line))

    def finish(self) -> None:
        self._file.flush()

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, index: int) -> dict:
        start, end = self._offsets[index], self._offsets[index + 1]
        return json.loads(os.pread(self._file.fileno(), end - start, start))

    def __getstate__(self):  # a Ray worker or spawned process reopens the source instead
        raise TypeError("EntryStore is local to a process; reopen the source")


@dataclass(eq=False)  # hashed by identity: the caches below key on it
class Source:
    """Items of a source; images are read lazily (file paths or a memory-mapped dataset).

    File sources keep their entries on disk (`EntryStore`: messages and image paths), the
    ids and one flag per item (has images) in memory.
    """

    path: str
    ids: list[str]
    entries: EntryStore | None = None  # {"messages", "images": [paths]} per item
    has_images: bytearray = field(default_factory=bytearray)
    dataset: object = None  # datasets.Dataset for dataset sources
    extra_features: dict = field(default_factory=dict)
    skipped: int = 0  # entries dropped by skip_bad (missing images)

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, item_id: str, messages: list[dict], image_paths: list[Path]) -> None:
        self.ids.append(item_id)
        self.entries.append({"messages": messages, "images": [str(p) for p in image_paths]})
        self.has_images.append(1 if image_paths else 0)

    @property
    def text_only(self) -> int:
        """Items with no image (the text-only conversations of a finetuning mix)."""
        if self.dataset is not None:
            import pyarrow.compute as pc

            lengths = pc.list_value_length(self.dataset.data.column("images"))
            return int(pc.sum(pc.equal(lengths, 0)).as_py() or 0)
        return len(self.has_images) - sum(self.has_images)

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


def _json_error(path: Path, error: Exception) -> MmprivError:
    detail = getattr(error, "msg", None) or str(error).splitlines()[0]
    where = f" at line {error.lineno}" if getattr(error, "lineno", None) else ""
    return MmprivError(f"{path}: not JSON ({detail}{where})")


def _iter_json(path: Path) -> Iterator[dict]:
    """The entries of a JSON list or a JSONL file, one at a time (a 665K-entry LLaVA mix
    never sits in memory whole)."""
    try:
        with open(path, "rb") as handle:
            if path.suffix == ".jsonl":
                for number, line in enumerate(handle, 1):
                    if line.strip():
                        try:
                            yield json.loads(line)
                        except json.JSONDecodeError as error:
                            raise MmprivError(f"{path}:{number}: not JSON ({error.msg})") from None
                return
            first = handle.read(64).lstrip()[:1]
            handle.seek(0)
            if first != b"[":
                if first in (b"{", b'"') or first.isalnum():
                    raise MmprivError(f"{path}: expected a JSON list of entries")
                raise MmprivError(f"{path}: not JSON (expected a list)")
            yield from _stream_list(handle, path)
    except OSError as error:
        raise MmprivError(f"{path}: cannot read ({error.strerror})") from None


def _stream_list(handle, path: Path) -> Iterator[object]:
    try:
        import ijson
    except ImportError:  # without ijson the list is read whole: same entries, more memory
        try:
            yield from json.load(handle)
        except json.JSONDecodeError as error:
            raise _json_error(path, error) from None
        return
    try:
        yield from ijson.items(handle, "item", use_float=True)
    except ijson.JSONError as error:
        raise _json_error(path, error) from None


def _conversation_source(path: Path, image_folder: Path, skip_bad: bool) -> Source:
    """LLaVA, Qwen-VL or mmpriv JSONL entries. A LLaVA entry without `image` (the text-only
    conversations of LLaVA-665K) is an item with no image; its turns are kept as they are."""
    source = Source(str(path), [], entries=EntryStore())
    for number, entry in enumerate(_iter_json(path)):
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
    source.entries.finish()
    return source


def _has_qwen_pictures(entry: dict) -> bool:
    turns = entry.get("conversations")
    return isinstance(turns, list) and any(
        isinstance(t, dict) and QWEN_PICTURE.search(str(t.get("value", ""))) for t in turns
    )


def _image_folder_source(folder: Path) -> Source:
    metadata = {}
    if (folder / "metadata.jsonl").is_file():
        for number, entry in enumerate(_iter_json(folder / "metadata.jsonl")):
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

    source = Source(str(folder), [], entries=EntryStore())
    for path in files:
        relative = path.relative_to(folder).as_posix()
        default = [user_turn(DEFAULT_PROMPT, with_image=True)]
        source.add(relative, metadata.get(relative, default), [path])
    source.entries.finish()
    if not source.ids:
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


def checked_indices(source: Source, skip_bad: bool) -> list[int]:
    """Indices of items whose first image decodes, and of text-only items (no image: nothing
    to check); a bad image raises (or its item is left out).

    Builders call this before generating, so a bad image fails with one clear line (errors
    raised inside generation reach the user wrapped by `datasets`). Cached per file state.
    """
    return list(_checked_indices(source, skip_bad, _image_files_state(source)))


def _image_files_state(source: Source) -> str:
    """A digest of every image file's path and mtime: one string, whatever the source's size."""
    digest = hashlib.sha256()
    for index in range(len(source) if source.entries else 0):
        for path in source.image_paths(index):
            mtime = path.stat().st_mtime_ns if path.exists() else None
            digest.update(f"{path}\0{mtime}\n".encode())
    return digest.hexdigest()


@lru_cache(maxsize=4)
def _checked_indices(source: Source, skip_bad: bool, _state: str) -> tuple[int, ...]:
    good = []
    for index, item_id in enumerate(source.ids):
        if source.entries is not None and not source.has_images[index]:
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
    return tuple(good)


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
    repeated = [i for i, n in Counter(source.ids).items() if n > 1]
    if repeated:
        duplicate = repeated[0]
        raise MmprivError(f"source {path}: id {duplicate!r} appears more than once")
    return source
