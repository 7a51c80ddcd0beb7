"""The root `mmpriv` app, the one table of commands, and `main`.

Command modules import torch lazily, inside the command, so that `mmpriv build` never needs
it; this module imports them only when `main` registers the table.
"""

from __future__ import annotations

import importlib
import sys

import typer
from rich.console import Console

from mmpriv_data.core.errors import MmprivError

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Synthetic privacy datasets for multimodal LLMs: build, publish, train, evaluate.",
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

train_app = typer.Typer(
    no_args_is_help=True, help="Thin training recipes (install the train extra)."
)
eval_app = typer.Typer(no_args_is_help=True, help="Evaluators (install the eval extra).")
app.add_typer(train_app, name="train")
app.add_typer(eval_app, name="eval")
GROUPS = {"": app, "train": train_app, "eval": eval_app}

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


def register_commands() -> None:
    for group, name, target in COMMANDS:
        module, _, function = target.partition(":")
        command = getattr(importlib.import_module(f"mmpriv_data.cli.{module}"), function)
        GROUPS[group].command(name)(command)


def main(argv: list[str] | None = None) -> None:
    """Entry point: MmprivError becomes one red line and exit code 2."""
    import datasets

    datasets.logging.set_verbosity_error()
    if not app.registered_commands:
        register_commands()
    try:
        app(args=argv)
    except MmprivError as error:
        err.print(f"[red]error:[/] {error}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("[red]interrupted[/]: nothing partial was left behind")
        sys.exit(130)


if __name__ == "__main__":
    main()
