"""The llama.cpp rollout engine: the adapter encodes TinyLoRA exactly, log-probs are the trainer's, groups share
their prompt, and GRPO trains through it with the importance-sampling correction."""

import json
import re

import numpy as np
import pytest
import torch
import torch.nn as nn

import train_rl
from conftest import PROBLEM
from train_rl import ConfigError

pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (pip install -r requirements-cpu.txt)")
import rollout_engine  # noqa: E402
from tiny_gguf import write_tiny_gguf  # noqa: E402


@pytest.fixture(scope="module")
def tiny_gguf(tiny_model_dir, tmp_path_factory):
    return write_tiny_gguf(tiny_model_dir, str(tmp_path_factory.mktemp("gguf") / "tiny.gguf"))


@pytest.fixture(scope="module")
def coder_gguf(coder_model_dir, tmp_path_factory):
    return write_tiny_gguf(coder_model_dir, str(tmp_path_factory.mktemp("gguf") / "coder.gguf"))


def load(model_dir):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    return AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32), AutoTokenizer.from_pretrained(model_dir)


def engine_logits(engine, ids):
    """llama.cpp's logits at every position of ids (a fresh cache)."""
    engine.C.llama_memory_clear(engine.memory, True)
    engine._decode([(t, j, 0, True) for j, t in enumerate(ids)])
    return np.stack([engine._logits(j) for j in range(len(ids))])


def test_adapter_is_the_exact_tiny_lora_delta(tiny_model_dir, tiny_gguf, tmp_path):
    model, tokenizer = load(tiny_model_dir)
    v = nn.Parameter(torch.zeros(4))
    train_rl.apply_tiny_lora(model, v, rank=2, seed=0)
    ids = train_rl.prompt_token_ids(tokenizer, PROBLEM)
    rollouts = rollout_engine.LlamaCppRollouts(tiny_gguf, tokenizer, len(ids), 2, 8, 1.0, 0, str(tmp_path / "a.gguf"), 1)
    engine = rollouts.engine
    try:
        with torch.no_grad():
            trainer_base = model(torch.tensor([ids])).logits[0].numpy()
        rollouts.sync(model, v)  # v = 0: the base GGUF, no adapter at all
        assert engine.adapter is None and not (tmp_path / "a.gguf").exists()
        engine_base = engine_logits(engine, ids)
        assert np.abs(engine_base - trainer_base).max() < 2e-3  # same fp32 weights, two implementations

        with torch.no_grad():
            v.copy_(torch.tensor([1.5, -1.0, 0.8, 2.0]))
            trainer_tuned = model(torch.tensor([ids])).logits[0].numpy()
        rollouts.sync(model, v)
        assert engine.adapter is not None
        engine_tuned = engine_logits(engine, ids)
        trainer_change, engine_change = trainer_tuned - trainer_base, engine_tuned - engine_base
        assert np.abs(trainer_change).max() > 0.1  # a change large enough to be checked
        # the adapter's change of the logits is the trainer's change, to fp32 kernel rounding
        assert np.abs(engine_change - trainer_change).max() < 2e-2 * np.abs(trainer_change).max()

        rollouts.sync(model, v)  # unchanged v: nothing rewritten
        mtime = (tmp_path / "a.gguf").stat().st_mtime_ns
        rollouts.sync(model, v)
        assert (tmp_path / "a.gguf").stat().st_mtime_ns == mtime

        # the importance ratio sees a stale engine: the same sampled tokens under engine(v = 0) vs trainer(v)
        stop = set(rollout_engine.eos_ids(tokenizer))
        completions, synced = engine.generate([ids], 12, stop, 1.0, np.random.default_rng(3))
        full = torch.tensor([ids + completions[0]])
        with torch.no_grad():
            logps = torch.log_softmax(model(full).logits[0, len(ids) - 1:-1], -1)
        trainer_logps = logps[torch.arange(len(completions[0])), torch.tensor(completions[0])].numpy()
        synced_ratio = np.exp(trainer_logps.sum() - sum(synced[0]))
        with torch.no_grad():
            v.zero_()
        rollouts.synced_v = None
        rollouts.sync(model, v)
        base_logits = engine_logits(engine, ids + completions[0])[len(ids) - 1:-1]
        shifted = base_logits - base_logits.max(axis=1, keepdims=True)
        stale = (shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True)))[np.arange(len(completions[0])), completions[0]]
        stale_ratio = np.exp(trainer_logps.sum() - stale.sum())
        assert abs(synced_ratio - 1) < 1e-2
        assert abs(np.log(stale_ratio)) > 10 * abs(np.log(synced_ratio))
    finally:
        rollouts.close()


class QuantileGrid:
    """A stand-in for the generator: random() hands out the midpoints of n equal slices of [0, 1) in turn, so an
    exact inverse-CDF sampler gives every token its probability within 1 / n."""

    def __init__(self, n: int):
        self.values, self.taken = (np.arange(n) + 0.5) / n, 0

    def random(self, size: int) -> np.ndarray:
        self.taken += size
        return self.values[self.taken - size:self.taken]


