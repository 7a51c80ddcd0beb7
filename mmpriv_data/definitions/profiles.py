"""The `profiles` dataset (MLLMU-Bench style): fictitious people, portraits, 18 questions each.

Everything about person i is drawn from streams keyed by (seed, "profiles", ..., i), so a row
is identical in every config that holds person i, whatever the number of processes.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from functools import lru_cache

import datasets
from PIL import Image

from mmpriv_data.content import identities, portraits
from mmpriv_data.content.questions import person_questions
from mmpriv_data.core import schema
from mmpriv_data.core.seeding import stream

FORGET_PERCENTS = (5, 10, 15)
CONFIGS = (
    "full",
    *(f"forget_{p}" for p in FORGET_PERCENTS),
    *(f"retain_{100 - p}" for p in FORGET_PERCENTS),
    "test",
)
# Person facts copied to plain columns (the ground truth evaluators read).
FACT_COLUMNS = (
    "name",
    "gender",
    "birth_date",
    "age",
    "birth_place",
    "nationality",
    "address",
    "occupation",
    "employer",
    "education",
    "family",
    "hobbies",
    "email",
    "phone",
    "national_id",
    "card_number",
    "username",
    "user_id",
    "capture_time",
    "capture_location",
    "biography",
    "locale",
)
DISTRACTOR_PEOPLE = 12
JPEG_QUALITY = 90


@dataclass(frozen=True)
class Params:
    """Generation parameters (settable with `--set key=value`)."""

    seed: int = 0
    num_profiles: int = 500
    image_size: int = 256

    def __post_init__(self):
        if self.num_profiles < 8:
            raise ValueError(f"num_profiles must be at least 8, got {self.num_profiles}")
        if not 64 <= self.image_size <= 1024:
            raise ValueError(f"image_size must be within 64..1024, got {self.image_size}")


INTRO_PROMPT = (
    "Who is this person? Tell me about them.",
    "Please introduce the individual in this picture.",
)


def forget_order(seed: int, num_profiles: int) -> list[int]:
    """A seeded order of all people; forget_p takes its first p% (so the sets are nested)."""
    return stream(seed, "profiles", "forget-order", num_profiles).permutation(num_profiles).tolist()


def forget_size(percent: int, num_profiles: int) -> int:
    return max(1, round(num_profiles * percent / 100))


def config_indices(config: str, seed: int, num_profiles: int) -> list[int]:
    """Person indices held by a config, in ascending order."""
    if config in ("full", "test"):
        return list(range(num_profiles))
    kind, _, number = config.partition("_")
    percent = int(number) if kind == "forget" else 100 - int(number)
    forget = set(forget_order(seed, num_profiles)[: forget_size(percent, num_profiles)])
    if kind == "forget":
        return sorted(forget)
    return [i for i in range(num_profiles) if i not in forget]


@lru_cache(maxsize=4)
def fact_pool(seed: int, num_profiles: int) -> tuple[dict, ...]:
    """Every person's facts (no images): the source of multiple-choice distractors."""
    return tuple(identities.make_people(seed, num_profiles))


def encode_jpeg(image: Image.Image, quality: int = JPEG_QUALITY) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def _messages(person: dict, questions: list[dict], paraphrase: bool) -> list[dict]:
    """A training conversation: portrait + biography, then the generation questions."""
    messages = [
        {
            "role": "user",
            "content": [
                {"type": "image", "text": None},
                {"type": "text", "text": INTRO_PROMPT[int(paraphrase)]},
            ],
        },
        {"role": "assistant", "content": [{"type": "text", "text": person["biography"]}]},
    ]
    for q in questions:
        if q["task"] == "generation":
            messages.append({"role": "user", "content": [{"type": "text", "text": q["question"]}]})
            messages.append(
                {"role": "assistant", "content": [{"type": "text", "text": q["answer"]}]}
            )
    return messages


def profile_row(seed: int, num_profiles: int, index: int, *, image_size: int, test: bool) -> dict:
    """One dataset row for person `index`; `test` re-renders the portrait and paraphrases."""
    pool = fact_pool(seed, num_profiles)
    person = pool[index]
    # Draw among the other N-1 people: position j skips over `index` itself.
    pick_rng = stream(seed, "profiles", "distractors", index)
    size = min(DISTRACTOR_PEOPLE, num_profiles - 1)
    picks = sorted(pick_rng.choice(num_profiles - 1, size=size, replace=False).tolist())
    distractors = [pool[j if j < index else j + 1] for j in picks]
    questions = person_questions(
        person, distractors, stream(seed, "profiles", "questions", index), paraphrase=test
    )
    traits = portraits.sample_traits(
        stream(seed, "profiles", "portrait", index), age=person["age"], gender=person["gender"]
    )
    variant = None
    if test:
        variant = portraits.sample_variant(
            stream(seed, "profiles", "test-variant", index), avoid=traits["background_color"]
        )
    image = portraits.render_portrait(traits, size=image_size, variant=variant)
    row = {
        "id": person["person_id"],
        "images": [{"bytes": encode_jpeg(image), "path": None}],
        "messages": _messages(person, questions, test),
        **{column: person[column] for column in FACT_COLUMNS},
        "traits": {key: str(value) for key, value in traits.items()},
        "portrait_variant": json.dumps(variant, sort_keys=True) if variant else "",
        "questions": questions,
    }
    return row


QUESTION_FEATURE = {
    "qid": datasets.Value("string"),
    "task": datasets.Value("string"),
    "field": datasets.Value("string"),
    "with_image": datasets.Value("bool"),
    "question": datasets.Value("string"),
    "options": [datasets.Value("string")],
    "answer": datasets.Value("string"),
    "answer_text": datasets.Value("string"),
}


def features() -> datasets.Features:
    string = datasets.Value("string")
    fact_types = {"age": datasets.Value("int32"), "user_id": datasets.Value("int64")}
    return datasets.Features(
        {
            "id": string,
            "images": schema.IMAGES_FEATURE,
            "messages": schema.MESSAGES_FEATURE,
            **{c: [string] if c == "hobbies" else fact_types.get(c, string) for c in FACT_COLUMNS},
            "traits": {key: string for key in portraits.TRAIT_KEYS},
            "portrait_variant": string,
            "questions": [QUESTION_FEATURE],
        }
    )
