"""Membership inference against LoRA targets finetuned 1, 2 and 3 epochs, over several seeds.

    python bench/mia_attacks.py base --data DIR/mia-neighbors --warmup DIR2/profiles --work W
    python bench/mia_attacks.py run --data DIR/mia-neighbors --work W --seeds 0,1,2 --out R
    python bench/mia_attacks.py collect R/seed*.json --out bench/results/mia_attacks.json

`base`: a randomly initialised model trained (all weights) on the conversations of OTHER
fictitious people (a profiles build of another seed), so that it writes the format before any
member is seen; it is also the reference model of the `ref` attack, having seen no sample.
`run`: LoRA on the `samples` config's `member` split for each epoch count, then every attack
(`evaluators.mia.run.run_mia`, FiMMIA out of fold) in the sample-level setting: members vs
non-members under the same target. Metrics: AUC with a stratified bootstrap interval, TPR at
1% and 0.1% FPR (`mmpriv_data.core.metrics.roc_summary`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ATTACKS = "loss,zlib,min_k,min_k_pp,neighborhood,ref,fimmia"


def base(args) -> None:
    import torch

    from bench.unlearning_metrics import tokenizer_texts
    from trainers.lora import TrainSettings, train_lora
    from trainers.tiny_model import build_tiny_model

    torch.set_num_threads(args.threads)
    work = Path(args.work)
    random_init = work / "random_init"
    if not random_init.exists():
        build_tiny_model("llava", args.size, random_init, tokenizer_texts(args.texts))
    settings = TrainSettings(
        epochs=args.epochs, lr=args.lr, batch_size=16, full_finetune=True, warmup_ratio=0.05
    )
    summary = train_lora(str(random_init), args.warmup, "full", work / "base", settings)
    print("base", summary["examples"], summary["batches"], summary["last_loss"])


def cache_embeddings() -> None:
    """Embed the sample and neighbour texts once per process: they are the same for every
    target, and the text embedder is the costliest part of FiMMIA on a CPU."""
    import evaluators.mia.fimmia as fimmia

    original, cache = fimmia.embedding_differences, {}

    def cached(texts, neighbor_texts, path=""):
        key = (tuple(texts), tuple(map(tuple, neighbor_texts)), path)
        if key not in cache:
            cache[key] = original(texts, neighbor_texts, path)
        return cache[key]

    fimmia.embedding_differences = cached


def capture_losses():
    """Keep the inputs the neighbourhood attack reads (every sample's and neighbour's loss), so
    that FiMMIA can be fitted later on another machine (`fimmia` below): a GPU machine without
    the text embedder scores the samples, the CPU adds the embeddings."""
    import evaluators.mia.neighborhood as neighborhood

    original, captured = neighborhood.scores, {}

    def capturing(inputs):
        captured["inputs"] = inputs
        return original(inputs)

    neighborhood.scores = capturing
    return captured


def save_losses(inputs, path: Path) -> None:
    import numpy as np

    np.savez_compressed(
        path,
        labels=inputs.labels,
        groups=np.array(inputs.groups),
        losses=inputs.losses,
        neighbor_losses=np.array([[n.loss for n in ns] for ns in inputs.neighbors]),
    )


def run(args) -> None:
    for seed in [int(s) for s in args.seeds.split(",")]:
        run_seed(args, seed)


def run_seed(args, seed: int) -> None:
    import torch

    from evaluators.mia.run import run_mia
    from trainers.lora import TrainSettings, train_lora

    torch.set_num_threads(args.threads)
    cache_embeddings()
    captured = capture_losses()
    work, started = Path(args.work), time.perf_counter()
    rows = []
    args.seed, args.out_seed = seed, Path(args.out) / f"seed{seed}.json"
    for epochs in [int(e) for e in args.epochs_list.split(",")]:
        target = work / f"{args.tag}seed{args.seed}-ep{epochs}"
        settings = TrainSettings(
            epochs=epochs, lr=args.lr, batch_size=16, lora_r=16, lora_alpha=16,
            merge=True, seed=args.seed,
        )  # fmt: skip
        summary = train_lora(
            str(work / "base"), args.data, "samples", target, settings, split="member"
        )
        metrics = run_mia(
            target, Path(args.data), work / f"{args.tag}seed{args.seed}-ep{epochs}-mia",
            attacks=args.attacks, ref_model=work / "base", seed=args.seed,
        )  # fmt: skip
        if "inputs" in captured:
            args.out_seed.parent.mkdir(parents=True, exist_ok=True)
            save_losses(
                captured.pop("inputs"), args.out_seed.with_name(f"seed{seed}-ep{epochs}.npz")
            )
        for attack, m in metrics["attacks"].items():
            rows.append(
                {
                    "attack": attack,
                    "epochs": epochs,
                    "seed": args.seed,
                    "auc": m["auc"],
                    "ci": [m["auc_ci"]["low"], m["auc_ci"]["high"]],
                    "tpr_at_1pct_fpr": m["tpr_at_fpr"]["0.01"],
                    "tpr_at_0.1pct_fpr": m["tpr_at_fpr"]["0.001"],
                    "n_member": m["n_member"],
                    "n_nonmember": m["n_nonmember"],
                    "train_last_loss": summary["last_loss"],
                }
            )
            print(epochs, attack, round(m["auc"], 3), flush=True)
        out = {"seed": args.seed, "lr": args.lr, "rows": rows}
        out["seconds"] = round(time.perf_counter() - started, 1)
        args.out_seed.parent.mkdir(parents=True, exist_ok=True)
        args.out_seed.write_text(json.dumps(out, indent=2) + "\n")


def fimmia_later(args) -> None:
    """FiMMIA out of fold from the losses a `run` saved (`seed*-ep*.npz`), the text embeddings
    computed here; its rows are added to that seed's JSON, as `run` would have written them."""
    import numpy as np

    from evaluators.mia.fimmia import cross_fitted_scores, embedding_differences
    from evaluators.mia.run import load_rows, target_texts
    from mmpriv_data.core.metrics import roc_summary

    rows = load_rows(Path(args.data), True, 0)
    texts = target_texts(rows)
    emb_diffs = embedding_differences(texts, [[n["text"] for n in r["neighbors"]] for r in rows])
    for path in sorted(Path(args.results).glob("seed*-ep*.npz")):
        saved = np.load(path)
        if saved["groups"].tolist() != [r["id"] for r in rows]:
            raise SystemExit(f"{path}: its samples are not {args.data}'s, in that order")
        seed, epochs = (int(x) for x in path.stem[4:].split("-ep"))
        loss_diffs = saved["neighbor_losses"] - saved["losses"][:, None]
        scores = cross_fitted_scores(
            loss_diffs, emb_diffs, saved["labels"], saved["groups"].tolist(), seed
        )
        m = roc_summary(saved["labels"], scores, seed=seed)
        record_path = path.with_name(f"seed{seed}.json")
        record = json.loads(record_path.read_text())
        record["rows"] = [
            r for r in record["rows"] if (r["attack"], r["epochs"]) != ("fimmia", epochs)
        ]
        record["rows"].append(
            {"attack": "fimmia", "epochs": epochs, "seed": seed, "auc": m["auc"],
             "ci": [m["auc_ci"]["low"], m["auc_ci"]["high"]],
             "tpr_at_1pct_fpr": m["tpr_at_fpr"]["0.01"],
             "tpr_at_0.1pct_fpr": m["tpr_at_fpr"]["0.001"],
             "n_member": m["n_member"], "n_nonmember": m["n_nonmember"],
             "fitted_on": "CPU, from the losses the target's machine saved"}
        )  # fmt: skip
        record_path.write_text(json.dumps(record, indent=2) + "\n")
        print(path.name, "fimmia", round(m["auc"], 3), flush=True)


