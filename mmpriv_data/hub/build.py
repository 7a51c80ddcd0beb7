"""Run a builder for every config and write the Hub layout, atomically.

The build goes to a hidden staging folder next to the target and is renamed into place only
when every config, shard and the card are written: an interrupted build leaves nothing at
`DIR/NAME`, and a failed rebuild leaves the previous one untouched.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from mmpriv_data.core import ray_cluster
from mmpriv_data.core.atomic import atomic_folder, check_folder_target
from mmpriv_data.core.errors import MmprivError
from mmpriv_data.definitions import registry
from mmpriv_data.hub import ray_engine
from mmpriv_data.hub.cards import render_card
from mmpriv_data.hub.layout import ConfigLayout, write_split
from mmpriv_data.hub.row_source import ArrowFileRows

_CONVERTERS = {"int": int, "float": float, "str": str, "str | None": str}


def _to_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected true or false, got {text!r}")


def parse_settings(spec: registry.DatasetSpec, settings: dict[str, str]) -> dict:
    """Typed builder parameters from `--set key=value` strings; errors name the key."""
    fields = spec.parameters()
    typed = {}
    for key, raw in settings.items():
        if key == "seed":
            raise MmprivError("--set seed=...: use --seed N instead")
        if key not in fields:
            known = ", ".join(k for k in fields if k != "seed")
            raise MmprivError(f"--set {key}: unknown parameter of {spec.name} (known: {known})")
        annotation = str(fields[key].type)
        convert = _to_bool if annotation == "bool" else _CONVERTERS.get(annotation, str)
        try:
            typed[key] = convert(raw) if isinstance(raw, str) else raw
        except ValueError:
            raise MmprivError(f"--set {key}={raw}: expected a value of type {annotation}") from None
    return typed


def check_options(
    spec: registry.DatasetSpec,
    *,
    seed: int = 0,
    settings: dict[str, str] | None = None,
    configs: list[str] | None = None,
) -> tuple[dict, dict]:
    """Every option checked before anything is built: (typed settings, all parameter values)."""
    params = parse_settings(spec, settings or {})
    known = spec.configs()
    for config in configs or []:
        if config not in known:
            raise MmprivError(
                f"unknown config {config!r} of {spec.name}; configs: {', '.join(known)}"
            )
    try:
        # datasets copies configs without re-running __post_init__: validate here, up front.
        checked = spec.params_class()(seed=seed, **params)
    except (ValueError, TypeError, MmprivError) as error:
        raise MmprivError(f"{spec.name}: bad parameter: {error}") from None
    all_params = {
        key: ",".join(value) if isinstance(value, tuple) else value  # as `--set` spells it
        for key in spec.parameters()
        if key != "seed"
        for value in [getattr(checked, key)]
    }
    return params, all_params


@dataclass
class BuildResult:
    name: str
    folder: Path
    layouts: list[ConfigLayout]
    notes: list[str] = field(default_factory=list)  # what the builder says about the build

    @property
    def rows(self) -> int:
        return sum(layout.num_rows for layout in self.layouts)

    @property
    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.folder.rglob("*") if p.is_file())


def default_num_proc() -> int:
    """Every core this process may use (its CPU affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def _check_out_dir(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise MmprivError(f"--out {out_dir}: cannot create the folder ({error.strerror})") from None
    if not out_dir.is_dir() or not os.access(out_dir, os.W_OK):
        raise MmprivError(f"--out {out_dir}: not a writable folder")


def build(
    name: str,
    out_dir: str | Path,
    *,
    seed: int = 0,
    settings: dict[str, str] | None = None,
    configs: list[str] | None = None,
    num_proc: int | None = None,
    engine: str = "local",
    address: str | None = None,
) -> BuildResult:
    """Build dataset `name` into `out_dir/name` (a Hub-layout folder) and return a summary.

    `num_proc` processes per config (None: every core) with the local engine; with
    `engine="ray"`, the work units run on the Ray cluster at `address` (None: one started on
    this machine). Same seed and parameters, same bytes, whatever the engine or the count.
    """
    spec = registry.get(name)
    params, all_params = check_options(spec, seed=seed, settings=settings, configs=configs)
    known = spec.configs()
    num_proc = default_num_proc() if num_proc is None else num_proc
    if num_proc < 1:
        raise MmprivError(f"--num-proc must be at least 1, got {num_proc}")
    if engine not in ray_cluster.ENGINES:
        raise MmprivError(f"--engine {engine}: expected one of {', '.join(ray_cluster.ENGINES)}")
    if address and engine != "ray":
        raise MmprivError("--address: only with --engine ray")
    out_dir = Path(out_dir)
    # Before any work: a rebuild may replace only this dataset's own earlier build.
    check_folder_target(out_dir / name, f"dataset {name}")
    _check_out_dir(out_dir)
    builder_class = spec.builder_class()
    # The Arrow cache lives beside the output (same disk) and goes away with the build.
    with (
        tempfile.TemporaryDirectory(prefix=f".{name}.cache-", dir=out_dir) as cache,
        atomic_folder(out_dir / name, f"dataset {name}", marker=False) as target,
        ray_cluster.connected(address) if engine == "ray" else nullcontext() as cluster,
    ):
        layouts = []
        builders = {
            config: builder_class(config_name=config, cache_dir=cache, seed=seed, **params)
            for config in configs or known
        }
        if engine == "ray":
            generated = ray_engine.generate_splits(list(builders.values()), Path(cache), cluster)
        for config, builder in builders.items():
            if engine == "ray":
                splits = generated.pop(config)
            else:
                builder.download_and_prepare(num_proc=num_proc if num_proc > 1 else None)
                # Streamed from the Arrow files: `as_dataset()` would hold the whole split's
                # record batches while the shards are written (issue 17, flat memory).
                splits = {s: ArrowFileRows.of_builder(builder, s) for s in builder.info.splits}
            layout = ConfigLayout(config, builder.info.features)
            for split, rows in splits.items():
                write_split(rows, target, config, split, layout)
            layouts.append(layout)
            del rows, splits
        extra = getattr(builder_class, "card_context", lambda **_: {})(**all_params)
        card = render_card(
            name,
            pretty_name=spec.pretty_name or name,
            builder_version=str(builder_class.VERSION),
            seed=seed,
            parameters=all_params,
            layouts=layouts,
            extra=extra,
        )
        (target / "README.md").write_text(card, encoding="utf-8")
    return BuildResult(name, out_dir / name, layouts, list(extra.get("summary", [])))
