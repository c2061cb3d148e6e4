"""Does the trainer fit a 16 GB GPU, and how long is a step? The real trainer on random Qwen2.5-sized models.

For each configuration (Qwen2.5-Coder-3B in NF4 in the GPU's own precision, in fp16 + GradScaler, in fp32 compute
(what a T4 or V100 runs) and with the seed's batch shape 1 x 8, the same in full precision, Qwen2.5-7B in NF4), in its
own subprocess so memory and CUDA state start clean and an out-of-memory or an fp16 overflow stops only its own row:
  1. model the card: --card t4 (default) or v100 gives the total capacity torch reports on that card; PyTorch's
     allocator is capped (torch.cuda.set_per_process_memory_fraction) at that capacity minus what this process holds
     outside the allocator here (CUDA context, library workspaces: device used per torch.cuda.mem_get_info minus
     PyTorch's reserved memory), so allocator plus context fit the card; --budget_gb caps the allocator directly;
  2. load a random model with the real shapes (bench/configs/*.json, saved once as bf16 safetensors) through
     train_rl.load_model_and_tokenizer, the trainer's own loading path (NF4 via bitsandbytes, or full precision);
  3. time decoding of the base model (batch 8, --decode_tokens new tokens), inject TinyLoRA with
     train_rl.apply_tiny_lora (timed: the SVD skeleton of every targeted linear), time the same decoding again;
  4. run --steps optimizer steps of train_rl.TinyLoRAGRPOTrainer with the settings of train_rl.PRESETS["gpu"], read
     at run time, on the shipped problems, every completion forced to the full max_completion_length (a random
     model never stops early, and min_new_tokens makes sure of it: the worst case);
  5. report peak allocated and reserved GPU memory, the device's used memory (mem_get_info, sampled at every step),
     the SVD time, generation tokens/s, seconds per optimizer step split as the trainer's own profile logs it
     (time/*_s), whether v changed and stayed finite, or OOM / overflow.
Every result goes to a JSON file (default bench/results/bench_gpu-<device>-<time>.json): device name, compute
capability, versions, the card modelled, every row with its per-step logs.

The reward is SYNTHETIC: a random model writes no code, so every judged reward would be 0, GRPO's advantages would
vanish and v would never move. Instead each completion scores the fraction of its token ids that are even: cheap,
with real variance inside a group. The g++ judge's cost is measured by bench/bench_judge.py; the "reward" column
here is only the synthetic function.

    python bench/bench_gpu.py                        # needs CUDA; every configuration on a modelled T4, one table
    python bench/bench_gpu.py --card v100 --configs 3b-nf4,3b-nf4-fp16 --steps 5
    python bench/bench_gpu.py --configs 3b-nf4 --budget_gb 12 --json gpu_bench.json
    python bench/bench_gpu.py --tokenizer DIR        # a Qwen tokenizer folder (default: the embedded model's)
    python bench/bench_gpu.py --model models/Qwen2.5-Coder-0.5B-Instruct-embedded   # real weights: does fp16 overflow?
    python bench/bench_gpu.py --tiny                 # the same code on CPU, tiny model, in seconds (CI runs it)

Model configs (bench/configs/*.json, transformers Qwen2Config fields): the shapes of Qwen2.5-Coder-3B-Instruct and
Qwen2.5-7B-Instruct as published in their model cards and config.json (layers, heads, KV heads, tied embeddings;
built here they have 3.09 B and 7.62 B parameters, the cards' figures). rope_theta 1e6, rms_norm_eps 1e-6 and the
bos/eos ids match the embedded Qwen2.5-Coder-0.5B's config; max_position_embeddings 32768 is the released configs'
value (7B reaches 128K only with YaRN, off by default). None of these changes memory or speed at these lengths.
"""

import argparse
import importlib.metadata
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
from transformers import AutoTokenizer, Qwen2Config, Qwen2ForCausalLM, TrainerCallback  # noqa: E402

