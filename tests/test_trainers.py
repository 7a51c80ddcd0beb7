"""Trainers on a tiny random LLaVA: labels, a LoRA step, the four unlearning losses, TRL."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmpriv_data.cli.app import main
from mmpriv_data.core.errors import MmprivError
from tests.fixtures_models import tiny_llava  # noqa: F401  (fixture)
from trainers.data import ChatCollator, load_rows, split_spec, training_examples
from trainers.lora import TrainSettings


@pytest.fixture(scope="module")
def profiles_dir(tmp_path_factory) -> Path:
    from mmpriv_data.hub.build import build

    out = tmp_path_factory.mktemp("hub")
    build("profiles", out, seed=0, settings={"num_profiles": 8, "image_size": 64})
    return out / "profiles"


@pytest.fixture(scope="module")
def processor(tiny_llava):  # noqa: F811
    from transformers import AutoProcessor

    return AutoProcessor.from_pretrained(tiny_llava)


def test_split_spec_reads_dir_colon_config():
    assert split_spec("hub/profiles:forget_10") == ("hub/profiles", "forget_10")
    assert split_spec("org/name", "full") == ("org/name", "full")
    with pytest.raises(MmprivError, match="differs from --config"):
        split_spec("hub/profiles:forget_10", "full")


def test_labels_cover_assistant_tokens_only(profiles_dir, processor):
    rows = load_rows(f"{profiles_dir}:forget_10")
    examples = training_examples(rows, with_questions=True)
    batch = ChatCollator(processor)([examples[0], examples[1]])
    tokenizer = processor.tokenizer
    row = rows[0]
    # The conversation: labelled text is exactly the assistant replies, each closed by </s>.
    replies = [t["content"][0]["text"] for t in row["messages"] if t["role"] == "assistant"]
    labelled = tokenizer.decode(batch["labels"][0][batch["labels"][0] != -100])
    assert labelled == "".join(f" {reply}</s>" for reply in replies)
    assert "USER" not in labelled and "<image>" not in labelled
    # The first question: only its answer letter (multiple choice) is labelled.
    question = row["questions"][0]
    labelled_answer = tokenizer.decode(batch["labels"][1][batch["labels"][1] != -100])
    assert labelled_answer == f" {question['answer']}</s>"
    # Padding (to the longest row of the batch only) is never labelled.
    padding = batch["attention_mask"] == 0
    assert padding.any() and (batch["labels"][padding] == -100).all()


def test_packed_batch_gives_the_padded_batch_loss(profiles_dir, processor, tiny_llava):  # noqa: F811
    """Packing changes the layout, not the maths: no example attends to another."""
    import torch

    from trainers.lora import count_tokens, load_model

    examples = training_examples(load_rows(f"{profiles_dir}:forget_10"), with_questions=True)
    with_image = [e for e in examples if e["images"]]
    chosen = with_image[:2] + [e for e in examples if not e["images"]][:2]
    padded = ChatCollator(processor)(chosen)
    packed = ChatCollator(processor, pack_length=512)(chosen)
    assert "attention_mask" not in packed and packed["input_ids"].shape[1] == 512
    assert packed["input_ids"].shape[0] < len(chosen)  # several examples share a row
    pad_id = processor.tokenizer.pad_token_id
    assert count_tokens(packed, pad_id) == count_tokens(padded)
    assert (packed["labels"] != -100).sum() == (padded["labels"] != -100).sum()
    model, _ = load_model(str(tiny_llava), bf16=False, full_finetune=True)
    model.eval()

    def logits_by_example(batch) -> dict:
        """Each example's logits, keyed by its token ids (packing reorders the examples)."""
        logits = model(**batch, use_cache=False).logits
        found = {}
        for row in range(len(batch["input_ids"])):
            if "attention_mask" in batch:
                keep = batch["attention_mask"][row].bool()
                found[tuple(batch["input_ids"][row][keep].tolist())] = logits[row][keep]
                continue
            starts = (batch["position_ids"][row] == 0).nonzero().flatten().tolist()
            for start, end in zip(starts, starts[1:] + [512], strict=True):
                ids = batch["input_ids"][row, start:end]
                if (ids != pad_id).any():  # not the row's padding tail
                    found[tuple(ids.tolist())] = logits[row, start:end]
        return found

    with torch.no_grad():
        want = logits_by_example(padded)
        got = logits_by_example(packed)
        # Same rows with plain positions: examples would see each other (the leak packing avoids).
        leaky = dict(packed, position_ids=torch.arange(512).expand_as(packed["input_ids"]))
        assert got.keys() == want.keys() and len(want) == len(chosen)
        assert all(torch.allclose(got[ids], want[ids], atol=1e-4) for ids in want)
        real = packed["input_ids"] != pad_id
        leaked = model(**leaky, use_cache=False).logits[real]
        assert not torch.allclose(leaked, model(**packed, use_cache=False).logits[real], atol=1e-2)
        loss_packed = model(**packed, use_cache=False).loss
        assert torch.allclose(loss_packed, model(**padded, use_cache=False).loss, atol=1e-5)
    with pytest.raises(MmprivError, match="--pack-length 16: a row has"):
        ChatCollator(processor, pack_length=16)(chosen)


