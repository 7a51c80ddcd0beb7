"""Row groups of written shards: bounded (the writer's memory follows them), rows unchanged."""

from __future__ import annotations

import datasets
import numpy as np
import pyarrow.parquet as pq

from mmpriv_data.hub import layout


def blob_dataset(rows: int, size: int) -> datasets.Dataset:
    rng = np.random.default_rng(0)  # incompressible bytes: the Arrow size is the data size
    return datasets.Dataset.from_dict(
        {"id": [f"r{i}" for i in range(rows)], "blob": [rng.bytes(size) for _ in range(rows)]}
    )


def write(dataset: datasets.Dataset, folder) -> tuple[layout.ConfigLayout, list]:
    config = layout.ConfigLayout(name="default", features=dataset.features)
    layout.write_split(dataset, folder, "default", "train", config)
    files = [pq.ParquetFile(folder / path) for path in sorted(config.shards)]
    return config, files


def test_a_split_above_the_cap_is_cut_into_bounded_row_groups(tmp_path):
    cap = datasets.utils.py_utils.convert_file_size_to_int(layout.MAX_ROW_GROUP_BYTES)
    dataset = blob_dataset(rows=400, size=100_000)  # 40 MB of rows, one 500MB shard
    config, files = write(dataset, tmp_path)
    assert len(files) == 1
    metadata = files[0].metadata
    assert metadata.num_rows == 400
    # 8MB over the rows' 40.0 MB: 79 rows a group, five of them and one of 5 rows.
    assert metadata.num_row_groups == 6
    assert [metadata.row_group(i).num_rows for i in range(6)] == [79] * 5 + [5]
    sizes = [metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups)]
    assert max(sizes) <= cap * 1.01
    back = files[0].read().to_pydict()
    assert back["id"] == dataset["id"] and back["blob"] == dataset["blob"]
    assert config.splits == {"train": 400}


def test_a_split_under_the_cap_stays_one_row_group(tmp_path):
    _, files = write(blob_dataset(rows=100, size=10_000), tmp_path)  # 1 MB
    assert files[0].metadata.num_row_groups == 1
