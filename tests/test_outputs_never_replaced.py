"""Issue 14, part 1: no command replaces or deletes anything that mmpriv did not write.

For every command that takes `--out` (or an output path), a target holding a user's file is
refused with one line and exit code 2, and left byte for byte as it was. A previous mmpriv
output of the same kind may be replaced; one the user has since added a file to may not.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmpriv_data.cli.app import main
from mmpriv_data.core.atomic import MARKER, atomic_folder, folder_kind
from mmpriv_data.core.errors import MmprivError
from tests.fixtures_models import tiny_llava  # noqa: F401  (a fixture, used by name)

PROFILES_SMALL = ["--set", "num_profiles=8", "--set", "image_size=64"]
RECORD = {"id": "1", "conversations": [{"from": "gpt", "value": "A tall man smiles."}]}


def run(capsys, *argv) -> tuple[int, str]:
    try:
        main([str(a) for a in argv])
        code = 0
    except SystemExit as exit_:
        code = exit_.code or 0
    return code, capsys.readouterr().err


def snapshot(path: Path) -> dict[str, bytes]:
    if path.is_file():
        return {"": path.read_bytes()}
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in path.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def profiles(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("data")
    assert main_code(["build", "profiles", "--out", out, *PROFILES_SMALL]) == 0
    return out / "profiles"


def main_code(argv) -> int:
    try:
        main([str(a) for a in argv])
    except SystemExit as exit_:
        return exit_.code or 0
    return 0


def precious_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "precious"
    folder.mkdir()
    (folder / "thesis.txt").write_text("four years of work\n")
    return folder


def precious_file(tmp_path: Path, name: str = "notes.json") -> Path:
    path = tmp_path / name
    path.write_text('{"mine": true}\n')
    return path


# (command line with {out} for the target, "folder" or "file" target, name inside the folder
# that the command would write, if it writes files into an existing folder)
COMMANDS = {
    "build": (["build", "profiles", "--out", "{parent}", *PROFILES_SMALL], "folder:profiles"),
    "embed": (["embed", "{images}", "{out}", "--rate", "1"], "folder"),
    "export": (["export", "{data}", "--config", "full", "--format", "llava", "--out", "{out}"],
               "folder"),
    "scrub": (["scrub", "{input}", "{out}"], "file"),
    "scrub --report": (["scrub", "{input}", "{tmp}/o.json", "--report", "{out}"], "file"),
    "tiny-model": (["tiny-model", "--out", "{out}"], "folder"),
    "tiny-model on a file": (["tiny-model", "--out", "{out}"], "file"),
    "train lora": (["train", "lora", "--model", "{model}", "--data", "{data}", "--config", "full",
                    "--out", "{out}"], "folder"),
    "train unlearn": (["train", "unlearn", "--method", "ga", "--model", "{model}", "--forget",
                       "{data}:forget_10", "--out", "{out}"], "folder"),
    "train preference": (["train", "preference", "--model", "{model}", "--data", "{data}",
                          "--out", "{out}"], "folder"),
    "eval qa": (["eval", "qa", "--model", "{model}", "--data", "{data}", "--config", "full",
                 "--out", "{out}"], "file"),
    "eval prism": (["eval", "prism", "--model", "{model}", "--data", "{data}", "--out", "{out}"],
                   "file"),
    "eval spy": (["eval", "spy", "--model", "{model}", "--data", "{data}", "--out", "{out}"],
                 "file"),
    "eval probing": (["eval", "probing", "--model", "{model}", "--data", "{data}", "--config",
                      "full", "--out", "{out}"], "folder:probing.json"),
    "eval leakage": (["eval", "leakage", "--model", "{model}", "--data", "{data}", "--config",
                      "full", "--out", "{out}"], "folder:leakage.json"),
    "eval mia": (["eval", "mia", "--model", "{model}", "--data", "{data}", "--out", "{out}"],
                 "folder"),
}  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
def test_a_target_mmpriv_did_not_write_is_refused_and_untouched(
    command,
    tmp_path,
    capsys,
    profiles,
    tiny_llava,  # noqa: F811
):
    argv, target = COMMANDS[command]
    images = tmp_path / "images"
    images.mkdir()
    (images / "a.png").write_bytes(b"not decoded before the check")
    source = tmp_path / "in.json"
    source.write_text(json.dumps([RECORD]))
    kind, _, inner = target.partition(":")
    if kind == "file":
        out = precious_file(
            tmp_path, "README.md" if command == "tiny-model on a file" else "n.json"
        )
        guarded = out
    else:
        out = precious_folder(tmp_path)
        if inner == "profiles":  # build writes DIR/profiles
            out = tmp_path / "parent"
            (out / "profiles").mkdir(parents=True)
            (out / "profiles" / "thesis.txt").write_text("four years of work\n")
        elif inner:  # the file the command writes into its --out folder
            (out / inner).write_text('{"mine": true}\n')
        guarded = out
    before = snapshot(guarded)
    values = {"out": out, "parent": out, "images": images, "input": source, "tmp": tmp_path,
              "data": profiles, "model": tiny_llava}  # fmt: skip
    code, err = run(capsys, *(a.format(**{k: str(v) for k, v in values.items()}) for a in argv))
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "mmpriv" in err and ("did not write" in err or "not a folder" in err), err
    assert snapshot(guarded) == before
    assert not (tmp_path / "o.json").exists()  # scrub --report: the output was not written first
    leftovers = [p.name for p in guarded.parent.iterdir() if ".partial-" in p.name]
    assert leftovers == []


def test_tiny_model_twice_replaces_its_own_output(tmp_path, capsys):
    out = tmp_path / "tiny"
    assert run(capsys, "tiny-model", "--out", out, "--seed", "1")[0] == 0
    first = snapshot(out)
    assert json.loads((out / MARKER).read_text())["kind"] == "tiny-model"
    assert run(capsys, "tiny-model", "--out", out, "--seed", "2")[0] == 0
    assert snapshot(out).keys() == first.keys() and snapshot(out) != first
    assert [p.name for p in tmp_path.iterdir()] == ["tiny"]  # no `-previous` copy left behind


def test_a_rebuild_replaces_the_same_dataset_but_not_another(tmp_path, capsys):
    assert run(capsys, "build", "profiles", "--out", tmp_path, *PROFILES_SMALL)[0] == 0
    argv = ["build", "profiles", "--out", tmp_path, *PROFILES_SMALL, "--seed", "3"]
    assert run(capsys, *argv)[0] == 0
    assert "seed: 3" in (tmp_path / "profiles" / "README.md").read_text()
    assert folder_kind(tmp_path / "profiles") == "dataset profiles"
    (tmp_path / "profiles" / "my-notes.txt").write_text("mine")
    code, err = run(capsys, *argv)
    assert code == 2 and "did not write" in err
    assert (tmp_path / "profiles" / "my-notes.txt").read_text() == "mine"


def test_export_and_scrub_may_be_run_again(tmp_path, capsys, profiles):
    export = ["export", profiles, "--config", "full", "--format", "jsonl", "--out", tmp_path / "x"]
    assert run(capsys, *export)[0] == 0
    assert run(capsys, *export)[0] == 0
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(RECORD) + "\n")
    scrub = ["scrub", source, tmp_path / "out.jsonl"]
    assert run(capsys, *scrub)[0] == 0
    assert run(capsys, *scrub)[0] == 0
    # A scrubbed copy edited by hand is the user's now: refused, kept.
    (tmp_path / "out.jsonl").write_text("edited\n")
    code, err = run(capsys, *scrub)
    assert code == 2 and "OUTPUT" in err
    assert (tmp_path / "out.jsonl").read_text() == "edited\n"


def test_atomic_folder_refuses_its_own_output_once_a_user_file_was_added(tmp_path):
    out = tmp_path / "run"
    with atomic_folder(out, "train lora") as staging:
        (staging / "adapter.bin").write_bytes(b"w")
    (out / "notes.txt").write_text("mine")
    with pytest.raises(MmprivError, match="did not write"):
        with atomic_folder(out, "train lora") as staging:
            pass
    with pytest.raises(MmprivError, match="holds a x output"):
        with atomic_folder(tmp_path / "other", "x") as staging:
            (staging / "a").write_text("a")
        with atomic_folder(tmp_path / "other", "train lora"):
            pass
    assert (out / "notes.txt").read_text() == "mine"
    assert {p.name for p in tmp_path.iterdir()} == {"run", "other"}
