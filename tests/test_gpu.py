"""GPU checks (run through the device tool; skipped wherever CUDA is missing, CI included)."""

from __future__ import annotations

import pytest

from tests.fixtures_models import tiny_llava  # noqa: F401  (a fixture, used by name)

torch = pytest.importorskip("torch")

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
]


def chat(text: str, answer: str) -> list[dict]:
    return [
        {"role": "user", "content": [{"type": "text", "text": text}]},
        {"role": "assistant", "content": [{"type": "text", "text": answer}]},
    ]


def test_bf16_batched_scores_match_one_at_a_time_on_cuda(tiny_llava):  # noqa: F811
    from evaluators.scoring import LossScorer

    scorer = LossScorer(tiny_llava, batch_tokens=100000)
    assert scorer.device.startswith("cuda") and scorer.dtype == torch.bfloat16
    conversations = [chat(f"Question {i}?", "An answer " * (i + 1)) for i in range(8)]
    encoded = [scorer.encode(messages, []) for messages in conversations]
    together = scorer.score_encoded(encoded)
    scorer.max_batch = 1
    alone = scorer.score_encoded(encoded)
    for a, b in zip(together, alone, strict=True):
        assert a.n_tokens == b.n_tokens > 0
        assert a.loss == pytest.approx(b.loss, abs=2e-2)  # bf16 rounding, not padding effects


def lora_memorises_one_reply(model_path, device: str, steps: int = 20) -> dict:
    """LoRA (r=8) trained `steps` full-batch steps on one short exchange, bf16 autocast on CUDA:
    the losses, the base model's loss before training, and which weights moved."""
    from trainers.data import ChatCollator
    from trainers.lora import TrainSettings, add_lora, load_model

    torch.manual_seed(0)
    model, processor = load_model(str(model_path), bf16=device == "cuda", full_finetune=False)
    examples = [{"images": [], "messages": chat("Who are you?", "I am a test model.")}] * 2
    batch = {k: v.to(device) for k, v in ChatCollator(processor)(examples).items()}
    with (
        torch.no_grad(),
        torch.autocast(device, dtype=torch.bfloat16, enabled=device == "cuda"),
    ):
        base_loss = model.to(device)(**batch).loss.item()  # the base model, before any adapter
    model = add_lora(model, TrainSettings(lora_r=8, lora_alpha=16)).to(device)
    # By name, not by requires_grad: a base weight left trainable by mistake must show up.
    frozen = {n: p.detach().clone() for n, p in model.named_parameters() if "lora_" not in n}
    trained = {n: p.detach().clone() for n, p in model.named_parameters() if "lora_" in n}
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    losses = []
    for _ in range(steps):
        with torch.autocast(device, dtype=torch.bfloat16, enabled=device == "cuda"):
            loss = model(**batch).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    now = dict(model.named_parameters())
    return {
        "losses": losses,
        "base_loss": base_loss,
        "frozen_moved": [n for n, p in frozen.items() if not now[n].detach().equal(p)],
        "adapters_moved": sum(not now[n].detach().equal(p) for n, p in trained.items()),
        "adapters": len(trained),
    }


def test_a_bf16_lora_run_on_cuda_memorises_one_reply(tiny_llava):  # noqa: F811
    run = lora_memorises_one_reply(tiny_llava, "cuda")
    # LoRA's B starts at zero: the first step computes exactly the base model's loss.
    assert run["losses"][0] == pytest.approx(run["base_loss"], rel=1e-3)
    # 20 steps lower the loss by ~17% in fp32 on a CPU; bf16 must learn too, not just jitter.
    assert run["losses"][-1] < 0.9 * run["losses"][0]
    assert run["frozen_moved"] == []  # only the adapters train
    assert run["adapters_moved"] == run["adapters"] > 0
