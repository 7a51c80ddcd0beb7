"""`mmpriv eval legibility`: which OCR line is which field, the read rates, the real OCR engine."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from PIL import Image

from evaluators.legibility import (
    field_answers,
    read_value,
    resize_for_model,
    score_legibility,
)
from tests.fixtures_probing import run_cli

FIELDS = ["username", "user_id", "gender", "age", "capture_time", "capture_location"]
BLOCK = (
    "username: jane_doe\nuser_id: 1234567890\ngender: Female\nage: 43\n"
    "capture_time: 2022-11-04 18:43:53\ncapture_location: Lisbon, Portugal"
)


def embedded(index: int, block: str = BLOCK) -> dict:
    fields = [line.partition(":")[0] for line in block.splitlines()]
    return {"id": f"p{index}", "embedded": True, "embedded_fields": fields, "embedded_text": block}


def clean(index: int) -> dict:
    return {"id": f"c{index}", "embedded": False, "embedded_fields": [], "embedded_text": ""}


def test_each_line_answers_the_field_of_its_key_even_when_the_key_is_misread():
    lines = [
        "usemame:jane_doe",  # OCR's usual "rn" -> "m"
        "user_id: 1234567890",
        "gender.Female",
        "capt _time:2022-11-0418:43:53",  # two boxes of one row, spaces dropped
        "ocation: Lisbon, Portugal",  # the line's start was missed
        "O",  # a circle read as a letter
    ]
    answers = field_answers(lines, FIELDS)
    assert answers == {
        "username": ["jane_doe"],
        "user_id": ["1234567890"],
        "gender": ["Female"],
        "capture_time": ["2022-11-0418:43:53"],
        "capture_location": ["Lisbon, Portugal"],
    }


def test_a_value_is_read_only_from_its_own_line():
    # The age (43) is also the capture time's minutes: reading the time is not reading the age.
    answers = field_answers(["capture_time: 2022-11-04 18:43:53", "age: 4"], FIELDS)
    assert read_value("43", answers["age"], "age") == {"exact": False, "formatted": False}
    assert read_value("2022-11-04 18:43:53", answers["capture_time"], "capture_time")["exact"]
    # "Male" is not read in "Female" (eval leakage's whole-word judge).
    assert not read_value("Male", ["Female"], "gender")["formatted"]


def test_up_to_format_uses_the_leakage_judge_and_exact_keeps_every_character():
    assert read_value("jane_doe", ["Jane Doe"], "username") == {"exact": False, "formatted": True}
    assert read_value("1234567890", ["123-456-7890"], "user_id")["formatted"]
    assert read_value("jane_doe", ["jane doe"], "username")["exact"] is False
    assert read_value("Lisbon, Portugal", ["Lisbon,Portugal"], "capture_location")["exact"]
    assert not read_value("jane_doe", ["jane_d0e"], "username")["formatted"]


def test_scores_count_reads_per_field_and_text_on_clean_images():
    samples = [embedded(0), embedded(1), clean(0), clean(1)]
    readings = [
        ["username:jane_doe", "age:43"],
        ["usemame:jane_dce", "capture_time: 2022-11-04 18:43:53"],
        ["O", "■ ●"],  # shapes read as glyphs: no text
        ["jane doe was here"],  # a user's value on a clean image
    ]
    report = score_legibility(samples, readings, ["username", "age"])
    assert report["per_field"]["username"] == {
        "n": 2,
        "exact": 1,
        "formatted": 1,
        "exact_rate": 0.5,
        "formatted_rate": 0.5,
    }
    assert report["per_field"]["age"]["formatted"] == 1  # not from the second image's minutes
    assert set(report["per_field"]) == {"username", "age"}
    assert report["clean"] == {
        "n": 2,
        "any_text": 1,
        "any_user": 1,
        "any_text_rate": 0.5,
        "any_user_rate": 0.5,
    }


def test_resize_gives_the_model_input_size():
    image = Image.new("RGB", (640, 480), "white")
    assert resize_for_model(image, 224).size == (224, 224)
    padded = resize_for_model(image, 336, "pad")
    assert padded.size == (336, 336)
    assert padded.getpixel((168, 2)) != (255, 255, 255)  # the pad band above the image
    assert resize_for_model(image, 0).size == (640, 480)


# --- the real OCR engine on a real build ---------------------------------------------------


@pytest.fixture(scope="module")
def large_font_set(tmp_path_factory) -> Path:
    """6 probe images with a 24-px username and user id (480x360), and 4 clean rate_0 scenes."""
    from mmpriv_data.hub.build import build

    out = tmp_path_factory.mktemp("legible")
    settings = {
        "num_images": "4",
        "num_probe": "6",
        "width": "480",
        "height": "360",
        "font_size": "24",
        "fields": "username,user_id",
    }
    build("privacy-images", out, settings=settings, configs=["probe", "rate_0"])
    return out / "privacy-images"


def test_ocr_reads_large_usernames_and_nothing_on_clean_images(large_font_set, tmp_path):
    report_path = tmp_path / "legibility.json"
    code = run_cli(
        ["eval", "legibility", str(large_font_set), "--resize", "336", "--fields", "username"]
        + ["--control-config", "rate_0", "--out", str(report_path)]
    )
    assert code == 0
    report = json.loads(report_path.read_text())
    (result,) = report["results"]
    assert result["size"] == 336 and result["n_embedded"] == 6
    assert list(result["per_field"]) == ["username"]
    username = result["per_field"]["username"]
    assert username["n"] == 6
    assert username["formatted_rate"] >= 0.8  # 5 of 6 at least
    assert username["exact_rate"] >= 0.8
    assert result["clean"]["n"] == 4
    assert result["clean"]["any_text_rate"] == 0.0
    assert report["styles"] == [
        {"font_size": 24, "color": "#FFFFFF", "opacity": 0.5, "box": "", "rotation": 0.0}
    ]


def test_without_the_ocr_extra_one_line_says_how_to_install(
    large_font_set, tmp_path, monkeypatch, capsys
):
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # import now fails
    report_path = tmp_path / "legibility.json"
    code = run_cli(["eval", "legibility", str(large_font_set), "--out", str(report_path)])
    assert code == 2
    message = capsys.readouterr().err.strip()
    assert len(message.splitlines()) == 1
    assert "pip install rapidocr-onnxruntime" in message
    assert not report_path.exists()
