"""Curriculum pretraining of the reader (GPU), measured on the real probe images.

Stages (each a time budget; a checkpoint and an evaluation after each):
1. `lines`: CTC on the text block's six lines, cropped at the true box (jittered), plus the
   text-locating heatmap; no LM. Font sizes mixed (larger ones help the glyphs first).
2. `images`: everything, whole images with text at random places: LM loss on reading tasks
   (whole text, username, user_id, other fields) and scene VQA; crops half from true boxes,
   half from the model's own located box.
3. `default`: the default style only (font size auto = 16 px at 640x480), crops from the
   model's own box: the setting of the experiment.
Reading is scored on the `probe` images of privacy-images (users never drawn in training):
exact username and user_id by greedy decoding of "What is the username?" / "user_id?".

    python -m bench.reader.train_reader --bundle B --ckpt C --stages lines:150,images:300
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import time
import zlib
from multiprocessing import Pool
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, IterableDataset, get_worker_info

from bench.reader import model as reader_model
from bench.reader.ckpt_pieces import load_pieces, save_pieces
from bench.reader.render import draw_row, input_box, load_bundle, pretrain_sample

STAGES = {
    "lines": {"text_prob": 1.0, "default_prob": 0.6, "font_range": (16, 28), "lm": False,
              "ctc_weight": 1.0, "pred_prob": 0.0, "jitter": 0.04, "lr": 1.5e-3, "batch": 96,
              "mix": {"read": 1.0}},
    "images": {"text_prob": 0.85, "default_prob": 0.6, "font_range": (14, 26), "lm": True,
               "ctc_weight": 1.0, "pred_prob": 0.5, "jitter": 0.04, "lr": 8e-4, "batch": 64,
               "mix": {"read": 0.2, "username": 0.4, "user_id": 0.25, "field": 0.05, "vqa": 0.1}},
    "default": {"text_prob": 0.85, "default_prob": 1.0, "font_range": (16, 16), "lm": True,
                "ctc_weight": 0.3, "pred_prob": 0.8, "jitter": 0.03, "lr": 4e-4, "batch": 64,
                "mix": {"read": 0.3, "username": 0.35, "user_id": 0.2, "field": 0.05, "vqa": 0.1}},
}  # fmt: skip


class FreshImages(IterableDataset):
    """An endless stream of freshly drawn images; each worker has its own seeded stream and
    keeps the base scenes it decoded (PNG decoding was a large share of drawing time)."""

    def __init__(self, bundle: dict, stage: dict, seed: int):
        self.bundle, self.stage, self.seed = bundle, stage, seed

    def __iter__(self):
        worker = get_worker_info()
        rng = np.random.default_rng([self.seed, worker.id if worker else 0])
        decoded: dict[int, object] = {}
        while True:
            yield pretrain_sample(rng, self.bundle, self.stage, decoded)


def collate(samples: list[dict]) -> dict:
    ids, labels = reader_model.pad_batch([reader_model.chat_tokens([s["qa"]]) for s in samples])
    return {
        "images": torch.from_numpy(np.stack([s["image"] for s in samples])),
        "boxes": torch.tensor([s["box"] for s in samples], dtype=torch.float32),
        "has_text": torch.tensor([s["has_text"] for s in samples]),
        "lines": [s["lines"] for s in samples],
        "ids": ids,
        "labels": labels,
    }


def _draw_probe(row: dict) -> tuple[np.ndarray, bool]:
    image, data = draw_row(row["png"], row["params"])
    return image, hashlib.sha256(data).hexdigest() == row["sha256"]


def render_rows(rows: list[dict], workers: int) -> tuple[torch.Tensor, float]:
    """Model inputs of experiment rows as drawn by mmpriv; and the share byte-identical."""
    with Pool(workers) as pool:
        drawn = pool.map(_draw_probe, rows, chunksize=16)
    same = float(np.mean([ok for _, ok in drawn]))
    return torch.from_numpy(np.stack([image for image, _ in drawn])), same


def training_loss(model, batch: dict, stage: dict, device) -> tuple[torch.Tensor, dict]:
    images = batch["images"].to(device, non_blocking=True)
    truth = batch["boxes"].to(device)
    has_text = batch["has_text"].to(device)
    x = model.normalize(images)
    heat, scene = model.global_encoder(x)
    predicted = reader_model.decode_boxes(heat.float())[0].detach()
    use_predicted = (torch.rand(len(truth), device=device) < stage["pred_prob"]) | ~has_text
    jittered = reader_model.jitter_boxes(truth, stage["jitter"])
    boxes = torch.where(use_predicted[:, None], predicted, jittered)
    lines, ctc = model.line_reader(reader_model.crop_canvas(x, boxes))
    parts = {
        "heat": reader_model.heat_loss(heat, truth, has_text),
        "ctc": reader_model.ctc_loss(ctc, batch["lines"]),
    }
    loss = parts["heat"] + stage["ctc_weight"] * parts["ctc"]
    if stage["lm"]:
        ids, labels = batch["ids"].to(device), batch["labels"].to(device)
        embeds = model.image_embeds(lines, scene, ctc)
        parts["lm"] = model.lm_forward(embeds, ids, labels).loss
        loss = loss + parts["lm"]
    return loss, {k: round(float(v.detach()), 4) for k, v in parts.items()}


@torch.no_grad()
def evaluate(model, probe: dict, n: int, batch_size: int = 250) -> dict:
    """Exact username / user_id (greedy), CTC line reading and box IoU on probe images."""
    model.eval()
    device = next(model.parameters()).device
    hits = {"username": 0, "user_id": 0, "ctc_username": 0, "iou": 0.0}
    examples = []
    for start in range(0, n, batch_size):
        end = min(n, start + batch_size)
        images = probe["images"][start:end].to(device)
        with torch.autocast("cuda", torch.bfloat16, enabled=device.type == "cuda"):
            tower = model.tower(images)
            embeds = model.image_embeds(tower["lines"], tower["scene"], tower["ctc"])
            names = reader_model.greedy_answers(model, embeds, "What is the username?", 20)
            ids = reader_model.greedy_answers(model, embeds, "What is the user_id?", 12)
        lines = reader_model.ctc_greedy(tower["ctc"])
        truth = probe["boxes"][start:end].to(device)
        hits["iou"] += float(box_iou(tower["boxes"].float(), truth).sum())
        for k, (name, uid, ctc) in enumerate(zip(names, ids, lines, strict=True)):
            row = start + k
            hits["username"] += name == probe["username"][row]
            hits["user_id"] += uid == probe["user_id"][row]
            hits["ctc_username"] += ctc[0] == "username: " + probe["username"][row]
            if len(examples) < 6:
                examples.append([probe["username"][row], name, probe["user_id"][row], uid, ctc[0]])
    model.train()
    result = {k: round(v / n, 4) for k, v in hits.items()}
    return {**result, "n": n, "examples": examples}


def box_iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    x0, y0 = torch.maximum(a[:, 0], b[:, 0]), torch.maximum(a[:, 1], b[:, 1])
    x1, y1 = torch.minimum(a[:, 2], b[:, 2]), torch.minimum(a[:, 3], b[:, 3])
    inter = (x1 - x0).clamp(min=0) * (y1 - y0).clamp(min=0)
    area = lambda z: (z[:, 2] - z[:, 0]) * (z[:, 3] - z[:, 1])  # noqa: E731
    return inter / (area(a) + area(b) - inter).clamp(min=1e-6)


def run_stage(model, optimizer, name, seconds, bundle, probe, args, log) -> None:
    stage = STAGES[name]
    loader = DataLoader(
        FreshImages(
            bundle, stage, seed=zlib.crc32(name.encode()) + args.seed + 7919 * args.command
        ),
        batch_size=args.batch or stage["batch"],
        num_workers=args.workers,
        collate_fn=collate,
        prefetch_factor=4 if args.workers else None,
        pin_memory=torch.cuda.is_available(),
    )
    device = next(model.parameters()).device
    started = last_eval = time.perf_counter()
    step, draws, waited, ready = 0, 0, 0.0, time.perf_counter()
    for batch in loader:
        wait = time.perf_counter() - ready  # the GPU sat idle waiting for drawn images
        waited += wait
        draws += 1
        elapsed = time.perf_counter() - started
        if elapsed > seconds or (args.max_steps and step >= args.max_steps):
            break
        # When drawing is the bottleneck, spend the idle time on one more step over the same
        # images (fresh box jitter and box source): at most 2 steps per drawn batch.
        repeats = 1
        while True:
            tic = time.perf_counter()
            for group in optimizer.param_groups:
                group["lr"] = stage["lr"] * reader_model.cosine_lr(
                    int(elapsed * 10), seconds * 10, 150
                )
            with torch.autocast("cuda", torch.bfloat16, enabled=device.type == "cuda"):
                loss, parts = training_loss(model, batch, stage, device)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            if step % 100 == 0 or step == 1:
                print(f"{name} step {step} draws {draws} {elapsed:.0f}s wait {waited:.0f}s "
                      f"{parts}", flush=True)  # fmt: skip
            if repeats >= 1 + args.reuse or wait < time.perf_counter() - tic:
                break
            repeats += 1
            elapsed = time.perf_counter() - started
        if time.perf_counter() - last_eval > args.eval_every:
            point = evaluate(model, probe, min(args.eval_n, len(probe["username"])))
            log["curve"].append({"stage": name, "step": step, "seconds": round(elapsed),
                                 "command": args.command, **point})  # fmt: skip
            print("eval", json.dumps(log["curve"][-1]), flush=True)
            save_progress(model, log, args)
            last_eval = time.perf_counter()
        ready = time.perf_counter()
    log["stages"].append(
        {"stage": name, "steps": step, "draws": draws, "batch": args.batch or stage["batch"],
         "seconds": round(time.perf_counter() - started), "data_wait_s": round(waited)}
    )  # fmt: skip


def save_progress(model, log: dict, args) -> None:
    """Checkpoint pieces and the log into $OUT now: the call may be cut at its time limit."""
    args.out.mkdir(parents=True, exist_ok=True)
    save_pieces(model.state_dict(), args.out / "ckpt")
    (args.out / "reader_log.json").write_text(json.dumps(log, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--ckpt", type=Path, required=True, help="fp32 state dict, then saved")
    parser.add_argument("--pieces", type=Path, default=None, help="start from carried pieces")
    parser.add_argument("--log-in", type=Path, default=None, help="carried reader_log.json")
    parser.add_argument("--command", type=int, default=1, help="device call number, for logs")
    parser.add_argument("--stages", default="lines:150,images:300", help="name:seconds,...")
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("OUT", ".")))
    parser.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 2) - 1))
    parser.add_argument("--batch", type=int, default=0, help="0 = each stage's own")
    parser.add_argument("--reuse", type=int, default=1, help="extra steps per batch when idle")
    parser.add_argument("--eval-every", type=float, default=90)
    parser.add_argument("--eval-n", type=int, default=500)
    parser.add_argument("--probe-n", type=int, default=2000)
    parser.add_argument("--max-steps", type=int, default=0, help="per stage; 0 = time only")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(args.seed + 1000 * args.command)
    torch.backends.cudnn.benchmark = True
    bundle = load_bundle(args.bundle)
    model = reader_model.Reader().to(device)
    if args.pieces is not None:
        model.load_state_dict(load_pieces(args.pieces))
        print(f"loaded pieces {args.pieces}", flush=True)
    elif args.ckpt.exists():
        model.load_state_dict(torch.load(args.ckpt, map_location=device))
        print(f"loaded {args.ckpt}", flush=True)
    print(f"parameters: {reader_model.count_parameters(model) / 1e6:.1f}M", flush=True)
    rows = bundle["probe"][: args.probe_n]
    images, same = render_rows(rows, args.workers or 1)
    probe = {
        "images": images,
        "boxes": torch.tensor([input_box(r["params"]["bbox"]) for r in rows]),
        "username": [r["username"] for r in rows],
        "user_id": [r["user_id"] for r in rows],
    }
    log = {"curve": [], "stages": []}
    if args.log_in is not None and args.log_in.exists():
        log = json.loads(args.log_in.read_text())
    log["probe_bytes_identical"] = same
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    for spec in args.stages.split(","):
        name, seconds = spec.split(":")
        run_stage(model, optimizer, name, float(seconds), bundle, probe, args, log)
        log["stages"][-1]["command"] = args.command
        args.ckpt.parent.mkdir(parents=True, exist_ok=True)
        torch.save(model.state_dict(), args.ckpt)
        final = evaluate(model, probe, len(rows))
        log["curve"].append({"stage": name, "step": "end", "command": args.command, **final})
        print("stage end", json.dumps(log["curve"][-1]), flush=True)
        save_progress(model, log, args)


if __name__ == "__main__":
    main()
