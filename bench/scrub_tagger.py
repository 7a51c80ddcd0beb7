"""Trains the scrubber's token tagger (mmpriv_data/transforms/scrub/tagger.py) on the labelled
corpus parts named in TRAIN_PARTS and writes its weights; measures it leave one part out.

    python bench/scrub_tagger.py            # train on TRAIN_PARTS, write the weights file
    python bench/scrub_tagger.py --lopo     # leave-one-part-out: token and end-to-end scores

Deterministic: lbfgs on a fixed feature order, weights rounded to 3 decimals (two builds give
the same bytes). Training takes the words the tagger may guess for (unlisted, not closed-class)
and the listed person adjectives, whose identity the features do not give away beyond "w=":
their spelling and context teach the weights what carries over to unlisted words. At run time
the tagger acts on unlisted words only, and a guess needs the word's own spelling to favour it
(tagger.EVIDENCE). --lopo writes bench/results/scrub_tagger.md and .json.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
CORPUS = REPO / "bench" / "data" / "scrub_corpus"
# Every part but the newest held-out one, which is scored blind with these weights.
TRAIN_PARTS = (
    "tuning", "heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6",
    "heldout7", "heldout8", "heldout9", "heldout10",
)  # fmt: skip
# Parts in no training set, scored blind by bench/scrub_eval.py; --lopo also scores them with the
# shipped weights and without the tagger, to show what it adds on unseen text.
BLIND_PARTS = ("heldout11",)
MIN_COUNT = 5  # features seen in fewer training tokens are dropped (noise, file size)
PRUNE = 0.1  # features whose weights are all smaller are left out of the file (size)
C = 0.3  # inverse L2 strength, chosen by leave-one-part-out


def labelled_tokens(part: str, listed: bool = True):
    """(text, view, index, label) for each candidate token of a part: the token's corpus span
    attribute, or O. `listed`: the words of the word lists too (training), else only those
    the tagger acts on. Both taggers' training rows come from here (bench/scrub_context.py)."""
    from mmpriv_data.transforms.scrub import tagger
    from mmpriv_data.transforms.scrub.evaluation import load_corpus
    from mmpriv_data.transforms.scrub.lexicon import ATTRIBUTES
    from mmpriv_data.transforms.scrub.tokens import TokenView

    for item in load_corpus(CORPUS / f"{part}.txt"):
        view = TokenView(item.text, frozenset(ATTRIBUTES))
        for i in range(view.n):
            if not tagger.candidate(view, i, listed):
                continue
            a, b = view.start[i], view.end[i]
            label = next((lab for s, e, lab in item.spans if s < b and a < e), "O")
            yield item.text, view, i, label if label in tagger.LABELS else "O"


def examples(part: str, listed: bool = True) -> list[tuple[list[str], str, str, bool]]:
    """(features, label, word, listed) for each candidate token of a part."""
    from mmpriv_data.transforms.scrub import tagger

    return [
        (tagger.features(view, i), label, view.low[i], view.bios[i] is not None)
        for _, view, i, label in labelled_tokens(part, listed)
    ]


def train(rows: list[tuple[list[str], str, str]]) -> dict[str, tuple[float, ...]]:
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    from mmpriv_data.transforms.scrub.tagger import LABELS

    counts = Counter(f for feats, *_ in rows for f in set(feats))
    names = sorted(f for f, c in counts.items() if c >= MIN_COUNT or f == "b")
    index = {f: k for k, f in enumerate(names)}
    data, cols, ptr = [], [], [0]
    for feats, *_ in rows:
        ks = sorted({index[f] for f in feats if f in index})
        cols += ks
        data += [1.0] * len(ks)
        ptr.append(len(cols))
    x = csr_matrix((data, cols, ptr), shape=(len(rows), len(names)))
    y = np.array([LABELS.index(row[1]) for row in rows])
    model = LogisticRegression(C=C, max_iter=3000, fit_intercept=False)
    model.fit(x, y)
    coef = np.zeros((len(LABELS), len(names)))
    coef[model.classes_] = model.coef_
    table = {}
    for k, name in enumerate(names):
        row = tuple(round(float(v), 3) for v in coef[:, k])
        if any(abs(v) >= PRUNE for v in row):
            table[name] = row
    return table


def write(table: dict[str, tuple[float, ...]], parts: tuple[str, ...]) -> Path:
    from mmpriv_data.transforms.scrub import tagger

    lines = [
        "# Token tagger weights of the scrubber (mmpriv_data/transforms/scrub/tagger.py), built by",
        "# `python bench/scrub_tagger.py` (scikit-learn logistic regression, deterministic)",
        f"# from the labelled corpus parts: {', '.join(parts)} (bench/data/scrub_corpus/).",
        "# feature<TAB>one weight per label: " + " ".join(tagger.LABELS),
    ]
    lines += [name + "\t" + "\t".join(f"{v:g}" for v in row) for name, row in sorted(table.items())]
    tagger.WEIGHTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tagger.WEIGHTS


