"""The root `mmpriv` app, the one table of commands, and `main`.

Command modules import torch lazily, inside the command, so that `mmpriv build` never needs
it; this module imports them only when `main` registers the table.
"""

from __future__ import annotations

import gc
import importlib
import os
import re
import sys
import warnings
from typing import Annotated

import typer

from mmpriv_data.cli.typer_fixes import light_coercion, plain_help
from mmpriv_data.core.errors import MmprivError

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Synthetic privacy datasets for multimodal LLMs: build, publish, train, evaluate.",
)
train_app = typer.Typer(
    no_args_is_help=True, help="Thin training recipes (install the train extra)."
)
eval_app = typer.Typer(no_args_is_help=True, help="Evaluators (install the eval extra).")
app.add_typer(train_app, name="train")
app.add_typer(eval_app, name="eval")
GROUPS = {"": app, "train": train_app, "eval": eval_app}

# Options that several command groups take, declared once.
EngineOption = Annotated[
    str, typer.Option(help="local (this machine) or ray (a Ray cluster; the ray extra).")
]
AddressOption = Annotated[
    str | None, typer.Option(help="Ray cluster address, HEAD:6379 (default: start one here).")
]
QuietOption = Annotated[bool, typer.Option("--quiet", help="No progress bar.")]

# Every command, in `mmpriv --help` order: (group, command name, module:function), the module
# being one command group under mmpriv_data/cli/.
COMMANDS: list[tuple[str, str, str]] = [
    ("", "build", "hub:build"),
    ("", "list", "hub:list_datasets"),
    ("", "info", "hub:info"),
    ("", "verify", "hub:verify"),
    ("", "publish", "hub:publish"),
    ("", "audit", "hub:audit"),
    ("", "embed", "files:embed"),
    ("", "export", "files:export"),
    ("", "scrub", "scrub:scrub"),
    ("", "tiny-model", "train:tiny_model"),
    ("train", "lora", "train:train_lora_command"),
    ("train", "unlearn", "train:train_unlearn_command"),
    ("train", "preference", "train:preference"),
    ("eval", "qa", "eval_qa:qa"),
    ("eval", "probing", "eval_probing:probing"),
    ("eval", "leakage", "eval_probing:leakage"),
    ("eval", "legibility", "eval_legibility:legibility"),
    ("eval", "spy", "eval_spy:spy"),
    ("eval", "prism", "eval_prism:prism"),
    ("eval", "mia", "eval_mia:eval_mia"),
]


# The rich consoles are made on first use: importing rich.console and setting one up is 15-20 ms
# that a command piped to a log, as the bench's `mmpriv embed`, need not pay for its one line.
def rich_console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, soft_wrap=True)


