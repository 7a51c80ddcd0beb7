"""`mmpriv eval spy`: greedy replies of an image-text model on `spy-instructions`, scored
without a judge (evaluators/spy_run.py), reported overall and per category.

    mmpriv eval spy --model PATH --data DIR/spy-instructions --config bench --out spy.json
"""

from pathlib import Path
from typing import Annotated

import typer

from evaluators.spy_run import JudgeModel, generate_replies, report, score_rows
from mmpriv_data.cli.app import QuietOption


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def print_table(result: dict, title: str) -> None:
    from rich.table import Table

    from mmpriv_data.cli.app import out as console

    columns = ("accuracy", "ics_without_scenario", "ics_with_scenario", "rta", "ata")
    table = Table(title=title)
    for name in ("category", "acc", "ICS", "ICS+sc", "RTA", "ATA", "HMS", "priv", "leak"):
        table.add_column(name, justify="left" if name == "category" else "right")
    for name, m in [("overall", result["overall"]), *result["by_category"].items()]:
        scores = [_fmt(m[c]["score"]) for c in columns]
        leak = _fmt(m.get("leak_rate", {}).get("score"))
        table.add_row(name, *scores, _fmt(m["hms"]), _fmt(m["privacy_score"]), leak)
    console.print(table)


def spy(
    model: Annotated[str, typer.Option(help="Image-text model folder or id (from_pretrained).")],
    data: Annotated[str, typer.Option(help="DIR/spy-instructions (a built folder) or Hub id.")],
    config: Annotated[
        str, typer.Option(help="bench (split test) or tune (split train).")
    ] = "bench",
    out: Annotated[Path | None, typer.Option(help="Write the JSON report here.")] = None,
    judge_path: Annotated[
        str | None, typer.Option("--judge", help="Optional causal-LM judge for refusals.")
    ] = None,
    max_new_tokens: Annotated[int, typer.Option(help="Reply length limit.")] = 64,
    batch_size: Annotated[int, typer.Option(help="Rows per generate call.")] = 8,
    limit: Annotated[int | None, typer.Option(help="Score only the first N rows.")] = None,
    split: Annotated[
        str, typer.Option(help="Split (default: test for bench, train for tune).")
    ] = "",
    quiet: QuietOption = False,
) -> None:
    """Score a model on SPY-style instructions: accuracy, ICS, RTA, ATA, HMS, privacy score."""
    from mmpriv_data.cli.app import out as console
    from mmpriv_data.cli.app import progress_bar
    from mmpriv_data.cli.eval_qa import check_counts, write_json
    from mmpriv_data.core.atomic import check_file_target
    from mmpriv_data.core.errors import MmprivError
    from trainers.data import load_rows

    if config not in ("bench", "tune"):
        raise MmprivError(f"--config {config}: expected bench or tune (pairs holds no rows to ask)")
    check_counts(batch_size=batch_size, max_new_tokens=max_new_tokens, limit=limit)
    if out is not None:
        check_file_target(out, "eval spy", "--out")
    rows = load_rows(data, config, split=split or ("test" if config == "bench" else "train"))
    if limit is not None:
        rows = (
            rows.select(range(min(limit, len(rows)))) if hasattr(rows, "select") else rows[:limit]
        )
    bar, advance = progress_bar("replying", total=len(rows), quiet=quiet)
    with bar:
        replies = generate_replies(
            model, rows, max_new_tokens=max_new_tokens, batch_size=batch_size, progress=advance
        )
    records = score_rows(rows, replies, JudgeModel(judge_path) if judge_path else None)
    result = {"model": str(model), "data": data, "config": config, **report(records)}
    print_table(result, f"SPY scores of {model} on {data}:{config} ({len(records)} rows)")
    if out is not None:
        write_json({**result, "records": records}, out, "eval spy")
        console.print(f"wrote {out}")
