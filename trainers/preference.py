"""`mmpriv train preference`: DPO, NCA and NCA-P on SPY-Tune pairs (`spy-instructions:pairs`).

Recipe, top to bottom: read the pairs, load the model (+ LoRA), train, merge, save.

Every pair row holds one image and two prompts that differ only in the target category's
polarity: x0 ("... is considered as non-private information.") and x1 ("... private ...").
With r = beta * (log pi(y|x) - log pi_ref(y|x)) and s the sigmoid:

- dpo (sigmoid, SPY-Tune beta 0.5): each prompt on its own,
  L = -log s(r_chosen - r_rejected)
- nca (beta 0.01): each prompt on its own,
  L = -log s(r_chosen) - 0.5 log s(-r_chosen) - 0.5 log s(-r_rejected)
- nca_p (beta 0.01): both prompts of a pair together, L = sum over x0, x1 of the NCA terms.

The reference is the frozen base model: with LoRA it is the same weights with the adapter
switched off, so no second copy is held. One loop serves the three methods (TRL's
DPOTrainer takes one prompt per row; NCA-P needs four sequences per row), and it needs
nothing beyond torch/transformers/peft, so it also runs on machines without TRL.

    mmpriv train preference --method nca_p --model PATH --data DIR/spy-instructions --out OUT
"""

import math
from pathlib import Path

from mmpriv_data.core.atomic import atomic_folder, check_folder_target
from mmpriv_data.core.errors import MmprivError
from trainers.progress import TrainProgress

METHODS = {"dpo": 0.5, "nca": 0.01, "nca_p": 0.01}  # method -> SPY-Tune's beta


def pair_examples(rows, method: str) -> list[dict]:
    """Training examples: a pair row as is (nca_p), or its two prompts apart (dpo, nca)."""
    from trainers.data import clean_messages, to_pil

    examples = []
    for row in rows:
        image = to_pil(row["images"][0])
        sides = [
            {
                "image": image,
                "prompt": clean_messages(row[f"prompt_{k}"]),
                "chosen": row[f"chosen_{k}"][0]["content"][0]["text"],
                "rejected": row[f"rejected_{k}"][0]["content"][0]["text"],
            }
            for k in (0, 1)
        ]
        examples += [sides] if method == "nca_p" else [[side] for side in sides]
    return examples


def encode(processor, image, prompt: list[dict], reply: str) -> dict:
    """Token ids of prompt + reply and a mask of the reply tokens (the ones scored)."""
    reply_turn = {"role": "assistant", "content": [{"type": "text", "text": reply}]}
    prompt_text = processor.apply_chat_template(prompt, add_generation_prompt=True, tokenize=False)
    full_text = processor.apply_chat_template([*prompt, reply_turn], tokenize=False)
    full = processor(images=[image], text=[full_text], return_tensors="pt")
    prompt_len = processor(images=[image], text=[prompt_text], return_tensors="pt")["input_ids"]
    ids = full["input_ids"][0]
    mask = ids.new_zeros(ids.shape, dtype=bool)
    mask[prompt_len.shape[1] :] = True
    return {"input_ids": ids, "reply_mask": mask, "pixel_values": full["pixel_values"][0]}


def collate(encoded: list[dict], pad_id: int) -> dict:
    import torch

    width = max(e["input_ids"].shape[0] for e in encoded)
    ids = torch.full((len(encoded), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(encoded), width), dtype=torch.long)
    reply = torch.zeros((len(encoded), width), dtype=torch.bool)
    for i, e in enumerate(encoded):
        n = e["input_ids"].shape[0]
        ids[i, :n], attention[i, :n], reply[i, :n] = e["input_ids"], 1, e["reply_mask"]
    pixels = torch.stack([e["pixel_values"] for e in encoded])
    return {"input_ids": ids, "attention_mask": attention, "reply_mask": reply, "pixels": pixels}


def sequence_logps(model, batch: dict):
    """Sum of log pi(reply token | everything before it), one value per sequence."""
    import torch

    logits = model(
        input_ids=batch["input_ids"],
        attention_mask=batch["attention_mask"],
        pixel_values=batch["pixels"],
    ).logits[:, :-1]
    targets = batch["input_ids"][:, 1:]
    token_logps = torch.log_softmax(logits.float(), dim=-1).gather(-1, targets[..., None])[..., 0]
    return (token_logps * batch["reply_mask"][:, 1:]).sum(-1)


def preference_loss(method: str, beta: float, policy, reference):
    """Mean loss; ``policy``/``reference`` are log-probs shaped (examples, sides, 2) with
    [..., 0] the chosen and [..., 1] the rejected reply."""
    import torch.nn.functional as F

    rewards = beta * (policy - reference)
    chosen, rejected = rewards[..., 0], rewards[..., 1]
    if method == "dpo":
        losses = -F.logsigmoid(chosen - rejected)
    else:  # nca, and nca_p summed over its two sides
        losses = -F.logsigmoid(chosen) - 0.5 * F.logsigmoid(-chosen) - 0.5 * F.logsigmoid(-rejected)
    return losses.sum(-1).mean()


