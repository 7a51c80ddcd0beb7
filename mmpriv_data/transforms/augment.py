"""Text and image augmentation of images+messages rows (ProbingPrivacy's variants).

As in albumentations, sampling and applying are separate: `image_params`/`text_plan` draw the
random choices from a seeded stream and return them; `apply_image`/`apply_text` are
deterministic given those. The parameters are recorded per row.

Image: albumentations (`Affine` rotation with `fit_output`, i.e. PIL's `expand=True`,
`HorizontalFlip`, `ColorJitter` brightness/contrast factors); boxes (the privacy text's `bbox`,
scene objects) are carried through the same transform. Text: nlpaug word-level edits that
need no download (`SpellingAug` with nlpaug's bundled dictionary; digits are never edited),
or, when the user passes a local model path, `ContextualWordEmbsAug` substitutions (closest
to the paper's LLM synonyms). `<image>` markers are never touched.

A horizontal flip mirrors what "left" and "right" mean: `flip_scene` mirrors the scene
truth's grid cells, and `flip_conversation` re-asks and re-answers scene questions on the
flipped scene, or, for text without scene truth, swaps left/right words (`swap_sides`).

>>> from mmpriv_data.core.seeding import stream
>>> params = image_params(stream(0, "doc"), PRESETS["probing_privacy"])
>>> sorted(params)
['brightness', 'contrast', 'hflip', 'rotate']
"""

from __future__ import annotations

import os
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from mmpriv_data.content import scenes
from mmpriv_data.core.errors import MmprivError
from mmpriv_data.core.seeding import stream_key

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")  # no network call at import


@dataclass(frozen=True)
class Preset:
    rotate: float  # largest |angle| in degrees; the canvas grows to keep the whole image
    hflip_p: float
    brightness: tuple[float, float]  # multiplicative factor range
    contrast: tuple[float, float]
    edits: tuple[int, int]  # word-level edits per text item (min, max)
    roles: tuple[str, ...]  # which turns get text edits


PRESETS: dict[str, Preset] = {
    # ProbingPrivacy: rotate(randint(-30, 30), expand=True), flip p=0.5, brightness/contrast
    # 0.8-1.2; text: one or two words changed in every turn.
    "probing_privacy": Preset(30, 0.5, (0.8, 1.2), (0.8, 1.2), (1, 2), ("user", "assistant")),
    # Keeps answers exact: questions only, one edit; no flip (left/right answers stay true).
    "light": Preset(10, 0.0, (0.9, 1.1), (0.9, 1.1), (1, 1), ("user",)),
}
IMAGE_MARKER = re.compile(r"(<image>)")


def get_preset(name: str) -> Preset:
    if name not in PRESETS:
        raise MmprivError(f"preset {name!r}: one of {', '.join(PRESETS)}")
    return PRESETS[name]


def image_params(rng: np.random.Generator, preset: Preset) -> dict:
    """Draw one image augmentation: rotate (degrees), hflip, brightness, contrast."""
    return {
        "rotate": float(rng.integers(-preset.rotate, preset.rotate + 1)) if preset.rotate else 0.0,
        "hflip": bool(rng.random() < preset.hflip_p),
        "brightness": round(float(rng.uniform(*preset.brightness)), 4),
        "contrast": round(float(rng.uniform(*preset.contrast)), 4),
    }


def apply_image(
    image: np.ndarray, params: dict, boxes: list[list[float]] | None = None
) -> tuple[np.ndarray, list[list[int]]]:
    """Apply `params` to an HxWx3 uint8 array; boxes ([x0, y0, x1, y1]) follow the transform."""
    import albumentations as A

    transforms = [
        A.Affine(rotate=(params["rotate"],) * 2, fit_output=True, p=1.0),
        A.HorizontalFlip(p=1.0 if params["hflip"] else 0.0),
        A.ColorJitter(
            brightness=(params["brightness"],) * 2,
            contrast=(params["contrast"],) * 2,
            saturation=(1.0, 1.0),
            hue=(0.0, 0.0),
            p=1.0,
        ),
    ]
    boxes = boxes or []
    compose = A.Compose(
        transforms,
        bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"], clip=True),
        seed=0,  # every random choice was drawn above; this fixes ColorJitter's order
    )
    result = compose(image=image, bboxes=boxes, labels=list(range(len(boxes))))
    moved = {int(label): box for label, box in zip(result["labels"], result["bboxes"], strict=True)}
    out_boxes = [[round(v) for v in moved[i]] if i in moved else [] for i in range(len(boxes))]
    return result["image"], out_boxes


