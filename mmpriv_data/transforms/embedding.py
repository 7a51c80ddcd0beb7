"""The privacy-text overlay (ProbingPrivacy): a user record drawn onto an image as text.

Sampling and applying are separate, as in albumentations: `get_params` draws every random
choice (position, rotation) and returns a JSON-able dict that fully describes the overlay;
`apply` is a deterministic function of the image and those params. The params are what each
row records (`bbox`, style, text).

Speed: `apply` never converts or composites the whole image. The text is rendered once into a
small greyscale mask (ink scaled by the opacity) and `Image.paste(colour, region, mask)` blends
the colour into the text's bounding region only, which is what alpha-compositing a transparent
RGBA overlay of fill (255, 255, 255, 128) gives there, without touching other pixels.

>>> from PIL import Image
>>> from mmpriv_data.core.seeding import stream
>>> record = {"username": "jane_doe", "user_id": 1234567890}
>>> style = EmbedStyle(fields=("username", "user_id"))
>>> image = Image.new("RGB", (320, 240), (40, 40, 40))
>>> params = get_params(stream(0, "doc"), image.size, record, style)
>>> out = apply(image, params)
>>> x0, y0, x1, y1 = params["bbox"]
>>> 0 <= x0 < x1 <= 320 and 0 <= y0 < y1 <= 240 and out.getbbox() is not None
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageColor, ImageDraw, ImageFont

from mmpriv_data.content.identities import USER_FIELDS
from mmpriv_data.core.errors import MmprivError

POSITIONS = ("random", "top-left", "top-right", "bottom-left", "bottom-right", "center")
MIN_FONT_SIZE = 6
LINE_SPACING = 2
BOX_PADDING = 3


@dataclass(frozen=True)
class EmbedStyle:
    """How the text looks; defaults are ProbingPrivacy's (six fields, white at 50%, no box).

    font_size 0 scales the font to the image; rotation is the largest |angle| in degrees
    (the angle is drawn uniformly in [-rotation, rotation]); box is a background colour or "".
    """

    fields: tuple[str, ...] = USER_FIELDS
    font_size: int = 0
    color: str = "#FFFFFF"
    opacity: float = 0.5
    position: str = "random"
    box: str = ""
    rotation: float = 0.0

    def __post_init__(self):
        if not self.fields:
            raise MmprivError("embedding fields: name at least one field")
        if self.font_size < 0:
            raise MmprivError(f"embedding font_size must be >= 0 (0 = auto), got {self.font_size}")
        if not 0 < self.opacity <= 1:
            raise MmprivError(f"embedding opacity must be in (0, 1], got {self.opacity}")
        if self.position not in POSITIONS:
            raise MmprivError(
                f"embedding position {self.position!r}: one of {', '.join(POSITIONS)}"
            )
        if not 0 <= self.rotation <= 180:
            raise MmprivError(
                f"embedding rotation must be within 0..180 degrees, got {self.rotation}"
            )
        for name, value in (("color", self.color), ("box", self.box)):
            if value:
                parse_color(value, option=name)


def parse_color(value: str, option: str = "color") -> tuple[int, int, int]:
    """'#FFFFFF' or 'white' -> (255, 255, 255); a clear error names the option."""
    try:
        return ImageColor.getrgb(value)[:3]
    except ValueError:
        raise MmprivError(f"embedding {option} {value!r}: not a colour (try #RRGGBB)") from None


def auto_font_size(width: int, height: int) -> int:
    """The font size used when none is given: about 1/30 of the shorter side, at least 10."""
    return max(10, round(min(width, height) / 30))


def record_text(record: dict, fields: tuple[str, ...]) -> str:
    """ProbingPrivacy's text block: one "key: value" line per field."""
    missing = [f for f in fields if f not in record]
    if missing:
        raise MmprivError(f"user record {record!r} has no field(s) {', '.join(missing)}")
    return "\n".join(f"{field}: {record[field]}" for field in fields)


@lru_cache(maxsize=32)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


@lru_cache(maxsize=32)
def _line_step(font_size: int) -> int:
    """Pixels from one line's top to the next: Pillow's multiline rule, the height of "A"
    plus the spacing."""
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    return probe.textbbox((0, 0), "A", font=_font(font_size))[3] + LINE_SPACING


@lru_cache(maxsize=256)
def _block(text: str, font_size: int, box: bool, opacity: float) -> tuple[Image.Image, ...]:
    """Unrotated ink mask (and box mask): "L" images whose values are scaled by opacity.

    Cached because laying out text is the slow part (milliseconds) and the same few user
    records recur across thousands of images. The lines are measured and drawn one by one, at
    the places where Pillow's `multiline_textbbox`/`multiline_text` put left-aligned lines
    (the same pixels: tests/test_embedding_layout.py): Pillow also measures every line's
    width twice, for alignments other than left, loading and hinting each glyph again (20
    user records: 33 -> 26 ms, all of it before the first images are done).
    """
    font = _font(font_size)
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    lines = [(line, i * _line_step(font_size)) for i, line in enumerate(text.split("\n"))]
    boxes = [probe.textbbox((0, y), line, font=font) for line, y in lines]
    left, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
    right, bottom = max(b[2] for b in boxes), max(b[3] for b in boxes)
    pad = BOX_PADDING if box else 0
    size = (right - left + 2 * pad, bottom - top + 2 * pad)
    level = max(1, round(255 * opacity))
    ink = Image.new("L", size, 0)
    draw = ImageDraw.Draw(ink)
    for line, y in lines:
        draw.text((pad - left, pad - top + y), line, fill=level, font=font)
    return (ink, Image.new("L", size, level)) if box else (ink,)


