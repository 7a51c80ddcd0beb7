"""The `mmpriv` command line as a user runs it: list, build, info, verify, publish."""

from __future__ import annotations

import shutil

import pytest
from datasets import load_dataset

from mmpriv_data.cli.app import main

SMALL = ["--set", "num_profiles=10", "--set", "image_size=64"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exit_:
        code = exit_.code or 0
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli")
    with pytest.raises(SystemExit) as exit_:
        main(["build", "profiles", "--out", str(out), "--seed", "5", *SMALL])
    assert exit_.value.code == 0
    return out / "profiles"


def test_list_shows_datasets_and_configs(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert "profiles" in out and "forget_10" in out and "num_profiles=500" in out


def test_build_prints_a_summary_table(capsys, tmp_path):
    code, out, _ = run(capsys, "build", "profiles", "--out", str(tmp_path), *SMALL)
    assert code == 0
    assert "profiles" in out and str(tmp_path.resolve()) in out
    assert " 50 " in out  # 10 full + 1+1+2 forget + 9+9+8 retain + 10 test
    assert (tmp_path / "profiles" / "README.md").is_file()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["build", "nope"], "unknown dataset 'nope'"),
        (["build", "profiles", "--config", "forget_3"], "unknown config 'forget_3'"),
        (["build", "profiles", "--set", "size"], "--set size: expected key=value"),
        (["build", "profiles", "--set", "colour=red"], "--set colour: unknown parameter"),
        (["build", "profiles", "--set", "num_profiles=2"], "num_profiles must be at least 8"),
        (["build", "all", "--set", "num_profiles=9"], "`build all` takes no --set"),
    ],
)
def test_bad_options_give_one_line_and_exit_2(capsys, tmp_path, argv, message):
    code, _, err = run(capsys, *argv, "--out", str(tmp_path / "o"))
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o" / "profiles").exists()


def test_info_summarises_card_and_provenance(capsys, built):
    code, out, _ = run(capsys, "info", str(built))
    assert code == 0
    assert "seed 5" in out and "num_profiles=10" in out and "forget_10" in out
    assert "8 shard(s)" in out


def test_verify_passes_then_catches_a_changed_shard(capsys, built, tmp_path):
    code, out, _ = run(capsys, "verify", str(built))
    assert code == 0 and "8 shard(s) match" in out
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    shard = copy / "forget_5" / "train-00000-of-00001.parquet"
    shard.write_bytes(shard.read_bytes()[:-10] + b"0123456789")
    code, _, err = run(capsys, "verify", str(copy))
    assert code == 1 and "forget_5/train-00000-of-00001.parquet" in err
    (copy / "test" / "train-00000-of-00001.parquet").unlink()
    code, _, err = run(capsys, "verify", str(copy))
    assert code == 1 and "missing" in err


def test_info_on_a_folder_without_card_is_one_line(capsys, tmp_path):
    code, _, err = run(capsys, "info", str(tmp_path))
    assert code == 2 and "no dataset card" in err


def test_publish_then_load_by_tag_gives_the_local_rows(capsys, built, hub):
    repo = hub.unique_repo_id("profiles")
    code, out, _ = run(capsys, "publish", str(built), "--repo", repo, "--version", "1.0.0")
    assert code == 0 and "v1.0.0" in out
    for config in ("forget_10", "test"):
        remote = load_dataset(repo, config, split="train", revision="v1.0.0")
        local = load_dataset(str(built), config, split="train")
        assert remote.with_format("arrow")[:] == local.with_format("arrow")[:]
    code, _, err = run(capsys, "publish", str(built), "--repo", repo, "--version", "1.0.0")
    assert code == 2 and "v1.0.0" in err and "exists" in err
