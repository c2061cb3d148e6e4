"""export_model.py: the written folder is a plain model equal to the adapted one, the update's error in each dtype,
a 4-bit base exported dequantized, and bad input refused in one line with nothing left behind."""

import json
import os
import re
import subprocess
import sys

import pytest
import torch
import torch.nn as nn
from safetensors import safe_open
from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer, Qwen2ForCausalLM

import export_model
import train_rl
from train_rl import ConfigError

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IDS = torch.tensor([[5, 17, 42, 99, 7, 300, 12, 64]])


def save_v(model_dir: str, path: str, scale: float, four_bit: bool = False) -> str:
    """A v file as the trainer writes it: the adapter applied to the model, v set to scale * N(0, 1)."""
    model, _ = train_rl.load_model_and_tokenizer(model_dir, four_bit)
    v = nn.Parameter(torch.zeros(16))
    train_rl.apply_tiny_lora(model, v)
    with torch.no_grad():
        v.copy_(scale * torch.randn(16, generator=torch.Generator().manual_seed(0)))
    train_rl.save_tiny_lora(path, model, v)
    return path


def adapted_model(model_dir: str, v_path: str, four_bit: bool = False):
    model, _ = train_rl.load_model_and_tokenizer(model_dir, four_bit)
    train_rl.load_tiny_lora(model, v_path)
    return model.eval()


def exported_logit_difference(stdout: str) -> float:
    return float(re.search(r"vs adapted model ([0-9.e+-]+)", stdout).group(1))


def test_fp32_export_is_a_plain_model_with_the_adapted_logits(tiny_model_dir, tmp_path, capsys):
    v_path = save_v(tiny_model_dir, str(tmp_path / "v.pt"), 0.5)
    out = str(tmp_path / "merged")
    export_model.main(["--tiny_lora", v_path, "--output", out, "--dtype", "float32"])
    assert exported_logit_difference(capsys.readouterr().out) < 1e-4
    assert sorted(os.listdir(tmp_path)) == ["merged", "v.pt"]  # no staging folder left
    config = json.load(open(os.path.join(out, "config.json")))
    assert config["dtype"] == "float32" and "quantization_config" not in config

    # Loaded by a process that knows nothing of TinyLoRA: plain transformers only.
    script = (
        "import sys, torch\nfrom transformers import AutoModelForCausalLM\n"
        f"model = AutoModelForCausalLM.from_pretrained({out!r}, dtype='auto').eval()\n"
        "assert 'train_rl' not in sys.modules and 'export_model' not in sys.modules\n"
        f"torch.save(model(torch.tensor({IDS.tolist()})).logits, {str(tmp_path / 'logits.pt')!r})\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=str(tmp_path), capture_output=True)
    exported = torch.load(tmp_path / "logits.pt")
    with torch.no_grad():
        adapted = adapted_model(tiny_model_dir, v_path)(IDS).logits
        base = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)(IDS).logits
    assert exported.dtype == torch.float32
    assert torch.allclose(exported, adapted, atol=1e-5, rtol=1e-5)
    assert (adapted - base).abs().max() > 1e-2  # the update is really in the written weights


def test_update_error_small_in_fp32_lost_in_bf16_with_warning(tiny_model_dir, tmp_path, capsys):
    v_path = save_v(tiny_model_dir, str(tmp_path / "v.pt"), 1e-3)  # ‖ΔW‖/‖W‖ ~ 3e-4: below bf16's resolution
    errors = export_model.update_errors(adapted_model(tiny_model_dir, v_path))
    assert errors["overall"]["float32"] < 1e-3
    assert errors["overall"]["bfloat16"] > 0.5 and errors["overall"]["float16"] > 0.1
    assert len(errors["per_layer"]["bfloat16"]) == 14
    dtype, why = export_model.choose_dtype("auto", torch.bfloat16, errors)  # a bf16 model would lose it
    assert dtype == "float32" and "would lose the update" in why
    assert export_model.choose_dtype("auto", torch.float32, errors)[0] == "float32"

    export_model.main(["--tiny_lora", v_path, "--output", str(tmp_path / "merged"), "--dtype", "bfloat16"])
    captured = capsys.readouterr()
    assert "WARNING: in bfloat16 the update is mostly rounding noise" in captured.err
    assert "--dtype float32" in captured.err
    assert json.load(open(tmp_path / "merged" / "config.json"))["dtype"] == "bfloat16"

    export_model.main(["--tiny_lora", v_path, "--report_only"])  # the table alone, nothing written
    table = capsys.readouterr().out
    assert "| bfloat16 |" in table and "| float16 |" in table and "writing" not in table
    assert sorted(os.listdir(tmp_path)) == ["merged", "v.pt"]


def test_zero_v_has_no_defined_error(tiny_model_dir, tmp_path):
    errors = export_model.update_errors(adapted_model(tiny_model_dir, save_v(tiny_model_dir, str(tmp_path / "v.pt"), 0.0)))
    assert all(e is None for e in errors["overall"].values())
    assert all(e is None for e in errors["per_layer"]["bfloat16"])
    assert export_model.choose_dtype("auto", torch.bfloat16, errors)[0] == "bfloat16"  # nothing to lose


