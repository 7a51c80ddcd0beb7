"""`privacy-images`: user records embedded into VQA images at chosen rates (ProbingPrivacy).

>>> b = PrivacyImagesBuilder(config_name="rate_50", num_images=20)  # doctest: +SKIP
>>> b.download_and_prepare(); ds = b.as_dataset(split="train")  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass

import datasets

from mmpriv_data.content.identities import USER_FIELDS
from mmpriv_data.core.errors import MmprivError
from mmpriv_data.definitions import privacy_images
from mmpriv_data.transforms import embedding

_VERSION = datasets.Version("1.0.0")  # bump whenever the same seed would give other rows
WORK_UNIT = 32  # items per generation unit; units, not processes, fix what each stream sees


@dataclass
class PrivacyImagesConfig(datasets.BuilderConfig):
    """Generation parameters (settable with `--set key=value`)."""

    seed: int = 0
    num_images: int = 1000
    num_probe: int = 200
    width: int = 640
    height: int = 480
    users_per_set: int = 20
    fields: str = ",".join(USER_FIELDS)
    font_size: int = 0
    color: str = "#FFFFFF"
    opacity: float = 0.5
    position: str = "random"
    box: str = ""
    rotation: float = 0.0
    source: str = ""
    source_config: str = ""
    source_split: str = "train"
    image_folder: str = ""
    probe_fraction: float = 0.2
    skip_bad: bool = False

    def __post_init__(self):
        super().__post_init__()
        if self.num_images < 1 or self.num_probe < 2:
            raise ValueError("num_images must be >= 1 and num_probe >= 2")
        if not (64 <= self.width <= 4096 and 64 <= self.height <= 4096):
            raise ValueError(
                f"width and height must be within 64..4096, got {self.width}x{self.height}"
            )
        if not 2 <= self.users_per_set <= 10_000:
            raise ValueError(f"users_per_set must be within 2..10000, got {self.users_per_set}")
        if not 0 < self.probe_fraction < 1:
            raise ValueError(f"probe_fraction must be in (0, 1), got {self.probe_fraction}")
        self.plan()  # checks the style options now, with one clear line

    def plan(self) -> privacy_images.Plan:
        try:
            style = embedding.EmbedStyle(
                fields=privacy_images.parse_fields(self.fields),
                font_size=self.font_size,
                color=self.color,
                opacity=self.opacity,
                position=self.position,
                box=self.box,
                rotation=self.rotation,
            )
        except MmprivError as error:
            raise ValueError(str(error)) from None
        return privacy_images.Plan(
            seed=self.seed,
            num_images=self.num_images,
            num_probe=self.num_probe,
            width=self.width,
            height=self.height,
            users_per_set=self.users_per_set,
            style=style,
            source=self.source,
            source_config=self.source_config,
            source_split=self.source_split,
            image_folder=self.image_folder,
            probe_fraction=self.probe_fraction,
            skip_bad=self.skip_bad,
        )


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

        notes = {
            f"rate_{r}": f"train split, {r}% of the images embedded with U1"
            for r in privacy_images.RATES
        }
        notes["probe"] = "test split, held-out images, every one embedded: half U1, half U2"
        return {"config_notes": notes, "never_real_rules": NEVER_REAL_RULES, "params": params}

    def _info(self) -> datasets.DatasetInfo:
        return datasets.DatasetInfo(
            description="VQA images with task-irrelevant private text embedded (ProbingPrivacy).",
            features=privacy_images.features(),
        )

    def _split_generators(self, dl_manager):
        plan = self.config.plan()
        ids = privacy_images.config_ids(plan, self.config.name)
        if self.config.name == "probe":
            privacy_images.probe_sets(plan)  # computed once, inherited by workers
        units = [ids[i : i + WORK_UNIT] for i in range(0, len(ids), WORK_UNIT)]
        split = datasets.Split.TEST if self.config.name == "probe" else datasets.Split.TRAIN
        return [datasets.SplitGenerator(name=split, gen_kwargs={"units": units})]

    def _generate_examples(self, units):
        plan = self.config.plan()
        for unit in units:
            for item_id in unit:
                row = privacy_images.make_row(plan, self.config.name, item_id)
                if row is not None:
                    yield item_id, row