import hardware  # noqa: E402
import model_files  # noqa: E402
import train_rl  # noqa: E402

CONFIG_DIR = os.path.join(ROOT, "bench", "configs")
GIB = 1 << 30
RESULTS_DIR = os.path.join(ROOT, "bench", "results")
# name -> (model config, load in 4-bit NF4, flags on top of the GPU preset and the GPU's own precision)
FP16 = ["--bf16", "False", "--fp16", "True", "--compute_dtype", "float16"]  # fp16 + GradScaler, as a T4 could run
FP32 = ["--bf16", "False", "--fp16", "False", "--compute_dtype", "float32"]  # what a T4 / V100 runs by default
CONFIGS = {
    "3b-nf4": ("qwen2.5-coder-3b.json", True, []),
    "3b-nf4-fp16": ("qwen2.5-coder-3b.json", True, FP16),
    "3b-nf4-fp32": ("qwen2.5-coder-3b.json", True, FP32),
    # the seed's shape: the same 8 completions per step in eight forwards of one (the preset: one batch of 8)
    "3b-nf4-1x8": ("qwen2.5-coder-3b.json", True, ["--per_device_train_batch_size", "1", "--gradient_accumulation_steps", "8"]),
    "3b-bf16": ("qwen2.5-coder-3b.json", False, []),
    "7b-nf4": ("qwen2.5-7b.json", True, []),
}
TINY_CONFIGS = {"tiny-nf4": ("tiny.json", True, []), "tiny-full": ("tiny.json", False, [])}
# --model DIR: a real model's own weights instead of a random one (e.g. the embedded 0.5B on a GPU machine with no hub)
MODEL_CONFIGS = {"model-nf4": (None, True, []), "model-nf4-fp16": (None, True, FP16), "model-nf4-fp32": (None, True, FP32),
                 "model-full": (None, False, [])}
TINY_COMPLETION_LENGTH = 16  # --tiny only: short completions keep the CPU run to seconds
# Total capacity of the card in GiB, CUDA context included, as PyTorch's out-of-memory messages on those cards quote
# it ("14.74 GiB total capacity" on a T4, "15.77" on a V100-16GB; public reports, not measured here; drivers differ
# by about 0.01 GiB).
CARDS = {"t4": 14.74, "v100": 15.77}


# ---------------------------------------------------------------------------------------------------
# Child processes: build a random model folder; run one configuration
# ---------------------------------------------------------------------------------------------------


def build_model_dir(config_file: str, tokenizer_dir: str, folder: str) -> None:
    """A random Qwen2 with the config's shapes and the tokenizer, saved as bf16 safetensors. On a GPU machine it runs
    in its own child process, so the measured runs start on an empty GPU, and draws the weights on the GPU when they
    fit (a 7B model takes minutes of single-threaded random numbers on a CPU)."""
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    config = Qwen2Config.from_json_file(os.path.join(CONFIG_DIR, config_file))
    if len(tokenizer) > config.vocab_size:
        raise train_rl.ConfigError(f"the tokenizer in {tokenizer_dir} has {len(tokenizer):,} tokens, more than the "
                                   f"vocabulary of {config_file} ({config.vocab_size:,})")
    config.pad_token_id = tokenizer.pad_token_id
    config.eos_token_id = tokenizer.eos_token_id
    with torch.device("meta"):
        size = sum(p.numel() * 2 for p in Qwen2ForCausalLM(config).parameters())  # bytes in bf16
    fits = torch.cuda.is_available() and torch.cuda.mem_get_info()[0] > 1.2 * size
    torch.manual_seed(0)
    with torch.device("cuda" if fits else "cpu"):
        model = Qwen2ForCausalLM._from_config(config, dtype=torch.bfloat16)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


class SyntheticReward:
    """Fraction of even token ids per completion (see the module docstring); also counts generated tokens."""

    __name__ = "synthetic_reward"  # TRL names the reward's metrics after it

    def __init__(self):
        self.tokens = 0

    def __call__(self, completion_ids, **kwargs) -> list[float]:
        self.tokens += sum(len(ids) for ids in completion_ids)
        return [sum(i % 2 == 0 for i in ids) / max(len(ids), 1) for ids in completion_ids]


