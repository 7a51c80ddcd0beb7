"""`mmpriv embed`'s start-up: what the command imports, and the shortcuts in `cli/app.py` and
`cli/typer_fixes.py` that keep it small give what rich and typer's pydantic coercion give."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from rich.console import Console
from typer._coercion import build_runtime_param, resolve_type_descriptor
from typer.models import ArgumentInfo, OptionInfo

from mmpriv_data.cli import app as cli_app
from mmpriv_data.cli.typer_fixes import NOT_LIGHT, light_kind, light_value

# Never needed to embed files: the build/eval stack, and what a piped command can do without.
HEAVY = ("datasets", "pyarrow", "polars", "pandas", "torch", "transformers", "ray", "matplotlib",
         "scipy", "sklearn", "huggingface_hub", "rich", "pydantic")  # fmt: skip

CHILD = """
import json, os, sys
from mmpriv_data.cli.app import main
try:
    main(["embed", sys.argv[1], sys.argv[2], "--rate", "1.0", "--seed", "3"])
except SystemExit as done:
    code = done.code
blas = os.environ.get("OPENBLAS_NUM_THREADS")
print(json.dumps({"code": code, "modules": sorted(sys.modules), "blas": blas}))
"""


def test_embed_command_imports_nothing_heavy(tmp_path):
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    for i in range(3):
        Image.new("RGB", (160, 120), (30 * i, 90, 160)).save(src / "sub" / f"{i}.jpg")
    unset = ("FORCE_COLOR", "TTY_COMPATIBLE", "OPENBLAS_NUM_THREADS")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(src), str(tmp_path / "dst")],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    lines = done.stdout.splitlines()
    result = json.loads(lines[-1])
    assert result["code"] == 0, done.stderr
    assert lines[0] == f"{tmp_path / 'dst'}: embedded 3, copied 0; manifest " + str(
        tmp_path / "dst" / "embed-manifest.jsonl"
    )
    loaded = {name.split(".")[0] for name in result["modules"]}
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    assert {"PIL", "numpy", "faker", "typer"} <= loaded  # the check sees the imports
    assert result["blas"] == "1"  # numpy's BLAS threads, never used here, are not started


class _Param:  # what typer's coercion reads of a click parameter
    multiple, nargs = False, 1


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        (int, ["0", "7", "-3", "123456789012345678", "007", "+5", " 5", "5 ", "1_000", "1.0",
               "1e3", "abc", "", "-0", "99999999999999999999", 4, True, 2.0]),
        (float, ["0.5", "1", "1.0", "-2.25", "0.1", "3.141592653589793", "1e5", "inf", "nan",
                 ".5", "5.", "-0.0", " 0.5", "0,5", "1_0.5", "x", 0.5, 1, True]),
        (str, ["abc", "", "ü", "#FFFFFF", "a,b", 5, True]),
        (bool, [True, False, "true", "no", "1", ""]),
        (Path, ["SRC", "missing/inside", "", "SRC/a.txt", "a\0b", "FILE"]),
    ],
)  # fmt: skip
def test_light_coercion_gives_typers_values(tmp_path, monkeypatch, kind, values):
    (tmp_path / "SRC").mkdir()
    (tmp_path / "SRC" / "a.txt").write_text("x")
    monkeypatch.chdir(tmp_path)
    values = [*values, Path("SRC")] if kind is Path else values
    taken = 0
    for info in (OptionInfo(), ArgumentInfo()):
        descriptor = resolve_type_descriptor(kind, info)
        assert light_kind(descriptor) is kind
        typer_param = build_runtime_param(descriptor)
        for value in values:
            light = light_value(kind, value)
            if light is NOT_LIGHT:
                continue  # typer's own coercion decides
            taken += 1
            expected = typer_param.coerce(value, param=_Param(), ctx=None)
            assert (type(light), light) == (type(expected), expected), (kind, value)
    assert taken >= 2 * 2  # the usual command-line values are taken


def test_light_coercion_leaves_checked_parameters_to_typer():
    assert light_kind(resolve_type_descriptor(int, OptionInfo(min=0))) is None
    assert light_kind(resolve_type_descriptor(Path, OptionInfo(exists=True))) is None
    assert light_kind(resolve_type_descriptor(Path, OptionInfo(dir_okay=False))) is None
    assert light_kind(resolve_type_descriptor(list[int], OptionInfo())) is None


TEXTS = [
    "out: embedded 400, copied 0; manifest out/embed-manifest.jsonl",
    "photos-private: embedded 51, copied 49, skipped 2 bad file(s) (corrupt: 1, missing: 1); "
    "manifest photos-private/embed-manifest.jsonl " + "x" * 200,
    "trailing space ",
    "a [bold]b[/bold] c",
    "an emoji :smile: code",
    "C:\\data\\[x]",
    "tab\there",
    "Łódź",
]


@pytest.mark.parametrize("text", TEXTS)
def test_out_prints_what_rich_prints(capsys, monkeypatch, text):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    expected = io.StringIO()
    Console(file=expected, soft_wrap=True).print(text)
    out = cli_app.Out()
    out.print(text)
    assert capsys.readouterr().out == expected.getvalue()
    # plain text is written without rich; anything else goes through it
    assert (out.rich is None) is (text in TEXTS[:3])


PAUSED = """
import atexit, gc, json, sys
from mmpriv_data.cli import app
seen = {}
real = app.import_paused
def spy(modules):
    seen["enabled_before"] = gc.isenabled()
    real(modules)
    seen["modules"], seen["after"] = list(modules), [gc.isenabled(), gc.get_freeze_count() > 0]
app.import_paused = spy
atexit.register(lambda: print(json.dumps(seen)))
sys.argv = ["mmpriv", "embed", sys.argv[1], sys.argv[2], "--rate", "1.0"]
app.main()
"""


def test_embed_imports_its_modules_with_the_collector_paused(tmp_path):
    """As a command (the process ends with it), `embed` imports its modules with the cyclic
    collector paused and freezes them; the collector runs again for the tree."""
    src = tmp_path / "src"
    src.mkdir()
    Image.new("RGB", (160, 120), (30, 90, 160)).save(src / "a.jpg")
    done = subprocess.run(
        [sys.executable, "-c", PAUSED, str(src), str(tmp_path / "dst")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"{tmp_path / 'dst'}: embedded 1, copied 0")
    seen = json.loads(lines[-1])
    assert seen == {
        "enabled_before": True,
        "modules": ["mmpriv_data.files.embed_files"],
        "after": [True, True],
    }


def test_embed_called_in_process_freezes_nothing(tmp_path):
    """`main(argv)` (tests, notebooks) leaves the collector as it was."""
    import gc

    src = tmp_path / "src"
    src.mkdir()
    Image.new("RGB", (160, 120), (30, 90, 160)).save(src / "a.jpg")
    frozen = gc.get_freeze_count()
    with pytest.raises(SystemExit) as done:
        cli_app.main(["embed", str(src), str(tmp_path / "dst"), "--rate", "1.0"])
    assert done.value.code == 0
    assert gc.isenabled() and gc.get_freeze_count() == frozen
