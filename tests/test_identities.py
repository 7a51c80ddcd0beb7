"""Tests for mmpriv_data.content.identities: determinism, schema, never-real rules, user sets."""

from __future__ import annotations

import random
import re
from datetime import date, datetime

import numpy as np
import pytest

from mmpriv_data.content import identities as ids
from mmpriv_data.core.errors import MmprivError

PERSON_TYPES = {
    "person_id": str,
    "name": str,
    "first_name": str,
    "last_name": str,
    "gender": str,
    "birth_date": str,
    "age": int,
    "birth_place": str,
    "nationality": str,
    "address": str,
    "occupation": str,
    "employer": str,
    "education": str,
    "family": str,
    "hobbies": list,
    "email": str,
    "phone": str,
    "national_id": str,
    "card_number": str,
    "username": str,
    "user_id": int,
    "capture_time": str,
    "capture_location": str,
    "biography": str,
    "locale": str,
}
USER_TYPES = {
    "username": str,
    "user_id": int,
    "gender": str,
    "age": int,
    "capture_time": str,
    "capture_location": str,
}
GENDERS = {"Male", "Female", "Non-binary", "Other"}


@pytest.fixture(scope="module")
def people():
    return ids.make_people(0, 300)


def _age(birth: date, ref: date) -> int:
    years = ref.year - birth.year
    if (ref.month, ref.day) < (birth.month, birth.day):
        years -= 1
    return years


def _check_capture(rec: dict) -> None:
    t = datetime.strptime(rec["capture_time"], "%Y-%m-%d %H:%M:%S")
    assert 2022 <= t.year <= 2025
    assert re.fullmatch(r"[A-Za-z .'-]+, [A-Za-z .'-]+", rec["capture_location"])


def test_same_seed_and_index_give_identical_person():
    a = ids.make_person(0, 7)
    b = ids.make_person(0, 7)
    assert a == b
    assert a is not b


def test_person_is_independent_of_call_order_and_global_random_state():
    forward = ids.make_people(0, 10)
    random.seed(12345)
    np.random.seed(54321)
    backward = [ids.make_person(0, i) for i in reversed(range(10))][::-1]
    assert forward == backward
    ids.make_person(3, 99)  # another seed in between must not leak into the next person
    assert ids.make_person(0, 7) == forward[7]
    assert ids.make_people(0, 5, start=5)[2] == forward[7]


def test_different_seeds_differ():
    a = ids.make_people(0, 20)
    b = ids.make_people(1, 20)
    assert all(x != y for x, y in zip(a, b, strict=True))
    for key in ("name", "user_id", "card_number", "capture_time"):  # Faker and numpy draws
        assert sum(x[key] != y[key] for x, y in zip(a, b, strict=True)) >= 15, key
    assert len({p["name"] for p in a}) >= 18  # persons within a seed differ too
    a, b = ids.make_people(0, 150), ids.make_people(1, 150)
    same_locale = [(x, y) for x, y in zip(a, b, strict=True) if x["locale"] == y["locale"]]
    assert len(same_locale) >= 5  # Faker's draws depend on the seed, not only the locale
    assert all(x["address"] != y["address"] for x, y in same_locale)


def test_every_field_present_with_the_right_type(people):
    for i, p in enumerate(people):
        assert set(p) == set(PERSON_TYPES)
        for key, typ in PERSON_TYPES.items():
            assert type(p[key]) is typ, (key, type(p[key]))
        assert p["person_id"] == f"p{i:05d}"
        assert p["name"] == f"{p['first_name']} {p['last_name']}"
        assert p["gender"] in GENDERS
        assert p["locale"] in ids.LOCALES
        country, nationality = ids.LOCALES[p["locale"]]
        assert p["birth_place"].endswith(f", {country}") and p["nationality"] == nationality
        assert 2 <= len(p["hobbies"]) <= 3 and len(set(p["hobbies"])) == len(p["hobbies"])
        assert all(h in ids.HOBBIES for h in p["hobbies"])
        assert 10**9 <= p["user_id"] < 10**10
        assert "\n" not in p["address"] and " from " in p["education"]
        _check_capture(p)
    genders = [p["gender"] for p in people]
    assert genders.count("Male") + genders.count("Female") >= 0.85 * len(people)
    assert len({p["locale"] for p in people}) == len(ids.LOCALES)


