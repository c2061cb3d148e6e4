"""Rollout engines and the policy update side by side on the embedded Qwen2.5-Coder-0.5B-Instruct, in one run
(give it an idle machine).

1. Generation: one group of G completions of the same Luogu prompt, 256 new tokens each with the end tokens
   suppressed (every completion is full length), temperature 1.0: transformers `generate` (fp32, the trainer's
   model) vs the llama.cpp engine (Q4_K_M GGUF, the prompt evaluated once for the group), alternating A B A B.
2. Policy update: forward and backward of the GRPO log-probs of one such group (4 x 256 tokens) through the
   TinyLoRA model, TRL's forward of every full sequence vs the shared-prompt forward, alternating.
3. Whole GRPO steps: `train_rl.py --preset cpu` for --steps steps as before this engine (hf rollouts, TRL's
   forward), with llama.cpp rollouts, and with both llama.cpp and the shared prompt (the default now); the step
   split into generation, judge and policy update (from metrics.jsonl; the first step is left out of the
   medians, it builds caches).

    python bench/bench_rollouts.py [--groups 4,8] [--repeats 2] [--steps 3] [--threads 2] [--skip_steps]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
import model_files  # noqa: E402
import rollout_engine  # noqa: E402
import train_rl  # noqa: E402

NEW_TOKENS = 256


def hf_group(model, prompt_ids, group: int, seed: int) -> int:
    torch.manual_seed(seed)
    inputs = torch.tensor([prompt_ids] * group)
    with torch.no_grad():
        out = model.generate(inputs, attention_mask=torch.ones_like(inputs), max_new_tokens=NEW_TOKENS,
                             min_new_tokens=NEW_TOKENS, do_sample=True, temperature=1.0, top_p=1.0, top_k=0)
    return (out.shape[1] - len(prompt_ids)) * group


def llama_group(engine, prompt_ids, group: int, seed: int) -> int:
    completions, _ = engine.generate([prompt_ids] * group, NEW_TOKENS, set(), 1.0, np.random.default_rng(seed))
    return sum(map(len, completions))


def generation_table(args, model_dir: str, gguf: str) -> list[str]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
    problem = train_rl.load_rl_problems(train_rl.SHIPPED_TRAIN_FILE)[0]
    prompt_ids = train_rl.prompt_token_ids(tokenizer, problem["prompt"])
    rows = [f"generation: prompt {len(prompt_ids)} tokens, {NEW_TOKENS} new tokens per completion, "
            f"torch threads {torch.get_num_threads()}, llama.cpp threads {args.threads}",
            "| group | HF generate tok/s | llama.cpp tok/s | ratio (llama.cpp / HF, per pair) |", "|---|---|---|---|"]
    for group in args.groups:
        engine = rollout_engine.LlamaCppEngine(gguf, len(prompt_ids) + group * NEW_TOKENS + 16, group, args.threads)
        hf_rates, llama_rates = [], []
        for repeat in range(args.repeats):
            started = time.perf_counter()
            tokens = hf_group(model, prompt_ids, group, repeat)
            hf_rates.append(tokens / (time.perf_counter() - started))
            started = time.perf_counter()
            tokens = llama_group(engine, prompt_ids, group, repeat)
            llama_rates.append(tokens / (time.perf_counter() - started))
            print(f"  group {group} repeat {repeat}: HF {hf_rates[-1]:.1f} tok/s, llama.cpp {llama_rates[-1]:.1f} tok/s",
                  flush=True)
        engine.close()
        ratios = [b / a for a, b in zip(hf_rates, llama_rates)]
        rows.append(f"| {group} | {statistics.median(hf_rates):.1f} | {statistics.median(llama_rates):.1f} | "
                    f"{statistics.median(ratios):.2f}x (min {min(ratios):.2f}, max {max(ratios):.2f}) |")
    return rows


def update_table(args, model_dir: str, gguf: str) -> list[str]:
    """Seconds of one forward + backward of the group's log-probs, TRL's way and the shared-prompt way."""
    from accelerate import Accelerator
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl.trainer.utils import add_fused_lm_head

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    v = torch.nn.Parameter(torch.zeros(16))
    train_rl.apply_tiny_lora(model, v)
    add_fused_lm_head(model, temperature=1.0, outputs=("log_probs", "entropy"))  # what GRPOTrainer adds
    trainer = object.__new__(train_rl.TinyLoRAGRPOTrainer)  # the log-prob method needs only the accelerator
    trainer.accelerator = Accelerator(cpu=True)
    problem = train_rl.load_rl_problems(train_rl.SHIPPED_TRAIN_FILE)[0]
    prompt_ids = train_rl.prompt_token_ids(tokenizer, problem["prompt"])
    engine = rollout_engine.LlamaCppEngine(gguf, len(prompt_ids) + 4 * NEW_TOKENS + 16, 4, args.threads)
    completions, _ = engine.generate([prompt_ids] * 4, NEW_TOKENS, set(), 1.0, np.random.default_rng(0))
    engine.close()
    input_ids = torch.tensor([prompt_ids + c for c in completions])
    timings = {False: [], True: []}
    for _ in range(args.repeats):
        for shared in (False, True):
            trainer.shared_prompt_forward = shared
            started = time.perf_counter()
            logps, _, _ = trainer._get_per_token_logps_and_entropies(
                model, input_ids, torch.ones_like(input_ids), NEW_TOKENS, compute_entropy=True)
            logps.sum().backward()
            timings[shared].append(time.perf_counter() - started)
            v.grad = None
    full, shared = statistics.median(timings[False]), statistics.median(timings[True])
    print(f"  update: TRL {timings[False]}, shared prompt {timings[True]}", flush=True)
    return [f"policy update: 1 prompt of {len(prompt_ids)} tokens x 4 completions of {NEW_TOKENS}, forward + backward, "
            f"torch threads {torch.get_num_threads()}, median of {args.repeats}",
            "| TRL's full-sequence forward s | shared-prompt forward s | ratio |", "|---|---|---|",
            f"| {full:.1f} | {shared:.1f} | {full / shared:.2f}x |"]


STEP_SETUPS = {  # name -> train_rl.py flags
    "hf rollouts, TRL forward (before)": ["--rollout_engine", "hf", "--shared_prompt_forward", "False"],
    "llama_cpp rollouts, TRL forward": ["--rollout_engine", "llama_cpp", "--shared_prompt_forward", "False"],
    "llama_cpp rollouts, shared prompt (now)": ["--rollout_engine", "llama_cpp"],
}


def grpo_steps(setup: str, steps: int, threads: int, folder: str) -> dict:
    """Median seconds per step (after the first) of a real `train_rl.py --preset cpu` run with this setup."""
    out = os.path.join(folder, str(list(STEP_SETUPS).index(setup)))
    command = [sys.executable, os.path.join(ROOT, "train_rl.py"), "16", "--preset", "cpu", "--max_steps", str(steps),
               *STEP_SETUPS[setup], "--rollout_threads", str(threads), "--output_dir", out,
               "--final_v_path", os.path.join(out, "v.pt"), "--save_steps", str(steps + 1)]
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "metrics.jsonl")) as f:
        records = [json.loads(line) for line in f][1:]
    keys = {"step": "step_time", "generation": "time/generation_s", "judge": "time/judge_s",
            "update": "time/policy_update_s", "length": "completions/mean_length"}
    return {name: statistics.median(r[key] for r in records) for name, key in keys.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", default="4,8", help="completions per group, comma-separated")
    parser.add_argument("--repeats", type=int, default=2, help="A B pairs per group")
    parser.add_argument("--steps", type=int, default=3, help="GRPO steps per engine (the first is not counted)")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="llama.cpp threads")
    parser.add_argument("--skip_steps", action="store_true", help="only the generation and update tables")
    args = parser.parse_args()
    try:
        args.groups = [int(g) for g in args.groups.split(",")]
    except ValueError:
        sys.exit(f"error: --groups must be comma-separated integers, got {args.groups!r}")
    if not rollout_engine.llama_cpp_available():
        sys.exit("error: llama-cpp-python is not installed (pip install -r requirements-cpu.txt)")
    if args.steps < 2 or args.repeats < 1 or min(args.groups) < 1:
        sys.exit("error: need --steps >= 2, --repeats >= 1 and groups >= 1")
    model_dir = model_files.prepare_embedded_model()
    gguf = os.path.join(model_dir, model_files.EMBEDDED_GGUF_NAME)
    rows = generation_table(args, model_dir, gguf) + [""] + update_table(args, model_dir, gguf)
    if not args.skip_steps:
        with tempfile.TemporaryDirectory() as folder:
            timings = {setup: grpo_steps(setup, args.steps, args.threads, folder) for setup in STEP_SETUPS}
        before, now = timings[next(iter(STEP_SETUPS))], timings[list(STEP_SETUPS)[-1]]
        rows += ["", f"GRPO steps (--preset cpu: 1 prompt x 4 completions, 256 tokens; median of steps 2..{args.steps})",
                 "| setup | step s | generation s | judge s | update s | mean completion tokens |",
                 "|---|---|---|---|---|---|"]
        rows += [f"| {setup} | {t['step']:.1f} | {t['generation']:.1f} | {t['judge']:.1f} | {t['update']:.1f} | "
                 f"{t['length']:.0f} |" for setup, t in timings.items()]
        rows.append(f"whole step: now {before['step'] / now['step']:.2f}x faster than before; generation "
                    f"{before['generation'] / now['generation']:.2f}x, update {before['update'] / now['update']:.2f}x")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
