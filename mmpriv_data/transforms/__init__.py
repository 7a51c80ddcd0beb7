"""Transforms of generated or user content: the privacy-text overlay (`embedding`),
augmentation, FiMMIA neighbours, and biometric scrubbing (`scrub`).

May import `core` and `content`.
"""
