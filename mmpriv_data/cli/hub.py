"""Dataset-folder commands: `build`, `list`, `info`, `verify`, `publish`, and `audit` (the
blind baselines written into a `mia-neighbors` card)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from mmpriv_data.cli.app import AddressOption, EngineOption, err, out
from mmpriv_data.core.errors import MmprivError


def human_size(num_bytes: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if num_bytes < 1024 or unit == "GB":
            return f"{num_bytes:.0f} {unit}" if unit == "B" else f"{num_bytes:.1f} {unit}"
        num_bytes /= 1024
    return f"{num_bytes:.1f} GB"


def parse_set_options(options: list[str]) -> dict[str, str]:
    settings = {}
    for option in options:
        key, sep, value = option.partition("=")
        if not sep or not key.strip():
            raise MmprivError(f"--set {option}: expected key=value")
        settings[key.strip()] = value.strip()
    return settings


def build(
    name: Annotated[str, typer.Argument(help="Dataset name (see `mmpriv list`) or `all`.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write DIR/NAME into.")] = Path(
        "mmpriv-hub"
    ),
    seed: Annotated[int, typer.Option(help="Seed of every random stream.")] = 0,
    set_: Annotated[
        list[str], typer.Option("--set", help="Builder parameter key=value (repeatable).")
    ] = [],  # noqa: B006 - typer reads the default, never mutates it
    config: Annotated[list[str], typer.Option(help="Build only these configs (repeatable).")] = [],  # noqa: B006
    num_proc: Annotated[
        int | None, typer.Option(help="Processes per config (default: every core).")
    ] = None,
    engine: EngineOption = "local",
    address: AddressOption = None,
    preset: Annotated[
        str, typer.Option(help="`small` (quick, the default for `all`) or `full` sizes.")
    ] = "",
) -> None:
    """Build a dataset (or `all`) into a Hub-layout folder: README.md card + parquet shards."""
    from mmpriv_data.core.atomic import check_folder_target
    from mmpriv_data.definitions import registry
    from mmpriv_data.hub.build import build as run_build
    from mmpriv_data.hub.build import check_options

    settings = parse_set_options(set_)
    if preset not in ("", "small", "full"):
        raise MmprivError(f"--preset {preset}: expected small or full")
    names = list(registry.DATASETS) if name == "all" else [registry.get(name).name]
    use_small = preset == "small" or (preset == "" and name == "all")
    if num_proc is not None and num_proc < 1:
        raise MmprivError(f"--num-proc {num_proc}: expected at least 1")
    if name == "all" and (settings or config):
        raise MmprivError("`build all` takes no --set or --config: build one dataset for those")
    plan = {}
    for dataset in names:  # check every option before building anything
        spec = registry.get(dataset)
        plan[dataset] = {**(spec.small if use_small else {}), **settings}
        check_options(spec, seed=seed, settings=plan[dataset], configs=config or None)
        check_folder_target(out_dir / dataset, f"dataset {dataset}")  # `all`: before the first
    results = []
    for dataset, dataset_settings in plan.items():
        err.print(f"[bold]building[/] {dataset} -> {out_dir / dataset}", soft_wrap=True)
        results.append(
            run_build(
                dataset,
                out_dir,
                seed=seed,
                settings=dataset_settings,
                configs=config or None,
                num_proc=num_proc,
                engine=engine,
                address=address,
            )
        )
    table = Table(title=f"mmpriv datasets in {out_dir.resolve()}")
    table.add_column("dataset", no_wrap=True)
    table.add_column("configs")
    table.add_column("rows", justify="right")
    table.add_column("size", justify="right", no_wrap=True)
    table.add_column("folder", overflow="fold")
    for result in results:
        table.add_row(
            result.name,
            ", ".join(layout.name for layout in result.layouts),
            str(result.rows),
            human_size(result.size_bytes),
            str(result.folder),
        )
    out.print(table)
    for result in results:
        for note in result.notes:
            out.print(f"{result.name}: {note}")
    out.print(f"Built {len(results)} dataset(s) into {out_dir.resolve()}")


def list_datasets() -> None:
    """Show the datasets, their configs and settable parameters."""
    from mmpriv_data.definitions import registry

    table = Table(title="mmpriv datasets")
    for column in ("dataset", "configs", "parameters (default)", "what"):
        table.add_column(column, overflow="fold")  # a long value wraps, never cut to `…`
    for spec in registry.DATASETS.values():
        params = ", ".join(
            f"{key}={','.join(value) if isinstance(value, tuple) else value}"
            for key, value in spec.defaults().items()
        )
        table.add_row(spec.name, ", ".join(spec.configs()), params, spec.summary)
    out.print(table)


def info(folder: Annotated[Path, typer.Argument(help="A folder written by `mmpriv build`.")]):
    """Summarise a dataset folder's card: configs, rows, provenance."""
    from mmpriv_data.hub.cards import read_front_matter, read_provenance

    front = read_front_matter(folder)
    prov = read_provenance(folder)
    out.print(f"[bold]{front.get('pretty_name', folder.name)}[/] ({folder})")
    out.print(
        f"dataset {prov['dataset']}  builder v{prov['builder_version']}  "
        f"mmpriv {prov['mmpriv_version']}  datasets {prov.get('datasets_version', '?')}"
    )
    params = " ".join(f"{k}={v}" for k, v in prov["parameters"].items())
    out.print(f"seed {prov['seed']}  {params}")
    table = Table()
    for column in ("config", "split", "rows", "bytes"):
        table.add_column(column)
    for entry in front.get("dataset_info", []):
        for split in entry.get("splits", []):
            table.add_row(
                entry["config_name"],
                split["name"],
                str(split["num_examples"]),
                human_size(split["num_bytes"]),
            )
    out.print(table)
    out.print(f"{len(prov['shards'])} shard(s) with sha256 recorded; `mmpriv verify` checks them")


