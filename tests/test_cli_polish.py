"""Issue 14, part 5: the command line as a user reads it (help, version, list, one option name)."""

from __future__ import annotations

import re

import pytest

from mmpriv_data import __version__
from mmpriv_data.cli.app import COMMANDS, main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exit_:
        code = exit_.code or 0
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"mmpriv {__version__}"


@pytest.mark.parametrize(("group", "name"), [(g, n) for g, n, _ in COMMANDS])
def test_help_shows_flags_plainly_and_names_the_arguments(capsys, monkeypatch, group, name):
    monkeypatch.setenv("COLUMNS", "200")  # no wrapping: one option per line
    code, out, _ = run(capsys, *[w for w in (group, name) if w], "--help")
    assert code == 0
    assert "<bool>" not in out  # flags take no value: `--skip-bad`, `--help`
    usage = next(line for line in out.splitlines() if "Usage:" in line)
    assert "{" not in usage and usage.split()[1] == "mmpriv"


def test_scrub_usage_names_input_and_output(capsys):
    _, out, _ = run(capsys, "scrub", "--help")
    assert "mmpriv scrub [OPTIONS] INPUT OUTPUT" in out


def test_one_name_for_the_lora_rank(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    texts = [run(capsys, "train", name, "--help")[1] for name in ("lora", "unlearn", "preference")]
    assert all("--lora-r " in text for text in texts)
    assert not any("--lora-rank" in text for text in texts)


def test_list_shows_every_parameter_in_full(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")  # narrow: long values wrap instead of being cut
    _, out, _ = run(capsys, "list")
    assert "…" not in out
    cells = [line.split("│")[3] for line in out.splitlines() if line.count("│") == 5]
    parameters = re.sub(r"\s+", "", "".join(cells))  # the column read across wrapped lines
    assert "fields=username,user_id,gender,age,capture_time,capture_location," in parameters


def test_an_unknown_option_is_one_line(capsys):
    code, _, err = run(capsys, "train", "lora", "--nosuch")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "--nosuch" in err
