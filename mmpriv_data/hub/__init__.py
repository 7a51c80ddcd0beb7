"""The Hub layout: building a dataset into shards and a card, verifying checksums,
the blind audit of member/non-member splits, and publishing a tagged version.

May import every lower stage (`core` to `definitions`) and `builders`.
"""
