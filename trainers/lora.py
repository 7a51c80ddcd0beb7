"""LoRA finetuning of an image-text-to-text model on an mmpriv dataset: setup, loop, save.

The recipe reads top to bottom. Loss is on assistant tokens only (`trainers.data.ChatCollator`);
batches group rows of similar length and pad to the longest of the batch. Several GPUs:

    accelerate launch -m mmpriv_data.cli train lora --model M --data DIR/profiles --config full ...

MLLMU-Bench's vanilla finetune is LoRA r=16, alpha=16 on every LLM linear, lr 2e-5, 5 epochs,
batch 4, merged after (`--merge`). A model built from scratch (`mmpriv tiny-model`) has nothing
to adapt: train all of it with `--full-finetune`.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mmpriv_data.core.atomic import atomic_folder, check_folder_target
from mmpriv_data.core.errors import MmprivError
from mmpriv_data.core.models import check_source
from trainers.fused_lora import fuse_lora_layers
from trainers.progress import TrainProgress

# Every linear layer of the language model (not the vision tower or the projector).
LLM_LINEARS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@dataclass
class TrainSettings:
    epochs: float = 5
    lr: float = 2e-5
    lora_r: int = 16
    lora_alpha: int = 16
    target_modules: tuple[str, ...] = LLM_LINEARS
    max_length: int | None = None
    pack_length: int | None = None  # pack each batch's examples into rows of this many tokens
    compile: bool = False  # torch.compile each decoder layer of the language model
    fused_lora: bool = False  # LoRA linears as one autograd function (trainers.fused_lora)
    batch_size: int = 4
    grad_accum: int = 1
    bf16: bool = False
    merge: bool = False
    full_finetune: bool = False
    with_questions: bool = False
    warmup_ratio: float = 0.0
    weight_decay: float = 0.0
    seed: int = 0
    quiet: bool = False  # no progress bar
    log_every: int = 10  # unused since the progress bar; kept so that older scripts run
    num_workers: int = 0  # DataLoader processes preparing batches (images, templates) on CPU
    max_grad_norm: float = 1.0  # clipping keeps from-scratch training and ascent from blowing up
    extra: dict = field(default_factory=dict)


def check_settings(settings: TrainSettings, *, max_steps: int | None = None) -> None:
    """Every option in range, checked before any data or model loads: one line per mistake."""
    if not (math.isfinite(settings.epochs) and settings.epochs > 0):
        raise MmprivError(f"--epochs {settings.epochs:g}: expected a number above 0 (e.g. 1, 0.5)")
    if not (math.isfinite(settings.lr) and settings.lr > 0):
        raise MmprivError(f"--lr {settings.lr:g}: expected a learning rate above 0 (e.g. 2e-5)")
    at_least = {
        "--batch-size": (settings.batch_size, 1),
        "--grad-accum": (settings.grad_accum, 1),
        "--max-length": (settings.max_length or 0, 0),
        "--pack-length": (settings.pack_length or 0, 0),
        "--max-steps": (max_steps or 0, 0),
    }
    if not settings.full_finetune:
        at_least |= {"--lora-r": (settings.lora_r, 1), "--lora-alpha": (settings.lora_alpha, 1)}
    for option, (value, low) in at_least.items():
        if value < low:
            raise MmprivError(f"{option} {value}: expected at least {low}")
    for name in settings.target_modules:
        if not name.isidentifier():
            raise MmprivError(f"--target-modules {name}: not a layer name (e.g. q_proj,v_proj)")
    if settings.fused_lora and settings.full_finetune:
        raise MmprivError("--fused-lora: --full-finetune trains no LoRA adapters")


def load_model(model_path: str, bf16: bool, full_finetune: bool):
    """Model + processor through the Auto classes (a folder or a Hub id; never downloaded here)."""
    import torch

    from mmpriv_data.core.models import load_image_text_model

    # bf16 weights for LoRA (frozen base); fp32 master weights when every weight trains.
    dtype = torch.bfloat16 if bf16 and not full_finetune else torch.float32
    return load_image_text_model(
        model_path, dtype=dtype, device="cpu", attn_implementation="sdpa", for_eval=False
    )


def wrap_with_peft(model, config):
    """`peft.get_peft_model` without the FutureWarning it triggers on every run: peft reads
    transformers' deprecated `is_gradient_checkpointing` property (peft's call, not ours)."""
    import warnings

    from peft import get_peft_model

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "`is_gradient_checkpointing`", FutureWarning)
        return get_peft_model(model, config)


def add_lora(model, settings: TrainSettings):
    """Wrap `model` with LoRA adapters on the language model's linears named in settings."""
    from peft import LoraConfig

    names = "|".join(settings.target_modules)
    language_layers = {
        name.rsplit(".", 1)[-1] for name, _ in model.named_modules() if "language_model" in name
    }
    unknown = [name for name in settings.target_modules if name not in language_layers]
    if unknown:  # peft would quietly adapt the other names only
        raise MmprivError(
            f"--target-modules {','.join(unknown)}: no such layer in the language model "
            f"(it has e.g. {', '.join(n for n in LLM_LINEARS if n in language_layers)})"
        )
    config = LoraConfig(
        r=settings.lora_r,
        lora_alpha=settings.lora_alpha,
        lora_dropout=0.0,
        # A regex keeps the adapters off the vision tower, whose layers share these names.
        target_modules=rf".*language_model.*\.({names})",
        bias="none",
    )
    model = wrap_with_peft(model, config)
    if not any(p.requires_grad for p in model.parameters()):
        raise MmprivError(f"--target-modules {','.join(settings.target_modules)}: matched no layer")
    return model


