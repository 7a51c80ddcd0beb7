"""Exports (llava, qwen, jsonl) round-trip; the `augmented` dataset records what it applied."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from datasets import load_dataset
from PIL import Image

from mmpriv_data.cli.app import main
from mmpriv_data.core.errors import MmprivError
from mmpriv_data.core.seeding import stream
from mmpriv_data.definitions import augmented, privacy_images
from mmpriv_data.files import sources
from mmpriv_data.files.export import export
from mmpriv_data.hub.build import build
from mmpriv_data.transforms import augment


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("src")
    settings = {"num_images": "10", "num_probe": "4", "width": "200", "height": "150"}
    build("privacy-images", out, settings=settings, configs=["rate_50", "probe"])
    return out / "privacy-images"


def stored_rows(folder, config, split):
    import datasets

    rows = load_dataset(str(folder), config, split=split)
    return rows.cast_column("images", datasets.List(datasets.Image(decode=False)))


@pytest.mark.parametrize("fmt", ["llava", "qwen", "jsonl"])
def test_export_then_read_back_gives_same_conversations_and_bytes(dataset, tmp_path, fmt):
    result = export(dataset, config="rate_50", fmt=fmt, out=tmp_path / fmt)
    assert result.rows == 10 and result.data_file.name.startswith("rate_50-train.json")
    source = sources.open_source(str(tmp_path / fmt))  # the folder holds one data file
    original = {row["id"]: row for row in stored_rows(dataset, "rate_50", "train")}
    assert sorted(source.ids) == sorted(original)
    for index, item_id in enumerate(source.ids):
        item = source.item(index)
        assert item["messages"] == original[item_id]["messages"]
        assert item["images"] == [original[item_id]["images"][0]["bytes"]]  # not re-encoded


def test_export_formats_match_the_codebases(dataset, tmp_path):
    llava = json.loads(
        export(dataset, config="probe", fmt="llava", out=tmp_path / "l").data_file.read_text()
    )
    first = llava[0]
    assert set(first) == {"id", "image", "conversations"} and first["image"].startswith("images/")
    assert first["conversations"][0]["from"] == "human"
    assert first["conversations"][0]["value"].startswith("<image>\n")
    assert first["conversations"][1]["from"] == "gpt"
    qwen = json.loads(
        export(dataset, config="probe", fmt="qwen", out=tmp_path / "q").data_file.read_text()
    )
    value = qwen[0]["conversations"][0]["value"]
    assert value.startswith(f"Picture 1: <img>{first['image']}</img>\n")
    assert qwen[0]["conversations"][1]["from"] == "assistant"


def test_building_from_a_llava_export_keeps_conversations(dataset, tmp_path):
    export(dataset, config="rate_50", fmt="llava", out=tmp_path / "llava")
    build("privacy-images", tmp_path / "again", settings={"source": str(tmp_path / "llava")})
    rebuilt = list(load_dataset(str(tmp_path / "again/privacy-images"), "rate_0", split="train"))
    rebuilt += list(load_dataset(str(tmp_path / "again/privacy-images"), "probe", split="test"))
    original = {row["id"]: row["messages"] for row in stored_rows(dataset, "rate_50", "train")}
    assert sorted(r["id"] for r in rebuilt) == sorted(original)
    assert all(r["messages"] == original[r["id"]] for r in rebuilt)


@pytest.mark.parametrize(
    "value",
    ["<image>\nWhat is shown?", "What is shown?\n<image>", "No image here.", "<image>"],
)
def test_llava_conversation_round_trip(value):
    turns = [{"from": "human", "value": value}, {"from": "gpt", "value": "An answer."}]
    messages = sources.llava_to_messages(turns, "test")
    assert sources.messages_to_llava(messages) == turns
    assert sum(c["type"] == "image" for c in messages[0]["content"]) == value.count("<image>")
    back, paths = sources.qwen_to_messages(sources.messages_to_qwen(messages, ["a.jpg"]), "t")
    assert back == messages and paths == ["a.jpg"][: value.count("<image>")]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"fmt": "coco"}, "--format coco: expected one of llava, qwen, jsonl"),
        ({"config": "rate_7"}, "cannot load config 'rate_7'"),
        ({"split": "validation"}, "no split 'validation'"),
    ],
)
def test_export_errors(dataset, tmp_path, kwargs, message):
    args = {"config": "rate_50", "fmt": "llava", "out": tmp_path / "o", **kwargs}
    with pytest.raises(MmprivError, match=message.replace("(", r"\(")):
        export(dataset, **args)
    assert not (tmp_path / "o").exists()


def test_export_cli_and_existing_destination(dataset, tmp_path, capsys):
    args = ["export", str(dataset), "--config", "rate_50", "--format", "jsonl", "--out"]
    try:
        main([*args, str(tmp_path / "j")])
    except SystemExit as exit_:
        assert exit_.code in (0, None)
    assert "exported 10 rows" in capsys.readouterr().out
    lines = (tmp_path / "j/rate_50-train.jsonl").read_text().splitlines()
    assert len(lines) == 10 and json.loads(lines[0])["messages"][0]["role"] == "user"
    with pytest.raises(SystemExit) as exit_:  # a previous export is mmpriv's: replaced
        main([*args, str(tmp_path / "j")])
    assert exit_.value.code in (0, None)
    (tmp_path / "j/mine.txt").write_text("mine")  # now it holds a file mmpriv did not write
    with pytest.raises(SystemExit) as exit_:
        main([*args, str(tmp_path / "j")])
    assert exit_.value.code == 2 and "did not write" in capsys.readouterr().err
    assert (tmp_path / "j/mine.txt").read_text() == "mine"


def test_image_augmentation_is_recorded_and_deterministic():
    preset = augment.PRESETS["probing_privacy"]
    picture = np.zeros((120, 160, 3), np.uint8)
    picture[20:60, 30:90] = 200
    for i in range(8):
        params = augment.image_params(stream(0, "t", i), preset)
        assert -30 <= params["rotate"] <= 30 and 0.8 <= params["brightness"] <= 1.2
        out, (box,) = augment.apply_image(picture, params, [[30, 20, 90, 60]])
        again, _ = augment.apply_image(picture, params, [[30, 20, 90, 60]])
        assert np.array_equal(out, again)
        if params["rotate"]:
            assert out.shape[0] > 120 and out.shape[1] > 160  # expanded, nothing cut off
        x0, y0, x1, y1 = box
        assert 0 <= x0 < x1 <= out.shape[1] and 0 <= y0 < y1 <= out.shape[0]
        assert out[y0:y1, x0:x1].mean() > out.mean()  # the box follows the bright patch


def test_text_augmentation_keeps_image_markers_digits_and_structure():
    messages = [
        {
            "role": "user",
            "content": [
                {"type": "image", "text": None},
                {"type": "text", "text": "<image>\nHow many squares are there in 12 rows?"},
            ],
        },
        {"role": "assistant", "content": [{"type": "text", "text": "There are 3 squares."}]},
    ]
    preset = augment.PRESETS["probing_privacy"]
    new, changes = augment.augment_messages(messages, stream(0, "x"), preset, seed=0, item="a")
    assert new == augment.augment_messages(messages, stream(0, "x"), preset, seed=0, item="a")[0]
    assert [m["role"] for m in new] == ["user", "assistant"]
    assert new[0]["content"][0] == {"type": "image", "text": None}
    text = new[0]["content"][1]["text"]
    assert text.startswith("<image>\n") and "12" in text and "3" in new[1]["content"][0]["text"]
    assert changes and all(1 <= c["edits"] <= 2 for c in changes)
    for change in changes:
        assert new[change["turn"]]["content"][change["item"]]["text"] == change["after"]
        assert messages[change["turn"]]["content"][change["item"]]["text"] == change["before"]
    light, _ = augment.augment_messages(
        messages, stream(0, "x"), augment.PRESETS["light"], seed=0, item="a"
    )
    assert light[1] == messages[1]  # `light` leaves answers exact


def test_augmented_dataset_from_builtin_source(tmp_path):
    build("augmented", tmp_path, settings={"num_images": "6"})
    folder = tmp_path / "augmented"
    plan = privacy_images.Params(seed=0, num_images=6, num_probe=2, width=320, height=240)
    source = {
        i: privacy_images.make_row(plan, "rate_50", i)
        for i in privacy_images.config_ids(plan, "rate_50")
    }
    text = load_dataset(str(folder), "text", split="train")
    image = load_dataset(str(folder), "image", split="train")
    both = load_dataset(str(folder), "text_image", split="train")
    assert text["id"] == image["id"] == both["id"] == list(source)
    for t, i, b in zip(text, image, both, strict=True):
        src = source[t["id"]]
        assert t["augmentation"]["image"] is None and t["embedded"] == src["embedded"]
        assert np.array_equal(
            np.asarray(t["images"][0]),
            np.asarray(Image.open(io.BytesIO(src["images"][0]["bytes"]))),
        )
        params = i["augmentation"]["image"]
        # a flip mirrors position words (see the position_rewrites tests below)
        flipped = augment.flip_conversation(src["messages"], src["scene"], src["questions"])[0]
        expected = flipped if params["hflip"] else src["messages"]
        assert i["messages"] == expected and i["augmentation"]["text_changes"] == []
        assert params["hflip"] in (True, False) and -30 <= params["rotate"] <= 30
        if src["embedded"]:
            x0, y0, x1, y1 = i["bbox"]
            width, height = i["images"][0].size
            assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
        assert b["augmentation"]["image"] == params
        if not params["hflip"]:
            assert b["messages"] == t["messages"]
    assert "Preset `probing_privacy`" in (folder / "README.md").read_text()


def test_augmented_options_fail_clearly(tmp_path, dataset):
    with pytest.raises(MmprivError, match="preset='heavy': one of probing_privacy, light"):
        build("augmented", tmp_path, settings={"preset": "heavy"})
    with pytest.raises(MmprivError, match="not a local model folder"):
        augment._text_augmenter(1, str(tmp_path))
    settings = {"source": str(dataset), "config": "rate_50"}
    build("augmented", tmp_path, settings=settings, configs=["image"])
    rows = load_dataset(str(tmp_path / "augmented"), "image", split="train")
    assert len(rows) == 10 and "user_set" in rows.column_names
    assert augmented.DATASET == "augmented"


def test_text_model_path_must_be_a_local_model(tmp_path):
    with pytest.raises(MmprivError, match="text_model=.*not a local model folder"):
        build("augmented", tmp_path, settings={"text_model": str(tmp_path / "nowhere")})


def test_model_based_text_augmenter_with_a_tiny_local_masked_lm(tmp_path):
    transformers = pytest.importorskip("transformers")
    words = "how many squares are there what shape is in the top center of image".split()
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]
    (tmp_path / "vocab.txt").write_text("\n".join(vocab) + "\n")
    transformers.BertTokenizerFast(vocab_file=str(tmp_path / "vocab.txt")).save_pretrained(tmp_path)
    config = transformers.BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
    )
    transformers.BertForMaskedLM(config).save_pretrained(tmp_path)
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "how many squares are there"}]}
    ]
    preset = augment.PRESETS["light"]
    run = lambda: augment.augment_messages(  # noqa: E731
        messages, stream(0, "m"), preset, seed=0, item="a", model_path=str(tmp_path)
    )
    new, changes = run()
    assert (new, changes) == run()  # seeded: the same edits every time
    assert [c["turn"] for c in changes] in ([], [0])
    assert new[0]["role"] == "user" and len(new[0]["content"]) == 1


# Horizontal flips mirror the scene truth and the conversation's position words.

SIDE = {"left": "right", "right": "left"}


def mirrored(position):
    return " ".join(SIDE.get(word, word) for word in position.split())


def cell_before_rotation(row, obj, width=320, height=240):
    """The 3x3 cell (of the upright, possibly flipped scene) under an object's transformed box.

    Independent of the recorded positions: the box centre is rotated back about the canvas
    centre by the recorded angle (a flip after a rotation by a equals a rotation by -a after
    the flip, hence the sign).
    """
    import math

    params = row["augmentation"]["image"]
    canvas_w, canvas_h = Image.open(io.BytesIO(row["images"][0]["bytes"])).size
    x0, y0, x1, y1 = obj["bbox"]
    dx, dy = (x0 + x1) / 2 - canvas_w / 2, (y0 + y1) / 2 - canvas_h / 2
    angle = math.radians(params["rotate"] * (-1 if params["hflip"] else 1))
    x = dx * math.cos(angle) - dy * math.sin(angle) + width / 2
    y = dx * math.sin(angle) + dy * math.cos(angle) + height / 2
    row_name = ("top", "middle", "bottom")[min(int(3 * y / height), 2)]
    col_name = ("left", "center", "right")[min(int(3 * x / width), 2)]
    return "center" if (row_name, col_name) == ("middle", "center") else f"{row_name} {col_name}"


def scene_rows(config="image", num_images=8):
    plan = augmented.Params(seed=0, num_images=num_images)
    for index in range(num_images):
        yield augmented.source_item(plan, index), augmented.augmented_row(plan, config, index)


def test_flipped_scene_rows_answer_positions_of_the_flipped_scene():
    checked = 0
    for src, row in scene_rows():
        if not row["augmentation"]["image"]["hflip"]:
            continue
        turns = [m["content"][-1]["text"] for m in row["messages"]]
        for k, (before, q) in enumerate(zip(src["questions"], row["questions"], strict=True)):
            assert (turns[2 * k], turns[2 * k + 1]) == (q["question"], q["answer"])
            if q["kind"] == "position":
                assert q["answer"] == mirrored(before["answer"])
                (obj,) = [
                    o
                    for o in row["scene"]["objects"]
                    if f"the {o['color']} {o['shape']}?" in q["question"]
                ]
                assert obj["position"] == q["answer"] == cell_before_rotation(row, obj)
                checked += 1
            elif q["kind"] == "shape":
                asked, was_asked = (
                    text.removeprefix("What shape is in the ").removesuffix(" of the image?")
                    for text in (q["question"], before["question"])
                )
                assert asked == mirrored(was_asked)
                shapes = [
                    o["shape"]
                    for o in row["scene"]["objects"]
                    if cell_before_rotation(row, o) == asked
                ]
                assert shapes == [q["answer"]] == [before["answer"]]
                checked += 1
            else:
                assert q == before
        for rewrite in row["augmentation"]["position_rewrites"]:
            assert rewrite["method"] == "scene"
            assert (
                src["messages"][rewrite["turn"]]["content"][rewrite["item"]]["text"]
                == (rewrite["before"])
            )
            assert turns[rewrite["turn"]] == rewrite["after"] != rewrite["before"]
    assert checked >= 3  # the 8 rows hold flipped position and shape questions


def test_unflipped_rows_and_text_config_keep_conversations_and_truth():
    unflipped = 0
    for src, row in scene_rows():
        if row["augmentation"]["image"]["hflip"]:
            continue
        assert row["messages"] == src["messages"] and row["questions"] == src["questions"]
        positions = [o["position"] for o in row["scene"]["objects"]]
        assert positions == [o["position"] for o in src["scene"]["objects"]]
        assert all(cell_before_rotation(row, o) == o["position"] for o in row["scene"]["objects"])
        assert row["augmentation"]["position_rewrites"] == []
        unflipped += 1
    assert unflipped >= 2
    for src, row in scene_rows("text", num_images=4):
        assert row["augmentation"]["position_rewrites"] == []
        assert row["questions"] == src["questions"] and row["scene"] == src["scene"]


def test_position_rewrites_are_deterministic_and_stored(tmp_path):
    shards = []
    for name, num_proc in (("a", 1), ("b", 2)):
        settings = {"num_images": "8"}
        build(
            "augmented",
            tmp_path / name,
            settings=settings,
            configs=["text_image"],
            num_proc=num_proc,
        )
        folder = tmp_path / name / "augmented"
        shards.append([p.read_bytes() for p in sorted(folder.glob("text_image/*.parquet"))])
    assert shards[0] == shards[1]
    stored = load_dataset(str(tmp_path / "a/augmented"), "text_image", split="train")
    expected = [row for _, row in scene_rows("text_image")]
    assert [r["augmentation"]["position_rewrites"] for r in stored] == [
        r["augmentation"]["position_rewrites"] for r in expected
    ]
    assert any(r["augmentation"]["position_rewrites"] for r in stored)
    for row in stored:  # text edits come after the rewrite: they start from the mirrored text
        for change in row["augmentation"]["text_changes"]:
            rewritten = {
                (w["turn"], w["item"]): w["after"] for w in row["augmentation"]["position_rewrites"]
            }
            if (change["turn"], change["item"]) in rewritten:
                assert change["before"] == rewritten[(change["turn"], change["item"])]


def test_flips_swap_left_and_right_words_in_sources_without_scene_truth(tmp_path):
    entries = []
    for i in range(6):
        Image.new("RGB", (64, 48), (30 * i, 90, 160)).save(tmp_path / f"p{i}.png")
        conversations = [
            {"from": "human", "value": "<image>\nWhat is on the left of the dog?"},
            {"from": "gpt", "value": "A cat, on the LEFT. The Right side is empty; he left."},
            {"from": "human", "value": "Is that right?"},
            {"from": "gpt", "value": "Yes, that's right."},
        ]
        entries.append({"id": f"p{i}", "image": f"p{i}.png", "conversations": conversations})
    (tmp_path / "data.json").write_text(json.dumps(entries))
    plan = augmented.Params(seed=0, source=str(tmp_path / "data.json"))
    flips = set()
    for index in range(6):
        src = augmented.source_item(plan, index)
        row = augmented.augmented_row(plan, "image", index)
        flipped = row["augmentation"]["image"]["hflip"]
        flips.add(flipped)
        texts = [m["content"][-1]["text"] for m in row["messages"]]
        if not flipped:
            assert row["messages"] == src["messages"]
            assert row["augmentation"]["position_rewrites"] == []
            continue
        assert texts == [
            "What is on the right of the dog?",
            "A cat, on the RIGHT. The Left side is empty; he left.",
            "Is that right?",
            "Yes, that's right.",
        ]
        assert row["messages"][0]["content"][0]["type"] == "image"
        rewrites = row["augmentation"]["position_rewrites"]
        assert [(w["turn"], w["item"], w["method"]) for w in rewrites] == [
            (0, 1, "swap"),
            (1, 0, "swap"),
        ]
        assert rewrites[1]["before"] == "A cat, on the LEFT. The Right side is empty; he left."
    assert flips == {True, False}
