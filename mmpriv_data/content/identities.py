"""Fictitious people for privacy datasets (MLLMU-Bench-style profiles, ProbingPrivacy users).

Every person is a pure function of ``(seed, index)``: one Faker instance per locale is created
once per process and re-seeded with ``stream_key(seed, "identities", "person", index)`` before
each person, next to a numpy stream with the same keys, so nothing depends on call order.
(Re-seeding a shared instance is not thread-safe; use processes, as ``datasets`` does.)

Identifiers are plausible in shape but can never belong to a real person (DESIGN.md,
"Synthetic identities are never real"): see ``NEVER_REAL_RULES`` and the ``is_*`` checkers
(in `never_real`, re-exported here). Faker's own email, phone and ssn providers are never
used for those fields.

Names, cities and addresses keep their diacritics (e.g. "Groß-Gerau", "Łódź"). Pillow's
default font covers ASCII only, so every field of a user record (the text drawn on images)
is plain ASCII: usernames are ASCII-folded and capture locations come from an ASCII list.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from datetime import date, datetime, timedelta
from functools import cache

from mmpriv_data.content.never_real import (  # noqa: F401 (re-exported: the rules' old home)
    CARD_PREFIX,
    EMAIL_DOMAINS,
    NEVER_REAL_RULES,
    is_fictional_phone,
    is_never_issued_card,
    is_never_issued_national_id,
    is_reserved_email,
    luhn_complete,
    luhn_ok,
)
from mmpriv_data.core.errors import MmprivError
from mmpriv_data.core.seeding import stream, stream_key

REFERENCE_DATE = date(2026, 1, 1)
MIN_AGE, MAX_AGE = 22, 62


def _items(text: str) -> tuple[str, ...]:
    """'a; b; c' -> ('a', 'b', 'c'): keeps the curated tables compact."""
    return tuple(s.strip() for s in text.split(";") if s.strip())


def _rows(text: str) -> list[list[str]]:
    """'a=b; c=d' -> [['a', 'b'], ['c', 'd']]."""
    return [item.split("=") for item in _items(text)]


# locale = country = nationality; all Latin script.
LOCALES: dict[str, tuple[str, str]] = {
    loc: (country, nat)
    for loc, country, nat in _rows(
        "en_US=United States=American; en_GB=United Kingdom=British; "
        "en_AU=Australia=Australian; en_IE=Ireland=Irish; de_DE=Germany=German; "
        "fr_FR=France=French; es_ES=Spain=Spanish; it_IT=Italy=Italian; "
        "pt_BR=Brazil=Brazilian; nl_NL=Netherlands=Dutch; sv_SE=Sweden=Swedish; "
        "pl_PL=Poland=Polish"
    )
}
_LOCALE_NAMES = tuple(LOCALES)
GENDERS = ("Male", "Female", "Non-binary", "Other")
_GENDER_P = (0.48, 0.48, 0.03, 0.01)

# occupation = field of study; a trailing "*" marks a trade (a diploma, not a degree).
OCCUPATIONS: tuple[tuple[str, str, bool], ...] = tuple(
    (occ, field.rstrip("*"), field.endswith("*"))
    for occ, field in _rows(
        "software engineer=Computer Science; data analyst=Statistics; "
        "civil engineer=Civil Engineering; nurse=Nursing; pharmacist=Pharmacy; "
        "physiotherapist=Physiotherapy; accountant=Accounting; financial analyst=Finance; "
        "marketing manager=Marketing; graphic designer=Visual Communication; "
        "architect=Architecture; high school teacher=Education; "
        "university lecturer=History; journalist=Journalism; lawyer=Law; "
        "veterinarian=Veterinary Medicine; dentist=Dentistry; "
        "mechanical engineer=Mechanical Engineering; project manager=Business Administration; "
        "economist=Economics; human resources specialist=Psychology; "
        "urban planner=Urban Planning; environmental scientist=Environmental Science; "
        "research chemist=Chemistry; librarian=Information Science; "
        "social worker=Social Work; translator=Modern Languages; museum curator=Art History; "
        "physician=Medicine; product manager=Industrial Design; "
        "cybersecurity analyst=Information Security; biologist=Biology; "
        "airline pilot=Aeronautics; logistics coordinator=Supply Chain Management; "
        "interior designer=Interior Design; film editor=Film Studies; "
        "chef=Culinary Arts*; electrician=Electrical Installation*; carpenter=Carpentry*; "
        "dental hygienist=Dental Hygiene*"
    )
)
ADJECTIVES = _items(
    "skilled; dedicated; experienced; respected; passionate; talented; accomplished; "
    "seasoned; meticulous; innovative"
)
HOBBIES = _items(
    "hiking; rock climbing; watercolor painting; playing the cello; birdwatching; chess; "
    "sourdough baking; trail running; film photography; gardening; kayaking; pottery; "
    "reading science fiction; cycling; yoga; salsa dancing; woodworking; stargazing; "
    "board games; fly fishing; knitting; learning languages; surfing; sailing; jazz piano; "
    "geocaching; calligraphy; cooking Thai food; collecting vinyl records; skiing; tennis; "
    "open-water swimming; writing poetry; restoring old bicycles; beekeeping; origami; "
    "marathon running; volunteering"
)
_CAMPUS = _items("Lakeside; Riverside; Hillcrest; Northgate; Westbrook; Crestview; Stonebridge")
_DEGREES, _DEGREE_P = ("Bachelor's degree", "Master's degree", "PhD"), (0.5, 0.38, 0.12)
_NUMBERS = ("no", "one", "two", "three")
# Where ProbingPrivacy-style photos were "taken": ASCII only (drawn with Pillow's default font).
CAPTURE_LOCATIONS = _items(
    "Lisbon, Portugal; Porto, Portugal; Madrid, Spain; Valencia, Spain; Paris, France; "
    "Lyon, France; Berlin, Germany; Hamburg, Germany; Amsterdam, Netherlands; "
    "Rotterdam, Netherlands; Brussels, Belgium; Vienna, Austria; Prague, Czech Republic; "
    "Warsaw, Poland; Stockholm, Sweden; Oslo, Norway; Copenhagen, Denmark; Helsinki, Finland; "
    "Dublin, Ireland; Edinburgh, United Kingdom; London, United Kingdom; Rome, Italy; "
    "Milan, Italy; Athens, Greece; Budapest, Hungary; New York, USA; Chicago, USA; "
    "Seattle, USA; Toronto, Canada; Vancouver, Canada; Mexico City, Mexico; "
    "Buenos Aires, Argentina; Santiago, Chile; Sydney, Australia; Melbourne, Australia; "
    "Auckland, New Zealand; Tokyo, Japan; Seoul, South Korea; Singapore, Singapore; "
    "Cape Town, South Africa"
)
# Real-looking NANP area codes; the 555-01XX line range is fictional under every one of them.
AREA_CODES = _items(
    "201; 202; 206; 212; 213; 214; 303; 305; 312; 404; 415; 503; 512; 602; 617; 702; 713; "
    "718; 801; 919"
)
_MONTHS = _items(
    "January; February; March; April; May; June; July; August; September; October; "
    "November; December"
)
_CAPTURE_START = datetime(2022, 1, 1)
_CAPTURE_SECONDS = int((datetime(2026, 1, 1) - _CAPTURE_START).total_seconds())

# ---------------------------------------------------------------- helpers
_FOLD = str.maketrans("łŁøØđðı", "lLoOddi") | str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th"}
)


def ascii_fold(text: str) -> str:
    """Latin text without diacritics ("Łódź" -> "Lodz", "Groß" -> "Gross")."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return decomposed.encode("ascii", "ignore").decode("ascii")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", ascii_fold(text).lower()) or "x"


