#!/usr/bin/env bash
# The pre-registered experiment of PROTOCOL.md in one command: train (continuing from the last checkpoint when one
# exists), then evaluate base and tuned with the same seeds. Each step writes its own folder under output/experiment.
#   bash results/tinylora-0.5b-cpu/run.sh            # from anywhere; about 2 hours on one core of a 2-core machine
set -euo pipefail
cd "$(dirname "$0")/../.."
out=output/experiment
export OMP_NUM_THREADS=1
ev() { python evaluate.py --engine llama_cpp --threads 1 --max_new_tokens 256 --seed 0 "$@"; }

# the base columns need no training; the tuned ones reuse them (same settings, same seeds, same completions)
[ -f $out/base-heldout/eval.json ] || ev --split eval --n 8 --k 1,4,8 --output $out/base-heldout
[ -f $out/base-heldout-greedy/eval.json ] || ev --split eval --greedy --output $out/base-heldout-greedy
[ -f $out/base-train/eval.json ] || ev --split train --n 2 --k 1,2 --output $out/base-train

if [ ! -f $out/tiny_lora_v.pt ]; then
    resume=()
    compgen -G "$out/checkpoint-*" >/dev/null && resume=(--resume)
    python train_rl.py 16 --preset experiment "${resume[@]}"
fi
v=$out/tiny_lora_v.pt
ev --split eval --n 8 --k 1,4,8 --tiny_lora $v --reuse_base $out/base-heldout/eval.json --output $out/eval-heldout --plot
ev --split eval --greedy --tiny_lora $v --reuse_base $out/base-heldout-greedy/eval.json --output $out/eval-heldout-greedy
ev --split train --n 2 --k 1,2 --tiny_lora $v --reuse_base $out/base-train/eval.json --output $out/eval-train
