"""Every figure the README quotes from `bench/results/` is in the results file it cites, so a
stale README fails here.

Three checks, each driven by a table, so that a new result needs no new code:

1. Traced figures. The README is cut into units: a paragraph, a list item, a table row, a
   heading. A unit that names `bench/results/FILE` (also `bench/results/STEM.{json,md}`, or
   `REV:bench/results/FILE` for a file as it was at a git revision), or a bench script
   `bench/NAME.py` (its results are `bench/results/NAME*`, or SCRIPT_RESULTS), cites those
   files; list items under a citing heading and table rows under a citing paragraph cite them
   too. Every number of a citing unit outside `code spans` must be the rounding of a number in
   the cited files, read as text: at the README's precision, as a percentage of a fraction,
   or scaled by a k/M/B suffix; `3/5` must appear as written. Numbers that are settings go in
   SETTINGS, with the reason. To cover a new figure: cite its file in the same paragraph.
2. Key figures. A big JSON file holds so many numbers that most two-decimal figures round
   from one of them, so headline figures are also pinned to their place: KEY_FIGURES maps a
   README pattern to a JSON path or a Markdown pattern. Files may gain fields freely; only
   the places named here must stay.
3. No stray figures. A unit quoting a measurement (a decimal, a percentage, a ratio) without
   citing a results file must be in UNCITED, with the reason it needs no results file.

`python tests/test_readme_figures.py` lists every problem. After a re-measurement, the README
lines it names are the ones to update. How strong check 1 is: moving one README figure by one
in its last digit was caught for 206 of 341 figures (2026-12-02); the rest round from another
number of the same files (tables of similar rates), which is what KEY_FIGURES is for.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from readme_key_figures import KEY_FIGURES  # beside this file

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
RESULTS = ROOT / "bench" / "results"

RESULTS_CITED = re.compile(r"(?:\b([0-9a-f]{7,40}):)?bench/results/([\w.-]*\w)(?:\.\{([\w,]+)\})?")
SCRIPT_CITED = re.compile(r"bench/(\w+)\.py")
# Scripts whose results are not (only) named after them (bench/NAME.py -> bench/results/NAME*).
SCRIPT_RESULTS = {
    "spy_preference": ["spy.md", "spy.json", "spy_cpu.json", "spy_cpu_240steps.json"],
    "train_throughput": ["trainers.md"],
    "ray_build": ["scale.md"],
    "memorize_unlearn": ["trainers.md"],
    "multi_gpu_lora": ["trainers.md"],
    "qwen2vl_check": ["trainers.md"],
    "unlearning_seeds": ["unlearning.md", "unlearning.json"],
    "source_memory": ["scale.md"],
}

# Numbers in citing units that are settings or names, not results: (pattern, why). Blanked
# before the figures are read.
SETTINGS: list[tuple[str, str]] = [
    (r"ICML 2025|ACM MM 2025|Das et al\. 2024", "a paper's venue or year"),
    (r"\b2-5-grams", "the n-gram range of a classifier"),
    (r"\d+-fold", "cross-validation folds"),
    (r"Sizes: .{0,80}\(~105M\)", "the sizes `mmpriv tiny-model` builds"),
]

# Units that quote measurement-like numbers without a results file: (text in the unit, why).
UNCITED: list[tuple[str, str]] = [
    ("CPU torch 2.13", "a package version"),
    ("about 1/30 of the shorter side", "builder defaults"),
    ("A seeded 20% (`probe_fraction`)", "a builder default"),
    (
        "Preset `probing_privacy` (default)",
        "augmentation settings; the 15% is a property of "
        "the seed-0 build that tests/test_augment_export.py checks",
    ),  # fmt: skip
    ("Neighbours follow FiMMIA", "the perturbation settings"),
    ("Writes `scores.parquet`", "the metrics' FPR points"),
    ("On a tiny Llama trained 30 steps", "the bounds tests/test_mia_eval.py checks"),
    ("`dpo` (sigmoid, beta 0.5)", "loss settings"),
    ("Methods: `ga` (gradient ascent", "loss settings"),
    ("stratified 80/20 split", "the paper's split"),
    ("a dashed chance line at 0.5", "chance level"),
    (
        "serves an in-memory Hub test double on 127.0.0.1",
        "an address; the suite's time is the lead's measurement (issue 14)",
    ),  # fmt: skip
    ("One 80/20 split says little", "the probing command's defaults"),
    ("Cross-validated AUCs of small sets are noisy", "a property of the statistic"),
]

NUMBER = re.compile(
    r"(?<![\w.])(?:x(?=\d+\.\d))?"  # `x1.27` is a ratio; letter-glued numbers (H200) are names
    r"(?P<value>\d{1,3}(?:,\d{3})+|\d+)(?P<decimals>\.\d+)?"
    r"(?P<suffix>%|x|k|M|B)?(?![\w.]*\w)"
)
FRACTION = re.compile(r"(?<![\w./])(\d+/\d+)(?![\w/]|\.\d)")  # 5/5, not 0/0.5/1.0
FILE_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
SCALE = {"k": 1e3, "M": 1e6, "B": 1e9}
MEASUREMENT = re.compile(r"\d\.\d|\d%|\d(?:\.\d+)?x\b|\bx\d+\.\d")


@dataclass
class Unit:
    line: int
    text: str
    kind: str  # heading, paragraph, item, row, blank
    cites: set[str] = field(default_factory=set)


def cited_files(text: str) -> set[str]:
    """Results files a unit names: `FILE`, or `REV:FILE` for a file as it was at git REV. A
    bench script stands for its results only in a unit that names no results file: the fewer
    numbers a figure is checked against, the fewer it matches by chance."""
    names = set()
    for rev, stem, extensions in RESULTS_CITED.findall(text):
        prefix = f"{rev}:" if rev else ""
        files = [f"{stem}.{ext}" for ext in extensions.split(",")] if extensions else [stem]
        names |= {prefix + name for name in files}
    if names:
        return names
    for script in SCRIPT_CITED.findall(text):
        names |= {p.name for p in RESULTS.glob(f"{script}*") if p.suffix != ".png"}
        names |= set(SCRIPT_RESULTS.get(script, []))
    return names


def units(readme: str) -> list[Unit]:
    """The README's prose cut into units (code blocks skipped), each with what it cites."""
    found: list[Unit] = []
    in_code = False
    for number, line in enumerate(readme.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("```"):
            in_code = not in_code
        elif in_code:
            continue
        elif not stripped:
            found.append(Unit(number, "", "blank"))
        elif stripped.startswith("#"):
            found.append(Unit(number, stripped, "heading"))
        elif stripped.startswith("|"):
            found.append(Unit(number, stripped, "row"))
        elif re.match(r"([-*]|\d+\.) ", stripped):
            found.append(Unit(number, stripped, "item"))
        elif found and found[-1].kind in ("paragraph", "item"):
            found[-1].text += " " + stripped  # a continuation line
        else:
            found.append(Unit(number, stripped, "paragraph"))
    heading: set[str] = set()
    lead: set[str] = set()  # what the paragraph just above a table cites
    for index, unit in enumerate(found):
        unit.cites = cited_files(unit.text)
        if unit.kind == "heading":
            heading = unit.cites
        elif unit.kind == "item":
            unit.cites |= heading
        elif unit.kind == "row":
            before = [u for u in found[max(0, index - 2) : index] if u.kind != "blank"]
            if not before or before[-1].kind != "row":
                lead = before[-1].cites if before and before[-1].kind == "paragraph" else set()
            unit.cites |= lead
    return [u for u in found if u.kind != "blank"]


def prose(text: str) -> str:
    """A unit's text without code spans and SETTINGS: where its figures are."""
    text = re.sub(r"`[^`]*`", " ", text)
    for pattern, _ in SETTINGS:
        text = re.sub(pattern, " ", text)
    return text


def readme_figures(text: str) -> list[str]:
    text = prose(text)
    return FRACTION.findall(text) + [m.group(0) for m in NUMBER.finditer(FRACTION.sub(" ", text))]


def results_text(name: str, results: Path) -> str | None:
    rev, _, file = name.rpartition(":")
    if not rev:
        path = results / file
        return path.read_text() if path.is_file() else None
    relative = (results / file).relative_to(ROOT).as_posix()
    shown = subprocess.run(["git", "show", f"{rev}:{relative}"], cwd=ROOT, capture_output=True,
                           text=True)  # fmt: skip
    return shown.stdout if shown.returncode == 0 else None


def history_incomplete() -> bool:
    """True in a shallow clone or a copy without git: old revisions cannot be read there."""
    shallow = subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=ROOT,
                             capture_output=True, text=True)  # fmt: skip
    return shallow.returncode != 0 or shallow.stdout.strip() == "true"


