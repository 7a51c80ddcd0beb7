"""Procedural portraits: determinism, distinct people, visible traits, test-config variants."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image

from mmpriv_data.content import portraits as P


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _person(i: int, age: int = 40, gender: str = "Female") -> dict:
    return P.sample_traits(np.random.default_rng(i), age=age, gender=gender)


def _base(**overrides) -> dict:
    traits = dict.fromkeys(("wrinkles", "freckles", "glasses", "earrings"), False)
    traits |= {"skin_tone": "medium", "hair_color": "brown", "hair_style": "long",
               "eye_color": "blue", "build": "average", "face_shape": "oval", "hat": "none",
               "beard": "none", "shirt_color": "blue", "background_color": "mint"}  # fmt: skip
    return traits | overrides


def test_same_traits_give_byte_identical_png():
    traits = _person(7, age=66, gender="Male")
    assert traits == _person(7, age=66, gender="Male")
    variant = P.sample_variant(np.random.default_rng(3), avoid=traits["background_color"])
    assert _png(P.render_portrait(traits)) == _png(P.render_portrait(dict(traits)))
    once = _png(P.render_portrait(traits, variant=variant))
    assert once == _png(P.render_portrait(traits, variant=dict(variant)))
    reseeded = dict(variant, noise_seed=variant["noise_seed"] + 1)
    assert once != _png(P.render_portrait(traits, variant=reseeded))


def test_different_people_look_different():
    images = [np.asarray(P.render_portrait(_person(i), size=128), np.int16) for i in range(16)]
    for i in range(len(images)):
        for j in range(i + 1, len(images)):
            assert np.abs(images[i] - images[j]).mean() > 3.0, (i, j)


def test_traits_are_json_friendly_and_complete():
    for i, gender in enumerate(P.GENDERS * 10):
        traits = P.sample_traits(np.random.default_rng(i), age=18 + 7 * i % 70, gender=gender)
        assert tuple(traits) == P.TRAIT_KEYS
        assert json.loads(json.dumps(traits)) == traits
        assert all(type(v) in (str, int, bool) for v in traits.values())
        for key in ("wrinkles", "freckles", "glasses", "earrings"):
            assert isinstance(traits[key], bool)
        P.render_portrait(traits, size=32)  # every sampled value is one the renderer knows
    with pytest.raises(ValueError, match="gender"):
        P.sample_traits(np.random.default_rng(0), age=30, gender="robot")
    with pytest.raises(ValueError, match="hair_color"):
        P.render_portrait(_base(hair_color="purple"))


def test_variant_is_json_friendly_in_range_and_avoids_the_background():
    for i in range(200):
        avoid = list(P.BACKGROUND_COLORS)[i % len(P.BACKGROUND_COLORS)]
        v = P.sample_variant(np.random.default_rng(i), avoid=avoid)
        assert tuple(v) == P.VARIANT_KEYS and json.loads(json.dumps(v)) == v
        assert v["background_color"] != avoid and v["background_color"] in P.BACKGROUND_COLORS
        assert abs(v["pose_yaw"]) <= 12 and abs(v["pose_tilt"]) <= 12
        assert 0.8 <= v["brightness"] <= 1.2 and 0.8 <= v["contrast"] <= 1.2
        assert 0.9 <= v["scale"] <= 1.1 and 4 <= v["noise_std"] <= 12
        assert isinstance(v["noise_seed"], int)


@pytest.mark.parametrize("size", [256, 96])
def test_rendered_image_size_and_mode(size):
    variant = P.sample_variant(np.random.default_rng(1))
    for img in (P.render_portrait(_person(1), size=size),
                P.render_portrait(_person(1), size=size, variant=variant)):  # fmt: skip
        assert img.mode == "RGB" and img.size == (size, size)


def test_traits_read_back_from_a_dataset_row_render_the_same():
    traits = _base(glasses=True, earrings=True, wrinkles=False, hat="fedora", beard="goatee")
    as_strings = {k: str(v) for k, v in traits.items()}  # how the profiles dataset stores them
    assert _png(P.render_portrait(as_strings)) == _png(P.render_portrait(traits))
    no_glasses = dict(as_strings, glasses="False")
    assert _png(P.render_portrait(no_glasses)) != _png(P.render_portrait(as_strings))


def _share_near(img: Image.Image, rgb: np.ndarray, tol: float = 24.0) -> float:
    """Share of 4x4-averaged pixels (noise mostly gone) within `tol` of a colour."""
    a = np.asarray(img, dtype=np.float32)
    h, w = a.shape[0] // 4, a.shape[1] // 4
    a = a[: 4 * h, : 4 * w].reshape(h, 4, w, 4, 3).mean(axis=(1, 3))
    return float((np.linalg.norm(a - rgb, axis=-1) < tol).mean())


def _expected(rgb, variant: dict) -> np.ndarray:
    """Where a palette colour lands under the variant's light (noise left out)."""
    pixel = P._photometric(Image.new("RGB", (1, 1), tuple(rgb)), dict(variant, noise_std=0))
    return np.asarray(pixel, dtype=np.float32)[0, 0]


