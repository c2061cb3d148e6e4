"""Precision by hardware, the update-size signal, the saved skeleton's fingerprint, and the seed preset."""

import json
import math
import os
import subprocess
import sys

import pytest
import torch
import torch.nn as nn

import hardware
import reporting
import train_rl
from train_rl import ConfigError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
A100 = hardware.choose_precision(True, (8, 0), native_bf16=True, device_name="A100")
T4 = hardware.choose_precision(True, (7, 5), native_bf16=False, device_name="Tesla T4")


def test_precision_follows_the_hardware():
    cpu = hardware.choose_precision(False)
    assert (cpu.bf16, cpu.fp16, cpu.compute_dtype) == (False, False, "float32")
    assert (A100.bf16, A100.fp16, A100.compute_dtype) == (True, False, "bfloat16")
    # T4 / V100: no native bf16, and fp16 overflows Qwen2.5: fp32 compute (on NF4 weights), fp16 only by flag
    assert (T4.bf16, T4.fp16, T4.compute_dtype) == (False, False, "float32") and "no native bf16" in T4.reason
    assert "--fp16 True --compute_dtype float16" in T4.reason
    # compute capability 8 but bf16 only emulated (what is_bf16_supported() reports by default): not native
    emulated = hardware.choose_precision(True, (8, 6), native_bf16=False)
    assert (emulated.bf16, emulated.fp16, emulated.compute_dtype) == (False, False, "float32")
    # a native-bf16 claim on an old card is not trusted either
    assert not hardware.choose_precision(True, (7, 0), native_bf16=True).bf16


def test_parsed_precision_comes_from_the_hardware_and_flags_win():
    args, _, grpo = train_rl.parse_args(["--preset", "cpu"], precision=A100)
    assert (grpo.bf16, grpo.fp16, args.compute_dtype) == (True, False, "bfloat16")
    args, _, grpo = train_rl.parse_args(["--preset", "cpu"], precision=T4)
    assert (grpo.bf16, grpo.fp16, args.compute_dtype) == (False, False, "float32")
    args, _, grpo = train_rl.parse_args(["--preset", "cpu", "--bf16", "False", "--compute_dtype", "float32"], precision=A100)
    assert (grpo.bf16, grpo.fp16, args.compute_dtype) == (False, False, "float32")
    assert "overridden" in args.precision_note and A100.reason in args.precision_note
    args, _, grpo = train_rl.parse_args([])  # this machine: no CUDA
    assert (grpo.bf16, grpo.fp16, args.compute_dtype) == (False, False, "float32") and "overridden" not in args.precision_note
    with pytest.raises(ConfigError, match="compute_dtype"):
        train_rl.parse_args(["--compute_dtype", "int8"])


def test_seed_preset_is_exactly_the_original_projects_settings():
    args, _, grpo = train_rl.parse_args(["--preset", "seed", "--use_cpu", "True"], precision=A100)
    assert args.preset == "seed" and args.u == 16
    assert (grpo.num_train_epochs, grpo.per_device_train_batch_size, grpo.gradient_accumulation_steps,
            grpo.learning_rate, grpo.num_generations, grpo.max_completion_length, grpo.bf16, grpo.fp16,
            args.compute_dtype) == (1, 1, 8, 1e-5, 4, 512, True, False, "float16")
    # the GPU preset keeps the seed's 8 completions per step (2 prompts x 4) but scores them in one batch of 8,
    # and changes the learning rate (precision follows the hardware)
    _, _, gpu = train_rl.parse_args(["--preset", "gpu", "--use_cpu", "True"], precision=A100)
    assert (gpu.per_device_train_batch_size, gpu.gradient_accumulation_steps, gpu.num_generations,
            gpu.max_completion_length) == (8, 1, 4, 512)
    assert (gpu.per_device_train_batch_size * gpu.steps_per_generation
            == grpo.per_device_train_batch_size * grpo.steps_per_generation == 8)  # the same generation batch
    assert gpu.learning_rate == train_rl.PRESETS["gpu"]["learning_rate"] > 1e-5


def one_layer(u=4, rank=2, seed=0):
    torch.manual_seed(seed)
    base = nn.Linear(32, 24)
    v = nn.Parameter(torch.zeros(u))
    U, S, Vh = train_rl.svd_skeleton(base.weight.detach(), rank)
    layer = train_rl.TinyLoRALinear(base, v, U, S, Vh, train_rl.projection_tensor(u, rank, seed, 0))
    return nn.Sequential(layer), layer, v


