"""`mmpriv scrub INPUT OUTPUT`: remove biometric attributes from LLaVA conversation files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def scrub(
    source: Annotated[
        Path,
        typer.Argument(metavar="INPUT", help="LLaVA conversations: .json array or .jsonl."),
    ],
    output: Annotated[Path, typer.Argument(help="Scrubbed copy, same format as its suffix.")],
    attributes: Annotated[
        str,
        typer.Option(help="Comma-separated: gender,age,race,eye_color,hair_color,build or all."),
    ] = "all",
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Skip malformed records and count them.")
    ] = False,
    rewriter: Annotated[
        Path | None,
        typer.Option(help="A local causal LM folder that rewrites each turn before the rules."),
    ] = None,
    report: Annotated[
        Path | None, typer.Option(help="Report JSON (default: OUTPUT.report.json).")
    ] = None,
    num_proc: Annotated[int, typer.Option(help="Worker processes (rules only).")] = 1,
    tagger: Annotated[
        str,
        typer.Option(
            help="default (rules and spelling tagger), minilm (adds a contextual tagger) or "
            "learned (adds a fine-tuned token classifier that deletes what the rules leave: "
            "the highest recall); both are slower and need pip install 'mmpriv[eval]'."
        ),
    ] = "default",
) -> None:
    """Scrub every turn of INPUT into OUTPUT and write a report (changes per attribute)."""
    import json

    from rich.progress import Progress
    from rich.table import Table

    from mmpriv_data.cli.app import err, out
    from mmpriv_data.core.errors import MmprivError
    from mmpriv_data.files.scrub_files import (
        ModelRewriter,
        check_scrub_paths,
        default_report_path,
        scrub_file,
    )
    from mmpriv_data.transforms.scrub.rewrite import resolve_attributes

    # Every option and path is checked before a model loads or a byte is written.
    enabled = resolve_attributes(attributes)
    if num_proc < 1:
        raise MmprivError(f"--num-proc {num_proc}: expected at least 1")
    report_path = report or default_report_path(output)
    check_scrub_paths(source, output, report_path)
    model = ModelRewriter(rewriter) if rewriter is not None else None
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("scrubbing", total=None)
        result = scrub_file(
            source,
            output,
            attributes=enabled,
            skip_bad=skip_bad,
            rewriter=model,
            report_path=report_path,
            num_proc=num_proc,
            tagger=tagger,
            progress=lambda n: progress.advance(task, n),
        )
    table = Table(title=f"scrubbed {result['records']} records ({result['turns']} turns)")
    table.add_column("attribute")
    table.add_column("changes", justify="right")
    for attribute, count in result["changes_per_attribute"].items():
        table.add_row(attribute, str(count))
    out.print(table)
    out.print(
        f"{result['samples_changed']} samples changed, {result['skipped']} skipped; "
        f"wrote {output} and {report_path}"
    )
    if result["skipped"]:
        err.print("skipped: " + json.dumps(result["skipped_examples"][:5]))