def test_sampler_draws_exactly_from_the_softmax_across_blocks():
    rng = np.random.default_rng(0)
    vocab = 3 * rollout_engine.SAMPLING_BLOCK + 17  # a ragged last block
    probabilities = rng.dirichlet(np.full(vocab, 0.05))
    probabilities[rollout_engine.SAMPLING_BLOCK - 1] = 0.0  # a zero at the end of a block, and a whole empty block
    probabilities[2 * rollout_engine.SAMPLING_BLOCK:3 * rollout_engine.SAMPLING_BLOCK] = 0.0
    probabilities /= probabilities.sum()
    with np.errstate(divide="ignore"):
        logits = np.log(probabilities).astype(np.float32)
    draws, grid = 40_000, QuantileGrid(40_000)
    rows = np.repeat(logits[None] * 2.0, 1000, axis=0)  # temperature 2 undoes the factor
    tokens = np.concatenate([rollout_engine.LlamaCppEngine._sample(rows, 2.0, grid)[0] for _ in range(draws // 1000)])
    assert probabilities[tokens].min() > 0  # a token of probability 0 is never drawn
    frequencies = np.bincount(tokens, minlength=vocab) / draws
    assert np.abs(frequencies - probabilities).max() <= 1 / draws + 1e-6
    top_of_the_range = QuantileGrid(1)
    top_of_the_range.values[:] = np.nextafter(1.0, 0)  # the largest possible draw: the last token of nonzero p
    assert rollout_engine.LlamaCppEngine._sample(rows[:1], 2.0, top_of_the_range)[0][0] == np.flatnonzero(probabilities)[-1]
    tokens, logprobs = rollout_engine.LlamaCppEngine._sample(rows[:3], 2.0, rng)
    np.testing.assert_allclose(logprobs, np.log(probabilities[tokens]), atol=1e-5)
    greedy, greedy_logprobs = rollout_engine.LlamaCppEngine._sample(rows[:2], 0.0, rng)
    assert (greedy == np.argmax(probabilities)).all()
    np.testing.assert_allclose(greedy_logprobs, np.log(probabilities.max() ** 2 / np.sum(probabilities ** 2)),
                               atol=1e-4)  # T = 0 reports log-probs at T = 1 of the doubled logits


def test_generate_shares_prompts_stops_at_eos_and_returns_the_trainers_logprobs(tiny_model_dir, tiny_gguf):
    model, tokenizer = load(tiny_model_dir)
    a, b = (train_rl.prompt_token_ids(tokenizer, text) for text in (PROBLEM, "another problem statement"))
    engine = rollout_engine.LlamaCppEngine(tiny_gguf, n_ctx=len(a) + len(b) + 4 * 16, n_sequences=4, n_threads=1)
    stop = set(rollout_engine.eos_ids(tokenizer))
    try:
        greedy, _ = engine.generate([a, b, a, b], 16, stop, 0.0, np.random.default_rng(0))
        assert greedy[0] == greedy[2] and greedy[1] == greedy[3]  # the copied cache is the evaluated one
        alone, _ = engine.generate([b], 16, stop, 0.0, np.random.default_rng(0))
        assert alone[0] == greedy[1]  # decoding beside other sequences changes nothing

        sampled, logprobs = engine.generate([a, a, a, a], 16, stop, 0.7, np.random.default_rng(1))
        assert len({tuple(c) for c in sampled}) > 1  # independent draws
        for completion, engine_logps in zip(sampled, logprobs):
            assert 1 <= len(completion) <= 16 and len(engine_logps) == len(completion)
            assert all(t not in stop for t in completion[:-1])  # a completion ends at its first stop token
            with torch.no_grad():
                logits = model(torch.tensor([a + completion])).logits[0, len(a) - 1:-1] / 0.7
            trainer_logps = torch.log_softmax(logits, -1)[torch.arange(len(completion)), torch.tensor(completion)]
            assert np.abs(trainer_logps.numpy() - np.array(engine_logps)).max() < 2e-3

        with pytest.raises(ValueError, match="cache cells"):
            engine.generate([a, b, a, b], 64, stop, 1.0, np.random.default_rng(0))
    finally:
        engine.close()


def test_engine_choice_and_refusals(tiny_model_dir, tiny_gguf):
    args, _, grpo = train_rl.parse_args(["--preset", "cpu"])
    assert train_rl.choose_rollout_engine(args, grpo, tiny_model_dir)[:2] == ("hf", None)  # no GGUF of this model
    args.rollout_gguf = tiny_gguf
    engine, gguf, why = train_rl.choose_rollout_engine(args, grpo, tiny_model_dir)
    assert (engine, gguf) == ("llama_cpp", tiny_gguf) and "LoRA adapter" in why
    args, _, grpo = train_rl.parse_args(["--rollout_engine", "llama_cpp", "--top_p", "0.9", "--rollout_gguf", tiny_gguf])
    with pytest.raises(ConfigError, match="temperature only"):
        train_rl.choose_rollout_engine(args, grpo, tiny_model_dir)
    args, _, grpo = train_rl.parse_args(["--rollout_engine", "llama_cpp"])
    with pytest.raises(ConfigError, match="--rollout_gguf"):
        train_rl.choose_rollout_engine(args, grpo, tiny_model_dir)
    with pytest.raises(ConfigError, match="rollout_engine must be"):
        train_rl.parse_args(["--rollout_engine", "vllm"])
    with pytest.raises(ConfigError, match="use_vllm is not supported"):
        train_rl.parse_args(["--use_vllm", "True"])


def test_grpo_through_the_engine_with_importance_sampling(coder_model_dir, coder_gguf, data_file, tmp_path, capsys,
                                                          monkeypatch):
    from test_training import train_argv

    policy_forwards = []  # the importance ratio reuses the update's own forward: one policy forward per step
    original = train_rl.TinyLoRAGRPOTrainer._get_per_token_logps_and_entropies
    monkeypatch.setattr(train_rl.TinyLoRAGRPOTrainer, "_get_per_token_logps_and_entropies",
                        lambda self, *a, **k: policy_forwards.append(torch.is_grad_enabled()) or original(self, *a, **k))
    out = tmp_path / "run"
    train_rl.main(train_argv(coder_model_dir, data_file, out, "--rollout_engine", "llama_cpp", "--rollout_gguf", coder_gguf,
                             "--max_steps", "3"))
    printed = capsys.readouterr().out
    assert "[setup] rollouts: llama_cpp (llama.cpp on CPU" in printed
    assert len(re.findall(r"IS ratio \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\], \d+% outside the bounds", printed)) == 3
    records = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == [1, 2, 3]
    # v after step k is what step k + 1 decodes with: v moved within the first two steps, so step 3 had an adapter
    assert records[1]["tiny_lora/v_norm"] > 0
    assert (out / "tiny_lora_adapter_rank0.gguf").exists()  # step 3 decoded with the adapter of step 2's v
    assert policy_forwards == [True] * 3  # no extra no-grad forward for the old log-probs
    for record in records:  # the engine runs the trainer's policy, adapter included: every sequence ratio is about 1
        assert 0.97 < record["sampling/importance_sampling_ratio/min"] <= record["sampling/importance_sampling_ratio/max"] < 1.03
        assert record["sampling/importance_sampling_ratio/frac_outside"] == 0.0


def test_evaluate_with_the_engine_reuses_an_identical_base_column(coder_model_dir, coder_gguf, data_file, tmp_path,
                                                                   monkeypatch):
    import sys

    import evaluate

    def run(*argv):
        monkeypatch.setattr(sys, "argv", ["evaluate.py", "--data_file", data_file, "--model", coder_model_dir,
                                          "--engine", "llama_cpp", "--gguf", coder_gguf, "--threads", "1",
                                          "--max_new_tokens", "64", *argv])
        evaluate.main()
        return json.loads((tmp_path / argv[argv.index("--output") + 1] / "eval.json").read_text())

    model, _ = train_rl.load_model_and_tokenizer(coder_model_dir, load_in_4bit=False)
    v = nn.Parameter(torch.zeros(4))
    train_rl.apply_tiny_lora(model, v)
    with torch.no_grad():
        v.copy_(torch.tensor([30.0, -30.0, 30.0, -30.0]))  # large enough to change what the model writes
    train_rl.save_tiny_lora(str(tmp_path / "v.pt"), model, v)
    monkeypatch.chdir(tmp_path)
    base = run("--n", "4", "--k", "1", "--output", "base")
    assert base["engine"] == "llama_cpp" and base["models"]["base"]["summary"]["compile_rate"] >= 0.25  # real code
    both = run("--n", "4", "--k", "1", "--tiny_lora", "v.pt", "--output", "both")
    assert both["models"]["base"]["problems"] == base["models"]["base"]["problems"]  # same seeds, same completions
    assert both["models"]["base+TinyLoRA"]["problems"] != base["models"]["base"]["problems"]  # the adapter acts
    reused = run("--n", "4", "--k", "1", "--tiny_lora", "v.pt", "--reuse_base", "base/eval.json", "--output", "reused")
    assert reused["models"] == {k: {**m, "seconds": reused["models"][k]["seconds"]} for k, m in both["models"].items()}
    earlier_sampler = json.loads((tmp_path / "base" / "eval.json").read_text())
    del earlier_sampler["sampler"]  # an eval.json from before the sampler was recorded
    (tmp_path / "old.json").write_text(json.dumps(earlier_sampler))
    with pytest.raises(ConfigError, match="other settings.*sampler: None vs 'inverse-cdf'"):
        run("--n", "4", "--k", "1", "--tiny_lora", "v.pt", "--reuse_base", "old.json", "--output", "refused")
    with pytest.raises(ConfigError, match="other settings.*n: 4 vs 2"):
        run("--n", "2", "--k", "1", "--tiny_lora", "v.pt", "--reuse_base", "base/eval.json", "--output", "refused")
