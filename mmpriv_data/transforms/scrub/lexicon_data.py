"""The reference word lists under `data/`, each a TSV file whose header comment names its
source (country demonyms, language-named peoples, census race categories, published gendered
word pairs, a professions list, hair, eye and skin colour scales).

>>> "Thai" in race_terms() and "Kenyan" in race_terms()
True
>>> gendered_nouns()["monk"]
'monastic'
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


def rows(name: str) -> list[dict[str, str]]:
    """The rows of data/NAME as dicts keyed by the header line; '#' lines are comments."""
    lines = [
        line for line in (DATA / name).read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]  # fmt: skip
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]


@cache
def race_terms() -> frozenset[str]:
    """Demonyms of every country, peoples named like their language, census categories and
    pan-ethnic terms, as written (capitalised)."""
    terms = {row["demonym"] for row in rows("demonyms.tsv") if row["demonym"]}
    terms |= {row["name"] for row in rows("language_ethnonyms.tsv")}
    terms |= {row["term"] for row in rows("ethnicity_terms.tsv")}
    return frozenset(terms)


@cache
def gendered_nouns() -> dict[str, str]:
    """Singular gendered nouns and irregular plurals -> neutral replacement."""
    return {row["word"]: row["neutral"] for row in rows("gendered_nouns.tsv")}


@cache
def irregular_plurals() -> frozenset[str]:
    return frozenset(row["word"] for row in rows("gendered_nouns.tsv") if row["plural"] == "1")


@cache
def person_nouns() -> frozenset[str]:
    return frozenset(row["word"] for row in rows("person_nouns.tsv"))


@cache
def colours(name: str) -> frozenset[str]:
    """Terms of hair_colours.tsv, eye_colours.tsv or skin_tones.tsv."""
    return frozenset(row["term"] for row in rows(name))


@cache
def skin_words_alone() -> frozenset[str]:
    """Skin words that describe a person without "skin" after them ("a tanned student")."""
    return frozenset(row["term"] for row in rows("skin_tones.tsv") if row["before_person"] == "1")