def test_update_size_is_delta_over_output_measured_by_hand():
    model, layer, v = one_layer()
    x = torch.randn(3, 5, 32)
    model(x).sum().backward()
    size = train_rl.take_update_size(model)
    assert size["mean"] == 0 and size["max"] == 0 and size["dtype"] == "float32"  # v = 0: no update
    assert size["resolution"] == pytest.approx(2 ** -24)
    with torch.no_grad():
        v.copy_(torch.tensor([0.3, -0.1, 0.2, 0.05]))
    by_hand = []
    for batch in (x, 2 * x + 1):
        model(batch).sum().backward()
        with torch.no_grad():
            R = torch.einsum("u,urs->rs", v, layer.P) / math.sqrt(4)
            delta = batch @ (layer.U @ torch.diag(layer.S) @ R @ layer.Vh).T
            by_hand.append((delta.norm() / layer.base(batch).norm()).item())
    size = train_rl.take_update_size(model)
    assert size["mean"] == pytest.approx(sum(by_hand) / 2, rel=1e-5) and size["mean"] > 0
    assert train_rl.take_update_size(model) is None  # read once, then reset
    with torch.no_grad():  # generation builds no gradient: not counted
        model(x)
    assert train_rl.take_update_size(model) is None


def test_update_size_in_bf16_is_compared_with_bf16_resolution():
    model, layer, v = one_layer()
    layer.base.to(torch.bfloat16)  # a bf16 model; the skeleton and v stay fp32
    with torch.no_grad():
        v.copy_(torch.full((4,), 1e-4))
    model(torch.randn(2, 32, dtype=torch.bfloat16)).float().sum().backward()
    size = train_rl.take_update_size(model)
    assert size["dtype"] == "bfloat16" and size["resolution"] == pytest.approx(2 ** -8)
    assert 0 < size["mean"] < size["resolution"]  # an update this small is below what bf16 keeps
    assert reporting.dtype_name(size["resolution"]) == "bfloat16"


def make_saved_v(model_dir, path, load_in_4bit=False, rank=2):
    model, _ = train_rl.load_model_and_tokenizer(model_dir, load_in_4bit)
    v = nn.Parameter(torch.zeros(4))
    train_rl.apply_tiny_lora(model, v, rank=rank)
    with torch.no_grad():
        v.copy_(torch.tensor([0.1, -0.2, 0.3, -0.4]))
    train_rl.save_tiny_lora(str(path), model, v)
    return model


def test_fingerprint_accepts_the_same_model_and_rejects_another_skeleton(tiny_model_dir, tmp_path):
    full, nf4 = tmp_path / "full.pt", tmp_path / "nf4.pt"
    make_saved_v(tiny_model_dir, full)
    make_saved_v(tiny_model_dir, nf4, load_in_4bit=True)
    saved = train_rl.read_tiny_lora(str(full))["fingerprint"]
    assert saved["quantization"] is None and saved["weight_dtype"] == "float32" and saved["svd_device"] == "cpu"
    assert saved["singular_values"].shape == (len(saved["layers"]), 2)

    model, _ = train_rl.load_model_and_tokenizer(tiny_model_dir, False)
    v = train_rl.load_tiny_lora(model, str(full))  # same model, rebuilt: accepted
    assert v.tolist() == pytest.approx([0.1, -0.2, 0.3, -0.4])

    model, _ = train_rl.load_model_and_tokenizer(tiny_model_dir, False)
    with pytest.raises(ConfigError, match="trained on a nf4 base .* this model is not quantized"):
        train_rl.load_tiny_lora(model, str(nf4))
    model, _ = train_rl.load_model_and_tokenizer(tiny_model_dir, True)
    with pytest.raises(ConfigError, match="trained on a non-quantized base .* this model is nf4"):
        train_rl.load_tiny_lora(model, str(full))
    model, _ = train_rl.load_model_and_tokenizer(tiny_model_dir, True)
    assert train_rl.load_tiny_lora(model, str(nf4)).abs().sum() > 0  # 4-bit to 4-bit: accepted

    model, _ = train_rl.load_model_and_tokenizer(tiny_model_dir, False)  # deliberate: a warning, not an error
    assert train_rl.load_tiny_lora(model, str(nf4), strict=False).abs().sum() > 0

    make_saved_v(tiny_model_dir, tmp_path / "rank3.pt", rank=3)
    model, _ = train_rl.load_model_and_tokenizer(tiny_model_dir, False)
    train_rl.apply_tiny_lora(model, nn.Parameter(torch.zeros(4)), rank=2)
    with pytest.raises(ConfigError, match="rank: saved 3 vs model 2"):
        train_rl.load_tiny_lora(model, str(tmp_path / "rank3.pt"))

    # a skeleton computed elsewhere that differs beyond the tolerance (here: one layer's spectrum off by 1%)
    payload = torch.load(full, weights_only=True)
    payload["fingerprint"]["singular_values"][3] *= 1.01
    payload["fingerprint"]["svd_device"] = "cuda"
    torch.save(payload, tmp_path / "other.pt")
    model, _ = train_rl.load_model_and_tokenizer(tiny_model_dir, False)
    with pytest.raises(ConfigError, match=r"singular values up to 9\.9e-03 apart \(layer model.layers.0.self_attn.o_proj.*SVD on cuda"):
        train_rl.load_tiny_lora(model, str(tmp_path / "other.pt"))


