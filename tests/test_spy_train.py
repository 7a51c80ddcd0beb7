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
    assert {r["label"] for r in report["records"]} <= {"respond", "reject"}
    assert report["overall"]["accuracy"]["all"] == 6
