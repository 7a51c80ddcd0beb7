"""Builds: byte-identical output, clean failures, nothing half-written."""

from __future__ import annotations

import pytest

from mmpriv_data.core.errors import MmprivError
from mmpriv_data.definitions import profiles
from mmpriv_data.hub.build import build

SMALL = {"num_profiles": "12", "image_size": "64"}


def folder_bytes(folder):
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_same_seed_gives_identical_bytes_for_one_and_two_processes(tmp_path):
    one = build("profiles", tmp_path / "a", seed=3, settings=SMALL, num_proc=1).folder
    two = build("profiles", tmp_path / "b", seed=3, settings=SMALL, num_proc=2).folder
    files = folder_bytes(one)
    assert len([p for p in files if p.endswith(".parquet")]) == 8
    assert files == folder_bytes(two)


def test_another_seed_gives_other_rows(tmp_path):
    a = build("profiles", tmp_path / "a", seed=1, settings=SMALL, configs=["full"]).folder
    b = build("profiles", tmp_path / "b", seed=2, settings=SMALL, configs=["full"]).folder
    assert (
        folder_bytes(a)["full/train-00000-of-00001.parquet"]
        != folder_bytes(b)["full/train-00000-of-00001.parquet"]
    )


@pytest.mark.parametrize(
    ("name", "settings", "configs", "message"),
    [
        ("nope", {}, None, "unknown dataset 'nope'"),
        ("profiles", {}, ["forget_50"], "unknown config 'forget_50'"),
        ("profiles", {"num_people": "3"}, None, "--set num_people: unknown parameter"),
        ("profiles", {"num_profiles": "many"}, None, "--set num_profiles=many: expected"),
        ("profiles", {"num_profiles": "2"}, None, "num_profiles must be at least 8"),
        ("profiles", {"seed": "2"}, None, "use --seed"),
    ],
)
def test_bad_options_name_the_culprit(tmp_path, name, settings, configs, message):
    with pytest.raises(MmprivError, match=message.replace("(", r"\(")):
        build(name, tmp_path, settings=settings, configs=configs)
    assert not any(tmp_path.iterdir())


def test_unwritable_out_is_refused(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(MmprivError, match="--out"):
        build("profiles", blocker / "sub", settings=SMALL)


def test_interrupted_build_leaves_nothing_and_keeps_the_previous_build(tmp_path, monkeypatch):
    good = build("profiles", tmp_path, settings=SMALL, configs=["full"]).folder
    before = folder_bytes(good)
    original = profiles.profile_row
    calls = {"n": 0}

    def failing_row(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 5:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(profiles, "profile_row", failing_row)
    with pytest.raises(KeyboardInterrupt):
        build("profiles", tmp_path, seed=9, settings=SMALL)
    assert folder_bytes(good) == before
    assert [p.name for p in tmp_path.iterdir()] == ["profiles"]
