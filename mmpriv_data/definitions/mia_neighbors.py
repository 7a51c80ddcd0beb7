"""The `mia-neighbors` dataset: member and non-member samples, each with K perturbed neighbours.

Members and non-members come from ONE pool (mmpriv's generated profiles by default, or any
images+messages dataset the user names) cut by a seeded shuffle, so a model-free classifier
cannot tell them apart (`mmpriv audit` checks it). Each sample carries K FiMMIA
neighbours (`mmpriv_data.transforms.neighbors`): its assistant text perturbed and its image(s)
perturbed, with the parameters recorded.

>>> pool = load_pool("", "", "", seed=0, num_samples=8, image_size=64)
>>> len(pool.items), len(member_positions(pool, 0, 0.5))
(8, 4)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import datasets

from mmpriv_data.core import schema
from mmpriv_data.core.errors import MmprivError
from mmpriv_data.core.seeding import stream
from mmpriv_data.transforms import neighbors

NAME = "mia-neighbors"
CONFIGS = ("samples", "mimir")
MIMIR_COLUMNS = ("member", "nonmember", "member_neighbors", "nonmember_neighbors")


@dataclass(frozen=True)
class Params:
    """Generation parameters (settable with `--set key=value`)."""

    seed: int = 0
    source: str = ""  # "" = profiles generated in-process; else a local images+messages dataset
    source_config: str = ""
    source_split: str = ""  # "" = every split of the source, pooled
    num_samples: int = 200  # pool size (0 = the whole source)
    member_fraction: float = 0.5
    neighbors: int = 24
    image_size: int = 128  # generated portraits only
    fill_model: str = ""  # a local masked-LM folder for substitution; "" = in-corpus words

    def __post_init__(self):
        if self.num_samples < 0 or (not self.source and self.num_samples < 4):
            raise ValueError(f"num_samples must be at least 4, got {self.num_samples}")
        if not 0.0 < self.member_fraction < 1.0:
            raise ValueError(f"member_fraction must be within (0, 1), got {self.member_fraction}")
        if not 1 <= self.neighbors <= 256:
            raise ValueError(f"neighbors must be within 1..256, got {self.neighbors}")
        if not 32 <= self.image_size <= 1024:
            raise ValueError(f"image_size must be within 32..1024, got {self.image_size}")


@dataclass(frozen=True)
class PoolItem:
    id: str
    source_index: int
    messages: list
    images: list  # [{"bytes", "path": None}]


@dataclass(frozen=True)
class Pool:
    items: tuple[PoolItem, ...]
    vocabulary: tuple[str, ...]


def describe_source(source: str, source_config: str) -> str:
    """One line for the card: where the pool came from."""
    if not source:
        return "mmpriv `profiles` rows generated in-process (portrait + biography/QA conversation)"
    return f"local dataset `{Path(source).name}`" + (
        f" (config `{source_config}`)" if source_config else ""
    )


def target_segments(messages: list, where: str = "") -> list[str]:
    """The assistant turns' text: what a membership loss scores and what neighbours perturb."""
    segments = [
        "".join(c.get("text") or "" for c in turn["content"] if c.get("type") == "text")
        for turn in messages
        if turn.get("role") == "assistant"
    ]
    if not segments:
        raise MmprivError(f"{where}: no assistant turn in `messages` (nothing to score)")
    return segments


def _generated_pool(seed: int, num_samples: int, image_size: int) -> list[PoolItem]:
    from mmpriv_data.definitions.profiles import profile_row

    items = []
    for index in range(num_samples):
        row = profile_row(seed, num_samples, index, image_size=image_size, test=False)
        items.append(PoolItem(row["id"], index, row["messages"], row["images"]))
    return items


def _source_pool(
    source: str, config: str, split: str, seed: int, num_samples: int
) -> list[PoolItem]:
    if not Path(source).exists():
        raise MmprivError(f"--set source={source}: no such folder or file")
    try:
        loaded = datasets.load_dataset(source, config or None)
    except (ValueError, FileNotFoundError) as error:
        raise MmprivError(f"--set source={source}: cannot load it ({error})") from None
    splits = [split] if split else sorted(loaded)
    if split and split not in loaded:
        raise MmprivError(f"--set source_split={split}: {source} has splits {sorted(loaded)}")
    table = datasets.concatenate_datasets([loaded[s] for s in splits])
    for column in ("messages", "images"):
        if column not in table.column_names:
            raise MmprivError(f"--set source={source}: no `{column}` column ({table.column_names})")
    table = table.cast_column("images", datasets.List(datasets.Image(decode=False)))
    order = stream(seed, NAME, "source-order", len(table)).permutation(len(table)).tolist()
    chosen = sorted(order[:num_samples] if num_samples else order)
    ids = table["id"] if "id" in table.column_names else None
    items = []
    for index in chosen:
        row = table[index]
        images = [{"bytes": image["bytes"], "path": None} for image in row["images"]]
        items.append(
            PoolItem(str(ids[index]) if ids else f"row-{index}", index, row["messages"], images)
        )
    if len({item.id for item in items}) != len(items):
        raise MmprivError(f"--set source={source}: the `id` column has duplicates")
    return items


