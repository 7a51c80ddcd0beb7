"""Issue 14, parts 3 and 4: a mistake on the command line is one line and exit code 2.

One table: command x class of bad input. Each row runs `mmpriv` as a user would, in a folder
holding a file of theirs, and checks what the user sees: exit code 2, a single `error:` line
naming the option (no traceback), nothing written and the user's file untouched.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmpriv_data.cli.app import main
from tests.fixtures_models import tiny_llava  # noqa: F401  (a fixture, used by name)

PROFILES_SMALL = ["--set", "num_profiles=8", "--set", "image_size=64"]
IMAGES_SMALL = {"num_images": "4", "num_probe": "24", "width": "128", "height": "128"}
RECORD = {"id": "1", "conversations": [{"from": "gpt", "value": "A tall man smiles."}]}

LORA = ["train", "lora", "--model", "{model}", "--data", "{profiles}", "--config", "forget_10",
        "--out", "out"]  # fmt: skip
UNLEARN = ["train", "unlearn", "--model", "{model}", "--forget", "{profiles}:forget_10",
           "--out", "out"]  # fmt: skip
PREFERENCE = ["train", "preference", "--model", "{model}", "--data", "{profiles}", "--out", "out"]
QA = ["eval", "qa", "--model", "{model}", "--out", "qa.json"]
LEAKAGE = ["eval", "leakage", "--model", "{model}", "--data", "{images}", "--out", "out",
           "--control-config", "none"]  # fmt: skip
SCRUB = ["scrub", "in.json"]

# (row id, command line, what the one line must say)
TABLE = [
    ("lora epochs 0", [*LORA, "--epochs", "0"], "--epochs 0"),
    ("lora epochs -1", [*LORA, "--epochs", "-1"], "--epochs -1"),
    ("lora epochs not a number", [*LORA, "--epochs", "x"], "'--epochs'"),
    ("lora batch size 0", [*LORA, "--batch-size", "0"], "--batch-size 0"),
    ("lora rank 0", [*LORA, "--lora-r", "0"], "--lora-r 0"),
    ("lora unknown layer", [*LORA, "--target-modules", "q_proj,nosuch"], "--target-modules nosuch"),
    ("lora grad accum 0", [*LORA, "--grad-accum", "0"], "--grad-accum 0"),
    ("lora missing model", [*LORA, "--model", "models/nosuch"], "--model models/nosuch"),
    ("lora missing data", [*LORA, "--data", "./nosuch"], "--data ./nosuch"),
    ("lora unknown config", [*LORA, "--config", "forget_3"], "forget_3"),
    ("lora unknown split", [*LORA, "--split", "nosuch"], "no split 'nosuch'"),
    ("lora spec and config differ", [*LORA, "--data", "{profiles}:full"], "differs"),
    ("lora rows without messages", [*LORA[:4], "{images}", "--config", "probe",
                                    *LORA[8:]], "--data"),  # fmt: skip
    ("unlearn unknown method", [*UNLEARN, "--method", "nosuch"], "--method nosuch"),
    ("unlearn graddiff alone", [*UNLEARN, "--method", "graddiff"], "needs --retain"),
    ("unlearn beta 0", [*UNLEARN, "--method", "npo", "--beta", "0"], "--beta 0"),
    ("unlearn missing retain", [*UNLEARN, "--method", "kl", "--retain", "./nosuch"], "--retain"),
    ("preference unknown method", [*PREFERENCE, "--method", "nosuch"], "--method nosuch"),
    ("preference beta 0", [*PREFERENCE, "--beta", "0"], "--beta 0"),
    ("preference batch size 0", [*PREFERENCE, "--batch-size", "0"], "--batch-size 0"),
    ("tiny-model unknown arch", ["tiny-model", "--arch", "nosuch", "--out", "out"], "--arch"),
    ("tiny-model onto a file", ["tiny-model", "--out", "mine.txt"], "--out mine.txt"),
    ("qa on privacy-images", [*QA, "--data", "{images}", "--config", "rate_50"], "questions"),
    ("qa unknown task", [*QA, "--data", "{profiles}", "--config", "full", "--tasks", "x"],
     "--tasks x"),
    ("qa missing data", [*QA, "--data", "./nosuch", "--config", "full"], "--data ./nosuch"),
    ("leakage unknown field", [*LEAKAGE, "--fields", "email"], "unknown field"),
    ("probing missing data", ["eval", "probing", "--model", "{model}", "--data", "./nosuch",
                              "--out", "out"], "--data ./nosuch"),  # fmt: skip
    ("spy pairs config", ["eval", "spy", "--model", "{model}", "--data", "{profiles}",
                          "--config", "pairs"], "--config pairs"),  # fmt: skip
    ("prism unknown config", ["eval", "prism", "--model", "{model}", "--data", "{profiles}",
                              "--configs", "nosuch"], "--configs nosuch"),  # fmt: skip
    ("mia unknown attack", ["eval", "mia", "--model", "{model}", "--data", "{profiles}",
                            "--attacks", "nosuch", "--out", "out"], "nosuch"),  # fmt: skip
    ("mia batch tokens 0", ["eval", "mia", "--model", "{model}", "--data", "{profiles}",
                            "--batch-tokens", "0", "--out", "out"], "--batch-tokens 0"),
    ("qa batch size 0", [*QA, "--data", "{profiles}", "--config", "full", "--batch-size", "0"],
     "--batch-size 0"),
    ("scrub into its own input", [*SCRUB, "in.json/o.json"], "in.json/o.json"),
    ("scrub to an unwritable place", [*SCRUB, "/proc/nope/o.json"], "/proc/nope/o.json"),
    ("scrub report unwritable", [*SCRUB, "o.json", "--report", "/proc/nope/r.json"],
     "--report /proc/nope/r.json"),
    ("scrub missing rewriter", [*SCRUB, "o.json", "--rewriter", "models/nosuch"],
     "--rewriter models/nosuch"),
    ("scrub unknown attribute", [*SCRUB, "o.json", "--attributes", "nosuch"], "nosuch"),
    ("scrub no processes", [*SCRUB, "o.json", "--num-proc", "0"], "--num-proc"),
    ("scrub flag given a value", [*SCRUB, "o.json", "--skip-bad", "true"], "unexpected extra"),
    ("scrub missing input", ["scrub", "nosuch.json", "o.json"], "nosuch.json"),
    ("build no processes", ["build", "profiles", "--out", "out", "--num-proc", "0"],
     "--num-proc"),
    ("export unknown format", ["export", "{profiles}", "--config", "full", "--format", "x",
                               "--out", "out"], "--format x"),  # fmt: skip
    ("embed rate above 1", ["embed", "pictures", "out", "--rate", "2"], "--rate 2"),
    ("unknown command", ["nosuch"], "nosuch"),
]  # fmt: skip


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, tiny_llava) -> dict[str, str]:  # noqa: F811
    from mmpriv_data.hub.build import build

    data = tmp_path_factory.mktemp("inputs")
    assert main_code(["build", "profiles", "--out", data, *PROFILES_SMALL]) == 0
    build("privacy-images", data, settings=IMAGES_SMALL, configs=["probe", "rate_50"])
    return {"model": str(tiny_llava), "profiles": str(data / "profiles"),
            "images": str(data / "privacy-images")}  # fmt: skip


def main_code(argv) -> int:
    try:
        main([str(a) for a in argv])
    except SystemExit as exit_:
        return exit_.code or 0
    return 0


def user_folder(folder: Path) -> dict[str, bytes]:
    """A user's working folder: their own file, an input for scrub, pictures for embed."""
    (folder / "mine.txt").write_text("my notes\n")
    (folder / "in.json").write_text(json.dumps([RECORD]))
    (folder / "models").mkdir()  # so that `models/nosuch` names a local path
    (folder / "pictures").mkdir()
    (folder / "pictures" / "a.png").write_bytes(b"\x89PNG not decoded before the check")
    return snapshot(folder)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else b"<dir>")
        for p in folder.rglob("*")
    }