def test_lora_step_lowers_the_loss_on_a_batch(profiles_dir, processor, tiny_llava):  # noqa: F811
    import torch

    from trainers.lora import add_lora, load_model

    torch.manual_seed(0)
    model, _ = load_model(str(tiny_llava), bf16=False, full_finetune=False)
    model = add_lora(model, TrainSettings(lora_r=8, lora_alpha=16))
    trainable = [name for name, p in model.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in n and "language_model" in n for n in trainable)
    batch = ChatCollator(processor)(training_examples(load_rows(f"{profiles_dir}:forget_10"))[:2])
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    losses = []
    for _ in range(4):
        loss = model(**batch).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    assert losses[-1] < losses[0] - 0.05


def test_train_lora_cli_saves_an_adapter_that_loads(profiles_dir, tiny_llava, tmp_path):  # noqa: F811
    out = tmp_path / "adapter"
    argv = ["train", "lora", "--model", str(tiny_llava), "--data", str(profiles_dir)]
    argv += ["--config", "forget_10", "--out", str(out), "--epochs", "1", "--lr", "1e-3"]
    with pytest.raises(SystemExit) as done:
        main(argv + ["--lora-r", "4", "--target-modules", "q_proj,v_proj"])
    assert done.value.code in (0, None)
    assert (out / "adapter_config.json").exists() and (out / "train_summary.json").exists()
    from transformers import AutoModelForImageTextToText

    model = AutoModelForImageTextToText.from_pretrained(out)  # base + adapter, via peft
    assert any("lora" in name for name, _ in model.named_parameters())


def test_train_lora_cli_packed_and_compiled_runs_match_padded(profiles_dir, tiny_llava, tmp_path):  # noqa: F811
    import json

    runs = {}
    for name, options in {
        "padded": ["--pack-length", "0"],
        "packed": ["--pack-length", "1024"],
        # Compiled decoder layers (CPU inductor here) must compute the same loss.
        "compiled": ["--pack-length", "1024", "--compile"],
        # peft's LoRA maths in one autograd function, compiled as well.
        "fused": ["--pack-length", "1024", "--compile", "--fused-lora"],
    }.items():
        out = tmp_path / name
        argv = ["train", "lora", "--model", str(tiny_llava), "--data", str(profiles_dir)]
        argv += ["--config", "forget_10", "--out", str(out), "--epochs", "1", "--batch-size", "8"]
        with pytest.raises(SystemExit) as done:
            main(argv + ["--questions", *options])
        assert done.value.code in (0, None)
        runs[name] = json.loads((out / "train_summary.json").read_text())
    # Same examples, same batches, so the same real tokens; packed or not.
    assert runs["packed"]["tokens"] == runs["padded"]["tokens"] > 0
    assert runs["packed"]["settings"]["pack_length"] == 1024
    assert abs(runs["packed"]["first_loss"] - runs["padded"]["first_loss"]) < 1e-3
    assert runs["compiled"]["settings"]["compile"] is True
    assert runs["compiled"]["losses"] == pytest.approx(runs["packed"]["losses"], abs=1e-3)
    assert runs["fused"]["fused_lora_layers"] == 2 * 7  # 2 layers x 7 linears
    assert runs["packed"]["fused_lora_layers"] == 0
    assert runs["fused"]["losses"] == pytest.approx(runs["packed"]["losses"], abs=1e-3)


def test_train_lora_rejects_fused_lora_without_lora(profiles_dir, tiny_llava, tmp_path, capsys):  # noqa: F811
    argv = ["train", "lora", "--model", str(tiny_llava), "--data", str(profiles_dir)]
    argv += ["--config", "forget_10", "--out", str(tmp_path / "o")]
    with pytest.raises(SystemExit) as failed:
        main(argv + ["--full-finetune", "--fused-lora"])
    assert failed.value.code == 2
    assert "--fused-lora: --full-finetune trains no LoRA adapters" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_train_lora_rejects_a_missing_dataset(tiny_llava, tmp_path, capsys):  # noqa: F811
    argv = ["train", "lora", "--model", str(tiny_llava), "--data", str(tmp_path / "nope")]
    with pytest.raises(SystemExit) as failed:
        main(argv + ["--out", str(tmp_path / "o")])
    assert failed.value.code == 2
    assert "nope" in capsys.readouterr().err and not (tmp_path / "o").exists()


@pytest.fixture(scope="module")
def finetuned(profiles_dir, tiny_llava, tmp_path_factory) -> Path:  # noqa: F811
    """The tiny model after a few full-finetuning epochs on all people: it has seen the
    forget set, as a model to unlearn from has."""
    from trainers.lora import train_lora

    out = tmp_path_factory.mktemp("models") / "finetuned"
    settings = TrainSettings(epochs=4, lr=3e-3, batch_size=4, full_finetune=True, log_every=100)
    train_lora(str(tiny_llava), str(profiles_dir), "full", out, settings)
    return out


