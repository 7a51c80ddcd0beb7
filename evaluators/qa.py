"""MLLMU-Bench question answering: multiple choice, cloze and generation, by modality.

Scoring is apart from answering, so metrics are checked on any table of answers:
- mcq: the first non-space character of the answer must be the right letter (accuracy);
- cloze: the ground truth appears in the answer, case-insensitively (accuracy);
- generation: ROUGE-1/2/L F-measure with stemming (rouge-score).
Multiple choice also gets `choice_accuracy`: the letter among A-D the model puts most probability
on as its next token. A model that never answers with a letter (an untrained one) scores 0 by
the first-letter rule but about chance (25%) by this one.
Each is reported for questions asked with the portrait ("image+text") and by name ("text").

>>> score_answers([{"qid": "q", "task": "mcq", "with_image": True, "answer": "B"}], ["B."])
... # doctest: +ELLIPSIS
{'aggregate': {'mcq': {'image+text': {'accuracy': 1.0, 'n': 1}}}, 'per_sample': [...]}
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

TASKS = ("mcq", "cloze", "generation")
ROUGE_TYPES = ("rouge1", "rouge2", "rougeL")
# Greedy decoding budgets: a letter, a short fill-in, a sentence (MLLMU-Bench: 50 new tokens).
MAX_NEW_TOKENS = {"mcq": 4, "cloze": 24, "generation": 50}


def modality(question: dict) -> str:
    return "image+text" if question["with_image"] else "text"


def mcq_correct(prediction: str, answer: str) -> float:
    """1.0 when the first non-space character is the answer letter (case-insensitive)."""
    stripped = prediction.strip()
    return float(bool(stripped) and stripped[0].upper() == answer.strip().upper()[:1])


def cloze_correct(prediction: str, answer: str) -> float:
    return float(answer.strip().lower() in prediction.lower())


def rouge(predictions: Sequence[str], references: Sequence[str]) -> list[dict[str, float]]:
    """ROUGE-1/2/L F-measure per pair, Porter stemming (as MLLMU-Bench and TOFU)."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)
    return [
        {kind: score.fmeasure for kind, score in scorer.score(ref, pred).items()}
        for pred, ref in zip(predictions, references, strict=True)
    ]


def score_answers(
    questions: Sequence[dict], predictions: Sequence[str], choices: Sequence[str | None] = ()
) -> dict:
    """{"aggregate": {task: {modality: metrics}}, "per_sample": [...]}, the answers scored.

    `choices` (optional, one per question): the letter a model ranks first for mcq questions.
    """
    choices = list(choices) or [None] * len(questions)
    if len(questions) != len(predictions) or len(choices) != len(questions):
        raise ValueError(f"{len(questions)} questions but {len(predictions)} predictions")
    generation = [i for i, q in enumerate(questions) if q["task"] == "generation"]
    rouge_by_index = dict(
        zip(
            generation,
            rouge(
                [predictions[i] for i in generation], [questions[i]["answer"] for i in generation]
            )
            if generation
            else [],
            strict=True,
        )
    )
    per_sample, groups = [], defaultdict(list)
    for i, (question, prediction) in enumerate(zip(questions, predictions, strict=True)):
        task = question["task"]
        if task == "mcq":
            scores = {"accuracy": mcq_correct(prediction, question["answer"])}
            if choices[i] is not None:
                scores["choice_accuracy"] = mcq_correct(choices[i], question["answer"])
        elif task == "cloze":
            scores = {"accuracy": cloze_correct(prediction, question["answer"])}
        elif task == "generation":
            scores = rouge_by_index[i]
        else:
            raise ValueError(f"question {question.get('qid')}: unknown task {task!r}")
        per_sample.append(
            {
                "qid": question.get("qid"),
                "task": task,
                "modality": modality(question),
                "prediction": prediction,
                "answer": question["answer"],
                **scores,
            }
        )
        groups[(task, modality(question))].append(scores)
    aggregate: dict = {}
    for (task, mode), rows in sorted(groups.items()):
        metrics = {key: sum(r[key] for r in rows) / len(rows) for key in rows[0]}
        aggregate.setdefault(task, {})[mode] = {**metrics, "n": len(rows)}
    return {"aggregate": aggregate, "per_sample": per_sample}


