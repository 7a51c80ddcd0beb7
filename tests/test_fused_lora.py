"""trainers.fused_lora: peft's LoRA maths, same outputs and gradients, fewer memory passes."""

from __future__ import annotations

import pytest

from trainers.fused_lora import fuse_lora_layers


def _lora_model(seed: int = 0, bias: bool = False, dropout: float = 0.0):
    import torch
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(seed)
    base = torch.nn.Sequential(
        torch.nn.Linear(24, 40, bias=bias), torch.nn.GELU(), torch.nn.Linear(40, 16, bias=bias)
    )
    config = LoraConfig(r=4, lora_alpha=8, lora_dropout=dropout, target_modules=["0", "2"])
    model = get_peft_model(base, config)
    for name, param in model.named_parameters():
        if "lora_B" in name:  # peft starts B at zero; a trained adapter has B != 0
            torch.nn.init.normal_(param)
    return model


def _output_and_grads(model, x, autocast: bool = False):
    import torch

    x = x.clone().requires_grad_(True)
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
        out = model(x)
    (out.float() ** 2).mean().backward()
    grads = {n: p.grad.clone() for n, p in model.named_parameters() if p.requires_grad}
    model.zero_grad(set_to_none=True)
    return out.detach().float(), x.grad.clone(), grads


@pytest.mark.parametrize("bias", [False, True])
def test_fused_layers_match_peft_in_fp32(bias):
    import torch

    x = torch.randn(3, 5, 24)
    want = _output_and_grads(_lora_model(bias=bias), x)
    model = _lora_model(bias=bias)
    assert fuse_lora_layers(model) == 2
    got = _output_and_grads(model, x)
    assert torch.allclose(got[0], want[0], atol=1e-5)
    assert torch.allclose(got[1], want[1], atol=1e-5)  # input gradient
    assert got[2].keys() == want[2].keys() and len(got[2]) == 4  # A and B of both layers
    for name in want[2]:
        assert got[2][name].dtype == torch.float32  # adapter grads in the adapters' dtype
        assert torch.allclose(got[2][name], want[2][name], atol=1e-5), name


def test_fused_layers_match_peft_under_bf16_autocast_and_train():
    import torch

    x = torch.randn(4, 7, 24)
    want = _output_and_grads(_lora_model(), x, autocast=True)
    model = _lora_model()
    fuse_lora_layers(model)
    got = _output_and_grads(model, x, autocast=True)
    assert torch.allclose(got[0], want[0], atol=0.05, rtol=0.02)
    for name in want[2]:
        assert torch.allclose(got[2][name], want[2][name], atol=0.05, rtol=0.05), name
    # A few optimizer steps lower the loss: the gradients drive learning.
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.002)
    losses = []
    for _ in range(5):
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = (model(x).float() ** 2).mean()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    assert losses[-1] < losses[0] * 0.9


def test_layers_the_function_does_not_cover_keep_peft_forward():
    import torch

    x = torch.randn(2, 3, 24)
    model = _lora_model(dropout=0.5)  # dropout: peft's own forward (random masks)
    fuse_lora_layers(model)
    model.eval()  # dropout off: the same numbers as peft's, through peft's path
    reference = _lora_model(dropout=0.5).eval()
    assert torch.allclose(model(x), reference(x), atol=1e-6)
    # A disabled adapter (the reference model of NPO and KL) gives the base model's output.
    fused = _lora_model()
    fuse_lora_layers(fused)
    with fused.disable_adapter():
        base_out = fused(x)
    assert not torch.allclose(base_out, fused(x), atol=1e-3)
    reference = _lora_model()
    with reference.disable_adapter():
        assert torch.allclose(base_out, reference(x), atol=1e-6)