def test_never_real_rules_hold(people):
    assert {"email", "phone", "national_id", "card_number", "user_id"} <= set(ids.NEVER_REAL_RULES)
    assert all(isinstance(v, str) and v.endswith(".") for v in ids.NEVER_REAL_RULES.values())
    for p in people:
        assert ids.is_reserved_email(p["email"]), p["email"]
        assert ids.is_fictional_phone(p["phone"]), p["phone"]
        assert re.fullmatch(r"\+1 \([2-9]\d\d\) 555-01\d\d", p["phone"])
        assert ids.is_never_issued_national_id(p["national_id"]), p["national_id"]
        assert ids.is_never_issued_card(p["card_number"]), p["card_number"]
        assert len(p["card_number"]) == 16
        local = p["email"].split("@")[0]
        last = re.sub(r"[^a-z0-9]", "", ids.ascii_fold(p["last_name"]).lower())
        assert last in local and local[-1].isdigit(), (p["email"], p["last_name"])


@pytest.mark.parametrize(
    ("checker", "bad"),
    [
        (ids.is_reserved_email, "thomas.kerrigan84@gmail.com"),
        (ids.is_reserved_email, "anna@example.com.evil.org"),
        (ids.is_reserved_email, "anna@examples.com"),
        (ids.is_reserved_email, "not an email"),
        (ids.is_fictional_phone, "555-1234"),
        (ids.is_fictional_phone, "+1 (212) 555-1234"),
        (ids.is_fictional_phone, "+1 (212) 555-0200"),
        (ids.is_fictional_phone, "+1 (212) 867-5309"),
        (ids.is_never_issued_national_id, "123-45-6789"),
        (ids.is_never_issued_national_id, "666-00-1234"),
        (ids.is_never_issued_national_id, "666-12-0000"),
        (ids.is_never_issued_national_id, "66612345"),
        (ids.is_never_issued_card, "4111111111111111"),
        (ids.is_never_issued_card, "5555555555554444"),
        (ids.is_never_issued_card, "0000000000000001"),  # MII 0 but not Luhn-valid
        (ids.is_never_issued_card, "000000000000000"),  # 15 digits
        (ids.is_reserved_email, None),
    ],
)
def test_checkers_reject_real_looking_values(checker, bad):
    assert checker(bad) is False


def test_checkers_accept_reference_values():
    assert ids.is_reserved_email("Thomas.Kerrigan84@EXAMPLE.net")
    assert ids.is_fictional_phone("+1 (415) 555-0199")
    assert ids.is_never_issued_national_id("000-01-0001")
    assert ids.is_never_issued_card("0000000000000000")
    assert ids.luhn_ok("4111111111111111") and not ids.luhn_ok("4111111111111112")


def test_ages_are_in_range_and_match_birth_date(people):
    assert date(2026, 1, 1) == ids.REFERENCE_DATE
    ages = []
    for p in people:
        birth = date.fromisoformat(p["birth_date"])
        assert 22 <= p["age"] <= 62
        assert p["age"] == _age(birth, date(2026, 1, 1)), (p["birth_date"], p["age"])
        ages.append(p["age"])
    assert min(ages) <= 25 and max(ages) >= 59  # the whole range is used


def test_biography_mentions_the_facts(people):
    for p in people:
        bio = p["biography"]
        assert bio.startswith(f"{p['name']}, born on ")
        assert p["birth_place"] in bio and p["occupation"] in bio and p["employer"] in bio
        born = date.fromisoformat(p["birth_date"])
        assert f"{born:%B} {born.day}, {born.year}" in bio
        n_sentences = 1 + len(re.findall(r"\. (?:He|She|They|In) ", bio))
        assert 3 <= n_sentences <= 4 and bio.endswith(".")


