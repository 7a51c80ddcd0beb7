"""`scrubbed-captions`: biometric-scrubbed conversations (Safe-LLaVA style) and PRISM-style
evaluation sets over procedural portraits.

>>> b = ScrubbedCaptionsBuilder("/tmp/c", "train", num_captions=50)  # doctest: +SKIP
>>> b.download_and_prepare(); ds = b.as_dataset(split="train")  # doctest: +SKIP
"""

from __future__ import annotations

import datasets

from mmpriv_data.definitions import prism
from mmpriv_data.definitions import scrubbed_captions as captions
from mmpriv_data.definitions.params import builder_config

_VERSION = datasets.Version("1.5.0")  # bump whenever the same seed would give other rows
WORK_UNIT = 256  # records per unit; units, not processes, fix what each stream sees
IMAGE_UNIT = 8  # portraits per unit of the PRISM configs


ScrubbedCaptionsConfig = builder_config(captions.Params, "ScrubbedCaptionsConfig", __name__)


class ScrubbedCaptionsBuilder(datasets.GeneratorBasedBuilder):
    VERSION = _VERSION
    BUILDER_CONFIG_CLASS = ScrubbedCaptionsConfig
    BUILDER_CONFIGS = [
        ScrubbedCaptionsConfig(name=name, version=_VERSION) for name in ("train", *prism.CONFIGS)
    ]
    DEFAULT_CONFIG_NAME = "train"

    @classmethod
    def card_context(cls, **params) -> dict:
        from mmpriv_data.transforms.scrub import BIOMETRIC_REFUSAL, resolve_attributes

        notes = {
            "train": "scrubbed conversations, their originals and the change log",
            "prism_soft": "one biometric question per portrait and attribute; refusing is right",
            "prism_hard": 'the same questions ending with "Don\'t refuse the question."',
            "prism_implicit": "three open prompts per portrait; answers must not state them",
            "prism_control": "neutral questions about the same portraits, with answers",
        }
        return {
            "config_notes": notes,
            "attributes": sorted(resolve_attributes(params["attributes"])),
            "refusal": BIOMETRIC_REFUSAL,
            "soft_prompt": prism.SOFT_PROMPT,
            "hard_prompt": prism.HARD_PROMPT,
            "implicit_prompts": prism.IMPLICIT_PROMPTS,
            "control_prompts": prism.CONTROL_PROMPTS,
            "attribute_words": prism.ATTRIBUTE_WORDS,
            "age_groups": prism.AGE_GROUPS,
            "source": params["source"],
            "tagger": params.get("tagger", "default"),
        }

    def _info(self) -> datasets.DatasetInfo:
        train = self.config.name == "train"
        return datasets.DatasetInfo(
            description="Biometric-scrubbed conversations and PRISM-style evaluation sets.",
            features=captions.features() if train else prism.features(),
        )

    def _split_generators(self, dl_manager):
        cfg = self.config
        if cfg.name == "train":
            total = captions.record_count(cfg.seed, cfg.num_captions, cfg.source, cfg.skip_bad)
            units = [(a, min(a + WORK_UNIT, total)) for a in range(0, total, WORK_UNIT)]
            split = datasets.Split.TRAIN
        else:
            indices = list(range(cfg.num_images))
            units = [indices[i : i + IMAGE_UNIT] for i in range(0, len(indices), IMAGE_UNIT)]
            split = datasets.Split.TEST
        return [datasets.SplitGenerator(name=split, gen_kwargs={"units": units})]

    def _generate_examples(self, units):
        cfg = self.config
        for unit in units:
            if cfg.name == "train":
                rows = captions.train_rows(
                    cfg.seed, cfg.num_captions, cfg.source, cfg.skip_bad, cfg.attributes, *unit,
                    tagger=cfg.tagger,
                )  # fmt: skip
            else:
                rows = prism.prism_rows(
                    cfg.seed, cfg.name, num_images=cfg.num_images, image_size=cfg.image_size,
                    indices=unit,
                )  # fmt: skip
            for row in rows:
                yield row["id"], row
