"""FiMMIA-style neighbours: perturbed copies of a sample's text and image.

Four word-level text perturbations, K/4 neighbours of each in a fixed block order
(substitution, deletion, duplication, swap), each changing `mask_count` words:

    mask_count = min(max(int(0.1 * #words), min(5, #non-punctuation words - 1)), 40)

and one image perturbation per neighbour (small rotation, shift, shear, brightness, a colour
negative one time in five), applied with albumentations. Every draw comes from a stream keyed by
(seed, *key, neighbour index), so neighbour j of a sample is the same whatever the process or
order. The parameters drawn are returned so that a row records what was done.

Text is perturbed across a list of segments (e.g. the assistant turns of a conversation): a
word keeps the segment it came from, so turns stay turns.

>>> from mmpriv_data.transforms.neighbors import CorpusReplacer, text_neighbors
>>> replacer = CorpusReplacer(["river", "violet", "engine"])
>>> ns = text_neighbors(["Ada Lovelace wrote the first program."], 8, replacer, 0, ("doc", 1))
>>> [n.kind for n in ns][:3]
['substitution', 'substitution', 'deletion']
>>> ns == text_neighbors(["Ada Lovelace wrote the first program."], 8, replacer, 0, ("doc", 1))
True
"""

from __future__ import annotations

import io
import os
import string
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from PIL import Image

from mmpriv_data.core.errors import MmprivError
from mmpriv_data.core.seeding import stream

KINDS = ("substitution", "deletion", "duplication", "swap")
MASK_FRACTION = 0.1
MIN_MASKS = 5
MAX_MASKS = 40
# Image ranges: FiMMIA's +-2.5 degree rotation; shift and shear kept as small on our images.
ROTATE_DEG = 2.5
SHIFT_FRACTION = 0.02
SHEAR_DEG = 3.0
BRIGHTNESS = 0.2
NEGATIVE_RATE = 0.2
_PUNCTUATION = str.maketrans("", "", string.punctuation)


def is_plain_word(word: str) -> bool:
    """FiMMIA's candidate test: a word holding no punctuation at all."""
    return word.translate(_PUNCTUATION) == word


def mask_count(words: list[str]) -> int:
    """How many words one text neighbour changes (FiMMIA's rule, see the module docstring)."""
    plain = sum(is_plain_word(w) for w in words)
    floor = max(0, min(MIN_MASKS, plain - 1))
    return min(max(int(len(words) * MASK_FRACTION), floor), MAX_MASKS)


