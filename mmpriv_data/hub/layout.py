"""The Hub repository layout, written to a local folder.

`<config>/<split>-NNNNN-of-NNNNN.parquet` shards sized the way `DatasetDict.push_to_hub` sizes
them, with row groups of at most `MAX_ROW_GROUP_BYTES`, plus the YAML that
`load_dataset(folder, config)` and the Hub read (`configs:` with data_files, `dataset_info:`
per config).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
from datasets.arrow_writer import get_writer_batch_size_from_features
from datasets.io.parquet import get_parquet_column_options
from datasets.utils.py_utils import convert_file_size_to_int

from mmpriv_data.hub.row_source import ArrowFileRows, DatasetRows

Rows = DatasetRows | ArrowFileRows

DEFAULT_MAX_SHARD_SIZE = "500MB"
# Why not datasets' 100MB: each row group is made one Arrow chunk (a copy) and encoded whole,
# so the writer holds about 1.3x a row group; at 100MB that made a 100K-entry build peak
# ~110 MB above a 10K one (issue 17). 8MB bounds it and stays within what the dataset viewer
# reads (<= 100MB a row group). Splits under 8MB of rows are written exactly as before.
MAX_ROW_GROUP_BYTES = "8MB"


@dataclass
class ConfigLayout:
    """What was written for one config: its splits, shards and the YAML entries."""

    name: str
    features: datasets.Features
    splits: dict[str, int] = field(default_factory=dict)  # split -> rows
    split_bytes: dict[str, int] = field(default_factory=dict)  # split -> arrow bytes
    shards: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
    shard_bytes: dict[str, int] = field(default_factory=dict)

    @property
    def num_rows(self) -> int:
        return sum(self.splits.values())

    @property
    def download_size(self) -> int:
        return sum(self.shard_bytes.values())

    def configs_entry(self) -> dict:
        return {
            "config_name": self.name,
            "data_files": [
                {"split": split, "path": f"{self.name}/{split}-*"} for split in self.splits
            ],
        }

    def dataset_info_entry(self) -> dict:
        splits = datasets.SplitDict()
        for split, rows in self.splits.items():
            splits.add(
                datasets.SplitInfo(name=split, num_bytes=self.split_bytes[split], num_examples=rows)
            )
        info = datasets.DatasetInfo(
            features=self.features,
            splits=splits,
            download_size=self.download_size,
            dataset_size=sum(self.split_bytes.values()),
        )
        return {"config_name": self.name, **info._to_yaml_dict()}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_parquet(rows: Rows, start: int, stop: int, path: Path, batch_size: int) -> None:
    """`Dataset.to_parquet` of rows [start, stop), with each batch one Arrow chunk.

    The rows of a build made by N processes sit in N Arrow files, so a batch that spans two
    of them arrives in two chunks, and parquet's content-defined chunking would cut its pages
    differently: the same rows, other bytes. One chunk per batch makes the file a function of
    the rows alone (of the number of processes, nodes or Ray blocks that made them).
    """
    schema = rows.features.arrow_schema
    cdc = datasets.config.DEFAULT_CDC_OPTIONS  # what `to_parquet` uses, recorded the same way
    writer = pq.ParquetWriter(
        str(path),
        schema=schema,
        use_content_defined_chunking=cdc,
        write_page_index=True,
        **get_parquet_column_options(rows.features, schema),
    )
    try:
        for batch in rows.tables(start, stop, batch_size):
            writer.write_table(batch)
            del batch
            # The row group's one-chunk copy is freed; hand its pages back before the next,
            # or the allocator keeps one row group's worth per row group (memory, not bytes).
            pa.default_memory_pool().release_unused()
        writer.add_key_value_metadata({"content_defined_chunking": json.dumps(cdc)})
    finally:
        writer.close()


def arrow_nbytes(rows: Rows, window: int = 256) -> int:
    """The rows' size in Arrow (what `Dataset._estimate_nbytes` measures for embedded bytes),
    counted window by window of one chunk each: Arrow's own count adds a few bytes per chunk
    (offsets, validity bits), and shard count and row-group size must not depend on chunking.
    """
    return sum(table.nbytes for table in rows.tables(0, len(rows), window))


def shard_range(num_rows: int, num_shards: int, index: int) -> tuple[int, int]:
    """Rows [start, stop) of shard `index`: `Dataset.shard(..., contiguous=True)`'s cut."""
    div, mod = divmod(num_rows, num_shards)
    start = div * index + min(index, mod)
    return start, start + div + (1 if index < mod else 0)


def write_split(
    source: datasets.Dataset | Rows,
    folder: Path,
    config: str,
    split: str,
    layout: ConfigLayout,
    max_shard_size: int | str = DEFAULT_MAX_SHARD_SIZE,
) -> None:
    """Write one split as parquet shards under `folder/config/` and record them in `layout`.

    `source`: a `datasets.Dataset` or the rows of a split's Arrow files (`ArrowFileRows`,
    which a local build streams instead of loading the split with `as_dataset()`)."""
    rows = DatasetRows(source) if isinstance(source, datasets.Dataset) else source
    nbytes = arrow_nbytes(rows)
    pa.default_memory_pool().release_unused()  # the windows' copies, before the first shard
    # datasets' own size rule (`get_writer_batch_size_from_data_size`) with our smaller cap.
    row_group_rows = len(rows) * convert_file_size_to_int(MAX_ROW_GROUP_BYTES) // max(1, nbytes)
    batch_size = get_writer_batch_size_from_features(rows.features) or max(1, row_group_rows)
    num_shards = int(nbytes / convert_file_size_to_int(max_shard_size)) + 1
    (folder / config).mkdir(parents=True, exist_ok=True)
    for index in range(num_shards):
        relative = f"{config}/{split}-{index:05d}-of-{num_shards:05d}.parquet"
        start, stop = shard_range(len(rows), num_shards, index)
        write_parquet(rows, start, stop, folder / relative, batch_size)
        layout.shards[relative] = sha256_file(folder / relative)
        layout.shard_bytes[relative] = (folder / relative).stat().st_size
        # Arrow's allocator (mimalloc) keeps the pages freed by a shard's batches and writer;
        # handing them back keeps them from piling up shard after shard (and into what runs
        # after the build). A memory-pool call: the bytes written do not depend on it.
        pa.default_memory_pool().release_unused()
    layout.splits[split] = len(rows)
    # Uncompressed size from the parquet metadata: unlike the Arrow buffers' size it does not
    # depend on how many processes (and so Arrow chunks) produced the rows.
    layout.split_bytes[split] = sum(
        uncompressed_size(folder / path)
        for path in layout.shards
        if path.startswith(f"{config}/{split}-")
    )


def uncompressed_size(path: Path) -> int:
    metadata = pq.ParquetFile(path).metadata
    return sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))


def list_shards(folder: Path) -> list[str]:
    """Relative paths of every parquet shard in a Hub-layout folder, sorted."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.glob("*/*.parquet"))
