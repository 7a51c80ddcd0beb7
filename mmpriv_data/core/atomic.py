"""Write outputs all at once or not at all: a staging path next to the target, renamed at the end.

>>> import pathlib, tempfile
>>> out = pathlib.Path(tempfile.mkdtemp()) / "report"
>>> with atomic_folder(out) as staging:
...     _ = (staging / "a.txt").write_text("done")
>>> (out / "a.txt").read_text()
'done'
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_folder(out: str | Path) -> Iterator[Path]:
    """Yield an empty staging folder beside `out`; on success it replaces `out`.

    On any exception (KeyboardInterrupt included) the staging folder is removed and an
    existing `out` is left as it was. Same filesystem as `out`, so the rename is atomic.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        yield staging
        previous = None
        if out.exists():
            previous = staging.with_name(staging.name + "-previous")
            os.replace(out, previous)
        os.replace(staging, out)
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def atomic_file(path: str | Path) -> Iterator[Path]:
    """Yield a temporary file path beside `path`; on success it replaces `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.partial-", dir=path.parent)
    os.close(handle)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temp, 0o666 & ~umask)  # mkstemp makes files private; outputs are for everyone
    try:
        yield Path(temp)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
