"""Legibility: can a real OCR engine read the text drawn into the images at a model's input size?

A probing or leakage experiment can only show memorization of text the model is able to read.
This check runs PP-OCR (the `rapidocr-onnxruntime` package, which ships its ONNX weights; the
`ocr` extra) over the embedded images after resizing them the way a VLM's processor does
(`squash`: straight to size x size, as Qwen-VL; `pad`: padded to a square with the CLIP mean
colour first, as LLaVA-1.5), and counts, per field, how often the drawn value is read back.

Each OCR line is assigned to the field whose key it starts with ("usemame:reigp1978" is the
username line: keys are matched by similarity, since OCR misreads them too), and only that
line's value is compared with the field's true value. So an age of 43 is not "read" from the
minutes of a capture time 22:43:08. A value is read:
- `exact`: character for character, spaces aside (OCR engines drop or add spaces between
  words: "2022-07-0622:43:08");
- up to formatting (`formatted`): exact, or the true value is in the line by `eval leakage`'s
  judge (`evaluators.leakage.value_in_answer`: case and punctuation ignored, digits only for
  numeric fields, any common timestamp layout).

Images without text are the control: text found on them is counted (`any_text_rate`: a line
of 3 letters or digits or more, since the detector reads a lone circle as "O"), and so is any
user's value found anywhere in it (`any_user_rate`).

>>> lines = ["usemame:reigp1978", "age:47", "capture_time:2022-07-06 22:43:08"]
>>> answers = field_answers(lines, ["username", "age", "capture_time"])
>>> answers["username"], answers["age"]
(['reigp1978'], ['47'])
>>> read_value("2022-07-06 22:43:08", answers["capture_time"], "capture_time")
{'exact': True, 'formatted': True}
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from difflib import SequenceMatcher

from PIL import Image

from evaluators.leakage import parse_embedded_text, value_in_answer
from evaluators.matching import ascii_fold
from mmpriv_data.core.errors import MmprivError

# No "[ocr]" in the text: the CLI prints errors through rich, whose markup would eat it.
INSTALL_HINT = (
    "the legibility check needs an OCR engine (mmpriv's ocr extra): "
    "pip install rapidocr-onnxruntime"
)
FITS = ("squash", "pad")
# LLaVA-1.5's expand2square pads with the CLIP processor's mean colour.
CLIP_MEAN_RGB = (122, 116, 104)
# A line belongs to a field when its start is at least this similar to the field's key.
KEY_SIMILARITY = 0.6
KEY_SEPARATORS = ":;., "
# "ocation: Vancouver" is the location line: a key's tail of 4+ letters identifies it.
MIN_KEY_TAIL = 4
KEY_TAIL_SIMILARITY = 0.9
# On a clean image a line counts as text from 3 letters or digits: the detector reads a lone
# shape as a glyph ("O" for a circle, "■" for a square), which is no private text.
MIN_TEXT_CHARS = 3
# Boxes whose vertical centres differ by less than this fraction of their height are one line.
SAME_LINE = 0.5


def load_ocr_engine(threads: int = 0):
    """PP-OCR (detector + recognizer) on onnxruntime; one clear error without the extra.

    `threads` caps onnxruntime's threads per session (0: its default, all cores).
    """
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError:
        raise MmprivError(INSTALL_HINT) from None
    options = {"intra_op_num_threads": threads} if threads else {}
    return RapidOCR(**options)


def resize_for_model(image: Image.Image, size: int, fit: str = "squash") -> Image.Image:
    """The image as a model with a size x size input sees it (size 0: unchanged).

    >>> resize_for_model(Image.new("RGB", (640, 480)), 336, "pad").size
    (336, 336)
    """
    if fit not in FITS:
        raise MmprivError(f"--fit {fit!r}: one of {', '.join(FITS)}")
    image = image.convert("RGB")
    if not size:
        return image
    if fit == "pad":
        side = max(image.size)
        canvas = Image.new("RGB", (side, side), CLIP_MEAN_RGB)
        canvas.paste(image, ((side - image.width) // 2, (side - image.height) // 2))
        image = canvas
    # Bicubic, as the CLIP and Qwen-VL image processors resize.
    return image.resize((size, size), Image.Resampling.BICUBIC)


def read_lines(engine, image: Image.Image) -> list[str]:
    """OCR text lines, top to bottom; boxes on one row are joined left to right.

    The detector sometimes cuts a line in two ("capt", "_time:2024-05-22"); rejoining boxes
    whose vertical centres agree puts the key and its value back on one line.
    """
    # Text is drawn upright (augmentation rotates at most 30 degrees): the 180-degree
    # direction classifier would only cost time.
    result, _ = engine(image, use_cls=False)
    boxes = []
    for points, text, _score in result or []:
        ys = [float(p[1]) for p in points]
        xs = [float(p[0]) for p in points]
        boxes.append((sum(ys) / len(ys), max(ys) - min(ys), min(xs), text))
    boxes.sort()
    rows: list[list[tuple]] = []
    for box in boxes:
        if rows:
            last = rows[-1][-1]
            if abs(box[0] - last[0]) < SAME_LINE * max(1.0, min(box[1], last[1])):
                rows[-1].append(box)
                continue
        rows.append([box])
    return [" ".join(b[3] for b in sorted(row, key=lambda b: b[2])) for row in rows]


def _is_text(line: str) -> bool:
    return len(re.findall(r"[^\W_]", line)) >= MIN_TEXT_CHARS


def _letters_digits(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", ascii_fold(text).lower())


def _cuts(line: str, key_length: int) -> list[int]:
    """Where the key may end: after a separator near the start, else anywhere near its length."""
    after_separator = [
        cut
        for cut in range(1, min(len(line), key_length + 4) + 1)
        if line[cut - 1] in KEY_SEPARATORS
    ]
    window = range(max(1, key_length - 4), min(len(line), key_length + 4) + 1)
    return after_separator or list(window)


def _key_similarity(text: str, key: str) -> float:
    """How much `text` looks like `key`; a tail of the key counts (OCR can miss a line's start)."""
    if len(text) >= MIN_KEY_TAIL and key.endswith(text):
        return KEY_TAIL_SIMILARITY
    return SequenceMatcher(None, text, key).ratio()


def split_key(line: str, fields: Iterable[str]) -> tuple[str | None, str]:
    """(field, value text) for one OCR line; (None, line) when it starts with no field's key.

    >>> split_key("gender.Male", ["username", "gender"])
    ('gender', 'Male')
    >>> split_key("Blue circle", ["username", "gender"])
    (None, 'Blue circle')
    """
    best = (KEY_SIMILARITY, None, line)
    for field in fields:
        key = _letters_digits(field)
        for cut in _cuts(line, len(field)):
            similarity = _key_similarity(_letters_digits(line[:cut]), key)
            if similarity > best[0] or (similarity == best[0] and best[1] is None):
                best = (similarity, field, line[cut:])
    _, field, value = best
    return field, value.strip(KEY_SEPARATORS) if field else line


def field_answers(lines: Sequence[str], fields: Iterable[str]) -> dict[str, list[str]]:
    """The value text of each OCR line, grouped by the field whose key the line starts with."""
    fields = list(fields)
    answers: dict[str, list[str]] = defaultdict(list)
    for line in lines:
        field, value = split_key(line, fields)
        if field is not None:
            answers[field].append(value)
    return dict(answers)


def read_value(value: str, answers: Sequence[str], field: str) -> dict[str, bool]:
    """Whether one of a field's OCR answers reads `value`: exactly, and up to formatting.

    >>> read_value("reigp1978", ["Reigp 1978"], "username")
    {'exact': False, 'formatted': True}
    """
    spaceless = re.sub(r"\s", "", value)
    exact = any(re.sub(r"\s", "", answer) == spaceless for answer in answers)
    formatted = exact or any(value_in_answer(value, answer, field) for answer in answers)
    return {"exact": exact, "formatted": formatted}


def score_legibility(
    samples: Sequence[dict], readings: Sequence[list[str]], fields: Iterable[str] | None = None
) -> dict:
    """Read rates per field on embedded samples; text and any-user rates on clean ones.

    `samples` carry the dataset's `id`, `embedded`, `embedded_fields`, `embedded_text`;
    `readings[i]` is the OCR lines of sample i.
    """
    wanted = list(fields) if fields is not None else None
    truths = [parse_embedded_text(s.get("embedded_text") or "") for s in samples]
    pool: dict[str, set[str]] = defaultdict(set)
    for sample, truth in zip(samples, truths, strict=True):
        if sample.get("embedded"):
            for field, value in truth.items():
                pool[field].add(value)
    per_field: dict[str, dict] = {}
    clean = {"n": 0, "any_text": 0, "any_user": 0}
    per_sample = []
    for sample, truth, lines in zip(samples, truths, readings, strict=True):
        record = {"id": sample.get("id"), "embedded": bool(sample.get("embedded")), "lines": lines}
        if sample.get("embedded"):
            asked = [
                f for f in sample.get("embedded_fields") or [] if wanted is None or f in wanted
            ]
            answers = field_answers(lines, truth)
            record["read"] = {}
            for field in asked:
                read = read_value(truth[field], answers.get(field, []), field)
                slot = per_field.setdefault(field, {"n": 0, "exact": 0, "formatted": 0})
                slot["n"] += 1
                slot["exact"] += int(read["exact"])
                slot["formatted"] += int(read["formatted"])
                record["read"][field] = read
        else:
            text = "\n".join(lines)
            any_user = any(
                value_in_answer(value, text, field)
                for field, values in pool.items()
                for value in sorted(values)
            )
            clean["n"] += 1
            clean["any_text"] += int(any(_is_text(line) for line in lines))
            clean["any_user"] += int(any_user)
            record["any_user"] = any_user
        per_sample.append(record)
    if wanted:
        missing = [f for f in wanted if f not in per_field]
        if missing and any(s.get("embedded") for s in samples):
            raise MmprivError(f"--fields {','.join(missing)}: no embedded image carries it")
    for slot in per_field.values():
        slot["exact_rate"] = round(slot["exact"] / slot["n"], 4)
        slot["formatted_rate"] = round(slot["formatted"] / slot["n"], 4)
    if clean["n"]:
        clean["any_text_rate"] = round(clean["any_text"] / clean["n"], 4)
        clean["any_user_rate"] = round(clean["any_user"] / clean["n"], 4) if pool else None
    return {
        "n_embedded": sum(1 for s in samples if s.get("embedded")),
        "per_field": per_field,
        "clean": clean,
        "per_sample": per_sample,
    }


def evaluate_legibility(
    samples: Sequence[dict],
    engine,
    size: int,
    fit: str = "squash",
    fields: Iterable[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """OCR every sample's `image` (PIL) at size x size (0: as stored) and score the reads.

    >>> engine = load_ocr_engine()  # doctest: +SKIP
    >>> report = evaluate_legibility(samples, engine, 336)  # doctest: +SKIP
    >>> report["per_field"]["username"]["formatted_rate"]  # doctest: +SKIP
    0.9
    """
    readings = []
    for sample in samples:
        readings.append(read_lines(engine, resize_for_model(sample["image"], size, fit)))
        if progress is not None:
            progress(1)
    return {"size": size, "fit": fit, **score_legibility(samples, readings, fields)}


def styles_of(samples: Sequence[dict]) -> list[dict]:
    """The distinct text styles (font size, colour, opacity) of the embedded samples."""
    seen = []
    for sample in samples:
        style = sample.get("style") or {}
        if sample.get("embedded") and style:
            key = {k: style.get(k) for k in ("font_size", "color", "opacity", "box", "rotation")}
            if key not in seen:
                seen.append(key)
    return seen
