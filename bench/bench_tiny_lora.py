"""TinyLoRA benchmarks, each measured side by side in one run.

1. Decoding and forward+backward through one decoder block's seven linears at Qwen2.5-Coder-3B shapes (hidden 2048,
   intermediate 11008, 2 KV heads of 128): base alone vs base + TinyLoRA (low-rank path, folded matrices cached
   while v is unchanged) vs the previous formula (R rebuilt from v in every call) vs a naive layer that
   materializes ΔW = U S R Vh in every forward; aten operations per layer call (each one at least a dispatch, most
   a kernel launch on a GPU, where decoding is launch-bound); and what the update-size signal (two norms per layer
   in every forward with gradients) costs: TinyLoRA vs TinyLoRA without it.
2. Skeleton initialisation: torch.svd_lowrank vs exact torch.linalg.svd on the 3B shapes.
3. Accuracy on real weights: principal-angle sine between the lowrank and exact top-r subspaces on the
   embedded Qwen2.5-Coder-0.5B-Instruct (needs the model: run `python model_files.py` once, or pass --skip_real).

    python bench/bench_tiny_lora.py [--tokens 64,256,1024] [--repeats 5] [--skip_real] [--real_layers 1]
    python bench/bench_tiny_lora.py --tokens 8 --repeats 1 --skip_real    # a quick check that it runs
"""

import argparse
import math
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
from torch.utils._python_dispatch import TorchDispatchMode

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import model_files  # noqa: E402
import train_rl  # noqa: E402

HIDDEN, INTERMEDIATE, KV = 2048, 11008, 256
BLOCK_SHAPES = {  # (out, in) of the seven targeted linears of one Qwen2.5-Coder-3B block
    "q_proj": (HIDDEN, HIDDEN), "k_proj": (KV, HIDDEN), "v_proj": (KV, HIDDEN), "o_proj": (HIDDEN, HIDDEN),
    "gate_proj": (INTERMEDIATE, HIDDEN), "up_proj": (INTERMEDIATE, HIDDEN), "down_proj": (HIDDEN, INTERMEDIATE),
}


class UnsignalledTinyLoRALinear(train_rl.TinyLoRALinear):
    """TinyLoRA without the update-size record, to price it."""

    def _record_update_size(self, delta, y):
        pass


class PreviousTinyLoRALinear(train_rl.TinyLoRALinear):
    """The formula before the folded cache: x -> x Vh^T -> (diag(S) R)^T -> U^T, with R rebuilt from v in every call."""

    def forward(self, x):
        y = self.base(x)
        with torch.autocast(x.device.type, enabled=False):
            delta = ((x.float() @ self.Vh.T) @ self.mixing_matrix().T) @ self.U.T
        if torch.is_grad_enabled():
            self._record_update_size(delta, y)
        return y + delta.to(y.dtype)


