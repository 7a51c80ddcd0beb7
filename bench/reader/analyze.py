"""CPU side: statistics on what `experiment` recorded -> probing_reader.json / .png.

For every model (base reader, positive control, rate_0 / rate_50 / rate_100 x seeds) and both
protocols ("paper": repeated stratified k-fold over images; "users": folds over users) it runs
`evaluators.probing_stats.probe_report` on the last-prompt hidden states of every layer.
Before probing, each layer is reduced to its first `--pca` principal components, fitted on all
probe images without labels (this CPU is shared and small; the probe is linear either way).

Likelihood test: log p(username | image, "What is the username?") of the image's own name and
of a wrong name of the other set; set-symmetric contrasts (see `likelihood_tests`), raw and
as changes from the base reader and from rate_0 (same training, no text), with CIs that
resample users.

    python -m bench.reader.analyze --exp bench/reader/.cache/exp --logs bench/reader/.cache/logs
"""

from __future__ import annotations

import argparse
import json
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from bench.reader import controls, figure, reference_probes
from evaluators.probing_stats import probe_report

RATES = {"rate_0": 0, "rate_50": 0.5, "rate_100": 1.0}


def load_hidden(folder: Path) -> dict[str, np.ndarray]:
    hidden = {}
    for path in sorted(folder.glob("hidden_part*.npz")):
        with np.load(path) as data:
            for key in {name.rsplit(".", 1)[0] for name in data.files}:
                q, mean, std = data[f"{key}.q"], data[f"{key}.mean"], data[f"{key}.std"]
                hidden[key] = q.astype(np.float32) * 8 / 127 * std + mean
    return hidden


def pca_layers(x: np.ndarray, k: int) -> np.ndarray:
    """(n, layers, dim) -> (n, layers, k): each layer's top-k principal components."""
    out = []
    for layer in range(x.shape[1]):
        centred = x[:, layer] - x[:, layer].mean(0)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        out.append(centred @ vt[:k].T)
    return np.stack(out, 1)


def set_gap(values, user_set, users, n_boot=2000, seed=0) -> dict:
    """mean(values on U1 images) - mean(values on U2 images), with a 95% CI that resamples
    users within each set (images of one user are not independent)."""
    rng = np.random.default_rng(seed)
    parts = []
    for name in ("U1", "U2"):
        mask = user_set == name
        ids, inverse = np.unique(users[mask], return_inverse=True)
        sums = np.bincount(inverse, weights=values[mask], minlength=len(ids))
        parts.append((sums, np.bincount(inverse, minlength=len(ids))))
    stats = []
    for _ in range(n_boot):
        means = []
        for sums, counts in parts:
            pick = rng.integers(len(sums), size=len(sums))
            means.append(sums[pick].sum() / counts[pick].sum())
        stats.append(means[0] - means[1])
    gap = values[user_set == "U1"].mean() - values[user_set == "U2"].mean()
    ci = [float(np.quantile(stats, 0.025)), float(np.quantile(stats, 0.975))]
    return {"mean": round(float(gap), 3), "ci": [round(v, 3) for v in ci]}


def own_and_wrong(likelihood: dict, user_set: np.ndarray) -> tuple[dict, dict]:
    """Per model, log p of each image's own username and of its paired other-set name (the
    arrays hold a U1 name's and a U2 name's log p per image)."""
    u1 = user_set == "U1"
    own = {k: np.where(u1, v[0], v[1]) for k, v in likelihood.items()}
    wrong = {k: np.where(u1, v[1], v[0]) for k, v in likelihood.items()}
    return own, wrong


def likelihood_tests(likelihood: dict, users: np.ndarray, user_set: np.ndarray) -> dict:
    """Set-symmetric likelihood contrasts per model, raw and as changes from references.

    own: log p(the image's own username); U1 images minus U2 images. Memorizing U1 raises it,
    while a general loss of reading lowers both sets alike.
    wrong: log p(a wrong name of the other set); U1 names (scored on U2 images) minus U2 names
    (scored on U1 images): a memorized name is more likely even where it is not written.
    Changes are per-image differences from the base reader and from rate_0 of the same seed.
    """
    own, wrong = own_and_wrong(likelihood, user_set)
    out = {}
    for key in likelihood:
        margin = own[key] - wrong[key]  # two-name forced choice: does it read the name?
        entry = {
            "forced_choice_acc": round(float((margin > 0).mean()), 4),
            "reading_margin": round(float(margin.mean()), 3),
            "own_gap": set_gap(own[key], user_set, users),
            "wrong_gap": set_gap(-wrong[key], user_set, users),
        }
        for reference in ("base", f"rate_0_s{parse_key(key)[1]}"):
            if reference in likelihood and key not in (reference, "base"):
                name = "vs_base" if reference == "base" else "vs_rate_0"
                entry[name] = {
                    "own_gap": set_gap(own[key] - own[reference], user_set, users),
                    "wrong_gap": set_gap(-(wrong[key] - wrong[reference]), user_set, users),
                }
        out[key] = entry
    return out


