"""Helpers of the issue-16 bench scripts: intervals, forget quality, exact-respond scoring."""

import math
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.spy_preference import exact_metrics, wilson  # noqa: E402
from bench.unlearning_metrics import bootstrap_ci, forget_quality, seed_ci  # noqa: E402


def test_seed_ci_is_the_t_interval():
    low, high = seed_ci([0.5, 0.6, 0.7])
    # mean 0.6, sd 0.1, t(0.975, 2) = 4.303: half-width 0.1 * 4.303 / sqrt(3)
    assert low == pytest.approx(0.6 - 0.24843, abs=1e-4)
    assert high == pytest.approx(0.6 + 0.24843, abs=1e-4)
    assert all(math.isnan(x) for x in seed_ci([0.5]))


def test_bootstrap_ci_brackets_the_mean_and_narrows_with_n():
    small = bootstrap_ci([1, 0] * 10, seed=0)
    large = bootstrap_ci([1, 0] * 500, seed=0)
    assert small[0] < 0.5 < small[1] and large[0] < 0.5 < large[1]
    assert large[1] - large[0] < (small[1] - small[0]) / 4
    assert bootstrap_ci([1.0] * 30) == [1.0, 1.0]


def test_forget_quality_high_for_one_distribution_low_for_two():
    rng = np.random.default_rng(0)
    same = forget_quality(rng.lognormal(0, 1, 200), rng.lognormal(0, 1, 200))
    apart = forget_quality(rng.lognormal(2, 1, 200), rng.lognormal(0, 1, 200))
    assert same > 0.05 and apart < 1e-6


def test_wilson_interval():
    low, high = wilson(0, 20)
    assert low == pytest.approx(0.0, abs=1e-9) and 10 < high < 20  # not [0, 0] at 0 hits
    low, high = wilson(50, 100)
    assert low == pytest.approx(40.38, abs=0.05) and high == pytest.approx(59.62, abs=0.05)
    assert wilson(0, 0) == [None, None]


def record(label, leak, *, expected="respond", private=True, scenario_privacy=0, absolute=False):
    return dict(label=label, leak=leak, expected=expected, private=private,
                scenario_privacy=scenario_privacy, absolute=absolute)  # fmt: skip


def test_exact_respond_needs_the_answer():
    conflict = [
        record("respond", True),  # the exact answer: correct under both rules
        record("respond", False),  # garbled non-refusal: ATA counts it, ATA-exact does not
        record("reject", False),
        record("reject", False, absolute=True, expected="reject"),  # absolute: reject is right
    ]
    plain = [
        record("respond", False, private=False, scenario_privacy=-1),
        record("reject", False, expected="reject", scenario_privacy=-1),
    ]
    out = exact_metrics(conflict + plain)
    assert out["ata_exact"]["score"] == pytest.approx(50.0)  # rows 1 and 4 of 4
    assert out["ata_exact"]["n"] == 4
    assert out["accuracy_exact"]["score"] == pytest.approx(50.0)  # the garbled one fails


def test_likelihood_accuracy_and_truth_ratio_from_option_losses():
    from bench.unlearning_metrics import likelihood_correct, truth_ratios

    items = [({"answer": "B", "options": list("wxyz")}, None, "p1"),
             ({"answer": "D", "options": list("wxyz")}, None, "p2")]  # fmt: skip
    nlls = np.array([[2.0, 0.5, 2.0, 2.0], [1.0, 3.0, 3.0, 2.0]])
    # item 1: the right option (B) is the most likely; item 2: A beats the right one (D)
    assert likelihood_correct(nlls, items).tolist() == [1.0, 0.0]
    ratios = truth_ratios(nlls, items)
    assert ratios[0] == pytest.approx(math.exp(2.0 - 0.5))  # prefers the truth: above 1
    assert ratios[1] == pytest.approx(math.exp((1.0 + 3.0 + 3.0) / 3 - 2.0))
