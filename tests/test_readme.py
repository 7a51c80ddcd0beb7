"""The README's front door: two set-up commands, and the main job they start works."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mmpriv_data.cli.app import main

ROOT = Path(__file__).resolve().parent.parent


def setup_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)\n```", section, re.DOTALL)


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_second():
    commands = setup_commands()
    assert len(commands) == 2
    assert commands[0].startswith("pip install") and "mmpriv build all" in commands[0]
    ci = (ROOT / ".ci" / "run").read_text()
    install, test = commands[1].split(" && ")
    assert 'pip install -e ".[test]"' in install and '-e ".[test]"' in ci
    assert test in ci


def test_main_job_builds_every_dataset_and_prints_where(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        main(["build", "all"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    hub = tmp_path / "mmpriv-hub"
    from mmpriv_data.definitions import registry

    for name in registry.DATASETS:
        assert (hub / name / "README.md").is_file(), name
        assert list((hub / name).glob("*/*.parquet")), name
        assert name in out
    assert str(hub.resolve()) in out