def likelihood_probes(likelihood: dict, labels, users, args) -> dict:
    """The probe and its statistics on two output features per image instead of hidden
    states: log p of the image's own username and of the paired name of the other set.

    Added after the third run, whose hidden-state probes missed the positive control that the
    likelihood test saw (post hoc: label it so). It asks whether a classifier trained on some
    users' outputs tells U1 from U2 on other users, with the same folds and corrected null.
    """
    own, wrong = own_and_wrong(likelihood, labels)
    out = {}
    for key in likelihood:
        x = np.stack([own[key], wrong[key]], 1)[:, None, :]
        x = (x - x.mean(0)) / (x.std(0) + 1e-9)
        out[key] = {
            protocol: run_fields(
                probe_report(x, labels, protocol, groups=users, n_repeats=args.repeats,
                             n_permutations=args.permutations, seed=0)
            )
            for protocol in ("paper", "users")
        }  # fmt: skip
    return out


def _probe_job(job: tuple) -> tuple:
    """One (model, protocol) probe report, single-threaded BLAS (jobs run side by side)."""
    from threadpoolctl import threadpool_limits

    key, protocol, x, labels, users, repeats, permutations = job
    with threadpool_limits(1):
        report = probe_report(
            x, labels, protocol, groups=users, n_repeats=repeats,
            n_permutations=permutations, seed=0,
        )  # fmt: skip
    return key, protocol, report


def probe_all(meta: dict, hidden: dict, labels, users, args, lens: dict | None = None) -> dict:
    """probe_report for every model and both protocols: {(key, protocol): report}, on each
    model's own states and (with `lens`, fifth run) on the reference-calibrated features.

    With `args.reports` pointing at an existing file (written by `--probe-only`, e.g. on the
    device's 16 cores), the reports are read from it instead of computed again.
    """
    reports_path = getattr(args, "reports", None)
    if reports_path is not None and reports_path.exists() and not args.probe_only:
        saved = json.loads(reports_path.read_text())
        return {tuple(k.split("|")): v for k, v in saved.items()}
    started = time.perf_counter()
    jobs = []
    for model in meta["models"]:
        for key in (model["key"], model["key"] + "@answer", model["key"] + "@blind"):
            if key not in hidden:
                continue
            x = pca_layers(hidden[key], args.pca)
            for protocol in ("paper", "users"):
                jobs.append((key, protocol, x, labels, users, args.repeats, args.permutations))
    calibrated = reference_probes.feature_sets(
        meta, hidden, lens or {}, labels, lambda x: pca_layers(x, args.pca)
    )
    for key, x in calibrated.items():
        for protocol in ("paper", "users"):
            jobs.append((key, protocol, x, labels, users, args.repeats, args.permutations))
    reports = {}
    with Pool(max(1, getattr(args, "jobs", 1))) as pool:
        for key, protocol, report in pool.imap_unordered(_probe_job, jobs):
            reports[key, protocol] = report
            print(key, protocol, round(report["best_layer_acc"], 3), report["perm_p"],
                  f"{time.perf_counter() - started:.0f}s", flush=True)  # fmt: skip
    if reports_path is not None:
        reports_path.parent.mkdir(parents=True, exist_ok=True)
        reports_path.write_text(json.dumps({f"{k}|{p}": v for (k, p), v in reports.items()}))
    return reports


