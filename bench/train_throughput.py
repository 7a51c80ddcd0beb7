"""LoRA finetuning throughput (tokens/s) and model FLOPs utilisation on one GPU.

A LLaVA-style model of about 1.1B parameters (random weights, TinyLlama-like language model:
hidden 2048, 22 layers, MLP 5632) in bf16 with SDPA attention, LoRA r=16 on every LLM linear,
batches from profiles/full (+ questions) grouped by length and padded to the longest of each
batch only, or packed best-fit into rows of --pack-length tokens (several example counts per
step are swept); random-order batches are timed in the same run, for the ratio. Then the best
setting again with `--fused-lora` (trainers.fused_lora) and/or `--liger` (Liger's kernels,
patched in place), and a profile of the best. `--size 3b`: Llama-3.2-3B's shape.

MFU counts 4*N FLOPs per real (non-padding) token, N = the language model's matmul weights:
forward 2N, backward 2N for activation gradients; frozen weights get no weight gradients.

    python bench/train_throughput.py --data hub/profiles --texts texts.json --compile --fused-lora
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

PEAK_BF16 = {"H100": 989e12, "H200": 989e12, "A100": 312e12}  # dense, no sparsity
SIZE_1B = dict(
    vocab=8000,
    hidden=2048,
    layers=22,
    heads=16,
    intermediate=5632,
    vision_hidden=384,
    vision_layers=4,
    vision_heads=6,
    image_size=112,
    patch=16,
)
# Llama-3.2-3B's language model shape (3.2B matmul weights), same small vision tower.
SIZE_3B = SIZE_1B | dict(hidden=3072, layers=28, heads=24, intermediate=8192)


def llm_matmul_params(model) -> int:
    """Frozen weights of the language model's linears + LM head (embedding lookups cost no
    FLOPs). peft's wrappers are no nn.Linear; their `base_layer` is, and is counted once."""
    import torch

    return sum(
        module.weight.numel()
        for name, module in model.named_modules()
        if isinstance(module, torch.nn.Linear)
        and ("language_model" in name or name.endswith("lm_head"))
        and "lora_" not in name
    )


def matmul_peak(device: str) -> float:
    """Achieved bf16 FLOP/s of one large matmul: the ceiling this GPU really reaches today."""
    import torch

    if device != "cuda":
        return 0.0
    a = torch.randn(8192, 8192, device=device, dtype=torch.bfloat16)
    b = torch.randn(8192, 8192, device=device, dtype=torch.bfloat16)
    for _ in range(3):
        a @ b
    torch.cuda.synchronize()
    started, repeats = time.perf_counter(), 20
    for _ in range(repeats):
        a @ b
    torch.cuda.synchronize()
    return repeats * 2 * 8192**3 / (time.perf_counter() - started)


def train_step(model, optimizer, batch, device: str, cast_inputs: bool = False) -> None:
    import torch
    from peft.helpers import disable_input_dtype_casting

    batch = {k: v.to(device, non_blocking=True) for k, v in batch.items()}
    # As trainers.lora does: adapters take bf16 inputs under autocast (peft's default copies
    # them to fp32); cast_inputs=True measures peft's default.
    with torch.autocast(device, dtype=torch.bfloat16):
        with disable_input_dtype_casting(model, active=not cast_inputs):
            loss = model(**batch, use_cache=False).loss
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)


def time_batches(model, optimizer, batches, warmup, device, cast: bool, pad_id: int) -> dict:
    import torch

    from trainers.lora import count_tokens

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    for batch in batches[:warmup]:
        train_step(model, optimizer, batch, device, cast)
    sync()
    timed = batches[warmup:]
    started = time.perf_counter()
    for batch in timed:
        train_step(model, optimizer, batch, device, cast)
    sync()
    seconds = time.perf_counter() - started
    real = sum(count_tokens(b, pad_id) for b in timed)
    padded = sum(b["input_ids"].numel() for b in timed)
    return {
        "batches": len(timed),
        "seconds": seconds,
        "tokens": real,
        "tokens_per_step": real / len(timed),
        "padded_tokens": padded,
        "padding_fraction": 1 - real / padded,
        "tokens_per_s": real / seconds,
    }


