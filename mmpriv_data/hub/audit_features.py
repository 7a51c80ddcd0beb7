"""Hand-made features of the blind-baseline audit: what a model-free classifier looks at.

Text: the years a conversation mentions (Das et al. 2024's date detection: a temporal shift is the
classic membership confound), its numbers, its length. Image: colour and texture histograms.
Every feature function maps one sample to a fixed-length vector; a value that does not exist
(no year mentioned) is NaN, and the classifier's pipeline imputes it inside each fold. Also here:
the two shifts the audit's power study injects into members (`bench/audit_power.py`).

>>> year_features("Born on May 3, 1975; graduated in 1997.").tolist()
[1.0, 2.0, 1975.0, 1986.0, 1997.0]
>>> shift_years("Born in 1975, moved in 2001.", 15)
'Born in 1990, moved in 2016.'
"""

from __future__ import annotations

import re

import numpy as np
from PIL import Image

THUMB = 64  # images are reduced to this side: histograms need no more

# A four-digit number from 1800 to 2099 that is not part of a longer digit run (a postcode, a
# phone number) is read as a year, as Das et al. read every four-digit number as one.
YEAR = re.compile(r"(?<!\d)(18\d\d|19\d\d|20\d\d)(?!\d)")
NUMBER = re.compile(r"\d+")
WORD = re.compile(r"\w+")
SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


def year_features(text: str) -> np.ndarray:
    """[mentions a year, how many, earliest, mean, latest]; NaN years when none is mentioned."""
    years = [int(y) for y in YEAR.findall(text)]
    if not years:
        return np.array([0.0, 0.0, np.nan, np.nan, np.nan])
    return np.array([1.0, len(years), min(years), float(np.mean(years)), max(years)])


def shift_years(text: str, years: int) -> str:
    """Every year the text mentions moved by `years` (what the audit's power study injects)."""
    return YEAR.sub(lambda match: str(int(match.group()) + years), text)


def cast_colour(image: Image.Image, offsets: tuple[int, int, int]) -> Image.Image:
    """The image with `offsets` added to its R, G and B values (clipped): a colour cast, the
    image shift the audit's power study injects (e.g. (6, 0, -6), a slight warm cast)."""
    pixels = np.asarray(image.convert("RGB"), dtype=np.int16) + np.array(offsets, dtype=np.int16)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def number_features(text: str) -> np.ndarray:
    """How many numbers, how much of the text is digits, their magnitudes, their digit counts."""
    numbers = NUMBER.findall(text)
    if not numbers:
        return np.array([0.0, 0.0] + [np.nan] * 7)
    magnitude = np.log10(1 + np.array([float(n) for n in numbers]))
    digits = np.array([len(n) for n in numbers])
    widths = [np.mean(digits == d) for d in (1, 2, 3, 4)] + [np.mean(digits >= 5)]
    return np.array(
        [
            np.log1p(len(numbers)),
            digits.sum() / max(len(text), 1),
            magnitude.mean(),
            magnitude.max(),
            *widths,
        ]
    )


def length_features(text: str) -> np.ndarray:
    """Characters, words, lines (turns) and sentences (as logs), mean word and line lengths."""
    words = WORD.findall(text)
    lines = [line for line in text.split("\n") if line.strip()] or [""]
    line_lengths = [len(line) for line in lines]
    return np.array(
        [
            np.log1p(len(text)),
            np.log1p(len(words)),
            np.log1p(len(lines)),
            np.log1p(len(SENTENCE_END.findall(text))),
            np.mean([len(w) for w in words]) if words else 0.0,
            np.mean(line_lengths),
            max(line_lengths),
        ]
    )


def _thumb(image: Image.Image, mode: str) -> np.ndarray:
    return np.asarray(image.convert(mode).resize((THUMB, THUMB)), dtype=float).reshape(-1, 3)


def colour_features(image: Image.Image) -> np.ndarray:
    """Joint RGB histogram (4x4x4) and HSV marginals (16 bins each), as fractions of pixels."""
    rgb = _thumb(image, "RGB")
    joint, _ = np.histogramdd(rgb, bins=(4, 4, 4), range=[(0, 256)] * 3)
    hsv = _thumb(image, "HSV")
    marginals = [np.histogram(hsv[:, c], bins=16, range=(0, 256))[0] for c in range(3)]
    features = np.concatenate([joint.ravel(), *marginals]).astype(float)
    return features / len(rgb)


def texture_features(image: Image.Image) -> np.ndarray:
    """Histograms of gradient magnitude, gradient orientation and Laplacian magnitude."""
    gray = np.asarray(image.convert("L").resize((THUMB, THUMB)), dtype=float) / 255.0
    dy, dx = np.gradient(gray)
    magnitude = np.hypot(dx, dy)
    orientation = np.arctan2(dy, dx)
    laplacian = np.abs(
        gray[:-2, 1:-1] + gray[2:, 1:-1] + gray[1:-1, :-2] + gray[1:-1, 2:] - 4 * gray[1:-1, 1:-1]
    )
    parts = [
        np.histogram(magnitude, bins=16, range=(0, 0.5))[0],
        np.histogram(orientation, bins=16, range=(-np.pi, np.pi), weights=magnitude)[0],
        np.histogram(laplacian, bins=16, range=(0, 0.5))[0],
    ]
    return np.concatenate([p / max(p.sum(), 1e-12) for p in parts])
