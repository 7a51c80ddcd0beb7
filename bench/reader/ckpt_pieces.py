"""Move a checkpoint through the device's file limits (16 MiB a file): bf16, in pieces.

python -m bench.reader.ckpt_pieces split CKPT OUT_DIR   # -> OUT_DIR/reader.part0 ...
python -m bench.reader.ckpt_pieces join IN_DIR CKPT     # pieces -> one fp32 state dict
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import torch

PIECE_BYTES = 15 * 2**20


def split(ckpt: Path, out_dir: Path) -> None:
    state = torch.load(ckpt, map_location="cpu")
    half = {k: v.bfloat16() if v.is_floating_point() else v for k, v in state.items()}
    buffer = io.BytesIO()
    torch.save(half, buffer)
    data = buffer.getvalue()
    out_dir.mkdir(parents=True, exist_ok=True)
    for i in range(0, len(data), PIECE_BYTES):
        (out_dir / f"reader.part{i // PIECE_BYTES}").write_bytes(data[i : i + PIECE_BYTES])


def join(in_dir: Path, ckpt: Path) -> None:
    parts = sorted(in_dir.glob("reader.part*"), key=lambda p: int(p.suffix[5:]))
    state = torch.load(io.BytesIO(b"".join(p.read_bytes() for p in parts)), map_location="cpu")
    ckpt.parent.mkdir(parents=True, exist_ok=True)
    torch.save({k: v.float() if v.is_floating_point() else v for k, v in state.items()}, ckpt)


if __name__ == "__main__":
    verb, source, target = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    split(source, target) if verb == "split" else join(source, target)
