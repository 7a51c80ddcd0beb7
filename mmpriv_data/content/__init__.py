"""Content generators: fictitious identities, portraits, profile questions, VQA scenes,
captions, and SPY-Bench's rendered documents, taxonomy and prompts.

May import `core` only.
"""
