"""The privacy text block is laid out line by line (`embedding._block`); Pillow's multiline
calls would lay it out with the same pixels, which is what this checks."""

import pytest
from PIL import Image, ImageDraw

from mmpriv_data.content.identities import make_user_sets
from mmpriv_data.transforms import embedding
from mmpriv_data.transforms.embedding import BOX_PADDING, LINE_SPACING, EmbedStyle, record_text


def multiline_block(text: str, font_size: int, box: bool, opacity: float):
    """The block as Pillow's multiline_textbbox + multiline_text draw it."""
    font = embedding._font(font_size)
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    left, top, right, bottom = probe.multiline_textbbox(
        (0, 0), text, font=font, spacing=LINE_SPACING
    )
    pad = BOX_PADDING if box else 0
    size = (right - left + 2 * pad, bottom - top + 2 * pad)
    level = max(1, round(255 * opacity))
    ink = Image.new("L", size, 0)
    ImageDraw.Draw(ink).multiline_text(
        (pad - left, pad - top), text, fill=level, font=font, spacing=LINE_SPACING
    )
    return (ink, Image.new("L", size, level)) if box else (ink,)


USERS = [u for users in make_user_sets(1, n_per_set=6).values() for u in users]
TEXTS = [record_text(u, EmbedStyle().fields) for u in USERS] + [
    record_text(USERS[0], ("username", "age")),
    "a",
    "",
    "x\n\ny",
    "gjpqy|Ág\nTop",
    " lead\ntrail ",
    "W" * 90,
]


@pytest.mark.parametrize("text", TEXTS)
def test_block_has_pillows_multiline_pixels(text):
    for font_size in (6, 11, 16, 27):
        for box, opacity in ((False, 0.5), (True, 1.0), (False, 0.13)):
            ours = embedding._block.__wrapped__(text, font_size, box, opacity)
            pillow = multiline_block(text, font_size, box, opacity)
            assert [(m.size, m.tobytes()) for m in ours] == [
                (m.size, m.tobytes()) for m in pillow
            ], (text, font_size, box, opacity)
