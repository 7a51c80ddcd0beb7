"""`mmpriv eval mia`: membership-inference attacks (evaluators/mia/run.py).

mmpriv eval mia --model FINETUNED --data DIR/mia-neighbors --out OUT
mmpriv eval mia --model FINETUNED --base-model BASE --data DIR/mia-neighbors --out OUT
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from evaluators.mia.run import run_mia
from mmpriv_data.cli.app import QuietOption, err, out


def eval_mia(
    model: Annotated[Path, typer.Option(help="The finetuned (target) model folder.")],
    data: Annotated[Path, typer.Option(help="A built DIR/mia-neighbors folder.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for scores, metrics, ROC.")],
    attacks: Annotated[
        str, typer.Option(help="Comma list: loss,zlib,min_k,min_k_pp,neighborhood,ref,fimmia.")
    ] = "",
    ref_model: Annotated[
        Path | None, typer.Option(help="Reference model for the `ref` attack.")
    ] = None,
    base_model: Annotated[
        Path | None, typer.Option(help="Base model: switches to the model-level setting.")
    ] = None,
    embedder: Annotated[str, typer.Option(help="Text embedder for fimmia (default MiniLM).")] = "",
    batch_tokens: Annotated[int, typer.Option(help="Token budget of one batch.")] = 16384,
    max_samples: Annotated[int, typer.Option(help="Use the first N members/non-members.")] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap and the learned attack.")] = 0,
    quiet: QuietOption = False,
) -> None:
    """Run membership-inference attacks; write per-sample scores, metrics and a ROC plot."""
    from rich.table import Table

    metrics = run_mia(
        model, data, out_dir, attacks=attacks, ref_model=ref_model, base_model=base_model,
        embedder=embedder, batch_tokens=batch_tokens, max_samples=max_samples, seed=seed,
        console=err, quiet=quiet,
    )  # fmt: skip
    table = Table(title=f"MIA ({metrics['setting']}, {metrics['entries']} entries)")
    for column in ("attack", "AUC", "95% CI", "TPR@0.1%", "TPR@1%", "TPR@5%"):
        table.add_column(column, justify="left" if column == "attack" else "right")
    for name, m in metrics["attacks"].items():
        ci, tpr = m["auc_ci"], m["tpr_at_fpr"]
        table.add_row(
            name, f"{m['auc']:.3f}", f"[{ci['low']:.3f}, {ci['high']:.3f}]",
            f"{tpr['0.001']:.3f}", f"{tpr['0.01']:.3f}", f"{tpr['0.05']:.3f}",
        )  # fmt: skip
    out.print(table)
    out.print(f"wrote {out_dir}/scores.parquet, metrics.json, roc.png")
