"""`privacy-images`: user records embedded into VQA images at chosen rates (ProbingPrivacy).

>>> b = PrivacyImagesBuilder(config_name="rate_50", num_images=20)  # doctest: +SKIP
>>> b.download_and_prepare(); ds = b.as_dataset(split="train")  # doctest: +SKIP
"""

from __future__ import annotations

import datasets

from mmpriv_data.definitions import privacy_images
from mmpriv_data.definitions.params import builder_config

_VERSION = datasets.Version("1.0.0")  # bump whenever the same seed would give other rows
WORK_UNIT = 32  # items per generation unit; units, not processes, fix what each stream sees


PrivacyImagesConfig = builder_config(privacy_images.Params, "PrivacyImagesConfig", __name__)


class PrivacyImagesBuilder(datasets.GeneratorBasedBuilder):
    VERSION = _VERSION
    BUILDER_CONFIG_CLASS = PrivacyImagesConfig
    BUILDER_CONFIGS = [
        PrivacyImagesConfig(name=name, version=_VERSION) for name in privacy_images.CONFIGS
    ]
    DEFAULT_CONFIG_NAME = "rate_50"

    @classmethod
    def card_context(cls, **params) -> dict:
        from mmpriv_data.content.identities import NEVER_REAL_RULES

        text_only = privacy_images.text_only_count(privacy_images.Params(**params))
        kept = f"; {text_only} text-only entries kept as they are (no image, embedded=False)"
        notes = {
            f"rate_{r}": f"train split, {r}% of the images embedded with U1"
            + (kept if text_only else "")
            for r in privacy_images.RATES
        }
        notes["probe"] = "test split, held-out images, every one embedded: half U1, half U2"
        summary = [f"{text_only} text-only source entries kept in every rate_R config"]
        return {
            "config_notes": notes,
            "never_real_rules": NEVER_REAL_RULES,
            "params": params,
            "summary": summary if params.get("source") else [],
        }

    def _info(self) -> datasets.DatasetInfo:
        return datasets.DatasetInfo(
            description="VQA images with task-irrelevant private text embedded (ProbingPrivacy).",
            features=privacy_images.features(),
        )

    def _split_generators(self, dl_manager):
        plan = self.config.params
        units = privacy_images.config_units(plan, self.config.name, WORK_UNIT)
        split = datasets.Split.TEST if self.config.name == "probe" else datasets.Split.TRAIN
        return [datasets.SplitGenerator(name=split, gen_kwargs={"units": units})]

    def _generate_examples(self, units):
        plan = self.config.params
        for unit in units:
            for item_id, probe_set in privacy_images.unit_items(plan, self.config.name, unit):
                row = privacy_images.make_row(plan, self.config.name, item_id, probe_set)
                if row is not None:
                    yield item_id, row
