#!/usr/bin/env bash
# Issue 16 on one GPU machine (device tool: 10 minutes a call, results back through $OUT as at
# most 8 files of 16 MiB). Data is built beforehand on the CPU (the GPU image lacks Faker and
# datasets; the trainers read the parquet shards with pyarrow alone) and carried in
# bench/.cache, with the tokenizer text (Faker's, seed 1) saved as JSON:
#   python -c "import json; from bench.unlearning_metrics import tokenizer_texts as t; \
#       json.dump(t(), open('bench/.cache/texts.json', 'w'))"
# Two calls:
#
#   bash bench/issue16_device.sh first OUT SECONDS
#       in parallel: (a) the two MLLMU reference models, trained from one random init on `full`
#       and on `retain_85`, sent back as bf16 archives; (b) the MIA base, then LoRA targets for
#       1-3 epochs and every attack but FiMMIA (its text embedder is not on that machine: the
#       losses come back and `mia_attacks.py fimmia` fits it on the CPU), seeds in parallel.
#   bash bench/issue16_device.sh unlearn OUT SECONDS
#       every seed x method of `unlearning_seeds.py run` as its own process, from the models
#       the first call sent back (bench/.cache/mu_*.tgz).
#   bash bench/issue16_device.sh rest OUT SECONDS
#       `unlearn` for the runs U_RUNS names ("1:ga 0:kl ...") beside the MIA part again.
#
# Carry (device tool): bench/.cache/{u100,warm,texts.json,wheels}, for the MIA part
# bench/.cache/mia/mia-neighbors/{samples,README.md}, for `unlearn`/`rest` bench/.cache/mu_*.tgz
# (the first call's archives, copied there). Everything that travels must stay under 64 MiB:
# for `rest` the committed reader checkpoint (bench/reader/checkpoint, 31 MB) was moved out of
# the working tree during the call and put back after it.
# SECONDS is a deadline for the whole call: what is still running then is stopped, and every
# process has written its JSON after each stage. Env (defaults are the recorded run's):
# U_SIZE, U_EPOCHS, U_LR, U_SEEDS, U_RUN_EXTRA (more `run` flags), M_SIZE, M_SEEDS, M_EPOCHS
# (the targets' LoRA epochs; 10 is the positive control), M_BASE_EPOCHS, M_BASE_LR, WORKERS.
set -u
what=${1:?first or unlearn}
out=${2:?output folder}
deadline=$(($(date +%s) + ${3:?seconds}))
cache=${CACHE:-bench/.cache}
mkdir -p "$out"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false PYTHONUNBUFFERED=1
export HF_HUB_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1

until_deadline() { # timeout up to the deadline; `timeout 0` would mean no limit at all
    local left=$((deadline - $(date +%s)))
    ((left > 5)) || return 1
    timeout "$left" "$@"
}

to_bf16_archive() { # model folder, archive: weights cast to bf16 so that one model fits 16 MiB
    python3 - "$1" <<'EOF'
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

for path in Path(sys.argv[1]).glob("*.safetensors"):
    tensors = {k: v.to(torch.bfloat16) if v.is_floating_point() else v
               for k, v in load_file(path).items()}
    save_file(tensors, path, metadata={"format": "pt"})
EOF
    tar -C "$(dirname "$1")" -czf "$2" "$(basename "$1")"
}

mia() { # the base, then each seed's targets and attacks in its own process
    local mia=/tmp/mia logs=/tmp/logs
    mkdir -p "$logs"
    until_deadline python3 bench/mia_attacks.py base --warmup "$cache/warm/profiles" \
        --work "$mia" --size "${M_SIZE:-small}" --epochs "${M_BASE_EPOCHS:-40}" \
        --lr "${M_BASE_LR:-1e-3}" --texts "$cache/texts.json" >"$logs/mia_base.log" 2>&1 ||
        return 1
    for seed in ${M_SEEDS:-0 1 2}; do
        until_deadline python3 bench/mia_attacks.py run --data "$cache/mia/mia-neighbors" \
            --work "$mia" --seeds "$seed" --attacks loss,zlib,min_k,min_k_pp,neighborhood,ref \
            --epochs-list "${M_EPOCHS:-1,2,3,10}" \
            --out /tmp/miares >"$logs/mia_seed$seed.log" 2>&1 &
    done
    wait
}