@lru_cache(maxsize=2)
def load_pool(
    source: str,
    source_config: str,
    source_split: str,
    *,
    seed: int,
    num_samples: int,
    image_size: int,
) -> Pool:
    """Every candidate sample and the in-corpus vocabulary (computed once, before workers fork)."""
    if source:
        items = _source_pool(source, source_config, source_split, seed, num_samples)
    else:
        items = _generated_pool(seed, num_samples, image_size)
    if len(items) < 4:
        raise MmprivError(f"{NAME}: the pool holds {len(items)} samples; at least 4 are needed")
    texts = [
        " ".join(target_segments(item.messages, f"pool row {item.source_index}")) for item in items
    ]
    return Pool(tuple(items), tuple(neighbors.vocabulary(texts)))


def member_positions(pool: Pool, seed: int, member_fraction: float) -> set[int]:
    """Pool positions that are members: the first part of one seeded shuffle of the pool."""
    n = len(pool.items)
    order = stream(seed, NAME, "member-order", n).permutation(n).tolist()
    n_members = min(n - 1, max(1, round(n * member_fraction)))
    return set(order[:n_members])


def replacer_for(pool: Pool, fill_model: str):
    corpus = neighbors.CorpusReplacer(list(pool.vocabulary))
    if fill_model:
        return neighbors.MaskedLMReplacer(fill_model, fallback=corpus)
    return corpus


def _with_targets(messages: list, segments: tuple[str, ...]) -> list:
    """A copy of `messages` whose assistant turns hold `segments`."""
    texts = iter(segments)
    result = []
    for turn in messages:
        if turn["role"] == "assistant":
            turn = {"role": "assistant", "content": [{"type": "text", "text": next(texts)}]}
        result.append(turn)
    return result


def sample_row(
    item: PoolItem, member: bool, k: int, replacer, seed: int, *, with_images: bool = True
) -> dict:
    """One row of the `samples` config (or, without images, what `mimir` needs)."""
    segments = target_segments(item.messages, f"sample {item.id}")
    key = (NAME, "sample", item.id)
    text_neighbors = neighbors.text_neighbors(segments, k, replacer, seed, key)
    rows = []
    for j, neighbor in enumerate(text_neighbors):
        images, image_params = [], []
        for m, image in enumerate(item.images if with_images else []):
            data, params = neighbors.image_neighbor(image["bytes"], seed, (*key, "image", m), j)
            images.append({"bytes": data, "path": None})
            image_params.append(params)
        params = {"mask_count": len(neighbor.positions), "positions": list(neighbor.positions)}
        rows.append(
            {
                "kind": neighbor.kind,
                "text": "\n".join(neighbor.segments),
                "messages": _with_targets(item.messages, neighbor.segments),
                "images": images,
                "params": json.dumps({"text": params, "images": image_params}, sort_keys=True),
            }
        )
    return {
        "id": item.id,
        "member": member,
        "source_index": item.source_index,
        "images": item.images,
        "messages": item.messages,
        "text": "\n".join(segments),
        "neighbors": rows,
    }


def mimir_row(member_row: dict, nonmember_row: dict) -> dict:
    """mimir's column names: one member and one non-member text per row, with neighbours."""
    return {
        "member_id": member_row["id"],
        "nonmember_id": nonmember_row["id"],
        "member": member_row["text"],
        "nonmember": nonmember_row["text"],
        "member_neighbors": [n["text"] for n in member_row["neighbors"]],
        "nonmember_neighbors": [n["text"] for n in nonmember_row["neighbors"]],
    }


def features(config: str) -> datasets.Features:
    string = datasets.Value("string")
    if config == "mimir":
        return datasets.Features(
            {
                "member_id": string,
                "nonmember_id": string,
                "member": string,
                "nonmember": string,
                "member_neighbors": [string],
                "nonmember_neighbors": [string],
            }
        )
    neighbor = {
        "kind": string,
        "text": string,
        "messages": schema.MESSAGES_FEATURE,
        "images": schema.IMAGES_FEATURE,
        "params": string,
    }
    return datasets.Features(
        {
            "id": string,
            "member": datasets.Value("bool"),
            "source_index": datasets.Value("int64"),
            "images": schema.IMAGES_FEATURE,
            "messages": schema.MESSAGES_FEATURE,
            "text": string,
            "neighbors": [neighbor],
        }
    )


def sample_files(folder: str | Path) -> dict[str, list[Path]]:
    """The member / non-member parquet shards of a built folder (DIR/mia-neighbors or its
    `samples` config folder)."""
    folder = Path(folder)
    if not folder.exists():
        raise MmprivError(f"{folder}: no such folder")
    for base in (folder / "samples", folder):
        found = {
            split: sorted(base.glob(f"{split}-*.parquet")) for split in ("member", "nonmember")
        }
        if all(found.values()):
            return found
    raise MmprivError(
        f"{folder}: no samples/member-*.parquet and samples/nonmember-*.parquet "
        f"(build one with `mmpriv build {NAME} --out DIR`)"
    )


def read_samples(folder: str | Path, columns: list[str]):
    """A pyarrow table of `columns` over members then non-members, `member` set from the split.

    >>> read_samples("/nonexistent", ["id"])  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    mmpriv_data.core.errors.MmprivError: /nonexistent: no such folder
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    wanted = [c for c in dict.fromkeys(columns) if c != "member"]
    tables = []
    for split, paths in sample_files(folder).items():
        for path in paths:
            names = pq.ParquetFile(path).schema_arrow.names
            missing = [c for c in wanted if c not in names]
            if missing:
                raise MmprivError(f"{path}: missing column(s) {', '.join(missing)} (has {names})")
            table = pq.read_table(path, columns=wanted)
            flag = pa.array([split == "member"] * table.num_rows, type=pa.bool_())
            tables.append(table.append_column("member", flag))
    return pa.concat_tables(tables)