def file_numbers(text: str) -> list[float]:
    """Every number in a results file, read as text (JSON or Markdown alike); thousands
    separators taken both ways, since `1,234` may also be a JSON list."""
    plain = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    return [float(n) for n in FILE_NUMBER.findall(text) + FILE_NUMBER.findall(plain)]


def rounds_to(figure: str, value: float, scales=(1.0,)) -> bool:
    match = NUMBER.fullmatch(figure)
    quoted = float(match["value"].replace(",", "") + (match["decimals"] or ""))
    half_step = 0.5 * 10 ** -len((match["decimals"] or ".")[1:]) + 1e-9
    return any(abs(value * scale - quoted) <= half_step for scale in scales)


def traced(figure: str, numbers: list[float], text: str) -> bool:
    """Whether the README's `figure` is the rounding of one of the file's numbers."""
    if "/" in figure:
        return re.search(rf"(?<![\d/]){re.escape(figure)}(?![\d/])", text) is not None
    suffix = NUMBER.fullmatch(figure)["suffix"]
    scales = [1.0, 100.0] + ([1 / SCALE[suffix]] if suffix in SCALE else [])
    return any(rounds_to(figure, n, scales) for n in numbers)


def untraced_figures(readme: str, results: Path = RESULTS) -> list[str]:
    problems = []
    cache: dict[str, str | None] = {}
    for unit in units(readme):
        if not unit.cites:
            continue
        for name in unit.cites - cache.keys():
            cache[name] = results_text(name, results)
        missing = sorted(name for name in unit.cites if cache[name] is None)
        if missing and all(":" in m for m in missing) and history_incomplete():
            continue  # REV:FILE needs the git history, which a shallow clone lacks
        if missing:
            problems.append(f"README line {unit.line}: cannot read cited {missing}")
            continue
        text = "\n".join(cache[name] for name in sorted(unit.cites))
        numbers = file_numbers(text)
        for figure in readme_figures(unit.text):
            if not traced(figure, numbers, text):
                problems.append(
                    f"README line {unit.line}: {figure} is in none of {sorted(unit.cites)}"
                    f" ({unit.text[:70]}...)"
                )
    return problems