first() {
    local mu=/tmp/mu logs=/tmp/logs
    mkdir -p "$mu" "$logs"
    (
        for which in none full retain_85; do # none: the shared random init, first
            until_deadline python3 bench/unlearning_seeds.py train --data "$cache/u100/profiles" \
                --which "$which" --work "$mu" --size "${U_SIZE:-small}" \
                --epochs "${U_EPOCHS:-40}" --lr "${U_LR:-1e-3}" --workers "${WORKERS:-4}" \
                --texts "$cache/texts.json" \
                >"$logs/train_$which.log" 2>&1 &
            [ "$which" = none ] && wait
        done
        wait
        sha256sum "$mu"/base/*.safetensors >"$logs/base_sha256.txt"
        for name in full retain_85; do
            [ -d "$mu/$name" ] && to_bf16_archive "$mu/$name" "$out/mu_$name.tgz"
        done
        cp "$mu"/train_*.json "$logs/" 2>/dev/null
    ) &
    mia &
    wait
    tar -C /tmp -czf "$out/miares.tgz" miares 2>/dev/null
    tar -C /tmp -czf "$out/logs_first.tgz" logs
}

unlearn() {
    local mu=/tmp/mu logs=/tmp/logs
    mkdir -p "$mu" "$logs" /tmp/mures
    for name in full retain_85; do # the first call's models (bf16 weights, loaded as fp32)
        tar -C "$mu" -xzf "$cache/mu_$name.tgz" || return 1
    done
    # The random init is rebuilt rather than carried (the carry limit): the same seed and
    # tokenizer text give the same weights; its checksum is logged to compare with the first's.
    python3 bench/unlearning_seeds.py train --which none --data "$cache/u100/profiles" \
        --work "$mu" --size "${U_SIZE:-small}" --texts "$cache/texts.json" >"$logs/init.log" 2>&1
    local runs=${U_RUNS:-} seed method
    if [ -z "$runs" ]; then
        for seed in ${U_SEEDS:-0 1 2}; do
            for method in ga graddiff kl npo; do runs="$runs $seed:$method"; done
        done
    fi
    for run in $runs; do
        seed=${run%%:*} method=${run#*:}
        until_deadline python3 bench/unlearning_seeds.py run --data "$cache/u100/profiles" \
            --work "$mu" --seed "$seed" --methods "$method" ${U_RUN_EXTRA:-} \
            --out "/tmp/mures/seed${seed}_$method.json" >"$logs/s${seed}_$method.log" 2>&1 &
    done
    wait
    sha256sum "$mu"/base/*.safetensors >"$logs/base_sha256.txt"
    tar -C /tmp -czf "$out/mures.tgz" mures logs
}

rest() { # the unlearning runs U_RUNS names and the MIA part, side by side
    unlearn &
    mia &
    wait
    tar -C /tmp -czf "$out/miares.tgz" miares 2>/dev/null
    tar -C /tmp -czf "$out/logs_rest.tgz" logs
}

nvidia-smi --query-gpu=name,memory.used --format=csv,noheader 2>/dev/null
# datasets (and dill, multiprocess) travel as wheels in bench/.cache/wheels: `mmpriv_data`'s
# column types import it. Faker is not needed there (tokenizer text from texts.json).
if ! python3 -c "import datasets" 2>/dev/null && [ -d "$cache/wheels" ]; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site \
        "$cache"/wheels/*.whl && export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
fi
"$what"
echo "done at $(date -u +%T), $((deadline - $(date +%s))) s before the deadline"