def verify(folder: Annotated[Path, typer.Argument(help="A folder written by `mmpriv build`.")]):
    """Recompute shard checksums against the card's provenance; non-zero exit on a mismatch."""
    from mmpriv_data.hub.cards import read_provenance
    from mmpriv_data.hub.layout import list_shards, sha256_file

    recorded = read_provenance(folder)["shards"]
    present = set(list_shards(folder))
    problems = []
    for path, sha in recorded.items():
        if path not in present:
            problems.append(f"{folder / path}: missing")
        elif sha256_file(folder / path) != sha:
            problems.append(f"{folder / path}: sha256 differs from the card")
    problems += [f"{folder / p}: not recorded in the card" for p in sorted(present - set(recorded))]
    for problem in problems:
        err.print(f"[red]mismatch[/] {problem}")
    if problems:
        raise typer.Exit(1)
    out.print(f"[green]ok[/] {len(recorded)} shard(s) match the card of {folder}")


def publish(
    folder: Annotated[Path, typer.Argument(help="A folder written by `mmpriv build`.")],
    repo: Annotated[str, typer.Option(help="Hub dataset repo, ORG/NAME.")],
    version: Annotated[str, typer.Option(help="X.Y.Z; the commit is tagged vX.Y.Z.")],
    private: Annotated[bool, typer.Option(help="Create the repo as private.")] = False,
) -> None:
    """Upload a built folder as one commit and tag it; an existing tag is never moved."""
    from mmpriv_data.hub.publish import publish as run_publish

    result = run_publish(folder, repo, version, private=private)
    out.print(f"published {folder} to {result.repo_id} at {result.tag} ({result.commit_sha[:10]})")
    out.print(f'load with: load_dataset("{result.repo_id}", CONFIG, revision="{result.tag}")')


def audit(
    folder: Annotated[Path, typer.Argument(help="A built DIR/mia-neighbors folder.")],
    threshold: Annotated[float, typer.Option(help="AUC at which a classifier fails it.")] = 0.6,
    folds: Annotated[int, typer.Option(help="Cross-validation folds.")] = 5,
    seed: Annotated[int, typer.Option(help="Seed of the folds and the bootstrap.")] = 0,
    write_card: Annotated[bool, typer.Option(help="Write the result into README.md.")] = True,
) -> None:
    """Blind baselines: exit 1 when a model-free classifier tells members from non-members."""
    from mmpriv_data.hub import audit as blind

    result = blind.audit_folder(folder, threshold=threshold, folds=folds, seed=seed)
    out.print(blind.render_section(result, folder.name), markup=False, highlight=False)
    if write_card:
        out.print(f"wrote the result into {blind.write_card_section(folder, result)}")
    if not result.passed:
        raise typer.Exit(1)
