"""`mmpriv scrub` on LLaVA JSON/JSONL files: outputs, report, one-line errors, --skip-bad."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmpriv_data.cli.app import main

RECORDS = [
    {"id": "a", "image": "coco/1.jpg", "conversations": [
        {"from": "human", "value": "<image>\nWhat is the woman doing?"},
        {"from": "gpt", "value": "She is walking her black dog past an old building."}]},
    {"id": "b", "image": "coco/2.jpg", "conversations": [
        {"from": "human", "value": "<image>\nDescribe the image."},
        {"from": "gpt", "value": "A red bus on a street."}]},
    {"id": "c", "conversations": [
        {"from": "human", "value": "Who is there?"},
        {"from": "gpt", "value": "A tall man with blue eyes and an Asian woman."}]},
]  # fmt: skip


def run(argv: list[str], capsys) -> tuple[int, str]:
    try:
        main(argv)
        code = 0
    except SystemExit as stop:
        code = stop.code or 0
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_scrub_writes_same_format_and_report(tmp_path, capsys, suffix):
    source = tmp_path / f"in{suffix}"
    if suffix == ".jsonl":
        write_jsonl(source, [json.dumps(r) for r in RECORDS])
    else:
        source.write_text(json.dumps(RECORDS), encoding="utf-8")
    output = tmp_path / f"out{suffix}"
    code, text = run(["scrub", str(source), str(output)], capsys)
    assert code == 0, text
    if suffix == ".jsonl":
        records = [json.loads(line) for line in output.read_text().splitlines()]
    else:
        records = json.loads(output.read_text())
    assert [r["id"] for r in records] == ["a", "b", "c"]
    assert records[0]["image"] == "coco/1.jpg"
    assert records[0]["conversations"][0]["value"] == "<image>\nWhat is the person doing?"
    assert records[0]["conversations"][1]["value"] == (
        "They are walking their black dog past an old building."
    )
    assert records[1] == RECORDS[1]
    assert records[2]["conversations"][1]["value"] == "A person and a person."
    report = json.loads((tmp_path / f"out{suffix}.report.json").read_text())
    assert report["records"] == 3 and report["turns"] == 6
    assert report["samples_changed"] == 2 and report["turns_changed"] == 3
    assert report["changes_per_attribute"]["race"] == 1
    assert report["changes_per_attribute"]["eye_color"] == 1
    assert report["changes_per_attribute"]["build"] == 1
    assert report["skipped"] == 0


def test_attributes_option_limits_the_rewrite(tmp_path, capsys):
    source = write_jsonl(tmp_path / "in.jsonl", [json.dumps(RECORDS[2])])
    output = tmp_path / "out.jsonl"
    code, _ = run(["scrub", str(source), str(output), "--attributes", "eye_color"], capsys)
    assert code == 0
    value = json.loads(output.read_text())["conversations"][1]["value"]
    assert value == "A tall man and an Asian woman."
    report = json.loads((tmp_path / "out.jsonl.report.json").read_text())
    assert report["attributes"] == ["eye_color"]
    assert report["changes_per_attribute"] == {"eye_color": 1}


BAD_LINES = {
    "malformed": ('{"id": "x", "conversations": [', "line 2: malformed JSON"),
    "missing": ('{"id": "x"}', "line 2: missing field 'conversations'"),
    "no_value": ('{"conversations": [{"from": "gpt"}]}', "line 2: turn 0: missing field 'value'"),
    "non_string": ('{"conversations": [{"from": "gpt", "value": 3}]}',
                   "line 2: turn 0: 'value' must be a string, got int"),
    "not_object": ("[1, 2]", "line 2: expected an object, got list"),
}  # fmt: skip


@pytest.mark.parametrize("kind", sorted(BAD_LINES))
def test_bad_line_is_one_clear_error_and_nothing_is_written(tmp_path, capsys, kind):
    line, message = BAD_LINES[kind]
    source = write_jsonl(tmp_path / "in.jsonl", [json.dumps(RECORDS[0]), line])
    output = tmp_path / "out.jsonl"
    code, text = run(["scrub", str(source), str(output)], capsys)
    assert code == 2
    assert f"{source} {message}" in " ".join(text.split())
    assert "--skip-bad" in text
    assert len([ln for ln in text.splitlines() if ln.strip()]) == 1
    assert not output.exists()
    assert list(tmp_path.iterdir()) == [source]


def test_skip_bad_skips_and_counts(tmp_path, capsys):
    lines = [json.dumps(RECORDS[0]), *(line for line, _ in BAD_LINES.values()), "",
             json.dumps(RECORDS[1])]  # fmt: skip
    source = write_jsonl(tmp_path / "in.jsonl", lines)
    output = tmp_path / "out.jsonl"
    code, text = run(["scrub", str(source), str(output), "--skip-bad"], capsys)
    assert code == 0, text
    assert len(output.read_text().splitlines()) == 2
    report = json.loads((tmp_path / "out.jsonl.report.json").read_text())
    assert report["skipped"] == 5
    assert report["skipped_examples"][0].startswith("line 2: malformed JSON")


def test_json_array_errors_name_the_record(tmp_path, capsys):
    source = tmp_path / "in.json"
    source.write_text(json.dumps([RECORDS[0], {"id": "x", "conversations": "hi"}]))
    code, text = run(["scrub", str(source), str(tmp_path / "out.json")], capsys)
    assert code == 2
    assert "record 1: 'conversations' must be a list of turns" in " ".join(text.split())
    broken = tmp_path / "broken.json"
    broken.write_text('[{"id": 1,}]')
    code, text = run(["scrub", str(broken), str(tmp_path / "out.json")], capsys)
    assert code == 2 and "not valid JSON" in text and "line 1" in text


def test_option_errors(tmp_path, capsys):
    source = write_jsonl(tmp_path / "in.jsonl", [json.dumps(RECORDS[0])])
    code, text = run(["scrub", str(source), str(tmp_path / "o.jsonl"), "--attributes", "x"], capsys)
    assert code == 2 and "unknown attribute 'x'" in text
    code, text = run(["scrub", str(tmp_path / "none.jsonl"), str(tmp_path / "o.jsonl")], capsys)
    assert code == 2 and "no such file" in text
    code, text = run(["scrub", str(source), str(source)], capsys)
    assert code == 2 and "must not overwrite the input" in text
    code, text = run(["scrub", str(source), str(tmp_path / "o.jsonl"), "--rewriter",
                      str(tmp_path / "missing-model")], capsys)  # fmt: skip
    assert code == 2 and "--rewriter" in text and "no such model folder" in text