def test_a_bf16_run_with_a_tiny_learning_rate_is_warned_about(coder_model_dir, data_file, tmp_path, capsys):
    from test_training import train_argv

    out = tmp_path / "run"
    train_rl.main(train_argv(coder_model_dir, data_file, out, "--bf16", "True", "--compute_dtype", "bfloat16",
                             "--learning_rate", "1e-7", "--save_steps", "10"))
    printed = capsys.readouterr().out
    assert "WARNING: after 1 of 2 steps the adapter changes each layer's output by" in printed
    assert "below what bfloat16 resolves (3.9e-03)" in printed
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert all(r["tiny_lora/dtype_resolution"] == 2 ** -8 for r in records)
    assert records[1]["tiny_lora/update_size_mean"] < 2 ** -8
    assert "update 0.0e+00 of the output" in printed and "bfloat16 resolves 3.9e-03" in printed


def test_only_the_is_gradient_checkpointing_future_warning_is_silenced(tiny_model_dir):
    """In a fresh process, as users run it (pytest resets warning filters set while it imports test modules)."""
    code = (
        "import warnings, train_rl\n"
        "from transformers import AutoModelForCausalLM\n"
        f"model = AutoModelForCausalLM.from_pretrained({tiny_model_dir!r})\n"
        "assert model.is_gradient_checkpointing is False\n"  # what TRL reads around every generation
        "warnings.warn('`is_activation_checkpointing` is deprecated', FutureWarning)\n"  # any other: still shown
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "`is_activation_checkpointing` is deprecated" in proc.stderr
    assert "`is_gradient_checkpointing` is deprecated" not in proc.stderr


def test_unsupported_gpus_are_refused_at_start_up(monkeypatch):
    assert "7.0 or newer" in hardware.unsupported_gpu((6, 1), ["sm_60", "sm_61", "sm_70"])  # a P100/GTX 10x0
    assert hardware.unsupported_gpu((7, 5), ["sm_75", "sm_80", "sm_90", "compute_90"]) is None  # T4
    assert hardware.unsupported_gpu((8, 6), ["sm_80", "sm_90a"]) is None  # sm_80 kernels run on 8.6
    assert hardware.unsupported_gpu((9, 0), ["sm_80", "compute_80"]) is None  # PTX is compiled for newer GPUs
    assert "kernels for sm_75, sm_80" in hardware.unsupported_gpu((7, 0), ["sm_75", "sm_80"])  # V100, no sm_70 build
    assert hardware.unsupported_gpu((7, 0), []) is None  # nothing known about the build: let torch speak

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda *a: "Tesla P100-PCIE-16GB")
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda *a: (6, 0))
    monkeypatch.setattr(torch.cuda, "get_arch_list", lambda: ["sm_75", "sm_80"])
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda including_emulation=True: including_emulation)
    with pytest.raises(ConfigError, match=r"Tesla P100-PCIE-16GB \(compute capability 6\.0\): the trainer needs"):
        train_rl.parse_args(["--preset", "cpu"])  # before anything is loaded
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda *a: "Tesla T4")
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda *a: (7, 5))
    t4 = hardware.hardware_precision()  # bf16 is emulated only: is_bf16_supported(including_emulation=False) is False
    assert (t4.bf16, t4.fp16, t4.compute_dtype) == (False, False, "float32") and "Tesla T4" in t4.reason


def layer_outputs(model_dir, bf16, fp16, compute_dtype):
    """The dtypes a TinyLoRA layer and a decoder layer really output, under the autocast the Trainer would use."""
    model, _ = train_rl.load_model_and_tokenizer(model_dir, False, compute_dtype)
    train_rl.apply_tiny_lora(model, nn.Parameter(torch.full((4,), 1e-3)))
    seen = {}

    def record(name):
        def hook(module, inputs, output):  # a decoder layer returns a tensor, or a tuple in older transformers
            seen[name] = (output[0] if isinstance(output, tuple) else output).dtype
        return hook

    model.model.layers[1].mlp.down_proj.register_forward_hook(record("linear"))
    model.model.layers[0].register_forward_hook(record("residual"))
    autocast = torch.bfloat16 if bf16 else torch.float16 if fp16 else None
    with torch.no_grad(), torch.autocast("cpu", dtype=autocast or torch.bfloat16, enabled=autocast is not None):
        model(torch.tensor([[3, 4, 5]]))
    return seen["linear"], seen["residual"]


@pytest.mark.parametrize("settings", [
    (A100.bf16, A100.fp16, A100.compute_dtype),  # gpu preset on a bf16 GPU
    (T4.bf16, T4.fp16, T4.compute_dtype),  # gpu preset on a T4 / V100
    (False, True, "float16"),  # a T4 with --fp16 True --compute_dtype float16
    (False, False, "float32"),  # cpu preset
    (True, False, "float16"),  # seed preset: fp16 layers under bf16 autocast
])
def test_start_up_dtypes_are_what_the_layers_output(tiny_model_dir, settings):
    assert hardware.layer_dtypes(*settings) == layer_outputs(tiny_model_dir, *settings)


def test_seed_preset_says_its_residual_stream_is_fp32():
    seed = train_rl.PRESETS["seed"]
    assert hardware.layer_dtypes(seed["bf16"], seed["fp16"], seed["compute_dtype"]) == (torch.bfloat16, torch.float32)