@pytest.fixture
def no_hub_requests(monkeypatch):
    """Every row names local paths only: a Hub request would be the slow path of issue 14."""
    import huggingface_hub

    def refuse(*_, **__):
        raise AssertionError("a local path was looked up on the Hub")

    monkeypatch.setattr(huggingface_hub.HfApi, "model_info", refuse)
    monkeypatch.setattr(huggingface_hub.HfApi, "dataset_info", refuse)


@pytest.mark.parametrize(("argv", "message"), [row[1:] for row in TABLE], ids=[r[0] for r in TABLE])
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    argv, message, inputs, tmp_path, monkeypatch, capsys, no_hub_requests
):
    monkeypatch.chdir(tmp_path)
    before = user_folder(tmp_path)
    capsys.readouterr()
    code = main_code([a.format(**inputs) for a in argv])
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert code == 2, captured.err
    assert len(lines) == 1 and lines[0].startswith("error:"), captured.err
    assert message in lines[0]
    assert "Traceback" not in captured.out + captured.err
    assert snapshot(tmp_path) == before  # nothing written, the user's files as they were


def test_an_unknown_hub_model_is_one_line_and_never_loaded(inputs, tmp_path, monkeypatch, capsys):
    """The Hub test double answers 404 for the id: one line; transformers is never asked."""
    import transformers

    def loaded(*_, **__):
        raise AssertionError("transformers tried to load an id the Hub does not have")

    monkeypatch.setattr(transformers.AutoProcessor, "from_pretrained", loaded)
    monkeypatch.chdir(tmp_path)
    argv = [a.format(**inputs) for a in LORA]
    code = main_code([*argv, "--model", "org-nosuch/model"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []
    assert "--model org-nosuch/model: no such folder here, and no model of that id" in err
    assert list(tmp_path.iterdir()) == []


def test_an_unreachable_hub_is_tried_once(monkeypatch):
    import huggingface_hub

    from mmpriv_data.core.errors import MmprivError
    from mmpriv_data.core.models import check_source

    calls = []

    def unreachable(self, repo_id, **kwargs):
        calls.append(kwargs.get("timeout"))
        raise ConnectionError("no route to host")

    monkeypatch.setattr(huggingface_hub.HfApi, "model_info", unreachable)
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    with pytest.raises(MmprivError, match="--model org/some-model: .* Hub is not reachable"):
        check_source("org/some-model", "--model")
    assert len(calls) == 1 and calls[0] is not None  # one request, with a time limit


def test_hf_hub_offline_makes_no_request_and_reads_the_cache_only(tmp_path, monkeypatch, capsys):
    import huggingface_hub

    def refuse(*_, **__):
        raise AssertionError("HF_HUB_OFFLINE=1, yet the Hub was asked")

    monkeypatch.setattr(huggingface_hub.HfApi, "model_info", refuse)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.chdir(tmp_path)
    code = main_code(["eval", "qa", "--model", "org/not-cached", "--data", "org/data",
                      "--config", "full", "--out", "qa.json"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "lora", "--model", "models/nosuch", "--data", "data", "--out", "out"],
        ["train", "lora", "--model", "models", "--data", "mmpriv-hub/profile", "--out", "out"],
        ["eval", "qa", "--model", "models", "--data", "mmpriv-hub/profile", "--config", "full"],
    ],
)
def test_a_mistyped_path_fails_before_torch_or_datasets_load(argv, tmp_path):
    """Fail fast, without timing it: the error comes before any heavy import (a fresh
    process, so nothing is imported already)."""
    import os
    import subprocess
    import sys

    (tmp_path / "models").mkdir()
    (tmp_path / "mmpriv-hub").mkdir()
    script = (
        "import sys\n"
        "from mmpriv_data.cli.app import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit as exit_:\n"
        "    print('exit', exit_.code, sorted({'torch', 'datasets'} & set(sys.modules)))\n"
    )
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(root)}, timeout=120,
    )  # fmt: skip
    assert result.stdout.strip() == "exit 2 []", result.stdout + result.stderr
    assert "no such" in result.stderr and len(result.stderr.strip().splitlines()) == 1