@lru_cache(maxsize=64)
def _masks(
    text: str, font_size: int, box: bool, angle: float, opacity: float
) -> tuple[Image.Image, Image.Image | None, tuple[int, int, int, int], tuple]:
    """(ink, box mask or None, bbox of the drawn pixels, ink pieces), rotated with expand.

    The pieces are the ink's horizontal bands (text lines), each cropped to its drawn
    pixels as (dx, dy, mask): pasting them touches about half the pixels of the whole block.
    """
    masks = _block(text, font_size, box, opacity)
    if angle:
        masks = tuple(
            m.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True) for m in masks
        )
    ink = masks[0]
    box_mask = masks[1] if box else None
    drawn = (box_mask or ink).getbbox() or (0, 0, ink.width, ink.height)
    return ink, box_mask, drawn, _line_pieces(ink)


def _line_pieces(ink: Image.Image) -> tuple[tuple[int, int, Image.Image], ...]:
    inked_rows = np.flatnonzero(np.asarray(ink).any(axis=1)).tolist() or [0]
    bands, start = [], inked_rows[0]
    for previous, row in zip(inked_rows, inked_rows[1:] + [None], strict=True):
        if row != previous + 1:
            bands.append((start, previous + 1))
            start = row
    pieces = []
    for top, bottom in bands:
        band = ink.crop((0, top, ink.width, bottom))
        left, band_top, right, band_bottom = band.getbbox() or (0, 0, ink.width, bottom - top)
        pieces.append((left, top + band_top, band.crop((left, band_top, right, band_bottom))))
    return tuple(pieces)


def _fit(text: str, style: EmbedStyle, angle: float, width: int, height: int) -> int:
    """The largest font size <= the wanted one whose block fits inside the image."""
    size = style.font_size or auto_font_size(width, height)
    while size >= MIN_FONT_SIZE:
        ink = _masks(text, size, bool(style.box), angle, style.opacity)[0]
        if ink.width <= width and ink.height <= height:
            return size
        size -= 1
    raise MmprivError(f"image of {width}x{height} is too small for the privacy text block")


def get_params(
    rng: np.random.Generator, image_size: tuple[int, int], record: dict, style: EmbedStyle
) -> dict:
    """Draw the overlay for one image: every random choice comes from `rng`.

    Returns text, fields, font_size, color, opacity, box, rotation (the drawn angle), xy (the
    top-left of the block) and bbox = [x0, y0, x1, y1], the tight box of the drawn pixels.
    """
    width, height = image_size
    text = record_text(record, style.fields)
    angle = round(float(rng.uniform(-style.rotation, style.rotation)), 1) if style.rotation else 0.0
    font_size = _fit(text, style, angle, width, height)
    ink, _, drawn, _ = _masks(text, font_size, bool(style.box), angle, style.opacity)
    room_x, room_y = width - ink.width, height - ink.height
    if style.position == "random":
        # Uniform top-left that keeps the block inside the image (ProbingPrivacy's rule).
        x, y = int(rng.integers(0, room_x + 1)), int(rng.integers(0, room_y + 1))
    else:
        margin_x, margin_y = min(room_x, width // 50), min(room_y, height // 50)
        x = {"left": margin_x, "right": room_x - margin_x}.get(
            style.position.rpartition("-")[2], room_x // 2
        )
        y = {"top": margin_y, "bottom": room_y - margin_y}.get(
            style.position.partition("-")[0], room_y // 2
        )
    return {
        "text": text,
        "fields": list(style.fields),
        "font_size": font_size,
        "color": style.color,
        "opacity": style.opacity,
        "box": style.box,
        "rotation": angle,
        "xy": [x, y],
        "bbox": [x + drawn[0], y + drawn[1], x + drawn[2], y + drawn[3]],
    }


def apply(image: Image.Image, params: dict, *, inplace: bool = False) -> Image.Image:
    """Draw the overlay described by `params` (from `get_params`); a pure function.

    Only the block's region is blended; the result is RGB. With `inplace` an RGB input is
    modified and returned (saves one copy of the image on the fast path).
    """
    ink, box_mask, _, pieces = _masks(
        params["text"],
        params["font_size"],
        bool(params["box"]),
        params["rotation"],
        params["opacity"],
    )
    if image.mode != "RGB":
        image = image.convert("RGB")
    elif not inplace:
        image = image.copy()
    x, y = params["xy"]
    if box_mask is not None:
        image.paste(_solid(params["box"], ink.size), (x, y), box_mask)
    for dx, dy, mask in pieces:
        image.paste(_solid(params["color"], mask.size), (x + dx, y + dy), mask)
    return image


@lru_cache(maxsize=1024)
def _solid(color: str, size: tuple[int, int]) -> Image.Image:
    """A block of one colour: pasting an image through a mask is faster than pasting a colour."""
    return Image.new("RGB", size, parse_color(color))


def choose_user(rng: np.random.Generator, users: list[dict]) -> dict:
    """One user per image, uniformly (ProbingPrivacy's rule)."""
    return users[int(rng.integers(len(users)))]
