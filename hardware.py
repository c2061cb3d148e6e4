"""The machine side of a training run: the precision this GPU computes in, the guards that stop a run whose numbers
overflow, and one GPU per process with the settings and checks of data-parallel training.

Precision follows the hardware unless the preset or flags say otherwise: bf16 where the GPU has it natively (compute
capability 8.0 and newer); fp32 compute on the NF4 weights on T4 and V100 (7.x), which have no native bf16 and on
which Qwen2/2.5 overflow fp16; fp32 on CPU, where bf16 matmuls are emulated and slower. A GPU below 7.0, or one this
torch build has no kernels for, is refused at start-up. fp16 by flag is allowed and guarded: hidden states that
overflow, a loss that is not finite (TinyLoRAGRPOTrainer.training_step) or a GradScaler that skips every step stop
the run with PrecisionError, a ConfigError, so the user reads one line saying why. dtype_resolution is the smallest
relative change a dtype keeps: an update of v that changes a layer's output by less is rounded away, which is why
the trainer measures the update's size and logs it beside that resolution.

Under `accelerate launch` each process trains one whole replica on its own GPU, and use_one_gpu keeps a single
process that sees several GPUs from wrapping the model in nn.DataParallel. v is the only trainable tensor and every
TinyLoRA layer uses it, which decides DDP's options (data_parallel_settings); check_same_on_every_process confirms
that the copies of v are bit-identical after every optimizer step.
"""

from dataclasses import dataclass

import torch
import torch.distributed as dist
import torch.nn as nn
from transformers import TrainerCallback, TrainingArguments

from model_files import ConfigError

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


@dataclass(frozen=True)
class Precision:
    """How the model computes: the Trainer's mixed-precision flags and the model's (4-bit compute) dtype."""

    bf16: bool
    fp16: bool
    compute_dtype: str
    reason: str


def choose_precision(cuda: bool, capability: tuple[int, int] | None = None, native_bf16: bool = False,
                     device_name: str = "") -> Precision:
    """bf16 where the GPU has it natively; fp32 compute on older GPUs and on CPU.

    T4 and V100 (compute capability 7.x) have no native bf16, and Qwen2/2.5 run in fp16 are known to overflow (NaN
    samples, or a GradScaler that skips every step while v stays 0), so they compute in fp32 on the NF4 weights:
    slower, but every step trains. fp16 by flag is guarded (PrecisionError). TRL's chunked log-prob kernel
    (trl/kernels/chunked_logprob.py) multiplies in the autocast dtype and accumulates in fp32: it needs no native bf16.
    """
    if not cuda:
        return Precision(False, False, "float32", "no CUDA GPU: fp32 (bf16 matmuls are emulated and slower on CPU)")
    gpu = f"{device_name or 'the GPU'} (compute capability {capability[0]}.{capability[1]})"
    if native_bf16 and capability >= (8, 0):
        return Precision(True, False, "bfloat16", f"{gpu} has native bf16: bf16 training and compute")
    return Precision(False, False, "float32", f"{gpu} has no native bf16 and Qwen2.5 overflows in fp16: fp32 compute "
                                              "(--fp16 True --compute_dtype float16 is faster, guarded against overflow)")


def unsupported_gpu(capability: tuple[int, int], arch_list: list[str]) -> str | None:
    """Why this stack cannot run on a GPU of this compute capability, or None. A kernel built for sm_XY runs on the
    same major version with an equal or higher minor one; PTX (compute_XY) is compiled for any equal or newer GPU."""
    if capability < (7, 0):
        return "the trainer needs compute capability 7.0 or newer (V100, T4, A100, ...)"
    built = [(kind, divmod(int(number.rstrip("af")), 10)) for kind, number in (a.split("_") for a in arch_list)]
    if built and not any(arch <= capability and (kind == "compute" or arch[0] == capability[0]) for kind, arch in built):
        return f"this torch build has kernels for {', '.join(arch_list)} only; install a torch build for this GPU"
    return None


def hardware_precision() -> Precision:
    if not torch.cuda.is_available():
        return choose_precision(False)
    capability, name = torch.cuda.get_device_capability(), torch.cuda.get_device_name()
    problem = unsupported_gpu(capability, torch.cuda.get_arch_list())
    if problem:
        raise ConfigError(f"{name} (compute capability {capability[0]}.{capability[1]}): {problem}")
    return choose_precision(True, capability, torch.cuda.is_bf16_supported(including_emulation=False), name)


def layer_dtypes(bf16: bool, fp16: bool, compute_dtype: str) -> tuple[torch.dtype, torch.dtype]:
    """(linear outputs, residual stream). Autocast decides the linears' dtype; the residual stream starts in the
    embeddings' (compute) dtype and holds the promotion of both: fp16 weights under bf16 autocast (seed) give fp32.
    (bitsandbytes' one-row decode kernel ignores autocast: a 4-bit layer there outputs its compute dtype.)"""
    weights = DTYPES[compute_dtype]
    linear = torch.bfloat16 if bf16 else torch.float16 if fp16 else weights
    return linear, torch.promote_types(weights, linear)


