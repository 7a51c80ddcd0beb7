"""A progress bar for training loops: step of total, last loss, examples per second, ETA.

Drawn on stderr by rich (transient, so the final summary line stays the only output); off
with `--quiet`, on every process but the main one, and when stderr is not a terminal.

>>> with TrainProgress(total=3, quiet=True) as progress:
...     progress.advance(examples=4, loss=0.5)
"""

from __future__ import annotations

import time


class TrainProgress:
    def __init__(self, total: int, what: str = "training", quiet: bool = False, console=None):
        self.total, self.what, self.quiet, self.console = total, what, quiet, console
        self.examples, self.started = 0, time.perf_counter()
        self._bar = None

    def __enter__(self) -> TrainProgress:
        from rich.console import Console

        console = self.console or Console(stderr=True)
        if self.quiet or not console.is_terminal:  # a log file gets the summary line only
            return self
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]}"),
            TextColumn("{task.fields[rate]} ex/s"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        self._bar.__enter__()
        self._task = self._bar.add_task(self.what, total=self.total, loss="-", rate="-")
        return self

    def advance(self, examples: int, loss: float) -> None:
        """One step done: `examples` rows in it, `loss` its loss."""
        self.examples += examples
        if self._bar is None:
            return
        seconds = max(time.perf_counter() - self.started, 1e-9)
        rate = f"{self.examples / seconds:.1f}"
        self._bar.update(self._task, advance=1, loss=f"{loss:.4f}", rate=rate)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)
