"""`augmented`: text- and image-augmented copies of an images+messages dataset (ProbingPrivacy).

>>> b = AugmentedBuilder(config_name="image", source="out/privacy-images")  # doctest: +SKIP
>>> b.download_and_prepare(); ds = b.as_dataset(split="train")  # doctest: +SKIP
"""

from __future__ import annotations

import datasets

from mmpriv_data.definitions import augmented
from mmpriv_data.definitions.params import builder_config
from mmpriv_data.transforms import augment

_VERSION = datasets.Version("1.2.0")  # bump whenever the same seed would give other rows
WORK_UNIT = 32  # items per generation unit; units, not processes, fix what each stream sees


AugmentedConfig = builder_config(augmented.Params, "AugmentedConfig", __name__)


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
            features=augmented.features(self.config.params),
        )

    def _split_generators(self, dl_manager):
        count = augmented.num_items(self.config.params)
        units = [list(range(i, min(i + WORK_UNIT, count))) for i in range(0, count, WORK_UNIT)]
        split = self.config.split if self.config.source else "train"
        return [datasets.SplitGenerator(name=split, gen_kwargs={"units": units})]

    def _generate_examples(self, units):
        plan = self.config.params
        for unit in units:
            for index in unit:
                row = augmented.augmented_row(plan, self.config.name, index)
                yield index, row
