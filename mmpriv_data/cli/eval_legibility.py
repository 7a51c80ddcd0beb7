"""`mmpriv eval legibility`: can an OCR engine read the drawn text at a model's input size?

    mmpriv eval legibility mmpriv-hub/privacy-images --resize 224 --resize 336 --resize 448
    mmpriv eval legibility mmpriv-hub/privacy-images --config rate_0 --out clean.json

Needs the `ocr` extra (rapidocr-onnxruntime, whose PP-OCR weights ship in the wheel); without
it the command stops with one line saying how to install it, before reading any data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

KIND = "eval legibility"


def legibility(
    data: Annotated[str, typer.Argument(help="A privacy-images or augmented folder (or Hub id).")],
    config: Annotated[str, typer.Option(help="Config to read.")] = "probe",
    resize: Annotated[
        list[int],
        typer.Option(help="Model input size in px, size x size (repeatable; 0: as stored)."),
    ] = [336],  # noqa: B006 - typer reads the default, never mutates it
    fit: Annotated[
        str, typer.Option(help="squash (straight to a square) or pad (to a square first).")
    ] = "squash",
    fields: Annotated[
        str, typer.Option(help="Comma-separated fields (default: all embedded).")
    ] = "",
    control_config: Annotated[
        str | None, typer.Option(help="Also read this config's images without text (rate_0).")
    ] = None,
    split: Annotated[
        str | None, typer.Option(help="Split (default: the config's only one).")
    ] = None,
    limit: Annotated[int, typer.Option(help="Use only the first N rows (0: all).")] = 0,
    threads: Annotated[int, typer.Option(help="OCR threads (0: all cores).")] = 0,
    out: Annotated[Path, typer.Option(help="The JSON report.")] = Path("legibility.json"),
) -> None:
    """OCR the embedded images at each --resize; read rates per field, exact and up to format."""
    from evaluators.legibility import FITS, evaluate_legibility, load_ocr_engine, styles_of
    from evaluators.probing import write_json
    from mmpriv_data.cli.app import out as console
    from mmpriv_data.cli.eval_probing import _progress, load_samples
    from mmpriv_data.core.atomic import check_file_target
    from mmpriv_data.core.errors import MmprivError

    if fit not in FITS:
        raise MmprivError(f"--fit {fit!r}: one of {', '.join(FITS)}")
    if any(size < 0 or size > 4096 for size in resize):
        raise MmprivError(f"--resize {resize}: sizes in px within 0..4096 (0: as stored)")
    check_file_target(out, KIND, "--out")
    engine = load_ocr_engine(threads)  # the missing-extra error comes before any data is read
    samples = load_samples(data, config, split, limit)
    if control_config and control_config != config:
        control = load_samples(data, control_config, limit=limit or len(samples))
        samples += [s for s in control if not s.get("embedded")]
    wanted = [f.strip() for f in fields.split(",") if f.strip()] or None
    results = []
    for size in resize:
        progress, advance = _progress(len(samples), f"OCR at {size or 'stored size'}")
        with progress:
            results.append(evaluate_legibility(samples, engine, size, fit, wanted, advance))
    report = {
        "data": data,
        "config": config,
        "control_config": control_config,
        "engine": _engine_name(),
        "styles": styles_of(samples),
        "results": results,
    }
    write_json(out, report, KIND)
    console.print(legibility_table(report, f"legibility: {data} ({config}, {fit})"))
    console.print(f"{results[0]['n_embedded']} embedded images; wrote {out}")


def legibility_table(report: dict, title: str):
    """Rows: fields (then the clean control); columns: sizes; cells: exact / up-to-format."""
    from rich.table import Table

    results = report["results"]
    table = Table(title=title)
    table.add_column("field (exact / up to format)")
    for result in results:
        table.add_column(f"{result['size'] or 'stored'} px", justify="right")
    for field in results[0]["per_field"]:
        cells = []
        for result in results:
            slot = result["per_field"][field]
            cells.append(f"{slot['exact_rate']:.2f} / {slot['formatted_rate']:.2f}")
        table.add_row(f"{field} (n={results[0]['per_field'][field]['n']})", *cells)
    clean_n = results[0]["clean"]["n"]
    if clean_n:
        rates = [f"{r['clean']['any_text_rate']:.2f}" for r in results]
        table.add_row(f"clean images: any text (n={clean_n})", *rates)
    return table


def _engine_name() -> str:
    from importlib.metadata import version

    return f"rapidocr-onnxruntime {version('rapidocr-onnxruntime')} (PP-OCRv4 det + rec)"