def make_batches(examples, processor, settings: TrainSettings):
    """A DataLoader of length-grouped batches whose sampler reshuffles with `set_epoch`."""
    from torch.utils.data import DataLoader

    from trainers.batching import estimated_lengths, length_grouped_batches, tokens_per_image
    from trainers.data import ChatCollator

    lengths = estimated_lengths(examples, processor, tokens_per_image(processor, examples))

    class LengthGroupedBatchSampler:
        def __init__(self):
            self.epoch = 0

        def set_epoch(self, epoch: int) -> None:
            self.epoch = epoch

        def __iter__(self):
            yield from length_grouped_batches(
                lengths, settings.batch_size, settings.seed, self.epoch
            )

        def __len__(self) -> int:
            return math.ceil(len(lengths) / settings.batch_size)

    sampler = LengthGroupedBatchSampler()
    loader = DataLoader(
        examples,
        batch_sampler=sampler,
        collate_fn=ChatCollator(processor, settings.max_length, pack_length=settings.pack_length),
        num_workers=settings.num_workers,
        persistent_workers=settings.num_workers > 0,
    )
    return loader, sampler


def compile_decoder_layers(model) -> int:
    """torch.compile each decoder layer of the language model in place.

    Regional compilation: the layers share one compiled graph, so compile time does not grow
    with depth; inductor fuses the norms, rotary embeddings and activations (1.5x on an H200,
    bench/results/trainers.md). `dynamic=True` keeps varying batch shapes from recompiling.
    """
    layers = [m for m in model.modules() if type(m).__name__.endswith("DecoderLayer")]
    if not layers:
        raise MmprivError("--compile: the model has no *DecoderLayer modules to compile")
    for layer in layers:
        layer.compile(dynamic=True)
    return len(layers)


def adapter_input_casting(model, settings: TrainSettings):
    """Under bf16 autocast, keep LoRA inputs in bf16: by default peft copies every adapter's
    input to fp32 (the adapters' dtype), which costs time and memory and buys nothing, since
    autocast runs the adapter's matmul in bf16 anyway."""
    from contextlib import nullcontext

    if not settings.bf16 or settings.full_finetune:
        return nullcontext()
    from peft.helpers import disable_input_dtype_casting

    return disable_input_dtype_casting(model)


