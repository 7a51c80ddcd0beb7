"""The reader: a small LLaVA-shaped model (vision tower -> projector -> causal LM).

Why this tower: a naive ViT trained end to end learned only the prior over names (issue 15),
so the tower reads the way OCR models learn fast, at higher resolution over the text:
- a global CNN over the whole 448x448 input gives 14x14 scene tokens, and (CenterNet-style)
  a heatmap of where the text block is, with its size;
- the block is resampled (bilinear, from the same 448x448 input) onto a 144x384 canvas at a
  fixed line pitch, and a CNN + small transformer turn each of the six text lines into 96
  column features, trained with CTC on the line's text (the "text-line crops" stage);
- both token sets are projected into a Llama-style causal LM over characters.
The LM sees 6*96 line tokens + 196 scene tokens + 6*48 OCR tokens before the chat text.
The OCR tokens are the tower's own best-path CTC reading of each line, as the LM's character
embeddings (padded with PAD): the second run's LM never learned to copy from the column
tokens (0% exact while CTC read 72% of username lines), and copying a clean character
sequence is the easy induction task LMs learn first. No outside OCR: the reading is the
model's own, from pixels.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

INPUT_SIZE = 448
SOURCE_SIZE = (640, 480)  # privacy-images' default width, height
LINES, COLUMNS = 6, 96
CANVAS_H, CANVAS_W = 144, 384
HEAT_STRIDE = 8
PAD, USER, ASSISTANT, EOS = 0, 1, 2, 3
VOCAB = 128
CTC_CLASSES = 96  # blank + printable ASCII 32..126
OCR_SLOT = 48  # characters of each line's CTC reading given to the LM as tokens (lines <= 40)
MEAN = torch.tensor([0.45, 0.45, 0.45]).view(1, 3, 1, 1)
STD = torch.tensor([0.25, 0.25, 0.25]).view(1, 3, 1, 1)


def encode_chars(text: str) -> list[int]:
    """Characters -> token ids (printable ASCII; anything else becomes '?')."""
    return [ord(c) if 32 <= ord(c) < 127 else ord("?") for c in text]


def decode_chars(ids) -> str:
    out = []
    for i in ids:
        if int(i) == EOS:
            break
        out.append(chr(int(i)) if 32 <= int(i) < 127 else "")
    return "".join(out)


def ctc_targets(text: str) -> list[int]:
    return [ord(c) - 31 if 32 <= ord(c) < 127 else ord("?") - 31 for c in text]


def conv(cin: int, cout: int, stride=1, kernel=3, padding=1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride, padding, bias=False), nn.BatchNorm2d(cout), nn.GELU()
    )


class GlobalEncoder(nn.Module):
    """448 -> 56x56 map (text heatmap, offsets, log size) and 14x14 scene tokens."""

    def __init__(self, width: int = 256):
        super().__init__()
        self.stem = nn.Sequential(
            conv(3, 32, 2), conv(32, 64, 2), conv(64, 96), conv(96, 128, 2), conv(128, 128)
        )
        # 5 maps: centre logit, x/y offset within the cell, log width, log height (cells).
        self.heat = nn.Sequential(conv(128, 128), nn.Conv2d(128, 5, 1))
        self.deep = nn.Sequential(conv(128, 192, 2), conv(192, 192), conv(192, width, 2))
        nn.init.constant_(self.heat[-1].bias, -4.0)  # CenterNet's prior: few centre cells

    def forward(self, x):
        features = self.stem(x)
        return self.heat(features), self.deep(features).flatten(2).transpose(1, 2)


class LineReader(nn.Module):
    """144x384 canvas -> (6 lines, 96 columns, width) features and CTC logits."""

    def __init__(self, width: int = 256):
        super().__init__()
        self.cnn = nn.Sequential(
            conv(3, 32),
            conv(32, 64, 2),
            conv(64, 64),
            conv(64, 128, 2),
            conv(128, 128),
            conv(128, width, (2, 1)),
            conv(width, width, (3, 1), 3, (0, 1)),
        )
        self.columns = nn.Parameter(torch.zeros(1, COLUMNS, width))
        layer = nn.TransformerEncoderLayer(width, 4, 2 * width, 0.0, "gelu", batch_first=True)
        self.sequence = nn.TransformerEncoder(layer, 2)
        self.ctc = nn.Linear(width, CTC_CLASSES)

    def forward(self, canvas):
        maps = self.cnn(canvas)  # (B, C, 6, 96)
        b, c, h, w = maps.shape
        lines = maps.permute(0, 2, 3, 1).reshape(b * h, w, c)
        lines = self.sequence(lines + self.columns)
        return lines.view(b, h, w, c), self.ctc(lines).view(b, h, w, CTC_CLASSES)


def decode_boxes(heat: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Heatmap head -> (boxes (B, 4) in input pixels, centre score (B,))."""
    b, _, h, w = heat.shape
    score, index = heat[:, 0].flatten(1).max(1)
    row, col = index // w, index % w
    pick = heat.flatten(2)[torch.arange(b), :, index]  # (B, 5)
    cx = (col + pick[:, 1].sigmoid()) * HEAT_STRIDE
    cy = (row + pick[:, 2].sigmoid()) * HEAT_STRIDE
    bw, bh = pick[:, 3].exp() * HEAT_STRIDE, pick[:, 4].exp() * HEAT_STRIDE
    boxes = torch.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], 1)
    return boxes, score.sigmoid()


