"""Same seed, same bytes (issue 14 §2): every dataset, built at its default size in two fresh
processes that differ in Python's hash seed and in `--num-proc` (1 and 2), gives the same
files, card included.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from mmpriv_data.definitions import registry


def build_in_subprocess(name: str, out, *, hash_seed: str, num_proc: int) -> None:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    command = [sys.executable, "-m", "mmpriv_data.cli", "build", name, "--out", str(out)]
    command += ["--num-proc", str(num_proc)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]


def files_of(folder) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.slow
@pytest.mark.parametrize("name", list(registry.DATASETS))
def test_default_build_is_byte_identical_across_hash_seeds_and_process_counts(tmp_path, name):
    build_in_subprocess(name, tmp_path / "one", hash_seed="1", num_proc=1)
    build_in_subprocess(name, tmp_path / "two", hash_seed="2", num_proc=2)
    first, second = files_of(tmp_path / "one" / name), files_of(tmp_path / "two" / name)
    assert any(path.endswith(".parquet") for path in first)
    assert sorted(first) == sorted(second)
    differing = [path for path in first if first[path] != second[path]]
    assert differing == []
