"""Regenerate the reference word lists in `data/` that come from packages on PyPI.

    pip install countryinfo==1.0.1 pycountry==26.2.16
    python -m mmpriv_data.transforms.scrub.make_lexicon_data
    python -m mmpriv_data.transforms.scrub.make_lexicon_data colours   # needs matplotlib

Only this script needs those packages; the scrubber reads the TSV files it writes. Writes
`data/demonyms.tsv` (every ISO 3166-1 country of pycountry, with the demonym countryinfo gives,
or a marked gap) and `data/language_ethnonyms.tsv` (ISO 639-1 language names and ISO 639-5
family names from pycountry that also name a people, "Zulu", "Quechua", "Berber", and the
further English names of ISO 639-1 languages in Debian's iso-codes ISO 639-2 table, "Punjabi").
`ethnonyms` writes only `data/language_ethnonyms.tsv`.
`colours` writes `data/colour_names.tsv`: the words of the 949 colour names of the xkcd colour
survey (R. Munroe 2010, CC0), as matplotlib ships them.
"""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"
# Artificial, liturgical or extinct languages: no people is named after them.
_NOT_PEOPLES = {
    "Esperanto", "Ido", "Interlingue", "Interlingua", "Volapük", "Latin", "Sanskrit", "Pali",
    "Avestan", "Church Slavic", "Artificial", "Creoles", "Prakrit", "Egyptian", "Altaic",
    "Indo-European", "Afro-Asiatic", "Niger-Kordofanian", "Nilo-Saharan", "Sign",
    "Romance", "Italic", "Karen",  # common English words or a first name
}  # fmt: skip


# Words of xkcd colour names that name no colour ("blue with a hint of purple"), name people,
# places or peoples ("robin's egg", "irish green"), or are slang.
_NOT_COLOURS = set(
    "a and of with out off hint almost very really old baby indian irish french british "
    "prussian easter windows kermit barney barbie tiffany carolina dodger robin robin's key "
    "racing engine hospital military nice boring bland weird ugly nasty gross icky sick sickly "
    "booger barf puke vomit poo poop piss shit snot diarrhea bile bruise cadet royal hunter "
    "kelly kelley iris cheese macaroni tree poison toxic sap soup true".split()
)
# Words that name a shade of a colour, not a colour alone ("warm brown", "bright red"):
# a colour only before another colour word.
_SHADES = set(
    "acid blood bright burnt clear cool dark darkish deep dirty dull dusky dusty electric "
    "faded fire flat fluorescent fluro fresh hot light lighter lightish medium metallic mid "
    "muted neon pale pastel pure rich soft strong vibrant vivid warm washed cloudy murky "
    "shocking sea sky ocean forest jungle powder bottle lawn frog turtle duck egg shell pig "
    "milk grass night midnight stormy spring sun sunny velvet water marine leafy".split()
)


def colour_name_rows() -> list[tuple[str, str]]:
    from matplotlib._color_data import XKCD_COLORS

    words = {w for name in XKCD_COLORS for w in name[5:].replace("/", " ").split()}
    return [(w, "shade" if w in _SHADES else "name") for w in sorted(words - _NOT_COLOURS)]


