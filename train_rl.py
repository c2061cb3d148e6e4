"""LuoguQwen-RL: teach a code model competitive-programming C++ by RL while training 16 numbers.

TinyLoRA (Morris et al., "Learning to Reason in 13 Parameters", arXiv 2602.04118): every targeted
linear layer keeps its frozen weight W, gains a frozen rank-r SVD skeleton U, S, Vh of W and a fixed
random tensor P of shape (u, r, r), and all layers share ONE trainable vector v of size u:

    W' = W + U S (sum_i v_i P_i) Vh

The policy is trained with TRL's GRPOTrainer; the reward compiles the model's C++ with g++ and runs it
on the problem's tests inside a sandbox.

    python train_rl.py 16                    # u = 16; 3B 4-bit on a CUDA GPU, embedded 0.5B on CPU
    python train_rl.py 32 --learning_rate 2e-5 --num_generations 8
    python train_rl.py --config my.yaml      # any GRPOConfig field, YAML or flags
    accelerate launch --num_processes 4 train_rl.py 16   # data-parallel over 4 GPUs, one replica each
    python train_rl.py --help

The file reads top to bottom in the order the work happens: configuration, model loading, the TinyLoRA
layer, the judge and reward, data, trainer, main (which ends by saving v). Machinery that is not the algorithm
lives beside it: model_files.py (where the weights come from), hardware.py (precision per GPU, overflow guards,
data-parallel helpers), reporting.py (the step line, metrics.jsonl, the curves), sandbox.py (where g++ and the
model's programs run, and the precompiled header) and rollout_engine.py (llama.cpp rollouts).
"""

import bisect
import functools
import hashlib
import json
import math
import os
import re
import shlex
import shutil
import sys
import threading
import time
import traceback
import warnings
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import torch
import torch.distributed as dist
import torch.nn as nn
from accelerate import PartialState
from datasets import Dataset
from tqdm.auto import tqdm
from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig, TrainerCallback
from transformers.trainer_callback import PrinterCallback, ProgressCallback
from transformers.trainer_utils import get_last_checkpoint
from trl import GRPOConfig, GRPOTrainer, TrlParser

from hardware import (DTYPES, FP16_ADVICE, NonFiniteGuard, Precision, PrecisionError, check_same_on_every_process,
                      data_parallel_settings, dtype_resolution, hardware_precision, layer_dtypes,
                      stop_on_non_finite_hidden_states, use_one_gpu)
from model_files import (EMBEDDED_GGUF_NAME, EMBEDDED_MODEL_DIR, EMBEDDED_MODEL_NAME, ConfigError, atomic_path,
                         ensure_gpu_model, folder_lock, prepare_embedded_model)
from reporting import MetricsLogger, plot_metrics, read_metrics
from sandbox import (COMPILE_MEMORY_MB, COMPILE_OUTPUT_MB, MB, Box, Run, Sandbox, require_gpp, sandbox_mode,
                     shared_pch, shared_sandbox)

# TRL 1.16 reads transformers' deprecated `is_gradient_checkpointing` around every generation, which prints this
# FutureWarning on every step of every run; it says nothing about this project, so exactly it is silenced.
warnings.filterwarnings("ignore", message="`is_gradient_checkpointing` is deprecated", category=FutureWarning)
# The llama_cpp engine uses GRPOTrainer's rollout_func, which TRL marks experimental; TRL is pinned, and the
# engine's tests run against that version.
warnings.filterwarnings("ignore", message="You are using 'rollout_func', which is an experimental", category=UserWarning)

# ---------------------------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------------------------

TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
GPU_MODEL_DIR = "./models/Qwen2.5-Coder-3B-Instruct"
SHIPPED_TRAIN_FILE = "./local_luogu_rl/shipped/train.jsonl"
TINY_LORA_FORMAT = "luoguqwen-tinylora/1"
SVD_OVERSAMPLE = 30  # extra probe vectors of torch.svd_lowrank beyond the rank (see svd_skeleton)


@dataclass
class ScriptArguments:
    """The project's own options. Every GRPOConfig field (learning rate, generations, ...) is a flag too."""

    u: int = field(default=16, metadata={"help": "Size of the shared trainable vector v (also the first positional argument)."})
    model_name_or_path: str | None = field(
        default=None,
        metadata={"help": f"Model folder. Default: {GPU_MODEL_DIR} on a CUDA GPU, the embedded Qwen2.5-Coder-0.5B-Instruct on CPU."},
    )
    modelscope_id: str = field(
        default="qwen/Qwen2.5-Coder-3B-Instruct",
        metadata={"help": "ModelScope id downloaded into the default GPU model folder when that folder is missing."},
    )
    load_in_4bit: bool | None = field(
        default=None, metadata={"help": "Load the base model in 4-bit NF4 (bitsandbytes). Default: on with CUDA, off on CPU."}
    )
    rank: int = field(default=2, metadata={"help": "Rank r of the frozen SVD skeleton (the paper uses 2)."})
    tiny_lora_seed: int = field(default=0, metadata={"help": "Seed of the fixed random projections P."})
    svd: str = field(default="lowrank", metadata={"help": "SVD for the skeleton: 'lowrank' (torch.svd_lowrank, fast) or 'exact'."})
    svd_niter: int = field(default=20, metadata={"help": "Power iterations of torch.svd_lowrank."})
    data_file: str = field(
        default="./local_luogu_rl/luogu_rl_data.jsonl",
        metadata={"help": f"RL JSONL data (convert_dataset.py). When the default file is missing, {SHIPPED_TRAIN_FILE} is used."},
    )
    max_problems: int | None = field(default=None, metadata={"help": "Train on the first N problems only."})
    preset: str = field(
        default="auto",
        metadata={"help": "Default hyper-parameters: 'gpu' (3B 4-bit, 16 GB card), 'cpu' (minutes on 2 cores), "
                          "'seed' (the original project's exact values), 'experiment' (the pre-registered CPU run in results/) "
                          "or 'auto' (gpu with CUDA, else cpu)."},
    )
    compute_dtype: str | None = field(
        default=None,
        metadata={"help": "dtype the model computes in (bfloat16, float16 or float32; also the 4-bit compute dtype). "
                          "Default: chosen from the hardware, see the start-up log."},
    )
    rollout_engine: str = field(
        default="auto",
        metadata={"help": "What samples the GRPO completions: 'hf' (transformers generate), 'llama_cpp' (llama.cpp on "
                          "CPU with v as a LoRA adapter, rollout_engine.py) or 'auto' (llama_cpp on CPU when it is "
                          "installed and the model has a GGUF, else hf)."},
    )
    rollout_gguf: str | None = field(
        default=None, metadata={"help": "GGUF of the base model for the llama_cpp engine (default: the embedded model's own)."})
    rollout_threads: int | None = field(
        default=None, metadata={"help": "llama.cpp threads (default: the cores, shared by the processes on a machine); "
                                        "1 is faster when other work shares the cores."})
    shared_prompt_forward: bool = field(
        default=True, metadata={"help": "In the policy update, run each distinct prompt once for its whole group (exact; "
                                        "False: TRL's forward of every full sequence). Only without activation "
                                        "checkpointing and in a single process."})
    resume: bool = field(default=False, metadata={"help": "Continue from the last checkpoint in output_dir (v, optimizer, data position)."})
    final_v_path: str = field(default="./output/tiny_lora_v.pt", metadata={"help": "Where the trained v is written at the end."})


# Defaults for GRPOConfig fields, applied before YAML and flags so both still override them.
# GPU: the original project's settings for Qwen2.5-Coder-3B-Instruct on a 16 GB card, except the learning rate and the
#   batch shape (the same 8 completions per step).
#   Adam moves each v_i by at most about one learning rate per step. bench/bench_update_size.py measured on the
#   embedded 0.5B in bf16 that a change of v shows in the log-probs beyond bf16's rounding noise from |v_i| ~ 3e-2
#   on, and that the model starts to break around 3e-1. The seed's 1e-5 ends the 17 steps of an epoch on the
#   shipped set with |v_i| <= 9e-5: every update is rounded away and the reward curve is sampling noise. 2e-2 passes
#   3e-2 within the first tenth of the epoch (2 steps) and stays below 2e-1 at its end (README, theory/README.md).
# CPU: sized so that `python train_rl.py 16` finishes in under 20 minutes on 2 cores (fp32: bf16 matmuls
#   without AVX512-BF16 run 4x slower there). bench/bench_rollouts.py measured a step at 45 s with llama.cpp rollouts
#   and the shared-prompt update, 189 s with transformers' generate and TRL's full-sequence forward.
# seed: the original project's values exactly (lr 1e-5, fp16 4-bit compute dtype), for comparison.
# Precision (bf16/fp16/compute_dtype) is not part of gpu/cpu: it follows the hardware (choose_precision, hardware.py).
_GPU_SHAPE = dict(
    output_dir="./output/luoguqwencoder-lora", num_train_epochs=1, num_generations=4, max_completion_length=512,
    activation_checkpointing=True, logging_steps=1, save_steps=20, report_to="none",
)
PRESETS = {
    # 8 completions per step (2 prompts x 4) as the seed, scored in one batched forward and backward instead of eight
    # forwards of one sequence each
    "gpu": dict(_GPU_SHAPE, per_device_train_batch_size=8, gradient_accumulation_steps=1, learning_rate=2e-2),
    "cpu": dict(
        output_dir="./output/luoguqwencoder-lora", max_steps=5, per_device_train_batch_size=4,
        gradient_accumulation_steps=1, learning_rate=5e-3, num_generations=4, max_completion_length=256,
        use_cpu=True, activation_checkpointing=False, logging_steps=1, save_steps=2, report_to="none",
        dataloader_num_workers=0,
    ),
    "seed": dict(_GPU_SHAPE, per_device_train_batch_size=1, gradient_accumulation_steps=8, learning_rate=1e-5,
                 bf16=True, fp16=False, compute_dtype="float16"),
}
# experiment: the pre-registered CPU run of results/tinylora-0.5b-cpu/PROTOCOL.md (the embedded model, llama.cpp
# rollouts, partial-credit reward, a checkpoint every step so that the same command with --resume continues).
PRESETS["experiment"] = dict(
    PRESETS["cpu"], output_dir="./output/experiment", max_steps=25, learning_rate=1e-2, save_steps=1, seed=0,
    reward_mode="partial", rollout_engine="llama_cpp", rollout_threads=1, final_v_path="./output/experiment/tiny_lora_v.pt",
)
ROLLOUT_ENGINES = ("auto", "hf", "llama_cpp")