@lru_cache(maxsize=4)
def _text_augmenter(edits: int, model_path: str):
    import nlpaug.augmenter.word as naw

    if model_path:
        config = Path(model_path) / "config.json"
        if not config.is_file():
            raise MmprivError(f"text_model {model_path}: not a local model folder (no config.json)")
        import json

        settings = json.loads(config.read_text())
        # use_custom_api=False: nlpaug's own BERT wrapper calls tokenizer internals that
        # transformers 5 removed; the fill-mask pipeline path works with any masked LM.
        return naw.ContextualWordEmbsAug(
            model_path=model_path,
            model_type=settings.get("model_type", ""),
            action="substitute",
            aug_min=edits,
            aug_max=edits,
            top_k=min(100, int(settings.get("vocab_size", 101)) - 1),
            stopwords_regex=r".*\d.*",
            device="cpu",
            use_custom_api=False,
        )
    import nlpaug

    dictionary = Path(nlpaug.__file__).parent / "res/word/spelling/spelling_en.txt"
    augmenter = naw.SpellingAug(
        dict_path=str(dictionary), aug_min=edits, aug_max=edits, stopwords_regex=r".*\d.*"
    )
    # nlpaug de-duplicates each word's misspellings through a set, so their order (and the
    # seeded choice among them) would follow Python's hash randomisation: fix the order.
    misspellings = augmenter.model.dict
    for word, candidates in misspellings.items():
        misspellings[word] = sorted(candidates)
    return augmenter


def _augment_text(text: str, edits: int, model_path: str, key: int) -> str:
    """Edit `text` with nlpaug seeded by `key`; `<image>` markers and whitespace-only parts stay."""
    augmenter = _text_augmenter(edits, model_path)
    # nlpaug draws from the global random and numpy states: seed them per call, then restore.
    py_state, np_state = random.getstate(), np.random.get_state()
    random.seed(key)
    np.random.seed(key % (1 << 32))
    try:
        parts = IMAGE_MARKER.split(text)
        for i, part in enumerate(parts):
            if part != "<image>" and part.strip():
                out = augmenter.augment(part)
                edited = out[0] if isinstance(out, list) else out
                # keep the part's surrounding whitespace (nlpaug strips it)
                lead, trail = part[: len(part) - len(part.lstrip())], part[len(part.rstrip()) :]
                parts[i] = lead + edited + trail
        return "".join(parts)
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)


def augment_messages(
    messages: list[dict],
    rng: np.random.Generator,
    preset: Preset,
    *,
    seed: int,
    item: str,
    model_path: str = "",
) -> tuple[list[dict], list[dict]]:
    """Edit the text items of the preset's roles; returns (messages, changes).

    Each change is {turn, item, edits, before, after}; messages keep their structure.
    """
    new_messages, changes = [], []
    for t, message in enumerate(messages):
        content = []
        for c, part in enumerate(message["content"]):
            if part["type"] == "text" and message["role"] in preset.roles and part["text"]:
                edits = int(rng.integers(preset.edits[0], preset.edits[1] + 1))
                key = stream_key(seed, "augment", "text", item, t, c)
                after = _augment_text(part["text"], edits, model_path, key)
                if after != part["text"]:
                    changes.append(
                        {
                            "turn": t,
                            "item": c,
                            "edits": edits,
                            "before": part["text"],
                            "after": after,
                        }
                    )
                part = {**part, "text": after}
            content.append(part)
        new_messages.append({**message, "content": content})
    return new_messages, changes


# Horizontal flips: which words mirror, and the uses of them that are not sides.
_SIDE_SWAP = {"left": "right", "right": "left", "leftmost": "rightmost", "rightmost": "leftmost"}
_SIDE_WORD = re.compile(r"\b(?:left|right|leftmost|rightmost)\b", re.IGNORECASE)
# Uses that are not sides and survive a flip: "he left", "has left", "nothing left", "left
# over/behind" (the verb, "remaining"); "right now", "all right", "that's right", "is that
# right" (immediately, correct). "is left of", "that is right of" stay sides.
_NOT_SIDE_AFTER = r"(?!\s+(?:of|side|corner|edge|hand|half|column)\b)"
_NOT_A_SIDE = re.compile(
    r"\b(?:i|he|she|we|they|you|who|it|has|have|had|nothing|anything|something|none|only|still)"
    r"\s+left\b" + _NOT_SIDE_AFTER + r"|\bleft\s+(?:over|behind)\b"
    r"|\bright\s+(?:now|away|after|before|here|there)\b"
    r"|(?:\b(?:all|that's|thats|that\s+is|you're|you\s+are)"
    r"|\b(?:is|was|am|are)\s+(?:that|this|it|i|he|she|they|you|we))\s+right\b" + _NOT_SIDE_AFTER,
    re.IGNORECASE,
)


