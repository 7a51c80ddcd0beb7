"""bench/spy_preference.py (issue 16, item 2): merging per-process results, the seeded init
drawn from a weightless skeleton, and imports that work without datasets/Faker/nlpaug."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.spy_preference import KEYS, merge_runs, summarise  # noqa: E402


def summary(value: float) -> dict:
    return {key: {"score": value, "n": 100, "ci": [0, 100]} for key in KEYS}


def result_file(seed: int, lr: float, scores: dict, with_stages: bool) -> dict:
    out = {"seed": seed, "lr": lr, "settings": {}}
    if with_stages:
        out |= {"init": {"summary": summary(1.0)}, "start": {"summary": summary(10.0 + seed)}}
    return out | {method: {"summary": summary(value)} for method, value in scores.items()}


def test_merge_keeps_each_stage_once_and_pairs_by_seed():
    files = []
    for seed, (dpo, nca_p) in enumerate([(20.0, 30.0), (22.0, 26.0), (24.0, 31.0)]):
        # the start file of a seed, then one file per method and lr reusing that start
        files.append(result_file(seed, 1e-4, {}, with_stages=True))
        files.append(result_file(seed, 1e-4, {"dpo": dpo}, with_stages=False))
        files.append(result_file(seed, 1e-4, {"nca_p": nca_p}, with_stages=False))
        files.append(result_file(seed, 1e-5, {"dpo": 0.0, "nca_p": 0.0}, with_stages=True))
    records = merge_runs(files)
    assert sum(r["method"] == "start" for r in records) == 3  # not 6: stages have no lr
    assert {(r["method"], r["lr"]) for r in records if r["seed"] == 0} == {
        ("init", None), ("start", None), ("dpo", 1e-4), ("nca_p", 1e-4),
        ("dpo", 1e-5), ("nca_p", 1e-5),
    }  # fmt: skip
    means, paired = summarise(records, 1e-4)
    assert means["dpo"]["ata"]["mean"] == pytest.approx(22.0)
    assert means["start"]["seeds"] == [0, 1, 2]
    diff = paired["nca_p - dpo"]["ata"]
    assert diff["per_seed"] == [10.0, 4.0, 7.0]
    # paired t interval: mean 7, sd 3, t(0.975, 2) = 4.303 -> half-width 7.453
    assert diff["ci"] == pytest.approx([7.0 - 7.453, 7.0 + 7.453], abs=1e-3)
    assert paired["dpo - start"]["ata"]["per_seed"] == [10.0, 11.0, 12.0]  # start: 10 + seed
    means_low, _ = summarise(records, 1e-5)  # the other lr is kept apart
    assert means_low["nca_p"]["ata"]["mean"] == 0.0


def test_init_model_is_seeded_and_loads_with_its_processor(tmp_path):
    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor

    from bench.spy_preference import init_model
    from trainers.tiny_model import build_tiny_model

    skeleton = build_tiny_model("llava", "tiny", tmp_path / "model", texts=["a b c"] * 20)
    for weights in skeleton.glob("model*.safetensors*"):
        weights.unlink()
    paths = [init_model(skeleton, tmp_path / f"m{i}", seed) for i, seed in enumerate((0, 0, 1))]
    weights = [
        torch.nn.utils.parameters_to_vector(
            AutoModelForImageTextToText.from_pretrained(p).parameters()
        )
        for p in paths
    ]
    assert torch.equal(weights[0], weights[1])  # same seed, same init
    assert not torch.equal(weights[0], weights[2])
    model = AutoModelForImageTextToText.from_pretrained(paths[2])
    processor = AutoProcessor.from_pretrained(paths[2])
    assert model.generation_config.pad_token_id == processor.tokenizer.pad_token_id


def test_run_imports_without_datasets_faker_nlpaug():
    """The GPU image lacks these three: `run` and all it imports must not need them."""
    code = (
        "import sys\n"
        "for name in ('datasets', 'faker', 'nlpaug'): sys.modules[name] = None\n"
        "import bench.spy_preference as spy_bench\n"
        "import trainers.preference, trainers.data, evaluators.spy_run, evaluators.spy\n"
        "import mmpriv_data.core.models, bench.unlearning_metrics\n"
        "print(spy_bench.METHODS)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "nca_p" in done.stdout
