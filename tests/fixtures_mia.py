"""Fixtures for the membership-inference tests: a small built `mia-neighbors` folder and tiny
text-only causal LMs (random init, or trained a few steps on the members).

    from fixtures_mia import mia_data, run_cli, tiny_text_models  # noqa: F401
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mmpriv_data.cli.app import main
from mmpriv_data.hub.build import build

MIA_SMALL = {"num_samples": "60", "neighbors": "4", "image_size": "64"}


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    """Run `mmpriv ARGV` in-process: (exit code, stdout, stderr)."""
    try:
        main([str(a) for a in argv])
        code = 0
    except SystemExit as exit_:
        code = exit_.code or 0
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="session")
def mia_data(tmp_path_factory) -> Path:
    """DIR/mia-neighbors with 30 members, 30 non-members, 4 neighbours each."""
    out = tmp_path_factory.mktemp("mia")
    return build("mia-neighbors", out, seed=0, settings=MIA_SMALL, configs=["samples"]).folder


def _plain_texts(folder: Path, member: bool) -> list[str]:
    from evaluators.scoring import plain_render
    from mmpriv_data.definitions.mia_neighbors import read_samples

    table = read_samples(folder, ["messages"]).to_pylist()
    return [plain_render(r["messages"]) for r in table if r["member"] == member]


@pytest.fixture(scope="session")
def tiny_text_models(mia_data, tmp_path_factory) -> dict[str, Path]:
    """{"trained": finetuned on the members, "untrained": same init, never trained,
    "nonmembers": the same finetuning on the non-members instead (a base model as good at the
    data's distribution as the target, which has not seen the members)}."""
    root = tmp_path_factory.mktemp("mia-models")
    members = _plain_texts(mia_data, True)
    nonmembers = _plain_texts(mia_data, False)
    # The tokenizer sees members and non-members alike, so it leaks nothing about membership.
    every = members + nonmembers
    return {
        "trained": save_text_model(root / "trained", every, members, steps=30),
        "untrained": save_text_model(root / "untrained", every, [], steps=0),
        "nonmembers": save_text_model(root / "nonmembers", every, nonmembers, steps=30),
    }


def save_text_model(
    out: Path, tokenizer_texts: list[str], train_texts: list[str], *, steps: int, vocab: int = 0
) -> Path:
    """A LlamaForCausalLM (hidden 64, 2 layers) + BPE tokenizer, trained `steps` full-batch steps
    on `train_texts`; `vocab` smaller than the tokenizer builds a mismatched pair."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from trainers.tiny_model import train_tokenizer

    tokenizer = train_tokenizer(tokenizer_texts, 600, "llava")
    config = LlamaConfig(
        vocab_size=vocab or len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=1024,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    model = LlamaForCausalLM(config)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices: one thread is several times faster than two
    try:
        if steps:
            batch = tokenizer(train_texts, padding=True, return_tensors="pt")
            labels = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
            optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
            for _ in range(steps):
                model(**batch, labels=labels).loss.backward()
                optimizer.step()
                optimizer.zero_grad()
    finally:
        torch.set_num_threads(threads)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out
