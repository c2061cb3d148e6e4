"""The GPU path's start-up and step-loop behaviour, reached on CPU: one GPU per process, DDP settings, the
non-finite guard, the checkpointing hooks, the console, and the model folder checks."""

import importlib
import json
import os
import shutil
from types import SimpleNamespace

import pytest
import torch
import torch.nn as nn
from trl import GRPOTrainer

import hardware
import model_files
import reporting
import train_rl
from hardware import PrecisionError
from train_rl import ConfigError


def even_tokens(completion_ids, **kwargs):
    """A reward with variance inside every group, so GRPO's advantages are not all zero."""
    return [sum(i % 2 == 0 for i in ids) / max(len(ids), 1) for ids in completion_ids]


def build_trainer(model_dir, tmp_path, *flags, callbacks=()):
    args, _, grpo_config = train_rl.parse_args([
        "4", "--preset", "cpu", "--output_dir", str(tmp_path / "run"), "--max_steps", "3", "--save_strategy", "no",
        "--per_device_train_batch_size", "4", "--num_generations", "4", "--max_completion_length", "8", *flags])
    model, tokenizer = train_rl.load_model_and_tokenizer(model_dir, False)
    train_rl.apply_tiny_lora(model, nn.Parameter(torch.zeros(args.u)))
    problems = [{"pid": f"T{i}", "prompt": "输入 a b，输出 a+b。", "test_cases": [{"input": "1 2", "output": "3"}]}
                for i in range(4)]
    return train_rl.TinyLoRAGRPOTrainer(model=model, reward_funcs=[even_tokens], args=grpo_config,
                                        train_dataset=train_rl.build_dataset(problems), processing_class=tokenizer,
                                        callbacks=list(callbacks))


class HookCounter(train_rl.TrainerCallback):
    def __init__(self):
        self.counts = []

    def on_step_end(self, args, state, control, model=None, **kwargs):
        self.counts.append(len(model.get_input_embeddings()._forward_hooks))


def test_checkpointing_hooks_do_not_pile_up_on_a_full_precision_model(tiny_model_dir, tmp_path):
    counter = HookCounter()
    trainer = build_trainer(tiny_model_dir, tmp_path, "--activation_checkpointing", "True", callbacks=[counter])
    assert not getattr(trainer.model, "is_quantized", False)
    trainer.train()  # TRL turns checkpointing off and on around each of the 3 generations
    assert trainer.model.is_gradient_checkpointing
    assert len(counter.counts) == 3 and counter.counts[0] == counter.counts[2] == 1, counter.counts


@pytest.mark.parametrize("disable_tqdm", ["False", "True"])
def test_one_readable_line_per_step_and_no_raw_log_dict(tiny_model_dir, tmp_path, capsys, disable_tqdm):
    metrics = tmp_path / "metrics.jsonl"
    trainer = build_trainer(tiny_model_dir, tmp_path, "--disable_tqdm", disable_tqdm,
                            callbacks=[reporting.MetricsLogger(str(metrics))])
    trainer.train()
    printed = capsys.readouterr()
    lines = (printed.out + printed.err).splitlines()
    assert [line.split("]")[0] for line in lines if line.startswith("[step ")] == ["[step 1", "[step 2", "[step 3"]
    assert not [line for line in lines if "{'" in line], lines  # transformers' dicts, e.g. {'loss': ..., 'reward': ...}
    assert len(metrics.read_text().splitlines()) == 3 and "reward" in json.loads(metrics.read_text().splitlines()[0])


def test_several_visible_gpus_train_on_one_and_say_how_to_use_all(tiny_model_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda *a: "Tesla T4")
    _, _, grpo_config = train_rl.parse_args(["--preset", "cpu", "--output_dir", str(tmp_path / "run")])
    grpo_config._n_gpu = 2  # what TrainingArguments sets up in one process that sees two GPUs
    with pytest.raises(ValueError, match="does not support `nn.DataParallel`"):  # TRL's check, after loading
        build_trainer_with(grpo_config, tiny_model_dir)
    line = hardware.use_one_gpu(grpo_config)
    assert "2 GPUs are visible" in line and "cuda:0 (Tesla T4)" in line and "accelerate launch --num_processes 2" in line
    assert grpo_config.n_gpu == 1
    build_trainer_with(grpo_config, tiny_model_dir)  # no DataParallel, no error
    assert hardware.use_one_gpu(grpo_config) is None  # one GPU: nothing to say