def heat_loss(heat: torch.Tensor, boxes: torch.Tensor, has_text: torch.Tensor) -> torch.Tensor:
    """CenterNet's penalty-reduced focal loss on the centre, plus L1 on offsets and sizes."""
    b, _, h, w = heat.shape
    device = heat.device
    centre = torch.stack([(boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2], 1)
    cell = (centre / HEAT_STRIDE).floor().clamp(0, w - 1)
    ys = torch.arange(h, device=device).view(1, h, 1)
    xs = torch.arange(w, device=device).view(1, 1, w)
    d2 = (xs - cell[:, 0].view(b, 1, 1)) ** 2 + (ys - cell[:, 1].view(b, 1, 1)) ** 2
    target = torch.exp(-d2 / (2 * 1.5**2)) * has_text.view(b, 1, 1).float()
    p = heat[:, 0].float().sigmoid().clamp(1e-4, 1 - 1e-4)
    peak = target > 0.999
    pos = -((1 - p) ** 2 * p.log())[peak].sum()
    neg = -((1 - target) ** 4 * p**2 * (1 - p).log())[~peak].sum()
    loss = (pos + neg) / has_text.float().sum().clamp(min=1)
    if has_text.any():
        index = (cell[:, 1] * w + cell[:, 0]).long()
        pick = heat.flatten(2)[torch.arange(b, device=device), :, index].float()[has_text]
        frac = (centre / HEAT_STRIDE - cell)[has_text]
        size = torch.stack([boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]], 1)[has_text]
        loss = loss + F.l1_loss(pick[:, 1:3].sigmoid(), frac)
        loss = loss + F.l1_loss(pick[:, 3:5], (size.clamp(min=1) / HEAT_STRIDE).log())
    return loss


def crop_canvas(images: torch.Tensor, boxes: torch.Tensor) -> torch.Tensor:
    """Resample each block onto the canvas at a fixed line pitch (same scale on both axes)."""
    b, _, h, w = images.shape
    height = (boxes[:, 3] - boxes[:, 1]).clamp(min=12)
    scale = CANVAS_H / (height * 1.12)  # canvas pixels per input pixel, 6% margin each side
    top = boxes[:, 1] - 0.06 * height
    left = boxes[:, 0] - 0.03 * height
    u = (torch.arange(CANVAS_W, device=images.device) + 0.5).view(1, 1, CANVAS_W)
    v = (torch.arange(CANVAS_H, device=images.device) + 0.5).view(1, CANVAS_H, 1)
    x = left.view(b, 1, 1) + u / scale.view(b, 1, 1)
    y = top.view(b, 1, 1) + v / scale.view(b, 1, 1)
    grid = torch.stack(
        [
            (2 * x / w - 1).expand(b, CANVAS_H, CANVAS_W),
            (2 * y / h - 1).expand(b, CANVAS_H, CANVAS_W),
        ],
        -1,
    )
    return F.grid_sample(images, grid.to(images.dtype), align_corners=False)


def jitter_boxes(boxes: torch.Tensor, amount: float) -> torch.Tensor:
    """Shift and rescale true boxes by a fraction of their height (robust to the localizer)."""
    height = (boxes[:, 3] - boxes[:, 1]).unsqueeze(1)
    noise = torch.randn_like(boxes) * amount * height
    return boxes + noise


