"""Biometric scrubbing of captions (Safe-LLaVA style), rule-based and fast.

>>> from mmpriv_data.transforms.scrub import scrub
>>> scrub("An older woman is sitting on a bench.").text
'A person is sitting on a bench.'
"""

from mmpriv_data.transforms.scrub.lexicon import ATTRIBUTES, BIOMETRIC_REFUSAL
from mmpriv_data.transforms.scrub.rewrite import (
    ScrubResult,
    apply_changes,
    resolve_attributes,
    scrub,
)

__all__ = [
    "ATTRIBUTES",
    "BIOMETRIC_REFUSAL",
    "ScrubResult",
    "apply_changes",
    "resolve_attributes",
    "scrub",
]
