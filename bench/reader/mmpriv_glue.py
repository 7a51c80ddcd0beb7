"""Every mmpriv import of the reader bench, in one place (the package layout moves: issue 13).

The device has no `datasets`, so the overlay functions (which need only Pillow, numpy and
Faker, carried as a wheel) are imported apart from the dataset definitions, which only the
CPU-side `prepare_data` needs.
"""

from __future__ import annotations

from mmpriv_data.transforms.embedding import EmbedStyle, apply, get_params, record_text

__all__ = ["EmbedStyle", "apply", "get_params", "record_text", "dataset_api"]


def dataset_api():
    """(privacy_images module, make_user_record): CPU side only (imports `datasets`)."""
    from mmpriv_data.content.identities import make_user_record
    from mmpriv_data.definitions import privacy_images

    return privacy_images, make_user_record
