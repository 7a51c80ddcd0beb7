"""`mmpriv eval probing` and `mmpriv eval leakage`: ProbingPrivacy's two measurements.

    mmpriv eval probing --model runs/rate_100 --model runs/rate_0 \\
        --data mmpriv-hub/privacy-images --config probe --out results/probing
    mmpriv eval leakage --model runs/rate_100 --data mmpriv-hub/privacy-images --config probe \\
        --out results/leakage

torch/transformers are imported inside the commands (via evaluators.hidden_states).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from evaluators.hidden_states import DEFAULT_QUERY
from mmpriv_data.cli.app import QuietOption
from mmpriv_data.core.errors import MmprivError

NO_ADAPTER = "none"


def load_samples(data: str, config: str, split: str | None = None, limit: int = 0) -> list[dict]:
    """Rows of a privacy-images config as plain dicts with a PIL `image` (the first image).

    The split defaults to the config's only split (`test` for probe, `train` for rate_R).

    >>> samples = load_samples("mmpriv-hub/privacy-images", "probe")  # doctest: +SKIP
    """

    from mmpriv_data.core.models import check_source
    from trainers.data import quiet_load_dataset

    if check_source(data, "--data", "dataset") == "local" and not Path(data).is_dir():
        raise MmprivError(f"--data {data}: not a dataset folder")
    try:
        loaded = quiet_load_dataset(data, config)
    except (ValueError, OSError, ConnectionError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise MmprivError(f"--data {data} --config {config}: {first_line}") from error
    if split is None:
        if len(loaded) != 1:
            raise MmprivError(
                f"--data {data} --config {config}: name one of --split {list(loaded)}"
            )
        split = next(iter(loaded))
    if split not in loaded:
        raise MmprivError(f"--data {data} --config {config}: no split {split!r} ({list(loaded)})")
    rows = loaded[split]
    missing = {"images", "embedded", "user_set", "embedded_fields", "embedded_text"} - set(
        rows.column_names
    )
    if missing:
        raise MmprivError(
            f"--data {data} --config {config}: no column(s) {', '.join(sorted(missing))} "
            "(expected a privacy-images dataset)"
        )
    if limit:
        rows = rows.select(range(min(limit, len(rows))))
    samples = []
    for index, row in enumerate(rows):
        if not row["images"]:
            raise MmprivError(f"--data {data} --config {config}: row {index} has no image")
        samples.append({**row, "image": row["images"][0].convert("RGB")})
    return samples


def _progress(total: int, what: str, quiet: bool = False):
    from mmpriv_data.cli.app import progress_bar

    return progress_bar(what, total, quiet)  # count and ETA; none in a log or with --quiet


def _pair_adapters(models: list[str], adapters: list[str]) -> list[str | None]:
    if not adapters:
        return [None] * len(models)
    if len(adapters) != len(models):
        raise MmprivError(
            f"{len(adapters)} --adapter for {len(models)} --model: give one per model "
            f"(`--adapter {NO_ADAPTER}` for a model without one)"
        )
    return [None if a.lower() == NO_ADAPTER else a for a in adapters]


def probing(
    model: Annotated[list[str], typer.Option(help="Model folder or Hub id (repeatable).")],
    data: Annotated[str, typer.Option(help="A privacy-images folder (or Hub id).")],
    out: Annotated[Path, typer.Option(help="Folder for probing.json and probing.png.")],
    config: Annotated[str, typer.Option(help="Config holding U1/U2-labelled images.")] = "probe",
    adapter: Annotated[
        list[str], typer.Option(help=f"peft adapter per --model, in order ({NO_ADAPTER}: none).")
    ] = [],  # noqa: B006 - typer reads the default, never mutates it
    label: Annotated[list[str], typer.Option(help="Plot label per --model, in order.")] = [],  # noqa: B006
    query: Annotated[
        str, typer.Option(help="The question asked with every image.")
    ] = DEFAULT_QUERY,
    split: Annotated[
        str | None, typer.Option(help="Split (default: the config's only one).")
    ] = None,
    batch_size: Annotated[int, typer.Option(help="Images per forward pass.")] = 16,
    limit: Annotated[int, typer.Option(help="Use only the first N rows (0: all).")] = 0,
    protocol: Annotated[
        str,
        typer.Option(help="paper: folds over images; users: no user in both train and test."),
    ] = "paper",
    folds: Annotated[
        int, typer.Option(help="k of the repeated k-fold statistics (0: paper's split only).")
    ] = 5,
    repeats: Annotated[int, typer.Option(help="Repeats of the k-fold split.")] = 10,
    permutations: Annotated[
        int, typer.Option(help="Label permutations of the null (max over layers).")
    ] = 1000,
    seed: Annotated[
        int, typer.Option(help="Seed of the folds, permutations, bootstrap, lens name pairs.")
    ] = 0,
    features: Annotated[
        str,
        typer.Option(
            help="states: last-prompt hidden states; lens: log p of the image's username and "
            "of another set's, read off every layer (logit lens)."
        ),
    ] = "states",
    reference: Annotated[
        str | None,
        typer.Option(help="With --features lens: subtract this model's values (e.g. rate_0)."),
    ] = None,
    reference_adapter: Annotated[
        str | None, typer.Option(help="peft adapter folder of --reference.")
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Probe every layer for U1 vs U2 (hidden states, or the name lens); JSON + the plot.

    Besides the paper's one 80/20 split, repeated k-fold accuracy per layer with 95%
    confidence intervals and the best layer's p-value, corrected for picking the best layer.
    `--features lens --reference MODEL` probes, per layer, how much likelier the model finds
    the image's username (and another set's) than the reference model does.
    """
    from evaluators.hidden_states import last_prompt_hidden_states, load_model
    from evaluators.probing import (
        check_outputs,
        label_array,
        plot_probing,
        probe_by_layer,
        probe_statistics,
        statistics_folds,
        user_groups,
        write_json,
    )
    from mmpriv_data.cli.app import out as console
    from mmpriv_data.cli.probing_lens import LensRun, check_lens_options

    check_lens_options(features, reference, reference_adapter)
    check_outputs(out, "eval probing", ["probing.json", "probing.png"])
    adapters = _pair_adapters(model, adapter)
    if label and len(label) != len(model):
        raise MmprivError(f"{len(label)} --label for {len(model)} --model: give one per model")
    samples = load_samples(data, config, split, limit)
    samples = [s for s in samples if s.get("embedded") and s.get("user_set")]
    labels = label_array([s["user_set"] for s in samples])
    counts = [int((labels == i).sum()) for i in (0, 1)]
    if min(counts) < 2:  # checked before any model loads
        raise MmprivError(
            f"--config {config}: probing needs at least 2 samples of each user set embedded, "
            f"found U1={counts[0]}, U2={counts[1]}"
        )
    groups = user_groups(samples) if folds and protocol == "users" else None
    if folds:  # a protocol the rows cannot support stops here, before any model loads
        statistics_folds(labels, groups, protocol, folds, repeats, seed)
        if permutations < 1:
            raise MmprivError(f"--permutations {permutations}: need at least 1 (1000 is usual)")
    lens = LensRun(samples, seed, query, batch_size, quiet) if features == "lens" else None
    if lens and reference:  # loaded once, its values computed once for every --model
        lens.reference_values = lens.values(reference, reference_adapter, "reference")
    results = []
    for index, (path, adapter_path) in enumerate(zip(model, adapters, strict=True)):
        name = (
            label[index]
            if label
            else Path(path).name + (f"+{Path(adapter_path).name}" if adapter_path else "")
        )
        if lens:
            states, lens_means = lens.features(path, adapter_path, name)
        else:
            loaded, processor = load_model(path, adapter_path)
            progress, advance = _progress(len(samples), f"hidden states: {name}", quiet)
            with progress:
                states = last_prompt_hidden_states(
                    loaded, processor, [s["image"] for s in samples], query, batch_size, advance
                )
        result = probe_by_layer(states, labels)
        if folds:
            result["statistics"] = probe_statistics(
                states, labels, protocol, groups, folds, repeats, permutations, seed
            )
        if lens:
            result["lens_mean_own_name"] = lens_means
        results.append({"label": name, "model": path, "adapter": adapter_path, **result})
        console.print(
            f"{name}: best layer {result['best_layer']} accuracy {result['best_accuracy']:.3f}, "
            f"mean over layers {result['mean_accuracy']:.3f} ({states.shape[1]} layers incl. "
            f"embeddings, {result['n_test']} test rows)"
        )
        if folds:
            console.print(f"{name}: {_statistics_line(result['statistics'])}")
    if folds:  # the cross-validated curves, each with its band and best-layer p in the legend
        curves, bands = {}, {}
        for r in results:
            legend = f"{r['label']}: {_statistics_line(r['statistics'], short=True)}"
            curves[legend], bands[legend] = r["statistics"]["acc"], r["statistics"]["ci"]
        title = f"Probing U1 vs U2{lens.title if lens else ''}: {protocol} protocol, "
        title += f"{folds}-fold x {repeats}, 95% CI"
        plot = plot_probing(curves, out / "probing.png", title=title, intervals=bands)
    else:
        plot = plot_probing(
            {r["label"]: r["accuracy_by_layer"] for r in results},
            out / "probing.png",
            title=f"Probing U1 vs U2{lens.title if lens else ''}",
        )
    settings = {"protocol": protocol, "folds": folds, "repeats": repeats}
    settings |= {"permutations": permutations, "seed": seed}
    report = {
        "data": data,
        "config": config,
        "query": query,
        "n_samples": len(samples),
        "n_per_set": {s: int((labels == i).sum()) for i, s in enumerate(("U1", "U2"))},
        "chance": 0.5,
        "statistics": settings if folds else None,
        "features": features,
        "reference": {"model": reference, "adapter": reference_adapter} if reference else None,
        **({"lens": lens.description(reference)} if lens else {}),
        "models": results,
        "plot": plot.name,
    }
    write_json(out / "probing.json", report)
    console.print(f"wrote {out / 'probing.json'} and {plot}")