def swap_sides(text: str) -> str:
    """Swap the whole words left/right (and leftmost/rightmost), keeping their case.

    Non-spatial uses ("he left", "right now", "that's right") are kept.

    >>> swap_sides("The cat on the Left looks right at the dog. He left right now.")
    'The cat on the Right looks left at the dog. He left right now.'
    """
    kept = [m.span() for m in _NOT_A_SIDE.finditer(text)]

    def swap(match: re.Match) -> str:
        word = match.group(0)
        if any(start <= match.start() and match.end() <= end for start, end in kept):
            return word
        mirrored = _SIDE_SWAP[word.lower()]
        if word.isupper():
            return mirrored.upper()
        return mirrored.capitalize() if word[0].isupper() else mirrored

    return _SIDE_WORD.sub(swap, text)


def mirror_position(position: str) -> str:
    """A scene grid cell's name after a horizontal flip: columns swap, rows stay.

    >>> mirror_position("top left"), mirror_position("middle right"), mirror_position("center")
    ('top right', 'middle left', 'center')
    """
    if position == scenes.position_name(1, 1):
        return position
    row, col = position.split(" ")
    return scenes.position_name(scenes.ROWS.index(row), 2 - scenes.COLUMNS.index(col))


def flip_scene(scene: dict) -> dict:
    """The scene truth of the flipped image: every object's grid cell mirrored (boxes as given).

    >>> flip_scene({"background": "gray", "objects": [{"position": "top left"}]})["objects"]
    [{'position': 'top right'}]
    """
    objects = [{**o, "position": mirror_position(o["position"])} for o in scene["objects"]]
    return {**scene, "objects": objects}


def _flipped_questions(scene: dict, questions: list[dict]) -> list[dict | None]:
    """Each question re-asked and re-answered on the flipped scene (None: not one of its own).

    The scene generator lists its candidate questions object by object, and a flip changes
    no colour, shape or count, so candidate i of the scene and of the flipped scene are the
    same question about the same object: the flipped one is recomputed from the flipped truth.
    """
    # Private on purpose: the candidate list is the generator's definition of the answers.
    before = scenes._candidate_questions(scene)
    after = scenes._candidate_questions(flip_scene(scene))
    index = {(c["kind"], c["question"], c["answer"]): i for i, c in enumerate(before)}
    flipped = []
    for q in questions:
        i = index.get((q["kind"], q["question"], q["answer"]))
        flipped.append(None if i is None else after[i])
    return flipped


def flip_conversation(
    messages: list[dict], scene: dict | None = None, questions: list[dict] | None = None
) -> tuple[list[dict], list[dict], list[dict]]:
    """Mirror the position words of a horizontally flipped image's conversation.

    With scene truth (`scene` objects and the `questions` asked of them, as `scenes` makes
    them: question i in user turn 2i, its answer in turn 2i+1), those turns get the question
    and answer recomputed on the flipped scene (method "scene"). Any other user or assistant
    text mentioning left or right gets `swap_sides` (method "swap"). Returns
    (messages, questions, rewrites): the questions re-asked on the flipped scene, and one
    {turn, item, method, before, after} per text item changed.

    >>> msgs = [{"role": "user", "content": [{"type": "text", "text": "Is it on the left?"}]}]
    >>> flip_conversation(msgs)[0][0]["content"][0]["text"]
    'Is it on the right?'
    """
    questions = list(questions or [])
    truth: dict[tuple[int, str], str] = {}  # (turn, text before) -> text after, from the scene
    if scene and scene.get("objects") and questions:
        for i, (q, new) in enumerate(
            zip(questions, _flipped_questions(scene, questions), strict=True)
        ):
            if new is not None:
                truth[(2 * i, q["question"])] = new["question"]
                truth[(2 * i + 1, q["answer"])] = new["answer"]
                questions[i] = new
    new_messages, rewrites = [], []
    for t, message in enumerate(messages):
        content = []
        for c, part in enumerate(message["content"]):
            text = part.get("text")
            if part["type"] == "text" and text and message["role"] in ("user", "assistant"):
                method, after = "scene", truth.get((t, text))
                if after is None:
                    method, after = "swap", swap_sides(text)
                if after != text:
                    rewrites.append(
                        {"turn": t, "item": c, "method": method, "before": text, "after": after}
                    )
                    part = {**part, "text": after}
            content.append(part)
        new_messages.append({**message, "content": content})
    return new_messages, questions, rewrites
