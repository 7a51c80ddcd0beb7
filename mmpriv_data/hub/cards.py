"""Dataset cards: YAML front matter (Hub `configs:`, `dataset_info:`, provenance) + a body
rendered from `cards/<dataset>.md`."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import datasets
import jinja2
import yaml

from mmpriv_data import __version__
from mmpriv_data.core.errors import MmprivError
from mmpriv_data.hub.layout import ConfigLayout

PROVENANCE_KEY = "mmpriv"


def _feature_type(feature) -> str:
    if isinstance(feature, datasets.Value):
        return feature.dtype
    if isinstance(feature, datasets.Image):
        return "image"
    if isinstance(feature, datasets.List | list):
        inner = feature.feature if isinstance(feature, datasets.List) else feature[0]
        return f"list[{_feature_type(inner)}]"
    if isinstance(feature, dict):
        return "struct{" + ", ".join(feature) + "}"
    return type(feature).__name__


def schema_rows(features: datasets.Features) -> list[tuple[str, str]]:
    return [(name, _feature_type(feature)) for name, feature in features.items()]


def render_card(
    dataset: str,
    *,
    pretty_name: str,
    builder_version: str,
    seed: int,
    parameters: dict,
    layouts: list[ConfigLayout],
    extra: dict | None = None,
) -> str:
    """The full README.md text: front matter + the rendered `cards/<dataset>.md` body."""
    provenance = {
        "dataset": dataset,
        "mmpriv_version": __version__,
        "builder_version": builder_version,
        "datasets_version": datasets.__version__,
        "seed": seed,
        "parameters": parameters,
        "shards": {path: sha for layout in layouts for path, sha in sorted(layout.shards.items())},
    }
    front = {
        "pretty_name": pretty_name,
        "license": "cc-by-4.0",
        "language": ["en"],
        "tags": ["privacy", "synthetic", "multimodal", "mmpriv"],
        "configs": [layout.configs_entry() for layout in layouts],
        "dataset_info": [layout.dataset_info_entry() for layout in layouts],
        PROVENANCE_KEY: provenance,
    }
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resources.files("cards"))),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    body = env.get_template(f"{dataset}.md").render(
        name=dataset,
        pretty_name=pretty_name,
        provenance=provenance,
        configs=layouts,
        schema=schema_rows(layouts[0].features),
        **(extra or {}),
    )
    yaml_text = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=100)
    return f"---\n{yaml_text}---\n\n{body}"


def read_front_matter(folder: str | Path) -> dict:
    """The YAML front matter of `folder/README.md`."""
    card = Path(folder) / "README.md"
    if not card.is_file():
        raise MmprivError(f"{card}: no dataset card (is this a folder written by `mmpriv build`?)")
    text = card.read_text(encoding="utf-8")
    if not text.startswith("---\n") or "\n---" not in text[4:]:
        raise MmprivError(f"{card}: no YAML front matter")
    try:
        return yaml.safe_load(text[4 : text.index("\n---", 4)]) or {}
    except yaml.YAMLError as error:
        raise MmprivError(f"{card}: unreadable YAML front matter ({error})") from None


def read_provenance(folder: str | Path) -> dict:
    front = read_front_matter(folder)
    if PROVENANCE_KEY not in front:
        raise MmprivError(f"{Path(folder) / 'README.md'}: no `{PROVENANCE_KEY}:` provenance block")
    return front[PROVENANCE_KEY]