@pytest.mark.parametrize("case", range(6))
def test_test_variant_differs_but_keeps_skin_and_hair_colours(case):
    skin = list(P.SKIN_TONES)[case % len(P.SKIN_TONES)]
    hair = list(P.HAIR_COLORS)[case]
    traits = _base(skin_tone=skin, hair_color=hair, glasses=case % 2 == 0)
    variant = P.sample_variant(np.random.default_rng(100 + case), avoid="mint")
    original, shot = P.render_portrait(traits), P.render_portrait(traits, variant=variant)
    diff = np.abs(np.asarray(original, np.int16) - np.asarray(shot, np.int16))
    assert diff.mean() > 8.0  # another photo: background, pose, light and noise all changed
    # skin: the centre of the face (cheeks, nose) is the person's tone, not another one
    face = shot.crop((112, 112, 144, 136))
    shares = {n: _share_near(face, _expected(c, variant)) for n, c in P.SKIN_TONES.items()}
    assert shares[skin] > 0.5 and max(shares, key=shares.get) == skin, (skin, shares)
    # hair: about as much of the picture is the person's (relit) hair colour as before
    before = _share_near(original, np.array(P.HAIR_COLORS[hair], dtype=np.float32))
    after = _share_near(shot, _expected(P.HAIR_COLORS[hair], variant))
    assert before > 0.05 and after > 0.6 * before, (hair, before, after)


def test_old_people_turn_grey_and_wrinkle_more_often():
    def rates(age: int) -> tuple[float, float]:
        people = [
            P.sample_traits(np.random.default_rng(10_000 * age + i), age=age, gender=g)
            for i in range(75)
            for g in P.GENDERS
        ]
        grey = np.mean([p["hair_color"] in ("grey", "white") for p in people])
        return float(grey), float(np.mean([p["wrinkles"] for p in people]))

    (old_grey, old_wrinkles), (young_grey, young_wrinkles) = rates(72), rates(24)
    assert old_grey > 0.6 and young_grey < 0.1
    assert old_wrinkles > 0.7 and young_wrinkles < 0.1


def test_beards_are_mostly_male():
    def share(gender: str) -> float:
        people = [_person(i, age=45, gender=gender) for i in range(300)]
        return float(np.mean([p["beard"] != "none" for p in people]))

    assert share("Male") > 0.3 and share("Female") == 0.0 and share("Non-binary") < 0.25


def test_glasses_change_only_the_eye_region():
    plain = np.asarray(P.render_portrait(_base()), dtype=np.int16)
    glasses = np.asarray(P.render_portrait(_base(glasses=True)), dtype=np.int16)
    changed = np.abs(plain - glasses).max(axis=-1) > 20
    rows, cols = np.nonzero(changed)
    assert changed.sum() > 300  # frames around both eyes
    assert rows.min() >= 85 and rows.max() <= 125  # eye band of a 256 portrait
    assert (cols < 128).sum() > 100 and (cols >= 128).sum() > 100  # both sides


def test_accessories_and_build_are_visible():
    plain = np.asarray(P.render_portrait(_base()), dtype=np.int16)
    changes = ({"hat": "cap"}, {"earrings": True}, {"beard": "full"}, {"build": "broad"},
               {"wrinkles": True}, {"eye_color": "brown"}, {"face_shape": "square"})  # fmt: skip
    for change in changes:
        other = np.asarray(P.render_portrait(_base(**change)), dtype=np.int16)
        assert (np.abs(plain - other).max(axis=-1) > 20).sum() > 30, change