def token_scores(table, rows, seen_words) -> dict:
    """Tagger alone (its decision rule, without the structural rules), on the tokens of a
    held-out part that it acts on; `unseen`: words never labelled in the training parts."""
    from mmpriv_data.transforms.scrub.tagger import decide, probabilities

    tp = fp = fn = tp_new = fn_new = 0
    for feats, label, word, listed in rows:
        if listed:
            continue  # the tagger acts only on unlisted words
        guess = decide(probabilities(feats, table), word, table) or "O"
        if label != "O":
            if guess == label:
                tp += 1
                tp_new += word not in seen_words
            else:
                fn += 1
                fn_new += word not in seen_words
        elif guess != "O":
            fp += 1
    return {"tp": tp, "fp": fp, "fn": fn, "unseen_tp": tp_new, "unseen_fn": fn_new}


def end_to_end(part: str, table) -> dict:
    """The scrubber (rules + this table) on one part, as bench/scrub_eval.py scores it."""
    from mmpriv_data.transforms.scrub import scrub, tagger
    from mmpriv_data.transforms.scrub.evaluation import evaluate, load_corpus

    items = load_corpus(CORPUS / f"{part}.txt")
    saved = tagger.OVERRIDE
    tagger.OVERRIDE = table
    try:
        results = [(r.text, r.changes) for r in (scrub(item.text) for item in items)]
    finally:
        tagger.OVERRIDE = saved
    return evaluate(items, results).summary()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lopo", action="store_true", help="leave-one-part-out scores")
    parser.add_argument("--parts", default=",".join(TRAIN_PARTS))
    parser.add_argument("--json", type=Path, help="where to write the leave-one-part-out record")
    args = parser.parse_args()
    parts = tuple(args.parts.split(","))
    rows = {part: examples(part) for part in parts}
    if not args.lopo:
        table = train([r for part in parts for r in rows[part]])
        print(f"wrote {write(table, parts)}: {len(table)} features")
        return
    record = {}
    for part in parts:
        rest = [r for other in parts if other != part for r in rows[other]]
        table = train(rest)
        seen = {row[2] for row in rest if row[1] != "O"}
        tokens = token_scores(table, rows[part], seen)
        e2e = {"with tagger": end_to_end(part, table), "rules only": end_to_end(part, {})}
        record[part] = {"tokens": tokens, **e2e}
        line = f"{part:9s} tagger tokens {tokens}"
        for name, s in e2e.items():
            per = {a: r["recall"] for a, r in s["per_attribute"].items()}
            line += f"\n   {name:11s} recall {s['recall_all']} kept {s['unrelated_kept']} {per}"
            line += f" grammar {s['grammar_problems']}"
        print(line, flush=True)
    from mmpriv_data.transforms.scrub.tagger import weights

    for part in BLIND_PARTS:
        if part not in parts and (CORPUS / f"{part}.txt").exists():
            e2e = {"with tagger": end_to_end(part, weights()), "rules only": end_to_end(part, {})}
            record[part] = {"blind": True, **e2e}
    out = args.json or REPO / "bench" / "results" / "scrub_tagger.json"
    out.write_text(json.dumps(record, indent=1) + "\n")
    out.with_suffix(".md").write_text(report(record))
    print(f"wrote {out} and {out.with_suffix('.md')}")


def report(record: dict) -> str:
    """The leave-one-part-out table: each part scored with weights trained on the others."""
    lines = [
        "# Scrubber token tagger, leave one part out (`python bench/scrub_tagger.py --lopo`)",
        "",
        "Each corpus part scored with tagger weights trained on the other parts (heldout10 is in "
        "none: it is scored blind by bench/scrub_eval.py). The rules are the same in both "
        "columns and were tuned on every part here (heldout9 in round 8, after its blind "
        "score), so the tagger's own contribution is the difference between the columns; "
        "tokens: the tagger alone on the words it acts on (unlisted), with `unseen` the words "
        "never labelled in the training parts.",
        "",
        "| part | tagger tp / fp / fn (unseen tp / fn) | recall, rules only | recall, with tagger "
        "| unrelated kept, rules only | unrelated kept, with tagger |",
        "|---|---|---|---|---|---|",
    ]
    for part, row in record.items():
        rules, tagged = row["rules only"], row["with tagger"]
        if row.get("blind"):
            lines.append(
                f"| {part} (blind: the shipped weights, trained on all the parts above) | |"
                f" {_recall(rules)} | {_recall(tagged)}"
                f" | {_pct(rules['unrelated_kept'])} | {_pct(tagged['unrelated_kept'])} |"
            )
            continue
        t = row["tokens"]
        lines.append(
            f"| {part} | {t['tp']} / {t['fp']} / {t['fn']} ({t['unseen_tp']} / {t['unseen_fn']})"
            f" | {_recall(rules)} | {_recall(tagged)}"
            f" | {_pct(rules['unrelated_kept'])} | {_pct(tagged['unrelated_kept'])} |"
        )
    return "\n".join(lines) + "\n"


def _recall(summary: dict) -> str:
    removed = sum(r["removed"] for r in summary["per_attribute"].values())
    terms = sum(r["terms"] for r in summary["per_attribute"].values())
    return f"{100 * removed / terms:.1f}% ({removed}/{terms})"


def _pct(rate: float) -> str:
    return f"{100 * rate:.1f}%"


if __name__ == "__main__":
    main()