class CountOps(TorchDispatchMode):
    """Counts the aten operations dispatched inside the block."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.count += 1
        return func(*args, **(kwargs or {}))


class NaiveTinyLoRALinear(train_rl.TinyLoRALinear):
    """The straightforward version: build the full out x in ΔW every forward."""

    def forward(self, x):
        delta_w = self.U @ self.mixing_matrix() @ self.Vh
        return nn.functional.linear(x, self.base.weight + delta_w.to(self.base.weight.dtype), self.base.bias)


def make_layers(kind: str, v: nn.Parameter, rank: int = 2):
    layers = {}
    for index, (name, (out_f, in_f)) in enumerate(BLOCK_SHAPES.items()):
        base = nn.Linear(in_f, out_f, bias=name in ("q_proj", "k_proj", "v_proj"))
        base.requires_grad_(False)
        if kind == "base":
            layers[name] = base
            continue
        U, S, Vh = train_rl.svd_skeleton(base.weight.detach(), rank, "lowrank", niter=2)
        cls = {"tinylora": train_rl.TinyLoRALinear, "unsignalled": UnsignalledTinyLoRALinear,
               "previous": PreviousTinyLoRALinear, "naive": NaiveTinyLoRALinear}[kind]
        layers[name] = cls(base, v, U, S, Vh, train_rl.projection_tensor(v.numel(), rank, 0, index))
    return layers


def time_layers(layers, tokens: int, repeats: int, backward: bool) -> float:
    """Median seconds for one pass through all seven linears (with backward: gradients w.r.t. inputs and v)."""
    times = []
    for _ in range(repeats + 1):  # the first run warms up allocators and is dropped
        inputs = {name: torch.randn(tokens, BLOCK_SHAPES[name][1], requires_grad=backward) for name in layers}
        started = time.perf_counter()
        with torch.set_grad_enabled(backward):
            loss = sum(layer(inputs[name]).square().mean() for name, layer in layers.items())
            if backward:
                loss.backward()
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])


def ops_per_call(layers, tokens: int, backward: bool) -> float:
    """aten operations per linear call, forward (and its backward when backward is set) with the loss's own few ops,
    alike in every column, after a warm-up pass (which builds the folded cache)."""
    time_layers(layers, tokens, 1, backward)
    inputs = {name: torch.randn(tokens, BLOCK_SHAPES[name][1], requires_grad=backward) for name in layers}
    with torch.set_grad_enabled(backward), CountOps() as counter:
        loss = sum(layer(inputs[name]).square().mean() for name, layer in layers.items())
        if backward:
            loss.backward()
    return counter.count / len(layers)


def bench_layers(token_counts: list[int], repeats: int) -> None:
    print(f"\n== 1. one 3B block's 7 linears, fp32 CPU, median of {repeats} (times in ms; ops: aten ops per layer call)")
    print("   pass                      base  TinyLoRA  previous     naive   overhead  previous/TinyLoRA  naive/TinyLoRA"
          "  update-size signal   ops: base  TinyLoRA  previous")
    torch.manual_seed(0)
    v = nn.Parameter(torch.randn(16) * 0.01)
    layers = {kind: make_layers(kind, v) for kind in ("base", "tinylora", "previous", "unsignalled", "naive")}
    # Decoding (4 sequences, one new token each, no grad) is what generation does; forward+backward over
    # many tokens is the GRPO loss pass (the update).
    cases = [("decode, 4 tokens, no grad", 4, False)] + [(f"fwd+bwd, {n} tokens", n, True) for n in token_counts]
    for label, tokens, backward in cases:
        t = {kind: time_layers(layers[kind], tokens, repeats, backward) for kind in layers}
        ops = {kind: ops_per_call(layers[kind], tokens, backward) for kind in ("base", "tinylora", "previous")}
        print(f"   {label:<24}{t['base'] * 1e3:7.1f} {t['tinylora'] * 1e3:9.1f} {t['previous'] * 1e3:9.1f}"
              f" {t['naive'] * 1e3:9.1f}   {(t['tinylora'] / t['base'] - 1) * 100:+7.1f}%"
              f"  {t['previous'] / t['tinylora']:16.2f}x  {t['naive'] / t['tinylora']:13.2f}x"
              f"  {(t['tinylora'] / t['unsignalled'] - 1) * 100:+17.1f}%  {ops['base']:10.0f}"
              f"  {ops['tinylora']:8.0f}  {ops['previous']:8.0f}")
    print("   goals: overhead <= +10%; naive/TinyLoRA >= 3x; decoding adds <= 10 ops per call. On a CPU the time is the "
          "arithmetic; on a GPU decoding is bound by kernel launches, which the ops column counts. The signal is "
          "recorded only with gradients (not in decoding)")


def bench_svd(rank: int, niter: int) -> None:
    print(f"\n== 2. skeleton initialisation on the 3B shapes: svd_lowrank (niter {niter}) vs exact SVD")
    torch.manual_seed(0)
    total_fast = total_exact = 0.0
    for out_f, in_f in sorted(set(BLOCK_SHAPES.values())):
        W = torch.randn(out_f, in_f) / math.sqrt(in_f)
        started = time.perf_counter()
        train_rl.svd_skeleton(W, rank, "lowrank", niter)
        fast = time.perf_counter() - started
        started = time.perf_counter()
        train_rl.svd_skeleton(W, rank, "exact")
        exact = time.perf_counter() - started
        total_fast, total_exact = total_fast + fast, total_exact + exact
        print(f"   {out_f:>5} x {in_f:<5}  lowrank {fast:7.3f}s  exact {exact:7.2f}s  ratio {exact / fast:6.1f}x")
    print(f"   all shapes: exact / lowrank = {total_exact / total_fast:.1f}x   (goal >= 10x)")


def principal_sine(A: torch.Tensor, B: torch.Tensor) -> float:
    """Largest principal-angle sine between the column spaces of orthonormal A and B."""
    return torch.linalg.matrix_norm(A - B @ (B.T @ A), ord=2).item()


def bench_real_weights(rank: int, niter: int, every: int) -> None:
    from transformers import AutoModelForCausalLM

    path = model_files.EMBEDDED_MODEL_DIR
    if not os.path.isfile(os.path.join(path, "config.json")):
        print(f"\n== 3. skipped: {path} does not exist yet (run `python model_files.py` once)")
        return
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    layers = [(n, m) for n, m in model.named_modules()
              if n.split(".")[-1] in train_rl.TARGET_MODULES and isinstance(m, nn.Linear)
              and int(n.split(".")[2]) % every == 0]
    print(f"\n== 3. real weights of {model_files.EMBEDDED_MODEL_NAME}: {len(layers)} linears "
          f"(every {every}th block), rank {rank}, lowrank niter {niter} vs exact")
    worst_u = worst_v = worst_s = 0.0
    fast_total = exact_total = 0.0
    for name, linear in layers:
        W = linear.weight.detach().float()
        started = time.perf_counter()
        U, S, Vh = train_rl.svd_skeleton(W, rank, "lowrank", niter)
        fast_total += time.perf_counter() - started
        started = time.perf_counter()
        U0, S0, Vh0 = train_rl.svd_skeleton(W, rank, "exact")
        exact_total += time.perf_counter() - started
        worst_u = max(worst_u, principal_sine(U, U0))
        worst_v = max(worst_v, principal_sine(Vh.T, Vh0.T))
        worst_s = max(worst_s, ((S - S0).abs() / S0).max().item())
    print(f"   max principal-angle sine: U {worst_u:.2e}, V {worst_v:.2e}   (goal < 1e-2)")
    print(f"   max relative singular-value error: {worst_s:.2e}")
    print(f"   time on these layers: lowrank {fast_total:.1f}s, exact {exact_total:.1f}s "
          f"({exact_total / fast_total:.1f}x)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", default="64,256,1024", help="token counts for the forward+backward passes")
    parser.add_argument("--repeats", type=int, default=5, help="timed repetitions (median reported)")
    parser.add_argument("--rank", type=int, default=2)
    parser.add_argument("--niter", type=int, default=20, help="svd_lowrank power iterations (the trainer's default)")
    parser.add_argument("--real_layers", type=int, default=1, help="use every N-th block of the real model")
    parser.add_argument("--skip_real", action="store_true", help="skip benchmark 3")
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    bench_layers([int(n) for n in args.tokens.split(",")], args.repeats)
    bench_svd(args.rank, args.niter)
    if not args.skip_real:
        bench_real_weights(args.rank, args.niter, args.real_layers)


if __name__ == "__main__":
    main()