def device_used_gib() -> float | None:
    """Memory in use on the whole device (torch.cuda.mem_get_info): the allocator's reserve plus everything outside it."""
    if not torch.cuda.is_available():
        return None
    free, total = torch.cuda.mem_get_info()
    return (total - free) / GIB


class StepRecorder(TrainerCallback):
    """Keeps each optimizer step's log (the trainer's time/*_s profile, TRL's step_time), its generated tokens and the
    device's used memory at its end."""

    def __init__(self, reward: SyntheticReward):
        self.reward = reward
        self.steps = []

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs and "step_time" in logs:
            record = {k: v for k, v in logs.items() if isinstance(v, (int, float))}
            self.steps.append({"step": state.global_step, "generated_tokens": self.reward.tokens,
                               "device_used_gib": device_used_gib(), **record})
            self.reward.tokens = 0


def grpo_settings(output_dir: str, steps: int, tiny: bool, extra_flags: list[str] = ()):
    """The GPU preset exactly as train_rl parses it, plus what the bench must change: its own step count, a log
    per step, no checkpoints, every completion generated to full length, the row's own flags; for --tiny the CPU."""
    flags = ["--preset", "gpu", "--output_dir", output_dir, "--max_steps", str(steps), "--logging_steps", "1",
             "--save_strategy", "no", *extra_flags]
    if tiny:
        flags += ["--bf16", "False", "--use_cpu", "True", "--max_completion_length", str(TINY_COMPLETION_LENGTH)]
    args, _, grpo_config = train_rl.parse_args(flags)
    grpo_config.generation_kwargs = {**(grpo_config.generation_kwargs or {}),
                                     "min_new_tokens": grpo_config.max_completion_length}
    return args, grpo_config


def decode_tokens_per_s(model, tokenizer, problems: list[dict], new_tokens: int, autocast: torch.dtype | None) -> float:
    """Tokens per second of sampling a batch of 8 prompts for exactly new_tokens tokens (after a short warm-up), under
    the autocast the trainer's generation runs in."""
    texts = [tokenizer.apply_chat_template(train_rl.to_chat(p["prompt"]), add_generation_prompt=True, tokenize=False)
             for p in (problems * 8)[:8]]
    tokenizer.padding_side = "left"
    batch = tokenizer(texts, return_tensors="pt", padding=True).to(next(model.parameters()).device)
    device = batch["input_ids"].device.type
    seconds = 0.0
    for length in (2, new_tokens):  # the first pass warms up kernels and allocator
        started = time.perf_counter()
        with torch.no_grad(), torch.autocast(device, dtype=autocast or torch.float32, enabled=autocast is not None):
            model.generate(**batch, max_new_tokens=length, min_new_tokens=length, do_sample=True,
                           pad_token_id=tokenizer.pad_token_id)
        if device == "cuda":
            torch.cuda.synchronize()
        seconds = time.perf_counter() - started
    return 8 * new_tokens / seconds


def allocator_cap(device_gib: float, outside_gib: float, card_gib: float | None, budget_gb: float | None) -> float:
    """GiB PyTorch's allocator may reserve: --budget_gb as given, else the modelled card's capacity minus what this
    process holds outside the allocator (the card's capacity includes its CUDA context), else the whole device."""
    cap = budget_gb if budget_gb is not None else card_gib - outside_gib if card_gib is not None else device_gib
    if cap <= 0:
        raise train_rl.ConfigError(f"no memory left to model the card: {outside_gib:.2f} GiB are outside the allocator")
    return min(cap, device_gib)