def key_figure_problems(readme: str, results: Path = RESULTS) -> list[str]:
    problems = []
    readme = re.sub(r"\s+", " ", readme)  # a figure's sentence may be wrapped
    for key in KEY_FIGURES:
        quoted = [m.group(1) for m in re.finditer(key.readme, readme) if m.group(1)]
        if not quoted:
            problems.append(f"README no longer has /{key.readme}/: update KEY_FIGURES")
            continue
        text = (results / key.file).read_text()
        if isinstance(key.where, tuple):
            value = json.loads(text)
            for step in key.where:
                value = value[step]
        else:
            value = float(re.search(key.where, text).group(1).replace(",", ""))
        for figure in quoted:
            if not rounds_to(figure, value * key.scale):
                problems.append(f"README quotes {figure} for /{key.readme}/; {key.file} has "
                                f"{value * key.scale}")  # fmt: skip
    return problems


def stray_figures(readme: str) -> list[str]:
    return [
        f"README line {unit.line}: figures without a results file ({unit.text[:70]}...)"
        for unit in units(readme)
        if not unit.cites
        and unit.kind != "heading"
        and MEASUREMENT.search(prose(unit.text))
        and not any(snippet in unit.text for snippet, _ in UNCITED)
    ]


def test_every_figure_in_a_citing_unit_is_in_its_results_files():
    assert untraced_figures(README.read_text()) == []