def pick_preset(argv: list[str]) -> str:
    """The preset has to be known before parsing (it supplies defaults), so read --preset early."""
    for i, arg in enumerate(argv):
        if arg.startswith("--preset"):
            value = arg.split("=", 1)[1] if "=" in arg else (argv[i + 1] if i + 1 < len(argv) else "")
            if value not in ("auto", *PRESETS):
                raise ConfigError(f"--preset must be auto, {', '.join(PRESETS)}, got {value!r}")
            if value != "auto":
                return value
    return "gpu" if torch.cuda.is_available() else "cpu"


def parse_args(argv: list[str] | None = None, precision: Precision | None = None):
    """TRL's parser: ScriptArguments + JudgeConfig + GRPOConfig from flags and an optional --config YAML.
    Defaults come in layers, each overriding the one before: the hardware's precision, the preset, YAML, flags."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and not argv[0].startswith("-"):  # `python train_rl.py 32` as in the original project
        argv = ["--u", *argv[:1], *argv[1:]]
    preset = pick_preset(argv)
    precision = precision or hardware_precision()
    parser = TrlParser((ScriptArguments, JudgeConfig, GRPOConfig))
    parser.set_defaults(bf16=precision.bf16, fp16=precision.fp16, compute_dtype=precision.compute_dtype)
    parser.set_defaults(**PRESETS[preset])
    try:
        args, judge_config, grpo_config = parser.parse_args_and_config(argv)
    except (ValueError, OSError) as e:  # the configs' own checks (batch vs generations, modes, YAML file)
        raise ConfigError(str(e)) from None
    args.preset = preset
    if args.u <= 0:
        raise ConfigError(f"u (the size of v) must be a positive integer, got {args.u}")
    if args.rank <= 0:
        raise ConfigError(f"--rank must be a positive integer, got {args.rank}")
    if args.svd not in ("lowrank", "exact"):
        raise ConfigError(f"--svd must be 'lowrank' or 'exact', got {args.svd!r}")
    if args.rollout_engine not in ROLLOUT_ENGINES:
        raise ConfigError(f"--rollout_engine must be one of {', '.join(ROLLOUT_ENGINES)}, got {args.rollout_engine!r}")
    if grpo_config.use_vllm:
        raise ConfigError("--use_vllm is not supported yet: TRL's weight sync would send the TinyLoRA layers' "
                          "`...base.weight` and `global_v` names, which vLLM cannot load. On CPU, --rollout_engine "
                          "llama_cpp gives engine rollouts with the exact adapter")
    if args.compute_dtype not in DTYPES:
        raise ConfigError(f"--compute_dtype must be one of {', '.join(DTYPES)}, got {args.compute_dtype!r}")
    chosen = (grpo_config.bf16, grpo_config.fp16, args.compute_dtype)
    args.precision_note = precision.reason + (
        "" if chosen == (precision.bf16, precision.fp16, precision.compute_dtype)
        else f"; overridden by the preset or flags: bf16={chosen[0]}, fp16={chosen[1]}, compute {chosen[2]}")
    return args, judge_config, grpo_config


# ---------------------------------------------------------------------------------------------------
# Model loading
# ---------------------------------------------------------------------------------------------------
# Which model a run trains, and loading it. The files themselves (the embedded model, converted once; the 3B folder,
# downloaded until complete) are prepared by model_files.py.


def resolve_model(args: ScriptArguments) -> tuple[str, str]:
    """Which model to load, and a sentence saying why, for the start-up log."""
    name = args.model_name_or_path
    if name:
        if os.path.isdir(name):
            return name, f"{name} (--model_name_or_path)"
        if not re.fullmatch(r"[\w-][\w.-]*/[\w.-]+", name):
            raise ConfigError(f"model folder {name} does not exist")
        from huggingface_hub import snapshot_download

        try:  # a hub id: its files in the hub's cache, downloaded where the hub is reachable
            folder = snapshot_download(name, allow_patterns=["*.json", "*.safetensors", "*.txt", "*.model", "*.jinja"])
        except Exception as e:  # offline, unknown repository, gated model, ...
            raise ConfigError(f"--model_name_or_path {name} is neither a folder here nor a Hugging Face hub model that "
                              f"could be downloaded ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})") from None
        return folder, f"{name} (Hugging Face hub, --model_name_or_path)"
    if args.preset in ("gpu", "seed"):
        with folder_lock(GPU_MODEL_DIR):
            return ensure_gpu_model(GPU_MODEL_DIR, args.modelscope_id), f"{GPU_MODEL_DIR} (GPU preset default)"
    with folder_lock(EMBEDDED_MODEL_DIR):
        folder = prepare_embedded_model()
    return folder, f"{EMBEDDED_MODEL_NAME}: no CUDA GPU, so the CPU preset uses the embedded model"


def load_model_and_tokenizer(path: str, load_in_4bit: bool, compute_dtype: str | None = None):
    """4-bit NF4 with double quantization (the seed's setting), or full precision. Everything that is not 4-bit
    (embeddings, norms, lm_head, or the whole model) is loaded in compute_dtype, the 4-bit layers compute in it;
    None means the hardware's choice (choose_precision)."""
    dtype = DTYPES[compute_dtype or hardware_precision().compute_dtype]
    tokenizer = AutoTokenizer.from_pretrained(path)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    if load_in_4bit:
        quantization = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True, bnb_4bit_compute_dtype=dtype,
        )
        # one whole replica per process: under `accelerate launch` each process has its own GPU
        device_map = {"": PartialState().local_process_index} if torch.cuda.is_available() else None
        model = AutoModelForCausalLM.from_pretrained(path, quantization_config=quantization, device_map=device_map, dtype=dtype)
        for module in model.modules():
            # On a CPU with AVX512-BF16, bitsandbytes repacks a 4-bit weight in place at its first inference
            # forward, and dequantize_4bit (dense_weight) no longer returns W afterwards: keep the plain layout.
            if hasattr(module, "support_avx512bf16_for_cpu"):
                module.support_avx512bf16_for_cpu = False
    else:
        model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype)
    return model, tokenizer


# ---------------------------------------------------------------------------------------------------
# TinyLoRA
# ---------------------------------------------------------------------------------------------------
# Choices the paper leaves open, fixed here (see theory/README.md):
#  * P_i ~ N(0, 1/r) entry-wise, drawn per layer on the CPU from a generator seeded by
#    (tiny_lora_seed, layer index), so a saved v plus its metadata rebuilds the exact adapter.
#  * R = (1/sqrt(u)) sum_i v_i P_i: the 1/sqrt(u) keeps the size of a step in v comparable across u.
#  * v starts at zero, so step 0 is exactly the base model; v and the adapter branch stay fp32.
#  * Singular vectors are sign-fixed (largest |entry| of each U column positive) so that the skeleton
#    does not depend on the SVD routine's arbitrary signs.


def dense_weight(linear: nn.Linear) -> torch.Tensor:
    """W in fp32; a bitsandbytes 4-bit weight is dequantized with bitsandbytes' own functional op."""
    weight = linear.weight
    if getattr(weight, "quant_state", None) is not None:
        import bitsandbytes.functional as bnbf

        return bnbf.dequantize_4bit(weight.data, weight.quant_state).float()
    return weight.data.float()


def svd_skeleton(weight: torch.Tensor, rank: int, method: str = "lowrank", niter: int = 20):
    """Top-r U (out, r), S (r,), Vh (r, in) of an fp32 matrix, with a fixed sign convention."""
    if method == "exact":
        U, S, Vh = torch.linalg.svd(weight, full_matrices=False)
        U, S, Vh = U[:, :rank], S[:rank], Vh[:rank]
    else:
        # Real weights have nearly flat top spectra (sigma_2 / sigma_3 is 1.01-1.15 on Qwen2.5-Coder-0.5B) and
        # the error shrinks like (sigma_q+1 / sigma_r)^(2 niter): 30 extra probe vectors and 20 power
        # iterations keep the top-r subspace within a principal-angle sine of 1e-2 of the exact SVD
        # (bench/bench_tiny_lora.py measures it).
        with torch.random.fork_rng(devices=[weight.device] if weight.is_cuda else []):
            torch.manual_seed(0)  # svd_lowrank is randomized; a fixed seed keeps the skeleton reproducible
            U, S, V = torch.svd_lowrank(weight, q=min(rank + SVD_OVERSAMPLE, *weight.shape), niter=niter)
        U, S, Vh = U[:, :rank], S[:rank], V[:, :rank].T
    signs = torch.sign(U.gather(0, U.abs().argmax(dim=0, keepdim=True))).squeeze(0)
    signs[signs == 0] = 1
    return (U * signs).contiguous(), S.contiguous(), (Vh * signs[:, None]).contiguous()


def projection_tensor(u: int, rank: int, seed: int, layer_index: int) -> torch.Tensor:
    """The fixed random P (u, r, r) of one layer: N(0, 1/r) entries from a per-layer seeded generator."""
    generator = torch.Generator().manual_seed(seed * 1_000_003 + layer_index)
    return torch.randn(u, rank, rank, generator=generator) / math.sqrt(rank)


