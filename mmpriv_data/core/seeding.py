"""Seeded random streams.

Every random draw in mmpriv comes from a stream keyed by names, e.g.
(seed, dataset, config, split, shard) or (seed, "profiles", "person", 17). Keys are hashed,
so a stream never depends on how many processes run or in what order items are made.

>>> a = stream(0, "profiles", "person", 3).integers(0, 1000)
>>> b = stream(0, "profiles", "person", 3).integers(0, 1000)
>>> bool(a == b)
True
"""

from __future__ import annotations

import hashlib
import random

import numpy as np


def stream_key(seed: int, *keys: object) -> int:
    """A 128-bit integer derived from the seed and the keys (stable across Python versions)."""
    text = "\x1f".join([str(int(seed)), *(str(k) for k in keys)])
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:16], "big")


def stream(seed: int, *keys: object) -> np.random.Generator:
    """A numpy Generator for (seed, *keys)."""
    return np.random.default_rng(np.random.SeedSequence(stream_key(seed, *keys)))


def py_random(seed: int, *keys: object) -> random.Random:
    """A stdlib Random for (seed, *keys), for libraries that take one (nlpaug, Faker)."""
    return random.Random(stream_key(seed, *keys))


def uniform01(seed: int, *keys: object) -> float:
    """One uniform draw in [0, 1) for (seed, *keys): the per-item decision used for nested rates."""
    return stream_key(seed, *keys) / float(1 << 128)
