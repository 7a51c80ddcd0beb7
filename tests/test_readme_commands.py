"""Every `mmpriv ...` command line in the README's code blocks parses: the (sub)command exists,
each option is one the command declares, option values are where options need them, and the
command takes that many positional arguments. Nothing runs: click's own parser reads each line,
so a renamed option (`--lora-rank` -> `--lora-r`) or a dropped command fails here, not in a
reader's shell."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer

from mmpriv_data.cli import app as cli_app

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```(\w*)\s*$")


def shell_blocks(readme: str) -> list[tuple[int, list[str]]]:
    """(line number of the first code line, code lines) of every ```bash / ```sh block."""
    blocks, current, language, first = [], None, "", 0
    for number, line in enumerate(readme.splitlines(), start=1):
        fence = FENCE.match(line)
        if fence and current is None:
            current, language, first = [], fence.group(1), number + 1
        elif fence and not fence.group(1):
            if language in ("bash", "sh", "shell", "console"):
                blocks.append((first, current))
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def readme_command_lines(readme: str) -> list[tuple[int, str]]:
    """(README line number, command) for every `mmpriv` command in a shell code block: `\\`
    continuations joined, `a && b` split (`# comments` are dropped by shlex later)."""
    commands = []
    for first, lines in shell_blocks(readme):
        logical, start = "", None
        for offset, line in enumerate(lines):
            start = first + offset if start is None else start
            if line.rstrip().endswith("\\"):
                logical += line.rstrip()[:-1] + " "
                continue
            for part in (logical + line).split("&&"):
                if part.strip().startswith("mmpriv "):
                    commands.append((start, part.strip()))
            logical, start = "", None
    return commands


def root_command():
    cli_app.register_commands()  # every command of the table, as `mmpriv --help` shows them
    return typer.main.get_command(cli_app.app)


def parse_problem(root, words: list[str]) -> str | None:
    """Why `mmpriv WORDS` would not parse, or None. Values are not converted (placeholders such
    as PATH stand for real paths), but options, flags, option values and arguments are."""
    usage_error = cli_app.click_module().exceptions.UsageError
    command, rest = root, list(words)
    while hasattr(command, "commands"):  # a group: the next word names a subcommand
        if not rest or rest[0] not in command.commands:
            return f"no command {rest[:1]} under {command.name}: {sorted(command.commands)}"
        command, rest = command.commands[rest[0]], rest[1:]
    # README shorthand: `[--merge]` marks an optional part; the option inside must still exist.
    rest = [w.strip("[]") for w in rest if w.strip("[]")]
    # A context without running the command's checks; then strict parsing, as a shell run.
    context = command.make_context(command.name, [], resilient_parsing=True)
    context.resilient_parsing = False
    parser = command.make_parser(context)
    try:
        values, extra, _ = parser.parse_args(args=rest)  # arguments fill first; extra is left
    except usage_error as error:
        return error.format_message()
    if extra and not context.allow_extra_args:
        arguments = [p.name for p in command.params if p.param_type_name == "argument"]
        return f"extra positional arguments {extra}: takes {arguments}"
    missing = [
        p.name
        for p in command.params
        if p.param_type_name == "argument" and p.required and values.get(p.name) is None
    ]
    return f"missing argument(s) {missing}" if missing else None


def problems(readme: str) -> list[str]:
    root = root_command()
    found = []
    for line, command in readme_command_lines(readme):
        words = shlex.split(command, comments=True)
        problem = parse_problem(root, words[1:])
        if problem:
            found.append(f"README line {line}: `{command}`: {problem}")
    return found


def every_command(command):
    if hasattr(command, "commands"):
        for sub in command.commands.values():
            yield from every_command(sub)
    else:
        yield command


# Options the README names that belong to other tools: bench scripts, accelerate, torchrun, ruff.
OTHER_TOOLS_OPTIONS = {
    "--baseline": "python bench/scrub.py --baseline REV",
    "--texts": "python bench/memorize_unlearn.py --texts texts.json",
    "--num_processes": "accelerate launch",
    "--nproc_per_node": "torchrun",
    "--check": "ruff format --check",
    "--recount": "python bench/mia_scoring.py --recount FILE",
    "--seeds": "python bench/audit_power.py --seeds 5",
    "--images": "python bench/ray_build.py --images 240",
    "--head": "ray start --head",
    "--port": "ray start --head --port 6379",
}


def unknown_options(readme: str) -> list[str]:
    """Options named anywhere in the README (prose included) that no mmpriv command declares."""
    known = {
        name
        for command in every_command(root_command())
        for param in command.params
        for name in param.opts + param.secondary_opts
    }
    named = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9_-]*)", readme))
    return sorted(named - known - OTHER_TOOLS_OPTIONS.keys())


README = (ROOT / "README.md").read_text()


def test_the_readme_shows_commands_of_every_group():
    groups = {shlex.split(c, comments=True)[1] for _, c in readme_command_lines(README)}
    assert {"build", "audit", "train", "eval", "embed", "scrub", "export"} <= groups


def test_every_readme_command_parses():
    assert problems(README) == []


def test_every_option_the_readme_names_exists():
    assert unknown_options(README) == []
    assert unknown_options(README + "use `--lora-rank 8`") == ["--lora-rank"]


@pytest.mark.parametrize(
    "bad_line, why",
    [
        ("mmpriv train lora --model m --data d --lora-rank 8", "No such option"),
        ("mmpriv train nosuch --model m", "no command"),
        ("mmpriv eval probing --model m --data d --protocol", "requires an argument"),
        ("mmpriv verify hub/a hub/b", "extra positional arguments"),
        ("mmpriv embed photos/", "missing argument"),
    ],
)
def test_a_stale_command_in_a_readme_copy_is_reported(bad_line, why):
    stale = README + f"\n```bash\n{bad_line}\n```\n"
    found = problems(stale)
    assert len(found) == 1 and why in found[0], found
    assert f"line {stale.count(chr(10)) - 1}" in found[0]
