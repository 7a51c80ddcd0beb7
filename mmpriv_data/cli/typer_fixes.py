"""Two changes to typer 0.29, applied before the command line is read (`register_commands`):
help as users read it (`plain_help`), and values converted without pydantic where its result
is known (`light_coercion`). Each checks that the typer part it changes is there.
"""

from __future__ import annotations

import os
import re
from functools import partial
from pathlib import Path


def plain_help() -> None:
    """Help as users read it: flags without a `<bool>` value, usage naming the arguments
    (`INPUT OUTPUT`, not `{source} {output}`). typer 0.29 renders both otherwise."""
    from typer.core import TyperArgument, TyperOption

    if hasattr(TyperOption, "display_type_rich"):
        typed = TyperOption.display_type_rich

        def display_type_rich(self, ctx):
            return None if self.is_flag else typed(self, ctx)

        TyperOption.display_type_rich = display_type_rich
    if isinstance(getattr(TyperArgument, "display_name_raw", None), property):
        named = TyperArgument.display_name_raw.fget
        # Upper case in the usage line, the arguments panel and "Missing argument" alike.
        TyperArgument.display_name_raw = property(lambda self: named(self).upper())
    if hasattr(TyperArgument, "_usage_display_name"):

        def usage_name(self) -> str:
            name = self.display_name_raw
            name = name if self.required else f"[{name}]"
            return name + ("..." if self.nargs != 1 else "")

        TyperArgument._usage_display_name = usage_name


# Command-line strings taken without pydantic (`light_coercion`): those whose conversion by
# int()/float() is the one pydantic makes (no '+', leading zero, '_', exponent, inf or space).
INT_TEXT = re.compile(r"-?(0|[1-9][0-9]{0,17})")
FLOAT_TEXT = re.compile(r"-?(0|[1-9][0-9]{0,17})(\.[0-9]{1,17})?")
NOT_LIGHT = object()


def light_value(kind: type | None, value):
    """`value` as typer's pydantic coercion would give it for a `kind` parameter, or NOT_LIGHT
    where that coercion may differ (it then decides, errors included)."""
    if kind in (str, int, float, bool) and type(value) is kind:
        return value
    text = value if type(value) is str else None
    if kind is int and text is not None and INT_TEXT.fullmatch(text):
        return int(text)
    if kind is float and text is not None and FLOAT_TEXT.fullmatch(text):
        return float(text)
    if kind is Path and (isinstance(value, Path) or (text and "\0" not in text)):
        path = value if isinstance(value, Path) else Path(text)
        try:
            os.stat(path)
        except OSError:
            return path  # typer's path check: a missing path is fine without `exists`
        return path if os.access(path, os.R_OK) else NOT_LIGHT  # unreadable: typer's error
    return NOT_LIGHT


def light_kind(descriptor) -> type | None:
    """str, int, float, bool or Path for a parameter that typer checks no further (no parser,
    range, path option); None otherwise."""
    info, kind = descriptor.parameter_info, descriptor.annotation
    if info.parser is not None or info.min is not None or info.max is not None:
        return None
    if kind in (str, int, float, bool):
        return kind
    path_options = (info.exists, info.writable, info.resolve_path, info.allow_dash)
    plain_path = info.file_okay and info.dir_okay and info.readable and info.path_type is None
    return Path if kind is Path and plain_path and not any(path_options) else None


class LightParam:
    """typer's runtime coercion of one parameter, built on the first value it cannot take
    (typer builds it before looking at the value, even for None)."""

    def __init__(self, kind: type | None, build):
        self.kind, self.build, self.typer = kind, build, None

    def coerce(self, value, param, ctx):
        multi = param.multiple or param.nargs == -1
        if value is None:  # typer's coercion, for every type
            return () if multi else None
        one = not multi and param.nargs == 1
        taken = light_value(self.kind, value) if one else NOT_LIGHT
        if taken is not NOT_LIGHT:
            return taken
        self.typer = self.typer or self.build()
        return self.typer.coerce(value, param=param, ctx=ctx)


def light_coercion() -> None:
    """typer 0.29 converts every value, defaults included, through a pydantic TypeAdapter built
    per parameter: importing pydantic and building `mmpriv embed`'s 14 was 50-60 ms of each
    run. None, and values of a plain str, int, float, bool or Path parameter, are converted
    here as typer converts them (the same results: tests/test_cli_startup.py); anything else
    still goes to typer."""
    from typer import _coercion, core

    parameter = getattr(core, "_TyperParameter", None)
    if not hasattr(_coercion, "build_runtime_param") or not hasattr(parameter, "get_runtime_param"):
        return  # another typer: its own coercion, unchanged
    if hasattr(parameter, "light"):
        return

    def get_runtime_param(self):
        if self._runtime_param is None:
            build = partial(_coercion.build_runtime_param, self.type_descriptor)
            self._runtime_param = LightParam(light_kind(self.type_descriptor), build)
        return self._runtime_param

    parameter.get_runtime_param = get_runtime_param
    parameter.light = True
