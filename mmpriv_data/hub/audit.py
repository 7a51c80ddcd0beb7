"""Blind-baseline audit: can a model-free classifier tell members from non-members?

Das et al. (2024) showed that on published MIA benchmarks a bag of words beats every real
attack, because members and non-members were drawn from different distributions. A member /
non-member set is only worth attacking if such blind classifiers stay near AUC 0.5. Seven of
them run here (features in `audit_features`), each a logistic regression scored by stratified
k-fold cross-validation (every score is out-of-fold):

- text: TF-IDF bag of words (unigrams + bigrams); TF-IDF character 2-5-grams; the years the text
  mentions (Das et al.'s date detection: earliest, mean, latest, how many); its numbers (count,
  digit share, magnitudes, digit counts); its length (characters, words, turns, sentences)
- image: colour histograms (RGB joint 4x4x4 + HSV marginals: the fine hue bins also catch a
  slight colour cast); texture histograms (gradient magnitude, orientation, Laplacian)

A classifier "separates" the split when its AUC >= the threshold (0.6) AND its bootstrap
interval lies above 0.5. The interval is Bonferroni-adjusted over the classifiers run (99.29%
for seven), so the audit as a whole fails a same-distribution split about 5% of the time at
most; cross-validated AUCs of small sets are noisy (null std about 0.12 at 20/20, 0.05 at
100/100), which is why the threshold alone is not enough.

>>> result = audit_arrays(["red fox"] * 10 + ["blue owl"] * 10, [None] * 20, [1] * 10 + [0] * 10)
>>> result.flagged[0].name, result.passed
('text_bow_tfidf', False)
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from mmpriv_data.core.atomic import atomic_file, folder_kind
from mmpriv_data.core.errors import MmprivError
from mmpriv_data.hub import audit_features as features

THRESHOLD = 0.6
FOLDS = 5
SECTION = "## Blind-baseline audit"
FAMILY_ALPHA = 0.05  # split over the classifiers (Bonferroni)


@dataclass(frozen=True)
class ClassifierResult:
    name: str
    modality: str
    auc: float
    ci_low: float
    ci_high: float
    tpr_at_1pct_fpr: float

    def separates(self, threshold: float) -> bool:
        return self.auc >= threshold and self.ci_low > 0.5


@dataclass(frozen=True)
class AuditResult:
    results: tuple[ClassifierResult, ...]
    threshold: float
    folds: int
    n_member: int
    n_nonmember: int
    ci_level: float

    @property
    def flagged(self) -> list[ClassifierResult]:
        return [r for r in self.results if r.separates(self.threshold)]

    @property
    def passed(self) -> bool:
        return not self.flagged


def conversation_text(messages: list) -> str:
    """All text of a conversation, user and assistant turns alike (all a blind classifier sees)."""
    return "\n".join(
        item.get("text") or "" for turn in messages for item in turn["content"] if item.get("text")
    )


def _classifiers(seed: int) -> dict[str, tuple[str, Callable | None, object]]:
    """name -> (modality, per-sample featurizer or None for raw text, sklearn model)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    def logistic():
        return LogisticRegression(C=1.0, max_iter=2000, random_state=seed)

    def on_features():
        # Median imputation inside each fold: a text without a year gets a typical one, so
        # "no year" is carried by its own indicator feature, not by an outlier value.
        imputer = SimpleImputer(strategy="median", keep_empty_features=True)
        return make_pipeline(imputer, StandardScaler(), logistic())

    return {
        "text_bow_tfidf": (
            "text",
            None,
            make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), logistic()),
        ),
        "text_char_ngrams": (
            "text",
            None,
            make_pipeline(
                TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), max_features=50000),
                logistic(),
            ),
        ),
        "text_dates": ("text", features.year_features, on_features()),
        "text_numbers": ("text", features.number_features, on_features()),
        "text_length": ("text", features.length_features, on_features()),
        "image_colour_hist": ("image", features.colour_features, on_features()),
        "image_texture_hist": ("image", features.texture_features, on_features()),
    }


