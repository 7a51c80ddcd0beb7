"""The ProbingPrivacy experiment, end to end: does training on embedded text leave a trace?

1. `prepare` (here, with `datasets`/Faker): build `privacy-images` at rates 0, 0.5 and 1.0 over
   the same base images (configs rate_0, rate_50, rate_100) plus the U1/U2 `probe` set, export
   them as image files + rows.json (each distinct image once), add `probe_clean` (the probe's
   base images without text: the VQA set and the false-leak control), and save the tiny-model
   configuration and processor (no weights: the GPU side initialises them with a fixed seed).
2. `bench/probing_experiment_gpu.py` (on the GPU, torch only) trains the same configuration on
   each rate and measures VQA accuracy, probe accuracy by layer and exact leakage.
3. `record` copies its JSON and plot into bench/results/ and writes the Markdown summary.

    python bench/probing_experiment.py prepare --out .probing_data --size base
    python bench/probing_experiment_gpu.py --data .probing_data --out /tmp/pe   # on the GPU
    python bench/probing_experiment.py record /tmp/pe

`prepare --size tiny --num-images 32 --num-probe 40 --smoke` runs the whole chain on the CPU.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"
CONFIGS = ("rate_0", "rate_50", "rate_100", "probe")
ROW_COLUMNS = ("id", "messages", "questions", "embedded", "user_set", "embedded_fields")


def export_rows(rows, images_dir: Path) -> list[dict]:
    """Rows -> JSON-able dicts naming their image file; identical images are stored once."""
    exported = []
    for row in rows:
        data = row["images"][0]["bytes"]
        name = hashlib.sha256(data).hexdigest()[:20] + ".jpg"
        if not (images_dir / name).exists():
            (images_dir / name).write_bytes(data)
        exported.append(
            {**{k: row[k] for k in ROW_COLUMNS}, "embedded_text": row["embedded_text"]}
            | {"image_file": name}
        )
    return exported


def clean_probe_rows(params: dict, probe_ids: list[str], images_dir: Path) -> list[dict]:
    """The probe images as they were before the text was drawn (same scenes, same questions)."""
    from builders.privacy_images_builder import PrivacyImagesConfig
    from mmpriv_data.definitions.privacy_images import base_item

    plan = PrivacyImagesConfig(name="probe", **params).params
    rows = []
    for item_id in probe_ids:
        item = base_item(plan, item_id)
        name = hashlib.sha256(item["image_bytes"]).hexdigest()[:20] + ".jpg"
        (images_dir / name).write_bytes(item["image_bytes"])
        rows.append(
            {
                "id": item_id,
                "messages": item["messages"],
                "questions": item["questions"],
                "embedded": False,
                "user_set": "",
                "embedded_fields": [],
                "embedded_text": "",
                "image_file": name,
            }
        )
    return rows


def prepare(args) -> None:
    import tempfile

    import datasets

    from mmpriv_data.hub.build import build
    from trainers.tiny_model import build_tiny_model, model_record

    params = {
        "num_images": args.num_images,
        "num_probe": args.num_probe,
        "width": args.width,
        "height": args.height,
        "seed": args.seed,
        **({"fields": args.fields} if args.fields else {}),
        **({"font_size": args.font_size} if args.font_size else {}),
    }
    out = args.out
    if out.exists():
        shutil.rmtree(out)
    (out / "images").mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        settings = {k: str(v) for k, v in params.items() if k != "seed"}
        build("privacy-images", tmp, seed=args.seed, settings=settings, configs=list(CONFIGS))
        configs = {}
        for config in CONFIGS:
            loaded = datasets.load_dataset(str(Path(tmp) / "privacy-images"), config)
            rows = next(iter(loaded.values())).cast_column(
                "images", datasets.List(datasets.Image(decode=False))
            )
            configs[config] = export_rows(rows, out / "images")
        probe_ids = [row["id"] for row in configs["probe"]]
        configs["probe_clean"] = clean_probe_rows(params, probe_ids, out / "images")
        model_dir = build_tiny_model(args.arch, args.size, Path(tmp) / "model", seed=args.seed)
        (out / "model").mkdir()
        for path in model_dir.iterdir():
            if not path.name.endswith(".safetensors"):  # weights are re-initialised on the GPU
                shutil.copy(path, out / "model" / path.name)
        record = model_record(model_dir)
    counts = {name: len(rows) for name, rows in configs.items()}
    embedded = {name: sum(r["embedded"] for r in rows) for name, rows in configs.items()}
    setup = {
        "dataset": "privacy-images",
        "build_parameters": params,
        "rows": counts,
        "embedded_rows": embedded,
        "model": {"arch": args.arch, "size": args.size, "parameters": record["parameters"]},
    }
    (out / "rows.json").write_text(json.dumps({"setup": setup, "configs": configs}))
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"exported {counts} (embedded {embedded}) to {out}: {size / 2**20:.1f} MiB")
    if args.smoke:
        smoke = out / "smoke-results"
        gpu = [sys.executable, str(ROOT / "bench" / "probing_experiment_gpu.py")]
        gpu += ["--data", str(out), "--out", str(smoke), "--epochs", "2", "--eval-batch", "16"]
        subprocess.run(gpu, check=True)
        print(f"smoke run wrote {sorted(p.name for p in smoke.iterdir())}")


def markdown(report: dict) -> str:
    setup = report["setup"]
    lines = [
        "# ProbingPrivacy experiment: probing, leakage and VQA by training rate",
        "",
        f"Device: {report['device']}; total {report.get('total_seconds', '?')} s. Model: "
        f"`mmpriv tiny-model --arch {setup['model']['arch']} --size {setup['model']['size']}` "
        f"({setup['model']['parameters'] / 1e6:.1f}M parameters), the same configuration and "
        f"seed for every run, trained from scratch (all weights) for up to {setup['epochs']} "
        f"epochs or {setup['train_budget_s']} s at lr {setup['lr']}, batch {setup['batch_size']}.",
        f"Data: privacy-images {setup['build_parameters']}; rows {setup['rows']}; "
        f"embedded {setup['embedded_rows']}.",
        f"Probe query: {setup['query']!r}; LogisticRegression(max_iter=5000) per layer, "
        "stratified 80/20 split (random_state=42). Chance = 0.5.",
        "",
        "| condition | train loss (first -> last epoch) | VQA acc (held-out) | probe acc: "
        "best layer | mean over layers | exact leakage (embedded) | false leak (clean) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, entry in report["conditions"].items():
        training = entry.get("training")
        loss = (
            f"{training['first_loss']} -> {training['last_epoch_loss']} "
            f"({training['epochs_done']:g} epochs, {training['seconds']} s)"
            if training
            else "-"
        )
        probing, leakage = entry["probing"], entry["leakage"]
        lines.append(
            f"| {name} | {loss} | {entry['vqa_heldout_clean']['accuracy']:.3f} | "
            f"{probing['best_accuracy']:.3f} (layer {probing['best_layer']}) | "
            f"{probing['mean_accuracy']:.3f} | {leakage['embedded_exact_rate']} | "
            f"{leakage['clean_any_user_rate']} |"
        )
    lines += ["", "Probe accuracy by layer (0 = embeddings):", ""]
    for name, entry in report["conditions"].items():
        accuracy = ", ".join(f"{a:.2f}" for a in entry["probing"]["accuracy_by_layer"])
        lines.append(f"- {name}: {accuracy}")
    lines += ["", "Exact leakage per field (embedded exact rate / clean any-user rate):", ""]
    for name, entry in report["conditions"].items():
        fields = entry["leakage"]["per_field"]
        parts = [
            f"{field} {g['embedded']['exact_rate']}/{g['clean']['any_user_rate']}"
            for field, g in fields.items()
        ]
        lines.append(f"- {name}: " + "; ".join(parts))
    lines += ["", "Plot: `probing_experiment.png`.", ""]
    return "\n".join(lines)


def record(args) -> None:
    report = json.loads((args.results / "probing_experiment.json").read_text())
    RESULTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(args.results / "probing_experiment.json", RESULTS / f"{args.name}.json")
    shutil.copyfile(args.results / "probing_experiment.png", RESULTS / f"{args.name}.png")
    text = markdown(report).replace("`probing_experiment.png`", f"`{args.name}.png`")
    if args.notes:
        text += "\n" + args.notes.read_text()
    (RESULTS / f"{args.name}.md").write_text(text)
    print(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    prep = commands.add_parser("prepare", help="build, export and save the model configuration")
    prep.add_argument("--out", type=Path, default=ROOT / ".probing_data")
    prep.add_argument("--num-images", type=int, default=1000)
    prep.add_argument("--num-probe", type=int, default=400)
    prep.add_argument("--width", type=int, default=224)
    prep.add_argument("--height", type=int, default=224)
    prep.add_argument("--fields", default="", help="embedded fields (default: all six)")
    prep.add_argument("--font-size", type=int, default=0, help="0: scaled to the image")
    prep.add_argument("--arch", default="llava")
    prep.add_argument("--size", default="base")
    prep.add_argument("--seed", type=int, default=0)
    prep.add_argument("--smoke", action="store_true", help="then run the GPU script on the CPU")
    rec = commands.add_parser("record", help="copy the GPU results into bench/results")
    rec.add_argument("results", type=Path)
    rec.add_argument("--notes", type=Path, help="Markdown appended to the summary")
    rec.add_argument("--name", default="probing_experiment", help="file name in bench/results")
    args = parser.parse_args()
    prepare(args) if args.command == "prepare" else record(args)


if __name__ == "__main__":
    main()
