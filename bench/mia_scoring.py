"""Batched MIA loss scoring vs a one-sample-at-a-time loop, same model, same data.

Self-contained (torch + transformers only; no datasets): a Llama-architecture model of ~160M
parameters built from its config with random weights (the speed of a forward pass does not
depend on what the weights learned), random token sequences shaped like chat samples (a prompt
and a longer assistant target of varying length). Both runs use `evaluators.scoring.LossScorer`:
the loop is the same scorer with `max_batch=1`.

    python bench/mia_scoring.py --out bench/results   # on a GPU (device tool)
    python bench/mia_scoring.py --attacks loss,zlib,min_k   # headline without min-k%++
    python bench/mia_scoring.py --hidden 256 --layers 4 --name mia_scoring_cpu ...  # CPU:
        # the full command heads bench/results/mia_scoring_cpu.md

Prints and writes NAME.{json,md}: samples/s of each, their ratio, the largest loss
difference between the two (bf16), padding efficiency, and forward-pass utilisation against the
GPU's dense bf16 peak. FLOPs counted (`forward_flops`): 2 x non-embedding parameters per real
token, plus the LM head (2 x hidden x vocab) only at the positions whose logits are used (those
predicting a target token); the embedding table is a lookup, not compute. Padding, logits the
scorer computes but does not use, and attention's T^2 term (~3% here) are not counted. `--attacks`
picks what the headline scorers compute: the vocabulary statistics only when min_k_pp is among
them. The batched scorer is also timed in the other mode, so one run reports the cost of the
statistics (and checks that loss and log-probs are bit-identical either way).

`--recount NAME.json` re-derives the TFLOP/s of a stored run with this count, without a GPU: the
samples are regenerated from the seed and the model's shapes built on the meta device, both
checked against the stored parameters and mean tokens; the stored timings are kept as measured.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from evaluators.mia import ATTACKS, DEFAULT_ATTACKS, needs_vocab_stats  # noqa: E402
from evaluators.scoring import Encoded, LossScorer  # noqa: E402

PEAK_BF16_TFLOPS = {"H100 SXM": 989.0, "H100 PCIe": 756.0, "H100": 989.0, "H200": 989.0}


def make_model(device: str, hidden: int = 768, layers: int = 12, vocab: int = 32000):
    from transformers import LlamaConfig, LlamaForCausalLM

    heads = max(1, hidden // 64)
    config = LlamaConfig(
        vocab_size=vocab,
        hidden_size=hidden,
        intermediate_size=4 * hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=heads,
        max_position_embeddings=2048,
        tie_word_embeddings=False,
    )
    torch.manual_seed(0)
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    return LlamaForCausalLM(config).to(device=device, dtype=dtype).eval()


def make_samples(n: int, seed: int = 0, vocab: int = 32000) -> list[Encoded]:
    rng = np.random.default_rng(seed)
    samples = []
    for _ in range(n):
        prompt, target = int(rng.integers(16, 97)), int(rng.integers(32, 481))
        ids = rng.integers(3, vocab, prompt + target).tolist()
        samples.append(Encoded(ids, [False] * prompt + [True] * target))
    return samples


def timed(scorer: LossScorer, samples: list[Encoded], vocab_stats: bool) -> tuple[float, list]:
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    start = time.perf_counter()
    scores = scorer.score_encoded(samples, vocab_stats=vocab_stats)
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter() - start, scores


def forward_only_seconds(scorer: LossScorer, samples: list[Encoded]) -> float:
    """The same padded batches through the model alone: how much of the scorer is the forward."""
    batches = [[samples[i] for i in batch] for batch in scorer.batches(samples)]
    torch.cuda.synchronize() if torch.cuda.is_available() else None
    start = time.perf_counter()
    with torch.inference_mode():
        for items in batches:
            scorer.forward(items)
    torch.cuda.synchronize() if torch.cuda.is_available() else None
    return time.perf_counter() - start


def parameter_split(model) -> tuple[int, int]:
    """(non-embedding parameters, LM-head parameters): the input embedding table, and the output
    one when untied, are not matmul compute per token (a lookup; the head is charged apart)."""
    embedding = model.get_input_embeddings().weight
    head = model.get_output_embeddings().weight
    total = sum(p.numel() for p in model.parameters())  # a tied head is listed once
    tables = embedding.numel() + (0 if head is embedding else head.numel())
    return total - tables, head.numel()


def logit_positions(samples: list[Encoded]) -> int:
    """Positions whose logits a score uses: position t when token t + 1 is a target."""
    return sum(sum(s.target[1:]) for s in samples)


def forward_flops(non_embedding: int, head: int, tokens: int, logits_used: int) -> int:
    """Useful forward FLOPs: 2 per non-embedding weight per token, 2 per head weight per used
    logit position (a multiply and an add per weight)."""
    return 2 * non_embedding * tokens + 2 * head * logits_used


def peak_tflops(name: str) -> float:
    for key, value in PEAK_BF16_TFLOPS.items():
        if key.replace(" ", "").lower() in name.replace(" ", "").lower():
            return value
    return float("nan")


def parse_attacks(text: str) -> list[str]:
    names = [a.strip() for a in text.split(",") if a.strip()]
    unknown = [a for a in names if a not in ATTACKS]
    if unknown:
        raise SystemExit(f"--attacks {','.join(unknown)}: unknown; known: {', '.join(ATTACKS)}")
    return names


def identical(a: list, b: list) -> bool:
    """Loss and every token log-prob equal to the bit, sample by sample."""
    return all(
        x.loss == y.loss and np.array_equal(x.logprobs, y.logprobs)
        for x, y in zip(a, b, strict=True)
    )


def recount(stored: dict) -> dict:
    """`stored` (a run recorded with the old count, 2 x all parameters x every token) with its
    TFLOP/s re-derived from its own timings and this count; nothing re-measured."""
    from transformers import LlamaConfig, LlamaForCausalLM

    hidden, layers, vocab = map(int, re.findall(r"hidden (\d+), (\d+) layers, vocab (\d+)",
                                               stored["model"])[0])  # fmt: skip
    heads = max(1, hidden // 64)
    config = LlamaConfig(vocab_size=vocab, hidden_size=hidden, intermediate_size=4 * hidden,
                         num_hidden_layers=layers, num_attention_heads=heads,
                         num_key_value_heads=heads, tie_word_embeddings=False)  # fmt: skip
    with torch.device("meta"):  # shapes only
        model = LlamaForCausalLM(config)
    samples = make_samples(stored["samples"], vocab=vocab)
    loop_part = samples[: stored["loop_samples"]]
    tokens = sum(len(s.input_ids) for s in samples)
    total = sum(p.numel() for p in model.parameters())
    if total != stored["parameters"] or tokens / len(samples) != stored["mean_tokens_per_sample"]:
        raise SystemExit("--recount: the regenerated model or samples differ from the stored run")
    non_embedding, head = parameter_split(model)
    flops = forward_flops(non_embedding, head, tokens, logit_positions(samples))
    loop_tokens = sum(len(s.input_ids) for s in loop_part)
    loop_flops = forward_flops(non_embedding, head, loop_tokens, logit_positions(loop_part))
    loop_seconds = stored["loop_samples"] / stored["loop_samples_per_s"]
    peak = stored["peak_bf16_tflops"]
    result = dict(stored)
    result.update(
        non_embedding_parameters=non_embedding,
        lm_head_parameters=head,
        forward_flops=flops,
        flops_counted="2*non_embedding*tokens + 2*lm_head*logit positions used",
        flops_recounted=(
            "TFLOP/s re-derived from the stored seconds with this count (bench/mia_scoring.py"
            " --recount); the run itself counted 2*all parameters*tokens"
        ),
        old_count_over_new=2 * total * tokens / flops,
        batched_tflops=flops / stored["batched_seconds"] / 1e12,
        loop_tflops=loop_flops / loop_seconds / 1e12,
        forward_only_tflops=flops / stored["forward_only_seconds"] / 1e12,
    )
    for key in ("batched", "loop", "forward_only"):
        result[f"{key}_utilisation"] = result[f"{key}_tflops"] / peak
    return result


def recount_markdown(result: dict) -> str:
    share = result["forward_share_of_batched"]
    return "\n".join(
        [
            "# MIA loss scoring: batched vs one at a time",
            "",
            f"{result['device']}, {result['model']}, {result['parameters'] / 1e6:.0f}M parameters,"
            f" {result['dtype']};",
            f"{result['samples']} random-token chat samples (mean"
            f" {result['mean_tokens_per_sample']:.0f} tokens, target 32-480 tokens), loop timed on"
            f" the first {result['loop_samples']}. Every attack served (min-k%++ vocabulary"
            " statistics included: the scorer of that run always computed them).",
            "",
            "| scorer | samples/s | TFLOP/s (2·N_non-emb·tokens + head at used logits) |"
            " utilisation of bf16 peak |",
            "|---|---|---|---|",
            f"| batched (length buckets, {result['batch_tokens']} tokens/batch) |"
            f" {result['batched_samples_per_s']:.1f} | {result['batched_tflops']:.1f} |"
            f" {result['batched_utilisation']:.1%} |",
            f"| one at a time | {result['loop_samples_per_s']:.1f} | {result['loop_tflops']:.2f} |"
            f" {result['loop_utilisation']:.2%} |",
            "",
            f"Speed-up: **{result['speedup']:.1f}x**; padding efficiency"
            f" {result['padding_efficiency']:.1%}; largest |loss difference| batched vs loop:"
            f" {result['max_abs_loss_diff_batched_vs_loop']:.2e}.",
            f"Forward passes alone (same batches, logits at target positions only) take {share:.0%}"
            f" of the batched scorer's time and reach {result['forward_only_tflops']:.1f} TFLOP/s"
            f" ({result['forward_only_utilisation']:.1%} of peak); the rest is the per-token"
            " vocabulary statistics (log-softmax, min-k%++ mean/std) and host work.",
            "",
            "FLOPs recounted"
            " (`python bench/mia_scoring.py --recount bench/results/mia_scoring.json`): the run"
            " counted 2 x all parameters x every token, which charged the embedding tables"
            f" as compute and the LM head at every position: {result['old_count_over_new']:.3f}x"
            " the work done. The TFLOP/s above divide the corrected count (2 x non-embedding"
            " parameters per token + 2 x head weights per logit position used) by the seconds the"
            " run measured; the samples (regenerated from the seed) and parameter count match the"
            " run's. Timings and samples/s are as measured.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=1024)
    parser.add_argument("--loop-samples", type=int, default=192)
    parser.add_argument("--warmup-samples", type=int, default=256)
    parser.add_argument("--batch-tokens", type=int, default=32768)
    parser.add_argument("--max-batch", type=int, default=128)
    parser.add_argument(
        "--attacks",
        default=",".join(DEFAULT_ATTACKS),
        help="attacks the headline scorers serve; vocabulary statistics only for min_k_pp",
    )
    parser.add_argument("--hidden", type=int, default=768)
    parser.add_argument("--layers", type=int, default=12)
    parser.add_argument("--vocab", type=int, default=32000)
    parser.add_argument("--repeats", type=int, default=1, help="alternating timed runs")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: default)")
    parser.add_argument("--name", default="mia_scoring", help="stem of the result files")
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    parser.add_argument(
        "--recount", type=Path, help="re-derive a stored NAME.json's TFLOP/s; no GPU, no timing"
    )
    args = parser.parse_args()
    if args.recount:
        result = recount(json.loads(args.recount.read_text()))
        args.recount.write_text(json.dumps(result, indent=2) + "\n")
        args.recount.with_suffix(".md").write_text(recount_markdown(result))
        print(recount_markdown(result))
        return

    if args.threads:
        torch.set_num_threads(args.threads)
    attacks = parse_attacks(args.attacks)
    stats = needs_vocab_stats(attacks)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = make_model(device, args.hidden, args.layers, args.vocab)
    params = sum(p.numel() for p in model.parameters())
    non_embedding, head = parameter_split(model)
    samples = make_samples(args.samples, vocab=args.vocab)
    loop_part = samples[: args.loop_samples]
    batched = LossScorer.from_loaded(
        model, 0, batch_tokens=args.batch_tokens, max_batch=args.max_batch
    )
    single = LossScorer.from_loaded(model, 0, max_batch=1)

    for mode in (stats, not stats):  # warm-up: kernels, allocator
        timed(batched, samples[: args.warmup_samples], mode)
    timed(single, samples[:8], stats)
    # The two modes alternate and each keeps its fastest run: a shared or noisy machine then
    # slows both alike instead of skewing their ratio.
    batched_s = other_s = float("inf")
    for _ in range(args.repeats):
        seconds, batched_scores = timed(batched, samples, stats)
        batched_s = min(batched_s, seconds)
        seconds, other_scores = timed(batched, samples, not stats)
        other_s = min(other_s, seconds)
    single_s, single_scores = timed(single, loop_part, stats)
    forward_s = forward_only_seconds(batched, samples)
    with_stats_s, without_stats_s = (batched_s, other_s) if stats else (other_s, batched_s)

    real_tokens = sum(len(s.input_ids) for s in samples)
    padded_tokens = sum(
        len(batch) * max(len(samples[i].input_ids) for i in batch)
        for batch in batched.batches(samples)
    )
    gpu = torch.cuda.get_device_name() if device == "cuda" else "cpu"
    if device == "cpu":
        gpu = f"CPU ({torch.get_num_threads()} torch threads)"
    peak = peak_tflops(gpu)
    flops = forward_flops(non_embedding, head, real_tokens, logit_positions(samples))
    loop_tokens = sum(len(s.input_ids) for s in loop_part)
    loop_flops = forward_flops(non_embedding, head, loop_tokens, logit_positions(loop_part))
    achieved = flops / batched_s / 1e12
    single_achieved = loop_flops / single_s / 1e12
    diffs = [abs(a.loss - b.loss) for a, b in zip(batched_scores, single_scores, strict=False)]
    result = {
        "device": gpu,
        "model": f"LlamaForCausalLM (random init), hidden {args.hidden}, {args.layers} layers,"
        f" vocab {args.vocab}",
        "parameters": params,
        "non_embedding_parameters": non_embedding,
        "lm_head_parameters": head,
        "forward_flops": flops,
        "flops_counted": "2*non_embedding*tokens + 2*lm_head*logit positions used",
        "dtype": str(next(model.parameters()).dtype),
        "attacks": attacks,
        "vocab_stats": stats,
        "samples": args.samples,
        "loop_samples": args.loop_samples,
        "mean_tokens_per_sample": real_tokens / args.samples,
        "batch_tokens": args.batch_tokens,
        "max_batch": args.max_batch,
        "batched_samples_per_s": args.samples / batched_s,
        "loop_samples_per_s": args.loop_samples / single_s,
        "speedup": (args.samples / batched_s) / (args.loop_samples / single_s),
        "padding_efficiency": real_tokens / padded_tokens,
        "batched_tflops": achieved,
        "loop_tflops": single_achieved,
        "peak_bf16_tflops": peak,
        "batched_utilisation": achieved / peak,
        "loop_utilisation": single_achieved / peak,
        "max_abs_loss_diff_batched_vs_loop": max(diffs),
        "forward_only_seconds": forward_s,
        "batched_seconds": batched_s,
        "forward_share_of_batched": forward_s / batched_s,
        "forward_only_tflops": flops / forward_s / 1e12,
        "forward_only_utilisation": flops / forward_s / 1e12 / peak,
        "repeats": args.repeats,
        "batched_with_vocab_stats_seconds": with_stats_s,
        "batched_without_vocab_stats_seconds": without_stats_s,
        "vocab_stats_speedup": with_stats_s / without_stats_s,
        "forward_share_with_vocab_stats": forward_s / with_stats_s,
        "forward_share_without_vocab_stats": forward_s / without_stats_s,
        "identical_loss_and_logprobs_with_and_without_stats": identical(
            batched_scores, other_scores
        ),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.name}.json").write_text(json.dumps(result, indent=2) + "\n")
    mode = "with" if stats else "without"

    def share(value: float) -> str:  # of the bf16 peak: none known for a CPU
        return "n/a" if np.isnan(value) else f"{value:.1%}"

    md = [
        "# MIA loss scoring: batched vs one at a time",
        "",
        f"{gpu}, {result['model']}, {params / 1e6:.0f}M parameters, {result['dtype']};",
        f"{args.samples} random-token chat samples"
        f" (mean {result['mean_tokens_per_sample']:.0f} tokens, target 32-480 tokens),"
        f" loop timed on the first {args.loop_samples}.",
        f"Attacks served: {', '.join(attacks)} (so {mode} the min-k%++ vocabulary statistics).",
        "",
        "| scorer | samples/s | TFLOP/s (2·N_non-emb·tokens + head at used logits) |"
        " utilisation of bf16 peak |",
        "|---|---|---|---|",
        f"| batched (length buckets, {args.batch_tokens} tokens/batch) | "
        f"{result['batched_samples_per_s']:.1f} | {achieved:.2f} | "
        f"{share(result['batched_utilisation'])} |",
        f"| one at a time | {result['loop_samples_per_s']:.1f} | {single_achieved:.2f} | "
        f"{share(result['loop_utilisation'])} |",
        "",
        f"Speed-up: **{result['speedup']:.1f}x**;"
        f" padding efficiency {result['padding_efficiency']:.1%};"
        " largest |loss difference| batched vs loop:"
        f" {result['max_abs_loss_diff_batched_vs_loop']:.2e}.",
        "",
        f"| batched scorer (fastest of {args.repeats}, modes alternating) | seconds | samples/s"
        " | forward passes' share |",
        "|---|---|---|---|",
        f"| with vocabulary statistics (min_k_pp requested) | {with_stats_s:.2f} | "
        f"{args.samples / with_stats_s:.1f} | {result['forward_share_with_vocab_stats']:.0%} |",
        f"| log-probs only (logsumexp + gather) | {without_stats_s:.2f} | "
        f"{args.samples / without_stats_s:.1f} |"
        f" {result['forward_share_without_vocab_stats']:.0%} |",
        "",
        f"Skipping the statistics: **{result['vocab_stats_speedup']:.2f}x** the samples/s;"
        " loss and token log-probs bit-identical either way:"
        f" {result['identical_loss_and_logprobs_with_and_without_stats']}.",
        f"Forward passes alone (same batches, logits at target positions only) take"
        f" {forward_s:.2f} s and reach {result['forward_only_tflops']:.2f} TFLOP/s"
        f" ({share(result['forward_only_utilisation'])} of peak); the rest is the per-token"
        " log-probs (and, when requested, the min-k%++ mean/std) and host work.",
        "",
    ]
    (args.out / f"{args.name}.md").write_text("\n".join(md))
    print("\n".join(md))


if __name__ == "__main__":
    main()
