"""Did the 16 numbers help? Base model vs base + TinyLoRA, same prompts, seeds and decoding, side by side.

    python evaluate.py --split eval --tiny_lora output/tiny_lora_v.pt --n 8 --k 1,5
    python evaluate.py --split eval --tiny_lora output/tiny_lora_v.pt --greedy      # greedy pass@1
    python evaluate.py --data_file local_luogu_rl/luogu_rl_data.jsonl --max_problems 50 --plot

Both models are the same module: v = 0 is exactly the base model (tested), so the only difference between
the two columns is v. Completions are judged by the training judge on all tests of each problem.
pass@k uses the unbiased estimator of Chen et al. (2021); the uncertainty of the difference is a paired
bootstrap over problems. Results go to <output>/eval.json and <output>/eval.md (and eval.png with --plot).
"""

import argparse
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
from tqdm.auto import tqdm

import hardware
import model_files
import train_rl

SPLITS = {"eval": "./local_luogu_rl/shipped/eval.jsonl", "train": train_rl.SHIPPED_TRAIN_FILE}


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k for c correct out of n samples: 1 - C(n-c, k) / C(n, k)."""
    if n - c < k:
        return 1.0
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))


def generate(model, tokenizer, problems, args) -> list[list[str]]:
    """n completions per problem, in fixed batches with a fixed seed per batch (identical for both models)."""
    jobs = [(i, j) for i in range(len(problems)) for j in range(args.n)]
    texts = [tokenizer.apply_chat_template(train_rl.to_chat(p["prompt"]), add_generation_prompt=True, tokenize=False)
             for p in problems]
    completions = [[None] * args.n for _ in problems]
    tokenizer.padding_side = "left"
    for start in tqdm(range(0, len(jobs), args.batch_size), desc="generating"):
        batch = jobs[start:start + args.batch_size]
        encoded = tokenizer([texts[i] for i, _ in batch], return_tensors="pt", padding=True).to(model.device)
        torch.manual_seed(args.seed + start)
        with torch.no_grad():
            out = model.generate(
                **encoded, max_new_tokens=args.max_new_tokens, do_sample=not args.greedy,
                temperature=None if args.greedy else args.temperature, top_p=None if args.greedy else args.top_p,
                top_k=None,
            )
        for (i, j), row in zip(batch, out[:, encoded["input_ids"].shape[1]:]):
            completions[i][j] = tokenizer.decode(row, skip_special_tokens=True)
    return completions


def generate_with_engine(rollouts, tokenizer, problems, args) -> list[list[str]]:
    """n completions per problem from llama.cpp, the n sharing one evaluation of the prompt; each problem's draws
    come from a generator seeded by (seed, problem index), identical for both models."""
    completions = []
    for index, problem in enumerate(tqdm(problems, desc="generating (llama.cpp)")):
        ids = train_rl.prompt_token_ids(tokenizer, problem["prompt"])
        tokens, _ = rollouts.engine.generate([ids] * args.n, args.max_new_tokens, rollouts.stop_ids,
                                             0.0 if args.greedy else args.temperature,
                                             np.random.default_rng([args.seed, index]))
        completions.append([tokenizer.decode(t, skip_special_tokens=True) for t in tokens])
    return completions


def llama_cpp_rollouts(model_path: str, tokenizer, problems, args):
    """The trainer's llama.cpp engine on the base GGUF (--gguf, or the embedded model's own)."""
    import rollout_engine

    if not rollout_engine.llama_cpp_available():
        raise train_rl.ConfigError("--engine llama_cpp needs llama-cpp-python: pip install -r requirements-cpu.txt")
    gguf = args.gguf or os.path.join(model_path, model_files.EMBEDDED_GGUF_NAME)
    if not os.path.isfile(gguf):
        raise train_rl.ConfigError(f"--engine llama_cpp: no GGUF at {gguf} (pass --gguf)")
    longest = max(len(train_rl.prompt_token_ids(tokenizer, p["prompt"])) for p in problems)
    os.makedirs(args.output, exist_ok=True)
    return rollout_engine.LlamaCppRollouts(gguf, tokenizer, longest, args.n, args.max_new_tokens, args.temperature,
                                           args.seed, os.path.join(args.output, "tiny_lora_adapter.gguf"), args.threads)


def rollout_sampler(engine: str) -> str:
    """How the completions are drawn: another sampler turns the same seeds into other samples."""
    if engine == "hf":
        return "transformers generate"
    import rollout_engine

    return rollout_engine.SAMPLER


REUSED_SETTINGS = ("data_file", "problems", "n", "greedy", "temperature", "max_new_tokens", "seed", "engine", "sampler")


def reused_base(path: str, report: dict) -> dict:
    """The base column of an earlier eval.json made with the same settings (same seeds: the same completions)."""
    try:
        with open(path, encoding="utf-8") as f:
            earlier = json.load(f)
        base = earlier["models"]["base"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise train_rl.ConfigError(f"--reuse_base {path}: not a readable eval.json with a base column ({e})") from None
    different = [f"{key}: {earlier.get(key)!r} vs {report[key]!r}" for key in REUSED_SETTINGS if earlier.get(key) != report[key]]
    if different:
        raise train_rl.ConfigError(f"--reuse_base {path} was made with other settings ({'; '.join(different)})")
    print(f"[eval] base column reused from {path}")
    return base


def score(problems, completions, judge, ks) -> dict:
    n = len(completions[0])
    flat_codes = [train_rl.extract_code(c) for per in completions for c in per]
    flat_tests = [p["test_cases"] for p in problems for _ in range(n)]
    results = judge.judge(flat_codes, flat_tests)
    per_problem = []
    for index, problem in enumerate(problems):
        mine = results[index * n:(index + 1) * n]
        per_problem.append({
            "pid": problem["pid"], "n": n, "correct": sum(r.all_passed for r in mine),
            "compiled": sum(r.compiled for r in mine),
            "mean_reward": sum(train_rl.reward_from_result(r, judge.config.reward_mode) for r in mine) / n,
            "verdicts": [r.verdicts if r.compiled else ["CE" if c else "NO_CODE"] for r, c in
                         zip(mine, flat_codes[index * n:(index + 1) * n])],
        })
    summary = {metric: sum(values) / len(values) for metric, values in per_problem_metrics(per_problem, ks).items()}
    return {"summary": summary, "problems": per_problem}


def per_problem_metrics(per_problem: list[dict], ks) -> dict[str, list[float]]:
    """Each metric on each problem: a model's summary is their mean; the paired difference resamples them."""
    metrics = {f"pass@{k}": [pass_at_k(p["n"], p["correct"], k) for p in per_problem] for k in ks}
    metrics["compile_rate"] = [p["compiled"] / p["n"] for p in per_problem]
    metrics["mean_reward"] = [p["mean_reward"] for p in per_problem]
    return metrics


