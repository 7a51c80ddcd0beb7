"""`mmpriv embed --engine ray`: the files of SRC embedded by Ray workers, DST written here.

Files go to the cluster in units of `UNIT_FILES` paths; each worker reads its files from SRC
(so SRC must be at the same path on every node, e.g. shared storage), embeds them with the
same `embed_file` as a local run, and sends back the manifest lines and output bytes. The
driver writes them in path order: the same DST, byte for byte, as `--engine local`.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path

from mmpriv_data.core.ray_cluster import connected, ordered_results
from mmpriv_data.files.embed_files import EmbedJob, embed_file

UNIT_FILES = 32  # files per Ray task: large enough to amortise a task, small to spread well


def embed_on_ray(
    job: EmbedJob, files: list[str], staging: Path, address: str | None
) -> Iterator[dict]:
    """Manifest lines in file order; each output file is written to `staging` first."""
    units = [files[i : i + UNIT_FILES] for i in range(0, len(files), UNIT_FILES)]

    def work(index: int) -> bytes:
        return pickle.dumps([embed_file(job, relative) for relative in units[index]])

    if not units:
        return
    with connected(address) as ray:
        for encoded in ordered_results(ray, len(units), work, name="embed"):
            for line, data in pickle.loads(encoded):
                if data is not None:
                    (staging / line["path"]).write_bytes(data)
                yield line
