#!/usr/bin/env bash
# One device call of the reader bench (run from the repo root on the device machine).
#   bash bench/reader/device_run.sh train N STAGES [PIECES_DIR]   # reader curriculum, call N
#   bash bench/reader/device_run.sh experiment NAME PIECES_DIR [ARGS]  # finetunes + probe stats
# Carried (git-ignored): bench/reader/.cache/{bundle.pkl,wheels,ckpt,reader_log.json}.
# Everything that must survive the call goes to $OUT: checkpoint pieces (bf16, <= 15 MiB a
# file), logs, and per experiment NAME its likelihoods, metadata and probe reports (the hidden
# states stay on the device: $OUT returns at most 8 files; the probes run here on 16 cores).
set -o pipefail
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site \
  bench/reader/.cache/wheels/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.used,utilization.gpu --format=csv,noheader
nproc
mode=$1
shift
if [ "$mode" = train ]; then
  command=$1 stages=$2 pieces=${3:-}
  extra=()
  [ -n "$pieces" ] && extra+=(--pieces "$pieces" --log-in bench/reader/.cache/reader_log.json)
  python3 -m bench.reader.train_reader --bundle bench/reader/.cache/bundle.pkl \
    --ckpt /tmp/reader.pt --command "$command" --stages "$stages" "${extra[@]}" 2>&1 |
    grep -v -e "deprecated" -e "forward_call" | tee "$OUT/train.log"
elif [ "$mode" = experiment ]; then
  name=$1 pieces=$2
  shift 2
  exp=/tmp/exp_$name
  # EXP_SECONDS caps the finetunes; the models done by then are still probed (saved per model).
  timeout "${EXP_SECONDS:-100000}" python3 -m bench.reader.experiment \
    --bundle bench/reader/.cache/bundle.pkl --ckpt "$pieces" --out "$exp" "$@" 2>&1 |
    tee "$OUT/${name}_experiment.log"
  [ -f "$exp/experiment_meta.json" ] || exit 1
  python3 -m bench.reader.analyze --probe-only --exp "$exp" \
    --reports "$OUT/${name}_probe_reports.json" --jobs 16 2>&1 | tee -a "$OUT/${name}_experiment.log"
  mkdir -p "$OUT/$name"
  cp "$exp/likelihood.npz" "$exp/likelihood_blind.npz" "$exp/lens.npz" "$exp/experiment_meta.json" \
    "$OUT/$name/"
fi
