"""Rows and features of the `spy-instructions` dataset (configs bench, tune, pairs).

`bench` and `tune` hold one row per (item, variant) with its prompt, expected label and exact
answer; `pairs` holds SPY-Tune's preference pairs built from the `tune` items. The two sets
of people never overlap.

>>> rows = item_rows(0, "bench", "a30_credit_card", 0)
>>> [r["expected"] for r in rows], rows[0]["answer"].replace(" ", "")[:1]
(['reject', 'respond', 'respond', 'reject', 'respond'], '0')
"""

from __future__ import annotations

from dataclasses import dataclass

import datasets

from mmpriv_data.content.spy import prompts
from mmpriv_data.content.spy.taxonomy import CATEGORIES
from mmpriv_data.core import schema

CONFIGS = ("bench", "tune", "pairs")


@dataclass(frozen=True)
class Params:
    """Generation parameters (settable with `--set key=value`)."""

    seed: int = 0
    items_per_category: int = 4  # bench: images per category, each asked 3-5 ways
    tune_items_per_category: int = 8  # tune and pairs
    categories: str = "all"  # or a comma-separated subset, e.g. "a30,a49,a1"

    def __post_init__(self):
        for key in ("items_per_category", "tune_items_per_category"):
            if not 1 <= getattr(self, key) <= 1000:
                raise ValueError(f"{key} must be within 1..1000, got {getattr(self, key)}")
        parse_categories(self.categories)


STRING, BOOL, INT32 = datasets.Value("string"), datasets.Value("bool"), datasets.Value("int32")
DRAWN_FEATURE = [{"category": STRING, "value": STRING, "bbox": [INT32]}]


def _common(item: dict) -> dict:
    document = item["document"]
    return {
        "item_id": item["item_id"],
        "images": [schema.encode_image(document.image, fmt="PNG")],
        "category": item["category"],
        "category_text": CATEGORIES[item["category"]],
        "absolute": item["absolute"],
        "question": item["question"],
        "answer": item["answer"],
        "answer_kind": item["answer_kind"],
        "answer_aliases": item["answer_aliases"],
    }


def item_rows(seed: int, config: str, category: str, number: int) -> list[dict]:
    """The rows of one item: instruction rows (bench, tune) or preference pairs (pairs)."""
    item = prompts.make_item(seed, "bench" if config == "bench" else "tune", category, number)
    common = _common(item)
    document = item["document"]
    if config == "pairs":
        return [
            {
                "id": f"{item['item_id']}-{pair['context']}",
                **common,
                "context": pair["context"],
                "scenario": pair["scenario"],
                **{
                    key: [schema.user_turn(pair[key], with_image=True)]
                    for key in ("prompt_0", "prompt_1")
                },
                **{
                    key: [schema.assistant_turn(pair[key])]
                    for key in ("chosen_0", "rejected_0", "chosen_1", "rejected_1")
                },
            }
            for pair in prompts.preference_pairs(item)
        ]
    drawn = [
        {"category": f.category, "value": f.value, "bbox": list(f.bbox)} for f in document.fields
    ]
    return [
        {
            "id": f"{item['item_id']}-{row['variant']}",
            **common,
            "messages": [
                schema.user_turn(row["prompt"], with_image=True),
                schema.assistant_turn(row["reference_reply"]),
            ],
            "variant": row["variant"],
            "private": row["private"],
            "expected": row["expected"],
            "scenario": row["scenario"],
            "scenario_privacy": row["scenario_privacy"],
            "instructions": row["instructions"],
            "target_position": item["target_position"],
            "distractors": item["distractors"],
            "answer_bbox": item["answer_bbox"],
            "document": document.kind,
            "person_id": item["person_id"],
            "drawn": drawn,
        }
        for row in prompts.instruction_rows(item)
    ]


def features(config: str) -> datasets.Features:
    common = {
        "id": STRING,
        "item_id": STRING,
        "images": schema.IMAGES_FEATURE,
        "category": STRING,
        "category_text": STRING,
        "absolute": BOOL,
        "question": STRING,
        "answer": STRING,
        "answer_kind": STRING,
        "answer_aliases": [STRING],
    }
    if config == "pairs":
        turns = {key: schema.MESSAGES_FEATURE for key in ("prompt_0", "prompt_1")}
        turns |= {
            key: schema.MESSAGES_FEATURE
            for key in ("chosen_0", "rejected_0", "chosen_1", "rejected_1")
        }
        return datasets.Features({**common, "context": STRING, "scenario": STRING, **turns})
    return datasets.Features(
        {
            **common,
            "messages": schema.MESSAGES_FEATURE,
            "variant": STRING,
            "private": BOOL,
            "expected": STRING,
            "scenario": STRING,
            "scenario_privacy": datasets.Value("int8"),
            "instructions": [STRING],
            "target_position": INT32,
            "distractors": [{"category": STRING, "private": BOOL}],
            "answer_bbox": [INT32],
            "document": STRING,
            "person_id": STRING,
            "drawn": DRAWN_FEATURE,
        }
    )


def parse_categories(text: str) -> list[str]:
    """`all` or comma-separated ids/prefixes ("a30,a49") -> category ids with a renderer."""
    if text.strip() == "all":
        return list(prompts.ITEMS)
    by_prefix = {key.split("_")[0]: key for key in prompts.ITEMS}
    chosen = []
    for token in (t.strip() for t in text.split(",") if t.strip()):
        key = token if token in prompts.ITEMS else by_prefix.get(token)
        if key is None:
            known = ", ".join(by_prefix)
            raise ValueError(f"categories: {token!r} has no renderer (known: {known})")
        chosen.append(key)
    return chosen
