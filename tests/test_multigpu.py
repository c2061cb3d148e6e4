"""Data-parallel training as users launch it (`accelerate launch`), here with two CPU processes (gloo)."""

import ast
import json
import os
import re
import subprocess
import sys

import pytest
import torch

import hardware
from test_training import ROOT, train_argv


def launch(argv, cwd, script=os.path.join(ROOT, "train_rl.py"), returncode=0):
    """`accelerate launch --multi_gpu`: accelerate's torchrun launcher, the one that runs N processes on GPUs.
    (`--cpu` would pick its single-process launcher; the CPU preset's use_cpu makes the processes use gloo.)"""
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
           "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", "0",
           script, *argv]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env, timeout=300)
    assert proc.returncode == returncode, proc.stdout[-3000:] + proc.stderr[-5000:]
    return proc.stdout, proc.stderr


def final_v_per_rank(stdout):
    found = dict(re.findall(r"^\[rank (\d)/2\] final v: (\[.*\])$", stdout, re.M))
    assert sorted(found) == ["0", "1"], stdout[-3000:]
    return [torch.tensor(ast.literal_eval(found[rank]), dtype=torch.float32) for rank in ("0", "1")]


def test_two_processes_train_one_v_then_resume(coder_model_dir, data_file, tmp_path):
    out = tmp_path / "run"
    # constant learning rate: resumed with a larger max_steps, the linear decay's saved lr is already 0
    argv = train_argv(coder_model_dir, data_file, out, "--lr_scheduler_type", "constant")
    out.mkdir()
    (out / "metrics.jsonl").write_text('{"step": 7, "reward": 1.0}\n')  # an old run's log: a fresh run replaces it
    stdout, _ = launch(argv, tmp_path)

    v0, v1 = final_v_per_rank(stdout)
    saved = torch.load(out / "final_v.pt", weights_only=True)
    assert saved["global_step"] == 2 and saved["v"].abs().sum() > 0
    # bit-identical on both processes (their completions differ: TRL seeds each process differently) and saved
    assert torch.equal(v0.view(torch.int32), v1.view(torch.int32))
    assert torch.equal(v0.view(torch.int32), saved["v"].view(torch.int32))
    assert stdout.count("[setup] model:") == 1 and stdout.count("[done]") == 2  # start-up and end printed once

    checkpoints = sorted(p for p in os.listdir(out) if p.startswith("checkpoint"))
    assert checkpoints == ["checkpoint-1", "checkpoint-2"]
    for checkpoint in checkpoints:
        files = sorted(os.listdir(out / checkpoint))
        assert files.count("tiny_lora_v.pt") == 1 and not [f for f in files if ".tmp" in f], files
        assert {"rng_state_0.pth", "rng_state_1.pth"} <= set(files)  # each process's own RNG, for resume
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == [1, 2]  # one line per step, not one per process

    stdout, _ = launch([*argv, "--max_steps", "3", "--resume"], tmp_path)
    assert json.loads((out / "checkpoint-3" / "trainer_state.json").read_text())["global_step"] == 3
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == [1, 2, 3]  # continued at step 3
    v0, v1 = final_v_per_rank(stdout)
    resumed = torch.load(out / "final_v.pt", weights_only=True)
    assert resumed["global_step"] == 3 and not torch.equal(resumed["v"], saved["v"])  # step 3 moved v
    assert torch.equal(v0.view(torch.int32), v1.view(torch.int32))
    assert torch.equal(v0.view(torch.int32), resumed["v"].view(torch.int32))


NO_GRADIENT_AVERAGING = """
import sys
sys.path.insert(0, {root!r})
import train_rl

training_step = train_rl.TinyLoRAGRPOTrainer.training_step
def without_gradient_averaging(self, *args, **kwargs):  # every backward inside DDP's no_sync
    with self.model_wrapped.no_sync():
        return training_step(self, *args, **kwargs)
train_rl.TinyLoRAGRPOTrainer.training_step = without_gradient_averaging
train_rl.main()
"""


def test_without_ddp_gradient_averaging_the_v_check_stops_the_run(coder_model_dir, data_file, tmp_path):
    """The processes' gradients really differ (so equal copies above mean DDP averaged them), and the check
    after every step stops every process before a diverged v is saved."""
    script = tmp_path / "no_averaging.py"
    script.write_text(NO_GRADIENT_AVERAGING.format(root=ROOT))
    out = tmp_path / "run"
    _, stderr = launch(train_argv(coder_model_dir, data_file, out, "--max_steps", "1"), tmp_path, str(script), 1)
    for rank in (0, 1):
        assert f"[rank{rank}]: RuntimeError: v is not the same on every process after step 1: rank(s) [1] differ " \
               "from rank 0 (rank 0: [" in stderr, stderr[-5000:]
    assert not (out / "checkpoint-1").exists() and not (out / "final_v.pt").exists()


def test_v_check_names_the_ranks_and_values_when_copies_differ(monkeypatch):
    """The comparison behind the all-gather (the launch above runs the real one after every step)."""
    def copies_of(*values):  # what the all-gather would return: each process's copy, by rank
        def all_gather(gathered, local):
            for out, value in zip(gathered, values):
                out.copy_(torch.tensor(value))
        monkeypatch.setattr(hardware.dist, "all_gather", all_gather)
        monkeypatch.setattr(hardware.dist, "get_world_size", lambda: len(values))

    monkeypatch.setattr(hardware.dist, "is_initialized", lambda: True)
    copies_of([0.5, -1.0], [0.5, -1.0], [0.5, -1.0])
    hardware.check_same_on_every_process(torch.tensor([0.5, -1.0]), "after step 7")
    for values, message in [
        (([0.5, -1.0], [0.5, -1.0], [0.5, -1.0000001]), r"rank\(s\) \[2\] differ from rank 0 .*rank 2: \[0\.5, -1\.0000001"),
        (([0.0], [-0.0], [0.0]), r"rank\(s\) \[1\] differ .*rank 1: \[-0\.0\]"),  # equal as numbers, not as bits
    ]:
        copies_of(*values)
        with pytest.raises(RuntimeError, match="v is not the same on every process after step 7: " + message):
            hardware.check_same_on_every_process(torch.tensor(values[0]), "after step 7")