def swap_control(folder: Path, args) -> dict:
    """The same images with U2 text instead of U1 (`experiment --plan swap`), from its own
    base/rate_0/rate_100 runs: set-specific memorization predicts opposite likelihood shifts
    for rate_100 and rate_100_u2; an effect of seeing any text moves both alike."""
    meta = json.loads((folder / "experiment_meta.json").read_text())
    labels, users = np.array(meta["user_set"]), np.array(meta["username"])
    with np.load(folder / "likelihood.npz") as data:
        likelihood = {k: data[k] for k in data.files}
    own, wrong = own_and_wrong(likelihood, labels)
    blind = {}
    if (folder / "likelihood_blind.npz").exists():
        with np.load(folder / "likelihood_blind.npz") as data:
            blind = {k: data[k] for k in data.files}
    contrasts = {}
    for seed in sorted({m["seed"] for m in meta["models"] if m["seed"] is not None}):
        a, b = f"rate_100_s{seed}", f"rate_100_u2_s{seed}"
        contrasts[f"seed_{seed}"] = {
            "own_gap_u1_seen_minus_u2_seen": set_gap(own[a] - own[b], labels, users),
            "wrong_gap_u1_seen_minus_u2_seen": set_gap(-(wrong[a] - wrong[b]), labels, users),
        }
        if blind:  # text removed: log p(U1 name) - log p(U2 name), U1-text minus U2-text model
            gap = {k: blind[k][0] - blind[k][1] for k in (a, b)}
            contrasts[f"seed_{seed}"]["blind_u1_minus_u2_u1_seen_minus_u2_seen"] = (
                controls.user_mean_ci(gap[a] - gap[b], users)
            )
    # the swap run's probe reports come from their own device file (--swap-reports)
    swap_args = argparse.Namespace(**{**vars(args), "reports": args.swap_reports})
    lens = reference_probes.load_lens(folder)
    reports = probe_all(meta, load_hidden(folder), labels, users, swap_args, lens)
    probes = [
        {"model": key, "protocol": protocol, **run_fields(report)}
        for (key, protocol), report in reports.items()
    ]
    return {
        "likelihood": likelihood_tests(likelihood, users, labels),
        "blind_likelihood": controls.blind_tests(blind, users) if blind else {},
        "u1_seen_vs_u2_seen": contrasts,
        "probes": probes,
        "lens_gaps": reference_probes.lens_gaps(lens, labels, users) if lens else {},
        "models": meta["models"],
    }


# The headline probe of each control, user-disjoint. Third and fourth runs: the answer
# position (fixed before the third run). Fifth run, fixed before it ran (reference_probes):
# the logit lens on the text-free scene against the matched rate_0 (the base reader: raw).
HEADLINE = {"positive": "lens_blind~rate_0", "base": "lens_blind"}
EARLIER_HEADLINE = "answer"


def parse_key(key: str) -> tuple[str, int | None, str]:
    """'rate_0_s1@answer' -> ('rate_0', 1, 'answer'); 'base' -> ('base', None, 'prompt'):
    condition, seed and position (no suffix is the last prompt position)."""
    model_key, _, position = key.partition("@")
    condition, _, seed = model_key.rpartition("_s") if "_s" in model_key else (model_key, "", "")
    return condition, int(seed) if seed else None, position or "prompt"


def control_summary(reports: dict, condition: str) -> dict:
    """A control's probes: the headline fields are its HEADLINE user-disjoint probe (the
    answer position for runs without the lens), seed 0 for the positive control; every
    position/protocol/seed beside them."""
    entries = {}
    for (key, protocol), report in reports.items():
        model_condition, seed, position = parse_key(key)
        if model_condition == condition:
            entries[f"{position}|{protocol}|{seed}"] = {
                "rate": None, "seed": seed, "protocol": protocol, "position": position,
                **run_fields(report),
            }  # fmt: skip
    seed = None if condition == "base" else 0
    headline = entries.get(f"{HEADLINE[condition]}|users|{seed}") or entries.get(
        f"{EARLIER_HEADLINE}|users|{seed}", {}
    )
    return {**headline, "all": list(entries.values())}


def run_fields(report: dict) -> dict:
    return {
        "best_layer": report["best_layer"],
        "best_layer_acc": round(report["best_layer_acc"], 4),
        "ci": [round(v, 4) for v in report["ci_best"]],
        "perm_p": round(report["perm_p"], 4),
        "n_probe": report["n_probe"],
        "acc_by_layer": [round(v, 4) for v in report["acc"]],
        "ci_by_layer": [[round(a, 4), round(b, 4)] for a, b in report["ci"]],
        "null_max_q95": round(report["null_max_q95"], 4),
    }