class TinyLoRALinear(nn.Module):
    """y = base(x) + x (U S R Vh)^T with R = (1/sqrt(u)) sum_i v_i P_i, computed without forming ΔW."""

    def __init__(self, base: nn.Linear, global_v: nn.Parameter, U, S, Vh, P):
        super().__init__()
        self.base = base  # keeps its own forward: a bitsandbytes 4-bit layer stays 4-bit
        self.global_v = global_v  # the same Parameter object in every layer
        device = base.weight.device
        self.register_buffer("U", U.to(device), persistent=False)
        self.register_buffer("S", S.to(device), persistent=False)
        self.register_buffer("Vh", Vh.to(device), persistent=False)
        self.register_buffer("P", P.to(device), persistent=False)
        # ||delta|| / ||base(x)|| of the forwards that build a gradient (the policy update; generation runs
        # without one), summed until the trainer reads them with take_update_size().
        self.update_size_sum, self.update_size_count = None, 0
        self.output_dtype = None  # the dtype the update is added in: what decides whether it survives
        self._folded_key, self._folded = None, None

    def mixing_matrix(self) -> torch.Tensor:
        """S-scaled R = diag(S) R, an r x r fp32 matrix."""
        v = self.global_v.float()
        R = torch.einsum("u,urs->rs", v, self.P) / math.sqrt(v.numel())
        return self.S[:, None] * R

    def folded(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(Vh^T, (U diag(S) R)^T) for forwards without a gradient, rebuilt only when v or the skeleton changes (decoding
        calls each layer once per token). An in-place change (optimizer step, copy_, broadcast) bumps _version, a new
        tensor (.to, .data =) has a new data_ptr: either invalidates the cache."""
        key = tuple((t._version, t.data_ptr(), t.dtype) for t in (self.global_v, self.U, self.S, self.Vh, self.P))
        if key != self._folded_key:
            with torch.no_grad(), torch.autocast(self.U.device.type, enabled=False):
                self._folded = (self.Vh.t(), (self.U @ self.mixing_matrix()).t())
            self._folded_key = key
        return self._folded

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.base(x)
        needs_grad = torch.is_grad_enabled() and self.global_v.requires_grad
        # Low-rank path in fp32: (x Vh^T) is (tokens, r), so the cost is O((in + out) r) per token. Autocast is off
        # here: it would run these matmuls in bf16, and the adapter's math must keep a small v's effect exactly.
        with torch.autocast(x.device.type, enabled=False):
            if needs_grad:  # the policy update: R is rebuilt from v in every call so that its graph reaches v
                vh_t, mixed_t = self.Vh.t(), (self.U @ self.mixing_matrix()).t()
            else:
                vh_t, mixed_t = self.folded()
            delta = (x.reshape(-1, x.shape[-1]).float() @ vh_t) @ mixed_t
        if needs_grad:
            self._record_update_size(delta, y)
        return y + delta.view(y.shape).to(y.dtype)

    @torch.no_grad()
    def _record_update_size(self, delta: torch.Tensor, y: torch.Tensor) -> None:
        ratio = torch.linalg.vector_norm(delta) / torch.linalg.vector_norm(y, dtype=torch.float32).clamp_min(1e-30)
        self.update_size_sum = ratio if self.update_size_count == 0 else self.update_size_sum + ratio
        self.update_size_count += 1
        self.output_dtype = y.dtype


def tiny_lora_layers(model: nn.Module) -> list[tuple[str, "TinyLoRALinear"]]:
    return [(name, m) for name, m in model.named_modules() if isinstance(m, TinyLoRALinear)]


def tiny_lora_vector(model: nn.Module) -> nn.Parameter:
    for module in model.modules():
        if isinstance(module, TinyLoRALinear):
            return module.global_v
    raise ConfigError("the model has no TinyLoRA layers (call apply_tiny_lora first)")


def take_update_size(model: nn.Module) -> dict | None:
    """How large the adapter's output change is relative to the base layer's output since the last call: each
    layer's ||delta|| / ||base(x)|| averaged over its recorded forwards, then the mean and max over layers, with
    the resolution of the dtype the change is added in. None when nothing was recorded. Resets the counters."""
    per_layer, dtype = [], None
    for _, layer in tiny_lora_layers(model):
        if layer.update_size_count:
            per_layer.append(layer.update_size_sum / layer.update_size_count)
            dtype = layer.output_dtype
            layer.update_size_sum, layer.update_size_count = None, 0
    if not per_layer:
        return None
    ratios = torch.stack(per_layer).float()
    return {"mean": ratios.mean().item(), "max": ratios.max().item(), "dtype": str(dtype).removeprefix("torch."),
            "resolution": dtype_resolution(dtype)}


def apply_tiny_lora(model: nn.Module, global_v: nn.Parameter, rank: int = 2, seed: int = 0,
                    svd: str = "lowrank", svd_niter: int = 20) -> int:
    """Replace every targeted linear by a TinyLoRALinear sharing `global_v`; return how many."""
    if not isinstance(global_v, nn.Parameter) or global_v.dim() != 1 or global_v.numel() == 0:
        raise ConfigError("global_v must be a 1-D nn.Parameter with at least one element (u >= 1)")
    if isinstance(rank, bool) or not isinstance(rank, int) or rank <= 0:
        raise ConfigError(f"rank must be a positive integer, got {rank!r}")
    targets = [
        (name, module) for name, module in model.named_modules()
        if name.split(".")[-1] in TARGET_MODULES and isinstance(module, nn.Linear)
    ]
    if not targets:
        raise ConfigError(f"the model has no linear layers named {', '.join(TARGET_MODULES)}")
    u = global_v.numel()
    svd_device = "cuda" if torch.cuda.is_available() else "cpu"
    for index, (name, linear) in enumerate(tqdm(targets, desc=f"TinyLoRA SVD (rank {rank}, {svd})")):
        if rank > min(linear.in_features, linear.out_features):
            raise ConfigError(f"rank {rank} exceeds the smaller side of {name} ({linear.out_features}x{linear.in_features})")
        U, S, Vh = svd_skeleton(dense_weight(linear).to(svd_device), rank, svd, svd_niter)
        layer = TinyLoRALinear(linear, global_v, U, S, Vh, projection_tensor(u, rank, seed, index))
        parent_name, _, child_name = name.rpartition(".")
        setattr(model.get_submodule(parent_name) if parent_name else model, child_name, layer)
    for param in model.parameters():
        param.requires_grad_(False)
    global_v.requires_grad_(True)
    model.tiny_lora_meta = {
        "format": TINY_LORA_FORMAT, "u": u, "rank": rank, "seed": seed, "svd": svd, "svd_niter": svd_niter,
        "svd_oversample": SVD_OVERSAMPLE,
        "p_distribution": "P[i] ~ N(0, 1/r) entry-wise, generator seed = seed * 1000003 + layer index",
        "mixing": "R = sum_i v_i P_i / sqrt(u)", "target_modules": list(TARGET_MODULES),
        "num_layers": len(targets), "model_type": getattr(getattr(model, "config", None), "model_type", None),
        "model": getattr(getattr(model, "config", None), "_name_or_path", None),
        "quantized": bool(getattr(model, "is_loaded_in_4bit", False)),
        "fingerprint": skeleton_fingerprint(model, svd_device),
    }
    return len(targets)


def skeleton_fingerprint(model: nn.Module, svd_device: str) -> dict:
    """What the skeleton was computed from, and each layer's singular values: saved with v, so that loading v
    into a model whose skeleton differs (another quantization, dtype or device) is caught instead of silently
    applying v to different directions."""
    layers = tiny_lora_layers(model)
    weight = layers[0][1].base.weight
    quant_state = getattr(weight, "quant_state", None)
    return {
        "quantization": "nf4" if quant_state is not None else None,
        "weight_dtype": str(weight.dtype if quant_state is None else quant_state.dtype).removeprefix("torch."),
        "svd_device": svd_device,
        "layers": [name for name, _ in layers],
        "singular_values": torch.stack([layer.S.detach().float().cpu() for _, layer in layers]),
    }


# Relative. Measured on the embedded 0.5B: the same weights rounded to bf16 move singular values by up to 1.2e-3
# (median 6e-5); the randomized SVD itself is within 1e-5 of the exact one. Another quantization is caught by name.
SKELETON_TOLERANCE = 5e-3


def skeleton_mismatch(saved: dict, model: dict) -> str | None:
    """Why a saved fingerprint does not fit the model's, or None."""
    if saved.get("quantization") != model["quantization"]:
        return (f"v was trained on a {saved.get('quantization') or 'non-quantized'} base ({saved.get('weight_dtype')}), "
                f"this model is {model['quantization'] or 'not quantized'} ({model['weight_dtype']})")
    saved_s, model_s = saved["singular_values"], model["singular_values"]
    if saved_s.shape != model_s.shape:
        return f"skeleton shapes differ: saved {tuple(saved_s.shape)} vs model {tuple(model_s.shape)}"
    relative = ((model_s - saved_s).abs() / saved_s.abs().clamp_min(1e-30)).amax(dim=1)
    worst = int(relative.argmax())
    if relative[worst] > SKELETON_TOLERANCE:
        return (f"the skeleton differs: singular values up to {relative[worst].item():.1e} apart (layer "
                f"{model['layers'][worst]}; tolerance {SKELETON_TOLERANCE:.0e}); saved: {saved.get('weight_dtype')} "
                f"weights, SVD on {saved.get('svd_device')}; this model: {model['weight_dtype']}, SVD on {model['svd_device']}")
    return None


def share_skeleton_from_rank0(model: nn.Module) -> None:
    """Under `accelerate launch`, give every process rank 0's U, S, Vh (P comes from seeded CPU generators
    and v starts at zero, so they already agree). Each process computed its own SVD, and a GPU SVD is not
    guaranteed to be bit-identical across devices. DDP's default buffer broadcast would also copy them, but
    the skeleton must not depend on a DDP option; the broadcast is cheap (~15 MB for the 3B model)."""
    if not dist.is_initialized() or dist.get_world_size() == 1:
        return
    for _, layer in tiny_lora_layers(model):
        for buffer in (layer.U, layer.S, layer.Vh):
            dist.broadcast(buffer, src=0)


def count_parameters(model: nn.Module) -> tuple[int, int]:
    """(total, trainable); a packed 4-bit tensor holds two weights per stored byte."""
    total = sum(p.numel() * (2 if getattr(p, "quant_state", None) is not None else 1) for p in model.parameters())
    return total, sum(p.numel() for p in model.parameters() if p.requires_grad)


def parameter_report(model: nn.Module, layers: int) -> str:
    total, trainable = count_parameters(model)
    return (
        f"[TinyLoRA] layers replaced: {layers} | total parameters: {total:,} | trainable: {trainable:,} | "
        f"compression: 1 : {total // max(trainable, 1):,}"
    )


def save_tiny_lora(path: str, model: nn.Module, global_v: nn.Parameter, **extra) -> None:
    """v plus everything needed to rebuild the same adapter, written atomically."""
    payload = {**model.tiny_lora_meta, **extra, "v": global_v.detach().float().cpu().clone()}
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)


