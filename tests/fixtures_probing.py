"""Shared by the probing and legibility tests (the `probe_set` fixture is in conftest.py)."""

from __future__ import annotations

from mmpriv_data.cli.app import main


def run_cli(args: list[str]) -> int:
    """`mmpriv ARGS` in-process; its exit code."""
    try:
        main(args)
    except SystemExit as stop:
        return int(stop.code or 0)
    return 0
