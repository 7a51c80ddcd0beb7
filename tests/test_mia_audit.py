"""`mmpriv audit`: passes mmpriv's own one-pool split, flags a deliberately shifted one, and
writes its verdict into the dataset card (replaced, not repeated, on a re-run)."""

# ruff: noqa: F811  (pytest fixtures imported by name, then requested as arguments)
from __future__ import annotations

import io
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
from fixtures_mia import mia_data, run_cli  # noqa: F401
from PIL import Image

from mmpriv_data.hub.audit import SECTION, audit_folder


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


def _shifted_folder(root):
    """Members are dated 2024 and photographed in daylight; non-members 1998, at dusk."""
    folder = root / "shifted"
    (folder / "samples").mkdir(parents=True)
    for split, year, light in (("member", 2024, 200), ("nonmember", 1998, 70)):
        rows = {"id": [], "messages": [], "images": []}
        for i in range(30):
            buffer = io.BytesIO()
            Image.new("RGB", (32, 32), (light, light - 20 + i, 90)).save(buffer, format="PNG")
            rows["id"].append(f"{split}-{i}")
            rows["images"].append([{"bytes": buffer.getvalue(), "path": None}])
            question = {"type": "text", "text": f"What happened in item {i}?"}
            answer = {"type": "text", "text": f"In {year} event {i} was reported."}
            rows["messages"].append(
                [
                    {"role": "user", "content": [question]},
                    {"role": "assistant", "content": [answer]},
                ]
            )
        pq.write_table(
            pa.Table.from_pydict(rows), folder / "samples" / f"{split}-00000-of-00001.parquet"
        )
    return folder


def test_shifted_split_is_flagged_with_exit_1(capsys, tmp_path):
    folder = _shifted_folder(tmp_path)
    result = audit_folder(folder)
    assert not result.passed
    assert {r.name for r in result.flagged} >= {"text_bow_tfidf", "image_colour_hist"}
    assert all(r.auc > 0.95 for r in result.flagged)
    code, out, _ = run_cli(capsys, "audit", folder)
    assert code == 1 and "FAILED" in out
    assert "FAILED" in (folder / "README.md").read_text()  # a card is created where none was


def test_missing_folder_or_shards_is_one_clear_error(capsys, tmp_path):
    code, _, err = run_cli(capsys, "audit", tmp_path / "nothing")
    assert code == 2 and "no such folder" in err
    code, _, err = run_cli(capsys, "audit", tmp_path)
    assert code == 2 and "no samples/member-*.parquet" in err
