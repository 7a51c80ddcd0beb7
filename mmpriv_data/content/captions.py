"""A procedural caption corpus in LLaVA's conversation format: generated people and scenes
described with biometric words (marked) next to look-alike traps that must survive ("a white
shirt", "a cat with green eyes", "an old building"). The marks make the scrubber testable
without a second scrubber: every biometric span must be changed, no trap span may be.

>>> s = caption_sample(0, 3)
>>> sorted(s) == ["biometric_spans", "conversations", "id", "trap_spans"]
True
>>> s["conversations"][0]["from"], s["conversations"][1]["from"]
('human', 'gpt')
"""

from __future__ import annotations

import random

from mmpriv_data.core.seeding import py_random

_PEOPLE = {  # noun -> (pronoun set, plural)
    "man": "he", "woman": "she", "boy": "he", "girl": "she", "lady": "she", "guy": "he",
    "gentleman": "he", "mother": "she", "father": "he", "grandmother": "she",
    "grandfather": "he", "waitress": "she", "policeman": "he", "businessman": "he",
}  # fmt: skip
_NEUTRAL_PEOPLE = ("person", "skier", "surfer", "tourist", "chef", "student", "doctor", "rider")
_ADJECTIVES = {
    "age": ["old", "older", "elderly", "young", "middle-aged", "teenage", "30-year-old"],
    "race": ["Asian", "Black", "white", "Hispanic", "Caucasian", "South Asian", "dark-skinned"],
    "build": ["tall", "short", "thin", "muscular", "overweight", "slim", "stocky", "petite"],
    "hair_color": ["blonde", "red-haired", "gray-haired", "brunette"],
    "eye_color": ["blue-eyed", "green-eyed"],
}
_FEATURES = {
    "eye_color": (["blue", "green", "brown", "hazel", "grey"], "eyes"),
    "hair_color": (["blonde", "red", "gray", "black", "brown", "white", "purple"], "hair"),
    "race": (["dark", "pale", "light", "olive"], "skin"),
    "build": (["slim", "muscular", "heavy", "athletic", "average"], "build"),
}
_ACTIONS = [
    "is sitting on a bench",
    "is riding a bike",
    "is walking down the street",
    "is holding an umbrella",
    "is reading a book",
    "stands near a fountain",
    "is throwing a frisbee",
    "is cooking in a kitchen",
    "is talking on the phone",
]
_OBJECTS = ["red coat", "blue jacket", "green scarf", "yellow hat", "backpack", "phone"]
_TRAPS = ["a white shirt", "a black dog", "an old building", "a tall building",
          "a cat with green eyes", "a red hair dryer", "a baby elephant", "a young tree",
          "short sleeves", "a fat cat", "a brown horse", "a little dog", "an old car",
          "a black and white photo", "an Iron Man poster", "a thin slice of pizza",
          "a heavy bag", "white clouds", "a dog with brown hair", "a slim phone"]  # fmt: skip
_PROMPTS = ["Describe the image in detail.", "What is happening in this picture?",
            "Write a short caption for the image.", "What do you see?"]  # fmt: skip
_POSSESSIVE = {"he": "his", "she": "her"}


class _Text:
    """Appends pieces and remembers the spans of marked ones."""

    def __init__(self):
        self.parts: list[str] = []
        self.size = 0
        self.bio: list[tuple[int, int, str]] = []
        self.traps: list[tuple[int, int]] = []

    def add(self, piece: str, *, bio: str | None = None, trap: bool = False) -> None:
        if bio:
            self.bio.append((self.size, self.size + len(piece), bio))
        if trap:
            self.traps.append((self.size, self.size + len(piece)))
        self.parts.append(piece)
        self.size += len(piece)

    def text(self) -> str:
        return "".join(self.parts)


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _subject(rng: random.Random, out: _Text, capital: bool) -> str | None:
    """A person noun phrase; returns the pronoun that refers to it (None if neutral)."""
    gendered = rng.random() < 0.8
    noun = rng.choice(list(_PEOPLE)) if gendered else rng.choice(_NEUTRAL_PEOPLE)
    adjectives = rng.sample(list(_ADJECTIVES), k=rng.choice([0, 1, 1, 2]))
    words = [(rng.choice(_ADJECTIVES[a]), a) for a in adjectives]
    first = words[0][0] if words else noun
    det = _article(first)
    out.add(det.capitalize() if capital else det)
    for word, attribute in words:
        out.add(" ")
        out.add(word, bio=attribute)
    out.add(" ")
    out.add(noun, bio="gender" if gendered else None)
    if rng.random() < 0.45:
        attribute = rng.choice(list(_FEATURES))
        colours, head = _FEATURES[attribute]
        if head == "build":
            out.add(" with a ")
            out.add(rng.choice(colours), bio=attribute)
            out.add(" build")
        else:
            out.add(" with ")
            out.add(rng.choice(colours), bio=attribute)
            out.add(" " + head)
    return _PEOPLE.get(noun) if gendered else None


def _description(rng: random.Random) -> _Text:
    out = _Text()
    pronoun = _subject(rng, out, capital=True)
    out.add(f" {rng.choice(_ACTIONS)} next to ")
    out.add(rng.choice(_TRAPS), trap=True)
    out.add(".")
    if pronoun:
        out.add(" ")
        out.add(pronoun.capitalize(), bio="gender")
        verb = rng.choice([("is wearing", ""), ("wears", ""), ("has", "")])[0]
        out.add(f" {verb} ")
        out.add(_POSSESSIVE[pronoun], bio="gender")
        out.add(f" {rng.choice(_OBJECTS)}")
        if rng.random() < 0.5:
            attribute = rng.choice(["eye_color", "hair_color"])
            colours, head = _FEATURES[attribute]
            out.add(" and ")
            out.add(_POSSESSIVE[pronoun], bio="gender")
            out.add(" ")
            out.add(rng.choice(colours), bio=attribute)
            out.add(f" {head} " + ("stand out" if head == "eyes" else "stands out"))
        out.add(".")
    if rng.random() < 0.5:
        out.add(" In the background there is ")
        out.add(rng.choice(_TRAPS), trap=True)
        out.add(" and ")
        _subject(rng, out, capital=False)
        out.add(".")
    return out


def caption_sample(seed: int, index: int) -> dict:
    """One LLaVA-style sample: {"id", "conversations", "biometric_spans", "trap_spans"};
    spans are (turn, start, end[, attribute]) in the turn's text."""
    rng = py_random(seed, "scrubbed-captions", "caption", index)
    turns: list[tuple[str, _Text]] = []
    prompt = _Text()
    prompt.add("<image>\n" + rng.choice(_PROMPTS))
    turns.append(("human", prompt))
    turns.append(("gpt", _description(rng)))
    if rng.random() < 0.5:
        question = _Text()
        question.add("What is the ")
        noun = rng.choice(list(_PEOPLE))
        question.add(noun, bio="gender")
        question.add(" doing?")
        turns += [("human", question), ("gpt", _description(rng))]
    return {
        "id": f"gen-{index:07d}",
        "conversations": [{"from": who, "value": text.text()} for who, text in turns],
        "biometric_spans": [
            (t, a, b, attr) for t, (_, x) in enumerate(turns) for a, b, attr in x.bio
        ],  # fmt: skip
        "trap_spans": [(t, a, b) for t, (_, x) in enumerate(turns) for a, b in x.traps],
    }


def caption_corpus(seed: int, n: int) -> list[dict]:
    """`n` samples (see `caption_sample`), each drawn from its own stream."""
    return [caption_sample(seed, i) for i in range(n)]
