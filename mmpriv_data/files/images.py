"""Decoding the user's image files safely: one error type, `BadImage`, naming the file and
what is wrong with it (missing, not an image, corrupt, too large).

Kept apart from `sources` so that `mmpriv embed` (which needs only this) imports Pillow and
nothing of the source readers.
"""

from __future__ import annotations

import warnings
from io import BytesIO
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from mmpriv_data.core.errors import MmprivError

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"}


class BadImage(MmprivError):
    """An unusable image; `kind` is one of missing, not-an-image, corrupt, too-large."""

    def __init__(self, origin: str, kind: str, detail: str):
        super().__init__(f"{origin}: {detail}")
        self.kind = kind


def load_image(data: bytes | Path, origin: str, max_pixels: int | None = None) -> Image.Image:
    """Open and fully decode an image, or raise BadImage naming `origin` and what is wrong.

    The pixel count is checked from the header before decoding, so a decompression bomb
    costs nothing. `max_pixels` defaults to Pillow's Image.MAX_IMAGE_PIXELS.

    >>> load_image(b"not an image", "x.jpg")
    Traceback (most recent call last):
    ...
    mmpriv_data.files.images.BadImage: x.jpg: not an image file
    """
    limit = max_pixels or Image.MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data) if isinstance(data, bytes) else data)
        if limit and image.width * image.height > limit:
            raise BadImage(
                origin,
                "too-large",
                f"{image.width}x{image.height} pixels exceeds the limit of {limit} "
                "(possible decompression bomb)",
            )
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise BadImage(origin, "too-large", f"possible decompression bomb ({error})") from None
    except FileNotFoundError:
        raise BadImage(origin, "missing", "image file not found") from None
    except UnidentifiedImageError:
        raise BadImage(origin, "not-an-image", "not an image file") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise BadImage(origin, "corrupt", f"corrupt or truncated image ({error})") from None
    return image
