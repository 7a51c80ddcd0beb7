"""`--quiet` on the eval commands that show progress: no bar even on a terminal."""

import io

import pytest
from rich.console import Console
from typer.testing import CliRunner

from mmpriv_data.cli import app as cli_app
from mmpriv_data.cli.app import app, register_commands


@pytest.mark.parametrize("command", [["eval", "probing"], ["eval", "leakage"], ["eval", "mia"]])
def test_quiet_is_an_option(command):
    register_commands([*command, "--help"])  # the CLI imports only the command it runs
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "--quiet" in result.output


def _terminal(monkeypatch) -> io.StringIO:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=80)
    monkeypatch.setattr(cli_app, "err", console)
    return buffer


@pytest.mark.parametrize("quiet", [False, True])
def test_probing_progress_obeys_quiet(monkeypatch, quiet):
    from mmpriv_data.cli.eval_probing import _progress

    buffer = _terminal(monkeypatch)
    bar, advance = _progress(3, "hidden states: m", quiet)
    with bar:
        for _ in range(3):
            advance()
    assert ("hidden states" in buffer.getvalue()) is not quiet


class _Scorer:
    def score(self, samples, progress, vocab_stats=False):
        for _ in samples:
            progress(1)
        return [0.0 for _ in samples]


@pytest.mark.parametrize("quiet", [False, True])
def test_mia_progress_obeys_quiet(quiet):
    from evaluators.mia.run import _score_all

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=80)
    scores = _score_all(_Scorer(), [("m", None)] * 4, "target samples", console, quiet=quiet)
    assert scores == [0.0] * 4
    assert ("scoring target samples" in buffer.getvalue()) is not quiet
