"""Checks on the shipped problem set (local_luogu_rl/shipped/{train,eval}.jsonl)."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SHIPPED = HERE.parent.parent / "local_luogu_rl" / "shipped"
SAMPLE_RE = re.compile(r"\*\*输入：\*\*\n```\n(.*?)```\n\n\*\*输出：\*\*\n```\n(.*?)```", re.S)
HEADINGS = ["## 题目描述", "## 输入格式", "## 输出格式", "## 样例", "## 说明/提示"]


def load(split: str) -> list[dict]:
    with open(SHIPPED / f"{split}.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_split_sizes_and_ids():
    train, evl = load("train"), load("eval")
    assert len(train) + len(evl) >= 44
    assert len(train) >= 30 and len(evl) >= 10
    pids = [r["pid"] for r in train + evl]
    assert len(set(pids)) == len(pids)
    assert all(re.fullmatch(r"LQ\d{4}", p) for p in pids)
    assert pids == sorted(pids[: len(train)]) + sorted(pids[len(train):])


@pytest.mark.parametrize("split", ["train", "eval"])
def test_rows_are_well_formed(split):
    for row in load(split):
        assert set(row) == {"pid", "title", "prompt", "test_cases", "num_samples"}
        prompt = row["prompt"]
        assert prompt.startswith(f"# {row['pid']} {row['title']}\n")
        positions = [prompt.find(h + "\n") for h in HEADINGS]
        assert all(p >= 0 for p in positions) and positions == sorted(positions), row["pid"]
        samples = SAMPLE_RE.findall(prompt)
        k = row["num_samples"]
        assert k == len(samples) >= 1
        assert prompt.count("### 样例 ") == k
        tests = row["test_cases"]
        assert [(t["input"], t["output"]) for t in tests[:k]] == samples
        assert len(tests) - k >= 5, f"{row['pid']}: needs >= 5 hidden tests"
        hidden_inputs = [t["input"] for t in tests[k:]]
        assert not set(hidden_inputs) & {s for s, _ in samples}
        for t in tests:
            for text in (t["input"], t["output"]):
                assert text.endswith("\n") and text.strip()
                assert all(c == "\n" or " " <= c <= "~" for c in text), row["pid"]


@pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")
def test_shipped_files_are_up_to_date():
    """Rebuilds everything in memory (compiles ~50 programs, about a minute on 2 cores)."""
    proc = subprocess.run([sys.executable, str(HERE / "build.py"), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
