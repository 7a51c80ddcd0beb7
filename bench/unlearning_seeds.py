"""MLLMU-style memorization and unlearning, scored on held-out questions, over several seeds.

Two stages (the second runs once per seed):

    python bench/unlearning_seeds.py train --data DIR/profiles --which full --work W
    python bench/unlearning_seeds.py train --data DIR/profiles --which retain_85 --work W
    python bench/unlearning_seeds.py run --data DIR/profiles --work W --seed 0 --out R.json

`train` finetunes a randomly initialised model (all weights) on a config's conversations and
questions. `run` unlearns the forget people from the `full` model with GA, GradDiff, KL and
NPO, stopping each at the first checkpoint that meets the stopping rule (fixed before any
result was seen, see STOP_RULE), and scores every model on `full`, forget, retain and `test`
with options shuffled per question (`evaluators.qa.shuffle_options`), plus a TOFU-style forget
quality against the retain-only model (`bench/unlearning_metrics.py`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FORGET, RETAIN = "forget_15", "retain_85"


def train(args) -> None:
    import torch

    from bench.unlearning_metrics import tokenizer_texts
    from trainers.lora import TrainSettings, train_lora
    from trainers.tiny_model import build_tiny_model

    torch.set_num_threads(args.threads)
    work = Path(args.work)
    base = work / "base"
    if not base.exists():
        texts = tokenizer_texts(args.texts)
        build_tiny_model("llava", args.size, base, texts, seed=args.model_seed)
    if args.which == "none":  # the random init alone, before trainings run side by side
        return
    settings = TrainSettings(
        epochs=args.epochs,
        lr=args.lr,
        batch_size=16,
        full_finetune=True,
        with_questions=True,
        warmup_ratio=0.05,
        max_grad_norm=1.0,
        seed=args.model_seed,
        num_workers=args.workers,
    )
    summary = train_lora(str(base), args.data, args.which, work / args.which, settings)
    stride = max(1, len(summary["losses"]) // 40)
    record = {k: summary[k] for k in ("examples", "batches", "tokens", "seconds", "last_loss")}
    record["loss_curve"] = summary["losses"][::stride]
    (work / f"train_{args.which}.json").write_text(json.dumps(record, indent=2) + "\n")
    print(args.which, json.dumps({k: v for k, v in record.items() if k != "loss_curve"}))


METHODS = ("ga", "graddiff", "kl", "npo")
# The stopping rule. First version (fixed before any result): stop when the forget people's
# shuffled-letter `choice` accuracy falls to 0.40. It was void: the finetuned model already
# scores chance that way (it learned each question's stored letter, 95.8% unshuffled), so every
# method met it at once. Second version, fixed after seeing the three reference models' scores
# and before any unlearning result: every EVAL_EVERY steps, score the forget people's MCQs as
# phrased in training (`full`) by `likelihood` accuracy (no letters, see unlearning_metrics),
# and stop at the first checkpoint at or below the retain-only model's likelihood accuracy on
# those same questions (what a model that never saw them knows), else at MAX_STEPS ("not
# reached"). The paraphrased `test` questions play no part in it: they stay held out.
# The cap was 60 steps in the first run; no method reached the target in 60 steps, and the cap
# was then raised to 300, the same for every method, AFTER seeing those results (disclosed in
# bench/results/unlearning.md). Target and checkpoint spacing are unchanged.
EVAL_EVERY, MAX_STEPS = 2, 300
# Second matched comparison, defined with the raised cap and before its curves were seen:
# whenever a checkpoint sets a new lowest forget accuracy (the first time the run reaches that
# level), the model is scored in full. `collect` takes the lowest forget level that every run
# (all methods, all seeds) reaches, and reports each run's utility at the first checkpoint at or
# below it.
SPLITS = ("full", "forget", "retain", "test", "test_forget", "test_retain")


def score(model, processor, items: dict, seed: int) -> dict:
    """Per split: `choice` (letter ranked first, options shuffled) and `likelihood` (right
    option most likely as a reply to the bare question) accuracy, each with a bootstrap
    interval over questions; and the truth ratios of the paraphrased forget questions."""
    from bench.unlearning_metrics import (
        bootstrap_ci,
        choice_correct,
        likelihood_correct,
        option_nlls,
        truth_ratios,
    )

    every = items["full"] + items["test"]
    nlls = option_nlls(model, processor, every)
    values = {
        "choice": dict(zip(map(id, every), choice_correct(model, processor, every), strict=True)),
        "likelihood": dict(zip(map(id, every), likelihood_correct(nlls, every), strict=True)),
    }
    out = {}
    for split in SPLITS:
        out[split] = {"n": len(items[split])}
        for metric, by_item in values.items():
            hits = [by_item[id(it)] for it in items[split]]
            out[split][metric] = float(sum(hits) / len(hits))
            out[split][f"{metric}_ci"] = bootstrap_ci(hits, seed)
    rows = {id(it): row for it, row in zip(every, nlls, strict=True)}
    forget_nlls = [rows[id(it)] for it in items["test_forget"]]
    out["truth_ratios"] = truth_ratios(forget_nlls, items["test_forget"])
    return out


def unlearn_in_memory(method, ft_path, data, args, items, reference_scores, on_milestone) -> dict:
    """One unlearning run from the finetuned model, the stopping rule checked as it goes.

    The loop is written out here rather than calling `trainers.unlearn.unlearn` (whose losses
    it imports) because the stopping rule needs the model scored every few steps, in memory.
    """
    import copy

    import torch

    from bench.unlearning_metrics import (
        forget_quality,
        likelihood_correct,
        on_device,
        option_nlls,
    )
    from trainers.data import ChatCollator, training_examples
    from trainers.lora import load_model, sequence_nll
    from trainers.unlearn import kl_to_reference, mean_nll, npo_loss

    torch.manual_seed(args.seed)
    model, processor = load_model(str(ft_path), False, True)
    model.to(args.device)
    reference = (
        copy.deepcopy(model).eval().requires_grad_(False) if method in ("kl", "npo") else None
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.unlearn_lr, weight_decay=0.0)
    collate = ChatCollator(processor)
    generator = torch.Generator().manual_seed(args.seed)

    def endless(examples):
        while True:  # reshuffled every pass, seeded: the seed sets the batch order
            order = torch.randperm(len(examples), generator=generator).tolist()
            for start in range(0, len(order) - args.batch_size + 1, args.batch_size):
                chosen = [examples[i] for i in order[start : start + args.batch_size]]
                yield on_device(collate(chosen), model)

    def logits_of(net, batch):
        return net(**{k: v for k, v in batch.items() if k != "labels"}).logits

    forget = endless(training_examples(data["forget"], True))
    retain = endless(training_examples(data["retain"], True))
    model.train()
    curve, step, reached = [], 0, False
    lowest, milestones, scores = reference_scores["start"], [], None
    while step < args.max_steps:
        batch = next(forget)
        nll, counts = sequence_nll(logits_of(model, batch), batch["labels"])
        if method == "npo":
            with torch.no_grad():
                ref_nll, _ = sequence_nll(logits_of(reference, batch), batch["labels"])
            loss = npo_loss(nll, ref_nll, 0.4)
        else:
            loss = -(nll.sum() / counts.sum())
        if method in ("graddiff", "kl"):
            other = next(retain)
            other_logits = logits_of(model, other)
            if method == "graddiff":
                loss = loss + mean_nll(other_logits, other["labels"])
            else:
                with torch.no_grad():
                    ref_logits = logits_of(reference, other)
                loss = loss + kl_to_reference(other_logits, ref_logits, other["labels"])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        step, scores = step + 1, None
        if step % EVAL_EVERY == 0:
            nlls = option_nlls(model, processor, items["forget"])
            forget_acc = float(likelihood_correct(nlls, items["forget"]).mean())
            curve.append([step, forget_acc, float(loss.item())])
            if forget_acc < lowest:  # first time at this level: score in full
                lowest, scores = forget_acc, score(model, processor, items, args.seed)
                milestones.append(
                    {"step": step, "level": forget_acc}
                    | {split: scores[split]["likelihood"] for split in SPLITS}
                    | {"forget_quality": forget_quality(
                        scores["truth_ratios"], reference_scores["retain_ratios"])}
                )  # fmt: skip
                # A run stopped by a machine's deadline still leaves its curve and milestones.
                on_milestone({"method": method, "seed": args.seed, "steps": step,
                              "curve": curve, "milestones": milestones})  # fmt: skip
                print(method, "step", step, "forget", forget_acc, "retain",
                      round(scores["retain"]["likelihood"], 3), flush=True)  # fmt: skip
            if forget_acc <= reference_scores["target"]:
                reached = True
                break
    if scores is None:  # the last checkpoint was not scored in full yet
        scores = score(model, processor, items, args.seed)
    ratios = scores.pop("truth_ratios")
    return {
        "method": method,
        "seed": args.seed,
        "steps": step,
        "target_reached": reached,
        "lr": args.unlearn_lr,
        # `forget`, `retain`, `test`...: likelihood accuracy (the letter-free one);
        # `scores` holds both metrics with their intervals.
        **{split: scores[split]["likelihood"] for split in SPLITS},
        "scores": scores,
        "forget_quality": forget_quality(ratios, reference_scores["retain_ratios"]),
        "truth_ratio_median": float(sorted(ratios)[len(ratios) // 2]),
        "curve": curve,
        "milestones": milestones,
    }


def run(args) -> None:
    import torch

    from bench.unlearning_metrics import forget_quality, mcq_items
    from trainers.data import load_rows
    from trainers.lora import load_model

    torch.set_num_threads(args.threads)
    args.device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    work, started = Path(args.work), time.perf_counter()
    data = {c: list(load_rows(args.data, c)) for c in ("full", FORGET, RETAIN, "test")}
    data["forget"], data["retain"] = data.pop(FORGET), data.pop(RETAIN)
    forget_ids = {row["id"] for row in data["forget"]}
    retain_ids = {row["id"] for row in data["retain"]}
    full, test = mcq_items(data["full"], args.seed), mcq_items(data["test"], args.seed)
    items = {
        "full": full,
        "test": test,
        "forget": [it for it in full if it[2] in forget_ids],
        "retain": [it for it in full if it[2] in retain_ids],  # the same people before/after
        "test_forget": [it for it in test if it[2] in forget_ids],
        "test_retain": [it for it in test if it[2] in retain_ids],
    }
    results = {"seed": args.seed, "stop_rule": [EVAL_EVERY, args.max_steps], "models": {}}
    out = Path(args.out)

    def save():
        results["seconds"] = round(time.perf_counter() - started, 1)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2) + "\n")

    reference = {}
    for name in ("retain_85", "base", "full"):  # the retain-only model first: the reference
        model, processor = load_model(str(work / name), False, True)
        row = score(model.to(args.device), processor, items, args.seed)
        ratios = row.pop("truth_ratios")
        if name == "retain_85":  # the target of the stopping rule, and forget quality's anchor
            reference = {"retain_ratios": ratios, "target": row["forget"]["likelihood"]}
            results["stop_target"] = reference["target"]
        if name == "full":  # where every unlearning run starts
            reference["start"] = row["forget"]["likelihood"]
        row["forget_quality"] = forget_quality(ratios, reference["retain_ratios"])
        results["models"][name] = row
        print(name, {s: (row[s]["choice"], row[s]["likelihood"]) for s in SPLITS}, flush=True)
        save()
    results["runs"] = []

    def unfinished(row):  # replaced by the finished run below
        results["unfinished"] = row
        save()

    for method in args.methods.split(","):
        row = unlearn_in_memory(method, work / "full", data, args, items, reference, unfinished)
        results.pop("unfinished", None)
        results["runs"].append(row)
        print(method, row["steps"], {s: round(row[s], 3) for s in SPLITS}, flush=True)
        save()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_train = sub.add_parser("train")
    p_train.add_argument("--data", required=True)
    p_train.add_argument(
        "--which",
        required=True,
        help="config to train on: full or retain_85 (none: the random init only)",
    )
    p_train.add_argument("--work", required=True)
    p_train.add_argument("--size", default="small")
    p_train.add_argument("--epochs", type=float, default=32)
    p_train.add_argument("--lr", type=float, default=1e-3)
    p_train.add_argument("--model-seed", type=int, default=0)
    p_train.add_argument("--threads", type=int, default=1)
    p_train.add_argument("--workers", type=int, default=0, help="DataLoader processes")
    p_train.add_argument("--texts", help="tokenizer texts (JSON list) instead of Faker's")
    p_run = sub.add_parser("run")
    p_run.add_argument("--data", required=True)
    p_run.add_argument("--work", required=True)
    p_run.add_argument("--seed", type=int, required=True)
    p_run.add_argument("--out", required=True)
    p_run.add_argument("--methods", default=",".join(METHODS))
    p_run.add_argument("--unlearn-lr", type=float, default=2e-4)
    p_run.add_argument("--batch-size", type=int, default=8)
    p_run.add_argument("--threads", type=int, default=1)
    p_run.add_argument("--max-steps", type=int, default=MAX_STEPS, help="smoke tests only")
    p_run.add_argument("--device", default="", help="default: cuda where available")
    p_collect = sub.add_parser("collect")
    p_collect.add_argument("files", nargs="+")
    p_collect.add_argument("--out", required=True)
    p_collect.add_argument("--note", default="")
    p_collect.add_argument("--earlier", help="an earlier results file, kept under its own key")
    args = parser.parse_args()
    if args.command == "collect":
        from bench.unlearning_results import collect

        collect(args)
    elif args.command == "train":
        train(args)
    elif args.command == "run":
        run(args)


if __name__ == "__main__":
    main()
