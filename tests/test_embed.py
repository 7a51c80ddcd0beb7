"""`mmpriv embed SRC DST`: mirrored tree, seeded nested choice, manifest, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from mmpriv_data.cli.app import main
from mmpriv_data.core.errors import MmprivError
from mmpriv_data.core.seeding import uniform01
from mmpriv_data.files.embed_files import MANIFEST, embed_tree


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exit_:
        code = exit_.code or 0
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def photos(tmp_path):
    """12 JPEGs in two folders and 2 PNGs: a small image tree."""
    src = tmp_path / "src"
    rng = np.random.default_rng(0)
    for i in range(14):
        folder = src / ("a" if i % 2 else "b/c")
        folder.mkdir(parents=True, exist_ok=True)
        pixels = rng.integers(0, 120, (90, 160, 3), dtype=np.uint8)
        suffix = "png" if i >= 12 else "jpg"
        Image.fromarray(pixels).save(folder / f"img{i:02d}.{suffix}")
    return src


def manifest(dst) -> list[dict]:
    return [json.loads(line) for line in (dst / MANIFEST).read_text().splitlines()]


def test_embed_mirrors_tree_and_records_each_file(photos, tmp_path, capsys):
    dst = tmp_path / "dst"
    code, out, _ = run_cli(["embed", str(photos), str(dst), "--rate", "0.5", "--seed", "3"], capsys)
    assert code == 0 and "embedded" in out
    files = sorted(p.relative_to(photos).as_posix() for p in photos.rglob("*") if p.is_file())
    lines = manifest(dst)
    assert [line["path"] for line in lines] == files
    embedded = {x["path"] for x in lines if x["status"] == "embedded"}
    assert embedded == {f for f in files if uniform01(3, "embed", f) < 0.5} and embedded
    for line in lines:
        source, copy = photos / line["path"], dst / line["path"]
        if line["status"] == "copied":
            assert copy.read_bytes() == source.read_bytes()  # copied unchanged
            continue
        assert line["user_set"] == "U1" and f"user_id: {line['user_id']}" in line["text"]
        x0, y0, x1, y1 = line["bbox"]
        with Image.open(copy) as marked, Image.open(source) as plain:
            assert marked.size == plain.size and marked.format == plain.format
            diff = np.abs(np.asarray(marked, int) - np.asarray(plain, int)).max(axis=2)
        assert 0 <= x0 < x1 <= 160 and 0 <= y0 < y1 <= 90
        assert (diff[y0:y1, x0:x1] > 40).sum() > 30  # glyphs drawn inside the bbox
    assert f"embedded {len(embedded)}, copied {len(files) - len(embedded)}" in out


def test_rates_are_nested_with_identical_embedding(photos, tmp_path):
    low = embed_tree(photos, tmp_path / "low", rate=0.3)
    high = embed_tree(photos, tmp_path / "high", rate=0.8)
    assert low.embedded < high.embedded
    low_lines = {x["path"]: x for x in manifest(tmp_path / "low")}
    high_lines = {x["path"]: x for x in manifest(tmp_path / "high")}
    for path, line in low_lines.items():
        if line["status"] == "embedded":
            assert high_lines[path] == line
            assert (tmp_path / "low" / path).read_bytes() == (tmp_path / "high" / path).read_bytes()


def test_users_file_in_probingprivacy_format(photos, tmp_path, capsys):
    users = tmp_path / "users.jsonl"
    records = [
        {
            "username": f"user{i}",
            "user_id": 1000000000 + i,
            "gender": "Female",
            "age": 30 + i,
            "capture_time": "2022-11-04 18:07:53",
            "capture_location": "Lisbon, Portugal",
        }
        for i in range(3)
    ]
    users.write_text("".join(json.dumps(r) + "\n" for r in records))
    dst = tmp_path / "dst"
    code, _, err = run_cli(
        ["embed", str(photos), str(dst), "--rate", "1", "--users", str(users)], capsys
    )
    assert code == 0, err
    lines = manifest(dst)
    assert {x["username"] for x in lines} <= {"user0", "user1", "user2"}
    assert all(x["user_set"] == "users" and "Lisbon, Portugal" in x["text"] for x in lines)


@pytest.mark.parametrize(
    "content, message",
    [
        ('{"username": "a"\n', "users.jsonl:1: not JSON"),
        ('["a list"]\n', "users.jsonl:1: expected a JSON object"),
        ('{"username": "a", "user_id": 1}\n', "users.jsonl:1: missing field(s) gender, age"),
        ("", "users.jsonl: no user records"),
    ],
)
def test_malformed_users_file(photos, tmp_path, capsys, content, message):
    users = tmp_path / "users.jsonl"
    users.write_text(content)
    args = ["embed", str(photos), str(tmp_path / "dst"), "--rate", "1", "--users", str(users)]
    code, _, err = run_cli(args, capsys)
    assert code == 2 and message in err and not (tmp_path / "dst").exists()


def test_repeated_user_is_refused(photos, tmp_path):
    from mmpriv_data.files.embed_files import read_users

    line = json.dumps({"username": "a", "user_id": 1, "age": 3})
    (tmp_path / "u.jsonl").write_text(line + "\n" + line + "\n")
    with pytest.raises(MmprivError, match=r"u.jsonl:2: username 'a' repeats line 1"):
        read_users(tmp_path / "u.jsonl", ("username", "age"))


def _bad_files(src):
    good = (src / "a/img01.jpg").read_bytes()
    (src / "a/truncated.jpg").write_bytes(good[: len(good) // 2])
    (src / "a/garbage.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(200))
    (src / "notes.txt").write_text("not an image")
    Image.new("RGB", (300, 300)).save(src / "big.png")  # a "bomb" under --max-pixels 50000


@pytest.mark.parametrize(
    "name, message",
    [
        ("a/truncated.jpg", "a/truncated.jpg: corrupt or truncated image"),
        ("a/garbage.jpg", "a/garbage.jpg: "),
        ("notes.txt", "notes.txt: not an image file"),
        ("big.png", "big.png: 300x300 pixels exceeds the limit of 50000 (possible decompression"),
    ],
)
def test_each_bad_file_fails_with_one_line_and_writes_nothing(
    photos, tmp_path, capsys, name, message
):
    _bad_files(photos)
    for other in ("a/truncated.jpg", "a/garbage.jpg", "notes.txt", "big.png"):
        if other != name:
            (photos / other).unlink()
    dst = tmp_path / "dst"
    args = ["embed", str(photos), str(dst), "--rate", "0.5", "--max-pixels", "50000"]
    code, _, err = run_cli(args, capsys)
    assert code == 2 and message in err and "--skip-bad" in err
    assert len(err.strip().splitlines()) == 1
    assert not dst.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".dst")]


def test_skip_bad_counts_each_kind(photos, tmp_path, capsys):
    _bad_files(photos)
    dst = tmp_path / "dst"
    args = ["embed", str(photos), str(dst), "--rate", "1", "--max-pixels", "50000", "--skip-bad"]
    code, out, _ = run_cli(args, capsys)
    assert code == 0
    assert "skipped 4 bad file(s) (corrupt: 1, not-an-image: 2, too-large: 1)" in out
    assert "embedded 14, copied 0" in out
    skipped = {x["path"] for x in manifest(dst) if x["status"] == "skipped"}
    assert skipped == {"a/truncated.jpg", "a/garbage.jpg", "notes.txt", "big.png"}
    assert not (dst / "notes.txt").exists()


def test_pillow_decompression_bomb_limit_is_honoured(photos, tmp_path, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(MmprivError, match="decompression bomb"):
        embed_tree(photos, tmp_path / "dst", rate=1.0)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--rate", "1.5"], "--rate 1.5: expected a fraction within 0..1"),
        (["--rate", "0.5", "--opacity", "0"], "opacity must be in (0, 1]"),
        (["--rate", "0.5", "--fields", "username,ssn"], "--fields: unknown field(s) ssn"),
    ],
)
def test_bad_options(photos, tmp_path, capsys, args, message):
    code, _, err = run_cli(["embed", str(photos), str(tmp_path / "dst"), *args], capsys)
    assert code == 2 and message in err


def test_existing_destination_is_refused(photos, tmp_path, capsys):
    (tmp_path / "dst").mkdir()
    (tmp_path / "dst/keep.txt").write_text("mine")
    code, _, err = run_cli(["embed", str(photos), str(tmp_path / "dst"), "--rate", "1"], capsys)
    assert code == 2 and "did not write" in err
    assert (tmp_path / "dst/keep.txt").read_text() == "mine"
