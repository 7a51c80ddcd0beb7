"""`collect` of bench/unlearning_seeds.py: the per-seed files of its runs -> one results file,
with per-method means and t intervals over seeds, and the matched comparisons (each run scored
at the first checkpoint at or below a forget level that every run reaches)."""

from __future__ import annotations

import json
from pathlib import Path

from bench.unlearning_seeds import EVAL_EVERY, MAX_STEPS, METHODS, SPLITS


def _mean_ci(values) -> dict:
    from bench.unlearning_metrics import seed_ci

    return {"mean": sum(values) / len(values), "ci": seed_ci(values)}


def common_level(runs) -> dict:
    """The second matched comparison: the lowest forget accuracy that EVERY run reaches (the
    highest of the runs' lowest values), and each run's utility at its first checkpoint at or
    below it (a milestone, scored in full when it was reached; step 0 if the finetuned model is
    already there)."""
    level = max(min([r["start"]] + [c[1] for c in r["curve"]]) for r in runs)
    rows = []
    for r in runs:
        hit = next((m for m in r["milestones"] if m["level"] <= level + 1e-9), None)
        if r["start"] <= level + 1e-9:
            hit = {"step": 0, **r["start_scores"]}
        rows.append({"method": r["method"], "seed": r["seed"]} | hit)
    means = {}
    for method in METHODS:
        group = [x for x in rows if x["method"] == method]
        if group:
            keys = ("step", *SPLITS, "forget_quality")
            means[method] = {"seeds": len(group)} | {
                k: _mean_ci([x[k] for x in group]) for k in keys
            }
    return {"level": level, "runs": rows, "means": means}


def collect(args) -> None:
    """Per-seed files -> bench/results/unlearning.json: every run, reference models, and
    per-method means with t intervals over seeds. Several files may hold one seed (methods run
    in separate processes); its reference models are then listed once."""
    records = [json.loads(Path(p).read_text()) for p in args.files]
    runs = []
    for record in records:
        start = record["models"]["full"]
        for run in record.get("runs", []):
            row = {k: v for k, v in run.items() if k != "curve"} | {"curve": run["curve"]}
            row["max_steps"] = record["stop_rule"][1]
            row["start"] = start["forget"]["likelihood"]
            row["start_scores"] = {s: start[s]["likelihood"] for s in SPLITS} | {
                "forget_quality": start["forget_quality"]
            }
            runs.append(row)
    # The reference models are trained once; per seed only the option shuffle differs.
    models, seen = [], set()
    for r in records:
        for name in r["models"]:
            if (name, r["seed"]) not in seen:
                seen.add((name, r["seed"]))
                models.append(
                    {"model": name, "seed": r["seed"], **{s: r["models"][name][s] for s in SPLITS}}
                    | {"forget_quality": r["models"][name]["forget_quality"]}
                )
    means = {}
    for method in METHODS:
        group = [r for r in runs if r["method"] == method]
        if not group:
            continue
        means[method] = {"seeds": len(group), "reached": sum(r["target_reached"] for r in group)}
        for key in ("steps", *SPLITS, "forget_quality"):
            means[method][key] = _mean_ci([r[key] for r in group])
        for split in SPLITS:  # the shuffled-letter metric beside the letter-free one
            means[method][f"choice_{split}"] = _mean_ci(
                [r["scores"][split]["choice"] for r in group]
            )
    matched = common_level(runs) if all("milestones" in r for r in runs) else None
    # Added AFTER seeing the 300-step curves (NPO never went below 35-40%, which set the common
    # level above): the same comparison without NPO, labelled post hoc in the results.
    without_npo = [r for r in runs if r["method"] != "npo"]
    posthoc = common_level(without_npo) if matched and without_npo else None
    for r in runs:
        r.pop("start_scores")
    record = {
        "note": args.note,
        "stop_rule": {
            "metric": "likelihood accuracy, forget people, `full` phrasing",
            "target": "the retain-only model's value on the same questions",
            "targets_by_seed": sorted({(r["seed"], r.get("stop_target")) for r in records}),
            "eval_every": EVAL_EVERY,
            "max_steps": MAX_STEPS,
            "max_steps_history": "60 in the earlier run (earlier_60_steps); raised to 300 after "
            "seeing that no method reached the target in 60 steps",
        },
        "reference_models": models,
        "runs": runs,
        "means": means,
    }
    if matched:
        record["common_level"] = matched
    if posthoc:
        record["posthoc_common_level_without_npo"] = posthoc
    if args.earlier:
        earlier = json.loads(Path(args.earlier).read_text())
        record["earlier_60_steps"] = earlier.get("earlier_60_steps", earlier)
    Path(args.out).write_text(json.dumps(record, indent=2) + "\n")
