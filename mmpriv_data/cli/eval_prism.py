"""`mmpriv eval prism`: PRISM-style refusal, implicit leakage and over-refusal of a model.

    mmpriv eval prism --model PATH --data DIR/scrubbed-captions --out prism_report.json

Answers are generated greedily by a transformers image-text model; torch and transformers are
imported inside the command only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from evaluators.prism import evaluate
from mmpriv_data.cli.app import QuietOption
from mmpriv_data.definitions.prism import ATTRIBUTES, CONFIGS


def _pct(value) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def report_table(report: dict):
    from rich.table import Table

    metrics = report["metrics"]
    table = Table(title=f"PRISM of {report['model']} (% of answers)")
    for column in ("attribute", "soft refusal", "hard refusal", "implicit leakage"):
        table.add_column(column, justify="left" if column == "attribute" else "right")
    for attribute in (*ATTRIBUTES, "all"):
        key = "any" if attribute == "all" else attribute
        table.add_row(
            attribute,
            _pct(metrics.get("soft", {}).get("refusal_rate", {}).get(attribute)),
            _pct(metrics.get("hard", {}).get("refusal_rate", {}).get(attribute)),
            _pct(metrics.get("implicit", {}).get("leakage", {}).get(key)),
        )
    implicit, control = metrics.get("implicit", {}), metrics.get("control", {})
    table.caption = (
        f"refused open descriptions: {_pct(implicit.get('refusal_rate'))}  "
        f"over-refusal on control questions: {_pct(control.get('over_refusal'))}  "
        f"control accuracy: {_pct(control.get('accuracy'))}"
    )
    return table


def prism(
    model: Annotated[str, typer.Option(help="Image-text model folder or Hub id.")],
    data: Annotated[str, typer.Option(help="A scrubbed-captions dataset: folder or Hub id.")],
    out: Annotated[Path, typer.Option(help="JSON report path.")] = Path("prism_report.json"),
    configs: Annotated[str, typer.Option(help="Comma-separated PRISM configs.")] = ",".join(
        CONFIGS
    ),
    judge: Annotated[
        str | None, typer.Option(help="A local causal LM judging implicit leakage.")
    ] = None,
    limit: Annotated[int, typer.Option(help="Only the first N portraits (0: all).")] = 0,
    batch_size: Annotated[int, typer.Option(help="Prompts per generate() call.")] = 8,
    split: Annotated[str, typer.Option(help="Split of each config.")] = "test",
    quiet: QuietOption = False,
) -> None:
    """Refusal rate (soft, hard) and implicit leakage per attribute, and over-refusal."""
    from mmpriv_data.cli.app import err, progress_bar
    from mmpriv_data.cli.app import out as console
    from mmpriv_data.cli.eval_qa import check_counts, write_json
    from mmpriv_data.core.atomic import check_file_target
    from mmpriv_data.core.errors import MmprivError

    chosen = [c.strip() for c in configs.split(",") if c.strip()]
    for config in chosen:
        if config not in CONFIGS:
            raise MmprivError(f"--configs {config}: not a PRISM config ({', '.join(CONFIGS)})")
    check_counts(batch_size=batch_size, limit=limit)
    check_file_target(out, "eval prism", "--out")
    bar, advance = progress_bar("answering", quiet=quiet)
    with bar:
        report = evaluate(model, data, configs=chosen, limit=limit, batch_size=batch_size,
                          judge_path=judge, progress=advance, split=split)  # fmt: skip
    write_json(report, out, "eval prism")
    console.print(report_table(report))
    err.print(f"report written to {out}")