def test_key_figures_match_their_place_in_the_results():
    assert key_figure_problems(README.read_text()) == []


def test_no_measurement_is_quoted_without_its_results_file():
    assert stray_figures(README.read_text()) == []


def test_every_allow_list_entry_is_still_needed():
    readme = re.sub(r"\s+", " ", README.read_text())
    assert [s for s, _ in UNCITED if s not in readme] == []
    assert [p for p, _ in SETTINGS if not re.search(p, readme)] == []


def test_the_check_covers_every_results_section():
    cited = set().union(*(u.cites for u in units(README.read_text())))
    expected = {"audit_power.md", "mia_scoring.md", "legibility.md", "unlearning.md",
                "mia_attacks.md", "scale.md", "probing_reader.md", "scrub_eval.md"}  # fmt: skip
    assert expected <= cited


def _decimal_figure_citing(readme: str, results_file: str) -> tuple[Unit, str, set[str]]:
    for unit in units(readme):
        if results_file in unit.cites:
            figures = [f for f in readme_figures(unit.text) if re.search(r"\d\.\d", f)]
            if figures:
                return unit, figures[0], unit.cites
    raise AssertionError(f"no unit quotes a decimal figure from {results_file}")


@pytest.mark.parametrize("results_file", ["legibility.md", "audit_power.md", "mia_scoring.md"])
def test_a_stale_figure_in_a_readme_copy_is_reported(tmp_path, results_file):
    readme = README.read_text()
    unit, figure, cites = _decimal_figure_citing(readme, results_file)
    text = "\n".join(results_text(name, RESULTS) for name in sorted(cites))
    decimals = len(figure.rstrip("%x").split(".")[1])
    stale = next(  # a nearby value that no number of the cited files rounds to
        candidate
        for step in range(1, 200)
        if not traced(
            candidate := f"{float(figure.rstrip('%x')) + step * 10**-decimals:.{decimals}f}",
            file_numbers(text),
            text,
        )
    )
    lines = readme.splitlines(keepends=True)
    figure_at = re.compile(rf"(?<![\d.]){re.escape(figure.rstrip('%x'))}(?![\d])")
    for index in range(unit.line - 1, len(lines)):
        if figure_at.search(lines[index]):
            lines[index] = figure_at.sub(stale, lines[index], count=1)
            break
    copy = tmp_path / "README.md"
    copy.write_text("".join(lines))
    problems = untraced_figures(copy.read_text())
    assert [p for p in problems if f" {stale}" in p] and len(problems) == 1, problems


def test_a_citation_of_a_missing_results_file_is_reported():
    readme = README.read_text() + "\nRenamed since: 0.5 s (`bench/results/nosuch.md`).\n"
    assert any("nosuch.md" in p for p in untraced_figures(readme))


def test_a_changed_key_figure_is_reported():
    readme = README.read_text()
    stale = re.sub(r"(\+15 years on every member flagged )\d/5", r"\g<1>1/5", readme)
    assert stale != readme
    assert any("flagged (\\d)/5" in p for p in key_figure_problems(stale))


def test_a_measurement_without_a_results_file_is_reported():
    stray = README.read_text() + "\nThe new scorer is 3.4x faster.\n"
    assert len(stray_figures(stray)) == 1


if __name__ == "__main__":  # `python tests/test_readme_figures.py`: every problem, one a line
    found = untraced_figures(README.read_text()) + key_figure_problems(README.read_text())
    print("\n".join(found + stray_figures(README.read_text())) or "README figures: all traced")
