#!/usr/bin/env bash
# Issue 16, item 2 on one GPU machine: every seed gets its own random init and SFT start, then
# every method x learning rate runs as its own process from that seed's start, all in
# parallel on the one GPU (the tiny model leaves it idle; the CPU-side encoding is the cost).
#
#   bench/spy_seeds_device.sh DATA RESULTS SECONDS
#
# DATA: a `spy_preference.py export` folder; RESULTS: one JSON + log per process; SECONDS:
# a deadline for the whole script (processes still running then are stopped; each JSON keeps
# the stages it finished). Env: SPY_SEEDS, SPY_LRS (the first is the one fixed beforehand and
# gets the CPU first), SPY_SFT_STEPS, SPY_PREF_STEPS, SPY_EXTRA (more `run` flags).
set -u
data=${1:?export folder}
results=${2:?results folder}
deadline=$(($(date +%s) + ${3:?seconds}))
seeds=${SPY_SEEDS:-0 1 2}
lrs=${SPY_LRS:-1e-4 1e-5}
primary_lr=${lrs%% *}
work=${SPY_WORK:-/tmp/spy_work}
mkdir -p "$results"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false PYTHONUNBUFFERED=1

run_bench() { # niceness, then `run` flags; stops at the deadline
    local niceness=$1 left=$((deadline - $(date +%s)))
    shift
    ((left > 5)) || return 1 # `timeout 0` would mean no limit at all
    # shellcheck disable=SC2086  # SPY_EXTRA is a list of flags
    nice -n "$niceness" timeout "$left" python3 bench/spy_preference.py run --data "$data" \
        --sft-steps "${SPY_SFT_STEPS:-150}" --pref-steps "${SPY_PREF_STEPS:-120}" \
        --prompts 16 ${SPY_EXTRA:-} "$@"
}

for seed in $seeds; do
    (
        run_bench 0 --seed "$seed" --methods "" --work "$work" \
            --out "$results/start$seed.json" >"$results/start$seed.log" 2>&1 || exit 1
        for lr in $lrs; do
            niceness=10
            [ "$lr" = "$primary_lr" ] && niceness=0
            for method in sft dpo nca nca_p; do
                name="s${seed}_${method}_lr$lr"
                run_bench "$niceness" --seed "$seed" --start "$work/seed$seed/start" \
                    --methods "$method" --lr "$lr" --work "$work/lr$lr" \
                    --out "$results/$name.json" >"$results/$name.log" 2>&1 &
            done
        done
        wait
    ) &
done
wait
echo "done at $(date -u +%T), $((deadline - $(date +%s))) s before the deadline"
