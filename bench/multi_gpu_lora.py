"""Check that `train_lora` runs data-parallel on several GPUs (accelerate) and say how fast.

Run once on one process and once under `accelerate launch` on N GPUs, with the same data and
settings; each run appends its summary (processes, tokens, seconds, losses) to --out:

    python bench/multi_gpu_lora.py --model M --data hub/profiles --out r.jsonl
    accelerate launch --num_processes 2 bench/multi_gpu_lora.py --model M --data ... --out r.jsonl

Needs no `datasets` (pyarrow reads the parquet folder), so it runs on the GPU machine as is.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from trainers.lora import TrainSettings, train_lora


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", required=True, help="JSON lines, one per run")
    parser.add_argument("--save", default="/tmp/multi-gpu-adapter")
    parser.add_argument("--epochs", type=float, default=2)
    parser.add_argument("--batch-size", type=int, default=64, help="per process")
    parser.add_argument("--pack-length", type=int, default=1024)
    args = parser.parse_args()
    settings = TrainSettings(
        epochs=args.epochs,
        lr=2e-4,
        batch_size=args.batch_size,
        bf16=True,
        with_questions=True,
        pack_length=args.pack_length,
        num_workers=4,
        log_every=1000,
    )
    summary = train_lora(args.model, args.data, "full", Path(args.save), settings)
    from accelerate import PartialState

    state = PartialState()
    if state.is_main_process:
        record = {"processes": state.num_processes}
        record |= {k: summary[k] for k in ("batches", "tokens", "seconds", "first_loss")}
        record["last_loss"] = summary["last_loss"]
        record["tokens_per_s"] = summary["tokens"] / summary["seconds"]
        record["adapter_saved"] = (Path(args.save) / "adapter_config.json").exists()
        with open(args.out, "a") as out:
            out.write(json.dumps(record) + "\n")
        print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