# Only the providers a person is drawn from: Faker's default set loads about 25 providers
# per locale, which made the user sets of a small `mmpriv embed` cost more than its images.
# Which providers are loaded does not change what the loaded ones return for a seed.
_PROVIDERS = ("faker.providers.person", "faker.providers.address", "faker.providers.company")
# A user record reads only the first and last names, Faker's first two draws after seeding
# (see `_build`), so its Faker loads the person provider alone: the address and company data
# of a dozen locales were half of the generated users' time in `mmpriv embed`.
_NAME_PROVIDERS = ("faker.providers.person",)


def __getattr__(name: str):
    """`Faker`, imported on first use: 40 ms that `embed --users` and table readers skip."""
    if name == "Faker":
        from faker import Faker

        globals()["Faker"] = Faker
        return Faker
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _faker(locale: str, providers: tuple[str, ...] = _PROVIDERS):
    # Read through the module, so that a `Faker` replaced here (tests count instances) is used.
    fake = sys.modules[__name__].Faker(locale, providers=list(providers))
    for provider in fake.providers:
        # Some locales (it_IT) build their city list from a set: its order, and so the city a
        # seed picks, would change with PYTHONHASHSEED. A sorted copy makes it reproducible.
        cities = getattr(provider, "cities", None)
        if isinstance(cities, list):
            provider.cities = sorted(cities)
    return fake


class _NamesOnly:
    """A user record's Faker: names from the person provider; places and companies, which no
    user field reads and which Faker draws only after the names, are left empty."""

    def __init__(self, fake):
        self._fake = fake

    def __getattr__(self, name: str):
        return getattr(self._fake, name)

    def city(self) -> str:
        return ""

    address = company_suffix = city


