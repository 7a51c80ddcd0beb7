"""Batched per-sample loss scoring on the target (assistant) tokens of a conversation.

One forward pass per batch gives every membership attack what it needs: the mean cross-entropy
of the assistant tokens (loss, zlib, reference, neighbourhood, FiMMIA), each target token's
log-probability (min-k%) and, on request (`vocab_stats=True`), its (log p - mu) / sigma over the
vocabulary (min-k%++). Those statistics are opt-in because they cost extra passes over every
target position's vocabulary row (on a GPU, the work after the forward pass took two thirds of
the scorer's time: bench/results/mia_scoring.md); the log-probs alone need a logsumexp and a
gather.

Why it is fast: samples are sorted by length and cut into batches under a token budget
(length buckets, so little padding); padding is on the right and masked, so a padded sample
scores exactly as it would alone; logits are computed only at positions that hold a target
(`logits_to_keep`); weights are bf16 on a GPU. It reads text-only causal LMs through their
tokenizer and image+text models (LLaVA, Qwen2-VL, ...) through their processor.

>>> scorer = LossScorer("models/tiny-llava")  # doctest: +SKIP
>>> scores = scorer.score([(messages, [image])])  # doctest: +SKIP
>>> scores[0].loss, scores[0].logprobs[:3]  # doctest: +SKIP
>>> scorer.score([(messages, [image])], vocab_stats=True)[0].mink_pp[:3]  # doctest: +SKIP
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mmpriv_data.core.errors import MmprivError

VOCAB_CHUNK_ROWS = 4096
PLAIN_ROLES = {"user": "User", "assistant": "Assistant", "system": "System"}


@dataclass
class Encoded:
    """One tokenized sample: ids, which positions are target tokens, and model extras."""

    input_ids: list[int]
    target: list[bool]
    extras: dict = field(default_factory=dict)  # tensors whose first dim concatenates


@dataclass
class TokenScores:
    loss: float  # mean cross-entropy over the target tokens
    logprobs: np.ndarray  # log p of each target token
    # (log p - mu) / sigma of each target token over the vocabulary; None unless the scorer was
    # asked for vocabulary statistics (only min-k%++ reads them).
    mink_pp: np.ndarray | None = None

    @property
    def n_tokens(self) -> int:
        return len(self.logprobs)


def plain_render(messages: list) -> str:
    """A conversation as text for tokenizers without a chat template."""
    lines = []
    for turn in messages:
        text = "".join(c.get("text") or "" for c in turn["content"] if c.get("type") == "text")
        lines.append(f"{PLAIN_ROLES.get(turn['role'], turn['role'])}: {text}")
    return "\n".join(lines) + "\n"


def assistant_spans(rendered: str, messages: list) -> list[tuple[int, int]]:
    """Character spans of the assistant texts in the rendered conversation, found in order."""
    spans, cursor = [], 0
    for turn in messages:
        if turn["role"] != "assistant":
            continue
        text = "".join(c.get("text") or "" for c in turn["content"] if c.get("type") == "text")
        start = rendered.find(text, cursor)
        if start < 0 or not text:
            raise MmprivError("the chat template does not render an assistant text verbatim")
        spans.append((start, start + len(text)))
        cursor = start + len(text)
    return spans


def target_flags(
    ids: list[int], offsets: list, spans: list[tuple[int, int]], image_id: int | None, width: int
) -> list[bool]:
    """Which tokens fall in an assistant span. A processor expands each image placeholder into
    a run of image tokens, shifting offsets; undo that shift to compare with rendered spans."""
    flags, images_seen, runs_seen, previous_image = [], 0, 0, False
    for token, (a, b) in zip(ids, offsets, strict=True):
        is_image = image_id is not None and token == image_id
        if is_image and not previous_image:
            runs_seen += 1
        shift = width * (images_seen - runs_seen + (1 if is_image else 0))
        a, b = a - shift, b - shift
        flags.append(not is_image and b > a and any(a < end and b > start for start, end in spans))
        images_seen += is_image
        previous_image = is_image
    return flags


def standardized_logp(logits, lse, token_logp):
    """Min-k%++'s (log p - mu) / sigma per row, mu and sigma of log p under p itself.

    `logits` (rows, vocab) float32, `lse` their logsumexp (rows,), `token_logp` (rows,).
    Uses one vocab-sized buffer: log p = x - lse, so Var_p(log p) = E_p[x^2] - E_p[x]^2.

    >>> import torch
    >>> x = torch.tensor([[0.0, 0.0]])
    >>> lse = torch.logsumexp(x, -1)
    >>> standardized_logp(x, lse, x[:, 0] - lse).tolist()  # sigma 0: clamped, no NaN
    [0.0]
    """
    import torch

    p_x = (logits - lse[:, None]).exp_().mul_(logits)  # p * x, in place
    mean_x = p_x.sum(-1)
    var = torch.linalg.vecdot(p_x, logits) - mean_x.square()
    return (token_logp - (mean_x - lse)) / var.clamp_min(1e-12).sqrt()


class LossScorer:
    """Loads a model + tokenizer/processor from a local folder (or Hub id) and scores samples."""

    def __init__(
        self,
        model_path: str | Path,
        *,
        device: str | None = None,
        batch_tokens: int = 16384,
        max_batch: int = 64,
        what: str = "--model",
    ):
        import torch
        from transformers import AutoConfig

        self.path = str(model_path)
        self.what = what
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.dtype = torch.bfloat16 if self.device.startswith("cuda") else torch.float32
        self.batch_tokens, self.max_batch = batch_tokens, max_batch
        from mmpriv_data.core.models import check_source

        check_source(self.path, what)  # fails fast: a mistyped folder, an unreachable Hub
        try:
            config = AutoConfig.from_pretrained(self.path)
        except (OSError, ValueError) as error:
            if not Path(self.path).exists():
                raise MmprivError(f"{what} {self.path}: no such model folder") from None
            raise MmprivError(f"{what} {self.path}: not a model folder ({error})") from None
        self.multimodal = getattr(config, "vision_config", None) is not None
        self._load()

    def _load(self) -> None:
        from transformers import (
            AutoModelForCausalLM,
            AutoModelForImageTextToText,
            AutoProcessor,
            AutoTokenizer,
        )

        try:
            if self.multimodal:
                self.processor = AutoProcessor.from_pretrained(self.path)
                self.tokenizer = self.processor.tokenizer
                loader = AutoModelForImageTextToText
            else:
                self.processor = None
                self.tokenizer = AutoTokenizer.from_pretrained(self.path)
                loader = AutoModelForCausalLM
            self.model = loader.from_pretrained(self.path, dtype=self.dtype).to(self.device)
        except (OSError, ValueError) as error:
            raise MmprivError(f"{self.what} {self.path}: cannot load it ({error})") from None
        self.model.eval()
        if not self.tokenizer.is_fast:
            raise MmprivError(f"{self.what} {self.path}: needs a fast tokenizer (offsets)")
        embedded = self.model.get_input_embeddings().num_embeddings
        if len(self.tokenizer) > embedded:
            raise MmprivError(
                f"{self.what} {self.path}: tokenizer/model mismatch: the tokenizer has "
                f"{len(self.tokenizer)} tokens, the model embeds only {embedded}"
            )
        self.pad_id = self.tokenizer.pad_token_id
        if self.pad_id is None:
            self.pad_id = self.tokenizer.eos_token_id or 0
        image_token = getattr(self.processor, "image_token", None) if self.processor else None
        self.image_token = image_token
        self.image_id = self.tokenizer.convert_tokens_to_ids(image_token) if image_token else None

    @classmethod
    def from_loaded(
        cls, model, pad_id: int, *, batch_tokens: int = 16384, max_batch: int = 64
    ) -> LossScorer:
        """Wrap an already built model to score pre-tokenized `Encoded` samples (benchmarks)."""
        scorer = cls.__new__(cls)
        scorer.model, scorer.pad_id = model, pad_id
        scorer.path, scorer.what = "<in memory>", "model"
        parameter = next(model.parameters())
        scorer.device, scorer.dtype = str(parameter.device), parameter.dtype
        scorer.batch_tokens, scorer.max_batch = batch_tokens, max_batch
        scorer.processor = scorer.tokenizer = scorer.image_token = scorer.image_id = None
        scorer.multimodal = False
        return scorer

    @property
    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.model.parameters())

    def render(self, messages: list) -> str:
        owner = self.processor if self.processor is not None else self.tokenizer
        if getattr(owner, "chat_template", None):
            return owner.apply_chat_template(messages, tokenize=False)
        return plain_render(messages)

    def encode(self, messages: list, images: list | None = None) -> Encoded:
        """Tokenize one conversation (images as PIL or encoded bytes) and mark its targets."""
        from PIL import Image

        rendered = self.render(messages)
        spans = assistant_spans(rendered, messages)
        if self.processor is not None and images:
            pil = [
                Image.open(io.BytesIO(i["bytes"] if isinstance(i, dict) else i)).convert("RGB")
                if not isinstance(i, Image.Image)
                else i
                for i in images
            ]
            out = self.processor(
                text=[rendered], images=pil, return_offsets_mapping=True, return_tensors="pt"
            )
            extras = {
                k: v
                for k, v in out.items()
                if k not in ("input_ids", "attention_mask", "offset_mapping")
            }
        else:
            out = self.tokenizer(
                rendered, add_special_tokens=False, return_offsets_mapping=True, return_tensors="pt"
            )
            extras = {}
        ids = out["input_ids"][0].tolist()
        offsets = out["offset_mapping"][0].tolist()
        width = len(self.image_token) if self.image_token else 0
        flags = target_flags(ids, offsets, spans, self.image_id, width)
        if not any(flags[1:]):
            raise MmprivError("a sample has no assistant tokens to score after tokenization")
        if max(ids) >= self.model.get_input_embeddings().num_embeddings:
            raise MmprivError(
                f"{self.what} {self.path}: tokenizer/model mismatch (token id out of range)"
            )
        return Encoded(ids, flags, extras)

    def batches(self, encoded: list[Encoded]) -> list[list[int]]:
        """Length buckets: indices sorted by length, cut under the token budget."""
        order = sorted(range(len(encoded)), key=lambda i: (-len(encoded[i].input_ids), i))
        batches, current = [], []
        for i in order:
            longest = len(encoded[current[0]].input_ids) if current else len(encoded[i].input_ids)
            if current and (
                (len(current) + 1) * longest > self.batch_tokens or len(current) >= self.max_batch
            ):
                batches.append(current)
                current = []
            current.append(i)
        if current:
            batches.append(current)
        return batches

    def score_encoded(
        self, encoded: list[Encoded], progress=None, *, vocab_stats: bool = False
    ) -> list[TokenScores]:
        """Score pre-tokenized samples; results come back in input order. `vocab_stats` also
        computes each target token's min-k%++ statistic (`TokenScores.mink_pp`)."""
        import torch

        results: list[TokenScores | None] = [None] * len(encoded)
        with torch.inference_mode():
            for batch in self.batches(encoded):
                items = [encoded[i] for i in batch]
                for i, scores in zip(
                    batch, self._score_batch(items, vocab_stats=vocab_stats), strict=True
                ):
                    results[i] = scores
                if progress is not None:
                    progress(len(batch))
        return results  # type: ignore[return-value]

    def _score_batch(self, items: list[Encoded], *, vocab_stats: bool) -> list[TokenScores]:
        logits, next_tokens, selected = self.forward(items)
        return self._token_scores(logits, next_tokens, selected, len(items), vocab_stats)

    def forward(self, items: list[Encoded]):
        """One padded forward pass: logits at the kept positions, the tokens they predict, and
        which (row, kept position) pairs are targets."""
        import torch

        width = max(len(e.input_ids) for e in items)
        ids = torch.full((len(items), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(items), width), dtype=torch.long)
        target = torch.zeros((len(items), width), dtype=torch.bool)
        for row, e in enumerate(items):
            n = len(e.input_ids)
            ids[row, :n] = torch.tensor(e.input_ids)
            mask[row, :n] = 1
            target[row, :n] = torch.tensor(e.target)
        # Logit at position t predicts token t+1: keep only positions whose next token is a target.
        predicts_target = target[:, 1:]
        keep = torch.nonzero(predicts_target.any(0)).flatten()
        extras = {}
        for key in items[0].extras:
            extras[key] = torch.cat([e.extras[key] for e in items]).to(self.device)
            if extras[key].is_floating_point():
                extras[key] = extras[key].to(self.dtype)
        logits = self.model(
            input_ids=ids.to(self.device),
            attention_mask=mask.to(self.device),
            logits_to_keep=keep.to(self.device),
            **extras,
        ).logits  # (batch, len(keep), vocab)
        next_tokens = ids[:, 1:][:, keep].to(self.device)
        return logits, next_tokens, predicts_target[:, keep].to(self.device)

    @staticmethod
    def _token_scores(
        logits, next_tokens, selected, n_items: int, vocab_stats: bool = False
    ) -> list[TokenScores]:
        import torch

        rows = selected.nonzero()  # (n_target, 2): batch row, kept column
        wanted = next_tokens[rows[:, 0], rows[:, 1]]
        logp_parts, mink_parts = [], []
        for start in range(0, len(rows), VOCAB_CHUNK_ROWS):  # bounds the float32 vocab copies
            part = rows[start : start + VOCAB_CHUNK_ROWS]
            x = logits[part[:, 0], part[:, 1]].float()
            lse = torch.logsumexp(x, dim=-1)
            # log p(target) = logit(target) - logsumexp: no vocab-sized log-softmax is written.
            token_logp = x.gather(-1, wanted[start : start + len(part), None])[:, 0] - lse
            logp_parts.append(token_logp)
            if vocab_stats:
                mink_parts.append(standardized_logp(x, lse, token_logp))
        owner = rows[:, 0].cpu().numpy()
        token_logp = torch.cat(logp_parts).cpu().numpy()
        mink_pp = torch.cat(mink_parts).cpu().numpy() if vocab_stats else None
        out = []
        for row in range(n_items):
            lp = token_logp[owner == row]
            pp = mink_pp[owner == row] if mink_pp is not None else None
            out.append(TokenScores(float(-lp.mean()), lp, pp))
        return out

    def score(
        self,
        samples: list[tuple[list, list | None]],
        progress=None,
        *,
        vocab_stats: bool = False,
    ) -> list[TokenScores]:
        """Score (messages, images) samples; images are ignored by text-only models.
        `vocab_stats=True` adds the min-k%++ statistics (`mink_pp`), at extra cost."""
        encoded = [self.encode(m, i if self.multimodal else None) for m, i in samples]
        return self.score_encoded(encoded, progress, vocab_stats=vocab_stats)
