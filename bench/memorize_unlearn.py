"""GPU check of the trainers: a model trained from scratch memorizes profiles, then unlearns.

Superseded as a measurement by bench/unlearning_seeds.py (issue 16): this script scores the
very MCQ prompts and letters it trained on, in their stored option order, reports first-letter
accuracy (a format test on an untrained model; `choice_accuracy` is the fair baseline), scores
only `--retain-limit` retain people after unlearning, and runs one seed. Kept as a quick
trainer smoke check; quote unlearning_seeds.py's results, not this one's.

1. `build_tiny_model("llava", "base")` (~105M parameters, RANDOM weights): MCQ at chance.
2. Full finetuning on profiles/full (+ its questions, as MLLMU-Bench's ft_Data): MCQ accuracy.
3. GA and NPO on forget_10 from the finetuned model: forget vs retain_90 accuracy.

Needs no `datasets`/Faker (the device lacks them): reads parquet with pyarrow and takes the
tokenizer's training text from a JSON list written beforehand:

    python -c "import json; from trainers.tiny_model import default_texts; \
        json.dump(default_texts(), open('texts.json', 'w'))"
    python bench/memorize_unlearn.py --data hub/profiles --texts texts.json --work /tmp/w
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from evaluators.qa import evaluate_qa, mcq_overall
from trainers.lora import TrainSettings, train_lora
from trainers.tiny_model import build_tiny_model
from trainers.unlearn import unlearn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="profiles folder (parquet layout)")
    parser.add_argument("--texts", required=True, help="JSON list of tokenizer training texts")
    parser.add_argument("--work", default="/tmp/memorize-unlearn")
    parser.add_argument("--out", default="bench/results/memorize_unlearn.json")
    parser.add_argument("--size", default="base")
    parser.add_argument("--epochs", type=float, default=70)
    parser.add_argument("--lr", type=float, default=3e-4)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--unlearn-lr", type=float, default=5e-5)
    parser.add_argument("--unlearn-steps", default="5,10,20,40")
    parser.add_argument("--retain-limit", type=int, default=40, help="people of retain_90 scored")
    parser.add_argument("--workers", type=int, default=8)
    # Clipping at 1.0 with lr 3e-4 is what kept the 105M model from diverging (trainers.md).
    parser.add_argument("--max-grad-norm", type=float, default=1.0)
    # bf16 autocast on a GPU; --no-bf16 trains and scores in fp32 (faster on a CPU).
    parser.add_argument("--bf16", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()
    work = Path(args.work)
    results: dict = {"args": vars(args)}
    started = time.perf_counter()

    def save() -> None:
        """After every stage, so a run cut short still leaves what it measured."""
        results["seconds"] = time.perf_counter() - started
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(results, indent=2) + "\n")

    def evaluate(model: Path, configs: list[str], tasks=("mcq",), limit=None) -> dict:
        report = evaluate_qa(
            str(model), args.data, configs, tasks=tasks, batch_size=128, bf16=args.bf16, limit=limit
        )
        return {c: mcq_overall(report["configs"][c]) for c in configs} | {
            f"{c}_cloze": report["configs"][c]["aggregate"].get("cloze")
            for c in configs
            if "cloze" in tasks
        }

    base = build_tiny_model("llava", args.size, work / "base", json.load(open(args.texts)))
    results["model"] = json.loads((base / "mmpriv_tiny_model.json").read_text())
    results["before"] = evaluate(base, ["full"])
    print("before", json.dumps(results["before"]["full"]), flush=True)
    save()

    settings = TrainSettings(
        epochs=args.epochs,
        lr=args.lr,
        batch_size=args.batch_size,
        bf16=args.bf16,
        full_finetune=True,
        with_questions=True,
        warmup_ratio=0.05,
        weight_decay=0.0,
        max_grad_norm=args.max_grad_norm,
        log_every=200,
        num_workers=args.workers,
    )
    summary = train_lora(str(base), args.data, "full", work / "ft", settings)
    results["finetune"] = {k: summary[k] for k in ("examples", "batches", "tokens", "seconds")}
    results["finetune"] |= {"first_loss": summary["first_loss"], "last_loss": summary["last_loss"]}
    # About 40 points of the loss curve: enough to see where a run diverges.
    stride = max(1, len(summary["losses"]) // 40)
    results["finetune"]["loss_curve"] = summary["losses"][::stride]
    results["after_finetune"] = evaluate(
        work / "ft", ["full", "forget_10", "retain_90"], tasks=("mcq", "cloze")
    )
    print("finetuned", json.dumps(results["after_finetune"]["full"]), flush=True)
    save()

    results["unlearning"] = []
    for method in ("ga", "npo"):
        for steps in [int(s) for s in args.unlearn_steps.split(",") if s]:
            out = work / f"{method}-{steps}"
            unlearn_settings = TrainSettings(
                lr=args.unlearn_lr,
                batch_size=16,
                bf16=args.bf16,
                full_finetune=True,
                with_questions=True,
                log_every=1000,
                num_workers=2,
            )
            info = unlearn(
                method,
                str(work / "ft"),
                f"{args.data}:forget_10",
                None,
                out,
                unlearn_settings,
                max_steps=steps,
            )
            scores = evaluate(out, ["forget_10"])
            scores |= evaluate(out, ["retain_90"], limit=args.retain_limit)
            row = {"method": method, "steps": steps, "lr": args.unlearn_lr, **scores}
            row["forget_nll"] = [info["first_forget_nll"], info["last_forget_nll"]]
            results["unlearning"].append(row)
            print(
                method,
                steps,
                f"forget {scores['forget_10']['accuracy']:.3f}",
                f"retain {scores['retain_90']['accuracy']:.3f}",
                flush=True,
            )
            save()
    save()
    print(f"wrote {args.out} in {results['seconds']:.0f} s")


if __name__ == "__main__":
    main()