def run_configuration(name: str, model_dir: str, load_in_4bit: bool, steps: int, budget_gb: float | None, tiny: bool,
                      extra_flags: list[str] = (), card_gib: float | None = None, decode_tokens: int = 16) -> dict:
    cuda = torch.cuda.is_available()
    result = {"config": name, "load_in_4bit": load_in_4bit, "extra_flags": list(extra_flags), "status": "ok"}
    if cuda:
        torch.cuda.init()
        torch.ones(8, 8, device="cuda") @ torch.ones(8, 8, device="cuda")  # the CUDA context and cuBLAS exist now
        total = torch.cuda.get_device_properties(0).total_memory / GIB
        outside = device_used_gib() - torch.cuda.memory_reserved() / GIB  # context and library workspaces
        cap = allocator_cap(total, outside, card_gib, budget_gb)
        torch.cuda.set_per_process_memory_fraction(cap / total)
        torch.cuda.reset_peak_memory_stats()
        result.update(device=torch.cuda.get_device_name(0), capability=list(torch.cuda.get_device_capability(0)),
                      device_total_gib=total, card_gib=card_gib, outside_allocator_gib=outside,
                      budget_gib=cap, device_used_start_gib=device_used_gib())
    else:
        result.update(device="CPU", capability=None, device_total_gib=None, card_gib=None, budget_gib=None)
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    work = tempfile.mkdtemp(prefix="bench_gpu_run_")
    try:
        args, grpo_config = grpo_settings(work, steps, tiny, extra_flags)
        result["settings"] = {
            "u": args.u, "rank": args.rank, "svd": args.svd, "svd_niter": args.svd_niter, "steps": steps,
            "compute_dtype": args.compute_dtype,
            **{k: getattr(grpo_config, k) for k in (
                "per_device_train_batch_size", "gradient_accumulation_steps", "steps_per_generation",
                "num_generations", "max_completion_length", "learning_rate", "bf16", "fp16", "activation_checkpointing",
                "loss_type", "beta")},
            "generation_kwargs": grpo_config.generation_kwargs,
        }
        model, tokenizer = train_rl.load_model_and_tokenizer(model_dir, load_in_4bit, args.compute_dtype)
        result["dtype"] = str(next(p for p in model.parameters() if p.is_floating_point()).dtype).replace("torch.", "")
        problems = train_rl.load_rl_problems(os.path.join(ROOT, train_rl.SHIPPED_TRAIN_FILE))
        autocast = torch.bfloat16 if grpo_config.bf16 else torch.float16 if grpo_config.fp16 else None
        result["decode_tokens"] = decode_tokens
        result["decode_base_tok_s"] = decode_tokens_per_s(model, tokenizer, problems, decode_tokens, autocast)
        global_v = nn.Parameter(torch.zeros(args.u, device=next(model.parameters()).device))
        sync()
        started = time.perf_counter()
        result["tiny_lora_layers"] = train_rl.apply_tiny_lora(
            model, global_v, args.rank, args.tiny_lora_seed, args.svd, args.svd_niter)
        sync()
        result["svd_s"] = time.perf_counter() - started
        result["decode_tinylora_tok_s"] = decode_tokens_per_s(model, tokenizer, problems, decode_tokens, autocast)
        if grpo_config.fp16 or args.compute_dtype == "float16":  # as train_rl.main does
            hardware.stop_on_non_finite_hidden_states(model)

        reward = SyntheticReward()
        recorder = StepRecorder(reward)
        trainer = train_rl.TinyLoRAGRPOTrainer(
            model=model, reward_funcs=[reward], args=grpo_config, train_dataset=train_rl.build_dataset(problems),
            processing_class=tokenizer, callbacks=[recorder],
        )
        if cuda:
            result["weights_gib"] = torch.cuda.memory_allocated() / GIB  # the model on the GPU, before any step
        result["steps"] = recorder.steps
        trainer.train()
        v = train_rl.tiny_lora_vector(trainer.model).detach()
        result.update(v_dtype=str(v.dtype).replace("torch.", ""), v_norm=v.float().norm().item(),
                      v_changed=bool((v != 0).any()), v_finite=bool(torch.isfinite(v).all()))
    except hardware.PrecisionError as e:  # fp16 overflowed: the row's finding, not the bench's failure
        result.update(status="overflow", error=str(e)[:300])
    except RuntimeError as e:  # torch.OutOfMemoryError, or a library's own "CUDA error: out of memory"
        if not isinstance(e, torch.OutOfMemoryError) and "out of memory" not in str(e):
            raise
        result.update(status="OOM", error=(str(e).splitlines() or [type(e).__name__])[0][:300])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if cuda:
        used = [s["device_used_gib"] for s in result.get("steps", [])] + [device_used_gib()]
        result.update(peak_allocated_gib=torch.cuda.max_memory_allocated() / GIB,
                      peak_reserved_gib=torch.cuda.max_memory_reserved() / GIB, device_used_peak_gib=max(used))
    result["host_peak_rss_gib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GIB
    return result


def child_main(spec: dict) -> None:
    """Entry of a child process: build a model folder, or run one configuration and write its result as JSON."""
    if spec["job"] == "build":
        build_model_dir(spec["config_file"], spec["tokenizer_dir"], spec["folder"])
        return
    result = run_configuration(spec["name"], spec["model_dir"], spec["load_in_4bit"], spec["steps"],
                               spec["budget_gb"], spec["tiny"], spec["extra_flags"], spec["card_gib"],
                               spec["decode_tokens"])
    with train_rl.atomic_path(spec["result"]) as tmp, open(tmp, "w") as f:
        json.dump(result, f)


# ---------------------------------------------------------------------------------------------------
# Parent: build the models, run each configuration in its own process, print the table
# ---------------------------------------------------------------------------------------------------


def run_child(spec: dict, tiny: bool) -> tuple[dict | None, str]:
    """Run one job in a fresh interpreter; its output goes to our stderr, so stdout holds only the table."""
    env = dict(os.environ)
    # --tiny is the CPU path even on a machine with a GPU; otherwise one GPU, as a 16 GB card is one GPU
    # (device_map="auto" would spread an NF4 model over every visible GPU)
    env["CUDA_VISIBLE_DEVICES"] = "" if tiny else env.get("CUDA_VISIBLE_DEVICES", "0").split(",")[0]
    proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", json.dumps(spec)],
                          stdout=sys.stderr, stderr=sys.stderr, env=env, cwd=ROOT)
    if proc.returncode != 0:
        return None, f"child exited with {proc.returncode} (its output is above)"
    if "result" not in spec:
        return {}, ""
    with open(spec["result"]) as f:
        return json.load(f), ""