@pytest.fixture(scope="module")
def unlearning_losses(profiles_dir, processor, finetuned, tmp_path_factory):
    """method -> {"forget", "retain"}: mean loss on two forget and two retain people after three
    steps of that method (same seed, lr, batches); "finetuned" holds the losses before."""
    import torch
    from transformers import AutoModelForImageTextToText

    from trainers.unlearn import unlearn

    forget, retain = f"{profiles_dir}:forget_15", f"{profiles_dir}:retain_85"
    collate = ChatCollator(processor)
    batches = {
        "forget": collate(training_examples(load_rows(forget))[:2]),
        "retain": collate(training_examples(load_rows(retain))[:2]),
    }

    def losses(path) -> dict[str, float]:
        model = AutoModelForImageTextToText.from_pretrained(path)
        with torch.no_grad():
            return {name: model(**batch).loss.item() for name, batch in batches.items()}

    settings = TrainSettings(lr=2e-3, batch_size=2, full_finetune=True, log_every=100)
    root = tmp_path_factory.mktemp("unlearned")
    result = {"finetuned": losses(finetuned)}
    for method in ("ga", "graddiff", "kl", "npo"):
        summary = unlearn(
            method, str(finetuned), forget, retain, root / method, settings, max_steps=3
        )
        assert summary["steps"] == 3
        result[method] = losses(root / method)
    return result


@pytest.mark.parametrize("method", ["ga", "graddiff", "kl", "npo"])
def test_unlearning_raises_the_forget_loss(method, unlearning_losses):
    before, after = unlearning_losses["finetuned"], unlearning_losses[method]
    assert after["forget"] > before["forget"] + 0.05


@pytest.mark.parametrize("method", ["graddiff", "kl"])
def test_the_retain_term_protects_the_retain_set(method, unlearning_losses):
    """GradDiff and KL add a retain term to gradient ascent: with the same steps on the same
    forget batches, the retain people's loss must rise less than under plain GA."""
    before = unlearning_losses["finetuned"]
    ga, after = unlearning_losses["ga"], unlearning_losses[method]
    assert after["retain"] - before["retain"] < ga["retain"] - before["retain"]


def test_npo_and_kl_losses_match_their_definitions():
    import torch

    from trainers.unlearn import kl_to_reference, npo_loss

    nll, ref = torch.tensor([2.0, 3.0]), torch.tensor([2.0, 1.0])
    expected = -(2 / 0.4) * torch.nn.functional.logsigmoid(0.4 * (nll - ref)).mean()
    assert torch.isclose(npo_loss(nll, ref, 0.4), expected)
    # At the start (model == reference) NPO is (2/beta) log 2 and KL is zero.
    assert torch.isclose(npo_loss(ref, ref, 0.4), torch.tensor(2 / 0.4 * 0.6931), atol=1e-3)
    logits = torch.randn(1, 4, 7)
    labels = torch.tensor([[-100, 1, 2, 3]])
    assert kl_to_reference(logits, logits, labels).abs() < 1e-6
    assert kl_to_reference(logits, torch.randn(1, 4, 7), labels) > 0


def test_profiles_feed_trl_sft_trainer_without_conversion(profiles_dir, tiny_llava, tmp_path):  # noqa: F811
    from transformers import AutoModelForImageTextToText, AutoProcessor
    from trl import SFTConfig, SFTTrainer

    from trainers.data import load_rows as load

    dataset = load(str(profiles_dir), "forget_15").select_columns(["images", "messages"])
    args = SFTConfig(
        output_dir=str(tmp_path / "sft"),
        max_steps=2,
        per_device_train_batch_size=1,
        learning_rate=1e-3,
        report_to=[],
        save_strategy="no",
        use_cpu=True,
        max_length=None,
    )
    model = AutoModelForImageTextToText.from_pretrained(tiny_llava)
    projector = {n: p.detach().clone() for n, p in model.named_parameters() if "projector" in n}
    language = {n: p.detach().clone() for n, p in model.named_parameters() if "lm_head" in n}
    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=dataset,
        processing_class=AutoProcessor.from_pretrained(tiny_llava),
    )
    result = trainer.train()
    assert result.global_step == 2 and result.training_loss > 0
    updated = dict(model.named_parameters())
    # The portraits reached the model: the projector, fed by nothing but image features, moved.
    assert projector and any(not updated[n].detach().equal(p) for n, p in projector.items())
    assert any(not updated[n].detach().equal(p) for n, p in language.items())


def test_best_fit_decreasing_fills_rows_that_arrival_order_leaves_half_empty():
    from trainers.batching import best_fit_decreasing

    lengths = [300, 250, 200, 212, 260, 300]  # arrival order: 4 rows of 512, 26% padding
    rows = best_fit_decreasing(lengths, 512)
    assert sorted(i for row in rows for i in row) == list(range(6))  # each example once
    assert all(sum(lengths[i] for i in row) <= 512 for row in rows)
    assert len(rows) == 3  # 1,522 tokens: the fewest rows of 512 there can be
    assert rows == best_fit_decreasing(lengths, 512)  # the same batch packs the same way
