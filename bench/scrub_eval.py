"""Recall and precision of the scrubber on an independently written, labelled corpus
(bench/data/scrub_corpus/), per attribute, with the misses listed.

    python bench/scrub_eval.py                      # held-out and tuning parts
    python bench/scrub_eval.py --part heldout --misses 50
    python bench/scrub_eval.py --baseline d014151   # also score an older revision, same corpus

Recall: labelled biometric terms removed (every word of the term deleted or replaced).
Precision (per attribute): changed words that were labelled, among all words the scrubber
changed under that attribute. Unrelated words kept: words outside every biometric label (and
not pronouns, a/an or verbs that agree with "they") left as they were. Sentences deleted whole
because they stated a biometric ("Her eyes are blue.") are counted apart. Writes
bench/results/scrub_eval.md and .json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "bench" / "data" / "scrub_corpus"
PARTS = ("heldout", "heldout2", "heldout3", "tuning")
NOTES = [
    "Corpus: bench/data/scrub_corpus/ (written by hand, independently of the lexicon). "
    "`tuning` was used to tune the rules. `heldout` was scored once after tuning, then its misses "
    "were read and some fixed (rows marked `project-heldout` in the data files); `heldout2` was "
    "written before that and scored blind, then its misses were read and some fixed; "
    "`heldout3` was written before that and has prompted no change to the scrubber (its misses "
    "were read after the last rule change, for the README's known limits, and showed one "
    "evaluator bug, now fixed for every part: a refused turn removes all its terms): it is the "
    "clean held-out figure. Recall: terms removed; precision: changed words that were labelled, "
    "per attribute the scrubber logged; unrelated words kept: unlabelled words left as they were "
    "(a/an, verbs agreeing with 'they' and function words deleted with a term excepted).",
    "",
]


def scrub_texts(texts: list[str]) -> list[tuple[str, list[dict]]]:
    from mmpriv_data.transforms.scrub import scrub

    return [(r.text, r.changes) for r in map(scrub, texts)]


def scrub_texts_at(revision: str, texts: list[str]) -> list[tuple[str, list[dict]]]:
    """The scrubber of an older git revision, run in a child process on the same texts."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", revision, "mmpriv_data"],
                                 capture_output=True, check=True).stdout  # fmt: skip
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        (root / "texts.json").write_text(json.dumps(texts))
        done = subprocess.run(
            [sys.executable, __file__, "--worker", str(root / "texts.json")],
            env={**os.environ, "PYTHONPATH": tmp}, cwd=tmp, capture_output=True, text=True,
            check=True,
        )  # fmt: skip
        return [tuple(r) for r in json.loads(done.stdout)]


def percent(rate: float | None) -> str:
    return "n/a" if rate is None else f"{100 * rate:.1f}%"


def table(summaries: dict[str, dict]) -> list[str]:
    """One row per attribute; a column pair (recall, precision) per scored variant."""
    names = list(summaries)
    head = "| attribute | terms | " + " | ".join(f"recall {n} | precision {n}" for n in names)
    lines = [head + " |", "|---|---|" + "---|---|" * len(names)]
    first = summaries[names[0]]["per_attribute"]
    for attribute in first:
        cells = [f"{percent(summaries[n]['per_attribute'][attribute]['recall'])} | "
                 f"{percent(summaries[n]['per_attribute'][attribute]['precision'])}"
                 for n in names]  # fmt: skip
        lines.append(f"| {attribute} | {first[attribute]['terms']} | " + " | ".join(cells) + " |")
    rows = [("all attributes (recall)", "recall_all"), ("unrelated words kept", "unrelated_kept"),
            ("hard-negative spans kept", "hard_negatives_kept")]  # fmt: skip
    for title, key in rows:
        cells = "".join(f" {percent(summaries[n][key])} | |" for n in names)
        lines.append(f"| {title} | |{cells}")
    cells = "".join(f" {summaries[n]['grammar_problems']} | |" for n in names)
    lines.append(f"| grammar problems (outputs) | |{cells}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=[*PARTS, "all"], default="all")
    parser.add_argument("--baseline", help="git revision whose scrubber to score as 'before'")
    parser.add_argument("--misses", type=int, default=30, help="misses listed per attribute")
    parser.add_argument("--out", type=Path, default=REPO / "bench/results/scrub_eval.md")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(scrub_texts(json.loads(args.worker.read_text()))))
        return
    sys.path.insert(0, str(REPO))
    from mmpriv_data.transforms.scrub.evaluation import evaluate, load_corpus

    parts = PARTS if args.part == "all" else (args.part,)
    title = "# Scrubber on the labelled corpus (`python bench/scrub_eval.py`)"
    lines, record = [title, "", *NOTES], {}
    for part in parts:
        items = load_corpus(CORPUS / f"{part}.txt")
        texts = [item.text for item in items]
        variants = {"after": scrub_texts(texts)}
        if args.baseline:
            variants = {"before": scrub_texts_at(args.baseline, texts), **variants}
        reports = {name: evaluate(items, results) for name, results in variants.items()}
        summaries = {name: report.summary() for name, report in reports.items()}
        record[part] = {"items": len(items), **summaries}
        title = f"## {part} part: {len(items)} items"
        if args.baseline:
            title += f" (before = `{args.baseline}`, after = this tree)"
        lines += [title, "", *table(summaries), ""]
        report = reports["after"]
        lines += [f"Unrelated words: {summaries['after']['unrelated_words']}; words of "
                  "sentences dropped whole for stating a biometric: "
                  f"{summaries['after']['dropped_with_biometric_sentence']}.", ""]  # fmt: skip
        lines += [f"### Misses ({part}, after)", ""]
        for attribute, misses in report.misses.items():
            for where, term, _, output in misses[: args.misses]:
                lines.append(f"- {attribute} `{term}` ({where}): {output}")
        lines += ["", f"### Unrelated words changed ({part}, after)", ""]
        lines += [f"- `{word}` as {attribute} ({where}): {output}"
                  for where, word, attribute, output in report.wrongly_changed]  # fmt: skip
        lines += ["", f"### Grammar problems ({part}, after)", ""]
        lines += [f"- {problem} ({where}): {output}" for where, problem, output in report.grammar]
        lines.append("")
    text = "\n".join(lines)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.part == "all":
        args.out.write_text(text)
        args.out.with_suffix(".json").write_text(json.dumps(record, indent=1) + "\n")
        print(f"wrote {args.out} and {args.out.with_suffix('.json')}")


if __name__ == "__main__":
    main()
