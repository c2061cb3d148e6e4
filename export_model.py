"""Use the trained model anywhere: merge W + ΔW into a plain Hugging Face model folder.

    python export_model.py --tiny_lora output/tiny_lora_v.pt --output output/merged
    python export_model.py --tiny_lora output/tiny_lora_v.pt --output output/merged --dtype bfloat16
    python export_model.py --tiny_lora output/tiny_lora_v.pt --report_only     # what each dtype keeps; writes nothing

The base is the model v was trained on: --model, else the folder recorded in the v file, else the trainer's default
for this machine. A v trained on a 4-bit NF4 base is merged into the dequantized weights it was trained against.
Each targeted layer becomes W + U S R Vh, computed in fp32 one layer at a time and cast to the chosen dtype. The
folder (config, tokenizer, safetensors) loads with plain transformers; no TinyLoRA code is needed.

TinyLoRA's ΔW is tiny next to W, and rounding W + ΔW to 16 bits can erase it. So the script measures, per layer and
overall, the update's relative error as the dtype stores it, ‖(cast(W+ΔW) − cast(W)) − ΔW‖ / ‖ΔW‖ (0 = kept exactly,
about 1 = lost to rounding), and the largest logit difference between the written model, reloaded from disk, and the
adapted model in memory. The default dtype is the model's own when it keeps the update, else float32. The folder is
built beside the output and renamed into place at the end, so a failed export leaves nothing under the output name.
"""

import argparse
import gc
import math
import os
import shutil
import sys

import torch
import torch.nn as nn
from transformers import AutoConfig, AutoModelForCausalLM