def __getattr__(name: str):
    if name == "err":  # `from mmpriv_data.cli.app import err`, or `err_console()`, makes it
        globals()["err"] = rich_console(stderr=True)
        return globals()["err"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def err_console():
    """`err`, the rich console on stderr (made on first use; one set here by a test is used)."""
    return globals().get("err") or __getattr__("err")


def surely_not_terminal(stream) -> bool:
    """What rich's `is_terminal` says without asking it: False for a stream that is not a tty
    unless TTY_COMPATIBLE=1 or FORCE_COLOR is set (rich's overrides)."""
    forced = os.environ.get("TTY_COMPATIBLE") == "1" or os.environ.get("FORCE_COLOR")
    isatty = getattr(stream, "isatty", None)
    return not forced and not (isatty and isatty())


# What rich writes unchanged where there are no colours: printable ASCII without markup ('[',
# and '\\' which escapes it) and without emoji codes (':name:'); its highlighting only colours.
PLAIN = re.compile(r"[ -Z\]-~]*")
EMOJI_CODE = re.compile(r":\S*:")


class Out:
    """`out`: stdout's rich console, made on first use. One plain string printed to a stream
    that is not a terminal is written directly, as rich would write it."""

    rich = None

    def print(self, *objects, **options) -> None:
        text = objects[0] if len(objects) == 1 and not options else None
        plain = isinstance(text, str) and PLAIN.fullmatch(text) and not EMOJI_CODE.search(text)
        if plain and self.rich is None and surely_not_terminal(sys.stdout):
            sys.stdout.write(text + "\n")
        else:
            self.console().print(*objects, **options)

    def console(self):
        if self.rich is None:
            self.rich = rich_console()
        return self.rich

    def __getattr__(self, name: str):  # everything but `print`: rich's
        return getattr(self.console(), name)


out = Out()


def progress_bar(what: str, total: int | None = None, quiet: bool = False):
    """(context manager, advance(n, total=None)): a transient rich bar on stderr with count and
    ETA, or nothing at all with `--quiet`. A `total` learnt later is passed to `advance`."""
    from contextlib import nullcontext

    # Piped to a log: no bar, no blank line left behind (and rich not imported to see that).
    if quiet or ("err" not in globals() and surely_not_terminal(sys.stderr)):
        return nullcontext(), lambda n=1, total=None: None
    err = err_console()
    if not err.is_terminal:
        return nullcontext(), lambda n=1, total=None: None
    # Imported only for a bar: rich.progress is about 10 ms of every command's start-up.
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TimeRemainingColumn,
    )

    columns = (*Progress.get_default_columns()[:1], BarColumn(), MofNCompleteColumn())
    bar = Progress(*columns, TaskProgressColumn(), TimeRemainingColumn(), console=err,
                   transient=True)  # fmt: skip
    task = bar.add_task(what, total=total)

    def advance(n: int = 1, total: int | None = None) -> None:
        bar.update(task, advance=n, total=total or bar.tasks[0].total)

    return bar, advance


