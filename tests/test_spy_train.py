"""spy-instructions end to end: build, preference-train a tiny model, evaluate through the CLI."""

from __future__ import annotations

import json
import math

import pytest

from mmpriv_data.cli.app import main
from tests.fixtures_models import tiny_llava  # noqa: F401  (a fixture, used by name)


def _run(argv: list[str]) -> int:
    try:
        main(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


@pytest.fixture(scope="module")
def spy_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("spy")
    argv = ["build", "spy-instructions", "--out", str(out), "--set", "categories=a30,a49,a31",
            "--set", "items_per_category=1", "--set", "tune_items_per_category=1"]  # fmt: skip
    assert _run(argv) == 0
    return out / "spy-instructions"


def test_build_writes_three_configs_with_exact_answers(spy_dir):
    from datasets import load_dataset

    bench = load_dataset(str(spy_dir), "bench", split="test")
    # a30 and a49 have a conflict scenario (5 rows), a31 too: 3 items x 5 rows.
    assert len(bench) == 15 and len(set(bench["id"])) == 15
    assert set(bench["expected"]) == {"respond", "reject"}
    passport = bench.filter(lambda r: r["category"] == "a31_passport")
    assert set(passport["expected"]) == {"reject"}
    pairs = load_dataset(str(spy_dir), "pairs", split="train")
    assert len(pairs) == 9 and {"prompt_0", "chosen_1", "rejected_1"} <= set(pairs.column_names)
    assert "SPY-Bench" in (spy_dir / "README.md").read_text()


def test_bad_category_is_one_clear_line(tmp_path, capsys):
    argv = ["build", "spy-instructions", "--out", str(tmp_path), "--set", "categories=a16"]
    assert _run(argv) == 2
    assert "a16" in capsys.readouterr().err


@pytest.mark.parametrize("method,start", [("dpo", math.log(2)), ("nca_p", 4 * math.log(2))])
def test_preference_step(spy_dir, tiny_llava, tmp_path, method, start):  # noqa: F811
    """A few steps run, start from the textbook loss, and lower it."""
    from trainers.data import load_rows
    from trainers.preference import train_preference

    rows = load_rows(str(spy_dir), "pairs", split="train").select(range(2))
    # One batch holds every example, so each step sees the same pairs and must lower its loss.
    result = train_preference(
        tiny_llava, rows, tmp_path / method, method=method, lr=5e-3, max_steps=3, batch_size=4
    )
    # Policy == frozen reference at step 0: every reward is 0, the loss its textbook value.
    assert result["losses"][0] == pytest.approx(start, abs=1e-5)
    assert result["losses"][-1] < result["losses"][0] - 1e-4
    assert (tmp_path / method / "config.json").exists()


def test_eval_spy_cli_writes_scores(spy_dir, tiny_llava, tmp_path):  # noqa: F811
    out = tmp_path / "spy.json"
    argv = ["eval", "spy", "--model", str(tiny_llava), "--data", str(spy_dir),
            "--max-new-tokens", "8", "--out", str(out)]  # fmt: skip
    assert _run(argv) == 0
    report = json.loads(out.read_text())
    assert report["overall"]["rows"] == 15 and len(report["records"]) == 15
    assert set(report["by_category"]) == {"a30_credit_card", "a31_passport", "a49_phone"}
    assert report["overall"]["accuracy"]["all"] == 6  # rows without a scenario
    # The untrained model's replies are scored as the judge scores them, row by row.
    from evaluators.spy import judge

    for record in report["records"]:
        verdict = judge(record["reply"], record["answer"], record["answer_kind"],
                        record["answer_aliases"])  # fmt: skip
        assert record["label"] == verdict["label"] and record["leak"] == verdict["leak"]


def _spy_report(spy_dir, tmp_path, monkeypatch, reply) -> dict:
    """`mmpriv eval spy` with a stand-in model that replies `reply(row)` to every row."""
    import mmpriv_data.cli.eval_spy as eval_spy

    monkeypatch.setattr(
        eval_spy, "generate_replies", lambda model, rows, **_: [reply(r) for r in rows]
    )
    out = tmp_path / "spy.json"
    argv = ["eval", "spy", "--model", "stand-in", "--data", str(spy_dir), "--out", str(out)]
    assert _run(argv) == 0
    return json.loads(out.read_text())


REFUSAL = "I'm sorry, I can't share that."


def test_a_model_that_follows_every_instruction_scores_100(spy_dir, tmp_path, monkeypatch):
    def ideal(row):
        return REFUSAL if row["expected"] == "reject" else f"Sure: {row['answer']}."

    report = _spy_report(spy_dir, tmp_path, monkeypatch, ideal)
    assert [r["label"] for r in report["records"]] == [r["expected"] for r in report["records"]]
    overall = report["overall"]
    for metric in ("accuracy", "rta", "ata", "exact_answer_rate"):
        assert overall[metric]["score"] == 100.0, metric
    assert overall["leak_rate"]["score"] == 0.0
    assert overall["privacy_score"] == 100.0


def test_a_model_that_refuses_everything_gets_no_answer_credit(spy_dir, tmp_path, monkeypatch):
    report = _spy_report(spy_dir, tmp_path, monkeypatch, lambda row: REFUSAL)
    assert {r["label"] for r in report["records"]} == {"reject"}
    overall = report["overall"]
    assert overall["rta"]["score"] == 100.0 and overall["exact_answer_rate"]["score"] == 0.0
    # Only the rows that must be refused count as right (conflicts on absolute categories, such
    # as the passport, are among them).
    for metric, rows in (("accuracy", -1), ("ata", 0)):
        judged = [r for r in report["records"] if r["scenario_privacy"] == rows]
        if metric == "ata":
            judged = [r for r in judged if r["private"]]
        want_reject = sum(r["expected"] == "reject" or r["absolute"] for r in judged)
        assert overall[metric]["score"] == pytest.approx(100 * want_reject / len(judged))
        assert overall[metric]["score"] < 100
