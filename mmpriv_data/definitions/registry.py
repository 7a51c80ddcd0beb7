"""The datasets mmpriv builds: name -> builder class, configs, settable parameters."""

from __future__ import annotations

import dataclasses
import importlib
from dataclasses import dataclass

import datasets

from mmpriv_data.core.errors import MmprivError
from mmpriv_data.definitions.params import parameter_fields


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    builder: str  # "module:Class"
    summary: str
    small: dict  # parameters of the small preset (`mmpriv build all`)
    pretty_name: str = ""

    def builder_class(self) -> type[datasets.GeneratorBasedBuilder]:
        module, _, cls = self.builder.partition(":")
        return getattr(importlib.import_module(module), cls)

    def configs(self) -> list[str]:
        return [c.name for c in self.builder_class().BUILDER_CONFIGS]

    def definition(self):
        """The dataset's definition module (`mmpriv_data.definitions.<name>`)."""
        return importlib.import_module(f"mmpriv_data.definitions.{self.name.replace('-', '_')}")

    def params_class(self) -> type:
        """The one declaration of the dataset's parameters."""
        return self.definition().Params

    def parameters(self) -> dict[str, dataclasses.Field]:
        """Settable parameters (seed included), from the definition's `Params`."""
        return parameter_fields(self.params_class())

    def defaults(self) -> dict:
        """Every parameter's default but the seed (which `--seed` sets)."""
        defaults = dataclasses.asdict(self.params_class()())
        return {key: value for key, value in defaults.items() if key != "seed"}


DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in [
        DatasetSpec(
            "profiles",
            "builders.profiles_builder:ProfilesBuilder",
            "Fictitious people with portraits, 18 questions each, forget/retain splits",
            small={"num_profiles": 40, "image_size": 128},
            pretty_name="mmpriv profiles (MLLMU-Bench style)",
        ),
        DatasetSpec(
            "privacy-images",
            "builders.privacy_images_builder:PrivacyImagesBuilder",
            "VQA scenes with private user records embedded at rates 0/10/50/100 + U1/U2 probe set",
            small={"num_images": 40, "num_probe": 20, "width": 320, "height": 240},
            pretty_name="mmpriv privacy images (ProbingPrivacy style)",
        ),
        DatasetSpec(
            "augmented",
            "builders.augmented_builder:AugmentedBuilder",
            "Text/image-augmented copies of privacy-images (or any images+messages dataset)",
            small={"num_images": 24},
            pretty_name="mmpriv augmented (ProbingPrivacy style)",
        ),
        DatasetSpec(
            "scrubbed-captions",
            "builders.scrubbed_captions_builder:ScrubbedCaptionsBuilder",
            "Biometric-scrubbed conversations with a change log + PRISM-style eval sets",
            small={"num_captions": 200, "num_images": 12, "image_size": 128},
            pretty_name="mmpriv scrubbed captions (Safe-LLaVA / PRISM style)",
        ),
        DatasetSpec(
            "mia-neighbors",
            "builders.mia_neighbors_builder:MiaNeighborsBuilder",
            "Member/non-member samples from one pool with K FiMMIA neighbours each",
            small={"num_samples": 100, "neighbors": 8},
            pretty_name="mmpriv MIA neighbours (FiMMIA / mimir style)",
        ),
        DatasetSpec(
            "spy-instructions",
            "builders.spy_instructions_builder:SpyInstructionsBuilder",
            "Personalized privacy instructions (SPY-Bench) over rendered private content",
            small={"items_per_category": 1, "tune_items_per_category": 2},
            pretty_name="mmpriv SPY instructions (SPY-Bench style)",
        ),
    ]
}


def get(name: str) -> DatasetSpec:
    if name not in DATASETS:
        known = ", ".join(sorted(DATASETS))
        raise MmprivError(f"unknown dataset {name!r}; known datasets: {known}")
    return DATASETS[name]
