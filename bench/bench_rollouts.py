"""Rollout engines side by side on the embedded Qwen2.5-Coder-0.5B-Instruct, in one run (give it an idle machine).

1. Generation: one group of G completions of the same Luogu prompt, 256 new tokens each with the end tokens
   suppressed (every completion is full length), temperature 1.0: transformers `generate` (fp32, the trainer's
   model) vs the llama.cpp engine (Q4_K_M GGUF, the prompt evaluated once for the group), alternating A B A B.
2. Whole GRPO steps: `train_rl.py --preset cpu` for --steps steps with each engine, the step split into
   generation, judge and policy update (from metrics.jsonl; the first step is left out of the medians, it builds
   caches).

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
    prompt_ids = tokenizer.apply_chat_template(train_rl.to_chat(problem["prompt"]), add_generation_prompt=True,
                                               tokenize=True, return_dict=False)
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


def grpo_steps(engine: str, steps: int, threads: int, folder: str) -> dict:
    """Median seconds per step (after the first) of a real `train_rl.py --preset cpu` run with this engine."""
    out = os.path.join(folder, engine)
    command = [sys.executable, os.path.join(ROOT, "train_rl.py"), "16", "--preset", "cpu", "--max_steps", str(steps),
               "--rollout_engine", engine, "--rollout_threads", str(threads), "--output_dir", out,
               "--final_v_path", os.path.join(out, "v.pt"), "--save_steps", str(steps + 1)]
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "metrics.jsonl")) as f:
        records = [json.loads(line) for line in f][1:]
    keys = {"step": "step_time", "generation": "time/generation_s", "judge": "time/judge_s",
            "update": "time/policy_update_s"}
    return {name: statistics.median(r[key] for r in records) for name, key in keys.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", default="4,8", help="completions per group, comma-separated")
    parser.add_argument("--repeats", type=int, default=2, help="A B pairs per group")
    parser.add_argument("--steps", type=int, default=3, help="GRPO steps per engine (the first is not counted)")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="llama.cpp threads")
    parser.add_argument("--skip_steps", action="store_true", help="only the generation table")
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
    rows = generation_table(args, model_dir, os.path.join(model_dir, model_files.EMBEDDED_GGUF_NAME))
    if not args.skip_steps:
        with tempfile.TemporaryDirectory() as folder:
            timings = {engine: grpo_steps(engine, args.steps, args.threads, folder) for engine in ("hf", "llama_cpp")}
        hf, llama = timings["hf"], timings["llama_cpp"]
        rows += ["", f"GRPO steps (--preset cpu: 1 prompt x 4 completions, 256 tokens; median of steps 2..{args.steps})",
                 "| engine | step s | generation s | judge s | update s |", "|---|---|---|---|---|"]
        rows += [f"| {engine} | {t['step']:.1f} | {t['generation']:.1f} | {t['judge']:.1f} | {t['update']:.1f} |"
                 for engine, t in timings.items()]
        rows.append(f"whole step: llama_cpp is {hf['step'] / llama['step']:.2f}x faster; generation "
                    f"{hf['generation'] / llama['generation']:.2f}x")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
