"""CPU side: render what the device needs into one pickle (the device has no `datasets`).

The bundle holds lossless PNGs of base scenes plus the overlay params of every row, so the
device re-draws each image exactly as mmpriv's `privacy-images` builder does (apply, then
JPEG at quality 90); a SHA-256 of mmpriv's own bytes rides along to check that on the device.

- `experiment`: privacy-images seed 0 at 640x480, default style: `--num-train` train scenes
  (their rate_100 overlay and whether rate_50 embeds them) and `--num-probe` probe images
  (U1 / U2, `--users-per-set` users each: more users give the user-disjoint probe power).
- `pretrain_scenes`: other scenes (a different seed) with their VQA questions.
- `pretrain_users`: mmpriv user records from other seeds and set names, none sharing a
  username or user_id with the probe users (never evaluate reading on users seen in training).

    python -m bench.reader.prepare_data --out bench/reader/.cache/bundle.pkl
"""

from __future__ import annotations

import argparse
import hashlib
import io
import pickle
import time
from pathlib import Path

from bench.reader.mmpriv_glue import dataset_api

EXPERIMENT_SEED, PRETRAIN_SCENE_SEED, PRETRAIN_USER_SEED = 0, 777, 1000


def png_bytes(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qa_pairs(messages: list[dict]) -> list[tuple[str, str]]:
    """Chat turns -> [(question, answer)]; the image marker is dropped."""
    texts = [
        "".join(c["text"] for c in m["content"] if c.get("type") == "text" and c.get("text"))
        for m in messages
    ]
    return list(zip(texts[0::2], texts[1::2], strict=True))


def overlay_params(row: dict) -> dict | None:
    """The `embedding.apply` params of a row, rebuilt from the columns it records."""
    if not row["embedded"]:
        return None
    style = row["style"]
    return {
        "text": row["embedded_text"],
        "fields": list(row["embedded_fields"]),
        "font_size": style["font_size"],
        "color": style["color"],
        "opacity": style["opacity"],
        "box": style["box"],
        "rotation": style["rotation"],
        "xy": list(style["xy"]),
        "bbox": list(row["bbox"]),
    }


def experiment_rows(num_train: int, num_probe: int, users_per_set: int) -> dict:
    privacy_images, _ = dataset_api()
    plan = privacy_images.Params(
        seed=EXPERIMENT_SEED, num_images=num_train, num_probe=num_probe, users_per_set=users_per_set
    )
    train = []
    for item_id in privacy_images.config_ids(plan, "rate_100"):
        row = privacy_images.make_row(plan, "rate_100", item_id)
        train.append(
            {
                "id": item_id,
                "png": png_bytes(privacy_images.base_item(plan, item_id)["image"]),
                "qa": qa_pairs(row["messages"]),
                "params": overlay_params(row),
                "in_rate_50": privacy_images.is_embedded(plan.seed, item_id, 50),
                "username": row["username"],
                "user_id": row["user_id"],
                "sha256": hashlib.sha256(row["images"][0]["bytes"]).hexdigest(),
            }
        )
    probe = []
    for item_id in privacy_images.config_ids(plan, "probe"):
        row = privacy_images.make_row(plan, "probe", item_id)
        probe.append(
            {
                "id": item_id,
                "png": png_bytes(privacy_images.base_item(plan, item_id)["image"]),
                "qa": qa_pairs(row["messages"]),
                "params": overlay_params(row),
                "user_set": row["user_set"],
                "username": row["username"],
                "user_id": row["user_id"],
                "sha256": hashlib.sha256(row["images"][0]["bytes"]).hexdigest(),
            }
        )
    users = privacy_images.user_sets(plan.seed, plan.users_per_set)
    return {"train": train, "probe": probe, "user_sets": users}


def pretrain_scenes(n: int) -> list[dict]:
    privacy_images, _ = dataset_api()
    plan = privacy_images.Params(seed=PRETRAIN_SCENE_SEED, num_images=n, num_probe=2)
    scenes = []
    for item_id in privacy_images.config_ids(plan, "rate_0"):
        item = privacy_images.base_item(plan, item_id)
        questions = [(q["question"], q["answer"]) for q in item["questions"]]
        scenes.append({"png": png_bytes(item["image"]), "qa": questions})
    return scenes


def pretrain_users(n: int, taken: dict[str, list[dict]]) -> list[dict]:
    """mmpriv's user generator under other seeds; probe users' names and ids are excluded."""
    _, make_user_record = dataset_api()
    names = {u["username"] for group in taken.values() for u in group}
    ids = {u["user_id"] for group in taken.values() for u in group}
    users, j = [], 0
    while len(users) < n:
        record = make_user_record(PRETRAIN_USER_SEED + j % 7, f"pretrain-{j // 7}", j)
        j += 1
        if record["username"] not in names and record["user_id"] not in ids:
            users.append(record)
    return users


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("bench/reader/.cache/bundle.pkl"))
    parser.add_argument("--num-train", type=int, default=1000)
    parser.add_argument("--num-probe", type=int, default=1000)
    parser.add_argument("--num-scenes", type=int, default=3000)
    parser.add_argument("--num-users", type=int, default=2000)
    parser.add_argument(
        "--users-per-set", type=int, default=20, help="privacy-images' U1 / U2 set size"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    bundle = experiment_rows(args.num_train, args.num_probe, args.users_per_set)
    print(f"experiment rows: {time.perf_counter() - started:.0f}s", flush=True)
    bundle["pretrain_scenes"] = pretrain_scenes(args.num_scenes)
    print(f"scenes: {time.perf_counter() - started:.0f}s", flush=True)
    bundle["pretrain_users"] = pretrain_users(args.num_users, bundle["user_sets"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(pickle.dumps(bundle, protocol=pickle.HIGHEST_PROTOCOL))
    size = args.out.stat().st_size / 2**20
    print(f"wrote {args.out} ({size:.1f} MiB) in {time.perf_counter() - started:.0f}s")


if __name__ == "__main__":
    main()