def dtype_resolution(dtype: torch.dtype) -> float:
    """The smallest relative change a value of this dtype keeps (unit roundoff): bf16 3.9e-3, fp16 4.9e-4."""
    return torch.finfo(dtype).eps / 2


# --- Guards against overflow -----------------------------------------------------------------------

class PrecisionError(ConfigError):
    """The run's numbers overflowed (inf/NaN), so training on would change nothing or garbage: stop, say why."""


FP16_ADVICE = ("Qwen2/2.5 overflow fp16's range (65504): train without --fp16 True / --compute_dtype float16 (T4 and V100 "
               "compute in fp32 by default) or on a GPU with native bf16")


def stop_on_non_finite_hidden_states(model: nn.Module):
    """fp16 runs: stop at the first forward whose final hidden states hold inf/NaN, before sampling crashes on NaN
    probabilities or the loss trains on them (one reduction and device sync per forward)."""
    def check(module, inputs, output):
        if not torch.isfinite(output[0]).all():
            raise PrecisionError(f"the model's hidden states overflowed to inf/NaN. {FP16_ADVICE}")
    return model.get_decoder().register_forward_hook(check)


class NonFiniteGuard(TrainerCallback):
    """Stops a run whose optimizer steps are all skipped: fp16's GradScaler skips a step whose gradient overflowed
    and halves its scale (65536 -> 2048 after five); a healthy run settles in a few steps, an overflowing one never."""

    SKIPS_IN_A_ROW = 5

    def __init__(self, accelerator):
        self.accelerator = accelerator
        self.skipped = self.skipped_in_a_row = 0

    def on_step_end(self, args, state, control, **kwargs):
        if not self.accelerator.optimizer_step_was_skipped:
            self.skipped_in_a_row = 0
            return
        self.skipped += 1
        self.skipped_in_a_row += 1
        if self.skipped_in_a_row >= self.SKIPS_IN_A_ROW:
            raise PrecisionError(f"the fp16 GradScaler skipped the last {self.skipped_in_a_row} optimizer steps (up to step "
                                 f"{state.global_step}) because every gradient overflowed; v has not changed. {FP16_ADVICE}")


# --- One GPU per process, data-parallel training ---------------------------------------------------

def use_one_gpu(grpo_config: TrainingArguments) -> str | None:
    """One process trains on one GPU. Seeing several, Trainer would wrap the model in nn.DataParallel (n_gpu is the
    device count), which TRL refuses after the model load and the SVDs. Set n_gpu to 1 as Trainer itself does for a
    model placed with device_map; return the start-up line saying how to use the others, or None."""
    visible = grpo_config.n_gpu  # sets up the device: cuda:0 of the visible GPUs
    if grpo_config.world_size > 1 or visible <= 1:
        return None
    grpo_config._n_gpu = 1
    return (f"{visible} GPUs are visible to this one process: training on cuda:0 ({torch.cuda.get_device_name(0)}) "
            f"only; to use all of them, run `accelerate launch --num_processes {visible} train_rl.py ...` "
            "(one replica per GPU)")


def data_parallel_settings(grpo_config: TrainingArguments, processes: int) -> None:
    """DDP options for a model whose only trainable tensor is v, shared by every TinyLoRA layer."""
    if grpo_config.ddp_find_unused_parameters is None:  # v is used in every forward: DDP need not search
        grpo_config.ddp_find_unused_parameters = False
    if grpo_config.ddp_broadcast_buffers is None:  # the skeleton buffers are shared once (share_skeleton_from_rank0)
        grpo_config.ddp_broadcast_buffers = False
    reentrant = (grpo_config.activation_checkpointing_kwargs or {}).get("use_reentrant")
    if processes > 1 and grpo_config.activation_checkpointing and reentrant:
        # reentrant checkpointing recomputes each layer in the backward, and DDP then sees v, used in every layer,
        # become ready several times per backward: its gradient reduction fails
        raise ConfigError("use_reentrant=True activation checkpointing does not work with data-parallel TinyLoRA (v is "
                          "shared by every layer); drop it (transformers 5 defaults to use_reentrant=False)")


def check_same_on_every_process(v: torch.Tensor, when: str) -> None:
    """Under `accelerate launch`, stop with an error naming the processes and their values if v is not
    bit-identical on all of them (an all-gather of u floats)."""
    if not dist.is_initialized() or dist.get_world_size() == 1:
        return
    local = v.detach().float().contiguous()
    gathered = [torch.empty_like(local) for _ in range(dist.get_world_size())]
    dist.all_gather(gathered, local)
    bits = [other.view(torch.int32) for other in gathered]  # compare bits: -0.0 vs 0.0 and NaN count too
    differing = [rank for rank in range(1, len(bits)) if not torch.equal(bits[rank], bits[0])]
    if differing:
        values = "; ".join(f"rank {rank}: {other.tolist()}" for rank, other in enumerate(gathered))
        raise RuntimeError(f"v is not the same on every process {when}: rank(s) {differing} differ from rank 0 ({values})")