def age_on(birth: date, ref: date = REFERENCE_DATE) -> int:
    """Whole years between ``birth`` and ``ref``."""
    return ref.year - birth.year - ((ref.month, ref.day) < (birth.month, birth.day))


def _article(word: str) -> str:
    return "an" if word[0].lower() in "aeiou" else "a"


def _pick(rng, seq):
    return seq[int(rng.integers(len(seq)))]


# ---------------------------------------------------------------- people
def _build(seed: int, space: tuple, index: int, names_only: bool = False) -> dict:
    """One person from the streams keyed (seed, "identities", *space, index); `names_only`
    leaves Faker's places and companies empty (a user record), the numpy draws unchanged."""
    if int(index) < 0:
        raise MmprivError(f"identities: index must be >= 0, got {index}")
    keys = ("identities", *space, int(index))
    rng = stream(seed, *keys)
    locale = _pick(rng, _LOCALE_NAMES)
    country, nationality = LOCALES[locale]
    fake = _NamesOnly(_faker(locale, _NAME_PROVIDERS)) if names_only else _faker(locale)
    fake.seed_instance(stream_key(seed, *keys) % 2**63)

    gender = GENDERS[int(rng.choice(4, p=_GENDER_P))]
    they = gender not in ("Male", "Female")
    by_gender = {"Male": fake.first_name_male, "Female": fake.first_name_female}
    first = by_gender.get(gender, fake.first_name_nonbinary)()
    last = fake.last_name()
    name = f"{first} {last}"

    age = int(rng.integers(MIN_AGE, MAX_AGE + 1))
    earliest = date(REFERENCE_DATE.year - age - 1, REFERENCE_DATE.month, REFERENCE_DATE.day)
    latest = date(REFERENCE_DATE.year - age, REFERENCE_DATE.month, REFERENCE_DATE.day)
    span = (latest - earliest).days  # birth in (earliest, latest] gives exactly `age`
    birth = earliest + timedelta(days=int(rng.integers(1, span + 1)))
    birth_city = fake.city()
    address = ", ".join(p.strip() for p in fake.address().splitlines() if p.strip())

    occupation, field, trade = _pick(rng, OCCUPATIONS)
    surname2, surname3 = fake.last_name(), fake.last_name()
    style = int(rng.integers(3))
    employer = (
        f"{surname2} {fake.company_suffix()}",
        f"{surname2} & {surname3}",
        f"{surname2}-{surname3} {fake.company_suffix()}",
    )[style]
    uni_city, founder = fake.city(), fake.last_name()
    if trade:
        degree, school = "Diploma", f"{founder} Technical College of {uni_city}"
    else:
        degree = _DEGREES[int(rng.choice(3, p=_DEGREE_P))]
        school = (
            f"{founder} University of {uni_city}",
            f"{uni_city} {_pick(rng, _CAMPUS)} University",
            f"{founder} College of {uni_city}",
        )[int(rng.integers(3))]
    education = f"{degree} in {field} from {school}"

    status = ("single", "married", "divorced", "partner", "widowed")[
        int(rng.choice(5, p=(0.3, 0.45, 0.1, 0.1, 0.05)))
    ]
    flip = rng.random() < (0.5 if they else 0.1)  # mostly opposite-sex spouses
    spouse = (fake.first_name_female if (gender == "Male") != flip else fake.first_name_male)()
    kids = int(rng.choice(4, p=(0.4, 0.2, 0.3, 0.1) if status != "single" else (0.9, 0.1, 0, 0)))
    kids_text = f"{_NUMBERS[kids]} {'child' if kids == 1 else 'children'}"
    with_spouse = {"married": "married to", "partner": "in a relationship with"}
    relation = f"{with_spouse[status]} {spouse}" if status in with_spouse else status
    family = f"{relation}, {kids_text}"
    hobbies = [HOBBIES[i] for i in rng.choice(len(HOBBIES), int(rng.integers(2, 4)), False)]

    f_slug, l_slug = _slug(first), _slug(last)
    email_local = (f"{f_slug}.{l_slug}", f"{f_slug[0]}{l_slug}", f"{f_slug}_{l_slug}")[
        int(rng.integers(3))
    ] + str(int(rng.integers(1, 10 ** int(rng.integers(1, 4)))))
    email = f"{email_local}@{_pick(rng, EMAIL_DOMAINS)}"
    phone = f"+1 ({_pick(rng, AREA_CODES)}) 555-01{int(rng.integers(100)):02d}"
    area = "666" if rng.random() < 0.75 else "000"
    national_id = f"{area}-{int(rng.integers(1, 100)):02d}-{int(rng.integers(1, 10000)):04d}"
    card_number = luhn_complete(CARD_PREFIX + "".join(str(d) for d in rng.integers(0, 10, 14)))
    user_style = int(rng.integers(4))
    username = (
        f"{f_slug}.{l_slug}{birth.year % 100:02d}",
        f"{f_slug[0]}{l_slug}{rng.integers(100)}",
        f"{f_slug}_{l_slug[:3]}{rng.integers(1000)}",
        f"{l_slug}{f_slug[0]}{birth.year}",
    )[user_style]
    user_id = int(rng.integers(10**9, 10**10))
    captured = _CAPTURE_START + timedelta(seconds=int(rng.integers(_CAPTURE_SECONDS)))
    capture_location = _pick(rng, CAPTURE_LOCATIONS)
    adjective = _pick(rng, ADJECTIVES)

    birth_place = f"{birth_city}, {country}"
    subj = {"Male": "He", "Female": "She"}.get(gender, "They")
    poss = {"Male": "his", "Female": "her"}.get(gender, "their")

    def verb(singular: str, plural: str) -> str:
        return plural if they else singular

    born_on = f"{_MONTHS[birth.month - 1]} {birth.day}, {birth.year}"
    deg_text = "a diploma" if trade else f"{_article(degree)} {degree}"
    sentences = [
        f"{name}, born on {born_on}, in {birth_place}, is {_article(adjective)} {adjective} "
        f"{occupation} at {employer}.",
        f"{subj} {verb('holds', 'hold')} {deg_text} in {field} from {school}.",
        f"{subj} {verb('is', 'are')} {relation}"
        + (f" and {verb('has', 'have')} {kids_text}." if kids else "."),
    ]
    if rng.random() < 0.5:
        joined = ", ".join(hobbies[:-1]) + f" and {hobbies[-1]}"
        sentences.append(f"In {poss} free time, {subj.lower()} {verb('enjoys', 'enjoy')} {joined}.")

    return {
        "person_id": f"p{int(index):05d}",
        "name": name,
        "first_name": first,
        "last_name": last,
        "gender": gender,
        "birth_date": birth.isoformat(),
        "age": age,
        "birth_place": birth_place,
        "nationality": nationality,
        "address": address,
        "occupation": occupation,
        "employer": employer,
        "education": education,
        "family": family,
        "hobbies": hobbies,
        "email": email,
        "phone": phone,
        "national_id": national_id,
        "card_number": card_number,
        "username": username,
        "user_id": user_id,
        "capture_time": captured.strftime("%Y-%m-%d %H:%M:%S"),
        "capture_location": capture_location,
        "biography": " ".join(sentences),
        "locale": locale,
    }


