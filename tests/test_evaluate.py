"""evaluate.py: the pass@k estimator, the paired bootstrap, and a base vs base+v run end to end."""

import json
import math
import random
import sys

import pytest
import torch
import torch.nn as nn

import evaluate
import train_rl


@pytest.mark.parametrize("n", [1, 4, 7])
def test_pass_at_k_is_the_fraction_of_k_subsets_holding_a_correct_sample(n):
    for c in range(n + 1):
        for k in range(1, n + 1):
            exact = 1 - math.comb(n - c, k) / math.comb(n, k)
            assert evaluate.pass_at_k(n, c, k) == pytest.approx(exact, abs=1e-12)


def test_paired_bootstrap_interval():
    base = [0.0, 0.5, 1.0, 0.25, 0.75]
    assert evaluate.paired_bootstrap(base, base) == (0.0, 0.0)
    assert evaluate.paired_bootstrap(base, [b + 0.25 for b in base]) == pytest.approx((0.25, 0.25))
    rng = random.Random(1)
    noisy = [b + rng.choice([-0.5, 0.5]) for b in base * 8]
    low, high = evaluate.paired_bootstrap(base * 8, noisy)
    mean = sum(t - b for b, t in zip(base * 8, noisy)) / len(noisy)
    assert low < mean < high and high - low > 0.1


def run_evaluate(monkeypatch, *argv):
    monkeypatch.setattr(sys, "argv", ["evaluate.py", *argv])
    evaluate.main()


def test_base_and_tiny_lora_side_by_side(coder_model_dir, data_file, tmp_path, monkeypatch):
    """The tiny coder answers A+B right or wrong; a saved v that changes it shows up as a difference."""
    model, _ = train_rl.load_model_and_tokenizer(coder_model_dir, load_in_4bit=False)
    v = nn.Parameter(torch.zeros(4))
    train_rl.apply_tiny_lora(model, v)
    with torch.no_grad():
        v.copy_(torch.tensor([30.0, -30.0, 30.0, -30.0]))
    saved = tmp_path / "v.pt"
    train_rl.save_tiny_lora(str(saved), model, v)
    out = tmp_path / "eval"
    run_evaluate(monkeypatch, "--data_file", data_file, "--model", coder_model_dir, "--tiny_lora", str(saved),
                 "--n", "4", "--k", "1,2", "--max_new_tokens", "64", "--batch_size", "16", "--output", str(out),
                 "--plot")
    report = json.loads((out / "eval.json").read_text())
    base, tuned = report["models"]["base"], report["models"]["base+TinyLoRA"]
    assert [p["n"] for p in base["problems"]] == [4] * 4
    # the base model writes A+B code that compiles; pass@k agrees with the per-problem counts
    assert base["summary"]["compile_rate"] > 0.5
    expected = sum(evaluate.pass_at_k(4, p["correct"], 1) for p in base["problems"]) / 4
    assert base["summary"]["pass@1"] == pytest.approx(expected)
    assert base["summary"]["pass@2"] >= base["summary"]["pass@1"]
    # a v this large wrecks the model: the difference is real and its interval excludes zero
    diff = report["difference"]["compile_rate"]
    assert diff["mean"] == pytest.approx(tuned["summary"]["compile_rate"] - base["summary"]["compile_rate"])
    assert diff["mean"] < 0 and diff["ci95"][1] < 0
    assert (out / "eval.md").read_text().count("| T") == 4 and (out / "eval.png").stat().st_size > 0

    # same seeds, same model: the base column is reproduced exactly
    run_evaluate(monkeypatch, "--data_file", data_file, "--model", coder_model_dir, "--n", "4", "--k", "1",
                 "--max_new_tokens", "64", "--batch_size", "16", "--output", str(tmp_path / "again"))
    again = json.loads((tmp_path / "again" / "eval.json").read_text())["models"]["base"]
    assert [p["verdicts"] for p in again["problems"]] == [p["verdicts"] for p in base["problems"]]


def test_bad_k_is_a_clear_error(monkeypatch):
    with pytest.raises(train_rl.ConfigError, match="every k in 1..n"):
        run_evaluate(monkeypatch, "--n", "2", "--k", "1,5")