def neighbor_kinds(k: int) -> list[str]:
    """The kind of each of k neighbours: K//4 of each in block order, the rest to the first."""
    per_kind = [k // len(KINDS) + (i < k % len(KINDS)) for i in range(len(KINDS))]
    return [kind for kind, n in zip(KINDS, per_kind, strict=True) for _ in range(n)]


class CorpusReplacer:
    """Substitution without a model: a word drawn from the corpus vocabulary."""

    def __init__(self, vocabulary: list[str]):
        if not vocabulary:
            raise MmprivError("neighbour substitution needs a non-empty vocabulary")
        self.vocabulary = list(vocabulary)

    def replace(self, words: list[str], index: int, rng: np.random.Generator) -> str:
        for _ in range(8):  # a different word almost always comes at the first draw
            word = self.vocabulary[int(rng.integers(len(self.vocabulary)))]
            if word != words[index]:
                return word
        return word


class MaskedLMReplacer:
    """Substitution by a masked-LM fill (FiMMIA used FRED-T5): mask the word, let the model
    propose its top words, pick one of them with the neighbour's stream."""

    WINDOW = 48  # words each side of the mask: keeps inputs short of any model's limit

    def __init__(self, model_path: str, top_k: int = 8, fallback: CorpusReplacer | None = None):
        self.model_path = model_path
        self.top_k = top_k
        self.fallback = fallback

    def load(self):
        """The fill-mask pipeline (loaded once per process; raises MmprivError on a bad path)."""
        return _fill_pipeline(self.model_path)

    def replace(self, words: list[str], index: int, rng: np.random.Generator) -> str:
        pipe = self.load()
        lo = max(0, index - self.WINDOW)
        window = words[lo : index + self.WINDOW + 1]
        window[index - lo] = pipe.tokenizer.mask_token
        candidates = []
        for guess in pipe(" ".join(window), top_k=self.top_k):
            token = guess["token_str"].strip()
            if token and token != words[index] and is_plain_word(token) and " " not in token:
                candidates.append(token)
        if not candidates:
            if self.fallback is None:
                return words[index]
            return self.fallback.replace(words, index, rng)
        return candidates[int(rng.integers(len(candidates)))]


@lru_cache(maxsize=2)
def _fill_pipeline(model_path: str):
    if not os.path.isdir(model_path):
        raise MmprivError(f"--set fill_model={model_path}: no such model folder")
    from transformers import pipeline  # heavy: only when the user asks for a masked-LM fill

    try:
        pipe = pipeline("fill-mask", model=model_path, device="cpu")
    except (OSError, ValueError) as error:
        raise MmprivError(f"--set fill_model={model_path}: not a masked-LM ({error})") from None
    if pipe.tokenizer.mask_token is None:
        raise MmprivError(f"--set fill_model={model_path}: its tokenizer has no mask token")
    return pipe


@dataclass(frozen=True)
class TextNeighbor:
    kind: str
    segments: tuple[str, ...]
    positions: tuple[int, ...] = field(default=())  # word positions touched, in draw order


def _flatten(segments: list[str]) -> list[tuple[int, str]]:
    return [(s, word) for s, text in enumerate(segments) for word in text.split()]


def _regroup(tagged: list[tuple[int, str]], num_segments: int) -> tuple[str, ...]:
    grouped: list[list[str]] = [[] for _ in range(num_segments)]
    for segment, word in tagged:
        grouped[segment].append(word)
    return tuple(" ".join(words) for words in grouped)


def perturb(
    kind: str,
    tagged: list[tuple[int, str]],
    count: int,
    rng: np.random.Generator,
    replacer: CorpusReplacer | MaskedLMReplacer,
) -> tuple[list[tuple[int, str]], list[int]]:
    """Apply `count` edits of one kind; returns the new tagged words and the positions drawn."""
    words = list(tagged)
    plain = [i for i, (_, w) in enumerate(words) if is_plain_word(w)]
    touched: list[int] = []
    if kind == "substitution":
        # One word at a time, each fill seeing the previous ones (as FiMMIA does).
        for _ in range(count):
            plain = [i for i, (_, w) in enumerate(words) if is_plain_word(w)]
            if not plain:
                break
            i = plain[int(rng.integers(len(plain)))]
            new = replacer.replace([w for _, w in words], i, rng)
            words[i] = (words[i][0], new)
            touched.append(i)
    elif kind in ("deletion", "duplication"):
        picks = rng.choice(plain, size=min(count, len(plain)), replace=False) if plain else []
        touched = [int(i) for i in picks]
        # Edit from the back so earlier positions stay valid.
        for i in sorted(touched, reverse=True):
            if kind == "deletion":
                del words[i]
            else:
                words.insert(i + 1, words[i])
    elif kind == "swap":
        for _ in range(count if len(words) > 1 else 0):
            a, b = (int(x) for x in rng.choice(len(words), size=2, replace=False))
            # Swap the words, not their segments: each position stays in its turn.
            words[a], words[b] = (words[a][0], words[b][1]), (words[b][0], words[a][1])
            touched += [a, b]
    else:
        raise MmprivError(f"unknown neighbour kind {kind!r}; kinds: {', '.join(KINDS)}")
    return words, touched


def text_neighbors(
    segments: list[str],
    k: int,
    replacer: CorpusReplacer | MaskedLMReplacer,
    seed: int,
    key: tuple,
) -> list[TextNeighbor]:
    """K text neighbours of `segments`, in the deterministic order of `neighbor_kinds(k)`."""
    tagged = _flatten(segments)
    count = mask_count([w for _, w in tagged])
    neighbors = []
    for j, kind in enumerate(neighbor_kinds(k)):
        rng = stream(seed, *key, "neighbor-text", j)
        words, touched = perturb(kind, tagged, count, rng, replacer)
        neighbors.append(TextNeighbor(kind, _regroup(words, len(segments)), tuple(touched)))
    return neighbors


def draw_image_params(rng: np.random.Generator) -> dict:
    """Everything random about one image neighbour (applied by `apply_image_params`)."""
    return {
        "rotate_deg": round(float(rng.uniform(-ROTATE_DEG, ROTATE_DEG)), 4),
        "shift_x": round(float(rng.uniform(-SHIFT_FRACTION, SHIFT_FRACTION)), 5),
        "shift_y": round(float(rng.uniform(-SHIFT_FRACTION, SHIFT_FRACTION)), 5),
        "shear_deg": round(float(rng.uniform(-SHEAR_DEG, SHEAR_DEG)), 4),
        "brightness": round(float(rng.uniform(-BRIGHTNESS, BRIGHTNESS)), 4),
        "negative": bool(rng.uniform() < NEGATIVE_RATE),
    }


@lru_cache(maxsize=1)
def _albumentations():
    os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")  # no network check at import
    import albumentations

    return albumentations


def apply_image_params(image: Image.Image, params: dict) -> Image.Image:
    """A deterministic function of the image and the drawn parameters: each range is the one
    drawn value, so albumentations has nothing left to sample."""
    A = _albumentations()

    def fixed(value: float) -> tuple[float, float]:
        return (value, value)

    steps = [
        A.Affine(
            rotate=fixed(params["rotate_deg"]),
            translate_percent={"x": fixed(params["shift_x"]), "y": fixed(params["shift_y"])},
            shear={"x": fixed(params["shear_deg"]), "y": (0.0, 0.0)},
            border_mode=4,  # cv2.BORDER_REFLECT_101: no black corners to give the edit away
            p=1.0,
        ),
        A.RandomBrightnessContrast(
            brightness_limit=fixed(params["brightness"]), contrast_limit=(0.0, 0.0), p=1.0
        ),
    ]
    if params["negative"]:
        steps.append(A.InvertImg(p=1.0))
    pixels = np.asarray(image.convert("RGB"))
    result = A.Compose(steps, seed=0)(image=pixels)["image"]
    return Image.fromarray(result)


def image_neighbor(image_bytes: bytes, seed: int, key: tuple, j: int) -> tuple[bytes, dict]:
    """Neighbour j of an encoded image: (JPEG bytes, the parameters applied)."""
    params = draw_image_params(stream(seed, *key, "neighbor-image", j))
    with Image.open(io.BytesIO(image_bytes)) as image:
        perturbed = apply_image_params(image, params)
    buffer = io.BytesIO()
    perturbed.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue(), params


def vocabulary(texts: list[str]) -> list[str]:
    """The sorted set of plain words of a corpus: the in-corpus substitution pool."""
    return sorted({w for text in texts for w in text.split() if is_plain_word(w)})
