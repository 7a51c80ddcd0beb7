"""The README's headline figures and where each one lives in `bench/results/`.

Kept apart from `test_readme_figures.py` (which checks them) so that updating a figure's
place is a one-line change in a short file.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Key:
    """A headline figure: `readme` (group 1: the figure) must equal the value at `where` in
    `file` (a JSON path of keys, or a regex over the text whose group 1 is the value), times
    `scale`, at the README's precision."""

    readme: str
    file: str
    where: tuple | str
    scale: float = 1.0


# fmt: off
KEY_FIGURES = [
    Key(r"batched \*\*(\d+) samples/s", "mia_scoring.json", ("batched_samples_per_s",)),
    Key(r"samples/s vs [\d.]+ one at a time \(([\d.]+)x\)", "mia_scoring.json", ("speedup",)),
    Key(r"forward passes alone reach ([\d.]+) TFLOP/s", "mia_scoring.json",
        ("forward_only_tflops",)),
    Key(r"overall ([\d.]+) TFLOP/s", "mia_scoring.json", ("batched_tflops",)),
    Key(r"\+15 years on every member flagged (\d)/5", "audit_power.json",
        ("summary", "flag_rate", "years+15", "1", "flagged")),
    Key(r"on half (\d)/5", "audit_power.json",
        ("summary", "flag_rate", "years+15", "0.5", "flagged")),
    Key(r"`text_dates` ([\d.]+) ±", "audit_power.md", r"\| `text_dates` \| ([\d.]+) ±"),
    Key(r"forget 36.0% -> GA ([\d.]+)", "unlearning.json", ("means", "ga", "forget", "mean"), 100),
    Key(r"NPO ([\d.]+) \[[\d.]+, [\d.]+\] \(95% t", "unlearning.json",
        ("means", "npo", "forget", "mean"), 100),
    Key(r"GradDiff\s+and KL do not: retain ([\d.]+)", "unlearning.json",
        ("posthoc_common_level_without_npo", "means", "ga", "retain", "mean"), 100),
    Key(r"`ref` AUC ([\d.]+) \[", "mia_attacks.md", r"\| ref \| 1 \| 3 \| ([\d.]+)"),
    Key(r"default style username read ([\d.]+)", "legibility.md",
        r"\| default \(16 px, opacity 0.5\) \| 224 px \| ([\d.]+)"),
    Key(r"images at 224 px, ([\d.]+) at 336 px", "legibility.md",
        r"\| default \(16 px, opacity 0.5\) \| 336 px \| ([\d.]+)"),
    Key(r"at 336 px and ([\d.]+) at 448 px", "legibility.md",
        r"\| default \(16 px, opacity 0.5\) \| 448 px \| ([\d.]+)"),
    Key(r"([\d.]+)k tokens/s \(\*\*[\d.]+% MFU", "trainers.md",
        r"`--fused-lora` \| \*\*([\d,]+)\*\*", 1e-3),
    Key(r"\(\*\*([\d.]+)% MFU", "trainers.md",
        r"`--fused-lora` \| \*\*[\d,]+\*\* \| [\d.]+% \| \*\*([\d.]+)%"),
    Key(r"blind: recall ([\d.]+)% \(`heldout4`\)", "scrub_eval.md",
        r"(?s)## heldout4 part.*?\| all attributes \(recall\) \| \| [^|]+\| \| ([\d.]+)%"),
    Key(r"privacy score \(mean, 95% t interval over seeds\) is ([\d.]+) \[", "spy_seeds.json",
        ("means", "sft", "privacy_score", "mean")),
    Key(r"NCA-P minus DPO \(paired by seed\) is \+([\d.]+) \[", "spy_seeds.json",
        ("paired", "nca_p - dpo", "privacy_score", "mean")),
    Key(r"([\d.]+)% \(`heldout7`\) and", "scrub_eval.json",
        ("heldout7", "`9cf652e`", "recall_all"), 100),
    Key(r"and ([\d.]+)% \(`heldout8`", "scrub_eval.json",
        ("heldout8", "`ec2b2fb`", "recall_all"), 100),
    Key(r", ([\d.]+)% \(`heldout9`", "scrub_eval.json",
        ("heldout9", "`8ca2f7d`", "recall_all"), 100),
    Key(r"and ([\d.]+)% \(`heldout10`", "scrub_eval.json",
        ("heldout10", "`eaff886`", "recall_all"), 100),
    Key(r"([\d.]+)% \(`heldout11`", "scrub_eval.json",
        ("heldout11", "`7debe2c`", "recall_all"), 100),
    Key(r"([\d.]+)% \(`heldout13`", "scrub_eval.json",
        ("heldout13", "`6d0ac44`", "recall_all"), 100),
    Key(r"([\d.]+)% with the\s+contextual tagger; 84", "scrub_eval.json",
        ("heldout13", "`6d0ac44` + minilm", "recall_all"), 100),
    Key(r"([\d.]+)% \(`heldout14`", "scrub_eval.json",
        ("heldout14", "`10a2cc4`", "recall_all"), 100),
    Key(r"([\d.]+)% with the\s+contextual tagger; (?=[\d.]+% \(`heldout15`)", "scrub_eval.json",
        ("heldout14", "`10a2cc4` + minilm", "recall_all"), 100),
    Key(r"([\d.]+)% \(`heldout15`", "scrub_eval.json",
        ("heldout15", "`63cd569`", "recall_all"), 100),
    Key(r"([\d.]+)% with the\s+contextual tagger; (?=[\d.]+% \(`heldout16`)", "scrub_eval.json",
        ("heldout15", "`63cd569` + minilm", "recall_all"), 100),
    Key(r"([\d.]+)% \(`heldout16`", "scrub_eval.json",
        ("heldout16", "`6de7600`", "recall_all"), 100),
    Key(r"([\d.]+)% with the\s+contextual tagger; (?=[\d.]+% \(`heldout17`)", "scrub_eval.json",
        ("heldout16", "`6de7600` + minilm", "recall_all"), 100),
    Key(r"([\d.]+)% \(`heldout17`", "scrub_eval.json",
        ("heldout17", "`ce417d5`", "recall_all"), 100),
    Key(r"([\d.]+)% with\s+the contextual tagger; (?=[\d.]+% \(`heldout18`)", "scrub_eval.json",
        ("heldout17", "`ce417d5` + minilm", "recall_all"), 100),
    Key(r"([\d.]+)% \(`heldout18`, by", "scrub_eval.json",
        ("heldout18", "`76b617c`", "recall_all"), 100),
    Key(r"([\d.]+)%\s+with the contextual tagger and", "scrub_eval.json",
        ("heldout18", "`76b617c` + minilm", "recall_all"), 100),
    Key(r"and ([\d.]+)% \(`heldout18`, 97", "scrub_eval.json",
        ("heldout18", "`76b617c` + learned", "recall_all"), 100),
    Key(r"([\d.]+)% \(`heldout19`, by", "scrub_eval.json",
        ("heldout19", "`76b617c`", "recall_all"), 100),
    Key(r"and ([\d.]+)% \(`heldout19`, 97", "scrub_eval.json",
        ("heldout19", "`76b617c` + learned", "recall_all"), 100),
    Key(r"([\d.]+)% \(`heldout20`, by", "scrub_eval.json",
        ("heldout20", "this tree", "recall_all"), 100),
    Key(r"([\d.]+)% \(`heldout20`, 97", "scrub_eval.json",
        ("heldout20", "this tree + learned", "recall_all"), 100),
    Key(r"([\d.]+)% \(`heldout21`, by", "scrub_eval_heldout21.json",
        ("heldout21", "this tree", "recall_all"), 100),
    Key(r"([\d.]+)% \(`heldout21`, 96", "scrub_eval_heldout21.json",
        ("heldout21", "this tree + learned", "recall_all"), 100),
    Key(r"\(([\d.]+)% with the round-17 ones\)", "scrub_eval_heldout21.json",
        ("heldout21", "`73d010c`", "recall_all"), 100),
    Key(r"\(([\d.]+)% with the round-17\s+scrubber and its adapter\)", "scrub_eval_heldout21.json",
        ("heldout21", "`73d010c` + learned", "recall_all"), 100),
    Key(r"\(([\d.]+)% with the round-16 ones\)", "scrub_eval.json",
        ("heldout20", "`76b617c`", "recall_all"), 100),
    Key(r"\(([\d.]+)% with the round-15 one\)", "scrub_eval.json",
        ("heldout18", "`ce417d5`", "recall_all"), 100),
    Key(r"\(([\d.]+)% with the round-14 one\)", "scrub_eval.json",
        ("heldout17", "`6de7600`", "recall_all"), 100),
    Key(r"\(([\d.]+)% with the round-13 one\)", "scrub_eval.json",
        ("heldout16", "`63cd569`", "recall_all"), 100),
    Key(r"\(([\d.]+)% with the round-12 one\)", "scrub_eval.json",
        ("heldout15", "`10a2cc4`", "recall_all"), 100),
    Key(r"\(([\d.]+)% with the round-11 one\)", "scrub_eval.json",
        ("heldout14", "`6d0ac44`", "recall_all"), 100),
    Key(r"([\d.]+)% \(`heldout12`", "scrub_eval.json",
        ("heldout12", "`15f6a08`", "recall_all"), 100),
    Key(r"([\d.]+)% with the opt-in contextual\s+tagger", "scrub_eval.json",
        ("heldout12", "`15f6a08` + minilm", "recall_all"), 100),
    Key(r"would have scored ([\d.]+)%\)", "scrub_eval.json",
        ("heldout12", "`7debe2c`", "recall_all"), 100),
    Key(r"reads the username line exactly in ([\d.]+)% of", "probing_reader.json",
        ("reader", "ctc_username_line_exact"), 100),
    Key(r"minus the matched rate_0 model's, scores ([\d.]+) \[", "probing_reader.json",
        ("positive_control", "best_layer_acc")),
    Key(r"its LM spells ([\d.]+)% of usernames exactly", "probing_reader.json",
        ("reader", "username_exact"), 100),
    Key(r"90.3 rows/s on one Ray node and ([\d.]+) on two", "scale.md",
        r"Ray, 2 nodes \(1 CPU each\) \| ([\d.]+)"),
    Key(r"1.0`\) runs at ([\d.]+)x the all-core floor", "embed.json", ("photo", "ratio")),
    Key(r"the command as a user runs it at ([\d.]+)x", "embed.json", ("photo", "ratio_cli")),
]
# fmt: on