def read_tiny_lora(path: str) -> dict:
    if not os.path.isfile(path):
        raise ConfigError(f"no saved v at {path}")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:
        raise ConfigError(f"{path} is not a readable TinyLoRA file ({type(e).__name__})") from None
    if not isinstance(payload, dict) or payload.get("format") != TINY_LORA_FORMAT or "v" not in payload:
        raise ConfigError(f"{path} is not a {TINY_LORA_FORMAT} file")
    return payload


def load_tiny_lora(model: nn.Module, path: str, strict: bool = True) -> nn.Parameter:
    """Load a saved v. A model without TinyLoRA gets the saved adapter rebuilt; a mismatch is an error. A skeleton
    that differs from the saved fingerprint is an error too, or with strict=False a printed warning (for
    deliberate experiments such as a v trained on the 4-bit model applied to the full-precision one)."""
    saved = read_tiny_lora(path)
    if not hasattr(model, "tiny_lora_meta"):
        global_v = nn.Parameter(torch.zeros(saved["u"]))
        apply_tiny_lora(model, global_v, saved["rank"], saved["seed"], saved["svd"], saved["svd_niter"])
    meta = model.tiny_lora_meta
    keys = ("u", "rank", "seed", "svd", "svd_niter", "svd_oversample", "p_distribution", "mixing",
            "target_modules", "num_layers", "model_type")
    mismatched = [f"{k}: saved {saved.get(k)!r} vs model {meta.get(k)!r}" for k in keys if saved.get(k) != meta.get(k)]
    if mismatched:
        raise ConfigError(f"{path} does not fit this model ({'; '.join(mismatched)})")
    skeleton = skeleton_mismatch(saved["fingerprint"], meta["fingerprint"]) if "fingerprint" in saved else None
    if skeleton and strict:
        raise ConfigError(f"{path} does not fit this model: {skeleton}")
    if skeleton:
        print(f"[TinyLoRA] warning: {path}: {skeleton}; loading it anyway (not strict)")
    global_v = tiny_lora_vector(model)
    with torch.no_grad():
        global_v.copy_(saved["v"].to(global_v.device, global_v.dtype))
    return global_v


def base_for_saved_v(saved: dict, model_path: str | None = None, load_in_4bit: bool | None = None):
    """(folder, why, load_in_4bit) of the base a saved v belongs to: the folder it was trained from when that
    exists here, else the trainer's default for this machine; 4-bit when it was trained 4-bit. Arguments win."""
    recorded = saved.get("model")
    if model_path is None and recorded and os.path.isfile(os.path.join(recorded, "config.json")):
        model_path, why = recorded, f"{recorded} (the folder v was trained from)"
    else:
        preset = "gpu" if torch.cuda.is_available() else "cpu"
        model_path, why = resolve_model(ScriptArguments(model_name_or_path=model_path, preset=preset))
        if recorded and model_path != recorded:
            why += f" (v was trained from {recorded})"
    return model_path, why, bool(saved.get("quantized")) if load_in_4bit is None else load_in_4bit


# ---------------------------------------------------------------------------------------------------
# Judge and reward
# ---------------------------------------------------------------------------------------------------
# A completion's C++ is extracted, compiled with g++ and run on every test of its problem. Model output is
# untrusted code, so g++ and the program both run in the sandbox of sandbox.py (its top comment says what each
# mode isolates; `sandbox_mode()` names the one in use). This part decides what the runs mean: extraction, output
# comparison, verdicts (TLE from CPU time, OLE past the limit, MLE from the cgroup) and the reward.
# Judge adds a thread pool, a result cache (a GRPO group often repeats a completion) and a precompiled
# bits/stdc++.h (2.6 s -> 0.5 s per compile; sandbox.py builds it).


REWARD_MODES = ("tiered", "fraction", "partial")
COMPARE_MODES = ("tokens", "lines", "exact")
COMPILE_ERROR_CHARS = 2000
RESULT_CACHE_SIZE = 4096
CPP_TAGS = ("cpp", "c++", "cc")


@dataclass
class JudgeConfig:
    """How completions are compiled, run and scored. Every field is also a command-line flag."""

    reward_mode: str = field(
        default="tiered",
        metadata={"help": "tiered: 0 without code or on a compile error, 0.5 compiled, 1 all tests pass; "
                          "fraction: passed/total; partial: 0.5 + 0.5*passed/total once compiled."},
    )
    compare_mode: str = field(
        default="tokens",
        metadata={"help": "Output check: tokens (same whitespace-separated tokens, like online judges), "
                          "lines (ignores trailing spaces and blank lines) or exact."},
    )
    compile_flags: str = field(default="-std=c++17 -O2", metadata={"help": "g++ flags for the model's code (and its precompiled header)."})
    compile_timeout: float = field(default=30.0, metadata={"help": "Seconds g++ may take for one completion."})
    time_limit: float = field(
        default=2.0,
        metadata={"help": "CPU seconds per test; more is TLE. A spinning program is stopped after ceil(time_limit) "
                          "+ 1 s of CPU, a sleeping one at max(3 x time_limit, time_limit + 2 s) of wall clock (TLE)."},
    )
    memory_limit_mb: int = field(default=256, metadata={"help": "Memory of the program in MB, all its processes together "
                                                                 "(a cgroup; per process where none can be made)."})
    output_limit_mb: int = field(default=4, metadata={"help": "Largest stdout of one test in MB; more is Output Limit Exceeded."})
    process_limit: int = field(default=32, metadata={"help": "Processes + threads the program may have (RLIMIT_NPROC)."})
    test_time_budget: float = field(default=30.0, metadata={"help": "Wall-clock seconds for all tests of one "
                                                            "completion; tests not started by then are TLE."})
    judge_workers: int = field(default=0, metadata={"help": "Completions judged in parallel; 0 means one per CPU core (shared among the processes of `accelerate launch`)."})
    use_pch: bool = field(default=True, metadata={"help": "Precompile bits/stdc++.h once (compiles code that includes it ~5x faster)."})
    judge_cache_dir: str = field(default="~/.cache/luoguqwen_rl", metadata={"help": "Folder for the precompiled header."})

    def __post_init__(self):
        for name in ("reward_mode", "compare_mode", "compile_flags", "judge_cache_dir"):
            if not isinstance(getattr(self, name), str):
                raise ValueError(f"{name} must be a string, got {getattr(self, name)!r}")
        if self.reward_mode not in REWARD_MODES:
            raise ValueError(f"reward_mode must be one of {', '.join(REWARD_MODES)}, got {self.reward_mode!r}")
        if self.compare_mode not in COMPARE_MODES:
            raise ValueError(f"compare_mode must be one of {', '.join(COMPARE_MODES)}, got {self.compare_mode!r}")
        if not isinstance(self.use_pch, bool):
            raise ValueError(f"use_pch must be true or false, got {self.use_pch!r}")
        memory_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // MB
        for name, kind, low, high in _judge_limits(memory_mb):
            value = getattr(self, name)
            fits = (isinstance(value, (int, float)) if kind is float else isinstance(value, int)) and not isinstance(value, bool)
            if not (fits and math.isfinite(value) and (value > low if kind is float else value >= low) and value <= high):
                what = f"a number in ({low}, {high}]" if kind is float else f"an integer in [{low}, {high}]"
                raise ValueError(f"{name} must be {what}, got {value!r}")
        try:
            shlex.split(self.compile_flags)
        except ValueError as e:
            raise ValueError(f"compile_flags {self.compile_flags!r}: {e}") from None


def _judge_limits(memory_mb: int) -> list[tuple[str, type, float, float]]:
    """(field, type, lowest, highest) of JudgeConfig's numbers: beyond these a value passes construction and then
    fails or stalls every completion (inf seconds, half a MB, 10**9 processes). Floats must exceed their lowest."""
    return [("compile_timeout", float, 0, 600), ("time_limit", float, 0, 60), ("test_time_budget", float, 0, 3600),
            ("memory_limit_mb", int, 16, memory_mb), ("output_limit_mb", int, 1, 256), ("process_limit", int, 1, 1024),
            ("judge_workers", int, 0, 1024)]


@dataclass
class JudgeResult:
    compiled: bool
    passed: int
    total: int
    verdicts: list[str]  # per test run: AC, WA, TLE, RE, MLE or OLE; tiered mode stops at the first failure
    compile_error: str = ""  # start of g++'s stderr when it failed
    error: str = ""  # the judge itself failed, or the test cases are malformed (scores 0); "" normally

    @property
    def all_passed(self) -> bool:
        return self.compiled and self.total > 0 and self.passed == self.total


_printed: set[str] = set()


def _log_once(key: str, message: str) -> None:
    if key not in _printed:
        _printed.add(key)
        print(message, flush=True)



# --- Code extraction -------------------------------------------------------------------------------

# File redirection: the judge feeds stdin and reads stdout, so freopen calls and fclose(stdin/stdout) must go.
# The calls are found with their arguments through a table of matching parentheses built in one pass over the
# code, skipping comments and string, character and raw-string literals (whose parentheses do not count, and
# where a freopen is only text). Every lexeme below either matches where it starts or is not tried (an
# unterminated literal or comment runs to the end of its line or of the code), so the pass is linear; a
# regex for the arguments themselves was quadratic on repeated `freopen("`.
_FILE_CALL = re.compile(r"(?:\bstd::)?\b(freopen|fclose)\s*\(")
_LEXEMES = re.compile(
    r"(\()|(\))"  # 1, 2: parentheses
    r'|(?<!\w)(?:u8|[uUL])?R"([^()\\\s"]{0,16})\('  # 3: a raw string's start (its delimiter): its end is searched for
    r"|//[^\n]*|/\*(?:[^*]|\*(?!/))*(?:\*/)?"  # comments
    r'|"(?:[^"\\\n]|\\.)*"?'  # a string literal
    r"|(?:(?<!\w)|(?<=\bu8)|(?<=\b[uUL]))'(?:[^'\\\n]|\\.)*'?",  # a character literal, not a digit separator (1'000)
    re.S,
)


