"""Procedural portraits of fictitious people (the "profile photos" of the profiles dataset).

Drawn with Pillow shapes (no model, no font, no download) at twice the size and box-downsampled;
a portrait is a pure function of (traits, size, variant), so the same inputs give the same PNG
bytes. Every trait is visible: skin tone, hair colour and style, iris colour, build, face shape,
wrinkles, freckles, glasses, hat, earrings, beard, shirt and background colour.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

GENDERS = ("Male", "Female", "Non-binary", "Other")
SKIN_TONES = {"light": (243, 208, 184), "medium": (226, 174, 136), "tan": (196, 138, 94),
              "brown": (146, 96, 62), "dark": (92, 60, 42)}  # fmt: skip
HAIR_COLORS = {"black": (32, 28, 27), "brown": (104, 66, 38), "blonde": (226, 192, 118),
               "red": (176, 74, 36), "grey": (150, 150, 152), "white": (236, 236, 232)}  # fmt: skip
HAIR_STYLES = ("short", "buzz", "long", "curly", "ponytail", "bun", "bald")
EYE_COLORS = {"brown": (104, 62, 28), "blue": (56, 122, 206), "green": (64, 150, 76),
              "hazel": (150, 112, 44), "grey": (128, 140, 152)}  # fmt: skip
BUILDS = {"slim": 76, "average": 96, "broad": 118}  # shoulder half-width (units of 1/256)
# face shape -> (half width, half height, superellipse exponent, chin taper)
FACE_SHAPES = {"oval": (44, 58, 2.0, 0.15), "round": (50, 53, 2.1, 0.05),
               "square": (48, 56, 3.2, 0.08), "long": (41, 64, 2.2, 0.12),
               "heart": (48, 57, 2.2, 0.38)}  # fmt: skip
HATS = {"none": None, "cap": (196, 40, 46), "beanie": (52, 88, 164), "fedora": (92, 70, 52)}
BEARDS = ("none", "full", "goatee", "moustache", "stubble")
SHIRT_COLORS = {"red": (200, 50, 50), "blue": (52, 92, 192), "green": (48, 140, 80),
                "yellow": (236, 200, 60), "purple": (122, 70, 162), "orange": (236, 132, 40),
                "white": (242, 242, 240), "black": (36, 36, 42), "grey": (132, 132, 138),
                "navy": (30, 42, 92), "pink": (236, 150, 182)}  # fmt: skip
BACKGROUND_COLORS = {"sky blue": (160, 198, 234), "mint": (170, 222, 196),
                     "lavender": (198, 186, 232), "rose": (232, 178, 194),
                     "teal": (92, 158, 164), "slate": (100, 114, 140),
                     "olive": (150, 156, 94)}  # fmt: skip
TRAIT_KEYS: tuple[str, ...] = (
    "skin_tone", "hair_color", "hair_style", "eye_color", "build", "face_shape", "wrinkles",
    "freckles", "glasses", "hat", "earrings", "beard", "shirt_color", "background_color",
)  # fmt: skip
VARIANT_KEYS: tuple[str, ...] = (
    "pose_yaw", "pose_tilt", "background_color", "brightness", "contrast", "hue_shift",
    "noise_std", "noise_seed", "scale", "shift_x", "shift_y",
)  # fmt: skip
_HEAD_Y, _SHOULDER_Y, _GOLD, _FRAME = -22.0, 68.0, (222, 178, 60), (34, 34, 40)


def _pick(rng: np.random.Generator, weights: dict[str, float]) -> str:
    p = np.array(list(weights.values()), dtype=float)
    return list(weights)[int(rng.choice(len(p), p=p / p.sum()))]


def sample_traits(rng: np.random.Generator, *, age: int, gender: str) -> dict:
    """Draw the visible traits of one person (age and gender shift the odds)."""
    if gender not in GENDERS:
        raise ValueError(f"gender must be one of {GENDERS}, got {gender!r}")
    male, female, age = gender == "Male", gender == "Female", int(age)
    skin = _pick(rng, {"light": 3, "medium": 3, "tan": 2, "brown": 2, "dark": 2})
    darker = skin in ("brown", "dark")
    natural = {"black": 7, "brown": 2.5, "blonde": 0.3, "red": 0.2} if darker else {
        "black": 3, "brown": 4, "blonde": 2, "red": 1}  # fmt: skip
    hair = _pick(rng, natural)
    p_grey = float(np.interp(age, [30, 40, 50, 60, 70], [0.01, 0.08, 0.3, 0.6, 0.85]))
    if rng.random() < p_grey:
        hair = "white" if rng.random() < min(0.8, max(0.1, (age - 45) / 40)) else "grey"
    bald = (0.03 + 0.3 * min(1.0, max(0.0, (age - 30) / 40))) if male else 0.01
    styles = dict.fromkeys(HAIR_STYLES[:-1], 1.0)
    if male or female:  # short, buzz, long, curly, ponytail, bun
        w = (5, 2, 0.6, 1.5, 0.4, 0.3) if male else (2, 0.4, 4, 2, 1.6, 1.2)
        styles = dict(zip(HAIR_STYLES[:-1], w, strict=True))
    scale = sum(styles.values())
    styles = {k: (1 - bald) * v / scale for k, v in styles.items()} | {"bald": bald}
    eyes = {"brown": 10, "hazel": 2, "green": 0.5, "blue": 0.3, "grey": 0.2} if darker else {
        "brown": 4, "hazel": 2, "green": 2, "blue": 3, "grey": 1}  # fmt: skip
    p_wrinkles = float(np.interp(age, [30, 40, 50, 60], [0.02, 0.12, 0.45, 0.9]))
    traits = {
        "skin_tone": skin,
        "hair_color": hair,
        "hair_style": _pick(rng, styles),
        "eye_color": _pick(rng, eyes),
        "build": _pick(rng, {"slim": 3, "average": 4, "broad": 3 if male else 1.5}),
        "face_shape": _pick(rng, dict.fromkeys(FACE_SHAPES, 1.0)),
        "wrinkles": bool(rng.random() < p_wrinkles),
        "freckles": bool(rng.random() < {"light": 0.3, "medium": 0.12}.get(skin, 0.03)),
        "glasses": bool(rng.random() < (0.45 if age >= 50 else 0.22)),
        "hat": _pick(rng, {"none": 8, "cap": 1, "beanie": 0.7, "fedora": 0.5}),
        "earrings": bool(rng.random() < (0.1 if male else 0.6 if female else 0.35)),
        "beard": "none",
        "shirt_color": _pick(rng, dict.fromkeys(SHIRT_COLORS, 1.0)),
        "background_color": _pick(rng, dict.fromkeys(BACKGROUND_COLORS, 1.0)),
    }
    p_beard, beard = (0.5 if male else 0.0 if female else 0.1), rng.random()
    if beard < p_beard:
        traits["beard"] = _pick(rng, {"full": 3, "goatee": 2, "moustache": 1.5, "stubble": 2})
    return traits


def sample_variant(rng: np.random.Generator, *, avoid: str | None = None) -> dict:
    """Parameters of a re-shoot of the same person (the `test` config): pose, background, light,
    noise, framing. `avoid` is a background colour the variant must not reuse."""
    backgrounds = [b for b in BACKGROUND_COLORS if b != avoid]
    u = rng.uniform(-1.0, 1.0, size=9)
    return {
        "pose_yaw": round(12.0 * u[0], 2),
        "pose_tilt": round(10.0 * u[1], 2),
        "background_color": backgrounds[int(rng.integers(len(backgrounds)))],
        "brightness": round(1.0 + 0.2 * u[2], 3),
        "contrast": round(1.0 + 0.2 * u[3], 3),
        "hue_shift": round(6.0 * u[4], 2),
        "noise_std": round(8.0 + 4.0 * u[5], 2),
        "noise_seed": int(rng.integers(0, 2**31 - 1)),
        "scale": round(1.0 + 0.1 * u[6], 3),
        "shift_x": round(0.04 * u[7], 4),
        "shift_y": round(0.03 * u[8], 4),
    }


_CHOICES = {"skin_tone": SKIN_TONES, "hair_color": HAIR_COLORS, "hair_style": HAIR_STYLES,
            "eye_color": EYE_COLORS, "build": BUILDS, "face_shape": FACE_SHAPES, "hat": HATS,
            "beard": BEARDS, "shirt_color": SHIRT_COLORS,
            "background_color": BACKGROUND_COLORS}  # fmt: skip


_BOOLS = {"True": True, "False": False, "true": True, "false": False}


def _checked(traits: dict, background: str | None = None) -> dict:
    """A copy with flags parsed (bool or "True"/"False", as a dataset column stores them) and
    hat/beard flags mapped to a style; an unknown value raises ValueError naming the trait."""
    t = dict(traits, background_color=background or traits.get("background_color"))
    for key in ("wrinkles", "freckles", "glasses", "earrings"):
        if str(t.get(key, False)) not in _BOOLS:
            raise ValueError(f"portrait trait {key}={t.get(key)!r} is not a bool")
        t[key] = _BOOLS[str(t.get(key, False))]
    for key, yes in (("hat", "cap"), ("beard", "full")):
        value = t.get(key, "none")
        t[key] = {True: yes, False: "none"}[_BOOLS[str(value)]] if str(value) in _BOOLS else value
    for key, allowed in _CHOICES.items():
        if t.get(key) not in allowed:
            raise ValueError(f"portrait trait {key}={t.get(key)!r} is not one of {list(allowed)}")
    return t


def _shade(c, f: float) -> tuple[int, int, int]:
    return tuple(int(min(255, max(0, round(v * f)))) for v in c)


def _mix(a, b, t: float) -> tuple[int, int, int]:
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b, strict=True))


class _Pen:
    """Draws in a 256-unit frame centred on the image, turned by `tilt` degrees (counter-
    clockwise) about `pivot`; every shape becomes a polygon so a turn is a point transform."""

    def __init__(self, draw, ox: float, oy: float, k: float, tilt: float = 0.0, pivot=(0.0, 0.0)):
        self.d, self.ox, self.oy, self.k, self.pivot = draw, ox, oy, k, pivot
        self.cos, self.sin = np.cos(np.radians(tilt)), np.sin(np.radians(tilt))

    def pts(self, xs, ys) -> list[tuple[float, float]]:
        px, py = self.pivot
        xs, ys = np.asarray(xs, float) - px, np.asarray(ys, float) - py
        xs, ys = px + xs * self.cos + ys * self.sin, py - xs * self.sin + ys * self.cos
        return list(
            zip((self.ox + xs * self.k).tolist(), (self.oy + ys * self.k).tolist(), strict=True)
        )

    def poly(self, xs, ys, fill, outline=None, w=0.0):
        self.d.polygon(self.pts(xs, ys), fill, outline, max(1, round(w * self.k)))

    def line(self, xs, ys, fill, w):
        self.d.line(self.pts(xs, ys), fill, max(1, round(w * self.k)), joint="curve")

    @staticmethod
    def _arc(x, y, rx, ry, a0=0.0, a1=360.0):
        t = np.radians(np.linspace(a0, a1, int(np.clip(max(rx, ry) * 2, 12, 72))))
        return x + rx * np.cos(t), y + ry * np.sin(t)

    def ell(self, x, y, rx, ry, fill=None, outline=None, w=0.0, a0=0.0, a1=360.0):
        self.poly(*self._arc(x, y, rx, ry, a0, a1), fill, outline, w)

    def rect(self, x0, y0, x1, y1, r, fill, outline=None, w=0.0):
        xs, ys = [], []
        for cx, cy, a in ((x1 - r, y1 - r, 0), (x0 + r, y1 - r, 90), (x0 + r, y0 + r, 180),
                          (x1 - r, y0 + r, 270)):  # fmt: skip
            ax, ay = self._arc(cx, cy, r, r, a, a + 90)
            xs.extend(ax)
            ys.extend(ay)
        self.poly(xs, ys, fill, outline, w)


class _Head:
    """Geometry of one head: centre, half sizes, outline sampler, feature anchors."""

    def __init__(self, traits: dict, yaw: float):
        self.t, self.style = traits, traits["hair_style"]
        self.skin, self.hair = SKIN_TONES[traits["skin_tone"]], HAIR_COLORS[traits["hair_color"]]
        self.hw, self.hh, self.n, self.taper = FACE_SHAPES[traits["face_shape"]]
        self.x, self.y, self.yaw = yaw / 12.0 * 3.0, _HEAD_Y, yaw
        self.fx = self.x + yaw / 12.0 * 6.0  # face features turn further than the outline
        self.ey = self.y - 0.02 * self.hh
        self.eyes = (self.fx - 0.41 * self.hw, self.fx + 0.41 * self.hw)
        self.my = self.y + 0.56 * self.hh

    def outline(self, grow=0.0, a0=0.0, a1=360.0, num=72, dy=0.0):
        t = np.radians(np.linspace(a0, a1, num))
        c, s = np.cos(t), np.sin(t)
        x = (self.hw + grow) * np.sign(c) * np.abs(c) ** (2 / self.n)
        y = (self.hh + grow) * np.sign(s) * np.abs(s) ** (2 / self.n)
        x *= 1 - self.taper * np.clip(y / self.hh, 0, 1) ** 2
        return self.x + x, self.y + y + dy

    def curve(self, ctrl, num=40):
        """A hairline through (x/hw, y/hh) control points, returned right to left."""
        cx, cy = np.array(ctrl, float).T
        xs = np.linspace(cx[-1], cx[0], num)
        ys = self.y + np.interp(xs, cx, cy) * self.hh
        return self.x + xs * self.hw + (self.fx - self.x) * 0.5, ys


_HAIRLINES = {
    "short": [(-1.05, -0.05), (-0.7, -0.42), (-0.25, -0.58), (0.2, -0.48), (0.7, -0.45),
              (1.05, -0.05)],
    "buzz": [(-1.02, -0.15), (-0.6, -0.52), (0.0, -0.6), (0.6, -0.52), (1.02, -0.15)],
    "long": [(-1.1, 0.75), (-0.88, -0.1), (-0.45, -0.5), (0.0, -0.66), (0.45, -0.5), (0.88, -0.1),
             (1.1, 0.75)],
    "curly": [(-1.05, 0.0), (-0.6, -0.45), (0.0, -0.55), (0.6, -0.45), (1.05, 0.0)],
    "tied": [(-1.02, -0.05), (-0.7, -0.55), (0.0, -0.72), (0.7, -0.55), (1.02, -0.05)],
}  # fmt: skip


def _draw_body(pen: _Pen, hp: _Pen, h: _Head) -> None:
    """Back hair (drawn with the head's pen `hp`, so it tilts too), neck and shirt."""
    skin, hair, style, traits = h.skin, h.hair, h.style, h.t
    if style == "long":
        xs, ys = h.outline(9, 180, 360)
        hp.poly([*xs, h.x + h.hw + 14, h.x - h.hw - 14], [*ys, 96, 96], hair)
    elif style == "curly":
        xs, ys = h.outline(6, 150, 390, num=19)
        for x, y in zip(xs, ys, strict=True):
            hp.ell(x, y, 11.5, 11.5, hair)
    elif style != "bald":
        if style == "ponytail":
            hp.ell(h.x + h.hw + 4, h.y + 0.55 * h.hh, 10, 0.62 * h.hh, hair)
            hp.ell(h.x + h.hw - 2, h.y - 0.05 * h.hh, 6, 5, _shade(hair, 0.55))
        if style == "bun":
            hp.ell(h.x, h.y - h.hh - 8, 17, 15, hair, _shade(hair, 0.75), 1.5)
        grow = 2.0 if style == "buzz" else 5.0
        xs, ys = h.outline(grow, 180, 360, dy=-2)
        hp.poly(xs, ys, hair)
    shirt, bw = SHIRT_COLORS[traits["shirt_color"]], BUILDS[traits["build"]]
    neck, nw = _shade(skin, 0.9), 9 + bw / 12
    pen.rect(-nw, h.y + h.hh - 20, nw, 90, 0, neck)
    xs, ys = h.outline(0, 0, 180, dy=5)
    pen.poly(np.clip(xs, -nw, nw), ys, _shade(skin, 0.74))  # shadow under the chin
    pen.rect(-bw, _SHOULDER_Y, bw, 220, 42, shirt)
    pen.poly([-nw - 3, nw + 3, 0], [_SHOULDER_Y - 1, _SHOULDER_Y - 1, _SHOULDER_Y + 22], neck)
    pen.line([-nw - 7, 0, nw + 7], [_SHOULDER_Y - 1, _SHOULDER_Y + 24, _SHOULDER_Y - 1],
             _shade(shirt, 0.7), 3)  # fmt: skip


def _draw_head(pen: _Pen, h: _Head) -> None:
    skin, hair, style, traits = h.skin, h.hair, h.style, h.t
    dark, line, beard, hat = _shade(skin, 0.8), _shade(skin, 0.68), traits["beard"], traits["hat"]
    for side in (-1, 1):  # ears: the one the face turns away from shows more
        ew = 7.5 * (1 - side * h.yaw / 30)
        pen.ell(h.x + side * (h.hw - 1), h.ey + 3, ew, 11, skin, dark, 1)
        pen.ell(h.x + side * (h.hw - 1), h.ey + 3, ew * 0.45, 6, dark)
    pen.poly(*h.outline(), skin, dark, 1.2)
    ex0, ex1 = h.eyes
    for ex in h.eyes:  # cheeks
        pen.ell(ex, h.ey + 0.32 * h.hh, 9, 6, (226, 104, 100, 38))
    if traits["freckles"]:
        for fx, fy in ((-6, 4), (-2, 9), (3, 6), (7, 10), (-9, 11), (10, 4), (0, 13), (-12, 6)):
            for ex in h.eyes:
                pen.ell(ex + fx * 0.8 + (ex - h.fx) * 0.15, h.ey + 10 + fy * 0.8, 1.1, 1.1, line)
    if traits["wrinkles"]:
        for i in range(3):  # forehead, crow's feet, smile lines
            fy = h.y - (0.3 + 0.1 * i) * h.hh
            pen.line([h.fx - 18 + 2 * i, h.fx, h.fx + 18 - 2 * i], [fy, fy - 2, fy], line, 1.2)
        for side, ex in ((-1, ex0), (1, ex1)):
            for dy in (-3, 1, 5):
                pen.line([ex + side * 12, ex + side * 17], [h.ey + dy * 0.5, h.ey + dy], line, 1.1)
            pen.line([h.fx + side * 9, h.fx + side * 14, h.fx + side * 14],
                     [h.my - 16, h.my - 7, h.my + 2], line, 1.3)  # fmt: skip
    iris, brow = EYE_COLORS[traits["eye_color"]], _mix(hair, (40, 30, 25), 0.25)
    for side, ex in ((-1, ex0), (1, ex1)):
        pen.ell(ex, h.ey, 10.5, 6.5, (250, 250, 248), line, 0.8)
        pen.ell(ex + h.yaw / 12 * 2, h.ey, 5.6, 5.6, iris)
        pen.ell(ex + h.yaw / 12 * 2, h.ey, 2.4, 2.4, (14, 12, 12))
        pen.ell(ex + h.yaw / 12 * 2 + 1.8, h.ey - 2, 1.1, 1.1, (255, 255, 255))
        pen.line(*pen._arc(ex, h.ey, 10.5, 6.5, 190, 350), (30, 24, 22), 1.6)
        pen.line(
            [ex - side * 9, ex, ex + side * 11], [h.ey - 12, h.ey - 15.5, h.ey - 12.5], brow, 3.2
        )
    nx = h.fx + h.yaw / 12 * 3
    pen.line([nx - 1, nx + 3, nx - 2], [h.ey + 2, h.y + 0.36 * h.hh, h.y + 0.4 * h.hh], dark, 1.8)
    pen.ell(nx - 1, h.y + 0.4 * h.hh + 1, 5, 2.2, (*_shade(skin, 0.6), 90))
    beard_color = _mix(hair, (30, 25, 22), 0.1)
    if beard in ("full", "stubble"):
        xs, ys = h.outline(1.5, -8, 188)
        ctrl = h.curve([(-0.98, 0.05), (-0.55, 0.45), (-0.22, 0.45), (0.0, 0.42), (0.22, 0.45),
                        (0.55, 0.45), (0.98, 0.05)])  # fmt: skip
        fill = beard_color if beard == "full" else (*beard_color, 105)
        pen.poly([*xs, *ctrl[0][::-1]], [*ys, *ctrl[1][::-1]], fill)
    if beard == "goatee":
        pen.ell(h.fx, h.my + 0.22 * h.hh, 0.27 * h.hw, 0.24 * h.hh, beard_color)
    if beard in ("goatee", "moustache"):
        pen.ell(h.fx, h.my - 4.5, 15, 5.5, beard_color, a0=180, a1=360)
    lip = _mix(skin, (176, 52, 60), 0.45)
    pen.ell(h.fx, h.my - 0.5, 11, 5.5, lip, a0=0, a1=180)
    pen.line([h.fx - 12, h.fx, h.fx + 12], [h.my - 1, h.my + 0.5, h.my - 1], _shade(lip, 0.6), 1.6)
    if style == "bald":  # side hair and scalp shine
        for side in (-1, 1):
            pen.ell(h.x + side * (h.hw - 3), h.ey - 10, 5, 11, hair)
        pen.ell(h.x - 0.3 * h.hw, h.y - 0.72 * h.hh, 9, 5, (255, 255, 255, 70))
    else:
        xs, ys = h.outline(1.5 if style == "buzz" else 3.0, 180, 360)
        hx, hy = h.curve(_HAIRLINES.get(style, _HAIRLINES["tied"]))
        alpha = 175 if style == "buzz" else 255
        pen.poly([*xs, *hx], [*ys, *hy], (*hair, alpha))
        if style == "curly":
            for x, y in zip(hx[2:-2:4], hy[2:-2:4], strict=True):
                pen.ell(x, y - 3, 6.5, 6.5, hair)
        elif style in ("short", "long"):
            for i in (-2, -1, 0, 1, 2):  # a few strands for texture
                pen.line([h.x + i * 9, h.x + i * 14 + 6], [h.y - h.hh + 2, h.y - 0.55 * h.hh],
                         (*_shade(hair, 0.7), 120), 1.2)  # fmt: skip
    if traits["earrings"]:
        for side in (-1, 1):
            pen.ell(h.x + side * (h.hw - 1), h.ey + 15, 3.6, 3.6, _GOLD, _shade(_GOLD, 0.6), 0.8)
    if traits["glasses"]:
        for side, ex in ((-1, ex0), (1, ex1)):
            pen.rect(ex - 14, h.ey - 10, ex + 14, h.ey + 10, 6, (210, 232, 255, 50), _FRAME, 2.6)
            pen.line([ex + side * 14, h.x + side * (h.hw - 2)], [h.ey - 5, h.ey - 3], _FRAME, 2.2)
        pen.line([ex0 + 14, h.fx, ex1 - 14], [h.ey - 3, h.ey - 5, h.ey - 3], _FRAME, 2.4)
    if hat != "none":
        hat_color, band = HATS[hat], _shade(HATS[hat], 0.6)
        if hat == "fedora":
            cw = 0.82 * h.hw
            pen.rect(h.x - cw, h.y - h.hh - 26, h.x + cw, h.y - 0.6 * h.hh, 12, hat_color)
            pen.rect(h.x - cw, h.y - 0.86 * h.hh, h.x + cw, h.y - 0.7 * h.hh, 0, band)
            pen.ell(h.x, h.y - 0.62 * h.hh, h.hw + 24, 7, hat_color, band, 1)
        else:
            xs, ys = h.outline(6, 180, 360, dy=-3)
            pen.poly(xs, np.minimum(ys, h.y - 0.45 * h.hh), hat_color)
            if hat == "cap":
                pen.ell(h.fx + 10, h.y - 0.45 * h.hh, h.hw + 8, 5.5, band)
                pen.ell(h.x, h.y - h.hh - 8, 4, 3, band)
            else:
                bx = h.hw + 7
                pen.rect(h.x - bx, h.y - 0.62 * h.hh, h.x + bx, h.y - 0.38 * h.hh, 5, band)
                pen.ell(h.x, h.y - h.hh - 10, 8, 8, _mix(hat_color, (255, 255, 255), 0.5))


def _photometric(img: Image.Image, v: dict) -> Image.Image:
    """Hue turn, contrast, brightness (one colour matrix) and seeded Gaussian noise."""
    t = np.radians(float(v.get("hue_shift", 0.0)))  # a hue turn that keeps luminance
    lum, turn = np.array([0.213, 0.715, 0.072]), np.array([[-0.213, -0.715, 0.928],
                                                           [0.143, 0.140, -0.283],
                                                           [-0.787, 0.715, 0.072]])  # fmt: skip
    hue = lum + np.cos(t) * (np.eye(3) - lum) + np.sin(t) * turn
    gain, con = float(v.get("brightness", 1.0)), float(v.get("contrast", 1.0))
    offset = np.full((3, 1), gain * 128.0 * (1.0 - con))
    img = img.convert("RGB", tuple(np.hstack([gain * con * hue, offset]).ravel().tolist()))
    std = float(v.get("noise_std", 0.0))
    if std <= 0:
        return img
    a = np.random.default_rng(int(v.get("noise_seed", 0))).standard_normal(
        (img.height, img.width, 3), dtype=np.float32
    )
    a *= np.float32(std)
    a += np.asarray(img, dtype=np.float32) + np.float32(0.5)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def render_portrait(traits: dict, *, size: int = 256, variant: dict | None = None) -> Image.Image:
    """Draw a size x size RGB portrait; `variant` (from `sample_variant`) re-shoots the same
    person with another pose, background, light and noise. Pure and deterministic."""
    v = variant or {}
    traits = _checked(traits, v.get("background_color"))
    ss = 2 * int(size)
    k = ss / 256.0 * float(v.get("scale", 1.0))
    ox = ss / 2 + float(v.get("shift_x", 0.0)) * ss
    oy = ss / 2 + float(v.get("shift_y", 0.0)) * ss
    img = Image.new("RGB", (ss, ss), BACKGROUND_COLORS[traits["background_color"]])
    pen = _Pen(ImageDraw.Draw(img, "RGBA"), ox, oy, k)
    head = _Head(traits, float(v.get("pose_yaw", 0.0)))
    tilt = float(v.get("pose_tilt", 0.0))  # the head turns by the tilt about the chin
    head_pen = _Pen(pen.d, ox, oy, k, tilt, (head.x, head.y + head.hh))
    _draw_body(pen, head_pen, head)
    _draw_head(head_pen, head)
    img = img.reduce(2)  # 2x2 box average of the 2x drawing: anti-aliased edges
    return _photometric(img, v) if v else img