def _statistics_line(stats: dict, short: bool = False) -> str:
    """'best layer 3: 0.62 [0.55, 0.69], p = 0.004 (corrected, 1000 permutations)'."""
    low, high = stats["ci_best"]
    if short:
        return (
            f"L{stats['best_layer']} {stats['best_layer_acc']:.2f} "
            f"[{low:.2f}, {high:.2f}], p={stats['perm_p']:.3g}"
        )
    return (
        f"{stats['protocol']} protocol, {stats['n_folds']} folds: best layer "
        f"{stats['best_layer']} balanced accuracy {stats['best_layer_acc']:.3f} "
        f"[{low:.3f}, {high:.3f}] (95% CI), p = {stats['perm_p']:.3g} corrected for the "
        f"best-layer pick ({stats['n_permutations']} permutations)"
    )


def _control_samples(data: str, config: str, samples: list[dict], control: str) -> list[dict]:
    """Clean (text-free) images for the false-leak control.

    `auto`: the config's own clean rows, or, when it has none (the probe config embeds every
    image), as many clean rows of rate_0 as the config has rows.
    """
    own = [s for s in samples if not s.get("embedded")]
    if control == "none" or (control == "auto" and own):
        return []
    name = "rate_0" if control == "auto" else control
    if name == config:
        return []
    extra = load_samples(data, name, limit=len(samples))
    return [{**s, "control_config": name} for s in extra if not s.get("embedded")]


