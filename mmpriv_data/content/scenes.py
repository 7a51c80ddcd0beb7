"""Procedural VQA scenes: coloured shapes on a 3x3 grid, with questions that have exact answers.

A scene is a plain dict sampled from a seeded stream (`sample_scene`); `render_scene` draws it
with Pillow and `scene_questions` asks about it. Objects sit in distinct grid cells, so counts,
colours and positions ("top left", "center", ...) are unambiguous: finetuning on these scenes
and scoring answers by exact match both mean something.

>>> from mmpriv_data.core.seeding import stream
>>> scene = sample_scene(stream(0, "doc", "scene", 1), width=320, height=240)
>>> render_scene(scene).size
(320, 240)
>>> all(q["answer"] for q in scene_questions(scene, stream(0, "doc", "qa", 1)))
True
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from mmpriv_data.core.schema import assistant_turn, user_turn

SHAPES = ("circle", "square", "triangle")
COLORS: dict[str, tuple[int, int, int]] = {
    "red": (220, 40, 40),
    "green": (40, 180, 70),
    "blue": (50, 110, 235),
    "yellow": (240, 210, 40),
    "orange": (245, 140, 30),
    "purple": (150, 70, 200),
}
# Mid-to-dark backgrounds: the bright shapes stand out and white privacy text stays legible.
BACKGROUNDS: dict[str, tuple[int, int, int]] = {
    "gray": (120, 120, 120),
    "slate": (60, 72, 86),
    "brown": (96, 70, 45),
    "charcoal": (40, 40, 40),
}
ROWS = ("top", "middle", "bottom")
COLUMNS = ("left", "center", "right")
MIN_OBJECTS, MAX_OBJECTS = 2, 6
QUESTIONS_PER_SCENE = 3


def position_name(row: int, col: int) -> str:
    """Grid cell -> words: (0, 0) -> "top left", (1, 1) -> "center", (1, 0) -> "middle left"."""
    if row == 1 and col == 1:
        return "center"
    return f"{ROWS[row]} {COLUMNS[col]}"


def sample_scene(rng: np.random.Generator, *, width: int, height: int) -> dict:
    """Draw every random choice of one scene; the result is JSON-able and fully describes it."""
    n = int(rng.integers(MIN_OBJECTS, MAX_OBJECTS + 1))
    cells = sorted(rng.choice(9, size=n, replace=False).tolist())
    cell_w, cell_h = width / 3, height / 3
    objects = []
    for cell in cells:
        row, col = divmod(cell, 3)
        # Size and jitter keep each shape strictly inside its own cell.
        size = float(rng.uniform(0.45, 0.75)) * min(cell_w, cell_h)
        cx = (col + 0.5) * cell_w + float(rng.uniform(-0.1, 0.1)) * (cell_w - size)
        cy = (row + 0.5) * cell_h + float(rng.uniform(-0.1, 0.1)) * (cell_h - size)
        half = size / 2
        objects.append(
            {
                "shape": SHAPES[int(rng.integers(len(SHAPES)))],
                "color": list(COLORS)[int(rng.integers(len(COLORS)))],
                "position": position_name(row, col),
                "bbox": [round(cx - half), round(cy - half), round(cx + half), round(cy + half)],
            }
        )
    background = list(BACKGROUNDS)[int(rng.integers(len(BACKGROUNDS)))]
    return {"width": width, "height": height, "background": background, "objects": objects}


def render_scene(scene: dict) -> Image.Image:
    """Draw a scene (pure function of the dict)."""
    image = Image.new("RGB", (scene["width"], scene["height"]), BACKGROUNDS[scene["background"]])
    draw = ImageDraw.Draw(image)
    for obj in scene["objects"]:
        x0, y0, x1, y1 = obj["bbox"]
        fill = COLORS[obj["color"]]
        if obj["shape"] == "circle":
            draw.ellipse((x0, y0, x1, y1), fill=fill)
        elif obj["shape"] == "square":
            draw.rectangle((x0, y0, x1, y1), fill=fill)
        else:
            draw.polygon([((x0 + x1) / 2, y0), (x1, y1), (x0, y1)], fill=fill)
    return image


def _candidate_questions(scene: dict) -> list[dict]:
    """Every question with an exact answer about this scene."""
    objects = scene["objects"]
    shapes = [o["shape"] for o in objects]
    pairs = [(o["color"], o["shape"]) for o in objects]
    candidates = [
        {"kind": "count", "question": "How many objects are there?", "answer": str(len(objects))},
        {
            "kind": "background",
            "question": "What color is the background?",
            "answer": scene["background"],
        },
    ]
    for shape in SHAPES:
        candidates.append(
            {
                "kind": "count",
                "question": f"How many {shape}s are there?",
                "answer": str(shapes.count(shape)),
            }
        )
    for obj in objects:
        if shapes.count(obj["shape"]) == 1:
            candidates.append(
                {
                    "kind": "color",
                    "question": f"What color is the {obj['shape']}?",
                    "answer": obj["color"],
                }
            )
        if pairs.count((obj["color"], obj["shape"])) == 1:
            candidates.append(
                {
                    "kind": "position",
                    "question": f"Where is the {obj['color']} {obj['shape']}?",
                    "answer": obj["position"],
                }
            )
        candidates.append(
            {
                "kind": "shape",
                "question": f"What shape is in the {obj['position']} of the image?",
                "answer": obj["shape"],
            }
        )
    return candidates


def scene_questions(scene: dict, rng: np.random.Generator, n: int = QUESTIONS_PER_SCENE) -> list:
    """`n` distinct questions about the scene, each {kind, question, answer}."""
    candidates = _candidate_questions(scene)
    picks = rng.choice(len(candidates), size=min(n, len(candidates)), replace=False)
    return [candidates[i] for i in picks.tolist()]


def scene_messages(questions: list[dict]) -> list[dict]:
    """A multi-turn conversation: the image with the first question, then one turn per answer."""
    messages = []
    for i, qa in enumerate(questions):
        messages.append(user_turn(qa["question"], with_image=i == 0))
        messages.append(assistant_turn(qa["answer"]))
    return messages
