"""`mmpriv tiny-model`, `mmpriv train lora`, `mmpriv train unlearn`: thin command wrappers.

torch/transformers are imported inside the commands, so `mmpriv --help` stays light.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mmpriv_data.cli.app import QuietOption


def tiny_model(
    arch: Annotated[str, typer.Option(help="llava or qwen2-vl.")] = "llava",
    size: Annotated[str, typer.Option(help="tiny (~0.3M), small (~6M) or base (~105M).")] = "tiny",
    out: Annotated[Path, typer.Option(help="Folder to save the model + processor to.")] = Path(
        "tiny-model"
    ),
    seed: Annotated[int, typer.Option(help="Seed of the random initialisation.")] = 0,
) -> None:
    """Build a RANDOMLY INITIALISED model + processor (tokenizer trained on mmpriv text)."""
    from mmpriv_data.cli.app import err
    from mmpriv_data.cli.app import out as console
    from trainers.tiny_model import RANDOM_WEIGHTS_NOTE, build_tiny_model, model_record

    path = build_tiny_model(arch, size, out, seed=seed)
    record = model_record(path)
    console.print(
        f"saved {arch} ({size}, {record['parameters'] / 1e6:.2f}M parameters) to {path}; "
        "load with AutoModelForImageTextToText.from_pretrained / AutoProcessor.from_pretrained"
    )
    err.print(f"[yellow]note:[/] {RANDOM_WEIGHTS_NOTE}")


def _settings(**options):
    from trainers.lora import LLM_LINEARS, TrainSettings

    targets = options.pop("target_modules")
    modules = tuple(m.strip() for m in targets.split(",") if m.strip()) or LLM_LINEARS
    return TrainSettings(target_modules=modules, **options)


Epochs = Annotated[float, typer.Option(help="Passes over the data (fractions allowed).")]
Lr = Annotated[float, typer.Option(help="AdamW learning rate.")]
LoraR = Annotated[int, typer.Option(help="LoRA rank.")]
LoraAlpha = Annotated[int, typer.Option(help="LoRA alpha.")]
Targets = Annotated[
    str, typer.Option(help="Comma-separated LLM linear names (default: all of them).")
]
MaxLength = Annotated[int, typer.Option(help="Truncate rows to N tokens (0: never).")]
BatchSize = Annotated[int, typer.Option(help="Rows per batch (padded to the longest).")]
Compile = Annotated[
    bool, typer.Option(help="torch.compile each decoder layer (faster on a GPU after warm-up).")
]
FusedLora = Annotated[
    bool,
    typer.Option(help="LoRA linears as one autograd function: same maths, fewer memory passes."),
]
PackLength = Annotated[
    int,
    typer.Option(help="Pack each batch's rows into sequences of N tokens, no padding (0: off)."),
]
GradAccum = Annotated[int, typer.Option(help="Batches per optimizer step.")]
Bf16 = Annotated[bool, typer.Option(help="bfloat16 mixed precision.")]
Merge = Annotated[bool, typer.Option(help="Save merged weights instead of the adapter.")]
Full = Annotated[
    bool, typer.Option(help="Train every weight, no LoRA (models built from scratch).")
]
Questions = Annotated[
    bool, typer.Option(help="Also train on the `questions` column, one row per question.")
]
Seed = Annotated[int, typer.Option(help="Seed of batch order and adapter init.")]
Split = Annotated[
    str, typer.Option(help="Dataset split (default: train, or the config's only split).")
]


def train_lora_command(
    model: Annotated[str, typer.Option(help="Model folder or Hub id (Auto classes).")],
    data: Annotated[
        str, typer.Option(help="Dataset folder or Hub id; DIR:config or DIR:config:split.")
    ],
    out: Annotated[Path, typer.Option(help="Folder for the adapter (or merged model).")],
    config: Annotated[str, typer.Option(help="Dataset config, e.g. full.")] = "",
    split: Split = "",
    epochs: Epochs = 5,
    lr: Lr = 2e-5,
    lora_r: LoraR = 16,
    lora_alpha: LoraAlpha = 16,
    target_modules: Targets = "",
    max_length: MaxLength = 0,
    batch_size: BatchSize = 4,
    pack_length: PackLength = 0,
    compile: Compile = False,
    fused_lora: FusedLora = False,
    grad_accum: GradAccum = 1,
    bf16: Bf16 = False,
    merge: Merge = False,
    full_finetune: Full = False,
    questions: Questions = False,
    seed: Seed = 0,
    quiet: QuietOption = False,
) -> None:
    """Finetune on images+messages with the loss on assistant tokens only (LoRA by default)."""
    from mmpriv_data.cli.app import out as console
    from trainers.lora import train_lora

    settings = _settings(
        epochs=epochs, lr=lr, lora_r=lora_r, lora_alpha=lora_alpha, target_modules=target_modules,
        max_length=max_length or None, batch_size=batch_size, grad_accum=grad_accum, bf16=bf16,
        merge=merge, full_finetune=full_finetune, with_questions=questions, seed=seed,
        pack_length=pack_length or None, compile=compile, fused_lora=fused_lora, quiet=quiet,
    )  # fmt: skip
    summary = train_lora(model, data, config or None, out, settings, split=split or None)
    console.print(
        f"trained {summary['batches']} batches ({summary['tokens']} tokens, "
        f"{summary['seconds']:.1f} s): loss {summary['first_loss']:.3f} -> "
        f"{summary['last_loss']:.3f}; saved to {out}"
    )


def train_unlearn_command(
    method: Annotated[str, typer.Option(help="ga, graddiff, kl or npo.")],
    model: Annotated[str, typer.Option(help="The finetuned model to unlearn from.")],
    forget: Annotated[
        str, typer.Option(help="Forget set, DIR:forget_10 (DIR:config:split for a split).")
    ],
    out: Annotated[Path, typer.Option(help="Folder for the unlearned model.")],
    retain: Annotated[str, typer.Option(help="Retain set, DIR:retain_90[:split].")] = "",
    epochs: Epochs = 5,
    lr: Lr = 1e-5,
    max_steps: Annotated[int, typer.Option(help="Stop after N steps (0: epochs decide).")] = 0,
    beta: Annotated[float, typer.Option(help="NPO's beta.")] = 0.4,
    lora_r: LoraR = 16,
    lora_alpha: LoraAlpha = 16,
    target_modules: Targets = "",
    max_length: MaxLength = 0,
    batch_size: BatchSize = 4,
    bf16: Bf16 = False,
    merge: Merge = False,
    full_finetune: Full = False,
    questions: Questions = False,
    seed: Seed = 0,
    quiet: QuietOption = False,
) -> None:
    """Unlearn the forget set (MLLMU-Bench baselines); NPO/KL compare to the model before."""
    from mmpriv_data.cli.app import out as console
    from trainers.unlearn import unlearn

    settings = _settings(
        epochs=epochs, lr=lr, lora_r=lora_r, lora_alpha=lora_alpha, target_modules=target_modules,
        max_length=max_length or None, batch_size=batch_size, bf16=bf16, merge=merge,
        full_finetune=full_finetune, with_questions=questions, seed=seed, quiet=quiet,
    )  # fmt: skip
    summary = unlearn(
        method, model, forget, retain or None, out, settings, beta=beta, max_steps=max_steps or None
    )
    console.print(
        f"{method}: {summary['steps']} steps, forget NLL {summary['first_forget_nll']:.3f} -> "
        f"{summary['last_forget_nll']:.3f}; saved to {out}"
    )


def preference(
    model: Annotated[str, typer.Option(help="Model folder or id (from_pretrained).")],
    data: Annotated[str, typer.Option(help="DIR/spy-instructions (its `pairs` config is read).")],
    out: Annotated[Path, typer.Option(help="Folder for the merged model + processor.")],
    method: Annotated[str, typer.Option(help="dpo, nca or nca_p.")] = "nca_p",
    beta: Annotated[
        float | None, typer.Option(help="Default: 0.5 for dpo, 0.01 otherwise.")
    ] = None,
    lr: Annotated[float, typer.Option(help="AdamW learning rate (SPY-Tune: 3e-6).")] = 3e-6,
    epochs: Annotated[float, typer.Option(help="Passes over the pairs.")] = 3.0,
    batch_size: Annotated[int, typer.Option(help="Pairs per step.")] = 4,
    lora_r: Annotated[int, typer.Option(help="LoRA rank; 0 trains every weight.")] = 8,
    max_steps: Annotated[int | None, typer.Option(help="Stop after this many steps.")] = None,
    seed: Annotated[int, typer.Option(help="Shuffling and LoRA init seed.")] = 0,
    split: Split = "",
    quiet: QuietOption = False,
) -> None:
    """Preference-tune on SPY-Tune pairs (DPO, NCA, or NCA-P with a frozen reference)."""
    from mmpriv_data.cli.app import out as console
    from trainers.data import load_rows
    from trainers.preference import check_options, train_preference

    check_options(out, method=method, beta=beta, lr=lr, epochs=epochs, batch_size=batch_size,
                  lora_rank=lora_r, max_steps=max_steps)  # fmt: skip
    rows = load_rows(data, "pairs", split=split or None)
    result = train_preference(
        model, rows, out, method=method, beta=beta, lr=lr, epochs=epochs,
        batch_size=batch_size, lora_rank=lora_r, max_steps=max_steps, seed=seed, quiet=quiet,
    )  # fmt: skip
    first, last = result["losses"][0], result["losses"][-1]
    console.print(
        f"{method} (beta {result['beta']}): {result['steps']} steps, loss {first:.4f} -> "
        f"{last:.4f}; saved to {out}"
    )