def _parentheses(code: str) -> tuple[dict[int, int], list[tuple[int, int]]]:
    """The position of the matching ')' of every '(' outside comments and literals, and the (start, end) of every
    comment and literal, in order."""
    closing, opened, skipped, pos = {}, [], [], 0
    while pos is not None:
        start, pos = pos, None
        for m in _LEXEMES.finditer(code, start):
            kind = m.lastindex
            if kind == 1:
                opened.append(m.start())
            elif kind == 2:
                if opened:
                    closing[opened.pop()] = m.start()
            elif kind == 3:  # R"delim( ... )delim": find its end, go on from there
                end = code.find(")" + m.group(3) + '"', m.end())
                pos = len(code) if end < 0 else end + len(m.group(3)) + 2
                skipped.append((m.start(), pos))
                break
            else:
                skipped.append(m.span())
    return closing, skipped


def _neutralise_file_io(code: str) -> str:
    """Each freopen(...) becomes the expression `stdin` and fclose(stdin|stdout) becomes `0`, so that
    `if (!freopen(...))` still compiles; calls in comments or literals, or without a closing ')', stay."""
    closing, skipped = _parentheses(code)
    starts = [start for start, _ in skipped]
    parts, done = [], 0
    for m in _FILE_CALL.finditer(code):
        opening = m.end() - 1
        literal = bisect.bisect_right(starts, m.start()) - 1
        if m.start() < done or opening not in closing or (literal >= 0 and m.start() < skipped[literal][1]):
            continue
        if m.group(1) == "fclose" and code[opening + 1:closing[opening]].strip() not in ("stdin", "stdout"):
            continue
        parts += [code[done:m.start()], "stdin" if m.group(1) == "freopen" else "0"]
        done = closing[opening] + 1
    return "".join(parts) + code[done:]


def _fenced_blocks(text: str) -> list[tuple[str, str]]:
    """(tag, body) of every complete fenced block, in one pass over the lines (a regex over the whole text was
    quadratic on unclosed fences): a line starting with ``` or ~~~ opens a block (a ``` info string must hold no
    backtick), the next line starting with the same fence closes it."""
    blocks, fence, tag, body = [], None, "", []
    for line in text.split("\n"):
        start = line.lstrip(" \t")[:3]
        if fence is not None and start == fence:
            blocks.append((tag, "".join(part + "\n" for part in body)))
            fence, body = None, []
        elif fence is not None:
            body.append(line)
        elif start in ("```", "~~~"):
            info = line.lstrip(" \t")[3:].lstrip(start[0])
            if start == "~~~" or "`" not in info:
                fence, tag = start, info.split()[0].lower() if info.split() else ""
    return blocks


def _looks_like_cpp(code: str) -> bool:
    return "#include" in code or re.search(r"\bint\s+main\s*\(", code) is not None


def extract_code(text: str) -> str | None:
    """The C++ program in a completion, or None: the last ```cpp/c++/cc (or ~~~cpp) block; else the last fenced block
    that looks like C++; else the text from the first #include on. freopen/fclose of stdin/stdout are
    neutralised (each call becomes the expression `stdin` or `0`, so `if (!freopen(...))` still compiles).
    Linear in the length of the text: it runs in the trainer holding the GIL."""
    blocks = _fenced_blocks(text)
    tagged = [body for tag, body in blocks if tag in CPP_TAGS]
    plain = [body for _, body in blocks if _looks_like_cpp(body)]
    if tagged or plain:
        code = (tagged or plain)[-1]
    elif "#include" in text:
        code = re.split("```|~~~", text[text.index("#include"):], maxsplit=1)[0]  # an unclosed block runs to the end
    else:
        return None
    code = _neutralise_file_io(code)
    return code if code.strip() else None


# --- Output comparison -----------------------------------------------------------------------------

