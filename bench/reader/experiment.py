"""The ProbingPrivacy experiment on the reader (GPU): finetune, then record what probes need.

Conditions, all from the same reader checkpoint and the same 1000 base scenes:
- `base`: the reader before finetuning;
- `rate_0`, `rate_50`, `rate_100` x seeds: the rows of privacy-images' configs (overlay with
  U1 users on 0 / ~50 / 100% of the images); conversations are the scene questions only;
- `positive`: rate_100 images whose conversations also ask for, and give, the username
  (one per seed).
Every finetune takes the same number of optimizer steps and batch size. The vision tower is
frozen (as LoRA on the LLM is in the paper), so tower features are computed once per image.

Saved for the CPU-side analysis (device file limits: 16 MiB a file):
- hidden states at the last prompt position of "What is the username?" for every probe
  image and every LM layer (embeddings + each block), int8 after per-feature scaling; and
  (key suffix `@answer`) the same layers averaged over the image's own username fed as the
  answer: the second run's positive control was invisible at the prompt position;
- log p(username | image, prompt) of a U1 and of a U2 username for every probe image (the
  image's own name for its set, a paired name of the other set otherwise);
- (`@blind`, fourth run) the same name pass on the probe image's scene WITHOUT its text:
  the answer-position states and both log p. With nothing to read, a U1 name can only be
  more likely, or its states different, if the model memorized it (Das et al.'s point:
  a blind baseline separates memorization from reading).
- (`lens.npz`, fifth run) a logit lens on both name passes: per LM layer, log p of the
  teacher-forced name read off that layer's state through the model's own final norm and
  output head (the last layer's is the likelihood itself). Memorizing a name makes every
  name's states predict its own next characters, a direction that differs per name, so a
  linear probe across users cannot find it; the lens reads it from each layer's states.

    python -m bench.reader.experiment --bundle B --ckpt C --steps 250 --seeds 0,1,2
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np
import torch

from bench.reader import model as reader_model
from bench.reader.ckpt_pieces import load_pieces
from bench.reader.mmpriv_glue import record_text
from bench.reader.render import draw_row, load_bundle

PROBE_QUESTION = "What is the username?"
MODELS_PER_FILE = 3


def _draw(job: tuple[bytes, dict | None]) -> np.ndarray:
    return draw_row(*job)[0]


def render(jobs: list, workers: int) -> torch.Tensor:
    with Pool(workers) as pool:
        return torch.from_numpy(np.stack(pool.map(_draw, jobs, chunksize=16)))


@torch.no_grad()
def tower_features(model, images: torch.Tensor, batch: int = 200) -> dict[str, torch.Tensor]:
    """Frozen tower outputs (line and scene features) kept on the GPU in bf16."""
    device = next(model.parameters()).device
    lines, scene, ctc = [], [], []
    for start in range(0, len(images), batch):
        with torch.autocast(device.type, torch.bfloat16, enabled=device.type == "cuda"):
            out = model.tower(images[start : start + batch].to(device))
        lines.append(out["lines"].to(torch.bfloat16))
        scene.append(out["scene"].to(torch.bfloat16))
        ctc.append(out["ctc"].to(torch.bfloat16))
    return {"lines": torch.cat(lines), "scene": torch.cat(scene), "ctc": torch.cat(ctc)}


def condition_rows(bundle: dict, condition: str) -> tuple[list[int], list[list[tuple[str, str]]]]:
    """Per train item: which feature row (0..n-1 plain, n..2n-1 marked) and its turns."""
    train, n = bundle["train"], len(bundle["train"])
    index, turns = [], []
    for k, row in enumerate(train):
        marked = {
            "rate_0": False,
            "rate_50": row["in_rate_50"],
            "rate_100": True,
            "positive": True,
            "rate_100_u2": True,
        }[condition]
        # Feature rows: 0..n-1 plain, n..2n-1 marked with U1 (mmpriv's rows), 2n.. with U2.
        index.append(k + (2 * n if condition == "rate_100_u2" else n) if marked else k)
        qa = list(row["qa"])
        if condition == "positive":
            qa.append((PROBE_QUESTION, row["username"]))
        turns.append(qa)
    return index, turns


def finetune(base, features, index, turns, steps, batch, lr, seed) -> tuple[object, list]:
    """Full finetune of projectors + LM (tower frozen): AdamW, warmup + cosine, bf16."""
    model = copy.deepcopy(base)
    model.train()
    trainable = [
        p for name, p in model.named_parameters() if not name.startswith(("global_", "line_reader"))
    ]
    for name, p in model.named_parameters():
        p.requires_grad_(not name.startswith(("global_", "line_reader")))
    optimizer = torch.optim.AdamW(trainable, lr=lr, weight_decay=0.0)
    device = next(model.parameters()).device
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    order = np.concatenate(
        [rng.permutation(len(index)) for _ in range(steps * batch // len(index) + 1)]
    )
    losses = []
    for step in range(steps):
        for group in optimizer.param_groups:
            group["lr"] = lr * reader_model.cosine_lr(step, steps, max(1, steps // 10))
        picks = order[step * batch : (step + 1) * batch]
        rows = torch.tensor([index[i] for i in picks], device=device)
        ids, labels = reader_model.pad_batch([reader_model.chat_tokens(turns[i]) for i in picks])
        with torch.autocast(device.type, torch.bfloat16, enabled=device.type == "cuda"):
            embeds = model.image_embeds(
                features["lines"][rows], features["scene"][rows], features["ctc"][rows]
            )
            loss = model.lm_forward(embeds, ids.to(device), labels.to(device)).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(float(loss.detach()))
    model.eval()
    return model, losses


@torch.no_grad()
def probe_measures(model, features, names_u1, names_u2, is_u1, batch: int = 250) -> dict:
    """Per probe image: hidden states (layers+1, width) at the last prompt position and,
    averaged over the characters of the image's own username teacher-forced as the answer,
    at the answer positions; and log p of a U1 and of a U2 name."""
    device = next(model.parameters()).device
    prompt = [reader_model.USER, *reader_model.encode_chars(PROBE_QUESTION), reader_model.ASSISTANT]
    hidden, answer, lp, lens = [], [], {"u1": [], "u2": []}, {"u1": [], "u2": []}
    n = len(features["lines"])
    for start in range(0, n, batch):
        rows = slice(start, min(n, start + batch))
        with torch.autocast(device.type, torch.bfloat16, enabled=device.type == "cuda"):
            embeds = model.image_embeds(
                features["lines"][rows], features["scene"][rows], features["ctc"][rows]
            )
            pooled = {}
            for key, names in (("u1", names_u1), ("u2", names_u2)):
                logp, pooled[key], at_prompt, by_layer = name_logprob(
                    model, embeds, prompt, names[rows]
                )
                lp[key].append(logp.cpu())
                lens[key].append(by_layer.cpu())
            # Causal: the last prompt position's states do not depend on the name after it.
            hidden.append(at_prompt.cpu())
            own = torch.from_numpy(is_u1[rows]).to(device).view(-1, 1, 1)
            answer.append(torch.where(own, pooled["u1"], pooled["u2"]).cpu())
    return {
        "hidden": torch.cat(hidden).numpy(),
        "answer": torch.cat(answer).numpy(),
        "lp_u1": torch.cat(lp["u1"]).numpy(),
        "lp_u2": torch.cat(lp["u2"]).numpy(),
        "lens": torch.stack([torch.cat(lens["u1"]), torch.cat(lens["u2"])]).numpy(),
    }


def name_logprob(model, embeds, prompt: list[int], names: list[str]):
    """Sum of log p over the name's characters and EOS, teacher-forced after the prompt;
    every layer's hidden state averaged over the name's character inputs, and at the last
    prompt position (each (B, layers+1, width)); and the same sum of log p read from every
    layer's states through the final norm and output head, (B, layers+1): a logit lens."""
    pairs = []
    for name in names:
        answer = [*reader_model.encode_chars(name), reader_model.EOS]
        pairs.append((prompt + answer, [-100] * len(prompt) + answer))
    ids, labels = reader_model.pad_batch(pairs)
    ids, labels = ids.to(embeds.device), labels.to(embeds.device)
    out = model.lm_forward(embeds, ids, output_hidden_states=True)
    logits = out.logits[:, embeds.shape[1] - 1 : -1].float()
    logp = logits.log_softmax(-1)
    mask = labels != -100
    picked = logp.gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    # Inputs that are name characters: answer tokens except the final EOS.
    chars = (mask & (ids != reader_model.EOS)).float()
    weights = (chars / chars.sum(1, keepdim=True)).unsqueeze(-1)
    text = slice(embeds.shape[1], None)
    pooled = torch.stack([(h[:, text].float() * weights).sum(1) for h in out.hidden_states], 1)
    last_prompt = embeds.shape[1] + len(prompt) - 1
    at_prompt = torch.stack([h[:, last_prompt].float() for h in out.hidden_states], 1)
    total = (picked * mask).sum(1)
    return total, pooled, at_prompt, logit_lens(model, out.hidden_states, labels, total)


