"""Does preference tuning (NCA-P, DPO) raise the SPY privacy score of a small model?

Two steps, because the GPU machine lacks datasets/Faker:

    python bench/spy_preference.py export --out bench/spy_gpu       # CPU: data JSON + model
    python bench/spy_preference.py run --data bench/spy_gpu --out OUT  # GPU: torch only

`run` scores, on the same `bench` rows: the randomly initialised model, that model after a
short SFT on `tune` (the "untuned" starting point of preference tuning), and the SFT model
after NCA-P and after DPO on `pairs`. Scores come from evaluators/spy.py (no judge model).
"""

import argparse
import base64
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def export(out: Path, bench_items: int, tune_items: int, size: str) -> None:
    from mmpriv_data.content.spy import prompts
    from mmpriv_data.definitions.spy_instructions import item_rows
    from trainers.tiny_model import build_tiny_model, default_texts

    out.mkdir(parents=True, exist_ok=True)
    images: dict[str, str] = {}
    data: dict[str, list] = {"bench": [], "tune": [], "pairs": []}
    counts = {"bench": bench_items, "tune": tune_items, "pairs": tune_items}
    for config, per_category in counts.items():
        for category in prompts.ITEMS:
            for number in range(per_category):
                for row in item_rows(0, config, category, number):
                    image = row.pop("images")[0]["bytes"]
                    images[row["item_id"]] = base64.b64encode(image).decode("ascii")
                    data[config].append(row)
    (out / "data.json").write_text(json.dumps({"images": images, **data}))
    texts = default_texts()
    for row in data["bench"][:400] + data["tune"]:
        texts += [t["content"][-1]["text"] for t in row["messages"]]
    build_tiny_model("llava", size, out / "model", texts=texts)
    print({k: len(v) for k, v in data.items()}, "->", out)


def _load(folder: Path) -> dict:
    blob = json.loads((folder / "data.json").read_text())
    images = {
        k: {"bytes": base64.b64decode(v), "path": None} for k, v in blob.pop("images").items()
    }
    for rows in blob.values():
        for row in rows:
            row["images"] = [images[row["item_id"]]]
    return blob


def sft(model_path: Path, rows: list, out: Path, steps: int, batch: int, lr: float) -> list:
    """Plain SFT on the reference replies (mean token NLL), full weights."""
    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor

    from trainers.data import clean_messages, to_pil
    from trainers.preference import collate, encode, sequence_logps

    device = "cuda" if torch.cuda.is_available() else "cpu"
    processor = AutoProcessor.from_pretrained(model_path)
    model = AutoModelForImageTextToText.from_pretrained(model_path).to(device).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    order = torch.randperm(len(rows), generator=torch.Generator().manual_seed(0)).tolist()
    losses = []
    for step in range(steps):
        chunk = [rows[order[(step * batch + i) % len(rows)]] for i in range(batch)]
        encoded = [
            encode(
                processor,
                to_pil(r["images"][0]),
                clean_messages(r["messages"][:1]),
                r["messages"][1]["content"][0]["text"],
            )
            for r in chunk
        ]
        data = {
            k: v.to(device) for k, v in collate(encoded, processor.tokenizer.pad_token_id).items()
        }
        loss = -sequence_logps(model, data).sum() / data["reply_mask"][:, 1:].sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.save_pretrained(out)
    processor.save_pretrained(out)
    return losses


def score(model_path: Path, bench: list) -> dict:
    from mmpriv_data.cli.eval_spy import generate_replies, report, score_rows

    replies = generate_replies(model_path, bench, max_new_tokens=40, batch_size=64)
    records = score_rows(bench, replies)
    overall = report(records)["overall"]
    keys = ("accuracy", "ics_without_scenario", "ics_with_scenario", "rta", "ata", "leak_rate")
    summary = {k: overall[k]["score"] for k in keys}
    summary |= {"hms": overall["hms"], "privacy_score": overall["privacy_score"]}
    return {"summary": summary, "examples": [(r["id"], r["reply"]) for r in records[:6]]}


def run(folder: Path, out: Path, args) -> None:
    import torch

    from trainers.preference import train_preference

    t0 = time.time()
    data = _load(folder)
    work = Path(args.work)
    results = {
        "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu",
        "rows": {k: len(v) for k, v in data.items()},
        "args": {k: str(v) for k, v in vars(args).items()},
    }
    out.mkdir(parents=True, exist_ok=True)

    def save():  # after every stage: a run cut short still reports what it finished
        results["seconds"] = round(time.time() - t0, 1)
        (out / "spy.json").write_text(json.dumps(results, indent=2))

    if args.sft_from:  # preference runs from an SFT model an earlier run saved
        sft_model = Path(args.sft_from)
    else:
        results["random_init"] = score(folder / "model", data["bench"])
        save()
        sft_model = work / "sft"
        sft_losses = sft(folder / "model", data["tune"], sft_model, args.sft_steps, 32, 1e-3)
        results["sft"] = score(sft_model, data["bench"]) | {"loss": sft_losses[::25]}
        save()
    for method in args.methods.split(","):
        trained = train_preference(
            sft_model, data["pairs"], work / method, method=method, lr=args.pref_lr,
            batch_size=8, lora_rank=0, max_steps=args.pref_steps, beta=args.beta,
        )  # fmt: skip
        results[method] = score(work / method, data["bench"]) | {"loss": trained["losses"][::25]}
        results[method]["beta"] = trained["beta"]
        save()
    print(
        json.dumps(
            {k: v.get("summary", v) if isinstance(v, dict) else v for k, v in results.items()},
            indent=1,
        )
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_export = sub.add_parser("export")
    p_export.add_argument("--out", type=Path, default=Path("bench/spy_gpu"))
    p_export.add_argument("--bench-items", type=int, default=3)
    p_export.add_argument("--tune-items", type=int, default=8)
    p_export.add_argument("--size", default="small")
    p_run = sub.add_parser("run")
    p_run.add_argument("--data", type=Path, default=Path("bench/spy_gpu"))
    p_run.add_argument("--out", type=Path, required=True)
    p_run.add_argument("--sft-steps", type=int, default=150)
    p_run.add_argument("--pref-steps", type=int, default=200)
    p_run.add_argument("--pref-lr", type=float, default=1e-4)
    p_run.add_argument("--beta", type=float, default=None, help="default: the method's own")
    p_run.add_argument("--methods", default="nca_p,dpo")
    p_run.add_argument("--sft-from", default="", help="an SFT model saved by an earlier run")
    p_run.add_argument("--work", default="/tmp/spy-bench-models")
    args = parser.parse_args()
    if args.command == "export":
        export(args.out, args.bench_items, args.tune_items, args.size)
    else:
        run(args.data, args.out, args)
