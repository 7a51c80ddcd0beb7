"""`mmpriv tiny-model`: a random model + processor that loads with the Auto classes, offline."""

from __future__ import annotations

import json

import pytest

from mmpriv_data.cli.app import main
from tests.fixtures_models import tiny_llava  # noqa: F401  (fixture)


def test_tiny_llava_loads_and_gives_a_loss(tiny_llava):  # noqa: F811
    import torch
    from PIL import Image
    from transformers import AutoModelForImageTextToText, AutoProcessor

    processor = AutoProcessor.from_pretrained(tiny_llava)
    model = AutoModelForImageTextToText.from_pretrained(tiny_llava)
    record = json.loads((tiny_llava / "mmpriv_tiny_model.json").read_text())
    assert "RANDOM" in record["note"] and record["arch"] == "llava"
    assert 100_000 < record["parameters"] < 1_000_000
    # The LM head's rows round the tokenizer up to a multiple of 64 (aligned GPU kernels).
    rows = model.config.text_config.vocab_size
    assert rows == record["vocab_size"] and rows % 64 == 0
    assert (
        len(processor.tokenizer) == record["tokenizer_size"]
        and rows - 64 < len(processor.tokenizer) <= rows
    )
    # A spare row is never a token: a random model that picks one decodes it to nothing.
    assert processor.tokenizer.decode([rows - 1]) == ""
    messages = [
        {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Who is this?"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "Anna Berg is a baker."}]},
    ]
    text = processor.apply_chat_template(messages)
    assert text.startswith("<s>USER: <image>\nWho is this? ASSISTANT: Anna Berg")
    batch = processor(text=[text], images=[Image.new("RGB", (40, 40), "red")], return_tensors="pt")
    image_token = processor.tokenizer.convert_tokens_to_ids("<image>")
    assert int((batch["input_ids"] == image_token).sum()) == 16  # (32 / 8) ** 2 patches
    with torch.no_grad():
        loss = model(**batch, labels=batch["input_ids"]).loss
    # Random weights: the loss sits near log(vocab), i.e. the model knows nothing yet.
    assert (
        abs(loss.item() - torch.log(torch.tensor(float(model.config.text_config.vocab_size)))) < 1.0
    )


def test_tokenizer_learned_mmpriv_words(tiny_llava):  # noqa: F811
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_llava)
    assert tokenizer.pad_token == "<pad>" and tokenizer.convert_tokens_to_ids("<image>") != 0
    assert len(tokenizer.tokenize(" ASSISTANT:")) <= 3
    assert tokenizer.decode(tokenizer("born in 1984")["input_ids"]) == "born in 1984"


def test_cli_says_weights_are_random_and_rejects_bad_options(tmp_path, capsys):
    with pytest.raises(SystemExit) as bad:
        main(["tiny-model", "--arch", "gpt", "--out", str(tmp_path / "m")])
    assert bad.value.code == 2
    assert "--arch gpt" in capsys.readouterr().err
    with pytest.raises(SystemExit) as ok:
        main(["tiny-model", "--size", "tiny", "--out", str(tmp_path / "m")])
    assert ok.value.code in (0, None)
    captured = capsys.readouterr()
    assert "RANDOM" in captured.err and (tmp_path / "m" / "model.safetensors").exists()