def build_trainer_with(grpo_config, model_dir):
    model, tokenizer = train_rl.load_model_and_tokenizer(model_dir, False)
    train_rl.apply_tiny_lora(model, nn.Parameter(torch.zeros(4)))
    dataset = train_rl.build_dataset([{"pid": "T", "prompt": "a+b", "test_cases": [{"input": "", "output": ""}]}])
    return train_rl.TinyLoRAGRPOTrainer(model=model, reward_funcs=[even_tokens], args=grpo_config,
                                        train_dataset=dataset, processing_class=tokenizer)


def test_data_parallel_settings(tmp_path):
    def config(*flags):
        return train_rl.parse_args(["--preset", "cpu", "--output_dir", str(tmp_path), *flags])[2]

    grpo_config = config()
    hardware.data_parallel_settings(grpo_config, 2)
    assert grpo_config.ddp_broadcast_buffers is False and grpo_config.ddp_find_unused_parameters is False
    grpo_config = config("--ddp_broadcast_buffers", "True")
    hardware.data_parallel_settings(grpo_config, 2)
    assert grpo_config.ddp_broadcast_buffers is True  # the user's choice stays
    reentrant = ["--activation_checkpointing", "True", "--activation_checkpointing_kwargs", '{"use_reentrant": true}']
    hardware.data_parallel_settings(config(*reentrant), 1)  # one process: no DDP, allowed
    with pytest.raises(ConfigError, match="use_reentrant=True activation checkpointing does not work with data-parallel"):
        hardware.data_parallel_settings(config(*reentrant), 2)


def test_a_non_finite_loss_stops_the_run(tiny_model_dir, tmp_path, monkeypatch):
    trainer = build_trainer(tiny_model_dir, tmp_path)
    monkeypatch.setattr(GRPOTrainer, "training_step", lambda self, *a, **k: torch.tensor(float("nan")))
    with pytest.raises(PrecisionError, match="the loss is nan in step 1; stopping"):
        trainer.train()
    assert train_rl.tiny_lora_vector(trainer.model).abs().sum() == 0


def test_a_run_of_skipped_scaler_steps_stops_the_run_and_silences_the_learning_rate_advice(
        tiny_model_dir, tmp_path, capsys):
    accelerator = SimpleNamespace(optimizer_step_was_skipped=True)
    guard = hardware.NonFiniteGuard(accelerator)
    state = SimpleNamespace(global_step=0)
    for skipped in [True] * 4 + [False] + [True] * 4:  # calibration skips, then a real step: no stop
        accelerator.optimizer_step_was_skipped = skipped
        state.global_step += 1
        guard.on_step_end(None, state, None)
    assert guard.skipped == 8 and guard.skipped_in_a_row == 4
    state.global_step += 1
    with pytest.raises(PrecisionError, match=r"skipped the last 5 optimizer steps \(up to step 10\).*v has not changed"):
        guard.on_step_end(None, state, None)

    trainer = build_trainer(tiny_model_dir, tmp_path, "--bf16", "True")
    trainer.state.max_steps, trainer.state.global_step = 10, 5
    tiny_update = {"mean": 0.0, "max": 0.0, "dtype": "bfloat16", "resolution": 2 ** -8}
    trainer.non_finite_guard.skipped = 2  # some steps were skipped: the lr is not what to blame
    trainer._warn_if_update_unresolved(tiny_update)
    assert "WARNING" not in capsys.readouterr().out
    trainer.non_finite_guard.skipped = 0
    trainer._warn_if_update_unresolved(tiny_update)
    assert "Raise --learning_rate" in capsys.readouterr().out


def test_overflowing_hidden_states_stop_the_forward(tiny_model_dir):
    model, _ = train_rl.load_model_and_tokenizer(tiny_model_dir, False)
    hardware.stop_on_non_finite_hidden_states(model)
    ids = torch.tensor([[3, 4, 5]])
    model(ids)  # finite: nothing happens
    with torch.no_grad():
        model.model.layers[1].mlp.down_proj.weight[0, 0] = float("inf")
    with pytest.raises(PrecisionError, match="hidden states overflowed to inf/NaN.*--compute_dtype float16"):
        model(ids)


