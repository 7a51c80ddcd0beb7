"""`spy-instructions`: SPY-Bench-style personalized privacy instructions with exact answers.

>>> b = SpyInstructionsBuilder(config_name="bench", cache_dir="/tmp/c")  # doctest: +SKIP
>>> b.download_and_prepare(); ds = b.as_dataset(split="test")  # doctest: +SKIP
"""

from __future__ import annotations

import datasets

from mmpriv_data.definitions import spy_instructions as spy
from mmpriv_data.definitions.params import builder_config

_VERSION = datasets.Version("1.0.0")  # bump whenever the same seed would give other rows
SPLITS = {"bench": datasets.Split.TEST, "tune": datasets.Split.TRAIN, "pairs": datasets.Split.TRAIN}


SpyInstructionsConfig = builder_config(spy.Params, "SpyInstructionsConfig", __name__)


class SpyInstructionsBuilder(datasets.GeneratorBasedBuilder):
    VERSION = _VERSION
    BUILDER_CONFIG_CLASS = SpyInstructionsConfig
    BUILDER_CONFIGS = [SpyInstructionsConfig(name=name, version=_VERSION) for name in spy.CONFIGS]
    DEFAULT_CONFIG_NAME = "bench"

    @classmethod
    def card_context(cls, **params) -> dict:
        from mmpriv_data.content.identities import NEVER_REAL_RULES
        from mmpriv_data.content.spy import prompts, taxonomy

        return {
            "never_real_rules": NEVER_REAL_RULES,
            "items": prompts.ITEMS,
            "categories": taxonomy.CATEGORIES,
            "chosen": spy.parse_categories(params["categories"]),
            "scenarios": taxonomy.SCENARIOS,
            "absolute": taxonomy.ABSOLUTE_PRIVACY,
            "refusal": taxonomy.REFUSAL_TEXT,
        }

    def _info(self) -> datasets.DatasetInfo:
        return datasets.DatasetInfo(
            description="Personalized privacy instructions over rendered private content.",
            features=spy.features(self.config.name),
        )

    def _split_generators(self, dl_manager):
        cfg = self.config
        per_category = (
            cfg.items_per_category if cfg.name == "bench" else cfg.tune_items_per_category
        )
        # One unit per item: a unit's rows depend only on its keys, never on the worker.
        units = [
            (category, number)
            for category in spy.parse_categories(cfg.categories)
            for number in range(per_category)
        ]
        return [datasets.SplitGenerator(name=SPLITS[cfg.name], gen_kwargs={"units": units})]

    def _generate_examples(self, units):
        cfg = self.config
        for category, number in units:
            for row in spy.item_rows(cfg.seed, cfg.name, category, number):
                yield row["id"], row