def write_colour_names() -> None:
    from importlib.metadata import version

    lines = [
        "# Words of the colour names of the xkcd colour survey (R. Munroe 2010, public domain "
        "CC0; 949 names), as shipped by matplotlib "
        f"{version('matplotlib')} (matplotlib._color_data.XKCD_COLORS).",
        "# Left out: words that name no colour, people, places or peoples, and slang. "
        "kind=shade: a colour only before another colour word ('warm brown', 'bright red').",
        "# Regenerate with python -m mmpriv_data.transforms.scrub.make_lexicon_data colours",
        "term\tkind",
        *("\t".join(row) for row in colour_name_rows()),
    ]
    (DATA / "colour_names.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def demonym_rows() -> list[tuple[str, str, str]]:
    import json
    from importlib.resources import files

    import pycountry

    known = {}
    for path in files("countryinfo").joinpath("data").iterdir():
        if not path.name.endswith(".json"):
            continue
        info = json.loads(path.read_text(encoding="utf-8"))
        codes = info.get("ISO") or {}
        if info.get("demonym") and codes.get("alpha2"):
            known[codes["alpha2"]] = info["demonym"]
    rows = []
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        demonym = known.get(country.alpha_2, "")
        for word in filter(None, (w.strip() for w in demonym.split(","))):
            rows.append((country.alpha_2, country.name, word))
        if not demonym:
            rows.append((country.alpha_2, country.name, ""))
    return rows


# The ISO 639-2 table of Debian's iso-codes package (4.15.0), which keeps every English name
# of a language ("Panjabi; Punjabi", "Sinhala; Sinhalese"); pycountry keeps only the first.
ISO_639_2 = Path("/usr/share/iso-codes/json/iso_639-2.json")
# Second names that are mostly something else in captions ("Provençal herbs").
_NOT_PEOPLES |= {"Provençal", "Occidental", "Bokmål", "Nynorsk"}


def alternate_names() -> list[tuple[str, str]]:
    """(alpha_2, name) for the second and later English names of ISO 639-1 languages."""
    import json

    entries = json.loads(ISO_639_2.read_text(encoding="utf-8"))["639-2"]
    return [
        (entry["alpha_2"], name.strip())
        for entry in entries
        if "alpha_2" in entry and ";" in entry["name"]
        for name in entry["name"].split(";")[1:]
    ]


def ethnonym_rows() -> list[tuple[str, str]]:
    import pycountry

    names = [(lang.alpha_2, lang.name) for lang in pycountry.languages if hasattr(lang, "alpha_2")]
    names += [(family.alpha_3, family.name) for family in pycountry.language_families]
    if ISO_639_2.exists():
        names += alternate_names()
    rows = {}
    for code, name in names:
        name = name.split(" (")[0].removesuffix(" languages")
        if " " in name or "," in name or name in _NOT_PEOPLES or not name[:1].isupper():
            continue
        rows.setdefault(name, code)
    return sorted(((code, name) for name, code in rows.items()), key=lambda r: r[1])


def main() -> None:
    import sys
    from importlib.metadata import version

    if sys.argv[1:] == ["colours"]:
        write_colour_names()
        return
    if sys.argv[1:] == ["ethnonyms"]:  # without countryinfo: the language names only
        write_ethnonyms()
        return

    head = f"# countryinfo {version('countryinfo')}, pycountry {version('pycountry')}"
    demonyms = demonym_rows()
    lines = [
        "# Demonyms of every country in ISO 3166-1 (as listed by pycountry), from the "
        "'demonym' field of the countryinfo package (MIT licence). Empty: countryinfo has none.",
        head + "; regenerate with python -m mmpriv_data.transforms.scrub.make_lexicon_data",
        "alpha2\tcountry\tdemonym",
        *("\t".join(row) for row in demonyms),
    ]
    (DATA / "demonyms.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_ethnonyms()
    missing = [row[1] for row in demonyms if not row[2]]
    print(f"{len(demonyms)} demonym rows, {len(missing)} countries without one: {missing}")


def write_ethnonyms() -> None:
    ethnonyms = ethnonym_rows()
    lines = [
        "# Names of peoples that are also language names: ISO 639-1 languages and ISO 639-5 "
        "language families as listed by pycountry, and the further English names of ISO 639-1 "
        "languages in the ISO 639-2 table of Debian's iso-codes 4.15.0 ('Panjabi; Punjabi'), "
        "single words, artificial and liturgical languages left out. Regenerate with "
        "python -m mmpriv_data.transforms.scrub.make_lexicon_data",
        "code\tname",
        *("\t".join(row) for row in ethnonyms),
    ]
    (DATA / "language_ethnonyms.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(ethnonyms)} language ethnonyms")


if __name__ == "__main__":
    main()
