"""Issue 14, part 5: training shows its step, loss, examples/s and time left."""

from __future__ import annotations

import io
import re

from rich.console import Console

from trainers.progress import TrainProgress


def test_the_bar_shows_step_loss_rate_and_eta():
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120)
    with TrainProgress(total=4, what="train lora", console=console) as progress:
        progress.advance(examples=8, loss=1.25)
        progress.advance(examples=8, loss=0.75)
        progress._bar.refresh()
        shown = screen.getvalue()
    assert "train lora" in shown and "2/4" in shown and "loss 0.7500" in shown
    assert "ex/s" in shown and re.search(r"\d+:\d\d:\d\d", shown)  # time left, h:mm:ss


def test_quiet_and_logs_show_nothing():
    for console, quiet in ((Console(file=io.StringIO(), force_terminal=True), True),
                           (Console(file=io.StringIO(), force_terminal=False), False)):  # fmt: skip
        with TrainProgress(total=2, console=console, quiet=quiet) as progress:
            progress.advance(examples=1, loss=0.1)
        assert console.file.getvalue() == ""
