"""Write outputs all at once or not at all, and never over anything mmpriv did not write.

An output is staged beside its target and renamed into place at the end. A target that already
exists is replaced only when it is mmpriv's own output of the same kind:

- a folder output carries a marker, `.mmpriv.json`, naming its kind and every file written;
  a folder that holds any other file (a user's notes added later) is refused as a whole;
- a dataset folder written by `mmpriv build` is recognised by its card instead (the card's
  `mmpriv:` block names the dataset and checksums every shard), so the Hub layout stays exact;
- a JSON report carries a top-level `"mmpriv_output": KIND` key (`json_report` adds it);
  other single files pass their own `recognise` test (the scrubbed copy: its report's checksum).

Everything else is refused with one line naming the option, and left untouched. Targets are
checked before any work starts (`check_folder_target`, `check_file_target`) and again at the
rename.

>>> import pathlib, tempfile
>>> out = pathlib.Path(tempfile.mkdtemp()) / "report"
>>> with atomic_folder(out, "example") as staging:
...     _ = (staging / "a.txt").write_text("done")
>>> (out / "a.txt").read_text(), folder_kind(out)
('done', 'example')
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from mmpriv_data.core.errors import MmprivError

MARKER = ".mmpriv.json"
REPORT_KEY = "mmpriv_output"


def _files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir()}


def _card_dataset(folder: Path) -> str | None:
    """The dataset named by an mmpriv card, if every file of `folder` is the card or a shard
    the card checksums (a folder the user added files to is not ours to replace)."""
    import yaml

    card = folder / "README.md"
    try:
        text = card.read_text(encoding="utf-8")
        front = yaml.safe_load(text[4 : text.index("\n---", 4)]) if text.startswith("---\n") else {}
    except (OSError, ValueError, UnicodeDecodeError, yaml.YAMLError):
        return None
    provenance = (front or {}).get("mmpriv") if isinstance(front, dict) else None
    if not isinstance(provenance, dict) or "dataset" not in provenance:
        return None
    known = {"README.md", *(provenance.get("shards") or {})}
    return f"dataset {provenance['dataset']}" if _files_under(folder) <= known else None


def folder_kind(folder: str | Path) -> str | None:
    """The kind of mmpriv output `folder` is, or None if mmpriv cannot vouch for every file."""
    folder = Path(folder)
    try:
        record = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _card_dataset(folder)
    if not isinstance(record, dict) or not isinstance(record.get("files"), list):
        return None
    extra = _files_under(folder) - set(record["files"]) - {MARKER}
    return record.get("kind") if not extra else None


def check_writable_parent(target: Path, option: str) -> None:
    """The nearest existing folder above `target` must take new files (tried, not guessed:
    permission bits say nothing for root or for /proc)."""
    parent = target.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise MmprivError(f"{option} {target}: {parent} is a file, not a folder")
    try:
        handle, probe = tempfile.mkstemp(prefix=".mmpriv-probe-", dir=parent)
    except OSError as error:
        raise MmprivError(
            f"{option} {target}: cannot write in {parent} ({error.strerror})"
        ) from None
    os.close(handle)
    os.unlink(probe)


def check_folder_target(out: str | Path, kind: str | None, option: str = "--out") -> Path:
    """Refuse `out` unless it is absent, an empty folder, or mmpriv's own `kind` output
    (`kind` None: no output is ever replaced, only new or empty folders are written)."""
    out = Path(out)
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise MmprivError(f"{option} {out}: exists and is not a folder; mmpriv never replaces it")
    if out.is_dir() and any(out.iterdir()):
        found = folder_kind(out)
        if kind is None or found != kind:
            what = f"a {found} output" if found else "files mmpriv did not write"
            rule = f"mmpriv replaces only its own {kind} output" if kind else "not replaced"
            raise MmprivError(
                f"{option} {out}: holds {what}; {rule} (choose a new or empty folder)"
            )
    check_writable_parent(out, option)
    return out


def _make_parent(path: Path, option: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise MmprivError(
            f"{option} {path}: cannot create {path.parent} ({error.strerror})"
        ) from None


@contextmanager
def atomic_folder(out: str | Path, kind: str | None = None, *, option: str = "--out",
                  marker: bool = True) -> Iterator[Path]:  # fmt: skip
    """Yield an empty staging folder beside `out`; on success it replaces `out`.

    `out` must pass `check_folder_target` (checked here too). With `marker`, `.mmpriv.json`
    records `kind` and the files written, so a later run may replace this output. On any
    exception (KeyboardInterrupt included) the staging folder is removed and `out` is left as
    it was. Same filesystem as `out`, so the rename is atomic.
    """
    out = check_folder_target(out, kind, option)
    _make_parent(out, option)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        yield staging
        if marker and kind is not None:
            files = sorted(_files_under(staging))
            record = {"kind": kind, "files": files}
            (staging / MARKER).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        check_folder_target(out, kind, option)  # again: the run may have taken hours
        previous = None
        if out.exists():
            previous = staging.with_name(staging.name + "-previous")
            os.replace(out, previous)
        os.replace(staging, out)
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def is_json_report(path: Path, kind: str) -> bool:
    """Whether `path` is a JSON report that mmpriv wrote for `kind` (`json_report`'s key)."""
    try:
        with path.open(encoding="utf-8") as stream:
            report = json.load(stream)
    except (OSError, ValueError):
        return False
    return isinstance(report, dict) and report.get(REPORT_KEY) == kind


def json_report(report: dict, kind: str) -> str:
    """Pretty JSON of `report`, led by the key that lets a later run replace it."""
    return json.dumps({REPORT_KEY: kind, **report}, indent=2, ensure_ascii=False) + "\n"


def check_file_target(path: str | Path, kind: str, option: str,
                      recognise: Callable[[Path], bool] | None = None) -> Path:  # fmt: skip
    """Refuse `path` unless it is absent, an empty file, or mmpriv's own `kind` output."""
    path = Path(path)
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise MmprivError(f"{option} {path}: exists and is not a file; mmpriv never replaces it")
    if path.is_file() and path.stat().st_size:
        own = (recognise or (lambda p: is_json_report(p, kind)))(path)
        if not own:
            raise MmprivError(
                f"{option} {path}: exists and mmpriv did not write it as a {kind} output; "
                "mmpriv never replaces it (choose another path)"
            )
    check_writable_parent(path, option)
    return path


@contextmanager
def atomic_file(path: str | Path, kind: str, *, option: str = "--out",
                recognise: Callable[[Path], bool] | None = None) -> Iterator[Path]:  # fmt: skip
    """Yield a temporary file path beside `path`; on success it replaces `path`.

    `path` must pass `check_file_target` (checked here, before and after the write)."""
    path = check_file_target(path, kind, option, recognise)
    _make_parent(path, option)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.partial-", dir=path.parent)
    os.close(handle)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temp, 0o666 & ~umask)  # mkstemp makes files private; outputs are for everyone
    try:
        yield Path(temp)
        check_file_target(path, kind, option, recognise)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