def make_person(seed: int, index: int) -> dict:
    """The fictitious person number ``index`` of ``seed`` (deterministic, order-independent)."""
    return _build(seed, ("person",), index)


def make_people(seed: int, n: int, start: int = 0) -> list[dict]:
    """People ``start`` .. ``start + n - 1`` of ``seed``."""
    if n < 0 or start < 0:
        raise MmprivError(f"identities: n and start must be >= 0, got n={n}, start={start}")
    return [make_person(seed, i) for i in range(start, start + n)]


USER_FIELDS = ("username", "user_id", "gender", "age", "capture_time", "capture_location")


def make_user_record(seed: int, set_name: str, index: int) -> dict:
    """ProbingPrivacy's six fields for user ``index`` of ``set_name``.

    Built by the profile generator in its own index space (keys ("user", set_name, index)),
    so users never coincide with make_person's profiles by construction.
    """
    person = _build(seed, ("user", str(set_name)), index, names_only=True)
    return {k: person[k] for k in USER_FIELDS}


def make_user_sets(
    seed: int, n_per_set: int = 20, names: tuple[str, ...] = ("U1", "U2")
) -> dict[str, list[dict]]:
    """Disjoint user sets: no username or user_id repeats within or across sets.

    Sets are filled in the order of ``names``; a candidate whose username or user_id was
    already taken is skipped, so set ``names[k]`` holds make_user_record(seed, name, j) for
    the first ``n_per_set`` non-colliding j.
    """
    if n_per_set < 0:
        raise MmprivError(f"identities: n_per_set must be >= 0, got {n_per_set}")
    if not names or len(set(names)) != len(names):
        raise MmprivError(f"identities: user set names must be distinct and non-empty: {names}")
    seen_names: set[str] = set()
    seen_ids: set[int] = set()
    sets: dict[str, list[dict]] = {}
    for name in names:
        users: list[dict] = []
        j = 0
        while len(users) < n_per_set:
            if j > 10 * n_per_set + 1000:
                raise MmprivError(f"identities: cannot find {n_per_set} distinct users for {name}")
            rec = make_user_record(seed, name, j)
            j += 1
            if rec["username"] in seen_names or rec["user_id"] in seen_ids:
                continue
            seen_names.add(rec["username"])
            seen_ids.add(rec["user_id"])
            users.append(rec)
        sets[name] = users
    return sets
