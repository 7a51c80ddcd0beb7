"""`mmpriv eval probing --features lens`: the CLI side of the reference-calibrated name lens.

The model side (teacher-forcing names, the logit lens) is `evaluators.name_lens`; this module
checks the options, pairs the names once, loads each model in turn and turns its values
(minus the reference's, when there is one) into probe features.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from mmpriv_data.core.errors import MmprivError

FEATURES = ("states", "lens")


def check_lens_options(features: str, reference: str | None, reference_adapter: str | None):
    """Option combinations that make no sense stop here, before data or models load."""
    if features not in FEATURES:
        raise MmprivError(f"--features {features!r}: one of {', '.join(FEATURES)}")
    if reference and features != "lens":
        raise MmprivError(
            "--reference needs --features lens (reference values are subtracted from the "
            "name lens; hidden states are probed as they are)"
        )
    if reference_adapter and not reference:
        raise MmprivError("--reference-adapter needs --reference (the model it adapts)")
    if reference_adapter and not (Path(reference_adapter) / "adapter_config.json").exists():
        raise MmprivError(
            f"--reference-adapter {reference_adapter}: no adapter_config.json in that folder"
        )


class LensRun:
    """One `eval probing --features lens` run: the probe rows, their name pairs, and the
    reference's values once computed (`reference_values`)."""

    title = " (name lens)"

    def __init__(self, samples: Sequence[dict], seed: int, query: str, batch_size: int, quiet):
        from evaluators.name_lens import paired_names

        self.samples, self.seed, self.query = samples, seed, query
        self.batch_size, self.quiet = batch_size, quiet
        self.names = paired_names(samples, seed)  # rows without a username stop here
        self.reference_values: np.ndarray | None = None

    def values(self, path: str, adapter: str | None, name: str) -> np.ndarray:
        """(2, n, layers + 1) own-name and other-name log p of one model, every layer."""
        from evaluators.hidden_states import load_model
        from evaluators.name_lens import name_lens_values
        from mmpriv_data.cli.app import progress_bar

        loaded, processor = load_model(path, adapter)
        progress, advance = progress_bar(f"name lens: {name}", len(self.samples), self.quiet)
        with progress:
            return name_lens_values(
                loaded,
                processor,
                [s["image"] for s in self.samples],
                self.names,
                self.query,
                self.batch_size,
                advance,
                model_name=f"{'--reference' if name == 'reference' else '--model'} {path}",
            )

    def features(self, path: str, adapter: str | None, name: str) -> tuple[np.ndarray, dict]:
        """(probe features [n, layers + 1, 2], mean own-name value per layer per set)."""
        from evaluators.name_lens import lens_features, lens_summary

        values = self.values(path, adapter, name)
        if self.reference_values is not None:
            if self.reference_values.shape != values.shape:
                raise MmprivError(
                    f"--reference has {self.reference_values.shape[-1] - 1} layers, --model "
                    f"{path} has {values.shape[-1] - 1}: the lens compares layer by layer"
                )
            values = values - self.reference_values
        user_sets = [s["user_set"] for s in self.samples]
        return lens_features(values), lens_summary(values, user_sets)

    def description(self, reference: str | None) -> dict:
        """What the lens features are, for probing.json."""
        from evaluators.name_lens import ANSWER_NOTE, RAW_NOTE

        values = (
            "model minus --reference: how much likelier the model finds each name"
            if reference
            else RAW_NOTE
        )
        return {"answer": ANSWER_NOTE, "values": values, "pairing_seed": self.seed}
