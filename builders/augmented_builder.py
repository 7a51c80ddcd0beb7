"""`augmented`: text- and image-augmented copies of an images+messages dataset (ProbingPrivacy).

>>> b = AugmentedBuilder(config_name="image", source="out/privacy-images")  # doctest: +SKIP
>>> b.download_and_prepare(); ds = b.as_dataset(split="train")  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import datasets

from mmpriv_data.definitions import augmented
from mmpriv_data.transforms import augment

_VERSION = datasets.Version("1.1.0")  # bump whenever the same seed would give other rows
WORK_UNIT = 32  # items per generation unit; units, not processes, fix what each stream sees


@dataclass
class AugmentedConfig(datasets.BuilderConfig):
    """Generation parameters (settable with `--set key=value`)."""

    seed: int = 0
    source: str = ""
    config: str = "rate_50"
    split: str = "train"
    preset: str = "probing_privacy"
    text_model: str = ""
    num_images: int = 200

    def __post_init__(self):
        super().__post_init__()
        if self.preset not in augment.PRESETS:
            raise ValueError(f"preset={self.preset!r}: one of {', '.join(augment.PRESETS)}")
        if not self.source and not self.config.startswith("rate_"):
            raise ValueError(f"config={self.config!r}: without a source, one of rate_0..rate_100")
        if self.text_model and not (Path(self.text_model) / "config.json").is_file():
            raise ValueError(
                f"text_model={self.text_model}: not a local model folder (no config.json)"
            )
        if self.num_images < 1:
            raise ValueError(f"num_images must be >= 1, got {self.num_images}")

    def plan(self) -> augmented.AugmentPlan:
        return augmented.AugmentPlan(
            seed=self.seed,
            source=self.source,
            config=self.config,
            split=self.split,
            preset=self.preset,
            text_model=self.text_model,
            num_images=self.num_images,
        )


class AugmentedBuilder(datasets.GeneratorBasedBuilder):
    VERSION = _VERSION
    BUILDER_CONFIG_CLASS = AugmentedConfig
    BUILDER_CONFIGS = [AugmentedConfig(name=name, version=_VERSION) for name in augmented.CONFIGS]
    DEFAULT_CONFIG_NAME = "image"

    @classmethod
    def card_context(cls, **params) -> dict:
        preset = augment.PRESETS[params["preset"]]
        return {"params": params, "preset": preset, "presets": augment.PRESETS}

    def _info(self) -> datasets.DatasetInfo:
        return datasets.DatasetInfo(
            description="Text- and image-augmented copies of an images+messages dataset.",
            features=augmented.features(self.config.plan()),
        )

    def _split_generators(self, dl_manager):
        count = augmented.num_items(self.config.plan())
        units = [list(range(i, min(i + WORK_UNIT, count))) for i in range(0, count, WORK_UNIT)]
        split = self.config.split if self.config.source else "train"
        return [datasets.SplitGenerator(name=split, gen_kwargs={"units": units})]

    def _generate_examples(self, units):
        plan = self.config.plan()
        for unit in units:
            for index in unit:
                row = augmented.augmented_row(plan, self.config.name, index)
                yield index, row