def show_version(value: bool) -> None:
    if value:
        from mmpriv_data import __version__

        out.print(f"mmpriv {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=show_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Synthetic privacy datasets for multimodal LLMs: build, publish, train, evaluate."""


# Commands whose numpy never reaches BLAS (seeded streams, small arrays). OpenBLAS starts a
# thread per core when numpy is imported, and they spin on the cores that the command's own
# threads need: 40-60 ms of CPU per `mmpriv embed` (185 against 227 ms with no images).
NO_BLAS_THREADS = {("", "embed")}
# Commands whose run is mostly start-up, and the modules they import (lazily, in the command).
# Imported here with the cyclic collector paused, then frozen: what they make lives until
# exit, and the collector, run 33 times while they were made (10K objects), freed 11 objects
# in 5-6 ms of every `mmpriv embed`; later collections no longer walk them (28K) either.
START_UP_MODULES = {("", "embed"): ("mmpriv_data.files.embed_files",)}


def named_command(argv: list[str]) -> tuple[str, str] | None:
    """The (group, name) that `argv` runs, if it names one command of the table."""
    words = [w for w in argv if not w.startswith("-")][:2]
    for group, name, _ in COMMANDS:
        if words[: 2 if group else 1] == ([group, name] if group else [name]):
            return group, name
    return None


def register_commands(argv: list[str] | None = None) -> None:
    """Register the command `argv` names, or all of them (help, or no command named).

    Importing one command module, not all, keeps start-up light: the evaluators' modules
    pull in `datasets` and friends, seconds before a mistyped path could even be reported."""
    plain_help()
    light_coercion()
    for typer_app in GROUPS.values():
        typer_app.registered_commands.clear()
    wanted = named_command(argv or [])
    if wanted is None and (argv or [""])[0] == "--version":
        return  # nothing to import for the version
    for group, name, target in COMMANDS:
        if wanted is not None and wanted != (group, name):
            continue
        module, _, function = target.partition(":")
        command = getattr(importlib.import_module(f"mmpriv_data.cli.{module}"), function)
        GROUPS[group].command(name)(command)


def click_module():
    """The click that typer runs on: typer 0.29 vendors its own as `typer._click`."""
    try:
        import typer._click as vendored
    except ImportError:
        import click

        return click
    return vendored


REMOTE_ERROR = re.compile(r"^mmpriv_data\.core\.errors\.MmprivError: (.+)$", re.MULTILINE)


def mmpriv_cause(error: BaseException) -> MmprivError | None:
    """The MmprivError an exception was raised from, however deep, or None."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, MmprivError):
            return error
        # A worker process's exception comes back with its traceback as text only
        # (multiprocess' RemoteTraceback): our error is its line `...MmprivError: message`.
        found = REMOTE_ERROR.findall(str(getattr(error, "tb", "")))
        if found:
            return MmprivError(found[-1])
        seen.add(id(error))
        error = error.__cause__  # raised "from" it; not an error met while handling it
    return None


def main(argv: list[str] | None = None) -> None:
    """Entry point: an MmprivError or a usage mistake becomes one red line and exit code 2."""
    try:
        run(argv, whole_process=argv is None)
    finally:
        if argv is None:  # the process ends here (console script, `python -m`), not a test
            # Interpreter shutdown runs the cyclic collector over every object left: Faker's
            # name tables, numpy, typer. Frozen, they are skipped (still freed by their
            # reference counts; atexit handlers still run): 60-100 ms less per `mmpriv embed`.
            gc.freeze()


def import_paused(modules: tuple[str, ...]) -> None:
    """Import `modules` with the cyclic collector paused, then freeze what is alive."""
    if not modules or not gc.isenabled():
        return
    gc.disable()
    try:
        for module in modules:
            importlib.import_module(module)
    finally:
        gc.freeze()
        gc.enable()


def run(argv: list[str] | None = None, whole_process: bool = False) -> None:
    """`main` without its exit: the command line, errors and exit codes. `whole_process`: the
    process ends with the command (its modules may be frozen, as `main` does at exit)."""
    click = click_module()
    argv = sys.argv[1:] if argv is None else list(argv)
    wanted = named_command(argv)
    if wanted in NO_BLAS_THREADS:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # read when numpy is imported
    # datasets' info logs are noise here; set without importing it (seconds of start-up).
    os.environ.setdefault("DATASETS_VERBOSITY", "error")
    if "datasets" in sys.modules:
        sys.modules["datasets"].logging.set_verbosity_error()
    # peft reads transformers' deprecated `is_gradient_checkpointing` whenever it wraps or
    # loads an adapter: a warning about peft's code, printed on every training run.
    warnings.filterwarnings("ignore", "`is_gradient_checkpointing`", FutureWarning)
    register_commands(argv)
    if whole_process and "--help" not in argv:
        import_paused(START_UP_MODULES.get(wanted, ()))
    command = typer.main.get_command(app)
    try:
        # Without standalone mode click returns a command's `typer.Exit(code)` as a value.
        result = command.main(args=argv, prog_name="mmpriv", standalone_mode=False)
    except MmprivError as error:
        err_console().print(f"[red]error:[/] {error}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except click.exceptions.NoArgsIsHelpError as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.UsageError as error:  # an unknown option, a bad value...
        path = error.ctx.command_path.split()[1:] if error.ctx else []
        where = f" ({' '.join(['mmpriv', *path, '--help'])})"
        message = error.format_message().replace("\n", " ")
        err_console().print(f"[red]error:[/] {message}{where}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        err_console().print("[red]interrupted[/]: nothing partial was left behind")
        sys.exit(130)
    except Exception as error:
        # datasets wraps what a generator raises (DatasetGenerationError, from a worker
        # process too): our own error inside it is still the user's one line.
        cause = mmpriv_cause(error)
        if cause is None:
            raise
        err_console().print(f"[red]error:[/] {cause}", highlight=False, soft_wrap=True)
        sys.exit(2)
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()
