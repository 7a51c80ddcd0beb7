"""`mia-neighbors`: member / non-member samples from one pool, K FiMMIA neighbours each.

>>> b = MiaNeighborsBuilder(config_name="samples", num_samples=20)  # doctest: +SKIP
>>> b.download_and_prepare(); member = b.as_dataset(split="member")  # doctest: +SKIP
"""

from __future__ import annotations

import datasets

from mmpriv_data.definitions import mia_neighbors as mia
from mmpriv_data.definitions.params import builder_config
from mmpriv_data.transforms import neighbors

_VERSION = datasets.Version("1.0.0")  # bump whenever the same seed would give other rows
WORK_UNIT = 8  # samples per generation unit; units, not processes, fix what each stream sees


MiaNeighborsConfig = builder_config(mia.Params, "MiaNeighborsConfig", __name__)


class MiaNeighborsBuilder(datasets.GeneratorBasedBuilder):
    VERSION = _VERSION
    BUILDER_CONFIG_CLASS = MiaNeighborsConfig
    BUILDER_CONFIGS = [MiaNeighborsConfig(name=name, version=_VERSION) for name in mia.CONFIGS]
    DEFAULT_CONFIG_NAME = "samples"

    @classmethod
    def card_context(cls, **params) -> dict:
        kinds = neighbors.neighbor_kinds(params["neighbors"])
        return {
            "source_description": mia.describe_source(params["source"], params["source_config"]),
            "kind_counts": {kind: kinds.count(kind) for kind in neighbors.KINDS},
            "image_ranges": {
                "rotate_deg": neighbors.ROTATE_DEG,
                "shift_fraction": neighbors.SHIFT_FRACTION,
                "shear_deg": neighbors.SHEAR_DEG,
                "brightness": neighbors.BRIGHTNESS,
                "negative_rate": neighbors.NEGATIVE_RATE,
            },
        }

    def _info(self) -> datasets.DatasetInfo:
        return datasets.DatasetInfo(
            description="Member / non-member samples with FiMMIA neighbours.",
            features=mia.features(self.config.name),
        )

    def _pool(self) -> mia.Pool:
        cfg = self.config
        return mia.load_pool(
            cfg.source,
            cfg.source_config,
            cfg.source_split,
            seed=cfg.seed,
            num_samples=cfg.num_samples,
            image_size=cfg.image_size,
        )

    def _split_generators(self, dl_manager):
        pool = self._pool()  # loaded once here, inherited by worker processes
        if self.config.fill_model:  # fail before generation, where errors arrive wrapped
            mia.replacer_for(pool, self.config.fill_model).load()
        members = mia.member_positions(pool, self.config.seed, self.config.member_fraction)
        member = sorted(members)
        nonmember = [i for i in range(len(pool.items)) if i not in members]
        if self.config.name == "mimir":
            pairs = list(zip(member, nonmember, strict=False))
            units = [pairs[i : i + WORK_UNIT] for i in range(0, len(pairs), WORK_UNIT)]
            return [datasets.SplitGenerator(name="train", gen_kwargs={"units": units})]
        return [
            datasets.SplitGenerator(
                name=name,
                gen_kwargs={
                    "units": [
                        [(i, None) for i in positions[start : start + WORK_UNIT]]
                        for start in range(0, len(positions), WORK_UNIT)
                    ]
                },
            )
            for name, positions in (("member", member), ("nonmember", nonmember))
        ]

    def _generate_examples(self, units):
        cfg = self.config
        pool = self._pool()
        replacer = mia.replacer_for(pool, cfg.fill_model)
        members = mia.member_positions(pool, cfg.seed, cfg.member_fraction)
        for unit in units:
            for first, second in unit:
                if cfg.name == "mimir":
                    rows = [
                        mia.sample_row(
                            pool.items[i],
                            True,
                            cfg.neighbors,
                            replacer,
                            cfg.seed,
                            with_images=False,
                        )
                        for i in (first, second)
                    ]
                    yield first, mia.mimir_row(*rows)
                else:
                    item = pool.items[first]
                    yield (
                        first,
                        mia.sample_row(item, first in members, cfg.neighbors, replacer, cfg.seed),
                    )
