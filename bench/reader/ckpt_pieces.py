"""Move a checkpoint through the device's file limits (16 MiB a file): bf16, in pieces.

The device machine is handed back after ~30 s idle, so every device call writes its reader
into $OUT as pieces, they come back here, and the next call carries them (`carry`).

python -m bench.reader.ckpt_pieces split CKPT OUT_DIR   # -> OUT_DIR/reader.part0 ...
python -m bench.reader.ckpt_pieces join IN_DIR CKPT     # pieces -> one fp32 state dict
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import torch

PIECE_BYTES = 15 * 2**20


def save_pieces(state: dict, out_dir: Path) -> list[Path]:
    """A state dict -> bf16 pieces of at most PIECE_BYTES in out_dir (old pieces removed)."""
    half = {k: v.detach().cpu().bfloat16() if v.is_floating_point() else v.detach().cpu()
            for k, v in state.items()}  # fmt: skip
    buffer = io.BytesIO()
    torch.save(half, buffer)
    data = buffer.getvalue()
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("reader.part*"):
        old.unlink()
    paths = []
    for i in range(0, len(data), PIECE_BYTES):
        paths.append(out_dir / f"reader.part{i // PIECE_BYTES}")
        paths[-1].write_bytes(data[i : i + PIECE_BYTES])
    return paths


def load_pieces(in_dir: Path) -> dict:
    """Pieces -> an fp32 state dict (on the CPU)."""
    parts = sorted(Path(in_dir).glob("reader.part*"), key=lambda p: int(p.suffix[5:]))
    if not parts:
        raise FileNotFoundError(f"no reader.part* in {in_dir}")
    state = torch.load(io.BytesIO(b"".join(p.read_bytes() for p in parts)), map_location="cpu")
    return {k: v.float() if v.is_floating_point() else v for k, v in state.items()}


def split(ckpt: Path, out_dir: Path) -> None:
    save_pieces(torch.load(ckpt, map_location="cpu"), out_dir)


def join(in_dir: Path, ckpt: Path) -> None:
    ckpt.parent.mkdir(parents=True, exist_ok=True)
    torch.save(load_pieces(in_dir), ckpt)


if __name__ == "__main__":
    verb, source, target = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    split(source, target) if verb == "split" else join(source, target)
