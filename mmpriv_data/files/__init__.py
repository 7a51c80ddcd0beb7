"""The user's own files: sources (LLaVA JSON, image folders, datasets), exports to
LLaVA/Qwen/JSONL, `mmpriv embed` over a file tree, `mmpriv scrub` over LLaVA JSON.

May import `core`, `content` and `transforms`.
"""
