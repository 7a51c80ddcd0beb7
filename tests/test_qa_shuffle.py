"""evaluators.qa.shuffle_options: seeded, answer follows its option, letters decorrelated."""

from collections import Counter

from evaluators.qa import shuffle_options

OPTIONS = ["Paris", "Lyon", "Nice", "Lille"]


def question(qid: str, answer: str = "B") -> dict:
    return {"qid": qid, "task": "mcq", "options": list(OPTIONS), "answer": answer}


def test_answer_letter_follows_the_right_option():
    for i in range(50):
        for answer in "ABCD":
            q = question(f"p{i}-mcq-city", answer)
            moved = shuffle_options(q, seed=7)
            assert sorted(moved["options"]) == sorted(OPTIONS)
            right = OPTIONS["ABCD".index(answer)]
            assert moved["options"]["ABCD".index(moved["answer"])] == right
            assert q["options"] == OPTIONS and q["answer"] == answer  # input left untouched


def test_same_seed_same_order_other_seed_other_order():
    q = question("p1-mcq-city")
    assert shuffle_options(q, 1) == shuffle_options(q, 1)
    orders = {tuple(shuffle_options(q, seed)["options"]) for seed in range(40)}
    assert len(orders) > 10  # 24 orders exist; 40 seeds reach most of them


def test_letters_carry_no_memory_of_the_stored_order():
    # Every stored answer is "A"; after shuffling, the right letter is spread over A-D.
    letters = Counter(
        shuffle_options(question(f"p{i}-mcq-x", "A"), 0)["answer"] for i in range(400)
    )
    assert set(letters) == set("ABCD")
    assert all(60 <= n <= 140 for n in letters.values()), letters


def test_other_tasks_pass_through():
    cloze = {"qid": "p1-cloze-city", "task": "cloze", "options": [], "answer": "Paris"}
    assert shuffle_options(cloze, 3) is cloze