def audit_arrays(
    texts: list[str],
    images: list[Image.Image | None],
    labels: list[int],
    *,
    threshold: float = THRESHOLD,
    folds: int = FOLDS,
    seed: int = 0,
    n_bootstrap: int = 1000,
) -> AuditResult:
    """Run every blind classifier on in-memory samples (label 1 = member)."""
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    from mmpriv_data.core.metrics import bootstrap_auc, tpr_at_fpr

    y = np.asarray(labels, dtype=int)
    n_member, n_nonmember = int(y.sum()), int(len(y) - y.sum())
    folds = min(folds, n_member, n_nonmember)
    if folds < 2:
        raise MmprivError(
            f"audit: needs at least 2 members and 2 non-members, got {n_member}/{n_nonmember}"
        )
    have_images = all(image is not None for image in images)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    runs = {
        name: run for name, run in _classifiers(seed).items() if run[0] == "text" or have_images
    }
    level = 1 - FAMILY_ALPHA / len(runs)
    results = []
    for name, (modality, featurize, model) in runs.items():
        samples = texts if modality == "text" else images
        inputs = list(samples) if featurize is None else np.stack([featurize(s) for s in samples])
        scores = cross_val_predict(model, inputs, y, cv=splitter, method="predict_proba")[:, 1]
        ci = bootstrap_auc(y, scores, n_bootstrap=n_bootstrap, seed=seed, level=level)
        results.append(
            ClassifierResult(
                name,
                modality,
                float(roc_auc_score(y, scores)),
                ci["low"],
                ci["high"],
                tpr_at_fpr(y, scores, 0.01),
            )
        )
    return AuditResult(tuple(results), threshold, folds, n_member, n_nonmember, level)


def audit_folder(folder: str | Path, **options) -> AuditResult:
    """Audit a built `mia-neighbors` folder (or any folder with member/non-member shards)."""
    import pyarrow.parquet as pq

    from mmpriv_data.definitions.mia_neighbors import read_samples, sample_files

    first = sample_files(folder)["member"][0]
    with_images = "images" in pq.ParquetFile(first).schema_arrow.names
    table = read_samples(folder, ["messages", *(["images"] if with_images else [])])
    texts = [conversation_text(m) for m in table["messages"].to_pylist()]
    images: list[Image.Image | None] = [None] * table.num_rows
    if with_images:
        images = [
            Image.open(io.BytesIO(row[0]["bytes"])) if row else None
            for row in table["images"].to_pylist()
        ]
    labels = [int(m) for m in table["member"].to_pylist()]
    return audit_arrays(texts, images, labels, **options)


def render_section(result: AuditResult, folder_name: str) -> str:
    verdict = (
        "**passed**: no blind classifier separates members from non-members"
        if result.passed
        else "**FAILED**: " + ", ".join(f"`{r.name}`" for r in result.flagged) + " separate(s) "
        "members from non-members; attack results on this split measure the shift, not membership"
    )
    lines = [
        SECTION,
        "",
        f"Model-free classifiers, {result.folds}-fold stratified cross-validation over "
        f"{result.n_member} members and {result.n_nonmember} non-members (out-of-fold scores; "
        f"AUC interval by bootstrap, {result.ci_level:.2%}: 95% Bonferroni-adjusted over "
        f"{len(result.results)} classifiers). A classifier separates the split when AUC >= "
        f"{result.threshold} and the interval lies above 0.5. Verdict: {verdict}.",
        "",
        "| classifier | input | AUC | interval | TPR@1%FPR |",
        "|---|---|---|---|---|",
    ]
    for r in result.results:
        lines.append(
            f"| `{r.name}` | {r.modality} | {r.auc:.3f} | [{r.ci_low:.3f}, {r.ci_high:.3f}] "
            f"| {r.tpr_at_1pct_fpr:.3f} |"
        )
    lines += ["", f"Re-run: `mmpriv audit DIR/{folder_name}`.", ""]
    return "\n".join(lines)


def write_card_section(folder: str | Path, result: AuditResult) -> Path:
    """Put the audit section into `folder/README.md` (replacing an earlier one), atomically."""
    card = Path(folder) / "README.md"
    text = card.read_text(encoding="utf-8") if card.exists() else f"# {Path(folder).name}\n"
    start = text.find("\n" + SECTION + "\n")
    if start >= 0:
        following = text.find("\n## ", start + len(SECTION) + 1)
        text = text[: start + 1] + (text[following + 1 :] if following >= 0 else "")
    text = text.rstrip("\n") + "\n\n" + render_section(result, Path(folder).name)
    # Only the card of a folder `mmpriv build` wrote (every file vouched for) is edited.
    ours = (folder_kind(folder) or "").startswith("dataset ")
    with atomic_file(card, "dataset card", option="DATASET", recognise=lambda _: ours) as temp:
        temp.write_text(text, encoding="utf-8")
    return card
