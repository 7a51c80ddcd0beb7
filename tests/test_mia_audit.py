"""`mmpriv audit`: passes mmpriv's own one-pool split, flags subtle shifts of the members (dates
15 years later, a slight colour cast), and writes its verdict into the dataset card (replaced,
not repeated, on a re-run)."""

# ruff: noqa: F811  (pytest fixtures imported by name, then requested as arguments)
from __future__ import annotations

import io
import shutil

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fixtures_mia import mia_data, run_cli  # noqa: F401
from PIL import Image

from mmpriv_data.definitions.mia_neighbors import read_samples
from mmpriv_data.hub.audit import SECTION, audit_arrays, audit_folder, conversation_text
from mmpriv_data.hub.audit_features import cast_colour, shift_years, year_features


def test_default_build_passes_and_the_card_gets_one_section(capsys, mia_data, tmp_path):
    folder = tmp_path / "mia-neighbors"
    shutil.copytree(mia_data, folder)
    code, out, _ = run_cli(capsys, "audit", folder)
    assert code == 0, out
    assert "passed" in out
    card = (folder / "README.md").read_text()
    assert card.count(SECTION) == 1 and "| `text_bow_tfidf` | text |" in card
    assert card.startswith("---\n")  # front matter untouched
    code, _, _ = run_cli(capsys, "audit", folder)
    assert (folder / "README.md").read_text().count(SECTION) == 1


def _members_shifted(source, root, *, years: int = 0, cast: tuple[int, int, int] = (0, 0, 0)):
    """A copy of a built split (what the audit reads) in which every member's years are moved by
    `years` and every member's portrait gets `cast`; non-members are copied as they are."""
    from mmpriv_data.core.schema import encode_image

    rows = read_samples(source, ["id", "messages", "images"]).to_pylist()
    folder = root / "shifted"
    (folder / "samples").mkdir(parents=True)
    for split in ("member", "nonmember"):
        part = []
        for row in rows:
            if row["member"] != (split == "member"):
                continue
            messages, images = row["messages"], row["images"]
            if row["member"]:
                messages = [
                    {**turn, "content": [
                        {**c, "text": shift_years(c["text"], years) if c["text"] else c["text"]}
                        for c in turn["content"]
                    ]}
                    for turn in messages
                ]  # fmt: skip
            if any(cast):
                offsets = cast if row["member"] else (0, 0, 0)  # both re-encoded alike
                images = [
                    encode_image(cast_colour(Image.open(io.BytesIO(i["bytes"])), offsets))
                    for i in images
                ]
            part.append({"id": row["id"], "messages": messages, "images": images})
        pq.write_table(
            pa.Table.from_pylist(part), folder / "samples" / f"{split}-00000-of-00001.parquet"
        )
    return folder


def test_members_born_15_years_later_are_flagged_by_the_date_baseline(capsys, mia_data, tmp_path):
    # The case: every year in every member's text +15 (mean birth year ~1981 -> ~1996),
    # which the bag of words and the character n-grams alone did not see.
    folder = _members_shifted(mia_data, tmp_path, years=15)
    result = audit_folder(folder)
    assert not result.passed
    assert "text_dates" in {r.name for r in result.flagged}
    code, out, _ = run_cli(capsys, "audit", folder)
    assert code == 1 and "FAILED" in out and "`text_dates`" in out
    assert "FAILED" in (folder / "README.md").read_text()  # a card is created where none was


def test_a_slight_colour_cast_on_the_members_is_flagged_by_the_colour_histograms(
    mia_data, tmp_path
):
    # +10 red / -10 blue (of 255): hard to see on a portrait; non-members re-encoded the same way.
    result = audit_folder(_members_shifted(mia_data, tmp_path, cast=(10, 0, -10)))
    assert [r.name for r in result.flagged] == ["image_colour_hist"]


def test_years_are_read_as_das_et_al_read_them_and_postcodes_are_not_years():
    profile = (
        "Helen Wagner, born on March 8, 1987, lives at Liesa-Baum-Allee 38, 28921 Osterode. "
        "Call +1 (617) 555-0104 or write to ul. Czarnieckiego 25/95, 75-318 Zary; since 2011."
    )
    present, count, earliest, mean, latest = year_features(profile)
    assert (present, count, earliest, mean, latest) == (1, 2, 1987, 1999, 2011)
    assert shift_years(profile, 15) == profile.replace("1987", "2002").replace("2011", "2026")
    assert year_features("No dates here, only 42 and 123456.")[:2].tolist() == [0, 0]
    assert np.isnan(year_features("No dates here.")[2:]).all()


def test_the_audit_runs_every_blind_baseline_with_one_family_wide_interval(mia_data):
    result = audit_folder(mia_data)
    names = [r.name for r in result.results]
    assert names == [
        "text_bow_tfidf", "text_char_ngrams", "text_dates", "text_numbers", "text_length",
        "image_colour_hist", "image_texture_hist",
    ]  # fmt: skip
    assert result.ci_level == pytest.approx(1 - 0.05 / len(names))
    # A conversation without any image: the text baselines alone, the interval adjusted to them.
    texts = [
        conversation_text(m) for m in read_samples(mia_data, ["messages"])["messages"].to_pylist()
    ]
    labels = [1] * 30 + [0] * 30
    text_only = audit_arrays(texts, [None] * len(texts), labels)
    assert [r.name for r in text_only.results] == names[:5]
    assert text_only.ci_level == pytest.approx(1 - 0.05 / 5)


def test_missing_folder_or_shards_is_one_clear_error(capsys, tmp_path):
    code, _, err = run_cli(capsys, "audit", tmp_path / "nothing")
    assert code == 2 and "no such folder" in err
    code, _, err = run_cli(capsys, "audit", tmp_path)
    assert code == 2 and "no samples/member-*.parquet" in err
