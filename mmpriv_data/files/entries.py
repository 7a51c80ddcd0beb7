"""A source's entries, read one at a time and kept on disk, so that memory does not grow with
the number of entries (a 665K-entry LLaVA mix costs what a 10K one does).

`iter_json` streams a JSON list (with `ijson`) or a JSONL file; `EntryStore` spills each
entry, and its id, to an anonymous temporary file and keeps in memory only what finding them
again needs: two 8-byte offsets, a 1-byte has-images flag and, once `finish` is called, an
8-byte hash of the id with its rank (for duplicate ids and id -> index look-ups).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from array import array
from collections.abc import Iterator, Sequence
from pathlib import Path

from mmpriv_data.core.errors import MmprivError


def _json_error(path: Path, error: Exception) -> MmprivError:
    detail = getattr(error, "msg", None) or str(error).splitlines()[0]
    where = f" at line {error.lineno}" if getattr(error, "lineno", None) else ""
    return MmprivError(f"{path}: not JSON ({detail}{where})")


def iter_json(path: Path) -> Iterator[dict]:
    """The entries of a JSON list or a JSONL file, one at a time (a 665K-entry LLaVA mix
    never sits in memory whole)."""
    try:
        with open(path, "rb") as handle:
            if path.suffix == ".jsonl":
                for number, line in enumerate(handle, 1):
                    if line.strip():
                        try:
                            yield json.loads(line)
                        except json.JSONDecodeError as error:
                            raise MmprivError(f"{path}:{number}: not JSON ({error.msg})") from None
                return
            first = handle.read(64).lstrip()[:1]
            handle.seek(0)
            if first != b"[":
                if first in (b"{", b'"') or first.isalnum():
                    raise MmprivError(f"{path}: expected a JSON list of entries")
                raise MmprivError(f"{path}: not JSON (expected a list)")
            yield from _stream_list(handle, path)
    except OSError as error:
        raise MmprivError(f"{path}: cannot read ({error.strerror})") from None


def _stream_list(handle, path: Path) -> Iterator[object]:
    try:
        import ijson
    except ImportError:  # without ijson the list is read whole: same entries, more memory
        try:
            yield from json.load(handle)
        except json.JSONDecodeError as error:
            raise _json_error(path, error) from None
        return
    try:
        yield from ijson.items(handle, "item", use_float=True)
    except ijson.JSONError as error:
        raise _json_error(path, error) from None


def _id_hash(item_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(item_id.encode("utf-8"), digest_size=8).digest(), "big")


class EntryStore(Sequence):
    """Entries ({"messages", "images": [paths]}) and their ids, on disk.

    Indexing gives the entry; `ids` is a sequence of the ids in entry order. Reading back
    uses `os.pread`, safe in threads and forked workers.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="mmpriv-source-")
        # Per entry: where its id starts, where its JSON starts (which is where the id ends),
        # and the end of the file region (the next id's start).
        self._id_starts = array("Q")
        self._entry_starts = array("Q")
        self._end = 0
        self.has_images = bytearray()
        self._id_hashes = array("Q")  # sorted, with their entry indices, by `finish`
        self._hashes = None
        self.ids = _Ids(self)

    def append(self, item_id: str, entry: dict) -> None:
        key = item_id.encode("utf-8")
        line = json.dumps(entry, ensure_ascii=False).encode("utf-8")
        self._file.write(key + line)
        self._id_starts.append(self._end)
        self._entry_starts.append(self._end + len(key))
        self._end += len(key) + len(line)
        self.has_images.append(1 if entry.get("images") else 0)
        self._id_hashes.append(_id_hash(item_id))

    def finish(self) -> None:
        """Flush to disk and index the ids (8-byte hashes, sorted; 16 bytes per entry)."""
        import numpy as np

        self._file.flush()
        if self._hashes is None:
            hashes = np.array(self._id_hashes, dtype=np.uint64)
            self._id_hashes = None  # no more appends
            order = np.argsort(hashes, kind="stable")  # equal hashes keep entry order
            self._hashes = (hashes[order], order)

    def __len__(self) -> int:
        return len(self._entry_starts)

    def _region(self, index: int) -> tuple[int, int, int]:
        if index < 0:
            index += len(self)
        end = self._id_starts[index + 1] if index + 1 < len(self) else self._end
        return self._id_starts[index], self._entry_starts[index], end

    def __getitem__(self, index: int) -> dict:
        _, start, end = self._region(index)
        return json.loads(os.pread(self._file.fileno(), end - start, start))

    def item_id(self, index: int) -> str:
        start, end, _ = self._region(index)
        return os.pread(self._file.fileno(), end - start, start).decode("utf-8")

    def index_of(self, item_id: str) -> int:
        """The index of the entry with `item_id` (the first, if repeated); KeyError if none."""
        import numpy as np

        hashes, order = self._hashes
        key = np.uint64(_id_hash(item_id))
        at = int(np.searchsorted(hashes, key))
        while at < len(hashes) and hashes[at] == key:
            if self.item_id(int(order[at])) == item_id:
                return int(order[at])
            at += 1
        raise KeyError(item_id)

    def first_repeated_id(self) -> str | None:
        """The id, among those that appear more than once, whose first entry comes first."""
        import numpy as np

        hashes, order = self._hashes
        first = None
        # Hash values that occur more than once: few, unless ids repeat a lot.
        for value in np.unique(hashes[1:][hashes[1:] == hashes[:-1]]):
            low, high = np.searchsorted(hashes, value), np.searchsorted(hashes, value, "right")
            # Nearly always one id repeated, but hashes may collide: compare the ids.
            seen: dict[str, int] = {}
            for index in sorted(int(i) for i in order[low:high]):
                item_id = self.item_id(index)
                if item_id in seen:
                    first = seen[item_id] if first is None else min(first, seen[item_id])
                seen.setdefault(item_id, index)
        return None if first is None else self.item_id(first)

    def __getstate__(self):  # a Ray worker or spawned process reopens the source instead
        raise TypeError("EntryStore is local to a process; reopen the source")


class _Ids(Sequence):
    """The ids of an EntryStore, read from disk on demand."""

    def __init__(self, store: EntryStore) -> None:
        self._store = store

    def __len__(self) -> int:
        return len(self._store)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._store.item_id(i) for i in range(*index.indices(len(self)))]
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        return self._store.item_id(index)
