"""The `mmpriv` command line: `app` holds the root app and the one table of command
modules, `typer_fixes` its changes to typer; every other module here is one command group.

The top stage: may import everything, including `trainers` and `evaluators` (lazily, inside
commands, so that `mmpriv build` never needs torch).
"""
