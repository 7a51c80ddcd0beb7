"""An error raised while rows are generated (in this process or a worker) is one line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from PIL import Image

from mmpriv_data.cli.app import mmpriv_cause
from mmpriv_data.core.errors import MmprivError


def tiny_source(folder):
    """A LLaVA-style source whose images are too small for the privacy text block."""
    (folder / "coco").mkdir()
    entries = []
    for i in range(6):
        Image.new("RGB", (96, 72), (i * 40, 90, 160)).save(folder / "coco" / f"{i}.jpg")
        question = {"from": "human", "value": "<image>\nWhat is shown?"}
        turns = [question, {"from": "gpt", "value": "A."}]
        entries.append({"id": f"e{i}", "image": f"coco/{i}.jpg", "conversations": turns})
    (folder / "mix.json").write_text(json.dumps(entries))
    return folder / "mix.json"


@pytest.mark.parametrize("num_proc", ["1", "2"])
def test_an_entry_too_small_to_embed_is_one_line_naming_it(tmp_path, num_proc):
    source = tiny_source(tmp_path)
    out = tmp_path / "hub"
    done = subprocess.run(
        [sys.executable, "-m", "mmpriv_data.cli.app", "build", "privacy-images", "--out",
         str(out), "--set", f"source={source}", "--config", "rate_100", "--num-proc", num_proc],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if "Generating" not in line and line]
    assert lines[-1].startswith("error: source ") and "item e" in lines[-1]
    assert "too small for the privacy text block" in lines[-1]
    assert "Traceback" not in done.stderr
    assert not (out / "privacy-images").exists()


def test_the_cause_is_found_in_chains_and_remote_tracebacks():
    inner = MmprivError("bad row 3")
    try:
        try:
            raise inner
        except MmprivError as error:
            raise RuntimeError("wrapped") from error
    except RuntimeError as outer:
        assert mmpriv_cause(outer) is inner

    class RemoteTraceback(Exception):  # multiprocess' shape: the worker's traceback as text
        def __init__(self, tb):
            self.tb = tb

    remote = RemoteTraceback('"""\nTraceback ...\nmmpriv_data.core.errors.MmprivError: x: y\n"""')
    wrapped = RuntimeError("An error occurred while generating the dataset")
    wrapped.__cause__ = remote
    assert str(mmpriv_cause(wrapped)) == "x: y"
    assert mmpriv_cause(ValueError("plain")) is None
