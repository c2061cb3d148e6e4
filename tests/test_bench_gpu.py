"""bench/bench_gpu.py: the --tiny run on CPU (the same code a GPU run takes), its OOM row, its errors."""

import json
import os
import subprocess
import sys

import pytest
import torch

import train_rl

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench", "bench_gpu.py")
sys.path.insert(0, os.path.join(ROOT, "bench"))
import bench_gpu  # noqa: E402


def test_tiny_bench_trains_v_with_the_gpu_preset(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, BENCH, "--tiny", "--steps", "2", "--json", str(out)], capture_output=True,
                          text=True, cwd=tmp_path, env={**os.environ, "OMP_NUM_THREADS": "1"}, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    table = proc.stdout.splitlines()
    assert any(line.startswith("tiny-nf4 (NF4 + ") and " ok " in line for line in table), proc.stdout
    assert any(line.startswith("tiny-full (float32)") and " ok " in line for line in table), proc.stdout
    assert "SYNTHETIC" in proc.stdout and "device: CPU" in proc.stdout
    assert "side by side: s/step tiny-nf4 / tiny-full = " in proc.stdout
    decode = [line for line in table if line.startswith("  tiny-")]  # base model vs TinyLoRA, per configuration
    assert len(decode) == 2 and all(" base " in line and " TinyLoRA " in line and "overhead" in line for line in decode)
    assert f"results: {out}" in proc.stdout

    saved = json.loads(out.read_text())
    assert saved["device"] == "CPU" and saved["capability"] is None and saved["card"] == "t4"
    assert set(saved["versions"]) == {"torch", "transformers", "trl", "bitsandbytes"}
    results = saved["results"]
    assert [r["config"] for r in results] == ["tiny-nf4", "tiny-full"]
    gpu_preset = train_rl.PRESETS["gpu"]
    for r in results:
        assert r["status"] == "ok" and r["v_changed"] and r["v_finite"] and r["v_dtype"] == "float32"
        assert r["tiny_lora_layers"] == 14 and r["svd_s"] > 0  # 2 layers x 7 linears
        settings = r["settings"]
        for key in ("per_device_train_batch_size", "gradient_accumulation_steps", "num_generations", "learning_rate"):
            assert settings[key] == gpu_preset[key]  # the preset as it is now, not a copy
        length = settings["max_completion_length"]
        completions_per_step = settings["per_device_train_batch_size"] * settings["gradient_accumulation_steps"]
        assert len(r["steps"]) == 2
        for step in r["steps"]:
            assert step["completions/mean_length"] == length  # forced to full length
            assert step["generated_tokens"] == length * completions_per_step
            phases = [step[f"time/{p}_s"] for p in ("generation", "judge", "other_rollout", "policy_update")]
            assert all(t >= 0 for t in phases) and sum(phases) == pytest.approx(step["step_time"], rel=0.05)
        assert r["summary"]["tokens_per_s"] > 0 and r["summary"]["step_s"] > 0
        assert r["decode_base_tok_s"] > 0 and r["decode_tinylora_tok_s"] > 0 and r["decode_tokens"] == 16
    assert results[0]["load_in_4bit"] and not results[1]["load_in_4bit"] and results[1]["dtype"] == "float32"


def test_out_of_memory_is_a_table_row_not_a_crash(monkeypatch, capsys):
    def out_of_memory(*args, **kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(train_rl, "load_model_and_tokenizer", out_of_memory)
    result = bench_gpu.run_configuration("7b-nf4", "unused", True, steps=1, budget_gb=None, tiny=True)
    assert result["status"] == "OOM" and "Tried to allocate" in result["error"] and "v_changed" not in result
    result["summary"] = bench_gpu.summarize(result)
    bench_gpu.print_table([result], ["device: test"])
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("7b-nf4"))
    assert "OOM" in row.split()

    def other_failure(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(train_rl, "load_model_and_tokenizer", other_failure)
    with pytest.raises(RuntimeError, match="boom"):  # anything else is a real failure, not an OOM
        bench_gpu.run_configuration("7b-nf4", "unused", True, steps=1, budget_gb=None, tiny=True)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error on a machine without CUDA")
def test_without_cuda_only_tiny_runs(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["bench_gpu.py"])  # the script turns ConfigError into one "error:" line
    with pytest.raises(train_rl.ConfigError, match="needs a CUDA GPU"):
        bench_gpu.main()
    monkeypatch.setattr(sys, "argv", ["bench_gpu.py", "--tiny", "--configs", "3b-nf4"])
    with pytest.raises(train_rl.ConfigError, match="unknown --configs 3b-nf4"):
        bench_gpu.main()


def test_the_card_is_modelled_with_its_cuda_context():
    # a T4 reports 14.74 GiB including the context; here the context and workspaces take 0.5 GiB outside the allocator
    assert bench_gpu.allocator_cap(139.8, 0.5, bench_gpu.CARDS["t4"], None) == pytest.approx(14.24)
    assert bench_gpu.allocator_cap(139.8, 0.5, bench_gpu.CARDS["t4"], 12.0) == 12.0  # --budget_gb wins
    assert bench_gpu.allocator_cap(139.8, 0.5, None, None) == 139.8  # --card own
    assert bench_gpu.allocator_cap(10.0, 0.5, bench_gpu.CARDS["v100"], None) == 10.0  # never above the device
    with pytest.raises(train_rl.ConfigError, match="no memory left"):
        bench_gpu.allocator_cap(139.8, 16.0, bench_gpu.CARDS["t4"], None)


def test_the_extra_rows_change_only_precision_or_batch_shape(tmp_path):
    flags = {name: extra for name, (_, _, extra) in bench_gpu.CONFIGS.items()}
    args, grpo = bench_gpu.grpo_settings(str(tmp_path), 1, tiny=False, extra_flags=flags["3b-nf4-fp32"])
    assert (grpo.bf16, grpo.fp16, args.compute_dtype) == (False, False, "float32")
    assert grpo.per_device_train_batch_size == train_rl.PRESETS["gpu"]["per_device_train_batch_size"]
    _, seed_shape = bench_gpu.grpo_settings(str(tmp_path), 1, tiny=False, extra_flags=flags["3b-nf4-1x8"])
    _, preset = bench_gpu.grpo_settings(str(tmp_path), 1, tiny=False)
    assert (seed_shape.per_device_train_batch_size, seed_shape.gradient_accumulation_steps) == (1, 8)
    assert (seed_shape.per_device_train_batch_size * seed_shape.steps_per_generation
            == preset.per_device_train_batch_size * preset.steps_per_generation)  # the same generation batch
    assert flags["3b-nf4-fp16"] == ["--bf16", "False", "--fp16", "True", "--compute_dtype", "float16"]
    assert flags["3b-nf4"] == []  # the GPU's own precision


def test_a_real_model_folder_runs_in_the_same_rows(tiny_model_dir, tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, BENCH, "--tiny", "--model", tiny_model_dir, "--configs", "model-nf4,model-full",
                           "--steps", "1", "--json", str(out)], capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, "OMP_NUM_THREADS": "1"}, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"models: {tiny_model_dir} (real weights)" in proc.stdout and "building a random model" not in proc.stderr
    results = json.loads(out.read_text())["results"]
    assert [(r["config"], r["status"], r["load_in_4bit"]) for r in results] == [("model-nf4", "ok", True),
                                                                                 ("model-full", "ok", False)]
    assert os.path.isfile(os.path.join(tiny_model_dir, "config.json"))  # the user's folder is left in place
