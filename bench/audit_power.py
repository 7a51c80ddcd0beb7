"""Power of the blind-baseline audit: how often `mmpriv audit` flags a subtle member shift.

For each seed, a default `mia-neighbors` build (config `samples`) is audited as built (the null:
members and non-members from one pool), then re-written with a fraction of its members shifted
and audited again, through the same `audit_folder` a user runs. Shifts, applied to members only:

- `years+N`: every year the member's conversation mentions moved N years later (Das et al.'s
  classic confound: members older than non-members, as in WikiMIA);
- `cast+K`: a slight warm cast on the member's portrait, +K red and -K blue (of 255).

A variant is a slim copy of the build (`id`, `member`, `messages`, `images`: all the audit reads),
so the builders are untouched. For a cast, every image (members and non-members alike) is
decoded and re-encoded as the builder encodes it (JPEG, quality 90), so a second compression is
no difference between the classes. The small preset (`mmpriv build all`) is audited as built too.

    python bench/audit_power.py --out bench/results            # 5 seeds, a few minutes on 2 cores
    python bench/audit_power.py --seeds 2 --out /tmp/quick

Writes NAME.json (every audit: per-classifier AUC and interval, what it flagged) and NAME.md
(flag rates per shift and fraction; the default builds' AUCs).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from mmpriv_data.core.schema import encode_image  # noqa: E402
from mmpriv_data.core.seeding import stream  # noqa: E402
from mmpriv_data.definitions.mia_neighbors import read_samples  # noqa: E402
from mmpriv_data.hub.audit import audit_folder  # noqa: E402
from mmpriv_data.hub.audit_features import cast_colour, shift_years  # noqa: E402
from mmpriv_data.hub.build import build  # noqa: E402

FRACTIONS = (0.1, 0.25, 0.5, 1.0)
YEAR_SHIFTS = (5, 15)  # +5: under half the spread of birth years (sd ~12); +15: the case
CASTS = (6,)  # +6 red, -6 blue: hard to see by eye on a portrait
SMALL_PRESET = {"num_samples": "100", "neighbors": "8"}


def shifted_messages(messages: list, years: int) -> list:
    return [
        {
            **turn,
            "content": [
                {**c, "text": shift_years(c["text"], years) if c.get("text") else c.get("text")}
                for c in turn["content"]
            ],
        }
        for turn in messages
    ]


def cast_images(images: list, offsets: tuple[int, int, int]) -> list:
    return [encode_image(cast_colour(Image.open(io.BytesIO(i["bytes"])), offsets)) for i in images]


def write_variant(rows: list[dict], chosen: set[int], shift: str, out: Path) -> Path:
    """A slim samples folder: members in `chosen` (row positions) carry the shift."""
    kind, amount = shift.split("+")
    amount = int(amount)
    for split in ("member", "nonmember"):
        part = []
        for position, row in enumerate(rows):
            if row["member"] != (split == "member"):
                continue
            shifted = position in chosen
            messages, images = row["messages"], row["images"]
            if kind == "years" and shifted:
                messages = shifted_messages(messages, amount)
            if kind == "cast":
                # Everyone is re-encoded; only the chosen members get the cast.
                images = cast_images(images, (amount, 0, -amount) if shifted else (0, 0, 0))
            part.append({"id": row["id"], "messages": messages, "images": images})
        path = out / "samples" / f"{split}-00000-of-00001.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(part), path)
    return out


def audit_record(folder: Path, **labels) -> dict:
    start = time.perf_counter()
    result = audit_folder(folder)
    seconds = time.perf_counter() - start
    return {
        **labels,
        "passed": result.passed,
        "flagged": [r.name for r in result.flagged],
        "auc": {r.name: round(r.auc, 4) for r in result.results},
        "ci": {r.name: [round(r.ci_low, 4), round(r.ci_high, 4)] for r in result.results},
        "n_member": result.n_member,
        "n_nonmember": result.n_nonmember,
        "ci_level": result.ci_level,
        "audit_seconds": round(seconds, 2),
    }


def run_seed(seed: int, work: Path) -> list[dict]:
    folder = build("mia-neighbors", work / f"default-{seed}", seed=seed, configs=["samples"]).folder
    records = [audit_record(folder, build="default", shift="none", fraction=0.0, seed=seed)]
    rows = read_samples(folder, ["id", "messages", "images"]).to_pylist()
    members = [p for p, row in enumerate(rows) if row["member"]]
    # Control for the casts: every image re-encoded, none cast (the variants' own null).
    control = write_variant(rows, set(), "cast+0", work / f"reencoded-{seed}")
    records.append(audit_record(control, build="default", shift="reencoded", fraction=0.0))
    records[-1]["seed"] = seed
    shifts = [f"years+{y}" for y in YEAR_SHIFTS] + [f"cast+{k}" for k in CASTS]
    for shift in shifts:
        for fraction in FRACTIONS:
            count = round(fraction * len(members))
            chosen = stream(seed, "audit_power", shift, fraction).choice(members, count, False)
            variant = write_variant(
                rows, set(chosen.tolist()), shift, work / f"{shift}-{fraction}-{seed}"
            )
            record = audit_record(variant, build="default", shift=shift, fraction=fraction)
            records.append({**record, "seed": seed, "n_shifted": count})
            print(f"seed {seed} {shift} {fraction:.0%}: flagged {record['flagged'] or 'none'}")
    small = build(
        "mia-neighbors",
        work / f"small-{seed}",
        seed=seed,
        settings=SMALL_PRESET,
        configs=["samples"],
    ).folder
    records.append(audit_record(small, build="small", shift="none", fraction=0.0, seed=seed))
    return records


def summarize(records: list[dict]) -> dict:
    rates: dict[str, dict[str, dict]] = {}
    for r in records:
        if r["build"] != "default":
            continue
        cell = rates.setdefault(r["shift"], {}).setdefault(
            f"{r['fraction']:g}", {"flagged": 0, "audits": 0, "by": {}}
        )
        cell["audits"] += 1
        cell["flagged"] += not r["passed"]
        for name in r["flagged"]:
            cell["by"][name] = cell["by"].get(name, 0) + 1
    nulls = {}
    for preset in ("default", "small"):
        runs = [r for r in records if r["build"] == preset and r["shift"] == "none"]
        nulls[preset] = {
            name: {
                "mean": round(float(np.mean([r["auc"][name] for r in runs])), 4),
                "sd": round(float(np.std([r["auc"][name] for r in runs], ddof=1)), 4)
                if len(runs) > 1
                else None,
                "min": min(r["auc"][name] for r in runs),
                "max": max(r["auc"][name] for r in runs),
            }
            for name in runs[0]["auc"]
        }
        nulls[preset]["flag_rate"] = f"{sum(not r['passed'] for r in runs)}/{len(runs)}"
    return {"flag_rate": rates, "null_auc": nulls}


def auc_cell(stats: dict) -> str:
    spread = f" ± {stats['sd']:.3f}" if stats["sd"] is not None else ""
    return f"{stats['mean']:.3f}{spread} [{stats['min']:.2f}, {stats['max']:.2f}]"


def markdown(report: dict) -> str:
    summary, seeds = report["summary"], report["seeds"]
    lines = [
        "# Blind-baseline audit: power against subtle member shifts",
        "",
        f"{report['machine']}; `{report['command']}`; {report['date']}.",
        f"Default `mia-neighbors` builds (200 samples: 100 members / 100 non-members), seeds "
        f"{seeds[0]}-{seeds[-1]}; a fraction of the members shifted; `audit_folder` with its "
        f"defaults ({len(report['records'][0]['auc'])} classifiers, 5 folds, AUC >= 0.6 and the "
        f"{report['records'][0]['ci_level']:.3%} bootstrap interval above 0.5). "
        f"Mean audit time {report['audit_seconds_mean']:.1f} s.",
        "",
        "## How often the audit flags the split (flagged / seeds)",
        "",
        "| shift (members only) | " + " | ".join(f"{f:.0%} of members" for f in FRACTIONS) + " |",
        "|---|" + "---|" * len(FRACTIONS),
    ]
    for shift, cells in summary["flag_rate"].items():
        if shift in ("none", "reencoded"):
            continue
        row = []
        for fraction in FRACTIONS:
            cell = cells[f"{fraction:g}"]
            by = ", ".join(f"{n.removeprefix('text_').removeprefix('image_')} {c}" for n, c in
                           sorted(cell["by"].items(), key=lambda kv: -kv[1]))  # fmt: skip
            row.append(f"{cell['flagged']}/{cell['audits']}" + (f" ({by})" if by else ""))
        lines.append(f"| `{shift}` | " + " | ".join(row) + " |")
    for control, label in (("none", "none (as built)"), ("reencoded", "none, images re-encoded")):
        cell = summary["flag_rate"][control]["0"]
        by = ", ".join(f"{n} {c}" for n, c in cell["by"].items())
        lines.append(
            f"| {label} | {cell['flagged']}/{cell['audits']}" + (f" ({by})" if by else "")
            + " | | | |"
        )  # fmt: skip
    lines += [
        "",
        "## Audit AUCs of the builds as they are (mean ± sd over seeds, [min, max])",
        "",
        "| classifier | default build (100/100) | small preset (50/50) |",
        "|---|---|---|",
    ]
    default, small = summary["null_auc"]["default"], summary["null_auc"]["small"]
    for name in report["records"][0]["auc"]:
        cells = [auc_cell(s[name]) for s in (default, small)]
        lines.append(f"| `{name}` | {cells[0]} | {cells[1]} |")
    lines += [
        f"| flagged | {default['flag_rate']} | {small['flag_rate']} |",
        "",
        "Shifts: `years+N` moves every year in a member's conversation N years later (birth "
        "years have sd ~12, mean ~1981); `cast+K` adds K to red and takes K from blue in the "
        "member's portrait (every image of the variant re-encoded as the builder does). The "
        "interval is Bonferroni-adjusted over the classifiers, so a same-distribution split is "
        "flagged about 5% of the time at most.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    parser.add_argument("--name", default="audit_power")
    args = parser.parse_args()
    records = []
    with tempfile.TemporaryDirectory(prefix="audit-power-") as work:
        for seed in range(args.seeds):
            records += run_seed(seed, Path(work))
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f} at the end",
        "command": "python bench/audit_power.py " + " ".join(sys.argv[1:]),
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "seeds": list(range(args.seeds)),
        "fractions": list(FRACTIONS),
        "audit_seconds_mean": float(np.mean([r["audit_seconds"] for r in records])),
        "summary": summarize(records),
        "records": records,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.name}.json").write_text(json.dumps(report, indent=1) + "\n")
    (args.out / f"{args.name}.md").write_text(markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
