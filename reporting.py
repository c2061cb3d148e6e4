"""What a training run reports: one readable line per optimizer step on the console, every logged number in
<output_dir>/metrics.jsonl, and at the end the training curves drawn from that file.

TinyLoRAGRPOTrainer.log adds the project's own numbers to TRL's: tiny_lora/* (|v|, and the size of the update beside
the resolution of the dtype it is added in), time/* (seconds per phase of a step) and judge/* (code_reward_func's
share of completions with code, compiled, passing). MetricsLogger writes them and prints the step line on process 0
only (train_rl.ProgressBar keeps transformers' progress bar without its print of every raw log dict). metrics.jsonl
holds numbers only, so dtype_name turns a logged resolution back into its dtype's name. results/summarize.py reads
the same file into a results folder's table and curves.
"""

import json
import os

from tqdm.auto import tqdm
from transformers import TrainerCallback

from hardware import DTYPES, dtype_resolution
from model_files import atomic_path


class MetricsLogger(TrainerCallback):
    """Appends every training log to metrics.jsonl and prints one readable line per step."""

    def __init__(self, path: str):
        self.path = path

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not state.is_world_process_zero:
            return
        if not logs or "reward" not in logs:
            return
        record = {"step": state.global_step, **{k: v for k, v in logs.items() if isinstance(v, (int, float))}}
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
        update = ""
        if "tiny_lora/update_size_mean" in logs:
            update = (f" | update {logs['tiny_lora/update_size_mean']:.1e} of the output (max "
                      f"{logs['tiny_lora/update_size_max']:.1e}; {dtype_name(logs['tiny_lora/dtype_resolution'])} "
                      f"resolves {logs['tiny_lora/dtype_resolution']:.1e})")
        if "sampling/importance_sampling_ratio/mean" in logs:
            update += (f" | IS ratio {logs['sampling/importance_sampling_ratio/mean']:.3f} "
                       f"[{logs['sampling/importance_sampling_ratio/min']:.3f}, "
                       f"{logs['sampling/importance_sampling_ratio/max']:.3f}], "
                       f"{logs['sampling/importance_sampling_ratio/frac_outside']:.0%} outside the bounds")
        tqdm.write(
            f"[step {state.global_step}] reward {logs['reward']:.3f} ± {logs.get('reward_std', 0):.3f} | "
            f"groups without signal {logs.get('frac_reward_zero_std', float('nan')):.2f} | "
            f"compiled {logs.get('judge/compiled', float('nan')):.2f} | all tests passed "
            f"{logs.get('judge/all_passed', float('nan')):.2f} | length {logs.get('completions/mean_length', 0):.0f} | "
            f"step {logs.get('step_time', 0):.1f}s (generation {logs.get('time/generation_s', 0):.1f}s, judge "
            f"{logs.get('time/judge_s', 0):.1f}s, update {logs.get('time/policy_update_s', 0):.1f}s) | "
            f"|v| {logs.get('tiny_lora/v_norm', 0):.2e}{update}"
        )


def dtype_name(resolution: float) -> str:
    """The dtype a logged resolution belongs to (metrics.jsonl holds numbers only)."""
    return next((name for name, dtype in DTYPES.items() if dtype_resolution(dtype) == resolution), "its dtype")


def read_metrics(path: str) -> list[dict]:
    if not os.path.isfile(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def plot_metrics(records: list[dict], png_path: str) -> None:
    """Reward and pass rates over steps, written atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    steps = [r["step"] for r in records]
    fig, ax = plt.subplots(figsize=(7, 4))
    for key, label in [("reward", "mean reward"), ("judge/compiled", "compiled"), ("judge/all_passed", "all tests passed")]:
        ax.plot(steps, [r.get(key, float("nan")) for r in records], marker="o", label=label)
    ax.set_xlabel("optimizer step")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(-0.05, 1.05)
    ax.set_title("GRPO with TinyLoRA")
    ax.grid(alpha=0.3)
    ax.legend()
    with atomic_path(png_path) as tmp:
        fig.savefig(tmp, dpi=120, bbox_inches="tight")
    plt.close(fig)