def leakage(
    model: Annotated[str, typer.Option(help="Model folder or Hub id.")],
    data: Annotated[str, typer.Option(help="A privacy-images folder (or Hub id).")],
    out: Annotated[Path, typer.Option(help="Folder for leakage.json.")],
    config: Annotated[str, typer.Option(help="Config to ask about.")] = "probe",
    adapter: Annotated[str | None, typer.Option(help="peft adapter folder.")] = None,
    fields: Annotated[
        str, typer.Option(help="Comma-separated fields (default: all embedded).")
    ] = "",
    control_config: Annotated[
        str, typer.Option(help="Clean images for the control: auto, none, or a config name.")
    ] = "auto",
    split: Annotated[
        str | None, typer.Option(help="Split (default: the config's only one).")
    ] = None,
    batch_size: Annotated[int, typer.Option(help="Prompts per generate call.")] = 16,
    max_new_tokens: Annotated[int, typer.Option(help="Longest answer, in tokens.")] = 32,
    limit: Annotated[int, typer.Option(help="Use only the first N rows (0: all).")] = 0,
    quiet: QuietOption = False,
) -> None:
    """Ask for every embedded field (greedy); count exact extractions, embedded vs clean."""
    from rich.table import Table

    from evaluators.hidden_states import load_model
    from evaluators.leakage import evaluate_leakage, leakage_items
    from evaluators.probing import check_outputs, write_json
    from mmpriv_data.cli.app import out as console

    check_outputs(out, "eval leakage", ["leakage.json"])
    samples = load_samples(data, config, split, limit)
    control = _control_samples(data, config, samples, control_config)
    samples += control
    wanted = [f.strip() for f in fields.split(",") if f.strip()] or None
    questions = len(leakage_items(samples, wanted))  # an unknown field fails before the model
    loaded, processor = load_model(model, adapter)
    progress, advance = _progress(questions, "leakage questions", quiet)
    with progress:
        report = evaluate_leakage(
            loaded, processor, samples, wanted, batch_size, max_new_tokens, advance
        )
    report = {
        "model": model,
        "adapter": adapter,
        "data": data,
        "config": config,
        "control_config": control[0]["control_config"] if control else config,
        **report,
    }
    write_json(out / "leakage.json", report, "eval leakage")
    table = Table(title=f"exact leakage: {model}")
    for column in ("field", "embedded n", "exact", "clean n", "clean false leak"):
        table.add_column(column, justify="left" if column == "field" else "right")
    for field, groups in report["per_field"].items():
        embedded, clean = groups.get("embedded", {}), groups.get("clean", {})
        table.add_row(
            field,
            str(embedded.get("n", 0)),
            f"{embedded['exact_rate']:.3f}" if embedded else "-",
            str(clean.get("n", 0)),
            f"{clean['any_user_rate']:.3f}" if clean else "-",
        )
    console.print(table)
    console.print(f"wrote {out / 'leakage.json'}")
