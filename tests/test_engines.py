"""Engines and process counts (issue 17): every core by default, the same bytes with one or two
processes, and one clear line for a bad `--engine`/`--address` or a missing Ray."""

from __future__ import annotations

import socket
import sys

import pytest
from PIL import Image

from mmpriv_data.core.errors import MmprivError
from mmpriv_data.files.embed_files import embed_tree
from mmpriv_data.hub.build import build


def files_of(folder) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_two_processes_write_the_shards_of_one(tmp_path):
    settings = {"num_profiles": 40, "image_size": 64}
    build("profiles", tmp_path / "one", settings=settings, configs=["full", "test"], num_proc=1)
    build("profiles", tmp_path / "two", settings=settings, configs=["full", "test"], num_proc=2)
    one, two = files_of(tmp_path / "one/profiles"), files_of(tmp_path / "two/profiles")
    assert len([p for p in one if p.endswith(".parquet")]) == 2
    assert one == two


def test_embed_threads_write_the_tree_of_one(tmp_path):
    src = tmp_path / "photos"
    for i in range(24):
        (src / f"trip{i % 2}").mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (320, 240), (i * 9, 80, 200 - i * 5)).save(src / f"trip{i % 2}/{i}.jpg")
    (src / "trip0/notes.txt").write_text("not an image")
    one = embed_tree(src, tmp_path / "one", rate=0.5, num_proc=1, skip_bad=True)
    every_core = embed_tree(src, tmp_path / "all", rate=0.5, skip_bad=True)
    assert (one.embedded, one.copied, dict(one.skipped)) == (
        every_core.embedded,
        every_core.copied,
        dict(every_core.skipped),
    )
    assert one.embedded > 0 and one.copied > 0 and sum(one.skipped.values()) == 1
    assert files_of(tmp_path / "one") == files_of(tmp_path / "all")


@pytest.mark.parametrize(
    ("engine", "address", "message"),
    [("spark", None, "--engine spark: expected"), ("local", "10.0.0.1:6379", "--address")],
)
def test_bad_engine_options_are_one_line(tmp_path, engine, address, message):
    with pytest.raises(MmprivError, match=message):
        build("profiles", tmp_path, settings={"num_profiles": 8}, engine=engine, address=address)
    with pytest.raises(MmprivError, match=message):
        embed_tree(tmp_path, tmp_path / "out", rate=0.5, engine=engine, address=address)
    assert not (tmp_path / "profiles").exists() and not (tmp_path / "out").exists()


def test_ray_missing_is_one_line_naming_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if not installed
    with pytest.raises(MmprivError, match=r"Ray is not installed.*mmpriv\[ray\]"):
        build("profiles", tmp_path, settings={"num_profiles": 8}, engine="ray")
    assert not (tmp_path / "profiles").exists()


def test_an_address_where_no_ray_head_answers_fails_at_once(tmp_path):
    pytest.importorskip("ray")
    with socket.socket() as probe:  # a loopback port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    address = f"127.0.0.1:{free_port}"
    with pytest.raises(MmprivError, match=f"--address {address}: no Ray head answers there"):
        build("profiles", tmp_path, settings={"num_profiles": 8}, engine="ray", address=address)
    assert not (tmp_path / "profiles").exists()
