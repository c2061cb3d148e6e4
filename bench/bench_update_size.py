"""How large must v be before the policy visibly changes, in fp32 and in bf16? Both measured side by side in one run.

For each magnitude a, v = a * s with s a fixed vector of random signs (every |v_i| = a, ||v|| = a sqrt(u)). Fixed
completions (the reference solutions of shipped problems, teacher-forced after the trainer's own prompt) are scored
token by token, and their log-probs compared with v = 0 in the same dtype:

  true change   mean |lp32(v) - lp32(0)| over completion tokens: the effect of v (fp32 rounds at ~1e-7)
  bf16 sees     mean |lp16(v) - lp16(0)|: what a bf16 run's policy does
  bf16 noise    mean |(lp16(v) - lp16(0)) - (lp32(v) - lp32(0))|: the part of what bf16 sees that is rounding
  SNR           true change / bf16 noise: above 1 the change is beyond bf16's noise, from 2 on clearly so
  update size   ||delta|| / ||base(x)||, mean over layers (the signal the trainer logs every step), fp32 and bf16
  mean lp       the signed change of the completions' mean log-prob (fp32): strongly negative = v breaks the model

It ends with the learning rate these thresholds call for: with Adam each v_i moves by at most about one learning
rate per step (TRL's default schedule decays it linearly to 0), so the GPU preset on the shipped set is checked for
passing the noise within a tenth of its steps and staying below the breaking point by the end of the epoch.

Each dtype's noise floor is the log-prob difference between two ways of computing the same thing at v = 0 (all
sequences in one padded batch vs each alone). Uses the embedded Qwen2.5-Coder-0.5B-Instruct (converted once by
the trainer) or --model. About 3 minutes on 2 idle cores.

    python bench/bench_update_size.py [--problems 2] [--max_tokens 128] [--magnitudes 1e-5,1e-4,...] [--u 16]
"""

import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import hardware  # noqa: E402
import model_files  # noqa: E402
import train_rl  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOLUTIONS = os.path.join(ROOT, "tests", "problemset", "solutions")


def fixed_completions(tokenizer, problems: int, max_tokens: int) -> list[tuple[list[int], int]]:
    """(token ids, index where the completion starts) for the shortest shipped problems that have a reference."""
    rows = train_rl.load_rl_problems(train_rl.SHIPPED_TRAIN_FILE)
    rows = sorted((r for r in rows if os.path.isfile(os.path.join(SOLUTIONS, f"{r['pid']}.cpp"))), key=lambda r: len(r["prompt"]))
    sequences = []
    for row in rows[:problems]:
        prompt = tokenizer.apply_chat_template(train_rl.to_chat(row["prompt"]), add_generation_prompt=True, tokenize=False)
        with open(os.path.join(SOLUTIONS, f"{row['pid']}.cpp"), encoding="utf-8") as f:
            answer = f"```cpp\n{f.read().strip()}\n```"
        prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        answer_ids = tokenizer(answer, add_special_tokens=False)["input_ids"][:max_tokens]
        sequences.append((prompt_ids + answer_ids, len(prompt_ids)))
    return sequences


