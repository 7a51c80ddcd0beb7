"""`mmpriv export`: a built dataset config as files other codebases read.

- `llava`: `images/` + a JSON list of `{"id", "image", "conversations"}` with `<image>` in
  the human turns (LLaVA's `--data_path`/`--image_folder`);
- `qwen`: `images/` + a JSON list of `{"id", "conversations"}` with
  `Picture 1: <img>images/x.jpg</img>` in the user turns (Qwen-VL's finetune.py);
- `jsonl`: `images/` + one `{"id", "images": [paths], "messages"}` per line.

Image bytes are written as stored (no re-encoding); paths are relative to the data file.
Building from the export (`--set source=OUT`) gives the same conversations.

>>> export("out/privacy-images", config="rate_50", fmt="llava", out="llava")  # doctest: +SKIP
ExportResult(rows=1000, data_file=PosixPath('llava/rate_50-train.json'))
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from mmpriv_data.core.atomic import atomic_folder, check_folder_target
from mmpriv_data.core.errors import MmprivError
from mmpriv_data.files.sources import messages_to_llava, messages_to_qwen

FORMATS = ("llava", "qwen", "jsonl")
_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp", "BMP": "bmp"}


@dataclass
class ExportResult:
    rows: int
    data_file: Path


def _load(folder: Path, config: str, split: str):
    import datasets

    if not (folder / "README.md").is_file():
        raise MmprivError(f"{folder}: not a dataset folder written by `mmpriv build`")
    try:
        loaded = datasets.load_dataset(str(folder), config)
    except ValueError as error:
        raise MmprivError(f"{folder}: cannot load config {config!r} ({error})") from None
    if not split:
        if len(loaded) != 1:
            raise MmprivError(f"{folder} {config}: choose --split from {', '.join(loaded)}")
        split = next(iter(loaded))
    if split not in loaded:
        raise MmprivError(f"{folder} {config}: no split {split!r} (has {', '.join(loaded)})")
    dataset = loaded[split]
    missing = [c for c in ("images", "messages") if c not in dataset.column_names]
    if missing:
        raise MmprivError(f"{folder} {config}: no {' or '.join(missing)} column to export")
    images = datasets.List(datasets.Image(decode=False))
    return dataset.cast_column("images", images), split


def _file_name(item_id: str, k: int, data: bytes, taken: set[str]) -> str:
    fmt = Image.open(io.BytesIO(data)).format
    stem = re.sub(r"[^\w.-]+", "_", item_id).strip("._") or "image"
    name = f"{stem}-{k}.{_EXTENSIONS.get(fmt, 'img')}"
    n = 1
    while name in taken:  # two ids that sanitise alike
        name = f"{stem}-{k}-{n}.{_EXTENSIONS.get(fmt, 'img')}"
        n += 1
    taken.add(name)
    return name


def export(
    folder: str | Path, *, config: str, fmt: str, out: str | Path, split: str = ""
) -> ExportResult:
    """Write `config`/`split` of the dataset at `folder` to `out` in format `fmt`."""
    if fmt not in FORMATS:
        raise MmprivError(f"--format {fmt}: expected one of {', '.join(FORMATS)}")
    folder, out = Path(folder), Path(out)
    check_folder_target(out, "export")  # a previous export may be replaced, nothing else
    dataset, split = _load(folder, config, split)
    with atomic_folder(out, "export") as staging:
        (staging / "images").mkdir()
        entries, taken = [], set()
        for index, row in enumerate(dataset):
            item_id = str(row.get("id", index))
            paths = []
            for k, image in enumerate(row["images"]):
                data = image["bytes"] or Path(image["path"]).read_bytes()
                relative = f"images/{_file_name(item_id, k, data, taken)}"
                (staging / relative).write_bytes(data)
                paths.append(relative)
            messages = row["messages"]
            if fmt == "llava":
                entry = {"id": item_id}
                if paths:
                    entry["image"] = paths[0] if len(paths) == 1 else paths
                entry["conversations"] = messages_to_llava(messages)
            elif fmt == "qwen":
                entry = {"id": item_id, "conversations": messages_to_qwen(messages, paths)}
            else:
                entry = {"id": item_id, "images": paths, "messages": messages}
            entries.append(entry)
        name = f"{config}-{split}.{'jsonl' if fmt == 'jsonl' else 'json'}"
        with open(staging / name, "w", encoding="utf-8") as handle:
            if fmt == "jsonl":
                handle.writelines(json.dumps(e, ensure_ascii=False) + "\n" for e in entries)
            else:
                json.dump(entries, handle, ensure_ascii=False, indent=1)
    return ExportResult(len(entries), out / name)
