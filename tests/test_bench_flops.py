"""FLOP accounting of `bench/mia_scoring.py`: the count behind its TFLOP/s figures must equal the
matmul work torch actually does (the embedding table is a lookup; the LM head runs only at the
positions whose logits are kept)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

ROOT = Path(__file__).resolve().parents[1]


def _bench():
    spec = importlib.util.spec_from_file_location("mia_scoring", ROOT / "bench" / "mia_scoring.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _llama(tied: bool, vocab=100, hidden=16, layers=2, mlp=2, device="cpu"):
    config = transformers.LlamaConfig(
        vocab_size=vocab,
        hidden_size=hidden,
        intermediate_size=mlp * hidden,
        num_hidden_layers=layers,
        num_attention_heads=2,
        num_key_value_heads=2,
        tie_word_embeddings=tied,
    )
    with torch.device(device):
        return transformers.LlamaForCausalLM(config).eval()


@pytest.mark.parametrize("tied", [False, True])
def test_the_count_equals_the_matmul_flops_torch_measures(tied):
    from torch.utils.flop_counter import FlopCounterMode

    bench = _bench()
    torch.manual_seed(0)
    model = _llama(tied)
    prompt, target = 4, 6
    sample = bench.Encoded(list(range(3, 3 + prompt + target)), [False] * prompt + [True] * target)
    used = bench.logit_positions([sample])
    assert used == target  # position t is used when token t + 1 is a target
    keep = torch.arange(prompt - 1, prompt + target - 1)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(input_ids=torch.tensor([sample.input_ids]), logits_to_keep=keep)
    non_embedding, head = bench.parameter_split(model)
    assert head == 100 * 16
    counted = bench.forward_flops(non_embedding, head, len(sample.input_ids), used)
    # The norms' weights are in the count (2 FLOPs each per token, by convention) but are no
    # matmul; attention's score and value products run outside torch's mm here.
    norms = sum(p.numel() for name, p in model.named_parameters() if "norm" in name)
    assert counted - 2 * norms * len(sample.input_ids) == counter.get_total_flops()
    # The old count, 2 x all parameters x every token, charged the tables as compute.
    old = 2 * sum(p.numel() for p in model.parameters()) * len(sample.input_ids)
    assert old > counted


def test_the_recorded_h200_model_was_overcounted_by_about_a_fifth():
    bench = _bench()
    # bench/mia_scoring.py's default model, on the meta device: shapes only, no weights.
    model = _llama(False, vocab=32000, hidden=768, layers=12, mlp=4, device="meta")
    total = sum(p.numel() for p in model.parameters())
    assert total == 162_417_408  # bench/results/mia_scoring.json's "parameters"
    samples = bench.make_samples(1024)
    tokens = sum(len(s.input_ids) for s in samples)
    non_embedding, head = bench.parameter_split(model)
    assert non_embedding == total - 2 * 32000 * 768
    counted = bench.forward_flops(non_embedding, head, tokens, bench.logit_positions(samples))
    assert 2 * total * tokens / counted == pytest.approx(1.22, abs=0.01)
