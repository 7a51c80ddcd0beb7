"""Data commands: `mmpriv embed` (ProbingPrivacy's file workflow) and `mmpriv export`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mmpriv_data.cli.app import AddressOption, EngineOption


def embed(
    src: Annotated[Path, typer.Argument(help="Folder of images (any tree).")],
    dst: Annotated[Path, typer.Argument(help="New folder: the mirrored tree + manifest.")],
    rate: Annotated[float, typer.Option(help="Fraction of images to embed, 0..1.")],
    users: Annotated[
        Path | None, typer.Option(help="USERS.jsonl (ProbingPrivacy's six fields per line).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of every random draw.")] = 0,
    fields: Annotated[str, typer.Option(help="Comma-separated fields to draw.")] = (
        "username,user_id,gender,age,capture_time,capture_location"
    ),
    font_size: Annotated[int, typer.Option(help="Pixels; 0 scales to the image.")] = 0,
    color: Annotated[str, typer.Option(help="Text colour.")] = "#FFFFFF",
    opacity: Annotated[float, typer.Option(help="Text opacity, (0, 1].")] = 0.5,
    position: Annotated[
        str, typer.Option(help="random, top-left, top-right, bottom-left, bottom-right, center.")
    ] = "random",
    box: Annotated[str, typer.Option(help="Background box colour ('' = none).")] = "",
    rotation: Annotated[float, typer.Option(help="Largest |angle| in degrees (0 = none).")] = 0.0,
    quality: Annotated[int, typer.Option(help="JPEG quality of embedded JPEGs.")] = 90,
    max_pixels: Annotated[
        int, typer.Option(help="Refuse larger images (0 = Pillow's MAX_IMAGE_PIXELS).")
    ] = 0,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Skip unreadable files and report counts.")
    ] = False,
    num_proc: Annotated[
        int | None, typer.Option(help="Threads (default: every core); same output whatever.")
    ] = None,
    engine: EngineOption = "local",
    address: AddressOption = None,
) -> None:
    """Embed user records into a seeded fraction of SRC's images, writing DST + a manifest."""
    from mmpriv_data.cli.app import out, progress_bar
    from mmpriv_data.files.embed_files import embed_tree, read_users
    from mmpriv_data.transforms.embedding import EmbedStyle

    field_names = tuple(f.strip() for f in fields.split(",") if f.strip())
    style = EmbedStyle(
        fields=field_names,
        font_size=font_size,
        color=color,
        opacity=opacity,
        position=position,
        box=box,
        rotation=rotation,
    )
    records = read_users(users, field_names) if users else None
    bar, advance = progress_bar("embedding")  # the total comes once the tree is listed
    with bar:
        report = embed_tree(
            src,
            dst,
            rate=rate,
            users=records,
            seed=seed,
            style=style,
            skip_bad=skip_bad,
            quality=quality,
            max_pixels=max_pixels or None,
            progress=advance,
            num_proc=num_proc,
            engine=engine,
            address=address,
        )
    out.print(f"{dst}: {report.summary()}; manifest {report.manifest}")


def export(
    folder: Annotated[Path, typer.Argument(help="A dataset folder written by `mmpriv build`.")],
    config: Annotated[str, typer.Option(help="Config to export, e.g. rate_50.")],
    format_: Annotated[str, typer.Option("--format", help="llava, qwen or jsonl.")],
    out_dir: Annotated[Path, typer.Option("--out", help="New folder for images + data file.")],
    split: Annotated[str, typer.Option(help="Split (default: the config's only split).")] = "",
) -> None:
    """Write a config as image files + the JSON that LLaVA or Qwen-VL read (or JSONL)."""
    from mmpriv_data.cli.app import out
    from mmpriv_data.files.export import export as run_export

    result = run_export(folder, config=config, fmt=format_, out=out_dir, split=split)
    out.print(f"exported {result.rows} rows to {result.data_file} (images in {out_dir}/images)")