def mcq_overall(scores: dict) -> dict:
    """Multiple-choice accuracy of one config's `score_answers` result over both modalities,
    each weighted by its number of questions (`choice_accuracy` too, where it was scored)."""
    by_mode = scores["aggregate"]["mcq"]
    n = sum(m["n"] for m in by_mode.values())
    out = {"n": n}
    for key in ("accuracy", "choice_accuracy"):
        if all(key in m for m in by_mode.values()):
            out[key] = sum(m[key] * m["n"] for m in by_mode.values()) / n
    out["by_modality"] = by_mode
    return out


def shuffle_options(question: dict, seed: int) -> dict:
    """A copy of a multiple-choice question with its options reordered, and its answer letter
    moved with the right option; other tasks are returned as they are.

    The order is drawn from (seed, qid), so it is the same on every run and for a question's
    paraphrase in `test` (same qid), yet unrelated to the stored order a model was finetuned
    on: a model that learned "the answer is B" without the fact scores chance.

    >>> q = {"qid": "p1-mcq-city", "task": "mcq", "options": ["a", "b", "c", "d"], "answer": "A"}
    >>> moved = shuffle_options(q, seed=3)
    >>> moved["options"][ord(moved["answer"]) - ord("A")]
    'a'
    """
    from mmpriv_data.content.questions import LETTERS
    from mmpriv_data.core.seeding import stream

    if question["task"] != "mcq":
        return question
    options = list(question["options"])
    correct = options[LETTERS.index(question["answer"].strip().upper()[:1])]
    order = stream(seed, "qa", "mcq-options", question["qid"]).permutation(len(options))
    options = [options[i] for i in order.tolist()]
    return {**question, "options": options, "answer": LETTERS[options.index(correct)]}


def prompt_messages(question: dict) -> list[dict]:
    """The user turn a question is asked with (the prompt `trainers.data` trains on)."""
    from mmpriv_data.content.questions import mcq_prompt

    text = mcq_prompt(question) if question["task"] == "mcq" else question["question"]
    content = [{"type": "image"}] if question["with_image"] else []
    return [{"role": "user", "content": [*content, {"type": "text", "text": text}]}]


def letter_token_ids(processor) -> list[int]:
    """The token that starts the reply "A" (B, C, D) right after the generation prompt."""
    from mmpriv_data.content.questions import LETTERS

    question = {"task": "cloze", "with_image": False, "question": "?"}
    prompt = processor.apply_chat_template(
        prompt_messages(question), tokenize=False, add_generation_prompt=True
    )
    prompt_ids = processor.tokenizer(prompt, add_special_tokens=False)["input_ids"]
    ids = []
    for letter in LETTERS:
        reply = [{"role": "assistant", "content": [{"type": "text", "text": letter}]}]
        full = processor.apply_chat_template(prompt_messages(question) + reply, tokenize=False)
        full_ids = processor.tokenizer(full, add_special_tokens=False)["input_ids"]
        ids.append(full_ids[len(prompt_ids)] if full_ids[: len(prompt_ids)] == prompt_ids else 0)
    return ids


def prompt_batch(processor, items: Sequence[tuple[dict, object]], with_image: bool) -> dict:
    """The chat prompts of (question, portrait) pairs as one padded batch, with the portraits
    when `with_image` (the caller sets the padding side)."""
    from trainers.data import to_pil

    texts = [
        processor.apply_chat_template(
            prompt_messages(question), tokenize=False, add_generation_prompt=True
        )
        for question, _ in items
    ]
    images = [to_pil(image) for _, image in items] if with_image else None
    return processor(text=texts, images=images, padding=True, return_tensors="pt")