def save_atomically(
    model, processor, out: Path, summary: dict, merge: bool, kind: str = "train lora"
) -> Path:
    """Adapter (or merged weights) + processor + train_summary.json, renamed into place."""
    if merge and hasattr(model, "merge_and_unload"):
        model = model.merge_and_unload()
    with atomic_folder(out, kind) as staging:
        model.save_pretrained(staging)
        processor.save_pretrained(staging)
        (staging / "train_summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return Path(out)


def sequence_nll(logits, labels):
    """Summed NLL of each row's labelled tokens (shifted for next-token prediction), and counts."""
    import torch.nn.functional as F

    shift_logits = logits[:, :-1].float()
    shift_labels = labels[:, 1:]
    token_nll = F.cross_entropy(
        shift_logits.transpose(1, 2), shift_labels, ignore_index=-100, reduction="none"
    )
    counts = (shift_labels != -100).sum(dim=1).clamp(min=1)
    return token_nll.sum(dim=1), counts


def count_tokens(batch, pad_id: int | None = None) -> int:
    """Real (non-padding) tokens of a padded batch, or of a packed one (no attention mask)."""
    if "attention_mask" in batch:
        return int(batch["attention_mask"].sum())
    return int((batch["input_ids"] != pad_id).sum())


def train_lora(
    model_path: str,
    data: str,
    config: str | None,
    out: Path,
    settings: TrainSettings,
    split: str | None = None,
):
    """Finetune `model_path` on dataset `data` (config `config`, split `split`: default
    `train` or the only one) and save to `out`.

    Returns the summary written to `out/train_summary.json` (losses, tokens, seconds).

    >>> train_lora("tiny", "hub/profiles", "full", Path("ft"), TrainSettings())  # doctest: +SKIP
    """
    from trainers.data import check_data, load_rows, training_examples

    # --- checks: every option and path, before torch is even imported ----------------------
    check_settings(settings)
    check_folder_target(out, "train lora")
    check_source(model_path, "--model")
    check_data(data, config, split)

    # --- setup ----------------------------------------------------------------------------
    import torch
    from accelerate import Accelerator

    accelerator = Accelerator(
        mixed_precision="bf16" if settings.bf16 else "no",
        gradient_accumulation_steps=settings.grad_accum,
    )
    torch.manual_seed(settings.seed)  # LoRA's init draws from torch's global generator
    examples = training_examples(load_rows(data, config, split), settings.with_questions)
    if not examples:
        raise MmprivError(f"{data} (config {config}): no rows")
    model, processor = load_model(model_path, settings.bf16, settings.full_finetune)
    if not settings.full_finetune:
        model = add_lora(model, settings)
    fused_layers = fuse_lora_layers(model) if settings.fused_lora else 0
    if settings.compile:
        compile_decoder_layers(model)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=settings.lr, weight_decay=settings.weight_decay)
    loader, sampler = make_batches(examples, processor, settings)
    steps = math.ceil(len(loader) * settings.epochs / settings.grad_accum)
    warmup = int(steps * settings.warmup_ratio)
    # Linear warmup, then constant.
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / (warmup + 1))
    )
    model, optimizer, loader, schedule = accelerator.prepare(model, optimizer, loader, schedule)

    # --- train ----------------------------------------------------------------------------
    model.train()
    losses: list[float] = []
    tokens, started, batches_seen = 0, time.perf_counter(), 0
    total_batches = math.ceil(len(loader) * settings.epochs)
    quiet = settings.quiet or not accelerator.is_main_process
    with TrainProgress(total_batches, "train lora", quiet) as progress:
        for epoch in range(math.ceil(settings.epochs)):
            sampler.set_epoch(epoch)
            for batch in loader:
                if batches_seen >= total_batches:
                    break
                with accelerator.accumulate(model), adapter_input_casting(model, settings):
                    loss = model(**batch, use_cache=False).loss
                    accelerator.backward(loss)
                    if accelerator.sync_gradients and settings.max_grad_norm:
                        accelerator.clip_grad_norm_(trainable, settings.max_grad_norm)
                    optimizer.step()
                    schedule.step()
                    optimizer.zero_grad(set_to_none=True)
                losses.append(loss.item())
                tokens += count_tokens(batch, processor.tokenizer.pad_token_id)
                batches_seen += 1
                progress.advance(len(batch["input_ids"]), losses[-1])
    seconds = time.perf_counter() - started

    # --- save -----------------------------------------------------------------------------
    summary = {
        "model": model_path,
        "data": data,
        "config": config,
        "examples": len(examples),
        "batches": batches_seen,
        "first_loss": losses[0] if losses else None,
        "last_loss": losses[-1] if losses else None,
        "losses": losses,
        "tokens": tokens * accelerator.num_processes,
        "seconds": seconds,
        "settings": asdict(settings),
        "fused_lora_layers": fused_layers,
    }
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        save_atomically(accelerator.unwrap_model(model), processor, out, summary, settings.merge)
    return summary
