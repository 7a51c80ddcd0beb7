"""Issue 14, part 5: every dataset mmpriv builds can be passed to `train lora`, on any split.

Each dataset's training rows go through the same reading and batching as `train lora`; two
real runs cover the README's cases: Safe-LLaVA's text-only finetune on scrubbed captions, and
the MIA target trained on the `member` split of mia-neighbors.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmpriv_data.cli.app import main
from mmpriv_data.hub.build import build
from tests.fixtures_models import tiny_llava  # noqa: F401  (a fixture, used by name)

# dataset -> (small settings, the config it trains on, the spec `train lora --data` gets)
DATASETS = {
    "profiles": ({"num_profiles": "8", "image_size": "64"}, "full", "{dir}:full"),
    "privacy-images": ({"num_images": "4", "num_probe": "24", "width": "128", "height": "128"},
                       "rate_50", "{dir}:rate_50"),
    "augmented": ({"num_images": "4"}, "text_image", "{dir}:text_image"),
    "scrubbed-captions": ({"num_captions": "12", "num_images": "2", "image_size": "64"},
                          "train", "{dir}:train"),
    "mia-neighbors": ({"num_samples": "12", "neighbors": "2", "image_size": "64"},
                      "samples", "{dir}:samples:member"),
    "spy-instructions": ({"categories": "a30", "items_per_category": "1",
                          "tune_items_per_category": "1"}, "tune", "{dir}:tune"),
}  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("every-dataset")
    folders = {}
    for name, (settings, config, _) in DATASETS.items():
        folders[name] = build(name, out, settings=settings, configs=[config]).folder
    return folders


@pytest.mark.parametrize("name", DATASETS)
def test_every_dataset_gives_training_batches(name, built, tiny_llava):  # noqa: F811
    from transformers import AutoProcessor

    from trainers.data import ChatCollator, load_rows, training_examples

    spec = DATASETS[name][2].format(dir=built[name])
    examples = training_examples(load_rows(spec))
    assert examples, f"{spec}: no rows"
    batch = ChatCollator(AutoProcessor.from_pretrained(tiny_llava))(examples[:2])
    assert (batch["labels"] != -100).any()  # the loss sees assistant tokens
    if name == "scrubbed-captions":  # text-only rows: no image inputs at all
        assert all(not e["images"] for e in examples) and "pixel_values" not in batch


def run(*argv) -> int:
    try:
        main([str(a) for a in argv])
    except SystemExit as exit_:
        return exit_.code or 0
    return 0


@pytest.mark.parametrize(
    ("name", "split_options"),
    [("scrubbed-captions", []), ("mia-neighbors", ["--config", "samples", "--split", "member"])],
)
def test_train_lora_runs_on_text_only_rows_and_on_a_named_split(
    name,
    split_options,
    built,
    tiny_llava,  # noqa: F811
    tmp_path,
):
    from accelerate.state import AcceleratorState

    AcceleratorState._reset_state(True)  # an earlier test in this process may have set bf16
    data = str(built[name]) if split_options else f"{built[name]}:train"
    argv = ["train", "lora", "--model", tiny_llava, "--data", data, *split_options,
            "--out", tmp_path / "run", "--full-finetune", "--lr", "1e-3", "--epochs", "1",
            "--batch-size", "4", "--quiet"]  # fmt: skip
    assert run(*argv) == 0
    summary = json.loads((tmp_path / "run" / "train_summary.json").read_text())
    if name == "mia-neighbors":  # only the members: half of the samples
        assert summary["examples"] == 6
    assert summary["batches"] >= 1 and summary["last_loss"] is not None