def default_tokenizer_dir(tiny: bool, work_dir: str) -> tuple[str, str]:
    """The real Qwen2.5 tokenizer of the embedded model when it is at hand (not for --tiny, whose vocabulary is
    1,024), else a byte-level BPE trained locally as verify_pipeline.py does."""
    embedded = os.path.join(ROOT, model_files.EMBEDDED_MODEL_DIR)
    if not tiny and os.path.isfile(os.path.join(embedded, "tokenizer.json")):
        return embedded, f"Qwen2.5 (embedded model, {model_files.EMBEDDED_MODEL_DIR})"
    from verify_pipeline import build_tiny_model

    return build_tiny_model(os.path.join(work_dir, "local-tokenizer")), (
        "local byte-level BPE (verify_pipeline.py): the shipped prompts are ~1.35x longer in its tokens than in "
        "Qwen's, so memory and time err high" if not tiny else "local byte-level BPE (verify_pipeline.py)")


def summarize(result: dict) -> dict:
    """Means over the steps after the first (step 1 includes CUDA warm-up), or step 1 when it is the only one."""
    steps = result.get("steps") or []
    later = steps[1:] or steps
    mean = lambda key: statistics.fmean(s[key] for s in later) if later else None  # noqa: E731
    generation_s = sum(s["time/generation_s"] for s in later)
    return {
        "step_s": mean("step_time"), "first_step_s": steps[0]["step_time"] if steps else None,
        "generation_s": mean("time/generation_s"), "reward_s": mean("time/judge_s"),
        "other_rollout_s": mean("time/other_rollout_s"), "policy_update_s": mean("time/policy_update_s"),
        "tokens_per_s": sum(s["generated_tokens"] for s in later) / generation_s if generation_s else None,
        "mean_completion_length": mean("completions/mean_length"), "steps_done": len(steps),
    }