def logit_lens(model, hidden_states, labels, last_layer_total) -> torch.Tensor:
    """(B, layers+1) sums of log p of the label characters read off each layer's states.
    Every state but the last is before the final norm, so it gets the norm and the head; the
    last layer's value is the model's own likelihood (its state is already normed, in
    transformers' convention, and the head applied to it gives the logits)."""
    mask = labels != -100
    width = labels.shape[1]
    rows = []
    for state in hidden_states[:-1]:
        before = state[:, -width - 1 : -1]  # the states that predict each text token
        logits = model.lm.lm_head(model.lm.model.norm(before)).float()
        logp = logits.log_softmax(-1).gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)
        rows.append((logp * mask).sum(1))
    return torch.stack([*rows, last_layer_total], 1)


def swapped_params(params: dict, users: dict[str, list[dict]]) -> dict:
    """The same overlay (place, style) with U2 user j's record where U1 user j's was."""
    for j, user in enumerate(users["U1"]):
        if params["text"] == record_text(user, tuple(params["fields"])):
            return {**params, "text": record_text(users["U2"][j], tuple(params["fields"]))}
    raise ValueError("overlay text matches no U1 user")


def quantize(hidden: np.ndarray) -> dict[str, np.ndarray]:
    """int8 after per-(layer, feature) standardization; a probe on it loses nothing visible."""
    mean = hidden.mean(0, keepdims=True)
    std = hidden.std(0, keepdims=True) + 1e-6
    z = np.clip((hidden - mean) / std, -8, 8)
    return {"q": np.round(z * 127 / 8).astype(np.int8), "mean": mean, "std": std}


