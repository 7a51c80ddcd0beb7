"""Unlearning baselines of MLLMU-Bench (and TOFU): GA, GradDiff, KL, NPO, as one thin recipe.

    mmpriv train unlearn --method npo --model ft --forget hub/profiles:forget_10 \
        --retain hub/profiles:retain_90 --out unlearned

Per step, with NLL the mean token negative log-likelihood on assistant tokens:
- ga:       -NLL(forget)
- graddiff: -NLL(forget) + NLL(retain)
- kl:       -NLL(forget) + KL(reference || model) on retain tokens
- npo:      -(2/beta) log sigmoid(beta * (NLL_seq(forget) - NLL_seq_ref(forget)))  (+ nothing)
The reference is the model before unlearning, frozen: a copy for full finetuning, the base with
the adapter switched off under LoRA (no second copy in memory).
"""

from __future__ import annotations

import copy
import itertools
import math
import time
from dataclasses import asdict
from pathlib import Path

from mmpriv_data.core.atomic import check_folder_target
from mmpriv_data.core.errors import MmprivError
from mmpriv_data.core.models import check_source
from trainers.lora import (
    TrainSettings,
    add_lora,
    check_settings,
    load_model,
    make_batches,
    save_atomically,
    sequence_nll,
)
from trainers.progress import TrainProgress

METHODS = ("ga", "graddiff", "kl", "npo")


def mean_nll(logits, labels):
    nll, counts = sequence_nll(logits, labels)
    return nll.sum() / counts.sum()


def kl_to_reference(logits, ref_logits, labels):
    """KL(reference || model) averaged over labelled positions."""
    import torch.nn.functional as F

    mask = labels[:, 1:] != -100
    log_p = F.log_softmax(logits[:, :-1].float(), dim=-1)[mask]
    log_ref = F.log_softmax(ref_logits[:, :-1].float(), dim=-1)[mask]
    return F.kl_div(log_p, log_ref, log_target=True, reduction="batchmean")


def npo_loss(nll, ref_nll, beta: float):
    """NPO (Zhang et al. 2024): -(2/beta) log sigmoid(beta * (NLL - NLL_ref)), batch mean."""
    import torch.nn.functional as F

    return -(2.0 / beta) * F.logsigmoid(beta * (nll - ref_nll)).mean()


def _forward(model, batch):
    inputs = {k: v for k, v in batch.items() if k != "labels"}
    return model(**inputs).logits


def unlearn(
    method: str,
    model_path: str,
    forget: str,
    retain: str | None,
    out: Path,
    settings: TrainSettings,
    beta: float = 0.4,
    max_steps: int | None = None,
) -> dict:
    """Run one unlearning baseline and save the result; returns the summary it writes.

    >>> settings = TrainSettings(lr=1e-5)
    >>> unlearn("npo", "ft", "hub/profiles:forget_10", None, Path("u"), settings)  # doctest: +SKIP
    """
    from trainers.data import check_data, load_rows, training_examples

    if method not in METHODS:
        raise MmprivError(f"--method {method}: expected one of {', '.join(METHODS)}")
    if method in ("graddiff", "kl") and not retain:
        raise MmprivError(f"--method {method} needs --retain")
    check_settings(settings, max_steps=max_steps)
    if not (math.isfinite(beta) and beta > 0):
        raise MmprivError(f"--beta {beta:g}: expected a number above 0")
    check_folder_target(out, "train unlearn")
    check_source(model_path, "--model")
    check_data(forget, option="--forget")
    if method in ("graddiff", "kl"):
        check_data(retain, option="--retain")

    import torch  # after the checks: a mistake is reported before torch loads
    from accelerate import Accelerator

    # --- setup ----------------------------------------------------------------------------
    accelerator = Accelerator(mixed_precision="bf16" if settings.bf16 else "no")
    torch.manual_seed(settings.seed)
    forget_rows = load_rows(forget, option="--forget")
    forget_examples = training_examples(forget_rows, settings.with_questions, "--forget")
    retain_examples = None
    if method in ("graddiff", "kl"):  # read before the model loads: a bad --retain fails fast
        retain_rows = load_rows(retain, option="--retain")
        retain_examples = training_examples(retain_rows, settings.with_questions, "--retain")
    model, processor = load_model(model_path, settings.bf16, settings.full_finetune)
    reference = None
    if method in ("kl", "npo") and settings.full_finetune:
        reference = copy.deepcopy(model).eval().requires_grad_(False)
    if not settings.full_finetune:
        model = add_lora(model, settings)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=settings.lr, weight_decay=settings.weight_decay)
    forget_loader, forget_sampler = make_batches(forget_examples, processor, settings)
    retain_loader = None
    if retain_examples is not None:
        retain_loader, _ = make_batches(retain_examples, processor, settings)
        retain_loader = accelerator.prepare(retain_loader)
    model, optimizer, forget_loader = accelerator.prepare(model, optimizer, forget_loader)
    if reference is not None:
        reference = reference.to(accelerator.device)

    def reference_logits(batch):
        """Logits of the model before unlearning (LoRA: the same weights, adapter off)."""
        with torch.no_grad():
            if reference is not None:
                return _forward(reference, batch)
            with accelerator.unwrap_model(model).disable_adapter():
                return _forward(model, batch)

    # --- unlearn --------------------------------------------------------------------------
    model.train()
    retain_batches = itertools.cycle(retain_loader) if retain_loader is not None else None
    total = max_steps or math.ceil(len(forget_loader) * settings.epochs)
    history: list[dict] = []
    started, step = time.perf_counter(), 0
    quiet = settings.quiet or not accelerator.is_main_process
    with TrainProgress(total, f"unlearn {method}", quiet) as progress:
        for epoch in itertools.count():
            if step >= total:
                break
            forget_sampler.set_epoch(epoch)
            for batch in forget_loader:
                if step >= total:
                    break
                logits = _forward(model, batch)
                forget_nll, counts = sequence_nll(logits, batch["labels"])
                record = {"forget_nll": (forget_nll.sum() / counts.sum()).item()}
                if method == "npo":
                    ref_nll, _ = sequence_nll(reference_logits(batch), batch["labels"])
                    loss = npo_loss(forget_nll, ref_nll, beta)
                else:
                    loss = -(forget_nll.sum() / counts.sum())
                if retain_batches is not None:
                    retain_batch = next(retain_batches)
                    retain_logits = _forward(model, retain_batch)
                    if method == "graddiff":
                        retain_term = mean_nll(retain_logits, retain_batch["labels"])
                    else:
                        ref = reference_logits(retain_batch)
                        retain_term = kl_to_reference(retain_logits, ref, retain_batch["labels"])
                    record["retain_term"] = retain_term.item()
                    loss = loss + retain_term
                accelerator.backward(loss)
                if settings.max_grad_norm:
                    accelerator.clip_grad_norm_(trainable, settings.max_grad_norm)
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
                record["loss"] = loss.item()
                history.append(record)
                step += 1
                progress.advance(len(batch["input_ids"]), record["loss"])

    # --- save -----------------------------------------------------------------------------
    summary = {
        "method": method,
        "model": model_path,
        "forget": forget,
        "retain": retain,
        "beta": beta if method == "npo" else None,
        "steps": step,
        "seconds": time.perf_counter() - started,
        "first_forget_nll": history[0]["forget_nll"] if history else None,
        "last_forget_nll": history[-1]["forget_nll"] if history else None,
        "history": history,
        "settings": asdict(settings),
    }
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        save_atomically(
            accelerator.unwrap_model(model), processor, out, summary, settings.merge,
            kind="train unlearn",
        )  # fmt: skip
    return summary
