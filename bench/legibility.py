"""Legibility of the drawn text at VLM input sizes, for the default style and a few others.

    python bench/legibility.py [--num-probe 200] [--variant-probe 80] [--clean 40]
                               [--style font_size=24 ...] [--out bench/results]

Builds privacy-images (seed 0, 640x480 scenes) once per style, `probe` config only (every
image embedded, six fields), and runs `mmpriv eval legibility`'s evaluator (PP-OCR through
rapidocr-onnxruntime, the `ocr` extra) at 224, 336 and 448 px (squash: straight to a square,
as Qwen-VL; LLaVA-1.5 pads first, `--fit pad`, which makes the text smaller still). The default
style (Pillow's font at 1/30 of the shorter side, 16 px here; white at 50% opacity, as the
paper) is also read at the stored 640x480, and `--clean` rate_0 scenes without text are read
as the control. Other styles (`--style`, repeatable, `key=value,key=value` of privacy-images
options) use `--variant-probe` images each, to keep the run short on a CPU.

Writes `legibility.json` (every rate) and `legibility.md` (the tables) under `--out`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

from evaluators.legibility import evaluate_legibility, load_ocr_engine, styles_of
from mmpriv_data.cli.eval_probing import load_samples
from mmpriv_data.hub.build import build

SIZES = (224, 336, 448)
DEFAULT_VARIANTS = ("font_size=24", "font_size=32", "opacity=1.0")
FIELDS = ("username", "user_id", "gender", "age", "capture_time", "capture_location")


def parse_style(text: str) -> dict[str, str]:
    """'font_size=24,opacity=1.0' -> {'font_size': '24', 'opacity': '1.0'} ('' -> default)."""
    pairs = [part.split("=", 1) for part in text.split(",") if part.strip()]
    return {key.strip(): value.strip() for key, value in pairs}


def build_style(root: Path, name: str, style: dict, num_probe: int, clean: int) -> Path:
    settings = {"num_images": str(max(clean, 1)), "num_probe": str(num_probe), **style}
    configs = ["probe", "rate_0"] if clean else ["probe"]
    build("privacy-images", root / name, settings=settings, configs=configs)
    return root / name / "privacy-images"


def measure(engine, samples: list[dict], sizes, label: str) -> list[dict]:
    rows = []
    for size in sizes:
        start = time.perf_counter()
        report = evaluate_legibility(samples, engine, size)
        seconds = time.perf_counter() - start
        report.pop("per_sample")
        report["seconds_per_image"] = round(seconds / len(samples), 3)
        rows.append({"style": label, **report})
        username = report["per_field"].get("username", {})
        print(
            f"{label:28s} {size or 'stored':>6}: username {username.get('formatted_rate')} "
            f"({seconds / len(samples):.2f} s/image)",
            flush=True,
        )
    return rows


def markdown(payload: dict) -> str:
    lines = [
        "# Legibility of the drawn text at VLM input sizes",
        "",
        f"`python bench/legibility.py` on {payload['machine']}; OCR: {payload['engine']}.",
        f"privacy-images seed 0, 640x480 scenes, `probe` config; default style on "
        f"{payload['num_probe']} images, other styles on {payload['variant_probe']}. "
        "Images resized straight to size x size (bicubic). Each cell: share of images whose "
        "value the OCR read up to formatting (`eval leakage`'s judge); in brackets, exactly "
        "(every character, spaces aside), where it differs.",
        "",
        "| style | size | " + " | ".join(FIELDS) + " |",
        "|---|---|" + "---|" * len(FIELDS),
    ]
    for row in payload["embedded"]:
        cells = []
        for field in FIELDS:
            slot = row["per_field"].get(field)
            if slot is None:
                cells.append("-")
                continue
            cell = f"{slot['formatted_rate']:.2f}"
            if f"{slot['exact_rate']:.2f}" != cell:
                cell += f" ({slot['exact_rate']:.2f})"
            cells.append(cell)
        size = f"{row['size']} px" if row["size"] else "640x480"
        lines.append(f"| {row['style']} | {size} | " + " | ".join(cells) + " |")
    lines += ["", "Clean `rate_0` scenes (no text drawn), the control:", ""]
    lines += ["| size | images | any text read | any user's value read |", "|---|---|---|---|"]
    for row in payload["clean"]:
        clean = row["clean"]
        size = f"{row['size']} px" if row["size"] else "640x480"
        lines.append(
            f"| {size} | {clean['n']} | {clean['any_text_rate']:.2f} | "
            f"{clean['any_user_rate'] if clean['any_user_rate'] is not None else '-'} |"
        )
    lines += [
        "",
        f"OCR wall time: {payload['seconds_per_image']:.2f} s per image on average (whole run "
        f"{payload['wall_minutes']:.1f} min; the 2 cores were shared with other jobs).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num-probe", type=int, default=200)
    parser.add_argument("--variant-probe", type=int, default=80)
    parser.add_argument("--clean", type=int, default=40)
    parser.add_argument("--style", action="append", default=None)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    variants = args.style if args.style is not None else list(DEFAULT_VARIANTS)
    engine = load_ocr_engine(args.threads)
    start = time.perf_counter()
    payload = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared)",
        "engine": "rapidocr-onnxruntime (PP-OCRv4 det + rec, no direction classifier)",
        "num_probe": args.num_probe,
        "variant_probe": args.variant_probe,
        "fit": "squash",
        "embedded": [],
        "clean": [],
    }
    images = 0
    with tempfile.TemporaryDirectory(prefix="mmpriv-legibility-") as tmp:
        folder = build_style(Path(tmp), "default", {}, args.num_probe, args.clean)
        probe = load_samples(str(folder), "probe")
        scenes = []
        if args.clean:
            scenes = [s for s in load_samples(str(folder), "rate_0") if not s["embedded"]]
        label = "default ({font_size} px, opacity {opacity})".format(**styles_of(probe)[0])
        # Clean scenes are read in the same pass, so any user's value read on them is checked
        # against the users drawn into the probe images.
        for row in measure(engine, probe + scenes, [0, *sizes], label):
            payload["embedded"].append(row)
            payload["clean"].append({"size": row["size"], "clean": row.pop("clean")})
        images += (len(probe) + len(scenes)) * (len(sizes) + 1)
        write(args.out, payload, images, time.perf_counter() - start)
        for index, variant in enumerate(variants):
            style = parse_style(variant)
            folder = build_style(Path(tmp), f"variant{index}", style, args.variant_probe, 0)
            probe = load_samples(str(folder), "probe")
            drawn = styles_of(probe)[0]
            label = f"{drawn['font_size']} px, opacity {drawn['opacity']}"
            for row in measure(engine, probe, sizes, label):
                row.pop("clean")
                payload["embedded"].append(row)
            images += len(probe) * len(sizes)
            write(args.out, payload, images, time.perf_counter() - start)
    print(f"wrote {args.out / 'legibility.json'} and legibility.md")


def write(out: Path, payload: dict, images: int, seconds: float) -> None:
    """Both files after every style, so an interrupted run still leaves what it measured."""
    payload["seconds_per_image"] = round(seconds / images, 3)
    payload["wall_minutes"] = round(seconds / 60, 1)
    out.mkdir(parents=True, exist_ok=True)
    (out / "legibility.json").write_text(json.dumps(payload, indent=2) + "\n")
    (out / "legibility.md").write_text(markdown(payload))


if __name__ == "__main__":
    main()
