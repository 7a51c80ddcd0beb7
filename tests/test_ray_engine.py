"""`--engine ray` (issue 17): on a local two-node Ray cluster, every dataset builds to the same
files, byte for byte, as a local build; `embed` writes the same tree; a worker node killed in
the middle of a build leaves either the complete build or nothing at DIR/NAME.

Skipped when Ray is not installed (`pip install -e ".[ray]"`).
"""

from __future__ import annotations

import threading

import pytest

ray = pytest.importorskip("ray")
pytest.importorskip("ray.data")

from ray.cluster_utils import Cluster  # noqa: E402

from mmpriv_data.core.errors import MmprivError  # noqa: E402
from mmpriv_data.definitions import registry  # noqa: E402
from mmpriv_data.files.embed_files import embed_tree  # noqa: E402
from mmpriv_data.hub.build import build  # noqa: E402

TINY = {  # every dataset, at a size where a unit or two per config is enough
    "profiles": {"num_profiles": 20, "image_size": 64},
    "privacy-images": {"num_images": 40, "num_probe": 8, "width": 160, "height": 120},
    "augmented": {"num_images": 8},
    "scrubbed-captions": {"num_captions": 300, "num_images": 4, "image_size": 64},
    "mia-neighbors": {"num_samples": 12, "neighbors": 3, "image_size": 32},
    "spy-instructions": {"items_per_category": 1, "tune_items_per_category": 1},
}


@pytest.fixture(scope="module")
def cluster():
    """A head and one worker node on loopback, one CPU each; this process is the driver."""
    nodes = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    worker = nodes.add_node(num_cpus=1)
    ray.init(address=nodes.address, log_to_driver=False, logging_level="WARNING")
    nodes.wait_for_nodes()
    yield nodes, worker
    ray.shutdown()
    nodes.shutdown()


def files_of(folder) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_every_dataset_is_in_the_comparison():
    assert set(TINY) == set(registry.DATASETS)


@pytest.mark.parametrize("name", list(TINY))
def test_ray_build_is_byte_identical_to_a_local_build(cluster, tmp_path, name):
    build(name, tmp_path / "local", settings=TINY[name], num_proc=1)
    build(name, tmp_path / "ray", settings=TINY[name], engine="ray")
    local, on_ray = files_of(tmp_path / "local" / name), files_of(tmp_path / "ray" / name)
    assert any(path.endswith(".parquet") for path in local)
    assert sorted(on_ray) == sorted(local)
    assert [path for path in local if local[path] != on_ray[path]] == []


def test_ray_embed_writes_the_same_tree(cluster, tmp_path):
    from PIL import Image

    src = tmp_path / "photos"
    for i in range(40):
        (src / f"album{i % 3}").mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (320, 240), (i * 6, 255 - i * 6, 90)).save(src / f"album{i % 3}/{i}.jpg")
    local = embed_tree(src, tmp_path / "local", rate=0.5, num_proc=1)
    on_ray = embed_tree(src, tmp_path / "ray", rate=0.5, engine="ray")
    assert (on_ray.embedded, on_ray.copied) == (local.embedded, local.copied)
    assert local.embedded > 0 and local.copied > 0
    assert files_of(tmp_path / "ray") == files_of(tmp_path / "local")


def test_a_worker_node_killed_mid_build_leaves_all_or_nothing(cluster, tmp_path):
    """Runs last: it takes the worker node away. Ray re-runs the lost units elsewhere, so the
    build completes with the local bytes; if it could not, DIR/NAME must not exist."""
    nodes, worker = cluster
    settings = {"num_images": 320, "num_probe": 64, "width": 160, "height": 120}
    build("privacy-images", tmp_path / "local", settings=settings, num_proc=1)
    outcome = {}

    def run() -> None:
        try:
            build("privacy-images", tmp_path / "ray", settings=settings, engine="ray")
            outcome["done"] = True
        except MmprivError as error:
            outcome["error"] = str(error)

    builder = threading.Thread(target=run)
    builder.start()
    # The first config's Arrow file is complete once the second one is started: units of the
    # build have run, and most are still to come. Then the worker node goes.
    cache = tmp_path / "ray"
    while builder.is_alive() and len(list(cache.glob(".privacy-images.cache-*/*.arrow"))) < 2:
        builder.join(0.05)
    assert builder.is_alive(), outcome
    nodes.remove_node(worker)
    builder.join()
    if "done" in outcome:
        local = files_of(tmp_path / "local" / "privacy-images")
        assert files_of(tmp_path / "ray" / "privacy-images") == local
    else:
        assert outcome["error"].count("\n") == 0
        assert not (tmp_path / "ray" / "privacy-images").exists()