def _lines(data: bytes) -> list[bytes]:
    lines = [line.rstrip() for line in data.replace(b"\r\n", b"\n").split(b"\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def outputs_match(actual: bytes, expected: str, mode: str) -> bool:
    """tokens: same whitespace-separated tokens; lines: same lines up to trailing whitespace and trailing
    blank lines (Luogu's samples often end lines with a space); exact: same bytes up to \\r\\n vs \\n."""
    wanted = expected.encode(errors="replace")
    if mode == "tokens":
        return actual.split() == wanted.split()
    if mode == "lines":
        return _lines(actual) == _lines(wanted)
    return actual.replace(b"\r\n", b"\n") == wanted.replace(b"\r\n", b"\n")


# --- Judging ---------------------------------------------------------------------------------------

_OUT_OF_MEMORY = re.compile(rb"bad_alloc|Cannot allocate memory|out of memory")


def _malformed(test_cases, row: int | None = None) -> str:
    """Why a row's test_cases cannot be judged, or "" when they can."""
    where = "" if row is None else f" of completion {row}"
    if not isinstance(test_cases, list):
        return f"test_cases{where} must be a list of {{'input', 'output'}} dicts, got {str(test_cases)[:100]}"
    for i, test in enumerate(test_cases):
        if not (isinstance(test, dict) and isinstance(test.get("input"), str) and isinstance(test.get("output"), str)):
            return f"test case {i}{where} needs string 'input' and 'output', got {str(test)[:100]}"
    return ""


def _malformed_result(test_cases, problem: str) -> JudgeResult:
    """A bad data row scores 0 instead of stopping a training run hours in; printed once per process."""
    _log_once("malformed-tests", f"[judge] malformed test cases score 0 (later ones are not printed): {problem}")
    return JudgeResult(False, 0, len(test_cases) if isinstance(test_cases, list) else 0, [], error=problem)


def pch_dir(config: JudgeConfig) -> str | None:
    """The folder of bits/stdc++.h precompiled with config.compile_flags (sandbox.shared_pch), or None when
    config.use_pch is off or it cannot be built."""
    return shared_pch(config.compile_flags, config.judge_cache_dir) if config.use_pch else None


def _compile_argv(config: JudgeConfig, pch_include: str | None) -> list[str]:
    pch = ["-Winvalid-pch", "-I", pch_include] if pch_include else []
    return [shutil.which("g++") or "g++", *shlex.split(config.compile_flags), *pch, "main.cpp", "-o", "main"]


def _compile(sandbox: Sandbox, box: Box, code: str, config: JudgeConfig, pch: str | None) -> str:
    """Compile the code into box/main; returns "" or the compile error."""
    source = os.path.join(box.box, "main.cpp")
    with open(source, "w", encoding="utf-8", errors="replace") as f:  # a lone surrogate becomes "?"
        f.write(code)
    os.chmod(source, 0o644)  # readable by the sandbox uid whatever the trainer's umask
    argv = _compile_argv(config, pch and sandbox.pch_include(pch))
    run = sandbox.run(box, argv, b"", seconds=config.compile_timeout, memory_mb=COMPILE_MEMORY_MB,
                      output_mb=COMPILE_OUTPUT_MB, compiling=True, pch_dir=pch)
    if b"not used because" in run.stderr:  # -Winvalid-pch: g++ fell back to parsing the header
        _log_once("pch-invalid", "[judge] g++ ignores the precompiled header: " + run.stderr.decode(errors="replace")[:300])
    if run.timed_out:
        return f"compilation took longer than {config.compile_timeout}s"
    if run.returncode != 0:
        return run.stderr.decode(errors="replace")[:COMPILE_ERROR_CHARS] or f"g++ exited with {run.returncode}"
    os.chmod(os.path.join(box.box, "main"), 0o755)  # in rlimits mode root's g++ wrote it under the trainer's umask
    return ""


def _verdict(run: Run, expected: str, config: JudgeConfig) -> str:
    """MLE is the cgroup's OOM kill. TLE is CPU time over the limit or the wall-clock cap, whatever signal ended
    the program (raise(SIGKILL) under the limit is RE); OLE is more than the limit written. Without a cgroup,
    RLIMIT_AS makes allocations fail rather than kill: a program reporting the failure (std::bad_alloc, ENOMEM)
    gets MLE; a crash after an unchecked malloc returned NULL, or a binary whose static arrays do not fit (the
    kernel kills it at exec), is a SIGSEGV and reads as RE."""
    if run.oom_killed:
        return "MLE"
    if run.timed_out or run.cpu_seconds > config.time_limit:
        return "TLE"
    if max(len(run.stdout), run.stderr_size) > config.output_limit_mb * MB:
        return "OLE"
    if run.returncode != 0:
        return "MLE" if run.oom_killed is None and _OUT_OF_MEMORY.search(run.stderr) else "RE"
    return "AC" if outputs_match(run.stdout, expected, config.compare_mode) else "WA"


def compile_and_run(code: str | None, test_cases: list[dict], config: JudgeConfig | None = None) -> JudgeResult:
    """Compile once, then run the tests: in tiered mode up to the first failure (it decides the reward), else
    all of them so that `passed` is exact; tests not started within test_time_budget are TLE. A failure of the
    judge itself, or malformed test cases, give a result with `error` set that scores 0, printed once."""
    config = config or JudgeConfig()
    problem = _malformed(test_cases)
    if problem:
        return _malformed_result(test_cases, problem)
    if code is None or not code.strip():
        return JudgeResult(False, 0, len(test_cases), [], compile_error="no code")
    try:
        sandbox = shared_sandbox()
        pch = pch_dir(config)
        with sandbox.box() as box:
            compile_error = _compile(sandbox, box, code, config, pch)
            if compile_error:
                return JudgeResult(False, 0, len(test_cases), [], compile_error=compile_error)
            verdicts = []
            deadline = time.monotonic() + config.test_time_budget
            for test in test_cases:
                if time.monotonic() >= deadline:
                    verdicts += ["TLE"] * (len(test_cases) - len(verdicts))
                    break
                run = sandbox.run(box, ["./main"], test["input"].encode(errors="replace"), seconds=config.time_limit,
                                  memory_mb=config.memory_limit_mb, output_mb=config.output_limit_mb,
                                  nproc=config.process_limit)
                verdicts.append(_verdict(run, test["output"], config))
                if verdicts[-1] != "AC" and config.reward_mode == "tiered":
                    break
        return JudgeResult(True, verdicts.count("AC"), len(test_cases), verdicts)
    except Exception as e:  # noqa: BLE001 - one broken judgement must not stop training
        _log_once("internal-error", "[judge] internal judge error (scored 0; later ones are not printed):\n"
                  + traceback.format_exc())
        return JudgeResult(False, 0, len(test_cases), [], error=f"{type(e).__name__}: {e}")


class Judge:
    """compile_and_run for batches: a thread pool (the work is waiting on subprocesses), and a bounded
    cache keyed by code, tests and limits, so a completion repeated in a GRPO group compiles once."""

    def __init__(self, config: JudgeConfig | None = None):
        self.config = config or JudgeConfig()
        sandbox_mode()  # detect and report the sandbox, and build the PCH, before the first reward call
        pch_dir(self.config)
        self.compile_count = 0  # completions actually compiled (cache misses)
        self._cache: OrderedDict[str, JudgeResult] = OrderedDict()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(self.config.judge_workers or os.cpu_count() or 1, thread_name_prefix="judge")

    def _key(self, code: str | None, tests: list[dict]) -> str:
        c = self.config
        limits = [c.reward_mode == "tiered", c.compare_mode, c.compile_flags, c.compile_timeout, c.time_limit,
                  c.test_time_budget, c.memory_limit_mb, c.output_limit_mb, c.process_limit]
        return hashlib.sha256(json.dumps([code, tests, limits]).encode()).hexdigest()

    def _judge_new(self, key: str, code: str | None, tests: list[dict]) -> JudgeResult:
        if code is not None:
            with self._lock:
                self.compile_count += 1
        result = compile_and_run(code, tests, self.config)
        if not result.error:  # an internal failure is retried next time
            with self._lock:
                self._cache[key] = result
                while len(self._cache) > RESULT_CACHE_SIZE:
                    self._cache.popitem(last=False)
        return result

    def judge(self, codes: list[str | None], test_cases_per_code: list[list[dict]]) -> list[JudgeResult]:
        """One result per code, in order; a None code (nothing extracted) is simply not compiled, a row with
        malformed test cases scores 0."""
        if len(codes) != len(test_cases_per_code):
            raise ValueError(f"{len(codes)} codes but {len(test_cases_per_code)} test lists")
        problems = [_malformed(t, row) for row, t in enumerate(test_cases_per_code)]
        keys = [None if problem else self._key(code, t) for code, t, problem in zip(codes, test_cases_per_code, problems)]
        results: dict[str, JudgeResult] = {}
        with self._lock:
            for key in keys:
                if key in self._cache:
                    self._cache.move_to_end(key)
                    results[key] = self._cache[key]
        pending = {}  # one job per distinct completion, also within this batch
        for key, code, t in zip(keys, codes, test_cases_per_code):
            if key is not None and key not in results and key not in pending:
                pending[key] = self._pool.submit(self._judge_new, key, code, t)
        results.update((key, future.result()) for key, future in pending.items())
        return [_malformed_result(t, problem) if problem else replace(results[key], verdicts=list(results[key].verdicts))
                for key, t, problem in zip(keys, test_cases_per_code, problems)]

    def close(self) -> None:
        self._pool.shutdown(wait=True)


def reward_from_result(result: JudgeResult, mode: str) -> float:
    if mode not in REWARD_MODES:
        raise ValueError(f"reward mode must be one of {', '.join(REWARD_MODES)}, got {mode!r}")
    if not result.compiled:
        return 0.0
    if mode == "tiered":
        return 1.0 if result.all_passed else 0.5
    fraction = result.passed / result.total if result.total else 0.0
    return fraction if mode == "fraction" else 0.5 + 0.5 * fraction


def _completion_text(completion) -> str | None:
    """TRL passes a string, or for conversational data the generated messages, whose content may be a list of
    parts ({"type": "text", "text": ...}). Any other shape gives None (scores 0), reported once per kind."""
    if isinstance(completion, str):
        return completion
    problem = None
    if not isinstance(completion, list):
        problem = f"of type {type(completion).__name__}"
    else:
        texts = []
        for message in completion:
            content = message.get("content") if isinstance(message, dict) else None
            if not isinstance(message, dict):
                problem = f"with a {type(message).__name__} among its messages"
            elif message.get("role") != "assistant" or content is None:
                continue
            elif isinstance(content, str):
                texts.append(content)
            elif isinstance(content, list):
                texts += [part["text"] for part in content if isinstance(part, dict) and part.get("type") == "text"
                          and isinstance(part.get("text"), str)]
            else:
                problem = f"with a message whose content is {type(content).__name__}"
        if problem is None:
            return "\n".join(texts)
    _log_once(f"completion-{problem}", f"[judge] a completion {problem} scores 0 (expected a string or a list of "
              "messages; later ones of this kind are not printed)")
    return None


_default_judge: Judge | None = None
_default_judge_lock = threading.Lock()


def code_reward_func(completions, test_cases, judge: Judge | None = None, log_metric=None, **kwargs) -> list[float]:
    """GRPO reward: judge each completion on its row's test_cases (TRL passes dataset columns per completion,
    plus prompts, completion_ids, trainer_state, ... which are ignored)."""
    global _default_judge
    if judge is None:
        with _default_judge_lock:
            _default_judge = _default_judge or Judge()
        judge = _default_judge
    if len(completions) != len(test_cases):
        raise ValueError(f"{len(completions)} completions but {len(test_cases)} test_cases")
    texts = [_completion_text(c) for c in completions]
    codes = [None if text is None else extract_code(text) for text in texts]
    results = judge.judge(codes, test_cases)
    if log_metric is not None and results:
        log_metric("judge/has_code", sum(code is not None for code in codes) / len(codes))
        log_metric("judge/compiled", sum(r.compiled for r in results) / len(results))
        log_metric("judge/all_passed", sum(r.all_passed for r in results) / len(results))
    return [reward_from_result(r, judge.config.reward_mode) for r in results]


# ---------------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------------

# The trainer's own instruction; convert_dataset.py strips the dataset's instruction prefix by default
# so this is the only one the model sees.
INSTRUCTION = (
    "请解决下面的洛谷编程题。用 C++17 写出完整的程序：从标准输入读入，向标准输出输出。"
    "只输出一个 ```cpp 代码块，不要解释。\n\n"
)


def load_rl_problems(path: str, max_problems: int | None = None) -> list[dict]:
    """Read RL JSONL ({"prompt", "test_cases": [{"input", "output"}, ...]} per line) and check every row."""
    if not os.path.isfile(path):
        raise ConfigError(f"data file {path} does not exist (run convert_dataset.py, or pass --data_file)")
    problems = []
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise ConfigError(f"{path}:{line_no}: invalid JSON ({e.msg})") from None
            tests = row.get("test_cases") if isinstance(row, dict) else None
            if not isinstance(row, dict) or not isinstance(row.get("prompt"), str) or not row["prompt"].strip():
                raise ConfigError(f"{path}:{line_no}: a row needs a non-empty string 'prompt'")
            if not isinstance(tests, list) or not tests:
                raise ConfigError(f"{path}:{line_no}: a row needs a non-empty list 'test_cases'")
            for test in tests:
                if not (isinstance(test, dict) and isinstance(test.get("input"), str) and isinstance(test.get("output"), str)):
                    raise ConfigError(f"{path}:{line_no}: every test case needs string 'input' and 'output'")
            problems.append({
                "pid": str(row.get("pid", f"row{line_no}")),
                "prompt": row["prompt"],
                "test_cases": [{"input": t["input"], "output": t["output"]} for t in tests],
            })
    if not problems:
        raise ConfigError(f"data file {path} holds no problems")
    return problems[:max_problems] if max_problems else problems


def to_chat(problem_text: str) -> list[dict]:
    return [{"role": "user", "content": INSTRUCTION + problem_text}]


def prompt_token_ids(tokenizer, problem_text: str) -> list[int]:
    """The token ids the model is prompted with: the chat template around the instruction and the problem."""
    return tokenizer.apply_chat_template(to_chat(problem_text), add_generation_prompt=True, tokenize=True,
                                         return_dict=False)


def build_dataset(problems: list[dict]):
    return Dataset.from_list([{**p, "prompt": to_chat(p["prompt"])} for p in problems])


# ---------------------------------------------------------------------------------------------------
# Trainer
# ---------------------------------------------------------------------------------------------------


def declare_tiny_lora_adapter(model: nn.Module) -> None:
    """Set the flag PEFT sets, after checking what it stands for (a trainable quantizer, only the adapter trains).
    Trainer refuses a quantized model without it; and activation checkpointing removes its input-embedding hook on
    disable only with it: TRL toggles checkpointing around every generation, so without the flag a model gains a
    hook per step. Checkpoints never go through save_pretrained (see save_model), the one other place it matters."""
    quantizer = getattr(model, "hf_quantizer", None)
    if getattr(model, "is_quantized", False) and (quantizer is None or not quantizer.is_trainable):
        raise ConfigError("this quantization method does not support training")
    trainable = [p for p in model.parameters() if p.requires_grad]
    if len(trainable) != 1 or trainable[0] is not tiny_lora_vector(model):
        raise ConfigError("only the TinyLoRA vector v may train")
    model._hf_peft_config_loaded = True


class ProgressBar(ProgressCallback):
    """The progress bar without its print of every raw log dict (MetricsLogger prints the step line)."""

    def on_log(self, args, state, control, logs=None, **kwargs):
        pass


def choose_rollout_engine(args: ScriptArguments, grpo_config: GRPOConfig, model_path: str) -> tuple[str, str | None, str]:
    """(engine, its GGUF or None, why) for the start-up log: llama.cpp where it runs the same policy on CPU."""
    import rollout_engine

    gguf = args.rollout_gguf
    if gguf is None and os.path.isfile(os.path.join(model_path, EMBEDDED_GGUF_NAME)):
        gguf = os.path.join(model_path, EMBEDDED_GGUF_NAME)
    unsupported = [f"--{name} {getattr(grpo_config, name)}" for name, default in
                   (("top_p", 1.0), ("top_k", 0), ("min_p", None), ("repetition_penalty", 1.0), ("generation_kwargs", None))
                   if getattr(grpo_config, name) != default]
    if args.rollout_engine == "hf":
        return "hf", None, "--rollout_engine hf"
    if args.rollout_engine == "auto":
        if torch.cuda.is_available():
            return "hf", None, "a CUDA GPU generates with transformers"
        if not rollout_engine.llama_cpp_available():
            return "hf", None, "llama-cpp-python is not installed (pip install -r requirements-cpu.txt: faster rollouts)"
        if gguf is None:
            return "hf", None, "no GGUF of this model (pass --rollout_gguf to use llama.cpp)"
        if unsupported:
            return "hf", None, f"llama.cpp samples with temperature only, not {', '.join(unsupported)}"
        return "llama_cpp", gguf, f"llama.cpp on CPU, {gguf}, v as a LoRA adapter"
    if not rollout_engine.llama_cpp_available():
        raise ConfigError("--rollout_engine llama_cpp needs llama-cpp-python: pip install -r requirements-cpu.txt")
    if gguf is None or not os.path.isfile(gguf):
        raise ConfigError(f"--rollout_engine llama_cpp needs the base model as GGUF: pass --rollout_gguf "
                          f"({'not found: ' + gguf if gguf else 'this model has no embedded GGUF'})")
    if unsupported:
        raise ConfigError(f"the llama_cpp engine samples with temperature only; {', '.join(unsupported)} needs --rollout_engine hf")
    return "llama_cpp", gguf, f"llama.cpp on CPU, {gguf}, v as a LoRA adapter (--rollout_engine llama_cpp)"


class TinyLoRAGRPOTrainer(GRPOTrainer):
    """GRPOTrainer whose checkpoints hold v and the trainer state, not the multi-GB base weights.

    It also profiles each step: seconds in generation, in the judge (the reward), in the rest of the
    rollout (tokenizing, advantages) and in the policy update (loss forward and backward), logged as
    time/*_s per optimizer step.
    """

    def __init__(self, model, *args, shared_prompt_forward: bool = True, **kwargs):
        declare_tiny_lora_adapter(model)
        super().__init__(model, *args, **kwargs)
        # TRL casts the trainable parameters of a quantized model to bf16 here. bf16 cannot represent a
        # GRPO-sized step (0.07 + 1e-5 rounds back to 0.07), and the paper found fp32 v better: undo it.
        v = tiny_lora_vector(self.model)
        v.data = v.data.float()
        self._phase_seconds = {"generation": 0.0, "judge": 0.0, "rollout": 0.0, "training_step": 0.0}
        self._last_logged_step = 0
        self._warned_update_size = False
        self.remove_callback(PrinterCallback)  # what Trainer prints instead of the bar with disable_tqdm
        if self.pop_callback(ProgressCallback):
            self.add_callback(ProgressBar)
        self.non_finite_guard = NonFiniteGuard(self.accelerator)
        self.add_callback(self.non_finite_guard)
        self.shared_prompt_forward = (shared_prompt_forward and not self.args.activation_checkpointing
                                      and self.accelerator.num_processes == 1)

    @contextmanager
    def _timed(self, phase: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self._phase_seconds[phase] += time.perf_counter() - start

    def _generate(self, prompts):
        with self._timed("generation"):
            return super()._generate(prompts)

    def _calculate_rewards(self, *args, **kwargs):
        with self._timed("judge"):
            return super()._calculate_rewards(*args, **kwargs)

    def _prepare_inputs(self, *args, **kwargs):
        with self._timed("rollout"):
            return super()._prepare_inputs(*args, **kwargs)

    def training_step(self, *args, **kwargs):
        with self._timed("training_step"):
            loss = super().training_step(*args, **kwargs)
        if not torch.isfinite(loss).all():  # Trainer's logging_nan_inf_filter would only hide it from the log
            raise PrecisionError(f"the loss is {loss.item()} in step {self.state.global_step + 1}; stopping instead of "
                                 f"training on it. " + (FP16_ADVICE if self.args.fp16 else "Check the model and data."))
        return loss

    def save_model(self, output_dir: str | None = None, _internal_call: bool = False) -> None:
        if not self.args.should_save:  # Trainer calls this on every process; one of them writes
            return
        output_dir = output_dir or self.args.output_dir
        save_tiny_lora(os.path.join(output_dir, "tiny_lora_v.pt"), self.model, tiny_lora_vector(self.model),
                       global_step=self.state.global_step)

    def create_model_card(self, *args, **kwargs) -> None:
        """No model card: TRL's would describe a fine-tuned HF model loadable by name, and the output is v."""

    def _warn_if_update_unresolved(self, update: dict) -> None:
        """Once a tenth of the run is done, say plainly if a bf16/fp16 run still changes too little to be seen. The
        size is measured in the step's forward, before its optimizer step: step k + 1 sees v after k updates."""
        tenth = max(1, math.ceil(self.state.max_steps / 10))
        if (self._warned_update_size or update["dtype"] == "float32" or self.state.global_step <= tenth
                or not self.accelerator.is_main_process or self.non_finite_guard.skipped):  # skips: not the lr's fault
            return
        if update["mean"] < update["resolution"]:
            self._warned_update_size = True
            print(f"[TinyLoRA] WARNING: after {self.state.global_step - 1} of {self.state.max_steps} steps the adapter "
                  f"changes each layer's output by {update['mean']:.1e} of its size (mean over layers; largest layer "
                  f"{update['max']:.1e}), below what {update['dtype']} resolves ({update['resolution']:.1e}). Most of "
                  f"the update is rounded away, so the policy has barely changed and the reward curve is mostly "
                  f"sampling noise. Raise --learning_rate (README: 'Precision and learning rate') or train in fp32.", flush=True)

    def _get_per_token_logps_and_entropies(self, model, input_ids, attention_mask, logits_to_keep, batch_size=None,
                                           compute_entropy=False, compute_aux_loss=False, **multimodal):
        """TRL's per-token log-probs (and entropies) of the completions, with each distinct prompt of the batch run
        once: a group's completions share their prompt, so its keys and values, computed once (with their graph),
        are gathered to every row of the group and the completions run on top. The result and the gradient are
        those of TRL's forward of every full sequence (same positions and masks); a group of G costs one prompt
        instead of G, and on CPU, where TRL's LM head scores every position, the prompt's positions are not scored.
        Not under activation checkpointing (a layer recomputed in the backward would append its keys again) nor
        across processes (DDP's hooks expect one forward per step)."""
        prompt_length = input_ids.size(1) - logits_to_keep
        if (not self.shared_prompt_forward or compute_aux_loss or prompt_length < 2
                or any(x is not None for x in multimodal.values())):
            return super()._get_per_token_logps_and_entropies(model, input_ids, attention_mask, logits_to_keep,
                                                              batch_size, compute_entropy, compute_aux_loss, **multimodal)
        batch_size = batch_size or input_ids.size(0)  # rows per forward, as in TRL (memory)
        logps, entropies = [], []
        for start in range(0, input_ids.size(0), batch_size):
            ids, mask = input_ids[start:start + batch_size], attention_mask[start:start + batch_size]
            prompts = torch.cat([ids[:, :prompt_length], mask[:, :prompt_length]], dim=1)
            distinct, row_prompt = torch.unique(prompts, dim=0, return_inverse=True)
            tail = ids[:, prompt_length - 1:]  # the prompt's last token, whose output predicts completion token 0
            labels = tail.masked_fill(mask[:, prompt_length - 1:] == 0, -100)
            with self.accelerator.autocast():
                cache = self.accelerator.unwrap_model(model).base_model(
                    input_ids=distinct[:, :prompt_length - 1], attention_mask=distinct[:, prompt_length:-1],
                    use_cache=True).past_key_values
                cache.batch_select_indices(row_prompt)
                outputs = model(input_ids=tail, attention_mask=mask, past_key_values=cache, labels=labels,
                                fused_lm_head=True)
            logps.append(outputs.log_probs)
            entropies.append(outputs.entropy)
        return torch.cat(logps), torch.cat(entropies) if compute_entropy else None, None

    def _compute_loss(self, model, inputs):
        """Engine rollouts get TRL's vLLM importance-sampling correction (its modes, bounds and loss weighting),
        with the trainer's log-probs taken from this very forward instead of an extra one: with one iteration
        per generation they are the old log-probs."""
        if self.rollout_func is None or "sampling_per_token_logps" not in inputs:
            return super()._compute_loss(model, inputs)
        policy_logps = self._get_per_token_logps_and_entropies

        def logps_then_weights(*args, **kwargs):
            logps, *rest = policy_logps(*args, **kwargs)
            old = inputs.get("old_per_token_logps")
            inputs["importance_sampling_ratio"] = self._engine_importance_weights(
                logps.detach() if old is None else old, inputs["sampling_per_token_logps"], inputs["completion_mask"])
            return logps, *rest

        self._get_per_token_logps_and_entropies = logps_then_weights
        self.use_vllm = True  # TRL weighs the loss by inputs["importance_sampling_ratio"] only for vLLM rollouts
        try:
            return super()._compute_loss(model, inputs)
        finally:
            self.use_vllm = False
            del self._get_per_token_logps_and_entropies

    @torch.no_grad()
    def _engine_importance_weights(self, policy_logps, sampling_logps, mask) -> torch.Tensor:
        """TRL's truncated/masked ratio p_trainer / p_engine (per sequence or per token), with its statistics
        logged under TRL's names plus the fraction of ratios outside [clip_min, clip_max]."""
        mode, low, high = (self.vllm_importance_sampling_mode, self.vllm_importance_sampling_clip_min,
                           self.vllm_importance_sampling_clip_max)
        difference = torch.nan_to_num((policy_logps - sampling_logps) * mask, nan=0.0)
        per_sequence = mode.startswith("sequence")
        ratio = torch.exp(difference.sum(-1, keepdim=True) if per_sequence else difference)
        outside = (ratio < (-math.inf if low is None else low)) | (ratio > (math.inf if high is None else high))
        weights = ratio.clamp(min=low, max=high) if mode.endswith("truncate") else ratio.masked_fill(outside, 0.0)
        valid = torch.ones_like(ratio, dtype=torch.bool) if per_sequence else mask.bool()
        delta = (policy_logps - sampling_logps).abs()[mask.bool()]
        for name, value, across_processes in (
                ("importance_sampling_ratio/min", ratio[valid].min(), torch.min),
                ("importance_sampling_ratio/mean", ratio[valid].mean(), torch.mean),
                ("importance_sampling_ratio/max", ratio[valid].max(), torch.max),
                ("importance_sampling_ratio/frac_outside", outside[valid].float().mean(), torch.mean),
                ("sampling_logp_difference/mean", delta.mean(), torch.mean),
                ("sampling_logp_difference/max", delta.max(), torch.max)):
            self._metrics["train"][f"sampling/{name}"].append(across_processes(self.accelerator.gather(value)).item())
        return weights

    def _load_from_checkpoint(self, resume_from_checkpoint: str, model=None) -> None:
        load_tiny_lora(self.model, os.path.join(resume_from_checkpoint, "tiny_lora_v.pt"))

    def log(self, logs: dict, start_time: float | None = None) -> None:
        if self.model.training:
            logs["tiny_lora/v_norm"] = tiny_lora_vector(self.model).detach().float().norm().item()
            update = take_update_size(self.model)
            if update is not None:
                logs["tiny_lora/update_size_mean"] = update["mean"]
                logs["tiny_lora/update_size_max"] = update["max"]
                logs["tiny_lora/dtype_resolution"] = update["resolution"]
                self._warn_if_update_unresolved(update)
            steps = self.state.global_step - self._last_logged_step
            if steps > 0:
                t = self._phase_seconds
                logs["time/generation_s"] = t["generation"] / steps
                logs["time/judge_s"] = t["judge"] / steps
                logs["time/other_rollout_s"] = (t["rollout"] - t["generation"] - t["judge"]) / steps
                logs["time/policy_update_s"] = (t["training_step"] - t["rollout"]) / steps
                self._phase_seconds = dict.fromkeys(t, 0.0)
                self._last_logged_step = self.state.global_step
        super().log(logs, start_time)


class SameVOnEveryProcess(TrainerCallback):
    """DDP averages v's gradient, so every process takes the identical step: check it once v is loaded and
    after every optimizer step, so a run never silently trains diverging copies."""

    def on_train_begin(self, args, state, control, model=None, **kwargs):
        check_same_on_every_process(tiny_lora_vector(model), "at the start of training")

    def on_step_end(self, args, state, control, model=None, **kwargs):
        check_same_on_every_process(tiny_lora_vector(model), f"after step {state.global_step}")


# ---------------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    args, judge_config, grpo_config = parse_args(argv)
    # Under `accelerate launch` every process runs main() (GRPOConfig has joined the process group): process 0
    # prints and writes, every process trains its own replica on its share of each batch.
    rank, processes = grpo_config.process_index, grpo_config.world_size
    log = print if rank == 0 else lambda *_: None
    require_gpp()  # before any model is loaded: without g++ there is no reward
    data_file = args.data_file
    if data_file == ScriptArguments.data_file and not os.path.isfile(data_file):
        log(f"[data] {data_file} not found; using the shipped problem set {SHIPPED_TRAIN_FILE}")
        data_file = SHIPPED_TRAIN_FILE
    problems = load_rl_problems(data_file, args.max_problems)
    resume_from = None
    if args.resume:
        resume_from = get_last_checkpoint(grpo_config.output_dir) if os.path.isdir(grpo_config.output_dir) else None
        if resume_from is None:
            raise ConfigError(f"--resume: no checkpoint-* folder in {grpo_config.output_dir}")

    model_path, why = resolve_model(args)  # downloaded or converted once per machine (folder_lock)
    load_in_4bit = args.load_in_4bit if args.load_in_4bit is not None else args.preset in ("gpu", "seed")
    log(f"[setup] preset: {args.preset} ({'CUDA GPU found' if torch.cuda.is_available() else 'no CUDA GPU'})"
        + (f"; {processes} data-parallel processes" if processes > 1 else ""))
    log(f"[setup] model: {why}; 4-bit NF4: {load_in_4bit}")
    one_gpu = use_one_gpu(grpo_config)
    if one_gpu:
        log(f"[setup] {one_gpu}")
    data_parallel_settings(grpo_config, processes)
    linear_dtype, residual_dtype = layer_dtypes(grpo_config.bf16, grpo_config.fp16, args.compute_dtype)
    linear_name, residual_name = (str(d).removeprefix("torch.") for d in (linear_dtype, residual_dtype))
    log(f"[setup] precision: {args.precision_note}. Layer outputs are {linear_name} (residual stream "
        f"{residual_name}), which keeps an update only where it changes an output by more than "
        f"{dtype_resolution(linear_dtype):.1e} of its size (the step line shows the update's size); v and the adapter "
        "math stay fp32")
    log(f"[setup] data: {data_file} ({len(problems)} problems); u = {args.u}, rank = {args.rank}; "
        f"GRPO loss_type={grpo_config.loss_type}, beta={grpo_config.beta}, epsilon={grpo_config.epsilon}")
    cores = max(1, (os.cpu_count() or 1) // int(os.environ.get("LOCAL_WORLD_SIZE", 1)))  # this process's share
    if judge_config.judge_workers == 0:
        judge_config.judge_workers = cores
    with grpo_config.main_process_first(desc="building the judge"):  # the precompiled header is built once
        judge = Judge(judge_config)
    log(f"[setup] judge: sandbox mode {sandbox_mode()}, reward mode {judge_config.reward_mode}, "
        f"judge workers per process: {judge_config.judge_workers}")

    engine, engine_gguf, engine_why = choose_rollout_engine(args, grpo_config, model_path)
    log(f"[setup] rollouts: {engine} ({engine_why})")
    model, tokenizer = load_model_and_tokenizer(model_path, load_in_4bit, args.compute_dtype)
    global_v = nn.Parameter(torch.zeros(args.u, device=next(model.parameters()).device))
    layers = apply_tiny_lora(model, global_v, args.rank, args.tiny_lora_seed, args.svd, args.svd_niter)
    log(parameter_report(model, layers))
    if grpo_config.fp16 or args.compute_dtype == "float16":
        stop_on_non_finite_hidden_states(model)

    reward_func = functools.update_wrapper(functools.partial(code_reward_func, judge=judge), code_reward_func)
    os.makedirs(grpo_config.output_dir, exist_ok=True)
    metrics_path = os.path.join(grpo_config.output_dir, "metrics.jsonl")
    if resume_from is None and os.path.exists(metrics_path) and rank == 0:
        os.remove(metrics_path)  # a fresh run starts a fresh log; a resumed one appends
    dataset = build_dataset(problems)
    rollouts = None
    if engine == "llama_cpp":
        import rollout_engine

        longest_prompt = max(len(prompt_token_ids(tokenizer, p["prompt"])) for p in problems)
        rollouts = rollout_engine.LlamaCppRollouts(
            engine_gguf, tokenizer, longest_prompt, grpo_config.generation_batch_size // processes,
            grpo_config.max_completion_length, grpo_config.temperature, grpo_config.seed + rank,
            os.path.join(grpo_config.output_dir, f"tiny_lora_adapter_rank{rank}.gguf"), args.rollout_threads or cores)
    trainer = TinyLoRAGRPOTrainer(
        model=model, reward_funcs=[reward_func], args=grpo_config, train_dataset=dataset, processing_class=tokenizer,
        callbacks=[MetricsLogger(metrics_path), SameVOnEveryProcess()], rollout_func=rollouts,
        shared_prompt_forward=args.shared_prompt_forward,
    )
    if trainer.shared_prompt_forward:
        log("[setup] policy update: each distinct prompt runs once for its group (exact, --shared_prompt_forward)")
    else:
        why_not = "--shared_prompt_forward False" if not args.shared_prompt_forward else "activation checkpointing or processes > 1"
        log(f"[setup] policy update: TRL's forward of every full sequence ({why_not})")
    share_skeleton_from_rank0(trainer.model)  # here the model is on its device, where NCCL can broadcast
    started = time.time()
    try:
        trainer.train(resume_from_checkpoint=resume_from)
    except KeyboardInterrupt:
        trainer._save_checkpoint(trainer.model, trial=None)
        sys.exit(f"\ninterrupted at step {trainer.state.global_step}; checkpoint saved in {grpo_config.output_dir}, "
                 "continue with --resume")
    finally:
        judge.close()
        if rollouts is not None:
            rollouts.close()

    v = tiny_lora_vector(trainer.model)
    if processes > 1:  # checked equal after every step; each process shows its own copy
        sys.stdout.write(f"[rank {rank}/{processes}] final v: {v.tolist()}\n")  # one write: processes share the terminal
        sys.stdout.flush()
    if rank != 0:
        return
    trainer.save_model(grpo_config.output_dir)
    save_tiny_lora(args.final_v_path, trainer.model, v, global_step=trainer.state.global_step)
    records = read_metrics(metrics_path)
    if records:
        plot_metrics(records, os.path.join(grpo_config.output_dir, "training_curves.png"))
    rewards = [r["reward"] for r in records]
    print(f"[done] {trainer.state.global_step} steps in {time.time() - started:.0f}s | mean reward first "
          f"{rewards[0] if rewards else float('nan'):.3f}, last {rewards[-1] if rewards else float('nan'):.3f} | "
          f"|v| = {v.norm().item():.3e}")
    print(f"[done] v -> {args.final_v_path}; metrics -> {metrics_path}; plot -> "
          f"{os.path.join(grpo_config.output_dir, 'training_curves.png')}")


if __name__ == "__main__":
    try:
        main()
    except ConfigError as e:
        sys.exit(f"error: {e}")