def fmt(value, spec: str = ".2f") -> str:
    return "-" if value is None else format(value, spec)


def print_table(results: list[dict], header: list[str]) -> None:
    print("\n".join(header))
    columns = ["config", "status", "peak alloc GiB", "peak reserved GiB", "headroom GiB", "device used GiB",
               "weights GiB", "host RSS GiB", "SVD s", "gen tok/s", "s/step", "(1st)", "generation", "reward*", "other",
               "update", "len", "v changed", "v finite"]
    rows = []
    for r in results:
        s = r["summary"]
        label = f"{r['config']} ({'NF4 + ' if r['load_in_4bit'] else ''}{r.get('dtype', '?')})"
        capped = r.get("budget_gib") and "peak_reserved_gib" in r
        headroom = r["budget_gib"] - r["peak_reserved_gib"] if capped else None
        rows.append([
            label, r["status"], fmt(r.get("peak_allocated_gib")), fmt(r.get("peak_reserved_gib")), fmt(headroom),
            fmt(r.get("device_used_peak_gib")), fmt(r.get("weights_gib")), fmt(r.get("host_peak_rss_gib")),
            fmt(r.get("svd_s"), ".1f"),
            fmt(s["tokens_per_s"], ".1f"), fmt(s["step_s"], ".2f"), fmt(s["first_step_s"], ".2f"),
            fmt(s["generation_s"]), fmt(s["reward_s"], ".3f"), fmt(s["other_rollout_s"], ".3f"),
            fmt(s["policy_update_s"]), fmt(s["mean_completion_length"], ".0f"),
            fmt(r.get("v_changed"), ""), fmt(r.get("v_finite"), ""),
        ])
    widths = [max(len(str(x)) for x in column) for column in zip(columns, *rows)]
    for line in [columns, ["-" * w for w in widths], *rows]:
        print("  ".join(str(x).ljust(w) for x, w in zip(line, widths)).rstrip())
    for r in results:
        if r.get("error"):
            print(f"{r['config']}: {r['error']}")
    done = {r["config"]: r["summary"] for r in results if r["status"] == "ok" and r["summary"]["step_s"]}
    for quantized, full in (("3b-nf4", "3b-bf16"), ("3b-nf4", "3b-nf4-1x8"), ("tiny-nf4", "tiny-full")):
        if quantized in done and full in done:
            q, f = done[quantized], done[full]
            print(f"side by side: s/step {quantized} / {full} = {q['step_s'] / f['step_s']:.2f}x; "
                  f"gen tok/s {full} / {quantized} = {f['tokens_per_s'] / q['tokens_per_s']:.2f}x")
    print("\ndecoding, batch 8, the same process: base model (no TinyLoRA) vs with TinyLoRA")
    for r in results:
        if r.get("decode_tinylora_tok_s"):
            base, adapted = r["decode_base_tok_s"], r["decode_tinylora_tok_s"]
            print(f"  {r['config']:<14} base {base:9.1f} tok/s   TinyLoRA {adapted:9.1f} tok/s   "
                  f"overhead {(base / adapted - 1) * 100:+6.1f}% ({r['decode_tokens']} new tokens)")
    print("headroom: the allocator's cap minus peak reserved. device used: the device's used memory (mem_get_info) at "
          "its highest sample (after each step), CUDA context included; on the modelled card it must stay below "
          "the card's capacity. s/step: mean over the steps after the first (the first includes warm-up; its time is "
          "in parentheses); generation / reward / other / update: its split (time/*_s). *reward: the synthetic "
          "reward, not the g++ judge (bench/bench_judge.py measures that). len: mean completion tokens (forced to "
          "max_completion_length). overflow: fp16 produced inf/NaN and train_rl's guard stopped the row.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--card", choices=[*CARDS, "own"], default="t4",
                        help="the card to model: its capacity (CUDA context included) caps memory; 'own': no cap "
                             "(default t4)")
    parser.add_argument("--budget_gb", type=float, default=None, help="cap PyTorch's allocator at this many GiB "
                                                                      "instead of modelling --card")
    parser.add_argument("--decode_tokens", type=int, default=None, help="new tokens in the decode timing "
                                                                        "(default 128; --tiny 16)")
    parser.add_argument("--steps", type=int, default=3, help="optimizer steps per configuration (default 3)")
    parser.add_argument("--configs", default=None, help=f"comma-separated subset of {', '.join(CONFIGS)} "
                                                          f"(--tiny: {', '.join(TINY_CONFIGS)})")
    parser.add_argument("--tokenizer", default=None, help="tokenizer folder (default: the embedded Qwen2.5 one, "
                                                          "else a local BPE)")
    parser.add_argument("--work_dir", default=None, help="where the random models are saved (7B: 15 GB; "
                                                         "default: the system temp folder); removed afterwards")
    parser.add_argument("--json", default=None, help="where to write every result with per-step logs (default "
                                                     "bench/results/bench_gpu-<device>-<time>.json)")
    parser.add_argument("--model", default=None, help=f"a model folder to run with its real weights instead of random "
                                                      f"models: configurations {', '.join(MODEL_CONFIGS)}")
    parser.add_argument("--tiny", action="store_true", help="tiny model on the CPU in seconds (the CI check)")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    cli = parser.parse_args()
    if cli.child:
        child_main(json.loads(cli.child))
        return

    available = MODEL_CONFIGS if cli.model else TINY_CONFIGS if cli.tiny else CONFIGS
    names = cli.configs.split(",") if cli.configs else list(available)
    unknown = [n for n in names if n not in available]
    if unknown:
        raise train_rl.ConfigError(f"unknown --configs {', '.join(unknown)}; choose from {', '.join(available)}")
    decode_tokens = cli.decode_tokens or (TINY_COMPLETION_LENGTH if cli.tiny else 128)
    if cli.steps < 1 or (cli.budget_gb is not None and cli.budget_gb <= 0) or decode_tokens < 1:
        raise train_rl.ConfigError("--steps, --budget_gb and --decode_tokens must be positive")
    card_gib = CARDS.get(cli.card)
    if not cli.tiny and not torch.cuda.is_available():
        raise train_rl.ConfigError("bench_gpu.py needs a CUDA GPU (no CUDA device here); --tiny runs the CPU check")
    if cli.tokenizer and not os.path.isfile(os.path.join(cli.tokenizer, "tokenizer_config.json")):
        raise train_rl.ConfigError(f"--tokenizer {cli.tokenizer} holds no tokenizer (tokenizer_config.json)")
    if cli.model and not os.path.isfile(os.path.join(cli.model, "config.json")):
        raise train_rl.ConfigError(f"--model {cli.model} holds no model (config.json)")
    if cli.work_dir and not os.path.isdir(cli.work_dir):
        raise train_rl.ConfigError(f"--work_dir {cli.work_dir} is not a folder")

    work_dir = tempfile.mkdtemp(prefix="bench_gpu_", dir=cli.work_dir)
    try:
        if cli.model:
            tokenizer_dir, tokenizer_source = cli.model, f"the model's own ({cli.model})"
        elif cli.tokenizer:
            tokenizer_dir, tokenizer_source = cli.tokenizer, f"{cli.tokenizer} (--tokenizer)"
        else:
            tokenizer_dir, tokenizer_source = default_tokenizer_dir(cli.tiny, work_dir)
        results = []
        for config_file in dict.fromkeys(available[n][0] for n in names):  # one model on disk at a time (7B: 15 GB)
            model_dir = cli.model or os.path.join(work_dir, config_file.removesuffix(".json"))
            if not cli.model:
                print(f"[bench] building a random model from bench/configs/{config_file}", file=sys.stderr, flush=True)
            if not cli.model and cli.tiny:  # no GPU to keep clean: skip a child's start-up (seconds of imports)
                build_model_dir(config_file, tokenizer_dir, model_dir)
            elif not cli.model:
                built, error = run_child({"job": "build", "config_file": config_file, "tokenizer_dir": tokenizer_dir,
                                          "folder": model_dir}, cli.tiny)
                if built is None:
                    raise train_rl.ConfigError(f"building the model of bench/configs/{config_file} failed: {error}")
            for name in [n for n in names if available[n][0] == config_file]:
                _, load_in_4bit, extra_flags = available[name]
                print(f"[bench] {name}: running {cli.steps} steps", file=sys.stderr, flush=True)
                result, error = run_child({
                    "job": "run", "name": name, "model_dir": model_dir, "load_in_4bit": load_in_4bit,
                    "steps": cli.steps, "budget_gb": cli.budget_gb, "tiny": cli.tiny, "extra_flags": extra_flags,
                    "card_gib": card_gib, "decode_tokens": decode_tokens,
                    "result": os.path.join(work_dir, f"{name}.json")}, cli.tiny)
                result = result or {"config": name, "load_in_4bit": load_in_4bit, "status": "failed", "error": error}
                result["summary"] = summarize(result)
                results.append(result)
            if not cli.model:
                shutil.rmtree(model_dir)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)

    first = next((r for r in results if "settings" in r), {})
    packages = ("torch", "transformers", "trl", "bitsandbytes")
    versions = " ".join(f"{p} {importlib.metadata.version(p)}" for p in packages)
    budget = first.get("budget_gib")
    card = (f"modelling a {cli.card.upper()} ({card_gib:.2f} GiB with the CUDA context; the context and workspaces "
            f"here take {first['outside_allocator_gib']:.2f} GiB)" if budget and card_gib and cli.budget_gb is None else "")
    capability = first.get("capability")
    header = [
        f"device: {first.get('device', '?')}" + (f" (compute capability {capability[0]}.{capability[1]})" if capability else "")
        + (f" ({first['device_total_gib']:.1f} GiB), allocator capped at {budget:.2f} GiB" if budget else "")
        + (f", {card}" if card else ""),
        f"versions: {versions}; CUDA {torch.version.cuda}",
        f"tokenizer: {tokenizer_source}; models: {f'{cli.model} (real weights)' if cli.model else 'random, bench/configs/*.json'}; "
        f"data: {train_rl.SHIPPED_TRAIN_FILE}",
        f"settings (train_rl.PRESETS['gpu'] as parsed, plus the bench's own): {json.dumps(first.get('settings'))}",
        "reward: SYNTHETIC (fraction of even token ids): cheap, with variance in every group, whatever the model writes",
    ]
    print_table(results, header)
    device = first.get("device", "unknown")
    path = cli.json or os.path.join(RESULTS_DIR, f"bench_gpu-{re.sub(r'[^A-Za-z0-9]+', '-', device).strip('-')}-"
                                                 f"{time.strftime('%Y%m%d-%H%M%S')}.json")
    with train_rl.atomic_path(path) as tmp, open(tmp, "w") as f:
        json.dump({"device": device, "capability": capability, "card": cli.card, "card_gib": card_gib,
                   "budget_gb": cli.budget_gb, "command": sys.argv, "versions": {p: importlib.metadata.version(p) for p in packages},
                   "cuda": torch.version.cuda, "header": header, "results": results}, f, indent=1)
    print(f"results: {path}")


if __name__ == "__main__":
    try:
        main()
    except train_rl.ConfigError as e:
        sys.exit(f"error: {e}")
