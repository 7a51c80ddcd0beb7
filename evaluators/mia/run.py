"""Run membership-inference attacks over a built `mia-neighbors` folder: score every sample
with the target (and base/reference) models, compute each attack, write scores, metrics and
a ROC plot atomically. `mmpriv eval mia` is its command line.

Sample-level setting (default): every member and non-member is scored by the finetuned model;
label 1 = the sample was in its finetuning set. Model-level setting (`base_model`, as FiMMIA):
the member samples are scored by the base model (label 0) and by the finetuned model (label 1).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from mmpriv_data.core.atomic import atomic_folder, check_folder_target
from mmpriv_data.core.errors import MmprivError

SAMPLE_COLUMNS = ["id", "messages", "images", "text", "neighbors"]


def _parse_attacks(text: str, ref_model: Path | None) -> list[str]:
    from evaluators.mia import ATTACKS, DEFAULT_ATTACKS

    if not text:
        return [*DEFAULT_ATTACKS, *(["ref"] if ref_model else [])]
    names = [a.strip() for a in text.split(",") if a.strip()]
    for name in names:
        if name not in ATTACKS:
            raise MmprivError(f"--attacks {name}: unknown attack; known: {', '.join(ATTACKS)}")
    if "ref" in names and ref_model is None:
        raise MmprivError(
            "--attacks ref needs --ref-model PATH (a model that never saw the samples)"
        )
    return names


def load_rows(data: Path, need_neighbors: bool, max_samples: int) -> list[dict]:
    """Member then non-member rows (optionally the first `max_samples` of each, in file order)."""
    import pyarrow.parquet as pq

    from mmpriv_data.definitions.mia_neighbors import read_samples, sample_files

    first = sample_files(data)["member"][0]
    present = pq.ParquetFile(first).schema_arrow.names
    required = ["id", "messages", *(["neighbors"] if need_neighbors else [])]
    missing = [c for c in required if c not in present]
    if missing:
        raise MmprivError(f"{first}: missing column(s) {', '.join(missing)} (has {present})")
    rows = read_samples(data, [c for c in SAMPLE_COLUMNS if c in present]).to_pylist()
    if max_samples:
        members = [r for r in rows if r["member"]][:max_samples]
        rows = members + [r for r in rows if not r["member"]][:max_samples]
    return rows


def _score_all(
    scorer, samples: list[tuple], label: str, console, vocab_stats: bool = False, quiet=False
):
    from rich.progress import Progress

    with Progress(console=console, transient=True, disable=quiet) as progress:
        task = progress.add_task(f"scoring {label}", total=len(samples))
        return scorer.score(
            samples, progress=lambda n: progress.advance(task, n), vocab_stats=vocab_stats
        )


def run_mia(
    model: Path,
    data: Path,
    out: Path,
    *,
    attacks: str = "",
    ref_model: Path | None = None,
    base_model: Path | None = None,
    embedder: str = "",
    batch_tokens: int = 16384,
    max_samples: int = 0,
    seed: int = 0,
    console=None,
    quiet: bool = False,
) -> dict:
    """Score every sample with every attack; write scores.parquet, metrics.json, roc.png."""
    import numpy as np

    from evaluators.mia import ATTACKS, MiaInputs, needs_vocab_stats
    from evaluators.scoring import LossScorer
    from mmpriv_data.core.metrics import roc_summary

    names = _parse_attacks(attacks, ref_model)
    for option, value, low in (("--batch-tokens", batch_tokens, 1),
                               ("--max-samples", max_samples, 0)):  # fmt: skip
        if value < low:
            raise MmprivError(f"{option} {value}: expected at least {low}")
    check_folder_target(out, "eval mia")
    need_neighbors = any("neighbors" in ATTACKS[n].needs for n in names)
    # Only the target/base samples' min-k%++ is ever read: neighbours and the reference model
    # need losses alone, and the vocabulary statistics dominate the scorer's time on a GPU.
    vocab_stats = needs_vocab_stats(names)
    rows = load_rows(data, need_neighbors, max_samples)
    if base_model is not None:
        rows = [r for r in rows if r["member"]]
    started = time.perf_counter()
    scorers = {"target": LossScorer(model, batch_tokens=batch_tokens, what="--model")}
    if base_model is not None:
        scorers["base"] = LossScorer(base_model, batch_tokens=batch_tokens, what="--base-model")
    samples = [(r["messages"], r.get("images")) for r in rows]
    neighbor_samples = [
        (n["messages"], n.get("images"))
        for r in rows
        for n in (r["neighbors"] if need_neighbors else [])
    ]
    k = len(rows[0]["neighbors"]) if need_neighbors else 0
    if need_neighbors and any(len(r["neighbors"]) != k for r in rows):
        raise MmprivError(f"{data}: samples have different numbers of neighbours")
    entries = []  # (model key, label) blocks in order
    for key, scorer in scorers.items():
        scores = _score_all(scorer, samples, f"{key} samples", console, vocab_stats, quiet)
        nb = (
            _score_all(scorer, neighbor_samples, f"{key} neighbours", console, quiet=quiet)
            if k
            else []
        )
        label = (key == "target") if base_model is not None else None
        entries.append((key, label, scores, [nb[i * k : (i + 1) * k] for i in range(len(rows))]))
    reference = None
    if ref_model is not None:
        ref = LossScorer(ref_model, batch_tokens=batch_tokens, what="--ref-model")
        reference = _score_all(ref, samples, "reference", console, quiet=quiet)
    labels = np.array(
        [int(r["member"]) if lab is None else int(lab) for _, lab, _, _ in entries for r in rows]
    )
    texts = target_texts(rows)
    inputs = MiaInputs(
        labels=labels,
        groups=[r["id"] for _ in entries for r in rows],
        texts=texts * len(entries),
        target=[s for _, _, scores, _ in entries for s in scores],
        neighbors=[n for _, _, _, nbs in entries for n in nbs] if k else None,
        neighbor_texts=[[n["text"] for n in r["neighbors"]] for r in rows] * len(entries)
        if k
        else None,
        reference=reference * len(entries) if reference else None,
        seed=seed,
        options={"embedder": embedder},
    )
    attack_scores = {name: ATTACKS[name].scores(inputs) for name in names}
    seconds = time.perf_counter() - started
    metrics = {
        "setting": "model-level" if base_model is not None else "sample-level",
        "model": str(model),
        "base_model": str(base_model) if base_model else None,
        "ref_model": str(ref_model) if ref_model else None,
        "data": str(data),
        "entries": len(labels),
        "neighbors": k,
        "seconds": round(seconds, 2),
        "attacks": {name: roc_summary(labels, s, seed=seed) for name, s in attack_scores.items()},
    }
    table = {
        "id": inputs.groups,
        "member": [bool(r["member"]) for _ in entries for r in rows],
        "label": labels.tolist(),
        "model": [key for key, _, _, _ in entries for _ in rows],
        "loss": inputs.losses.tolist(),
        "n_tokens": [s.n_tokens for s in inputs.target],
        **({"ref_loss": [s.loss for s in reference] * len(entries)} if reference else {}),
        **{f"score_{name}": s.tolist() for name, s in attack_scores.items()},
    }
    _write_outputs(out, table, metrics, attack_scores, labels)
    return metrics


def target_texts(rows: list[dict]) -> list[str]:
    """The text each attack reads per sample: its `text` column, else its assistant turns."""
    return [r.get("text") or _target_text(r["messages"]) for r in rows]


def _target_text(messages: list) -> str:
    from mmpriv_data.definitions.mia_neighbors import target_segments

    return "\n".join(target_segments(messages, "sample"))


def _write_outputs(out: Path, table: dict, metrics: dict, attack_scores: dict, labels) -> None:
    """Everything into a staging folder first, then renamed into place: never half-written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pyarrow as pa
    import pyarrow.parquet as pq
    from sklearn.metrics import roc_curve

    with atomic_folder(out, "eval mia") as staging:
        pq.write_table(pa.table(table), staging / "scores.parquet")
        (staging / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
        figure, axis = plt.subplots(figsize=(5, 5))
        for name, scores in attack_scores.items():
            fpr, tpr, _ = roc_curve(labels, scores)
            axis.plot(fpr, tpr, label=f"{name} (AUC {metrics['attacks'][name]['auc']:.3f})")
        axis.plot([0, 1], [0, 1], "k:", linewidth=0.8)
        axis.set(
            xlabel="false positive rate", ylabel="true positive rate", title=metrics["setting"]
        )
        axis.legend(loc="lower right", fontsize=8)
        figure.tight_layout()
        figure.savefig(staging / "roc.png", dpi=120)
        plt.close(figure)