def answer_questions(
    model, processor, items: Sequence[tuple[dict, object]], batch_size: int = 16, progress=None
) -> tuple[list[str], list[str | None]]:
    """Greedy answers to (question, portrait) pairs, batched by task and modality, and for
    multiple choice the letter ranked first as the next token. `progress(n)` after each batch."""
    import torch

    from mmpriv_data.content.questions import LETTERS

    tokenizer = processor.tokenizer
    tokenizer.padding_side = "left"  # generation continues from the right edge
    answers: list[str | None] = [None] * len(items)
    choices: list[str | None] = [None] * len(items)
    letter_ids = letter_token_ids(processor)
    order = sorted(range(len(items)), key=lambda i: (items[i][0]["task"], modality(items[i][0])))
    groups = defaultdict(list)
    for i in order:
        groups[(items[i][0]["task"], items[i][0]["with_image"])].append(i)
    device = next(model.parameters()).device
    for (task, with_image), indices in groups.items():
        for start in range(0, len(indices), batch_size):
            chunk = indices[start : start + batch_size]
            batch = prompt_batch(processor, [items[i] for i in chunk], with_image)
            batch = {k: v.to(device) if hasattr(v, "to") else v for k, v in batch.items()}
            with torch.no_grad():
                if task == "mcq":
                    next_logits = model(**batch).logits[:, -1, letter_ids]
                    for i, best in zip(chunk, next_logits.argmax(-1).tolist(), strict=True):
                        choices[i] = LETTERS[best]
                output = model.generate(
                    **batch,
                    max_new_tokens=MAX_NEW_TOKENS[task],
                    do_sample=False,
                    pad_token_id=tokenizer.pad_token_id,
                )
            new_tokens = output[:, batch["input_ids"].shape[1] :]
            for i, text in zip(
                chunk, tokenizer.batch_decode(new_tokens, skip_special_tokens=True), strict=True
            ):
                answers[i] = text.strip()
            if progress is not None:
                progress(len(chunk))
    return answers, choices


def load_eval_model(model_path: str, bf16: bool = False):
    """A saved model, merged or an adapter folder (transformers loads the base + adapter)."""
    import torch

    from mmpriv_data.core.models import load_image_text_model

    dtype = torch.bfloat16 if bf16 else torch.float32
    return load_image_text_model(model_path, dtype=dtype)


def _profile_questions(row: dict) -> bool:
    questions = row.get("questions")
    if not isinstance(questions, list):
        return False
    keys = {"task", "question", "answer", "with_image"}
    return all(isinstance(q, dict) and keys <= q.keys() for q in questions)


def evaluate_qa(
    model_path: str,
    data: str,
    configs: Sequence[str],
    tasks: Sequence[str] = TASKS,
    batch_size: int = 16,
    limit: int | None = None,
    bf16: bool = False,
    loaded=None,
    shuffle_seed: int | None = None,
    split: str | None = None,
    progress=None,
) -> dict:
    """{config: score_answers(...)} over each config's `questions` column (first `limit` rows).

    `shuffle_seed`: multiple-choice options are reordered per question (`shuffle_options`),
    so that the letter a model was trained on carries no memory; None keeps the stored order.

    >>> evaluate_qa("ft-model", "hub/profiles", ["forget_10", "retain_90"])  # doctest: +SKIP
    """
    from mmpriv_data.core.errors import MmprivError
    from trainers.data import load_rows

    unknown = sorted(set(tasks) - set(TASKS))
    if unknown:
        raise MmprivError(f"--tasks {','.join(unknown)}: expected some of {', '.join(TASKS)}")
    by_config = {}  # every config read and checked before the model loads
    for config in configs:
        rows = load_rows(data, config, split)
        rows = [rows[i] for i in range(len(rows))][:limit]
        if rows and not _profile_questions(rows[0]):
            raise MmprivError(
                f"--data {data} --config {config}: no profiles `questions` column "
                "(task, question, answer); eval qa reads a profiles dataset"
            )
        by_config[config] = rows
    model, processor = loaded or load_eval_model(model_path, bf16)
    report = {"model": model_path, "data": data, "configs": {}}
    if progress is not None:  # the bar's total: every question asked
        asked = [q for rows in by_config.values() for r in rows for q in r["questions"]]
        progress(0, total=sum(q["task"] in tasks for q in asked))
    for config, rows in by_config.items():
        items = [
            (q, row["images"][0]) for row in rows for q in row["questions"] if q["task"] in tasks
        ]
        if shuffle_seed is not None:
            items = [(shuffle_options(q, shuffle_seed), image) for q, image in items]
        predictions, choices = answer_questions(model, processor, items, batch_size, progress)
        report["configs"][config] = score_answers([q for q, _ in items], predictions, choices)
    return report
