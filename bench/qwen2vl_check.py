"""GPU check of the Qwen2-VL path: tiny model, LoRA finetuning, full finetuning, QA scores.

The CPU machines cannot run Qwen2-VL's processor (it needs torchvision, which does not import
beside the CPU torch build there), so this runs where torchvision is: the GPU machine.

    python bench/qwen2vl_check.py --data hub/profiles --texts texts.json --out r.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from evaluators.qa import evaluate_qa, mcq_overall
from trainers.lora import TrainSettings, train_lora
from trainers.tiny_model import build_tiny_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--texts", required=True)
    parser.add_argument("--work", default="/tmp/qwen2vl-check")
    parser.add_argument("--out", default="bench/results/qwen2vl_check.json")
    parser.add_argument("--epochs", type=float, default=30)
    args = parser.parse_args()
    work, results, started = Path(args.work), {}, time.perf_counter()
    base = build_tiny_model("qwen2-vl", "small", work / "base", json.load(open(args.texts)))
    results["model"] = json.loads((base / "mmpriv_tiny_model.json").read_text())

    def score(model: Path) -> dict:
        report = evaluate_qa(
            str(model), args.data, ["forget_10"], ("mcq", "cloze"), batch_size=64, bf16=True
        )
        return {"mcq": mcq_overall(report["configs"]["forget_10"])} | {
            "cloze": report["configs"]["forget_10"]["aggregate"].get("cloze")
        }

    results["before"] = score(base)
    lora = train_lora(
        str(base),
        args.data,
        "forget_10",
        work / "lora",
        TrainSettings(epochs=1, lr=1e-3, batch_size=16, bf16=True, with_questions=True),
    )
    results["lora"] = {k: lora[k] for k in ("batches", "tokens", "first_loss", "last_loss")}
    results["lora"]["adapter_saved"] = (work / "lora" / "adapter_config.json").exists()
    full = TrainSettings(
        epochs=args.epochs, lr=1e-3, batch_size=16, bf16=True, full_finetune=True,
        with_questions=True, warmup_ratio=0.05, log_every=1000, num_workers=4,
    )  # fmt: skip
    summary = train_lora(str(base), args.data, "forget_10", work / "ft", full)
    results["finetune"] = {k: summary[k] for k in ("batches", "tokens", "seconds")}
    results["finetune"] |= {"first_loss": summary["first_loss"], "last_loss": summary["last_loss"]}
    results["after"] = score(work / "ft")
    results["seconds"] = time.perf_counter() - started
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
