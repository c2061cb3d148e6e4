"""Per-step table and training curves of a run's metrics.jsonl, for a results folder.

    python results/summarize.py output/experiment/metrics.jsonl results/tinylora-0.5b-cpu
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import reporting  # noqa: E402
from model_files import atomic_path  # noqa: E402

COLUMNS = [  # (metrics.jsonl key, header, format)
    ("reward", "reward", ".3f"), ("frac_reward_zero_std", "no signal", ".0f"), ("judge/compiled", "compiled", ".2f"),
    ("judge/all_passed", "all passed", ".2f"), ("completions/mean_length", "length", ".0f"),
    ("completions/clipped_ratio", "cut at limit", ".2f"), ("tiny_lora/v_norm", "|v|", ".3f"),
    ("tiny_lora/update_size_mean", "update size", ".1e"), ("sampling/importance_sampling_ratio/mean", "IS mean", ".3f"),
    ("sampling/importance_sampling_ratio/min", "IS min", ".3f"), ("sampling/importance_sampling_ratio/max", "IS max", ".3f"),
    ("step_time", "step s", ".0f"), ("time/generation_s", "gen s", ".0f"), ("time/policy_update_s", "update s", ".0f"),
]


def main() -> int:
    if len(sys.argv) != 3:
        sys.exit("usage: python results/summarize.py METRICS.jsonl OUTPUT_FOLDER")
    records = reporting.read_metrics(sys.argv[1])
    if not records:
        sys.exit(f"error: no records in {sys.argv[1]}")
    os.makedirs(sys.argv[2], exist_ok=True)
    rows = ["| step | " + " | ".join(header for _, header, _ in COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
    for r in records:
        rows.append(f"| {r['step']} | " + " | ".join(format(r[key], spec) if key in r else "" for key, _, spec in COLUMNS) + " |")
    with atomic_path(os.path.join(sys.argv[2], "steps.md")) as tmp, open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(rows) + "\n")
    reporting.plot_metrics(records, os.path.join(sys.argv[2], "training_curves.png"))
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