def collect(args) -> None:
    """Per-seed files -> one results file: every run, then per (attack, epochs) means with a
    t interval over seeds."""
    from bench.unlearning_metrics import seed_ci

    runs, seen = [], set()
    for path in args.files:  # a (attack, epochs, seed) met twice is the same target: keep one
        for row in json.loads(Path(path).read_text())["rows"]:
            key = (row["attack"], row["epochs"], row["seed"])
            if key not in seen:
                seen.add(key)
                runs.append(row)
    means = []
    for key in sorted({(r["attack"], r["epochs"]) for r in runs}):
        group = [r for r in runs if (r["attack"], r["epochs"]) == key]
        aucs = [r["auc"] for r in group]
        means.append(
            {
                "attack": key[0],
                "epochs": key[1],
                "seeds": len(group),
                "auc": sum(aucs) / len(aucs),
                "ci": seed_ci(aucs),
                "tpr_at_1pct_fpr": sum(r["tpr_at_1pct_fpr"] for r in group) / len(group),
                "tpr_at_0.1pct_fpr": sum(r["tpr_at_0.1pct_fpr"] for r in group) / len(group),
            }
        )
    record = {"note": args.note, "runs": runs, "means": means}
    Path(args.out).write_text(json.dumps(record, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_base = sub.add_parser("base")
    p_base.add_argument("--warmup", required=True, help="a profiles folder of other people")
    p_base.add_argument("--work", required=True)
    p_base.add_argument("--size", default="tiny")
    p_base.add_argument("--epochs", type=float, default=20)
    p_base.add_argument("--lr", type=float, default=2e-3)
    p_base.add_argument("--threads", type=int, default=1)
    p_base.add_argument("--texts", help="tokenizer texts (JSON list) instead of Faker's")
    p_run = sub.add_parser("run")
    p_run.add_argument("--data", required=True, help="a mia-neighbors folder")
    p_run.add_argument("--work", required=True)
    p_run.add_argument("--seeds", default="0,1,2")
    p_run.add_argument("--attacks", default=ATTACKS)
    p_run.add_argument("--tag", default="", help="prefix of the model folders of this run")
    p_run.add_argument("--out", required=True, help="folder of per-seed JSON files")
    p_run.add_argument("--lr", type=float, default=1e-3)
    p_run.add_argument(
        "--epochs-list", default="1,2,3", help="LoRA epochs of the targets (a long one: control)"
    )
    p_run.add_argument("--threads", type=int, default=1)
    p_later = sub.add_parser("fimmia", help="FiMMIA from a run's saved losses (CPU)")
    p_later.add_argument("--data", required=True, help="the mia-neighbors folder of the run")
    p_later.add_argument("--results", required=True, help="the run's --out folder")
    p_collect = sub.add_parser("collect")
    p_collect.add_argument("files", nargs="+")
    p_collect.add_argument("--out", required=True)
    p_collect.add_argument("--note", default="")
    args = parser.parse_args()
    commands = {"base": base, "run": run, "fimmia": fimmia_later, "collect": collect}
    commands[args.command](args)


if __name__ == "__main__":
    main()
