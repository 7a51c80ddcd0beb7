"""`mmpriv embed SRC DST --rate R`: ProbingPrivacy's file workflow, safely.

Mirrors the image tree of SRC into DST: a seeded fraction R of the images get a user record
drawn on them, the rest are copied byte for byte, and `DST/embed-manifest.jsonl` says what was
embedded where (one line per file, in path order). The decision for a file is
`uniform01(seed, "embed", relative_path) < R`, so the embedded files at a lower rate are a
subset of those at a higher rate, with the same user and position.

Every image is decoded before anything final is written: corrupt or truncated images,
non-image files and decompression bombs stop the command with one line naming the file, or,
with `skip_bad`, are left out and counted. The output is built in a hidden folder next to DST
and renamed into place at the end.

>>> report = embed_tree("photos", "photos-private", rate=0.5)  # doctest: +SKIP
>>> report.embedded, report.copied, dict(report.skipped)  # doctest: +SKIP
(51, 49, {})
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from mmpriv_data.content.identities import USER_FIELDS, make_user_sets
from mmpriv_data.core.atomic import atomic_folder
from mmpriv_data.core.errors import MmprivError
from mmpriv_data.core.seeding import stream, uniform01
from mmpriv_data.files.sources import BadImage, load_image
from mmpriv_data.transforms import embedding

MANIFEST = "embed-manifest.jsonl"
GENERATED_SET = "U1"


@dataclass
class EmbedReport:
    embedded: int = 0
    copied: int = 0
    skipped: Counter = field(default_factory=Counter)  # kind -> count
    manifest: Path | None = None

    def summary(self) -> str:
        text = f"embedded {self.embedded}, copied {self.copied}"
        if self.skipped:
            kinds = ", ".join(f"{kind}: {n}" for kind, n in sorted(self.skipped.items()))
            text += f", skipped {sum(self.skipped.values())} bad file(s) ({kinds})"
        return text


def read_users(path: str | Path, fields: tuple[str, ...]) -> list[dict]:
    """Users from a JSONL (or JSON list) of records with at least `fields`; errors name the line.

    Each record keeps its keys; `user_set` defaults to the file's stem.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise MmprivError(f"--users {path}: cannot read ({error})") from None
    if text.lstrip().startswith("["):
        try:
            lines = [(i + 1, r) for i, r in enumerate(json.loads(text))]
        except json.JSONDecodeError as error:
            raise MmprivError(f"--users {path}: not JSON ({error.msg})") from None
    else:
        lines = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    lines.append((number, json.loads(line)))
                except json.JSONDecodeError as error:
                    raise MmprivError(f"--users {path}:{number}: not JSON ({error.msg})") from None
    users, seen = [], {}
    for number, record in lines:
        where = f"--users {path}:{number}"
        if not isinstance(record, dict):
            raise MmprivError(f"{where}: expected a JSON object with {', '.join(fields)}")
        missing = [f for f in fields if f not in record or record[f] in (None, "")]
        if missing:
            raise MmprivError(f"{where}: missing field(s) {', '.join(missing)}")
        for key in ("username", "user_id"):
            if key in record and (key, str(record[key])) in seen:
                first = seen[(key, str(record[key]))]
                raise MmprivError(f"{where}: {key} {record[key]!r} repeats line {first}")
            seen.setdefault((key, str(record.get(key))), number)
        users.append({"user_set": path.stem, **record})
    if not users:
        raise MmprivError(f"--users {path}: no user records")
    return users


@lru_cache(maxsize=4)
def generated_users(seed: int) -> list[dict]:
    """The user set used without --users: U1 of `identities.make_user_sets(seed)`."""
    return [{"user_set": GENERATED_SET, **u} for u in make_user_sets(seed)[GENERATED_SET]]


def _check_paths(src: Path, dst: Path) -> None:
    if not src.is_dir():
        raise MmprivError(f"SRC {src}: not a folder")
    if dst.exists() and (not dst.is_dir() or any(dst.iterdir())):
        raise MmprivError(f"DST {dst}: exists and is not an empty folder")
    if dst.resolve().is_relative_to(src.resolve()):
        raise MmprivError(f"DST {dst}: must not be inside SRC {src}")
    dst.parent.mkdir(parents=True, exist_ok=True)


def source_files(src: Path) -> list[Path]:
    """Files under SRC in path order; hidden files and folders (.DS_Store, .git) are ignored."""
    return sorted(
        p
        for p in src.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(src).parts)
    )


def save_like_source(image, out: Path, fmt: str | None, quality: int) -> None:
    """Save in the source's format (JPEG at `quality`; PNG etc. lossless)."""
    if fmt in (None, "JPEG", "MPO"):
        image.save(out, format="JPEG", quality=quality)
    else:
        image.save(out, format=fmt)


def embed_tree(
    src: str | Path,
    dst: str | Path,
    *,
    rate: float,
    users: list[dict] | None = None,
    seed: int = 0,
    style: embedding.EmbedStyle | None = None,
    skip_bad: bool = False,
    quality: int = 90,
    max_pixels: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> EmbedReport:
    """Mirror SRC into DST, embedding a user record into a seeded fraction `rate` of images."""
    src, dst = Path(src), Path(dst)
    style = style or embedding.EmbedStyle()
    if not 0 <= rate <= 1:
        raise MmprivError(f"--rate {rate}: expected a fraction within 0..1 (e.g. 0.5)")
    if not 1 <= quality <= 100:
        raise MmprivError(f"--quality {quality}: expected 1..100")
    _check_paths(src, dst)
    if users is None:
        unknown = [f for f in style.fields if f not in USER_FIELDS]
        if unknown:
            raise MmprivError(
                f"--fields: unknown field(s) {', '.join(unknown)}; "
                f"choose from {', '.join(USER_FIELDS)}"
            )
        users = generated_users(seed)
    files = source_files(src)
    if any(p.relative_to(src).as_posix() == MANIFEST for p in files):
        raise MmprivError(f"SRC {src}: holds a file named {MANIFEST}; rename it first")
    report = EmbedReport()
    with atomic_folder(dst) as staging:
        lines = []
        made_dirs: set[Path] = set()
        for path in files:
            relative = path.relative_to(src).as_posix()
            out = staging / relative
            if out.parent not in made_dirs:
                out.parent.mkdir(parents=True, exist_ok=True)
                made_dirs.add(out.parent)
            try:
                image = load_image(path, str(path), max_pixels)
            except BadImage as error:
                if not skip_bad:
                    raise MmprivError(
                        f"{error}; nothing written (--skip-bad skips bad files)"
                    ) from None
                report.skipped[error.kind] += 1
                lines.append({"path": relative, "status": "skipped", "reason": str(error)})
                continue
            if uniform01(seed, "embed", relative) < rate:
                rng = stream(seed, "embed", "overlay", relative)
                user = embedding.choose_user(rng, users)
                params = embedding.get_params(rng, image.size, user, style)
                fmt = image.format
                save_like_source(embedding.apply(image, params, inplace=True), out, fmt, quality)
                report.embedded += 1
                lines.append(
                    {
                        "path": relative,
                        "status": "embedded",
                        "user_set": user.get("user_set", ""),
                        "user_id": str(user.get("user_id", "")),
                        "username": str(user.get("username", "")),
                        **{k: v for k, v in params.items() if k != "text"},
                        "text": params["text"],
                    }
                )
            else:
                shutil.copyfile(path, out)
                report.copied += 1
                lines.append({"path": relative, "status": "copied"})
            if progress:
                progress(1)
        manifest = staging / MANIFEST
        manifest.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    report.manifest = dst / MANIFEST
    return report
