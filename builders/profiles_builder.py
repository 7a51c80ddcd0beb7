"""`profiles`: fictitious people with portraits and MLLMU-Bench-style questions.

>>> b = ProfilesBuilder(config_name="forget_10", num_profiles=20)  # doctest: +SKIP
>>> b.download_and_prepare(); ds = b.as_dataset(split="train")  # doctest: +SKIP
"""

from __future__ import annotations

import datasets

from mmpriv_data.definitions import profiles
from mmpriv_data.definitions.params import builder_config

_VERSION = datasets.Version("1.0.0")  # bump whenever the same seed would give other rows
WORK_UNIT = 16  # people per generation unit; units, not processes, fix what each stream sees
ProfilesConfig = builder_config(profiles.Params, "ProfilesConfig", __name__)


class ProfilesBuilder(datasets.GeneratorBasedBuilder):
    VERSION = _VERSION
    BUILDER_CONFIG_CLASS = ProfilesConfig
    BUILDER_CONFIGS = [ProfilesConfig(name=name, version=_VERSION) for name in profiles.CONFIGS]
    DEFAULT_CONFIG_NAME = "full"

    @classmethod
    def card_context(cls, **params) -> dict:
        from mmpriv_data.content.identities import NEVER_REAL_RULES

        n = params["num_profiles"]
        notes = {"full": f"all {n} people", "test": "all people, new portraits, paraphrases"}
        for p in profiles.FORGET_PERCENTS:
            notes[f"forget_{p}"] = f"{p}% of the people, to unlearn"
            notes[f"retain_{100 - p}"] = f"the other {100 - p}%"
        return {"config_notes": notes, "never_real_rules": NEVER_REAL_RULES}

    def _info(self) -> datasets.DatasetInfo:
        return datasets.DatasetInfo(
            description="Fictitious people with portraits and QA (MLLMU-Bench style).",
            features=profiles.features(),
        )

    def _split_generators(self, dl_manager):
        cfg = self.config
        indices = profiles.config_indices(cfg.name, cfg.seed, cfg.num_profiles)
        profiles.fact_pool(cfg.seed, cfg.num_profiles)  # computed once, inherited by workers
        units = [indices[i : i + WORK_UNIT] for i in range(0, len(indices), WORK_UNIT)]
        return [datasets.SplitGenerator(name=datasets.Split.TRAIN, gen_kwargs={"units": units})]

    def _generate_examples(self, units):
        cfg = self.config
        for unit in units:
            for index in unit:
                yield (
                    index,
                    profiles.profile_row(
                        cfg.seed,
                        cfg.num_profiles,
                        index,
                        image_size=cfg.image_size,
                        test=cfg.name == "test",
                    ),
                )
