"""The scrubber against a table of hand-written caption cases (tests/data/scrub_cases.tsv)
and an independently written, labelled corpus (bench/data/scrub_corpus/, issue 18)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmpriv_data.content.captions import caption_corpus
from mmpriv_data.transforms.scrub import ATTRIBUTES, BIOMETRIC_REFUSAL, apply_changes, scrub
from mmpriv_data.transforms.scrub.evaluation import (
    evaluate,
    grammar_problems,
    load_corpus,
    parse_line,
)

CASES_FILE = Path(__file__).parent / "data" / "scrub_cases.tsv"


def load_cases() -> list[tuple[str, str, str]]:
    cases = []
    for line in CASES_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        attributes, text, expected = line.split("\t")
        cases.append((attributes, text.replace("\\n", "\n"), expected.replace("\\n", "\n")))
    return cases


CASES = load_cases()


def test_the_table_is_large_and_covers_every_attribute():
    assert len(CASES) >= 300
    switched = {
        a for attributes, _, _ in CASES if attributes != "all" for a in attributes.split(",")
    }
    assert set(ATTRIBUTES) <= switched
    changed = {c["attribute"] for _, text, _ in CASES for c in scrub(text).changes}
    assert changed == set(ATTRIBUTES)


@pytest.mark.parametrize(("attributes", "text", "expected"), CASES, ids=[c[1][:60] for c in CASES])
def test_case(attributes: str, text: str, expected: str):
    result = scrub(text, None if attributes == "all" else attributes)
    assert result.text == expected
    if result.text != BIOMETRIC_REFUSAL:  # the change log reproduces the output
        assert apply_changes(text, result.changes) == result.text
    assert all(text[c["start"] : c["end"]] == c["original"] for c in result.changes)
    assert result.changed == (expected != text)


def test_changes_name_attribute_span_and_replacement():
    result = scrub("An older woman is sitting on a bench.")
    assert result.changes == [
        {"attribute": "gender", "original": "An", "replacement": "A", "start": 0, "end": 2},
        {"attribute": "age", "original": "older ", "replacement": "", "start": 3, "end": 9},
        {"attribute": "gender", "original": "woman", "replacement": "person", "start": 9,
         "end": 14},
    ]  # fmt: skip


def test_unknown_attribute_is_one_clear_error():
    from mmpriv_data.core.errors import MmprivError

    with pytest.raises(
        MmprivError, match="unknown attribute 'shoe_size'; known attributes: gender"
    ):
        scrub("A man.", attributes=["gender", "shoe_size"])


CORPUS = Path(__file__).parents[1] / "bench" / "data" / "scrub_corpus"
# Floors under the figures measured when these parts were last scored (bench/results/
# scrub_eval.md): a rule change that loses recall or changes unrelated words fails here.
# Every part was read after its blind score and tuned on (heldout8 in round 7: blind 94.1% with
# ec2b2fb, 99.3% after; heldout9 in round 8: blind 91.9% with the round-7 rules of 184a0d9,
# 96.0% after, and the round-8 tagger was trained on it), so these floors guard against
# regressions only; heldout10 in round 9 (blind 90.3% with the round-8 scrubber of eaff886, 91.5%
# after); heldout11 in round 10 (a fourth independent author, frozen in 48b00d8, blind 85.8%
# with the round-9 scrubber of 7debe2c, 91.9% after the round-10 rules); heldout12 in round 11
# (a fifth independent author, frozen in 36b8417, blind 84.0% with the round-10 scrubber of
# 4da6527, 87.3% after the round-11 rules of d1e49d3); heldout13 in round 12 (a sixth
# independent author, frozen in 50c9bb0, blind 86.1% with the round-11 scrubber of d1e49d3,
# 94.8% after the round-12 rules of 36d6fc0); heldout14 in round 13 (a seventh independent
# author, frozen in f5195ec, blind 84.7% with the round-12 scrubber of 36d6fc0, 88.9% after the
# round-13 rules of 737e1b8); heldout15 in round 14 (an eighth independent author, frozen in
# 6131f2a, blind 83.6% with the round-13 scrubber of 737e1b8, 88.0% after the round-14 rules of
# 3a9eced); heldout16 in round 15 (a ninth independent author, frozen in 9d42f85, blind 91.6%
# with the round-14 scrubber of 3a9eced, 94.3% after the round-15 rules of 81dd902); heldout17
# in round 16 (a tenth independent author, frozen in e5dac52, blind 89.7% with the round-15
# scrubber of 81dd902, 92.5% after the round-16 rules of 65c444c); heldout18 and heldout19 in
# round 17 (an eleventh and a twelfth independent author, frozen in cb75c66 and 39a4432, blind
# 89.1% and 88.8% with the round-16 scrubber of 76b617c, 92.6% and 89.6% after the round-17
# rules of 6c38b60); heldout20 in round 18 (a thirteenth independent author, frozen in b37734b,
# blind 88.3% with the round-17 scrubber of d545d10, 89.8% after the round-18 rules of c275345);
# heldout21 in round 19 (a fourteenth independent author, frozen in 42548f6, blind 86.9% with
# the round-18 scrubber of a7f2e95, 89.1% after the round-19 rules of 83320ea).
# heldout22 is the part no rule was tuned on (a fifteenth independent author, frozen in
# a5c2bb3, scored once, blind, with the round-19 scrubber of 4d96f85: 88.8%); its floors are its
# blind values rounded down.
RECALL_FLOORS = {
    "tuning": 0.995, "heldout": 0.995, "heldout2": 0.995, "heldout3": 0.995, "heldout4": 0.995,
    "heldout5": 0.995, "heldout6": 0.995, "heldout7": 0.99, "heldout8": 0.99, "heldout9": 0.95,
    "heldout10": 0.91, "heldout11": 0.91, "heldout12": 0.87, "heldout13": 0.94,
    "heldout14": 0.88, "heldout15": 0.88, "heldout16": 0.94, "heldout17": 0.92,
    "heldout18": 0.92, "heldout19": 0.89, "heldout20": 0.89, "heldout21": 0.89,
    "heldout22": 0.88,
}  # fmt: skip
# Per-attribute floors where a score is below 99% (rounded down): heldout8's after round 7,
# heldout9's after round 8, heldout10's after round 9, heldout11's after round 10, heldout12's
# after round 11, heldout13's after round 12, heldout14's after round 13, heldout15's after
# round 14, heldout16's after round 15, heldout17's after round 16, heldout18's and heldout19's
# after round 17, heldout20's after round 18, heldout21's after round 19, heldout22's blind
# values.
ATTRIBUTE_FLOORS = {
    "heldout8": {"gender": 0.99, "age": 0.99, "race": 0.99, "eye_color": 0.98,
                 "hair_color": 0.98, "build": 0.99},
    "heldout9": {"gender": 0.98, "age": 0.96, "race": 0.97, "eye_color": 0.90,
                 "hair_color": 0.95, "build": 0.88},
    "heldout10": {"gender": 0.99, "age": 0.91, "race": 0.87, "eye_color": 0.79,
                  "hair_color": 0.79, "build": 0.85},
    "heldout11": {"gender": 0.99, "age": 0.93, "race": 0.89, "eye_color": 0.80,
                  "hair_color": 0.83, "build": 0.88},
    "heldout12": {"gender": 0.98, "age": 0.82, "race": 0.88, "eye_color": 0.73,
                  "hair_color": 0.78, "build": 0.79},
    "heldout13": {"gender": 0.98, "age": 0.93, "race": 0.96, "eye_color": 0.92,
                  "hair_color": 0.94, "build": 0.88},
    "heldout14": {"gender": 0.97, "age": 0.84, "race": 0.87, "eye_color": 0.90,
                  "hair_color": 0.89, "build": 0.83},
    "heldout15": {"gender": 0.98, "age": 0.82, "race": 0.88, "eye_color": 0.77,
                  "hair_color": 0.84, "build": 0.83},
    "heldout16": {"gender": 0.99, "age": 0.93, "race": 0.90, "eye_color": 0.94,
                  "hair_color": 0.89, "build": 0.91},
    "heldout17": {"gender": 0.99, "age": 0.92, "race": 0.84, "eye_color": 0.89,
                  "hair_color": 0.87, "build": 0.90},
    "heldout18": {"gender": 0.98, "age": 0.90, "race": 0.90, "eye_color": 0.94,
                  "hair_color": 0.91, "build": 0.87},
    "heldout19": {"gender": 0.97, "age": 0.89, "race": 0.86, "eye_color": 0.88,
                  "hair_color": 0.86, "build": 0.83},
    "heldout20": {"gender": 0.98, "age": 0.87, "race": 0.81, "eye_color": 0.86,
                  "hair_color": 0.91, "build": 0.82},
    "heldout21": {"gender": 0.98, "age": 0.85, "race": 0.82, "eye_color": 0.86,
                  "hair_color": 0.87, "build": 0.84},
    "heldout22": {"gender": 0.97, "age": 0.80, "race": 0.78, "eye_color": 0.95,
                  "hair_color": 0.88, "build": 0.85},
}  # fmt: skip
# heldout8: its blind value (3839/3862), rounded down; heldout9: its value after round 8
# (4202/4251; blind 4271/4315): the estimated ages now go with their hedges ("maybe five"),
# which its labels count as unrelated words.
# heldout10: its value after round 9 (6602/6680; blind 6608/6687), rounded down; heldout11: its
# blind value (6782/6903), rounded down.
# heldout12: its value after round 11 (7599/7742; blind 7620/7770), rounded down; heldout13:
# its value after round 12 (3317/3379; blind 3323/3393), rounded down; heldout14: its value
# after round 13 (blind 4704/4823), rounded down; heldout15: its value after round 14
# (4369/4489 = 97.33%; blind 4397/4519), with 0.1 point of margin; heldout16: its value after
# round 15 (8468/8661; blind 8458/8661), rounded down; heldout17: its value after round 16
# (7758/7860 = 98.70%; blind 7775/7873), rounded down; heldout18 and heldout19: their values
# after round 17 (4616/4649 = 99.29%, blind 4680/4720; 5244/5366 = 97.73%, blind 5233/5366),
# rounded down; heldout20: its value after round 18 (5007/5104 = 98.10%, blind 5003/5120),
# rounded down; heldout21: its value after round 19 (6752/6894 = 97.94%, blind 6759/6911),
# rounded down; heldout22: its blind value (8459/8610 = 98.25%), rounded down.
UNRELATED_FLOORS = {
    "heldout8": 0.994, "heldout9": 0.988, "heldout10": 0.988, "heldout11": 0.982,
    "heldout12": 0.981, "heldout13": 0.981, "heldout14": 0.975,
    "heldout15": 0.972, "heldout16": 0.977, "heldout17": 0.987, "heldout18": 0.992,
    "heldout19": 0.977, "heldout20": 0.980, "heldout21": 0.979, "heldout22": 0.982,
}  # fmt: skip
# Hard negatives kept: 93% unless a part's blind value was lower (heldout11: 219/239;
# heldout12: 661/708 = 93.4% after round 11, blind 660/708; heldout13: 351/366 = 95.9% after
# round 12, blind 348/366; heldout14: 557/580 = 96.0% after round 13, blind 555/580;
# heldout15: 330/333 = 99.1%, blind; heldout16: 807/865 = 93.3% after round 15, blind 798/865;
# heldout17: 512/530 = 96.6%, blind and after round 16; heldout18: 365/386 = 94.6%, blind;
# heldout19: 165/176 = 93.75%, blind, 170/176 after round 17; heldout20: 205/214 = 95.8%,
# blind, 208/214 after round 18; heldout21: 216/228 = 94.7%, blind, 218/228 after round 19;
# heldout22: 317/334 = 94.9%, blind).
HARD_NEGATIVE_FLOORS = {"heldout11": 0.91}
# Held-out parts of the later rounds, each frozen first.
HELD_OUT_LATER = (
    "heldout4", "heldout5", "heldout6", "heldout7", "heldout8", "heldout9", "heldout10",
    "heldout11", "heldout12", "heldout13", "heldout14", "heldout15", "heldout16", "heldout17",
    "heldout18", "heldout19", "heldout20", "heldout21", "heldout22",
)  # fmt: skip
# Short texts of the frozen heldout7 that earlier parts already held word for word (written
# independently; found after heldout7 was scored, kept since the part is frozen; none was missed).
HELDOUT7_REPEATS = frozenset({
    "What is the skinny kid eating?", "Are the girls twins?", "What color is the man's beard?",
    "What color are the woman's eyes?", "Is the baby a boy or a girl?",
    "An Arabian horse with a gray coat is galloping.", "What is the muscular guy lifting?",
    "Where are the grandparents sitting?",  # heldout11:331 repeats tuning (independent author)
})  # fmt: skip


# Grammar problems the blind score of a part not tuned on found, kept as measured until the
# part is read and tuned on: heldout12:301 "Him? Six foot of pure muscle, ..." -> "Them? of
# pure muscle, ..." (a figure deleted at a sentence start, round 10). (heldout14:58's, "approx."
# left before a deleted age, was mended in round 13: the hedge goes with the age; heldout19's
# three, a catalogue number after "no." deleted as an age with its comma, in round 17.)
BLIND_GRAMMAR = frozenset({
    ("heldout12.txt:301", "lower-case sentence start"),
})  # fmt: skip


def _scrubbed(part: str):
    items = load_corpus(CORPUS / f"{part}.txt")
    results = [(r.text, r.changes) for r in map(scrub, (item.text for item in items))]
    return items, evaluate(items, results)


def test_the_independent_corpus_is_large_labelled_and_split_by_file():
    parts = {part: load_corpus(CORPUS / f"{part}.txt") for part in RECALL_FLOORS}
    assert sum(map(len, parts.values())) >= 1000
    texts = {part: {item.text for item in items} for part, items in parts.items()}
    assert not texts["tuning"] & (texts["heldout"] | texts["heldout2"] | texts["heldout3"])
    for part in HELD_OUT_LATER:  # no text of a later held-out part appears in any other part
        others = set().union(*(texts[other] for other in texts if other != part))
        assert not (texts[part] & others) - HELDOUT7_REPEATS, part
    kinds = {item.kind for items in parts.values() for item in items}
    assert kinds == {"detail", "answer", "question", "negative"}
    labels = {label for items in parts.values() for item in items for *_, label in item.spans}
    assert labels == set(ATTRIBUTES) | {"keep", "maybe"}


@pytest.mark.parametrize("part", list(RECALL_FLOORS))
def test_biometric_terms_go_and_unrelated_words_stay_on_the_independent_corpus(part):
    items, report = _scrubbed(part)
    summary = report.summary()
    assert summary["recall_all"] >= RECALL_FLOORS[part], dict(report.misses)
    floors = ATTRIBUTE_FLOORS.get(part, {})
    for attribute, row in summary["per_attribute"].items():
        assert row["recall"] >= floors.get(attribute, 0.9), (attribute, report.misses[attribute])
    assert summary["unrelated_kept"] >= UNRELATED_FLOORS.get(part, 0.99), report.wrongly_changed
    assert summary["hard_negatives_kept"] >= HARD_NEGATIVE_FLOORS.get(part, 0.93)
    # problems already in the input ("a orange ball", a typo kept in the frozen heldout4; chat
    # text written in lower case in heldout11, "lol the guy in the back ...") aside, by kind:
    # the quoted snippet changes with the scrubbed words
    in_input = BLIND_GRAMMAR | {
        (item.where, problem.partition(":")[0])
        for item in items
        for problem in grammar_problems(item.text)
    }  # fmt: skip
    assert [g for g in report.grammar if (g[0], g[1].partition(":")[0]) not in in_input] == []


def test_the_corpus_score_fails_a_scrubber_that_does_nothing_or_too_much():
    items = load_corpus(CORPUS / "heldout3.txt")
    nothing = evaluate(items, [(item.text, []) for item in items]).summary()
    assert nothing["recall_all"] == 0 and nothing["unrelated_kept"] == 1
    everything = [(BIOMETRIC_REFUSAL, [{"attribute": "gender", "original": item.text,
                   "replacement": BIOMETRIC_REFUSAL, "start": 0, "end": len(item.text)}])
                  for item in items]  # fmt: skip
    assert evaluate(items, everything).summary()["hard_negatives_kept"] == 0


def test_parse_line_reads_marks_and_rejects_unknown_attributes():
    item = parse_line("answer\tThe [old|age] man walks his {black} <dog>.")
    assert item.text == "The old man walks his black dog."
    assert [(item.text[a:b], label) for a, b, label in item.spans] == [
        ("old", "age"),
        ("black", "keep"),
        ("dog", "maybe"),
    ]
    with pytest.raises(ValueError, match="unknown attribute 'shoe'"):
        parse_line("answer\tA [big|shoe] man.")


def test_corpus_is_deterministic_per_item():
    assert caption_corpus(3, 5)[4] == caption_corpus(3, 50)[4]
    assert caption_corpus(3, 5) != caption_corpus(4, 5)
