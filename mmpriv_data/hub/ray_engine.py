"""`--engine ray`: a builder's work units spread over a Ray cluster with Ray Data.

Every builder splits its rows into work units (`WORK_UNIT` items, each drawing from its own
seeded streams), and `_split_generators` hands them over as `gen_kwargs={"units": [...]}`.
Here the unit numbers become a Ray Dataset; `map_batches` runs the builder's own
`_generate_examples` on one unit at a time, on any node, and encodes the rows with the same
`datasets.ArrowWriter` and features that a local build uses. Ray keeps the output in unit order
(`preserve_order`), so the driver appends each unit's rows to one Arrow file as they arrive,
and the Hub writer (`layout.write_split`) turns it into the same shards, byte for byte, as a
local build with any `--num-proc`.

Ray does the distribution, the retries of lost tasks and the backpressure; nothing here
schedules. Ray is optional: `pip install "mmpriv[ray]"`.

A cluster: `ray start --head` on one machine, `ray start --address HEAD:6379` on the others,
each with mmpriv installed; then `mmpriv build NAME --engine ray --address HEAD:6379`.
"""

from __future__ import annotations

from pathlib import Path

import datasets
import pyarrow as pa
from datasets.arrow_writer import ArrowWriter

from mmpriv_data.core.ray_cluster import ordered_results


def _unit_rows(builder: datasets.GeneratorBasedBuilder, units: list, index: int) -> bytes:
    """One work unit's rows, encoded exactly as `datasets` encodes a local build's rows."""
    features = builder.info.features
    sink = pa.BufferOutputStream()
    with ArrowWriter(features=features, stream=sink) as writer:
        for _key, example in builder._generate_examples(units=[units[index]]):
            writer.write(features.encode_example(example))
        writer.finalize()
    return sink.getvalue().to_pybytes()


def generate_splits(
    builders: list[datasets.GeneratorBasedBuilder], cache: Path, ray
) -> dict[str, dict[str, datasets.Dataset]]:
    """Every split of every builder's config, generated on the cluster in one Ray run.

    One run for the whole build, not one per config: a Ray Data run has a start-up cost, and
    units of several configs keep every node busy. Returns config -> split -> Dataset (on disk).
    """
    splits = [
        (builder, str(generator.name), generator.gen_kwargs["units"])
        for builder in builders
        for generator in builder._split_generators(None)
    ]
    flat = [(s, u) for s, (_, _, units) in enumerate(splits) for u in range(len(units))]

    def work(index: int) -> bytes:
        split, unit = flat[index]
        builder, _, units = splits[split]
        return _unit_rows(builder, units, unit)

    results = ordered_results(ray, len(flat), work, name="build") if flat else iter(())
    generated: dict[str, dict[str, datasets.Dataset]] = {}
    for builder, split, units in splits:
        features = builder.info.features
        path = cache / f"{builder.config.name}-{split}.arrow"
        schema = features.arrow_schema
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_stream(sink, schema) as out:
            for _ in units:  # this split's units come next, in order
                for batch in pa.ipc.open_stream(next(results)):
                    out.write_batch(batch)
        info = datasets.DatasetInfo(features=features)
        dataset = datasets.Dataset.from_file(str(path), info=info)
        generated.setdefault(builder.config.name, {})[split] = dataset
    return generated