def completion_logprobs(model, sequences, pad_id: int, batched: bool = True) -> torch.Tensor:
    """Log-probs of every completion token, concatenated over sequences (fp32)."""
    groups = [sequences] if batched else [[s] for s in sequences]
    out = []
    for group in groups:
        width = max(len(ids) for ids, _ in group)
        input_ids = torch.tensor([ids + [pad_id] * (width - len(ids)) for ids, _ in group])
        mask = torch.tensor([[1] * len(ids) + [0] * (width - len(ids)) for ids, _ in group])
        logits = model(input_ids=input_ids, attention_mask=mask).logits.float()
        logprobs = torch.log_softmax(logits[:, :-1], dim=-1).gather(-1, input_ids[:, 1:, None]).squeeze(-1)
        for row, (ids, start) in enumerate(group):
            out.append(logprobs[row, start - 1:len(ids) - 1])
    return torch.cat(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model folder (default: the embedded Qwen2.5-Coder-0.5B-Instruct)")
    parser.add_argument("--problems", type=int, default=2, help="shipped problems whose reference solution is scored")
    parser.add_argument("--max_tokens", type=int, default=128, help="completion tokens scored per problem")
    parser.add_argument("--magnitudes", default="1e-4,1e-3,3e-3,1e-2,3e-2,1e-1,3e-1,1", help="|v_i| values")
    parser.add_argument("--u", type=int, default=16, help="size of v")
    parser.add_argument("--json", help="also write the table here")
    args = parser.parse_args()
    torch.manual_seed(0)
    magnitudes = [float(m) for m in args.magnitudes.split(",")]
    path = args.model or model_files.prepare_embedded_model()

    models, vectors = {}, {}
    for dtype in ("float32", "bfloat16"):
        started = time.time()
        model, tokenizer = train_rl.load_model_and_tokenizer(path, load_in_4bit=False, compute_dtype=dtype)
        model.eval()
        vectors[dtype] = nn.Parameter(torch.zeros(args.u), requires_grad=False)  # no graph, no activation memory
        train_rl.apply_tiny_lora(model, vectors[dtype])
        vectors[dtype].requires_grad_(False)
        models[dtype] = model
        print(f"[bench] {dtype} model ready in {time.time() - started:.0f}s")
    sequences = fixed_completions(tokenizer, args.problems, args.max_tokens)
    pad_id = tokenizer.pad_token_id
    print(f"[bench] {len(sequences)} completions, {sum(len(s) - p for s, p in sequences)} scored tokens, "
          f"{sum(len(s) for s, _ in sequences)} tokens per forward")
    signs = torch.randint(0, 2, (args.u,), generator=torch.Generator().manual_seed(0)).float() * 2 - 1

    def measure(dtype: str, magnitude: float) -> tuple[torch.Tensor, dict]:
        with torch.no_grad():
            vectors[dtype].copy_(magnitude * signs)
        train_rl.take_update_size(models[dtype])  # clear
        with torch.enable_grad():  # the trainer records the update size only where a gradient could be built
            logprobs = completion_logprobs(models[dtype], sequences, pad_id).detach()
        return logprobs, train_rl.take_update_size(models[dtype])

    base, floor = {}, {}
    for dtype in models:
        started = time.time()
        base[dtype], _ = measure(dtype, 0.0)
        with torch.no_grad():
            alone = completion_logprobs(models[dtype], sequences, pad_id, batched=False)
        floor[dtype] = (alone - base[dtype]).abs().mean().item()
        print(f"[bench] {dtype}: v = 0 in {time.time() - started:.0f}s; noise floor (batch vs alone) {floor[dtype]:.2e}")

    rows = []
    for magnitude in magnitudes:
        lp32, size32 = measure("float32", magnitude)
        lp16, size16 = measure("bfloat16", magnitude)
        true_change, seen_change = lp32 - base["float32"], lp16 - base["bfloat16"]
        rows.append({
            "v_i": magnitude, "v_norm": magnitude * math.sqrt(args.u),
            "update_fp32": size32["mean"], "update_bf16": size16["mean"], "update_bf16_max": size16["max"],
            "true_change": true_change.abs().mean().item(), "bf16_change": seen_change.abs().mean().item(),
            "bf16_noise": (seen_change - true_change).abs().mean().item(),
            "mean_lp_change": true_change.mean().item(),
        })
        rows[-1]["snr_bf16"] = rows[-1]["true_change"] / rows[-1]["bf16_noise"]
        print(f"[bench] |v_i| = {magnitude:.0e} done")

    bf16_resolution = hardware.dtype_resolution(torch.bfloat16)
    print(f"\nEmbedded Qwen2.5-Coder-0.5B-Instruct, u = {args.u}, rank 2; {len(sequences)} reference solutions, "
          f"{len(base['float32'])} scored tokens. Noise floor (mean |lp| difference, batch vs alone): "
          f"fp32 {floor['float32']:.1e}, bf16 {floor['bfloat16']:.1e}. bf16 resolves {bf16_resolution:.1e}.\n")
    print("| \\|v_i\\| | update size fp32 | update size bf16 (max layer) | true change | bf16 sees | bf16 noise | "
          "SNR in bf16 | mean lp change |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['v_i']:.0e} | {r['update_fp32']:.1e} | {r['update_bf16']:.1e} ({r['update_bf16_max']:.1e}) | "
              f"{r['true_change']:.1e} | {r['bf16_change']:.1e} | {r['bf16_noise']:.1e} | {r['snr_bf16']:.2f} | "
              f"{r['mean_lp_change']:+.2e} |")
    print()
    fp32 = next((r for r in rows if r["true_change"] > 10 * floor["float32"]), None)
    beyond = next((r for r in rows if r["snr_bf16"] > 1), None)
    clearly = next((r for r in rows if r["snr_bf16"] >= 2), None)
    breaking = next((r for r in rows if r["mean_lp_change"] < -0.1), None)
    for what, r in (("fp32: the change is 10x above fp32's noise floor", fp32),
                    ("bf16: the change is beyond bf16's noise (SNR > 1)", beyond),
                    ("bf16: the change is clearly beyond bf16's noise (SNR >= 2)", clearly),
                    ("the model starts to break (reference solutions lose > 0.1 nat per token)", breaking)):
        print(f"{what}: " + (f"from |v_i| = {r['v_i']:.0e} on (update size {r['update_fp32']:.1e})" if r else "not at any tested |v_i|"))
    if beyond:
        preset = train_rl.PRESETS["gpu"]
        lr = preset["learning_rate"]
        prompts_per_step = preset["per_device_train_batch_size"] * preset["gradient_accumulation_steps"] // preset["num_generations"]
        steps = math.ceil(len(train_rl.load_rl_problems(train_rl.SHIPPED_TRAIN_FILE)) / prompts_per_step)
        tenth = math.ceil(steps / 10)
        moved = lambda k: lr * sum(1 - i / steps for i in range(k))  # Adam's bound under the linear decay
        print(f"GPU preset on the shipped set: {steps} steps of {prompts_per_step} problems, learning rate {lr:g}: "
              f"|v_i| <= {moved(tenth):.1e} after the first tenth ({tenth} steps; the noise is passed at "
              f"{beyond['v_i']:.0e}), <= {moved(steps):.1e} after the epoch"
              + (f" (the model starts to break at {breaking['v_i']:.0e})" if breaking else ""))
    if args.json:
        with train_rl.atomic_path(args.json) as tmp, open(tmp, "w") as f:
            json.dump({"noise_floor": floor, "rows": rows, "u": args.u, "tokens": len(base["float32"])}, f, indent=2)


if __name__ == "__main__":
    try:
        main()
    except train_rl.ConfigError as e:
        sys.exit(f"error: {e}")
