"""`mmpriv eval qa`: metrics on a known answers table, and the report of a tiny model."""

from __future__ import annotations

import json

import pytest

from evaluators.qa import mcq_overall, score_answers
from mmpriv_data.cli.app import main
from tests.fixtures_models import tiny_llava  # noqa: F401  (fixture)


def q(task: str, with_image: bool, answer: str) -> dict:
    return {"qid": f"{task}-{answer}", "task": task, "with_image": with_image, "answer": answer}


def test_scores_of_a_known_answers_table():
    questions = [
        q("mcq", True, "B"),
        q("mcq", True, "C"),
        q("mcq", False, "A"),
        q("mcq", False, "D"),
        q("cloze", True, "Software Engineer"),
        q("cloze", False, "Poland"),
        q("generation", False, "Anna was born on June 15, 1984 in Poznan."),
    ]
    predictions = [
        " B. Poland",  # first letter right
        "The answer is C",  # first letter T: wrong, whatever follows
        "a",  # lower case counts
        "",  # nothing: wrong
        "a software engineer at Acme",  # case-insensitive containment
        "Polish",  # not containing "Poland"
        "Anna was born on June 15, 1984 in Poznan.",
    ]
    report = score_answers(questions, predictions, choices=["B", "A", "A", "D", None, None, None])
    agg = report["aggregate"]
    assert agg["mcq"]["image+text"] == {"accuracy": 0.5, "choice_accuracy": 0.5, "n": 2}
    assert agg["mcq"]["text"] == {"accuracy": 0.5, "choice_accuracy": 1.0, "n": 2}
    overall = mcq_overall(report)
    assert (overall["n"], overall["accuracy"], overall["choice_accuracy"]) == (4, 0.5, 0.75)
    assert agg["cloze"]["image+text"]["accuracy"] == 1.0
    assert agg["cloze"]["text"]["accuracy"] == 0.0
    assert agg["generation"]["text"]["rougeL"] == pytest.approx(1.0)
    assert [s["qid"] for s in report["per_sample"]] == [x["qid"] for x in questions]


def test_rouge_uses_stemming():
    questions = [q("generation", True, "She works as a baker")]
    rouge = score_answers(questions, ["she worked as bakers"])["aggregate"]["generation"]
    # Stemmed: she, work, as, baker match; "a" is missing -> P=4/4, R=4/5.
    assert rouge["image+text"]["rouge1"] == pytest.approx(2 * 1 * 0.8 / 1.8)


def test_eval_qa_cli_writes_report_for_a_tiny_model(tiny_llava, tmp_path, capsys):  # noqa: F811
    from mmpriv_data.hub.build import build

    build("profiles", tmp_path / "hub", seed=0, settings={"num_profiles": 8, "image_size": 64})
    out = tmp_path / "qa.json"
    argv = ["eval", "qa", "--model", str(tiny_llava), "--data", str(tmp_path / "hub/profiles")]
    with pytest.raises(SystemExit) as done:
        main(argv + ["--configs", "forget_15,retain_85", "--out", str(out), "--limit", "1"])
    assert done.value.code in (0, None)
    report = json.loads(out.read_text())
    assert set(report["configs"]) == {"forget_15", "retain_85"}
    forget = report["configs"]["forget_15"]
    assert set(forget["aggregate"]) == {"mcq", "cloze", "generation"}
    assert forget["aggregate"]["mcq"]["image+text"]["n"] == 5  # one person: 10 MCQ, half each
    assert forget["aggregate"]["generation"]["text"]["n"] == 2
    assert len(forget["per_sample"]) == 18
    assert "retain_85" in capsys.readouterr().out


def test_eval_qa_cli_scores_a_model_that_knows_every_answer_as_right(
    tiny_llava,  # noqa: F811
    tmp_path,
    monkeypatch,
):
    """A stand-in answerer that replies each question's own answer (and one that replies another
    question's): the command must pair every reply with its question and score it."""
    import evaluators.qa as qa
    from mmpriv_data.hub.build import build

    build("profiles", tmp_path / "hub", seed=0, settings={"num_profiles": 8, "image_size": 64})
    data = str(tmp_path / "hub/profiles")

    def run(answer_of) -> dict:
        def answer(model, processor, items, *args, **kwargs):
            replies = [answer_of(items, i) for i in range(len(items))]
            tasks = [q["task"] for q, _ in items]
            letters = [r if t == "mcq" else None for r, t in zip(replies, tasks, strict=True)]
            return replies, letters

        monkeypatch.setattr(qa, "answer_questions", answer)
        out = tmp_path / f"qa-{len(list(tmp_path.glob('qa-*')))}.json"
        argv = ["eval", "qa", "--model", str(tiny_llava), "--data", data, "--out", str(out)]
        with pytest.raises(SystemExit) as done:
            main(argv + ["--configs", "forget_15,retain_85", "--limit", "2"])
        assert done.value.code in (0, None)
        return json.loads(out.read_text())["configs"]

    right = run(lambda items, i: items[i][0]["answer"])
    for config in right.values():
        aggregate = config["aggregate"]
        for by_modality in aggregate["mcq"].values():
            assert by_modality["accuracy"] == by_modality["choice_accuracy"] == 1.0
        assert all(m["accuracy"] == 1.0 for m in aggregate["cloze"].values())
        assert all(m["rougeL"] == pytest.approx(1.0) for m in aggregate["generation"].values())

    # Each reply is the answer of the question after it (same task): no longer all right.
    def shifted(items, i):
        same = [j for j, (q, _) in enumerate(items) if q["task"] == items[i][0]["task"]]
        return items[same[(same.index(i) + 1) % len(same)]][0]["answer"]

    wrong = run(shifted)["forget_15"]["aggregate"]
    assert any(m["accuracy"] < 1.0 for m in wrong["cloze"].values())
    assert any(m["rougeL"] < 0.9 for m in wrong["generation"].values())


def test_eval_qa_needs_a_config(tiny_llava, tmp_path, capsys):  # noqa: F811
    with pytest.raises(SystemExit) as failed:
        main(["eval", "qa", "--model", str(tiny_llava), "--data", str(tmp_path)])
    assert failed.value.code == 2 and "--config" in capsys.readouterr().err