def learning_curve(logs: Path) -> list[dict]:
    """The reader's evaluation points. Each device call carries the previous call's log on,
    so the newest `run*_reader_log.json` holds every point, each with its own `command`."""
    paths = sorted(logs.glob("run*_reader_log.json"))
    points = json.loads(paths[-1].read_text())["curve"]
    return [{k: v for k, v in p.items() if k != "examples"} for p in points]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--exp", type=Path, default=Path("bench/reader/.cache/exp"))
    parser.add_argument("--logs", type=Path, default=Path("bench/reader/.cache/logs"))
    parser.add_argument("--out", type=Path, default=Path("bench/results/probing_reader.json"))
    parser.add_argument("--swap", type=Path, default=None, help="experiment --plan swap output")
    parser.add_argument("--swap-only", action="store_true", help="update swap_control only")
    parser.add_argument("--swap-reports", type=Path, default=None, help="--swap's probe reports")
    parser.add_argument("--replicate", type=Path, default=None, help="a rerun of the same plan")
    parser.add_argument("--replicate-reports", type=Path, default=None)
    parser.add_argument("--confirm", type=Path, default=None, help="the plan on new seeds")
    parser.add_argument("--confirm-reports", type=Path, default=None)
    parser.add_argument("--pca", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--permutations", type=int, default=500)
    parser.add_argument("--reports", type=Path, default=None, help="probe reports cache (JSON)")
    parser.add_argument("--probe-only", action="store_true", help="write --reports, then stop")
    parser.add_argument("--jobs", type=int, default=1, help="probe reports run side by side")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.probe_only:
        meta = json.loads((args.exp / "experiment_meta.json").read_text())
        labels, users = np.array(meta["user_set"]), np.array(meta["username"])
        lens = reference_probes.load_lens(args.exp)
        probe_all(meta, load_hidden(args.exp), labels, users, args, lens)
        print(f"wrote {args.reports} in {time.perf_counter() - started:.0f}s")
        return
    if args.swap_only:  # also refreshes the (cheap) likelihood section of the main run
        result = json.loads(args.out.read_text())
        meta = json.loads((args.exp / "experiment_meta.json").read_text())
        with np.load(args.exp / "likelihood.npz") as data:
            likelihood = {k: data[k] for k in data.files}
        labels, users = np.array(meta["user_set"]), np.array(meta["username"])
        result["likelihood"] = likelihood_tests(likelihood, users, labels)
        result["swap_control"] = swap_control(args.swap, args)
        args.out.write_text(json.dumps(result, indent=1))
        print(f"updated {args.out} in {time.perf_counter() - started:.0f}s")
        return
    meta = json.loads((args.exp / "experiment_meta.json").read_text())
    hidden = load_hidden(args.exp)
    with np.load(args.exp / "likelihood.npz") as data:
        likelihood = {k: data[k] for k in data.files}
    labels = np.array(meta["user_set"])
    users = np.array(meta["username"])
    lens = reference_probes.load_lens(args.exp)
    reports = probe_all(meta, hidden, labels, users, args, lens)
    curve = learning_curve(args.logs)
    final = [p for p in curve if p["step"] == "end"][-1]
    result = {
        "reader": {
            "input_size": 448,
            "username_exact": final["username"],
            "user_id_exact": final["user_id"],
            "n": final["n"],
            "ctc_username_line_exact": final["ctc_username"],
            "box_iou": final["iou"],
            "best_username_exact_seen": max(p["username"] for p in curve),
            "learning_curve": curve,
        },
        "runs": [],
        "settings": {
            "probe": "shrinkage LDA (evaluators.probing_stats), balanced accuracy",
            "pca_components": args.pca,
            "folds": 5,
            "repeats": args.repeats,
            "permutations": args.permutations,
            "finetune": {k: meta[k] for k in ("steps", "batch", "lr", "train_rows")},
            "models": meta["models"],
        },
    }
    for (key, protocol), report in reports.items():
        condition, seed, position = parse_key(key)
        if condition in RATES:
            result["runs"].append(
                {"rate": RATES[condition], "seed": seed, "protocol": protocol,
                 "position": position, **run_fields(report)}
            )  # fmt: skip
    for name, condition in (("base_reader", "base"), ("positive_control", "positive")):
        result[name] = control_summary(reports, condition)
    result["likelihood"] = likelihood_tests(likelihood, users, labels)
    result["likelihood_probe"] = likelihood_probes(likelihood, labels, users, args)
    if lens:
        result["lens_gaps"] = reference_probes.lens_gaps(lens, labels, users)
    if (args.exp / "likelihood_blind.npz").exists():
        with np.load(args.exp / "likelihood_blind.npz") as data:
            result["blind_likelihood"] = controls.blind_tests(dict(data), users)
    for name, folder, saved_reports in (
        ("replicate", args.replicate, args.replicate_reports),
        ("confirmation_new_seeds", args.confirm, args.confirm_reports),
    ):
        if folder:  # the same probe set: another run of the plan, or the plan on other seeds
            with np.load(folder / "likelihood.npz") as data:
                tests = likelihood_tests(dict(data), users, labels)
            saved = json.loads(saved_reports.read_text())
            reports = {tuple(k.split("|")): v for k, v in saved.items()}
            result[name] = controls.replicate_summary(tests, reports)
            with np.load(folder / "likelihood_blind.npz") as data:
                result[name]["blind_likelihood"] = controls.blind_tests(dict(data), users)
    if args.swap:
        result["swap_control"] = swap_control(args.swap, args)
    args.out.write_text(json.dumps(result, indent=1))
    figure.plot(result, args.out.with_suffix(".png"))
    print(f"wrote {args.out} in {time.perf_counter() - started:.0f}s")


if __name__ == "__main__":
    main()
