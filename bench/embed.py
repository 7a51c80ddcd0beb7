"""Throughput of `mmpriv embed` against the floor of decoding and re-encoding each image.

    python bench/embed.py [--n 300] [--repeats 3] [--out bench/results]

On the same N JPEGs of 640x480 (quality 90), in one process:
  (a) floor: decode each image and re-encode it (same format and quality), nothing drawn;
  (b) `embed_tree(..., rate=1.0)`: the full command (checks, overlay, manifest, temp dir +
      rename);
  (c) for comparison, ProbingPrivacy's way: convert to RGBA, draw on a full-size transparent
      overlay, alpha-composite, convert back to RGB.
(a) and (b) alternate folder by folder (50 images each), `--repeats` times, and the totals
are compared, in CPU time of the process (robust on a shared machine) and in wall time.
Two image sets: "photo" (photo-like texture: smooth colour fields + grain, ~135 KB each,
the issue's case) and "scene" (the flat procedural VQA scenes, ~10 KB each, where codec
time is smallest and the overlay's share largest). Target: (b) >= 0.85 x (a) in images/s on photos.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from mmpriv_data.content.scenes import render_scene, sample_scene
from mmpriv_data.core.seeding import stream
from mmpriv_data.files.embed_files import embed_tree, save_like_source, source_files

WIDTH, HEIGHT, QUALITY = 640, 480, 90
CHUNK = 50  # images per sub-folder; floor and embed alternate folder by folder


def photo_like(rng: np.random.Generator) -> Image.Image:
    """Smooth colour fields at two scales plus grain: JPEG sizes and codec times of photos."""
    coarse = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
    fine = rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)
    size, cubic = (WIDTH, HEIGHT), Image.Resampling.BICUBIC
    base = np.asarray(Image.fromarray(coarse).resize(size, cubic), dtype=np.float32)
    detail = np.asarray(Image.fromarray(fine).resize(size, cubic), dtype=np.float32)
    grain = rng.normal(0, 10, (HEIGHT, WIDTH, 1))
    return Image.fromarray(np.clip(0.7 * base + 0.3 * detail + grain, 0, 255).astype(np.uint8))


def make_images(folder: Path, n: int, kind: str) -> None:
    for i in range(n):
        rng = stream(0, "bench-embed", kind, i)
        if kind == "photo":
            image = photo_like(rng)
        else:
            image = render_scene(sample_scene(rng, width=WIDTH, height=HEIGHT))
        sub = folder / f"chunk{i // CHUNK:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        image.save(sub / f"{i:05d}.jpg", quality=QUALITY)


def floor(src: Path, dst: Path) -> None:
    """Decode and re-encode every image into a mirrored tree, nothing drawn."""
    for path in source_files(src):
        out = dst / path.relative_to(src)
        out.parent.mkdir(parents=True, exist_ok=True)
        with Image.open(path) as image:
            image.load()
            save_like_source(image, out, image.format, QUALITY)


def reference_style(src: Path, dst: Path) -> None:
    """ProbingPrivacy's way, for comparison: whole image to RGBA, full-size overlay, composite."""
    from PIL import ImageDraw, ImageFont

    from mmpriv_data.content.identities import USER_FIELDS
    from mmpriv_data.files.embed_files import generated_users
    from mmpriv_data.transforms.embedding import record_text

    users = generated_users(0)
    font = ImageFont.load_default(size=16)
    for i, path in enumerate(source_files(src)):
        out = dst / path.relative_to(src)
        out.parent.mkdir(parents=True, exist_ok=True)
        with Image.open(path) as image:
            base = image.convert("RGBA")
        overlay = Image.new("RGBA", base.size, (255, 255, 255, 0))
        text = record_text(users[i % len(users)], USER_FIELDS)
        ImageDraw.Draw(overlay).multiline_text((20, 20), text, font=font, fill=(255, 255, 255, 128))
        Image.alpha_composite(base, overlay).convert("RGB").save(out, quality=QUALITY)


def timed(fn, *args) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn(*args)
    return time.perf_counter() - wall, time.process_time() - cpu


def bench(kind: str, n: int, repeats: int, chunk: int, work: Path) -> dict:
    """Alternate floor and embed chunk by chunk, so both see the same machine load."""
    src = work / f"src-{kind}"
    make_images(src, n, kind)
    chunks = sorted(p for p in src.iterdir() if p.is_dir())
    totals = {"floor": [0.0, 0.0], "embed": [0.0, 0.0], "reference": [0.0, 0.0]}
    embed = lambda s, d: embed_tree(s, d, rate=1.0, quality=QUALITY)  # noqa: E731
    runs = {"floor": floor, "embed": embed, "reference": reference_style}
    # One-time costs of a command (Faker's locales for the generated user set, laying out
    # each user's text block once) are paid here, untimed for the per-image rate and
    # reported apart: they do not grow with the number of images.
    one_time_wall, _ = timed(embed, chunks[0], work / "warm-up")
    shutil.rmtree(work / "warm-up")
    for r in range(repeats):
        for c, folder in enumerate(chunks):
            order = ("floor", "embed", "reference")
            order = order if (r + c) % 2 == 0 else order[::-1]
            for name in order:
                dst = work / f"{name}-{r}-{c}"
                wall, cpu = timed(runs[name], folder, dst)
                totals[name][0] += wall
                totals[name][1] += cpu
                shutil.rmtree(dst)
    images = n * repeats
    mean_kb = sum(p.stat().st_size for p in source_files(src)) / n / 1024
    (floor_wall, floor_cpu), (embed_wall, embed_cpu) = totals["floor"], totals["embed"]
    reference_cpu = totals["reference"][1]
    return {
        "images": n,
        "repeats": repeats,
        "mean_jpeg_kb": round(mean_kb, 1),
        "floor_images_per_s_cpu": round(images / floor_cpu, 1),
        "embed_images_per_s_cpu": round(images / embed_cpu, 1),
        "ratio_cpu": round(floor_cpu / embed_cpu, 3),
        "floor_images_per_s_wall": round(images / floor_wall, 1),
        "embed_images_per_s_wall": round(images / embed_wall, 1),
        "ratio_wall": round(floor_wall / embed_wall, 3),
        "reference_images_per_s_cpu": round(images / reference_cpu, 1),
        "reference_ratio_cpu": round(floor_cpu / reference_cpu, 3),
        "first_call_seconds": round(one_time_wall, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-embed-") as tmp:
        results = {
            kind: bench(kind, args.n, args.repeats, CHUNK, Path(tmp)) for kind in ("photo", "scene")
        }
    cores = os.cpu_count()
    machine = f"{platform.machine()}, {cores} cores, {platform.system()}, one process"
    report = {"machine": machine, "size": f"{WIDTH}x{HEIGHT}", "quality": QUALITY, **results}
    for kind, r in results.items():
        print(
            f"{kind:5s}: CPU time: floor {r['floor_images_per_s_cpu']:6.1f} img/s, embed "
            f"{r['embed_images_per_s_cpu']:6.1f} img/s, ratio {r['ratio_cpu']:.3f}x | wall: "
            f"ratio {r['ratio_wall']:.3f}x | {r['mean_jpeg_kb']} KB/image, n={r['images']}"
            f" x{r['repeats']} | RGBA-composite reference: {r['reference_ratio_cpu']:.3f}x"
            f" | first call (one-time costs) {r['first_call_seconds']:.2f} s"
        )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "embed.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
