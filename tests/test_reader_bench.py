"""The reader bench's checkpoint pieces and soft OCR tokens (bench/reader, issue 15)."""

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from bench.reader import ckpt_pieces  # noqa: E402
from bench.reader import model as reader_model  # noqa: E402


def test_pieces_round_trip_in_bf16_and_small_files(tmp_path, monkeypatch):
    monkeypatch.setattr(ckpt_pieces, "PIECE_BYTES", 4096)
    state = {"w": torch.randn(64, 64), "steps": torch.tensor([7])}
    paths = ckpt_pieces.save_pieces(state, tmp_path)
    assert len(paths) > 1 and all(p.stat().st_size <= 4096 for p in paths)
    back = ckpt_pieces.load_pieces(tmp_path)
    assert back["w"].dtype == torch.float32
    assert torch.equal(back["w"], state["w"].bfloat16().float())
    assert torch.equal(back["steps"], state["steps"])
    ckpt_pieces.save_pieces({"w": torch.zeros(2)}, tmp_path)  # old pieces are replaced
    assert set(ckpt_pieces.load_pieces(tmp_path)) == {"w"}


def test_soft_ocr_tokens_add_the_posterior_weighted_char_embedding():
    torch.manual_seed(0)
    model = reader_model.Reader(lm_width=64, lm_layers=1, tower_width=32).eval()
    lines = torch.randn(1, reader_model.LINES, reader_model.COLUMNS, 32)
    scene = torch.randn(1, 196, 32)
    plain = model.image_embeds(lines, scene)
    blank = torch.full(
        (1, reader_model.LINES, reader_model.COLUMNS, reader_model.CTC_CLASSES), -1e4
    )
    blank[..., 0] = 1e4  # certain blank everywhere: nothing added
    assert torch.allclose(model.image_embeds(lines, scene, blank), plain)
    sure_a = blank.clone()
    sure_a[0, 0, 0, 0], sure_a[0, 0, 0, ord("a") - 31] = -1e4, 1e4  # line 0, column 0 reads 'a'
    delta = model.image_embeds(lines, scene, sure_a) - plain
    embedding_a = model.lm.get_input_embeddings().weight[ord("a")]
    assert torch.allclose(delta[0, 0], embedding_a, atol=1e-5)
    assert delta[0, 1:].abs().max() < 1e-6