def test_model_folder_completeness(tiny_model_dir, tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(tiny_model_dir, folder)
    assert model_files.missing_weights(str(folder)) is None
    weights = folder / "model.safetensors"
    data = weights.read_bytes()
    weights.write_bytes(data[: len(data) // 2])  # a download cut off half-way
    assert model_files.missing_weights(str(folder)) == "missing or incomplete weights: model.safetensors"
    weights.write_bytes(data)
    (folder / "model.safetensors.index.json").write_text(json.dumps(
        {"weight_map": {"a": "model.safetensors", "b": "model-00002-of-00002.safetensors"}}))
    assert model_files.missing_weights(str(folder)) == "missing or incomplete weights: model-00002-of-00002.safetensors"
    (folder / "config.json").unlink()
    assert model_files.missing_weights(str(folder)) == "no config.json"


def test_an_interrupted_download_is_resumed(tiny_model_dir, tmp_path, monkeypatch):
    modelscope_download = importlib.import_module("modelscope.hub.snapshot_download")  # the module, not its function

    folder = tmp_path / "models" / "3b"
    shutil.copytree(tiny_model_dir, folder)
    (folder / "model.safetensors").write_bytes(b"")  # left empty by an interrupted download
    calls = []

    def download(model_id, local_dir):
        calls.append((model_id, local_dir))
        shutil.copy(os.path.join(tiny_model_dir, "model.safetensors"), os.path.join(local_dir, "model.safetensors"))

    monkeypatch.setattr(modelscope_download, "snapshot_download", download)
    assert model_files.ensure_gpu_model(str(folder), "qwen/x") == str(folder)
    assert calls == [("qwen/x", str(folder))]
    assert model_files.ensure_gpu_model(str(folder), "qwen/x") == str(folder) and len(calls) == 1  # complete: no download
    (folder / "model.safetensors").write_bytes(b"")
    monkeypatch.setattr(modelscope_download, "snapshot_download", lambda model_id, local_dir: None)  # fetched nothing
    with pytest.raises(ConfigError, match="is still not complete"):
        model_files.ensure_gpu_model(str(folder), "qwen/x")


def test_hugging_face_hub_ids(tiny_model_dir, monkeypatch):
    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "snapshot_download", lambda repo_id, **kwargs: tiny_model_dir)
    path, why = train_rl.resolve_model(train_rl.ScriptArguments(model_name_or_path="Qwen/Qwen2.5-Coder-3B-Instruct"))
    assert path == tiny_model_dir and "Hugging Face hub" in why

    def offline(repo_id, **kwargs):
        raise OSError("We couldn't connect to 'https://huggingface.co'.\nCheck your connection.")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", offline)
    with pytest.raises(ConfigError, match=r"neither a folder here nor a Hugging Face hub model .*\(OSError: We couldn't connect") as e:
        train_rl.resolve_model(train_rl.ScriptArguments(model_name_or_path="Qwen/Qwen2.5-Coder-3B-Instruct"))
    assert "\n" not in str(e.value)
    with pytest.raises(ConfigError, match="model folder ./nope/x does not exist"):
        train_rl.resolve_model(train_rl.ScriptArguments(model_name_or_path="./nope/x"))


HOLD_THE_LOCK = """
import sys, time
sys.path.insert(0, {root!r})
import model_files
with model_files.folder_lock({folder!r}):
    print("locked", flush=True)
    time.sleep(2)
    open({marker!r}, "w").write("downloaded")
"""


def test_processes_wait_for_the_one_preparing_the_model_folder(tmp_path):
    """What a second process of `accelerate launch` does while the first downloads: it waits on the file lock, with no
    distributed barrier (and so no ddp_timeout) involved, and then finds the folder ready."""
    import subprocess
    import sys

    folder, marker = str(tmp_path / "models" / "3b"), str(tmp_path / "marker")
    os.makedirs(os.path.dirname(folder))
    code = HOLD_THE_LOCK.format(root=os.path.dirname(os.path.abspath(model_files.__file__)), folder=folder, marker=marker)
    first = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert first.stdout.readline().strip() == "locked"
    with model_files.folder_lock(folder):
        assert open(marker).read() == "downloaded"  # entered only after the first process finished
    assert first.wait(timeout=60) == 0
