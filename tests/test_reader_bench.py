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
    visual = plain.shape[1]  # column and scene tokens; the OCR tokens follow them
    assert torch.allclose(model.image_embeds(lines, scene, blank)[:, :visual], plain)
    sure_a = blank.clone()
    sure_a[0, 0, 0, 0], sure_a[0, 0, 0, ord("a") - 31] = -1e4, 1e4  # line 0, column 0 reads 'a'
    delta = model.image_embeds(lines, scene, sure_a)[:, :visual] - plain
    embedding_a = model.lm.get_input_embeddings().weight[ord("a")]
    assert torch.allclose(delta[0, 0], embedding_a, atol=1e-5)
    assert delta[0, 1:].abs().max() < 1e-6


def test_ocr_tokens_are_the_collapsed_ctc_reading_of_each_line():
    classes = reader_model.CTC_CLASSES
    logits = torch.zeros(1, reader_model.LINES, reader_model.COLUMNS, classes)
    logits[..., 0] = 1.0  # blank everywhere
    path = "aa-b-bb--c"  # line 2 reads a, a, blank, b, ... -> "abbc"
    for column, char in enumerate(path):
        if char != "-":
            logits[0, 2, column, ord(char) - 31] = 5.0
    ids = reader_model.ocr_token_ids(logits)
    assert ids.shape == (1, reader_model.LINES, reader_model.OCR_SLOT)
    assert reader_model.decode_chars(ids[0, 2].tolist()).rstrip("\x00") == "abbc"
    assert ids[0, 2, 4:].eq(reader_model.PAD).all() and ids[0, 0].eq(reader_model.PAD).all()
    long_line = logits.clone()
    long_line[0, 0, :, 0] = -1.0
    long_line[0, 0, 0::2, ord("x") - 31] = 5.0  # x, blank, x, ...: 48 x's, no more fit
    long_line[0, 0, 1::2, 0] = 5.0
    assert reader_model.ocr_token_ids(long_line)[0, 0].eq(ord("x")).all()
    model = reader_model.Reader(lm_width=64, lm_layers=1, tower_width=32).eval()
    lines, scene = torch.randn(1, 6, 96, 32), torch.randn(1, 196, 32)
    embeds = model.image_embeds(lines, scene, logits)
    assert embeds.shape[1] == 6 * 96 + 196 + 6 * reader_model.OCR_SLOT
    ocr = embeds[0, 6 * 96 + 196 :].view(6, reader_model.OCR_SLOT, 64)
    table = model.lm.get_input_embeddings().weight
    assert torch.allclose(ocr[2, 0] - model.ocr_line[0, 2, 0], table[ord("a")], atol=1e-6)


def test_likelihood_probe_sees_a_planted_memorization_and_not_a_null():
    from types import SimpleNamespace

    import numpy as np

    from bench.reader import analyze

    rng = np.random.default_rng(0)
    users = np.repeat([f"u{i}" for i in range(40)], 10)
    labels = np.where(np.arange(400) < 200, "U1", "U2")
    noise = rng.normal(size=(2, 400))
    planted = noise.copy()
    planted[0] += 3.0 * (labels == "U1")  # log p of U1 names up where U1 was memorized
    args = SimpleNamespace(repeats=1, permutations=50)
    out = analyze.likelihood_probes({"null": noise, "memorized": planted}, labels, users, args)
    assert out["memorized"]["users"]["best_layer_acc"] > 0.8
    assert out["memorized"]["users"]["perm_p"] < 0.05
    assert out["null"]["users"]["perm_p"] > 0.05


def tiny_reader_and_features(n: int):
    """A 2-layer reader of width 64 and random frozen-tower features for n images."""
    torch.manual_seed(0)
    model = reader_model.Reader(lm_width=64, lm_layers=2, tower_width=32).eval()
    features = {
        "lines": torch.randn(n, 6, 96, 32),
        "scene": torch.randn(n, 196, 32),
        "ctc": torch.randn(n, 6, 96, reader_model.CTC_CLASSES),
    }
    return model, features


def test_prompt_states_taken_from_the_name_pass_equal_a_prompt_only_pass():
    import numpy as np

    from bench.reader import experiment

    n = 4
    model, features = tiny_reader_and_features(n)
    names_u1 = np.array(["anna_k12", "bo_l3", "carla_x999", "d"], dtype=object)
    names_u2 = np.array(["zed_1", "yy_22", "x", "will_w"], dtype=object)
    is_u1 = np.array([True, False, True, False])
    measures = experiment.probe_measures(model, features, names_u1, names_u2, is_u1, batch=3)
    prompt = [reader_model.USER, *reader_model.encode_chars(experiment.PROBE_QUESTION)]
    prompt.append(reader_model.ASSISTANT)
    with torch.no_grad():
        embeds = model.image_embeds(features["lines"], features["scene"], features["ctc"])
        out = model.lm_forward(
            embeds, torch.tensor([prompt]).expand(n, -1), output_hidden_states=True
        )
        alone = torch.stack([h[:, -1] for h in out.hidden_states], 1).numpy()
    assert measures["hidden"].shape == (n, 3, 64)
    assert np.allclose(measures["hidden"], alone, atol=1e-5)
    assert measures["answer"].shape == (n, 3, 64) and measures["lp_u1"].shape == (n,)