class Reader(nn.Module):
    """Vision tower (GlobalEncoder + LineReader) + projectors + a Llama causal LM."""

    def __init__(self, lm_width: int = 384, lm_layers: int = 6, tower_width: int = 256):
        super().__init__()
        from transformers import LlamaConfig, LlamaForCausalLM

        self.global_encoder = GlobalEncoder(tower_width)
        self.line_reader = LineReader(tower_width)
        self.line_position = nn.Parameter(torch.zeros(1, LINES, 1, tower_width))
        self.scene_position = nn.Parameter(torch.zeros(1, 196, tower_width))
        self.ocr_line = nn.Parameter(torch.zeros(1, LINES, 1, lm_width))
        self.project_lines = nn.Sequential(
            nn.Linear(tower_width, lm_width), nn.GELU(), nn.Linear(lm_width, lm_width)
        )
        self.project_scene = nn.Sequential(
            nn.Linear(tower_width, lm_width), nn.GELU(), nn.Linear(lm_width, lm_width)
        )
        config = LlamaConfig(
            vocab_size=VOCAB,
            hidden_size=lm_width,
            intermediate_size=lm_width * 8 // 3 // 64 * 64 + 64,
            num_hidden_layers=lm_layers,
            num_attention_heads=lm_width // 64,
            num_key_value_heads=lm_width // 64,
            max_position_embeddings=1536,
            pad_token_id=PAD,
            bos_token_id=USER,
            eos_token_id=EOS,
            tie_word_embeddings=False,
        )
        self.lm = LlamaForCausalLM(config)
        for p in (self.line_position, self.scene_position, self.ocr_line):
            nn.init.normal_(p, std=0.02)

    @staticmethod
    def normalize(images: torch.Tensor) -> torch.Tensor:
        """uint8 (B,3,H,W) -> normalized float (B,3,448,448), resized square (bicubic,
        antialiased, in float32 whatever the autocast) when H, W differ from the input."""
        with torch.autocast(images.device.type, enabled=False):
            x = images.float() / 255
            if x.shape[-2:] != (INPUT_SIZE, INPUT_SIZE):
                x = F.interpolate(
                    x, (INPUT_SIZE, INPUT_SIZE), mode="bicubic", antialias=True, align_corners=False
                ).clamp(0, 1)
            return (x - MEAN.to(x.device)) / STD.to(x.device)

    def tower(self, images: torch.Tensor, boxes: torch.Tensor | None = None):
        """uint8 (B,3,H,W) -> dict(lines, scene, heat, ctc, boxes used)."""
        x = self.normalize(images)
        heat, scene = self.global_encoder(x)
        if boxes is None:
            boxes = decode_boxes(heat.float())[0].detach()
        lines, ctc = self.line_reader(crop_canvas(x, boxes))
        return {"lines": lines, "scene": scene, "heat": heat, "ctc": ctc, "boxes": boxes}

    def image_embeds(
        self, lines: torch.Tensor, scene: torch.Tensor, ctc: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Tower features -> LM input embeddings (B, 6*96 + 196 [+ 6*48 with ctc], lm_width).

        With `ctc` (the line reader's logits), every column token also gets the LM's own
        character embeddings weighted by the CTC posterior ("soft OCR tokens"; blank adds
        nothing). Why: the LM then copies characters it already embeds instead of learning
        to decode them from raw column features, which made its exact transcription lag the
        CTC head (13% vs 43% exact, issue 15). The posterior is detached so that only CTC
        trains the tower's reading.
        """
        tokens = self.project_lines(lines + self.line_position)
        if ctc is not None:
            probs = ctc.detach().float().softmax(-1)[..., 1:]  # drop blank: (B, 6, 96, 95)
            chars = self.lm.get_input_embeddings().weight[32:127]  # ASCII 32..126
            tokens = tokens + (probs.to(chars.dtype) @ chars).to(tokens.dtype)
        lines = tokens.flatten(1, 2)
        parts = [lines, self.project_scene(scene + self.scene_position)]
        if ctc is not None:
            ocr = self.lm.get_input_embeddings()(ocr_token_ids(ctc))  # (B, 6, 48, width)
            parts.append((ocr + self.ocr_line.to(ocr.dtype)).flatten(1, 2).to(lines.dtype))
        return torch.cat(parts, 1)

    def lm_forward(self, embeds, ids, labels=None, **kwargs):
        """Image embeddings then character ids; labels -100 where no loss (image, prompt)."""
        text = self.lm.get_input_embeddings()(ids)
        inputs = torch.cat([embeds.to(text.dtype), text], 1)
        mask = torch.cat(
            [
                torch.ones(embeds.shape[:2], dtype=torch.long, device=ids.device),
                (ids != PAD).long(),
            ],
            1,
        )
        full_labels = None
        if labels is not None:
            pad = torch.full(embeds.shape[:2], -100, dtype=labels.dtype, device=labels.device)
            full_labels = torch.cat([pad, labels], 1)
        return self.lm(inputs_embeds=inputs, attention_mask=mask, labels=full_labels, **kwargs)


def chat_tokens(turns: list[tuple[str, str]], max_len: int = 320) -> tuple[list[int], list[int]]:
    """[(question, answer)] -> (ids, labels): USER q ASSISTANT a EOS per turn; loss on a EOS."""
    ids, labels = [], []
    for question, answer in turns:
        prompt = [USER, *encode_chars(question), ASSISTANT]
        reply = [*encode_chars(answer), EOS]
        ids += prompt + reply
        labels += [-100] * len(prompt) + reply
    return ids[:max_len], labels[:max_len]


def pad_batch(pairs: list[tuple[list[int], list[int]]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-pad ids with PAD and labels with -100."""
    n = max(len(ids) for ids, _ in pairs)
    ids = torch.full((len(pairs), n), PAD, dtype=torch.long)
    labels = torch.full((len(pairs), n), -100, dtype=torch.long)
    for i, (a, b) in enumerate(pairs):
        ids[i, : len(a)] = torch.tensor(a)
        labels[i, : len(b)] = torch.tensor(b)
    return ids, labels


def ctc_loss(ctc_logits: torch.Tensor, line_texts: list[list[str]]) -> torch.Tensor:
    """Mean CTC loss over every line of every block (blocks without text give no targets)."""
    logits, targets, lengths = [], [], []
    for i, texts in enumerate(line_texts):
        for j, text in enumerate(texts):
            logits.append(ctc_logits[i, j])
            targets += ctc_targets(text)
            lengths.append(len(text))
    if not logits:
        return ctc_logits.sum() * 0
    log_probs = torch.stack(logits, 1).float().log_softmax(-1)  # (T, N, C)
    t = torch.full((len(lengths),), COLUMNS, dtype=torch.long)
    return F.ctc_loss(
        log_probs,
        torch.tensor(targets, dtype=torch.long),
        t,
        torch.tensor(lengths, dtype=torch.long),
        zero_infinity=True,
    )


def ocr_token_ids(ctc_logits: torch.Tensor, slots: int = OCR_SLOT) -> torch.Tensor:
    """Best-path CTC reading of every line as LM character ids: (B, 6, 96, C) -> (B, 6, slots),
    repeats merged, blanks dropped, PAD after the line's end (on the GPU, no Python loop)."""
    path = ctc_logits.argmax(-1)
    previous = F.pad(path, (1, 0))[..., :-1]
    keep = (path != 0) & (path != previous)
    slot = keep.long().cumsum(-1) - 1
    keep &= slot < slots
    out = torch.full((*path.shape[:2], slots + 1), PAD, dtype=torch.long, device=path.device)
    # Dropped columns all write PAD into a spare last slot, which is cut off.
    out.scatter_(-1, torch.where(keep, slot, slots), torch.where(keep, path + 31, PAD))
    return out[..., :slots]


def ctc_greedy(ctc_logits: torch.Tensor) -> list[list[str]]:
    """Best-path decoding of every line, untruncated: (B, 6, 96, C) -> strings."""
    ids = ocr_token_ids(ctc_logits, slots=COLUMNS).cpu().tolist()
    return [[decode_chars(line) for line in block] for block in ids]


@torch.no_grad()
def greedy_answers(
    model: Reader, embeds: torch.Tensor, question: str, max_new: int = 20
) -> list[str]:
    """Greedy decoding with a KV cache; every row shares one prompt, so nothing is padded."""
    prompt = torch.tensor([[USER, *encode_chars(question), ASSISTANT]], device=embeds.device)
    ids = prompt.expand(embeds.shape[0], -1)
    out = model.lm_forward(embeds, ids, use_cache=True)
    past, generated = out.past_key_values, []
    token = out.logits[:, -1].argmax(-1)
    total = embeds.shape[1] + ids.shape[1]
    for _ in range(max_new):
        generated.append(token)
        total += 1
        mask = torch.ones(embeds.shape[0], total, dtype=torch.long, device=embeds.device)
        step = model.lm(
            input_ids=token[:, None], attention_mask=mask, past_key_values=past, use_cache=True
        )
        past, token = step.past_key_values, step.logits[:, -1].argmax(-1)
    rows = torch.stack(generated, 1).cpu().tolist()
    return [decode_chars(r) for r in rows]


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def cosine_lr(step: int, total: int, warmup: int) -> float:
    return min(1.0, (step + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(step / total, 1.0)))
