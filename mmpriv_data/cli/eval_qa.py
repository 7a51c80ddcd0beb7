"""`mmpriv eval qa`: MLLMU-Bench-style QA scores of a model on profiles configs, JSON + table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mmpriv_data.cli.app import QuietOption
from mmpriv_data.core.atomic import atomic_file, check_file_target, json_report
from mmpriv_data.core.errors import MmprivError

METRIC_COLUMNS = ("accuracy", "choice_accuracy", "rouge1", "rouge2", "rougeL")
HEADERS = {"accuracy": "acc", "choice_accuracy": "choice", "rouge1": "R-1", "rouge2": "R-2"}
HEADERS |= {"rougeL": "R-L", "modality": "input", "generation": "gen"}


def write_json(report: dict, path: Path, kind: str = "eval qa") -> None:
    """Write atomically: a temp file in the same folder, then rename (never over a file
    mmpriv did not write)."""
    with atomic_file(path, kind) as staging:
        staging.write_text(json_report(report, kind))


def check_counts(**counts: int | None) -> None:
    """--batch-size at least 1; --limit, --max-new-tokens and the like not negative."""
    for name, value in counts.items():
        low = 1 if name in ("batch_size", "max_new_tokens") else 0
        if value is not None and value < low:
            option = "--" + name.replace("_", "-")
            raise MmprivError(f"{option} {value}: expected at least {low}")


def report_table(report: dict):
    from rich.table import Table

    table = Table(title=f"QA of {report['model']} on {report['data']}")
    for column in ("config", "task", "modality", "n", *METRIC_COLUMNS):
        justify = "left" if column in ("config", "task", "modality") else "right"
        table.add_column(HEADERS.get(column, column), justify=justify, no_wrap=True)
    for config, scores in report["configs"].items():
        for task, by_mode in scores["aggregate"].items():
            for mode, metrics in by_mode.items():
                values = [f"{metrics[c]:.3f}" if c in metrics else "" for c in METRIC_COLUMNS]
                mode = "image" if mode == "image+text" else mode
                table.add_row(config, HEADERS.get(task, task), mode, str(metrics["n"]), *values)
    return table


def qa(
    model: Annotated[str, typer.Option(help="Model folder (merged or adapter) or Hub id.")],
    data: Annotated[str, typer.Option(help="A profiles dataset: folder or Hub id.")],
    config: Annotated[str, typer.Option(help="One config, e.g. forget_10.")] = "",
    configs: Annotated[
        str, typer.Option(help="Several, comma-separated: forget_10,retain_90,test.")
    ] = "",
    tasks: Annotated[
        str, typer.Option(help="Comma-separated subset of mcq,cloze,generation.")
    ] = "mcq,cloze,generation",
    out: Annotated[Path, typer.Option(help="JSON report path.")] = Path("qa_report.json"),
    batch_size: Annotated[int, typer.Option(help="Questions per generate() call.")] = 16,
    limit: Annotated[
        int, typer.Option(help="Only the first N people of each config (0: all).")
    ] = 0,
    bf16: Annotated[bool, typer.Option(help="Load the model in bfloat16.")] = False,
    split: Annotated[
        str, typer.Option(help="Split of each config (default: train, or its only split).")
    ] = "",
    quiet: QuietOption = False,
) -> None:
    """Score multiple choice, cloze and generation answers, image+text and text-only apart."""
    from evaluators.qa import evaluate_qa
    from mmpriv_data.cli.app import err, progress_bar
    from mmpriv_data.cli.app import out as console

    names = [c.strip() for c in (configs or config).split(",") if c.strip()]
    if not names:
        raise MmprivError("give --config C or --configs A,B,C")
    check_counts(batch_size=batch_size, limit=limit)
    check_file_target(out, "eval qa", "--out")
    bar, advance = progress_bar("answering", quiet=quiet)
    with bar:
        report = evaluate_qa(
            model,
            data,
            names,
            tasks=[t.strip() for t in tasks.split(",") if t.strip()],
            batch_size=batch_size,
            limit=limit or None,
            bf16=bf16,
            split=split or None,
            progress=advance,
        )
    write_json(report, out)
    console.print(report_table(report))
    err.print(f"report written to {out}")
