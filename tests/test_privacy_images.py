"""`privacy-images`: nested rates, glyphs inside the recorded bbox, U1/U2 probe, sources."""

from __future__ import annotations

import dataclasses
import io
import json

import numpy as np
import pytest
from datasets import load_dataset
from PIL import Image

from mmpriv_data.content.identities import make_user_sets
from mmpriv_data.core.errors import MmprivError
from mmpriv_data.core.seeding import stream, uniform01
from mmpriv_data.definitions import privacy_images
from mmpriv_data.hub.build import build
from mmpriv_data.transforms import embedding

SMALL = {"num_images": "24", "num_probe": "8", "width": "240", "height": "180"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("pi")
    build("privacy-images", out, settings=SMALL)
    folder = out / "privacy-images"
    configs = {
        c: load_dataset(str(folder), c, split="test" if c == "probe" else "train")
        for c in privacy_images.CONFIGS
    }
    return folder, configs


def pixels(image) -> np.ndarray:
    if isinstance(image, bytes):
        image = Image.open(io.BytesIO(image))
    return np.asarray(image.convert("RGB"), dtype=np.int16)


def test_rates_share_base_rows_and_are_nested(built):
    _, configs = built
    base = configs["rate_0"]
    ids = base["id"]
    assert len(ids) == 24 and not any(base["embedded"])
    assert all(configs["rate_100"]["embedded"])
    embedded_sets = {}
    for rate in privacy_images.RATES:
        rows = configs[f"rate_{rate}"]
        assert rows["id"] == ids
        assert rows["messages"] == base["messages"]  # conversations never change
        embedded = {r["id"] for r in rows if r["embedded"]}
        # one draw per image decides at every rate
        assert embedded == {
            i for i in ids if uniform01(0, "privacy-images", "embed", i) < rate / 100
        }
        embedded_sets[rate] = embedded
    assert embedded_sets[0] <= embedded_sets[10] <= embedded_sets[50] <= embedded_sets[100]
    assert 0 < len(embedded_sets[50]) < 24
    # an image embedded at a lower rate is embedded identically at every higher rate
    columns = ("images", "bbox", "user_id", "embedded_text", "style")
    by_rate = {r: {row["id"]: row for row in configs[f"rate_{r}"]} for r in privacy_images.RATES}
    for low, high in ((10, 50), (50, 100)):
        for item in embedded_sets[low]:
            low_row, high_row = by_rate[low][item], by_rate[high][item]
            for column in columns:
                if column == "images":
                    assert np.array_equal(
                        pixels(low_row["images"][0]), pixels(high_row["images"][0])
                    )
                else:
                    assert low_row[column] == high_row[column]
    # unembedded rows carry the base image
    for item in set(ids) - embedded_sets[50]:
        assert np.array_equal(
            pixels(by_rate[50][item]["images"][0]), pixels(by_rate[0][item]["images"][0])
        )


def test_bbox_inside_image_and_glyphs_drawn_there(built):
    _, configs = built
    base = {row["id"]: row for row in configs["rate_0"]}
    for row in configs["rate_100"]:
        marked, plain = pixels(row["images"][0]), pixels(base[row["id"]]["images"][0])
        height, width = plain.shape[:2]
        x0, y0, x1, y1 = row["bbox"]
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
        diff = np.abs(marked - plain).max(axis=2)
        inside = diff[y0:y1, x0:x1]
        # white at 50% over mid/dark backgrounds: glyph pixels brighten by far more than JPEG noise
        assert (inside > 40).sum() > 0.03 * inside.size
        assert row["embedded_text"].splitlines()[0].startswith("username: ")
        assert row["embedded_fields"] == list(privacy_images.USER_FIELDS)
        style = row["style"]
        assert style["color"] == "#FFFFFF" and style["opacity"] == 0.5 and style["box"] == ""
        outside = diff.copy()
        outside[max(0, y0 - 16) : y1 + 16, max(0, x0 - 16) : x1 + 16] = 0
        assert outside.max() <= 12  # only JPEG ringing near the block, nothing drawn elsewhere


def test_apply_changes_only_the_bbox_with_the_reference_blend():
    image = Image.new("RGB", (300, 200), (40, 40, 40))
    record = make_user_sets(0, 2)["U1"][0]
    params = embedding.get_params(stream(1, "t"), image.size, record, embedding.EmbedStyle())
    out = np.asarray(embedding.apply(image, params), dtype=np.int16)
    assert np.asarray(image).max() == 40  # `apply` is pure: the input is untouched
    x0, y0, x1, y1 = params["bbox"]
    changed = np.argwhere(np.any(out != 40, axis=2))
    assert changed[:, 0].min() == y0 and changed[:, 0].max() == y1 - 1
    assert changed[:, 1].min() == x0 and changed[:, 1].max() == x1 - 1
    # full-ink pixels are ProbingPrivacy's white at 50%: 40 + (255 - 40) * 128 / 255
    assert abs(int(out.max()) - 148) <= 1


@pytest.mark.parametrize(
    "style",
    [
        embedding.EmbedStyle(rotation=45, box="#000000"),
        embedding.EmbedStyle(position="bottom-right", font_size=14, fields=("username", "age")),
        embedding.EmbedStyle(position="center", color="red", opacity=1.0),
    ],
)
def test_style_options_stay_inside_and_are_recorded(style):
    style_fields = {f.name: getattr(style, f.name) for f in dataclasses.fields(style)}
    plan = privacy_images.Params(num_images=6, num_probe=2, width=200, height=150, **style_fields)
    for item in privacy_images.config_ids(plan, "rate_100"):
        row = privacy_images.make_row(plan, "rate_100", item)
        x0, y0, x1, y1 = row["bbox"]
        assert 0 <= x0 < x1 <= 200 and 0 <= y0 < y1 <= 150
        assert row["embedded_fields"] == list(style.fields)
        assert row["style"]["box"] == style.box and row["style"]["position"] == style.position
        assert abs(row["style"]["rotation"]) <= style.rotation
        if style.position == "bottom-right":
            assert x1 > 180 and y1 > 135 and row["style"]["font_size"] == 14
    assert row == privacy_images.make_row(plan, "rate_100", item)  # deterministic


def test_probe_is_half_u1_half_u2_with_disjoint_users(built):
    _, configs = built
    probe = configs["probe"]
    assert all(probe["embedded"])
    assert probe["user_set"].count("U1") == probe["user_set"].count("U2") == 4
    assert not set(probe["id"]) & set(configs["rate_0"]["id"])  # held-out images
    sets = make_user_sets(0, 20)
    u1_ids = {str(u["user_id"]) for u in sets["U1"]}
    u2_ids = {str(u["user_id"]) for u in sets["U2"]}
    assert not u1_ids & u2_ids
    assert not {u["username"] for u in sets["U1"]} & {u["username"] for u in sets["U2"]}
    for row in probe:
        assert row["user_id"] in (u1_ids if row["user_set"] == "U1" else u2_ids)
        assert f"username: {row['username']}" in row["embedded_text"]
    assert {r["user_id"] for r in configs["rate_100"]} <= u1_ids  # training uses U1 only


def test_card_and_byte_identical_rebuild_with_two_processes(built, tmp_path):
    folder, _ = built
    card = (folder / "README.md").read_text()
    assert "Nested rates" in card and "| `probe` | 8 |" in card
    build("privacy-images", tmp_path, settings=SMALL, configs=["rate_50"], num_proc=2)
    again = (tmp_path / "privacy-images/rate_50/train-00000-of-00001.parquet").read_bytes()
    assert again == (folder / "rate_50/train-00000-of-00001.parquet").read_bytes()


@pytest.mark.parametrize(
    "setting, message",
    [
        ({"opacity": "0"}, "opacity must be in (0, 1]"),
        ({"fields": "username,ssn"}, "fields='username,ssn': choose from"),
        ({"color": "not-a-colour"}, "embedding color 'not-a-colour': not a colour"),
        ({"position": "middle"}, "embedding position 'middle'"),
        ({"source": "/no/such/source"}, "source /no/such/source: no such file or folder"),
    ],
)
def test_bad_parameters_give_one_clear_line(tmp_path, setting, message):
    with pytest.raises(MmprivError) as error:
        build("privacy-images", tmp_path, settings={**SMALL, **setting}, configs=["rate_0"])
    assert message in str(error.value) and "\n" not in str(error.value)
    assert not (tmp_path / "privacy-images").exists()


def _llava_folder(root, n=6):
    (root / "coco/train2017").mkdir(parents=True)
    entries = []
    for i in range(n):
        name = f"coco/train2017/{i:012d}.jpg"
        Image.new("RGB", (160, 120), (20 * i, 60, 90)).save(root / name, quality=90)
        conversations = [
            {"from": "human", "value": f"<image>\nWhat is in picture {i}?"},
            {"from": "gpt", "value": f"A flat colour number {i}."},
            {"from": "human", "value": "Anything else?"},
            {"from": "gpt", "value": "No."},
        ]
        entries.append({"id": f"img{i}", "image": name, "conversations": conversations})
    (root / "llava.json").write_text(json.dumps(entries))
    return entries


def test_llava_source_keeps_conversations_and_names_missing_images(tmp_path):
    entries = _llava_folder(tmp_path / "src")
    out = tmp_path / "out"
    settings = {"source": str(tmp_path / "src/llava.json"), "probe_fraction": "0.3"}
    build("privacy-images", out, settings=settings, configs=["rate_100", "probe"])
    rows = list(load_dataset(str(out / "privacy-images"), "rate_100", split="train"))
    rows += list(load_dataset(str(out / "privacy-images"), "probe", split="test"))
    assert sorted(r["id"] for r in rows) == [e["id"] for e in entries]
    for row in rows:
        i = int(row["id"][3:])
        first = row["messages"][0]["content"]
        assert first[0]["type"] == "image" and first[1]["text"] == f"What is in picture {i}?"
        assert row["messages"][3]["content"][0]["text"] == "No." and row["embedded"]
    (tmp_path / "src/coco/train2017/000000000002.jpg").unlink()
    with pytest.raises(MmprivError, match=r"img2.*names missing image .*000000000002"):
        build("privacy-images", tmp_path / "o2", settings=settings, configs=["rate_0"])
    build("privacy-images", tmp_path / "o3", settings={**settings, "skip_bad": "true"})
    kept = list(load_dataset(str(tmp_path / "o3/privacy-images"), "rate_0", split="train")["id"])
    kept += list(load_dataset(str(tmp_path / "o3/privacy-images"), "probe", split="test")["id"])
    assert sorted(kept) == ["img0", "img1", "img3", "img4", "img5"]


def test_image_folder_and_dataset_sources(tmp_path, built):
    folder = tmp_path / "photos"
    (folder / "sub").mkdir(parents=True)
    for i in range(5):
        Image.new("RGB", (150, 100), (i * 40, 80, 80)).save(folder / f"sub/p{i}.png")
    (folder / "notes.txt").write_text("ignored: not an image suffix")
    build("privacy-images", tmp_path / "o", settings={"source": str(folder)}, configs=["rate_100"])
    rows = load_dataset(str(tmp_path / "o/privacy-images"), "rate_100", split="train")
    assert all(i.startswith("sub/p") for i in rows["id"]) and all(rows["embedded"])
    assert rows[0]["images"][0].format == "PNG"  # PNG sources stay PNG
    assert rows[0]["messages"][0]["content"][1]["text"] == "Describe this image."
    # a built dataset (Hub layout) as the source: its conversations carry over
    source_folder, configs = built
    settings = {"source": str(source_folder), "source_config": "rate_0"}
    build("privacy-images", tmp_path / "d", settings=settings, configs=["rate_0"])
    again = load_dataset(str(tmp_path / "d/privacy-images"), "rate_0", split="train")
    original = {r["id"]: r["messages"] for r in configs["rate_0"]}
    assert all(original[r["id"]] == r["messages"] for r in again)


def test_hub_dataset_source(hub, built, tmp_path):
    from mmpriv_data.hub.publish import publish

    folder, configs = built
    repo_id = hub.unique_repo_id("pi-source")
    publish(folder, repo_id, "1.0.0")
    settings = {"source": repo_id, "source_config": "probe", "source_split": "test"}
    build("privacy-images", tmp_path, settings=settings, configs=["rate_0", "probe"])
    again = list(load_dataset(str(tmp_path / "privacy-images"), "rate_0", split="train"))
    again += list(load_dataset(str(tmp_path / "privacy-images"), "probe", split="test"))
    original = {r["id"]: r["messages"] for r in configs["probe"]}
    assert sorted(r["id"] for r in again) == sorted(original)
    assert all(original[r["id"]] == r["messages"] for r in again)