def profile_steps(model, optimizer, batches, device: str, top: int = 15) -> list[dict]:
    """Where a step's time goes: the operators with the most GPU (or CPU) self time."""
    from torch.profiler import ProfilerActivity, profile

    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device == "cuda" else [])
    with profile(activities=activities) as prof:
        for batch in batches:
            train_step(model, optimizer, batch, device)
    key = "self_device_time_total" if device == "cuda" else "self_cpu_time_total"
    events = sorted(prof.key_averages(), key=lambda e: getattr(e, key, 0), reverse=True)
    return [
        {
            "op": e.key,
            "calls": e.count,
            "self_ms": getattr(e, key, 0) / 1000 / len(batches),
            "cpu_ms": e.self_cpu_time_total / 1000 / len(batches),
        }
        for e in events[:top]
    ]


def grouped_batches(lengths, batch_size: int, needed: int) -> list[list[int]]:
    """Length-grouped batches over as many epochs as it takes to have `needed` of them."""
    from trainers.batching import length_grouped_batches

    batches, epoch = [], 0
    while len(batches) < needed:
        batches += length_grouped_batches(lengths, batch_size, seed=0, epoch=epoch)
        epoch += 1
    return batches[:needed]


def main() -> None:
    import torch
    from torch.utils.data import DataLoader

    from trainers import tiny_model
    from trainers.batching import estimated_lengths, tokens_per_image
    from trainers.data import ChatCollator, load_rows, training_examples
    from trainers.lora import TrainSettings, add_lora, compile_decoder_layers

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--texts", required=True)
    parser.add_argument("--batch-size", type=int, default=64, help="rows of padded batches")
    parser.add_argument("--pack-length", type=int, default=512)
    parser.add_argument("--pack-examples", default="512,768", help="examples per packed step")
    parser.add_argument("--liger", action=argparse.BooleanOptionalAction, default=False)
    parser.add_argument("--compile", action="store_true", help="torch.compile each LLM layer")
    parser.add_argument(
        "--fused-lora", action="store_true", help="then the best setting with trainers.fused_lora"
    )
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=6)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--out", default="bench/results/train_throughput.json")
    parser.add_argument("--size", default="1b", help="1b, 3b, or a tiny_model size (smoke test)")
    args = parser.parse_args()

    device = "cuda" if torch.cuda.is_available() else "cpu"
    presets = {"1b": SIZE_1B, "3b": SIZE_3B}
    if args.size in presets:
        size = tiny_model.ModelSize(**presets[args.size])
    else:
        size = tiny_model.SIZES[args.size]
    tokenizer = tiny_model.train_tokenizer(json.load(open(args.texts)), size.vocab, "llava")
    torch.manual_seed(0)
    with torch.device(device):
        model, processor = tiny_model._llava(size, tokenizer)
    model.config._attn_implementation = "sdpa"
    model = model.to(torch.bfloat16)
    model = add_lora(model, TrainSettings(lora_r=16, lora_alpha=16))
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=1e-4, fused=device == "cuda")
    model.train()

    examples = training_examples(load_rows(args.data, "full"), with_questions=True)
    lengths = estimated_lengths(examples, processor, tokens_per_image(processor, examples))
    needed = args.warmup + args.steps

    def collate_all(batch_indices, **collator_options):
        # Batches are prepared before timing: this measures the GPU, not the CPU collator.
        loader = DataLoader(
            examples,
            batch_sampler=batch_indices,
            collate_fn=ChatCollator(processor, **collator_options),
            num_workers=args.workers,
        )
        return list(loader)

    n_llm = llm_matmul_params(model)
    name = torch.cuda.get_device_name() if device == "cuda" else "cpu"
    peak = next((v for k, v in PEAK_BF16.items() if k in name), 989e12)
    results = {
        "device": name,
        "torch": torch.__version__,
        "parameters_total": sum(p.numel() for p in model.parameters()),
        "parameters_llm_matmul": n_llm,
        "trainable": sum(p.numel() for p in trainable),
        "attention": model.config._attn_implementation,
        "dtype": "bfloat16",
        "peak_flops": peak,
        "matmul_8192_flops": matmul_peak(device),
        "runs": [],
    }
    print(json.dumps(results), flush=True)
    generator = torch.Generator().manual_seed(0)
    shuffled = torch.randperm(len(examples), generator=generator).tolist()
    rows = args.batch_size
    random_order = [shuffled[i : i + rows] for i in range(0, len(shuffled), rows)][:needed]
    grouped = grouped_batches(lengths, rows, needed)
    # (name, batch indices, collator options, peft's fp32 input casting on)
    plans = [
        ("random order, padded, peft casting", random_order, {}, True),
        ("length-grouped, padded, peft casting", grouped, {}, True),
        ("length-grouped, padded", grouped, {}, False),
    ]
    pack = {"pack_length": args.pack_length}
    for n in [int(n) for n in args.pack_examples.split(",") if n]:
        plans.append(
            (
                f"packed {args.pack_length}, {n} examples",
                grouped_batches(lengths, n, needed),
                pack,
                False,
            )
        )
    pad_id = processor.tokenizer.pad_token_id

    def run(name, batch_indices, options, cast) -> dict:
        batches = collate_all(batch_indices, **options)
        if device == "cuda":
            torch.cuda.reset_peak_memory_stats()
        try:
            timing = time_batches(model, optimizer, batches, args.warmup, device, cast, pad_id)
        except torch.OutOfMemoryError:
            optimizer.zero_grad(set_to_none=True)
            timing = {"oom": True}
        timing = {"setting": name, "examples_per_step": len(batch_indices[0])} | timing
        if "tokens_per_s" in timing:
            timing["mfu"] = 4 * n_llm * timing["tokens_per_s"] / peak
        if device == "cuda":
            timing["peak_memory_gib"] = torch.cuda.max_memory_allocated() / 2**30
        results["runs"].append(timing)
        print(json.dumps(timing), flush=True)
        return timing

    for plan in plans:
        if args.compile and "pack_length" in plan[2] and not results.get("compiled"):
            # Regional compilation, as `mmpriv train lora --compile` does.
            compile_decoder_layers(model)
            results["compiled"] = True
        run(*plan)
    best = max(results["runs"], key=lambda r: r.get("tokens_per_s", 0))
    best_plan = next(p for p in plans if p[0] == best["setting"])
    if args.fused_lora:
        # peft's LoRA maths as one autograd function, as `mmpriv train lora --fused-lora` does.
        from trainers.fused_lora import fuse_lora_layers

        results["fused_lora_layers"] = fuse_lora_layers(model)
        run(best_plan[0] + " + fused LoRA", *best_plan[1:])
        best = max(results["runs"], key=lambda r: r.get("tokens_per_s", 0))
        best_plan = next(p for p in plans if best["setting"].startswith(p[0]))
    if args.liger and device == "cuda":
        # Liger's fused RMSNorm, RoPE and SwiGLU kernels (patched in place: run last).
        from liger_kernel.transformers import apply_liger_kernel_to_llama

        language_model = model.base_model.model.model.language_model
        apply_liger_kernel_to_llama(
            rope=True, rms_norm=True, swiglu=True, cross_entropy=False,
            fused_linear_cross_entropy=False, model=language_model,
        )  # fmt: skip
        run(best_plan[0] + " + liger kernels", *best_plan[1:])
        best = max(results["runs"], key=lambda r: r.get("tokens_per_s", 0))
    results["best"] = {k: best[k] for k in ("setting", "tokens_per_s", "mfu")}
    results["best_over_random_tokens_per_s"] = (
        best["tokens_per_s"] / results["runs"][0]["tokens_per_s"]
    )
    # The profile of 3 steps of the best setting shows what bounds it.
    top = collate_all(best_plan[1][:3], **best_plan[2])
    results["profile_best"] = profile_steps(model, optimizer, top, device)
    for row in results["profile_best"][:8]:
        print(json.dumps(row)[:200], flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results["best"] | {"over_random": results["best_over_random_tokens_per_s"]}))


if __name__ == "__main__":
    main()