def paired_bootstrap(base: list[float], tuned: list[float], samples: int = 10_000, seed: int = 0):
    """95% interval of mean(tuned - base) with problems resampled with replacement."""
    rng = random.Random(seed)
    diffs = [t - b for b, t in zip(base, tuned)]
    means = sorted(sum(rng.choice(diffs) for _ in diffs) / len(diffs) for _ in range(samples))
    return means[int(0.025 * samples)], means[int(0.975 * samples) - 1]


def write_report(report: dict, output_dir: str, plot: bool) -> None:
    with train_rl.atomic_path(os.path.join(output_dir, "eval.json")) as tmp, open(tmp, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2, ensure_ascii=False)

    models = list(report["models"])
    metrics = list(report["models"][models[0]]["summary"])
    lines = [f"Evaluation on {report['data_file']} ({report['problems']} problems, n = {report['n']}, "
             f"{'greedy' if report['greedy'] else 'temperature ' + str(report['temperature'])})", "",
             "| metric | " + " | ".join(models) + (" | difference (95% CI) |" if len(models) == 2 else " |"),
             "|---" * (len(models) + 1 + (len(models) == 2)) + "|"]
    for metric in metrics:
        row = f"| {metric} | " + " | ".join(f"{report['models'][m]['summary'][metric]:.3f}" for m in models)
        if len(models) == 2:
            d = report["difference"][metric]
            row += f" | {d['mean']:+.3f} [{d['ci95'][0]:+.3f}, {d['ci95'][1]:+.3f}]"
        lines.append(row + " |")
    lines += ["", "| problem | " + " | ".join(f"{m} correct/n" for m in models) + " |", "|---" * (len(models) + 1) + "|"]
    for index, problem in enumerate(report["models"][models[0]]["problems"]):
        lines.append(f"| {problem['pid']} | " + " | ".join(
            f"{report['models'][m]['problems'][index]['correct']}/{problem['n']}" for m in models) + " |")
    with train_rl.atomic_path(os.path.join(output_dir, "eval.md")) as tmp, open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))

    if plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(7, 4))
        width = 0.8 / len(models)
        for offset, model_name in enumerate(models):
            values = [report["models"][model_name]["summary"][m] for m in metrics]
            ax.bar([i + offset * width for i in range(len(metrics))], values, width, label=model_name)
        ax.set_xticks([i + width * (len(models) - 1) / 2 for i in range(len(metrics))], metrics)
        ax.set_ylim(0, 1)
        ax.legend()
        ax.set_title(f"{report['problems']} problems, n = {report['n']}")
        with train_rl.atomic_path(os.path.join(output_dir, "eval.png")) as tmp:
            fig.savefig(tmp, dpi=120, bbox_inches="tight")
        plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=sorted(SPLITS), default="eval", help="a shipped split (default: held-out eval)")
    parser.add_argument("--data_file", help="any RL JSONL file instead of a shipped split")
    parser.add_argument("--max_problems", type=int, help="first N problems only")
    parser.add_argument("--tiny_lora", help="a saved v (tiny_lora_v.pt): evaluate base and base + v side by side")
    parser.add_argument("--model", help="model folder (default: the folder v was trained from if it exists here, "
                                        "else the trainer's default for this machine)")
    parser.add_argument("--load_in_4bit", action=argparse.BooleanOptionalAction,
                        help="load the model in 4-bit NF4 (default: as v was trained; without v, as the trainer would)")
    parser.add_argument("--compute_dtype", choices=sorted(hardware.DTYPES), help="default: the hardware's choice")
    parser.add_argument("--n", type=int, default=8, help="samples per problem")
    parser.add_argument("--k", default="1,5", help="comma-separated k for pass@k (each <= n)")
    parser.add_argument("--greedy", action="store_true", help="greedy decoding, n = 1: greedy pass@1")
    parser.add_argument("--temperature", type=float, default=1.0, help="sampling temperature (GRPO's default)")
    parser.add_argument("--top_p", type=float, default=1.0, help="nucleus sampling")
    parser.add_argument("--max_new_tokens", type=int,
                        help="generation budget per completion (default: the training preset's max_completion_length)")
    parser.add_argument("--batch_size", type=int, default=8, help="sequences generated together")
    parser.add_argument("--seed", type=int, default=0, help="sampling seed (the same for both models)")
    parser.add_argument("--engine", choices=("hf", "llama_cpp"), default="hf",
                        help="what samples: transformers generate, or the trainer's llama.cpp engine (v as a LoRA adapter)")
    parser.add_argument("--gguf", help="base GGUF for --engine llama_cpp (default: the embedded model's own)")
    parser.add_argument("--threads", type=int, help="llama.cpp threads (default: all cores)")
    parser.add_argument("--reuse_base", help="an earlier eval.json whose base column (same settings) is reused")
    parser.add_argument("--output", default="./output/eval", help="folder for eval.json, eval.md, eval.png")
    parser.add_argument("--plot", action="store_true", help="also write a bar chart")
    args = parser.parse_args()
    if args.greedy:
        args.n = 1
    ks = [int(k) for k in args.k.split(",")] if not args.greedy else [1]
    if args.n <= 0 or any(k <= 0 or k > args.n for k in ks):
        raise train_rl.ConfigError(f"need n >= 1 and every k in 1..n (n = {args.n}, k = {args.k})")
    train_rl.require_gpp()
    data_file = args.data_file or SPLITS[args.split]
    problems = train_rl.load_rl_problems(data_file, args.max_problems)
    saved = train_rl.read_tiny_lora(args.tiny_lora) if args.tiny_lora else None

    preset = "gpu" if torch.cuda.is_available() else "cpu"
    args.max_new_tokens = args.max_new_tokens or train_rl.PRESETS[preset]["max_completion_length"]
    if saved is None:
        path, why = train_rl.resolve_model(train_rl.ScriptArguments(model_name_or_path=args.model, preset=preset))
        load_in_4bit = preset == "gpu" if args.load_in_4bit is None else args.load_in_4bit
    else:
        path, why, load_in_4bit = train_rl.base_for_saved_v(saved, args.model, args.load_in_4bit)
    print(f"[eval] model: {why}; 4-bit NF4: {load_in_4bit}; {len(problems)} problems from {data_file}; n = {args.n}")
    model, tokenizer = train_rl.load_model_and_tokenizer(path, load_in_4bit, args.compute_dtype)
    model.eval()
    rollouts = None
    if args.engine == "llama_cpp":
        rollouts = llama_cpp_rollouts(path, tokenizer, problems, args)
    judge = train_rl.Judge(train_rl.JudgeConfig())
    report = {"data_file": data_file, "problems": len(problems), "n": args.n, "greedy": args.greedy,
              "temperature": args.temperature, "max_new_tokens": args.max_new_tokens, "seed": args.seed,
              "engine": args.engine, "sampler": rollout_sampler(args.engine), "model": why, "tiny_lora": args.tiny_lora,
              "models": {}}
    if args.reuse_base:
        report["models"]["base"] = reused_base(args.reuse_base, report)

    def evaluate_model(name: str) -> None:
        started = time.time()
        completions = (generate_with_engine(rollouts, tokenizer, problems, args) if rollouts
                       else generate(model, tokenizer, problems, args))
        report["models"][name] = score(problems, completions, judge, ks)
        report["models"][name]["seconds"] = time.time() - started

    try:
        if saved is None:
            if "base" not in report["models"]:
                evaluate_model("base")
        else:
            # builds the adapter from the file's metadata; a skeleton that differs from the one v was trained on is
            # an error, unless the user chose the quantization against the file on purpose (then a warning)
            v = train_rl.load_tiny_lora(model, args.tiny_lora, strict=load_in_4bit == bool(saved.get("quantized")))
            trained = v.detach().clone()
            for name, value in (("base", torch.zeros_like(trained)), ("base+TinyLoRA", trained)):
                if name in report["models"]:
                    continue
                with torch.no_grad():
                    v.copy_(value)
                if rollouts:
                    rollouts.sync(model, v)
                evaluate_model(name)
    finally:
        judge.close()
        if rollouts:
            rollouts.close()
    if saved is not None:
        base, tuned = (per_problem_metrics(report["models"][name]["problems"], ks) for name in report["models"])
        report["difference"] = {
            metric: {"mean": sum(t - b for b, t in zip(base[metric], tuned[metric])) / len(problems),
                     "ci95": paired_bootstrap(base[metric], tuned[metric])}
            for metric in base
        }
    write_report(report, args.output, args.plot)


if __name__ == "__main__":
    try:
        main()
    except train_rl.ConfigError as e:
        sys.exit(f"error: {e}")