def test_blind_test_sees_a_planted_name_preference_and_its_ci_covers_a_null():
    import numpy as np

    from bench.reader import controls

    rng = np.random.default_rng(0)
    users = np.repeat(np.arange(200), 10).astype(str)
    noise = rng.normal(0, 3, size=(2, 2000))
    blind = {
        "base": noise,
        "rate_0_s0": noise + rng.normal(0, 0.5, size=(2, 2000)),
        "positive_s0": noise + np.array([[2.0], [0.0]]),  # U1 names 2 nats more likely
    }
    out = controls.blind_tests(blind, users)
    planted = out["positive_s0"]["vs_base"]
    assert planted["ci"][0] > 1.5 and planted["ci"][1] < 2.5
    null = out["rate_0_s0"]["vs_base"]
    assert null["ci"][0] < 0 < null["ci"][1]
    assert "vs_rate_0" in out["positive_s0"] and "vs_base" not in out["base"]


def test_logit_lens_last_layer_is_the_likelihood_and_earlier_layers_read_through_the_head():
    import numpy as np

    from bench.reader import experiment

    n = 3
    model, features = tiny_reader_and_features(n)
    names_u1 = np.array(["anna_k12", "bo_l3", "carla_x999"], dtype=object)
    names_u2 = np.array(["zed_1", "yy_22", "x"], dtype=object)
    measures = experiment.probe_measures(
        model, features, names_u1, names_u2, np.array([True, False, True]), batch=2
    )
    lens = measures["lens"]
    assert lens.shape == (2, n, 3)
    assert np.allclose(lens[0, :, -1], measures["lp_u1"], atol=1e-4)
    assert np.allclose(lens[1, :, -1], measures["lp_u2"], atol=1e-4)
    # Layer 0 by hand: the input embeddings through the final norm and the output head.
    prompt = [reader_model.USER, *reader_model.encode_chars(experiment.PROBE_QUESTION)]
    prompt.append(reader_model.ASSISTANT)
    answer = [*reader_model.encode_chars("bo_l3"), reader_model.EOS]
    with torch.no_grad():
        embeds = model.image_embeds(
            features["lines"][1:2], features["scene"][1:2], features["ctc"][1:2]
        )
        text = model.lm.get_input_embeddings()(torch.tensor([prompt + answer]))
        states = torch.cat([embeds, text], 1)[:, -len(answer) - 1 : -1]
        logp = model.lm.lm_head(model.lm.model.norm(states)).log_softmax(-1)[0]
        by_hand = logp[torch.arange(len(answer)), torch.tensor(answer)].sum()
    assert abs(float(by_hand) - lens[0, 1, 0]) < 1e-3
    assert not np.allclose(lens[0, :, 0], lens[0, :, -1])


def test_reference_lens_probe_sees_planted_memorization_user_disjoint_and_not_a_null():
    from types import SimpleNamespace

    import numpy as np

    from bench.reader import reference_probes
    from evaluators.probing_stats import probe_report

    rng = np.random.default_rng(0)
    users = np.repeat([f"u{i}" for i in range(60)], 10)
    labels = np.where(np.arange(600) < 300, "U1", "U2")
    name_difficulty = rng.normal(0, 4, size=(2, 600, 1))  # what the name alone explains
    base = name_difficulty + rng.normal(0, 0.3, size=(2, 600, 3))
    rate_0 = base + rng.normal(0, 0.3, size=(2, 600, 3))
    positive = rate_0 + rng.normal(0, 0.3, size=(2, 600, 3))
    positive[0, :, 2] += 1.0  # U1 names one nat likelier at the last layer only
    lens = {"base@blind": base, "rate_0_s0@blind": rate_0, "positive_s0@blind": positive}
    meta = {"models": [{"key": k} for k in ("base", "rate_0_s0", "positive_s0")]}
    sets = reference_probes.feature_sets(meta, {}, lens, labels, pca=None)
    assert set(sets) == {
        "base@lens_blind", "rate_0_s0@lens_blind~base",
        "positive_s0@lens_blind~rate_0", "positive_s0@lens_blind~base",
    }  # fmt: skip
    assert sets["positive_s0@lens_blind~rate_0"].shape == (600, 3, 2)
    args = SimpleNamespace(n_repeats=1, n_permutations=50, seed=0)
    seen = probe_report(sets["positive_s0@lens_blind~rate_0"], labels, "users", users, **vars(args))
    assert seen["best_layer"] == 2 and seen["best_layer_acc"] > 0.85 and seen["perm_p"] < 0.05
    null = probe_report(sets["rate_0_s0@lens_blind~base"], labels, "users", users, **vars(args))
    assert null["perm_p"] > 0.05
    # Without the reference the name's own difficulty hides the same effect.
    raw = reference_probes.lens_features(positive, labels)
    assert probe_report(raw, labels, "users", users, **vars(args))["best_layer_acc"] < 0.75
    gaps = reference_probes.lens_gaps(
        {"base": base, "rate_0_s0": rate_0, "positive_s0": positive}, labels, users
    )
    planted = gaps["positive_s0@lens~rate_0"]
    assert planted[2]["ci"][0] > 0.7 and planted[0]["ci"][0] < 0 < planted[0]["ci"][1]