def test_user_sets_are_disjoint_with_six_ascii_fields():
    sets = ids.make_user_sets(0)
    assert list(sets) == ["U1", "U2"] and all(len(v) == 20 for v in sets.values())
    users = sets["U1"] + sets["U2"]
    assert len({u["username"] for u in users}) == 40
    assert len({u["user_id"] for u in users}) == 40
    for u in users:
        assert set(u) == set(USER_TYPES)
        for key, typ in USER_TYPES.items():
            assert type(u[key]) is typ, key
        assert 10**9 <= u["user_id"] < 10**10 and 22 <= u["age"] <= 62
        assert u["gender"] in GENDERS
        assert all(str(v).isascii() for v in u.values()), u  # drawn with Pillow's default font
        _check_capture(u)
    assert sets == ids.make_user_sets(0)
    assert sets["U1"][0] == ids.make_user_record(0, "U1", 0)
    assert sets != ids.make_user_sets(1)

    big = ids.make_user_sets(0, n_per_set=150, names=("A", "B", "C"))
    assert [len(v) for v in big.values()] == [150, 150, 150]
    flat = [u for v in big.values() for u in v]
    assert len({u["username"] for u in flat}) == len({u["user_id"] for u in flat}) == 450


def test_user_records_come_from_their_own_index_space():
    rec = ids.make_user_record(0, "U1", 3)
    assert rec == ids.make_user_record(0, "U1", 3)
    assert rec != ids.make_user_record(0, "U2", 3)
    profile_ids = {p["user_id"] for p in ids.make_people(0, 50)}
    assert not profile_ids & {ids.make_user_record(0, "U1", i)["user_id"] for i in range(50)}


def test_user_sets_skip_collisions_deterministically(monkeypatch):
    def colliding(seed, set_name, index):  # every username appears twice, ids repeat across sets
        return {"username": f"user{index // 2}", "user_id": 10**9 + index, "gender": "Male",
                "age": 30, "capture_time": "2023-01-01 00:00:00",
                "capture_location": "Lisbon, Portugal"}  # fmt: skip

    monkeypatch.setattr(ids, "make_user_record", colliding)
    sets = ids.make_user_sets(0, n_per_set=5)
    names = [u["username"] for v in sets.values() for u in v]
    uids = [u["user_id"] for v in sets.values() for u in v]
    assert len(set(names)) == len(names) == 10 and len(set(uids)) == 10
    assert [u["username"] for u in sets["U1"]] == [f"user{i}" for i in range(5)]
    assert sets == ids.make_user_sets(0, n_per_set=5)


def test_faker_instances_are_created_once_per_locale(monkeypatch):
    made = []

    def counting_faker(locale, **options):
        made.append(locale)
        return real_faker(locale, **options)

    real_faker = ids.Faker
    ids._faker.cache_clear()
    monkeypatch.setattr(ids, "Faker", counting_faker)
    try:
        ids.make_people(5, 120)
    finally:
        ids._faker.cache_clear()
    assert len(made) == len(set(made)) <= len(ids.LOCALES)


def test_bad_arguments_raise_mmpriv_error():
    with pytest.raises(MmprivError):
        ids.make_person(0, -1)
    with pytest.raises(MmprivError):
        ids.make_people(0, -2)
    with pytest.raises(MmprivError):
        ids.make_user_sets(0, names=("U1", "U1"))
    with pytest.raises(MmprivError):
        ids.make_user_sets(0, n_per_set=-1)


def test_people_do_not_depend_on_the_python_hash_seed():
    """Faker data built from sets (it_IT cities) must not change between processes."""
    import json
    import os
    import subprocess
    import sys

    code = (
        "import json; from mmpriv_data.content.identities import make_people; "
        "print(json.dumps(make_people(0, 60, start=49990)))"
    )
    outputs = {
        json.dumps(
            json.loads(
                subprocess.run(
                    [sys.executable, "-c", code],
                    env={**os.environ, "PYTHONHASHSEED": hash_seed},
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
            )
        )
        for hash_seed in ("1", "2", "3")
    }
    assert len(outputs) == 1


def test_people_and_user_sets_keep_their_bytes():
    """The people of seed 0 (all 12 locales) and the user sets of seed 3, as generated before
    Faker was cut down to the person, address and company providers: a change of providers,
    Faker version or draw order that alters any field changes this digest."""
    import hashlib
    import json

    from mmpriv_data.content.identities import make_people, make_user_sets

    blob = json.dumps(
        {"people": make_people(0, 300), "users": make_user_sets(3)}, default=str, sort_keys=True
    )
    digest = hashlib.sha256(blob.encode()).hexdigest()
    assert digest == "c0d87fa44ad968db979b91ac64ce16b6ced6734690d4521985ae9217e9102ada"