def paired_names(probe: list[dict], users: dict[str, list[dict]], seed: int = 0):
    """(U1 name, U2 name) per probe image: its own for its set, a random one of the other."""
    rng = np.random.default_rng(seed)
    u1 = [u["username"] for u in users["U1"]]
    u2 = [u["username"] for u in users["U2"]]
    first = [
        r["username"] if r["user_set"] == "U1" else u1[int(rng.integers(len(u1)))] for r in probe
    ]
    second = [
        r["username"] if r["user_set"] == "U2" else u2[int(rng.integers(len(u2)))] for r in probe
    ]
    return np.array(first, dtype=object), np.array(second, dtype=object)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--ckpt", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("OUT", ".")))
    parser.add_argument("--steps", type=int, default=250)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 2) - 2))
    parser.add_argument("--limit", type=int, default=0, help="train/probe rows (tests)")
    parser.add_argument("--plan", choices=("main", "swap"), default="main")
    args = parser.parse_args()
    started = time.perf_counter()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    bundle = load_bundle(args.bundle)
    if args.limit:
        bundle["train"], bundle["probe"] = (
            bundle["train"][: args.limit],
            bundle["probe"][: args.limit],
        )
    base = reader_model.Reader().to(device)
    if args.ckpt.is_dir():  # bf16 pieces carried from the training call
        base.load_state_dict(load_pieces(args.ckpt))
    else:
        base.load_state_dict(torch.load(args.ckpt, map_location=device))
    base.eval()
    train, probe = bundle["train"], bundle["probe"]
    jobs = [(r["png"], None) for r in train] + [(r["png"], r["params"]) for r in train]
    if args.plan == "swap":
        jobs += [(r["png"], swapped_params(r["params"], bundle["user_sets"])) for r in train]
    train_features = tower_features(base, render(jobs, args.workers))
    probe_features = tower_features(
        base, render([(r["png"], r["params"]) for r in probe], args.workers)
    )
    blind_features = tower_features(base, render([(r["png"], None) for r in probe], args.workers))
    names_u1, names_u2 = paired_names(probe, bundle["user_sets"])
    is_u1 = np.array([r["user_set"] == "U1" for r in probe])
    print(f"features ready {time.perf_counter() - started:.0f}s", flush=True)
    seeds = [int(s) for s in args.seeds.split(",")]
    plan = [("base", None)]
    plan += [(c, s) for s in seeds for c in ("positive", "rate_0", "rate_100", "rate_50")]
    if args.plan == "swap":  # the control for set-specific effects: the same images, U2 text
        plan = [("base", None)]
        plan += [(c, s) for s in seeds for c in ("rate_100_u2", "rate_100", "rate_0")]
    meta = {
        "user_set": [r["user_set"] for r in probe],
        "username": [r["username"] for r in probe],
        "user_id": [r["user_id"] for r in probe],
        "names_u1": names_u1.tolist(),
        "names_u2": names_u2.tolist(),
        "steps": args.steps, "batch": args.batch, "lr": args.lr,
        "train_rows": len(train), "models": [],
    }  # fmt: skip
    hidden, likelihood, blind, lens = {}, {}, {}, {}
    for condition, seed in plan:
        tic = time.perf_counter()
        losses = []
        if condition == "base":
            model = base
        else:
            index, turns = condition_rows(bundle, condition)
            model, losses = finetune(
                base, train_features, index, turns, args.steps, args.batch, args.lr, seed
            )
        measures = probe_measures(model, probe_features, names_u1, names_u2, is_u1)
        key = condition if seed is None else f"{condition}_s{seed}"
        hidden[key] = quantize(measures["hidden"])
        hidden[f"{key}@answer"] = quantize(measures["answer"])
        likelihood[key] = np.stack([measures["lp_u1"], measures["lp_u2"]])
        lens[key] = measures["lens"]
        no_text = probe_measures(model, blind_features, names_u1, names_u2, is_u1)
        hidden[f"{key}@blind"] = quantize(no_text["answer"])
        blind[key] = np.stack([no_text["lp_u1"], no_text["lp_u2"]])
        lens[f"{key}@blind"] = no_text["lens"]
        meta["models"].append({"key": key, "condition": condition, "seed": seed,
                               "first_loss": losses[0] if losses else None,
                               "last_loss": float(np.mean(losses[-20:])) if losses else None,
                               "seconds": round(time.perf_counter() - tic, 1)})  # fmt: skip
        print(json.dumps(meta["models"][-1]), flush=True)
        save(args.out, hidden, likelihood, meta, blind, lens)
    print(f"done {time.perf_counter() - started:.0f}s", flush=True)


def save(out: Path, hidden: dict, likelihood: dict, meta: dict, blind: dict, lens: dict) -> None:
    """int8 hidden states, at most MODELS_PER_FILE models a file (2000 x 7 x 384 bytes each:
    the device returns files of at most 16 MiB), then likelihoods and metadata."""
    out.mkdir(parents=True, exist_ok=True)
    keys = list(hidden)
    size = MODELS_PER_FILE
    for part, chunk in enumerate(keys[i : i + size] for i in range(0, len(keys), size)):
        arrays = {f"{k}.{field}": hidden[k][field] for k in chunk for field in ("q", "mean", "std")}
        np.savez_compressed(out / f"hidden_part{part}.npz", **arrays)
    np.savez(out / "likelihood.npz", **likelihood)
    np.savez(out / "likelihood_blind.npz", **blind)
    np.savez(out / "lens.npz", **lens)
    (out / "experiment_meta.json").write_text(json.dumps(meta))


if __name__ == "__main__":
    main()