import train_rl
from hardware import DTYPES
from train_rl import ConfigError
KEEPS_UPDATE = 0.1  # the default dtype must keep the update within 10 % error
LOST = 0.5  # above this most of the written update is rounding noise: warn
WORST_SHOWN = 3
# Fixed prompts for the logit check: (problem, start of the answer), in the trainer's chat format.
PROMPTS = [
    ("# A+B\n\n输入两个整数 a b，输出 a+b。", "```cpp\n#include <cstdio>\nint main(){"),
    ("Read n and n integers; print the largest sum of a contiguous subarray.", "```cpp\n#include <bits/stdc++.h>\n"),
    ("# 排序\n\n输入 n 个整数，从小到大输出。", ""),
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny_lora", required=True, help="the saved v (tiny_lora_v.pt)")
    parser.add_argument("--output", help="folder to write the merged model to (required unless --report_only)")
    parser.add_argument("--dtype", choices=["auto", *DTYPES], default="auto",
                        help="dtype of the written weights (default: the model's own if it keeps the update, else float32)")
    parser.add_argument("--model", help="base model folder (default: the one recorded in the v file, else the trainer's default)")
    parser.add_argument("--load_in_4bit", action=argparse.BooleanOptionalAction, default=None,
                        help="load the base in 4-bit NF4 and merge into its dequantized weights (default: as v was trained)")
    parser.add_argument("--overwrite", action="store_true", help="replace an earlier export at --output")
    parser.add_argument("--report_only", action="store_true", help="print the update's error in each dtype, write nothing")
    args = parser.parse_args(argv)
    if args.report_only and args.output:
        raise ConfigError("--report_only writes nothing; drop --output")
    if not args.report_only and not args.output:
        raise ConfigError("--output is required (or pass --report_only)")
    return args


def check_output(path: str, overwrite: bool) -> None:
    """Refuse, before any work, anything but a new path, an empty folder, or (with --overwrite) an earlier export."""
    if os.path.islink(path):
        raise ConfigError(f"--output {path} is a symbolic link; pass the folder it points to")
    if os.path.exists(path) and not os.path.isdir(path):
        raise ConfigError(f"--output {path} exists and is not a folder")
    if os.path.isdir(path) and os.listdir(path):
        if not overwrite:
            raise ConfigError(f"--output {path} exists and is not empty; pass --overwrite to replace an earlier export")
        if not os.path.isfile(os.path.join(path, "config.json")):
            raise ConfigError(f"--output {path} holds no config.json, so it is not an earlier export; refusing to replace it")


def own_dtype(path: str) -> torch.dtype:
    """The dtype the model folder stores its weights in (config.json), whatever it was loaded in."""
    dtype = getattr(AutoConfig.from_pretrained(path), "dtype", None) or torch.float32
    return getattr(torch, dtype) if isinstance(dtype, str) else dtype


def weight_and_update(layer: train_rl.TinyLoRALinear) -> tuple[torch.Tensor, torch.Tensor]:
    """W (dequantized when 4-bit) and ΔW = U diag(S) R Vh, both fp32: the exact pair the adapter computes with."""
    return train_rl.dense_weight(layer.base), layer.U @ layer.mixing_matrix() @ layer.Vh


@torch.no_grad()
def update_errors(model: nn.Module) -> dict:
    """The update's relative error in each dtype, per layer and overall; None where ΔW = 0 (undefined)."""
    names, update_sq, weight_sq = [], [], 0.0
    error_sq = {name: [] for name in DTYPES}
    for name, layer in train_rl.tiny_lora_layers(model):
        weight, update = weight_and_update(layer)
        merged = weight + update
        names.append(name)
        update_sq.append(update.double().square().sum().item())
        weight_sq += weight.double().square().sum().item()
        for dtype_name, dtype in DTYPES.items():
            kept = merged.to(dtype).float() - weight.to(dtype).float()  # the update as the written weights hold it
            error_sq[dtype_name].append((kept - update).double().square().sum().item())
    total = sum(update_sq)
    return {
        "layers": names,
        "update_to_weight": math.sqrt(total / weight_sq) if weight_sq else None,
        "per_layer": {d: [math.sqrt(e / u) if u else None for e, u in zip(errors, update_sq)] for d, errors in error_sq.items()},
        "overall": {d: math.sqrt(sum(errors) / total) if total else None for d, errors in error_sq.items()},
    }


def worst_layers(errors: dict, dtype_name: str, count: int) -> list[tuple[float, str]]:
    scored = [(e, n) for e, n in zip(errors["per_layer"][dtype_name], errors["layers"]) if e is not None]
    return sorted(scored, reverse=True)[:count]


def print_errors(errors: dict) -> None:
    """A markdown table (paste-able into a README): the update's error in each dtype."""
    n = len(errors["layers"])
    print(f"[export] {n} layers, ‖ΔW‖ / ‖W‖ = {errors['update_to_weight']:.2e}. Error of the update as each dtype stores "
          f"it, ‖(cast(W+ΔW) − cast(W)) − ΔW‖ / ‖ΔW‖ (0 = kept exactly, about 1 = lost to rounding):")
    print(f"| dtype | overall | worst layer | layers above {LOST} |")
    print("| --- | --- | --- | --- |")
    for dtype_name in DTYPES:
        (worst, where), = worst_layers(errors, dtype_name, 1)
        above = sum(e is not None and e > LOST for e in errors["per_layer"][dtype_name])
        print(f"| {dtype_name} | {errors['overall'][dtype_name]:.2e} | {worst:.2e} ({where}) | {above} / {n} |")


def choose_dtype(requested: str, own: torch.dtype, errors: dict) -> tuple[str, str]:
    """The dtype to write, and why."""
    if requested != "auto":
        return requested, "--dtype"
    own_name = str(own).removeprefix("torch.")
    if own_name not in DTYPES:
        return "float32", f"the model's own dtype {own_name} is not one of {', '.join(DTYPES)}"
    error = errors["overall"][own_name]
    if error is None:
        return own_name, "the model's own dtype; v is all zeros, so there is no update to lose"
    if error <= KEEPS_UPDATE:
        return own_name, f"the model's own dtype, which keeps the update (error {error:.2e} <= {KEEPS_UPDATE})"
    return "float32", f"the model's own dtype {own_name} would lose the update (error {error:.2e} > {KEEPS_UPDATE})"


@torch.no_grad()
def merge_tiny_lora(model: nn.Module, dtype: torch.dtype) -> None:
    """Replace every TinyLoRALinear by a plain nn.Linear holding cast(W + ΔW), on the CPU. Each layer is merged in fp32
    where it lives (a 4-bit layer is dequantized there) and moved out at once, so the GPU never holds more than one
    merged layer: the fp32 merged 3B model (~12 GB) would not fit a 16 GB card next to the 4-bit one."""
    for name, layer in train_rl.tiny_lora_layers(model):
        weight, update = weight_and_update(layer)
        base = layer.base
        linear = nn.Linear(base.in_features, base.out_features, bias=base.bias is not None, device="meta")
        linear.weight = nn.Parameter((weight + update).to("cpu", dtype), requires_grad=False)
        if base.bias is not None:
            linear.bias = nn.Parameter(base.bias.detach().to("cpu", dtype), requires_grad=False)
        model.set_submodule(name, linear)
        del weight, update, layer, base
    left = [name for name, p in model.named_parameters() if getattr(p, "quant_state", None) is not None]
    if left:
        raise ConfigError(f"{left[0]} is 4-bit but carries no TinyLoRA; cannot write a plain model")
    if getattr(model, "hf_quantizer", None) is not None:
        model.hf_quantizer.remove_quantization_config(model)  # every 4-bit layer is now a plain one
    del model.tiny_lora_meta
    model.to("cpu", dtype)  # embeddings, norms, lm_head
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def prompt_ids(tokenizer) -> list[torch.Tensor]:
    """The fixed prompts as the trainer shows them (its chat format), or as plain text for a tokenizer without one."""
    def chat(problem: str) -> str:
        if tokenizer.chat_template is None:
            return problem + "\n"
        return tokenizer.apply_chat_template(train_rl.to_chat(problem), add_generation_prompt=True, tokenize=False)
    texts = [chat(problem) + start for problem, start in PROMPTS]
    return [tokenizer(text, return_tensors="pt", add_special_tokens=False)["input_ids"] for text in texts]


@torch.no_grad()
def prompt_logits(model: nn.Module, ids: list[torch.Tensor]) -> list[torch.Tensor]:
    return [model(input_ids=x.to(model.device)).logits.float().cpu() for x in ids]


def largest_difference(a: list[torch.Tensor], b: list[torch.Tensor]) -> float:
    return max((x - y).abs().max().item() for x, y in zip(a, b))


def publish(staging: str, output: str) -> None:
    """Rename the finished folder into place; an earlier export (checked by check_output) goes only after that."""
    if not (os.path.isdir(output) and os.listdir(output)):
        os.replace(staging, output)  # a new path or an empty folder
        return
    old = f"{staging}-old"
    os.rename(output, old)
    try:
        os.rename(staging, output)
    except OSError:
        os.rename(old, output)
        raise
    shutil.rmtree(old)


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.output:
        check_output(args.output, args.overwrite)
    saved = train_rl.read_tiny_lora(args.tiny_lora)
    if not torch.isfinite(saved["v"]).all():
        raise ConfigError(f"{args.tiny_lora} holds a v with NaN or infinite entries")
    path, why, load_in_4bit = train_rl.base_for_saved_v(saved, args.model, args.load_in_4bit)
    if args.output and os.path.realpath(path) == os.path.realpath(args.output):
        raise ConfigError("--output is the base model's own folder; write the merged model elsewhere")
    print(f"[export] base model: {why}; 4-bit NF4: {load_in_4bit} (v was trained on a "
          f"{'4-bit' if saved.get('quantized') else 'full-precision'} base)")
    try:
        model, tokenizer = train_rl.load_model_and_tokenizer(path, load_in_4bit)
    except ConfigError:
        raise
    except (OSError, ValueError) as e:  # not a model folder, an unknown architecture, ...
        raise ConfigError(f"cannot load a model from {path} ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})") from None
    model.eval()
    # rebuilds the adapter; a mismatch is an error, a quantization chosen against the file on purpose a warning
    global_v = train_rl.load_tiny_lora(model, args.tiny_lora, strict=load_in_4bit == bool(saved.get("quantized")))
    print(f"[export] v: u = {global_v.numel()}, ‖v‖ = {global_v.norm().item():.3e}, step {saved.get('global_step')}")

    errors = update_errors(model)
    if errors["overall"]["float32"] is None:
        print("[export] v is all zeros: ΔW = 0, so the merged model is exactly the base model and the update's error "
              "is undefined (there is nothing to lose)")
    else:
        print_errors(errors)
    if args.report_only:
        return

    dtype_name, reason = choose_dtype(args.dtype, own_dtype(path), errors)
    print(f"[export] writing {dtype_name}: {reason}")
    error = errors["overall"][dtype_name]
    if error is not None:
        worst = ", ".join(f"{name} {e:.2e}" for e, name in worst_layers(errors, dtype_name, WORST_SHOWN))
        print(f"[export] update error in {dtype_name}: overall {error:.2e}; worst layers: {worst}")
    lost = error is not None and error > LOST
    if lost:
        print(f"WARNING: in {dtype_name} the update is mostly rounding noise (error {error:.2f} > {LOST}): the written "
              "model is the base model plus noise, not the trained one. Export with --dtype float32.", file=sys.stderr)

    ids = prompt_ids(tokenizer)
    adapted = prompt_logits(model, ids)
    with torch.no_grad():
        trained_v = global_v.detach().clone()
        global_v.zero_()
        what_v_changes = largest_difference(prompt_logits(model, ids), adapted)
        global_v.copy_(trained_v)
    merge_tiny_lora(model, DTYPES[dtype_name])

    parent = os.path.dirname(os.path.abspath(args.output))
    os.makedirs(parent, exist_ok=True)
    staging = os.path.join(parent, f".{os.path.basename(os.path.abspath(args.output))}.tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        del model, global_v
        gc.collect()  # free the in-memory model before loading the written one: never two copies at once
        written = AutoModelForCausalLM.from_pretrained(staging, dtype="auto")  # on the CPU, where it was merged
        exported = prompt_logits(written, ids)
        del written
        publish(staging, args.output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    tokens = sum(x.numel() for x in ids)
    print(f"[export] largest logit difference on {len(ids)} fixed prompts ({tokens} positions): written model (reloaded "
          f"with AutoModelForCausalLM) vs adapted model {largest_difference(exported, adapted):.2e}; for scale, what v "
          f"changes (base vs adapted) {what_v_changes:.2e}")
    print(f"[done] {args.output}: a plain {dtype_name} model; load it with "
          f"AutoModelForCausalLM.from_pretrained({args.output!r}, dtype=\"auto\")"
          + (f" (WARNING: the update was lost in {dtype_name})" if lost else ""))


if __name__ == "__main__":
    try:
        main()
    except ConfigError as e:
        sys.exit(f"error: {e}")
