"""The rows of a generated split, handed to the shard writer as one-chunk Arrow tables.

Two sources give the same tables for the same rows:
- `DatasetRows`: a `datasets.Dataset` (what the Ray engine returns);
- `ArrowFileRows`: the Arrow files a local `download_and_prepare` left in the cache, read
  record batch by record batch. `as_dataset()` memory-maps the whole split and keeps an
  object per record batch (datasets writes image rows 100 to a batch): about 20 KB each,
  14 MB for a 100K-entry source (issue 17). Streaming keeps only the batches of one table.

Tables are always one chunk: the parquet bytes then depend on the rows alone, not on how
many processes, nodes or batches produced them (see `layout.write_parquet`).
"""

from __future__ import annotations

from collections.abc import Iterator

import datasets
import pyarrow as pa
from datasets.formatting import query_table
from datasets.naming import filenames_for_dataset_split


class DatasetRows:
    """Rows of a `datasets.Dataset`."""

    def __init__(self, dataset: datasets.Dataset):
        self.dataset = dataset
        self.features = dataset.features

    def __len__(self) -> int:
        return len(self.dataset)

    def tables(self, start: int, stop: int, size: int) -> Iterator[pa.Table]:
        """One-chunk tables of `size` rows (the last may be shorter) covering [start, stop)."""
        for offset in range(start, stop, size):
            piece = slice(offset, min(offset + size, stop))
            table = query_table(self.dataset.data, piece, indices=self.dataset._indices)
            yield table.combine_chunks()


class ArrowFileRows:
    """Rows of a split's Arrow stream files, in order, read lazily from memory maps."""

    def __init__(self, files: list[str], features: datasets.Features, num_rows: int):
        self.files, self.features, self.num_rows = files, features, num_rows

    @classmethod
    def of_builder(cls, builder: datasets.DatasetBuilder, split: str) -> ArrowFileRows:
        """The files `download_and_prepare` wrote for `split` (one per process)."""
        info = builder.info.splits[split]
        files = filenames_for_dataset_split(
            builder._output_dir,
            builder.dataset_name,
            split,
            filetype_suffix="arrow",
            shard_lengths=info.shard_lengths,
        )
        return cls(files, builder.info.features, info.num_examples)

    def __len__(self) -> int:
        return self.num_rows

    def _slices(self, start: int, stop: int) -> Iterator[pa.RecordBatch]:
        """The record batches of rows [start, stop), cut at both ends; the memory maps stay
        open as long as a batch refers to them (Arrow's buffers hold the mapping)."""
        position = 0
        for path in self.files:
            for batch in pa.ipc.open_stream(pa.memory_map(path)):
                end = position + batch.num_rows
                low, high = max(start - position, 0), min(stop, end) - position
                if high > low:
                    yield batch.slice(low, high - low)
                position = end
                if position >= stop:
                    return

    def tables(self, start: int, stop: int, size: int) -> Iterator[pa.Table]:
        """One-chunk tables of `size` rows (the last may be shorter) covering [start, stop)."""
        pending: list[pa.RecordBatch] = []
        held = 0
        for piece in self._slices(start, stop):
            pending.append(piece)
            held += piece.num_rows
            while held >= size:
                table = pa.Table.from_batches(pending)
                yield table.slice(0, size).combine_chunks()
                rest = table.slice(size)
                pending, held = rest.to_batches(), rest.num_rows
        if held:
            yield pa.Table.from_batches(pending).combine_chunks()