def encode_examples(processor, examples: list[list[dict]], device) -> dict:
    """One padded batch of every (example, side, chosen/rejected) sequence."""
    encoded = [
        encode(processor, side["image"], side["prompt"], side[reply])
        for sides in examples
        for side in sides
        for reply in ("chosen", "rejected")
    ]
    batch = {k: v.to(device) for k, v in collate(encoded, processor.tokenizer.pad_token_id).items()}
    batch["shape"] = (len(examples), len(examples[0]), 2)
    return batch


def _logps(model, batch: dict):
    """(examples, sides, 2) log-probs of chosen and rejected replies."""
    inputs = {**batch, "pixels": batch["pixels"].to(model.dtype)}
    return sequence_logps(model, inputs).view(*batch["shape"])


def check_options(out, *, method: str, beta: float | None, lr: float, epochs: float,
                  batch_size: int, lora_rank: int, max_steps: int | None) -> None:  # fmt: skip
    """Every option in range and `out` free for this output, before the data or model loads."""
    if method not in METHODS:
        raise MmprivError(f"--method {method}: expected one of {', '.join(METHODS)}")
    for option, value in (("--beta", beta), ("--lr", lr), ("--epochs", epochs)):
        if value is not None and not (math.isfinite(value) and value > 0):
            raise MmprivError(f"{option} {value:g}: expected a number above 0")
    at_least = {"--batch-size": (batch_size, 1), "--lora-r": (lora_rank, 0)}
    at_least["--max-steps"] = (max_steps if max_steps is not None else 1, 1)
    for option, (value, low) in at_least.items():
        if value < low:
            raise MmprivError(f"{option} {value}: expected at least {low}")
    check_folder_target(out, "train preference")


def train_preference(
    model_path: str | Path,
    rows,
    out: str | Path,
    *,
    method: str = "nca_p",
    beta: float | None = None,
    lr: float = 3e-6,
    epochs: float = 3.0,
    batch_size: int = 4,
    lora_rank: int = 8,
    max_steps: int | None = None,
    seed: int = 0,
    quiet: bool = False,
) -> dict:
    """Train on preference pair rows and save the merged model + processor to ``out``.

    Returns {"method", "beta", "steps", "losses"} (the loss of every step).

    >>> train_preference("tiny-llava", rows, "out", method="dpo", max_steps=2)  # doctest: +SKIP
    """
    import torch
    from peft import LoraConfig

    from mmpriv_data.core.models import load_image_text_model
    from trainers.lora import wrap_with_peft

    check_options(out, method=method, beta=beta, lr=lr, epochs=epochs, batch_size=batch_size,
                  lora_rank=lora_rank, max_steps=max_steps)  # fmt: skip
    beta = METHODS[method] if beta is None else beta
    examples = pair_examples(rows, method)
    if not examples:
        raise MmprivError("the preference data holds no pairs")
    torch.manual_seed(seed)
    model, processor = load_image_text_model(model_path, for_eval=False)
    device = model.device
    if lora_rank:
        lora = LoraConfig(
            r=lora_rank,
            lora_alpha=2 * lora_rank,
            target_modules=r".*language_model.*\.(q_proj|v_proj)",
        )
        model = wrap_with_peft(model, lora)
    else:
        import copy

        frozen = copy.deepcopy(model).eval().requires_grad_(False)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr)
    order = torch.randperm(len(examples), generator=torch.Generator().manual_seed(seed)).tolist()
    steps_per_epoch = -(-len(examples) // batch_size)
    total = max_steps or max(1, round(epochs * steps_per_epoch))
    losses = []
    model.train()
    with TrainProgress(total, f"preference {method}", quiet) as progress:
        for step in range(total):
            start = (step % steps_per_epoch) * batch_size
            chunk = [examples[i] for i in order[start : start + batch_size]]
            batch = encode_examples(processor, chunk, device)  # once: policy and reference
            with torch.no_grad():
                if lora_rank:
                    with model.disable_adapter():
                        reference = _logps(model, batch)
                else:
                    reference = _logps(frozen, batch)
            loss = preference_loss(method, beta, _logps(model, batch), reference)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            progress.advance(len(chunk), losses[-1])
    if lora_rank:
        model = model.merge_and_unload()
    with atomic_folder(out, "train preference") as staging:
        model.save_pretrained(staging)
        processor.save_pretrained(staging)
    return {"method": method, "beta": beta, "steps": total, "losses": losses}