def test_4bit_base_exports_dequantized_weights_plus_update(tiny_model_dir, tmp_path, capsys):
    v_path = save_v(tiny_model_dir, str(tmp_path / "v.pt"), 0.5, four_bit=True)
    assert train_rl.read_tiny_lora(v_path)["quantized"] is True
    out = str(tmp_path / "merged")
    export_model.main(["--tiny_lora", v_path, "--output", out])  # loads 4-bit because the file says so
    stdout = capsys.readouterr().out
    assert "4-bit NF4: True" in stdout
    # The 4-bit forward computes in fp16; the written fp32 model must agree to that precision, not just roughly.
    assert exported_logit_difference(stdout) < 1e-2
    assert "quantization_config" not in json.load(open(os.path.join(out, "config.json")))

    reference = adapted_model(tiny_model_dir, v_path, four_bit=True)
    layer = reference.model.layers[1].mlp.down_proj
    expected = train_rl.dense_weight(layer.base) + layer.U @ layer.mixing_matrix() @ layer.Vh
    with safe_open(os.path.join(out, "model.safetensors"), "pt") as f:
        keys = set(f.keys())
        written = f.get_tensor("model.layers.1.mlp.down_proj.weight")
    plain = set(AutoModelForCausalLM.from_pretrained(tiny_model_dir).state_dict()) - {"lm_head.weight"}  # tied
    assert keys == plain  # no absmax / quant_map / quant_state entries
    assert written.dtype == torch.float32 and torch.allclose(written, expected, atol=1e-6)


def run_scripts(*argvs: list[str], cwd: str) -> list[subprocess.CompletedProcess]:
    """Run export_model.py as a user would, the runs side by side (each spends seconds importing torch)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    runs = [subprocess.Popen([sys.executable, os.path.join(REPO, "export_model.py"), *argv], cwd=cwd, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for argv in argvs]
    outputs = [run.communicate(timeout=300) for run in runs]
    return [subprocess.CompletedProcess(run.args, run.returncode, *out) for run, out in zip(runs, outputs)]


def assert_one_line_error(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error:") and message in last, last


def test_bad_input_one_line_errors_leave_nothing(tiny_model_dir, tmp_path):
    v_path = save_v(tiny_model_dir, str(tmp_path / "v.pt"), 0.5)
    other = str(tmp_path / "three-layers")  # same family, one layer more: 21 targeted linears instead of 14
    config = AutoConfig.from_pretrained(tiny_model_dir)
    config.num_hidden_layers, config.layer_types = 3, ["full_attention"] * 3
    Qwen2ForCausalLM(config).save_pretrained(other)
    AutoTokenizer.from_pretrained(tiny_model_dir).save_pretrained(other)
    a_file = tmp_path / "notes.txt"
    a_file.write_text("keep me")
    before = sorted(os.listdir(tmp_path))

    missing, mismatched, to_a_file = run_scripts(
        ["--tiny_lora", str(tmp_path / "missing.pt"), "--output", "merged"],
        ["--tiny_lora", v_path, "--model", other, "--output", "merged"],
        ["--tiny_lora", v_path, "--output", str(a_file)],
        cwd=str(tmp_path),
    )
    assert_one_line_error(missing, "no saved v at")
    assert_one_line_error(mismatched, "does not fit this model")
    assert_one_line_error(to_a_file, "exists and is not a folder")
    assert sorted(os.listdir(tmp_path)) == before and a_file.read_text() == "keep me"


def test_existing_folder_needs_overwrite_and_a_failed_export_keeps_it(tiny_model_dir, tmp_path, monkeypatch):
    v_path = save_v(tiny_model_dir, str(tmp_path / "v.pt"), 0.5)
    out = tmp_path / "merged"
    out.mkdir()
    (out / "mine.txt").write_text("user data")
    with pytest.raises(ConfigError, match="not empty; pass --overwrite"):
        export_model.main(["--tiny_lora", v_path, "--output", str(out)])
    with pytest.raises(ConfigError, match="not an earlier export"):  # --overwrite replaces only an export
        export_model.main(["--tiny_lora", v_path, "--output", str(out), "--overwrite"])
    assert os.listdir(out) == ["mine.txt"]

    (out / "mine.txt").unlink()
    export_model.main(["--tiny_lora", v_path, "--output", str(out), "--dtype", "float16"])
    first = sorted(os.listdir(out))

    class BrokenReload:  # fails after the new folder is written, before it is renamed into place
        @staticmethod
        def from_pretrained(*args, **kwargs):
            raise OSError("disk full")

    monkeypatch.setattr(export_model, "AutoModelForCausalLM", BrokenReload)
    with pytest.raises(OSError, match="disk full"):
        export_model.main(["--tiny_lora", v_path, "--output", str(out), "--overwrite", "--dtype", "float32"])
    assert sorted(os.listdir(tmp_path)) == ["merged", "v.pt"] and sorted(os.listdir(out)) == first
    assert json.load(open(out / "config.json"))["dtype"] == "float16"  # the earlier export, untouched

    monkeypatch.undo()
    export_model.main(["--tiny_lora", v_path, "--output", str(out), "--overwrite", "--dtype", "float32"])
    assert json.load(open(out / "config.json"))["dtype"] == "float32"
    assert sorted(os.listdir(tmp_path)) == ["merged", "v.pt"]
