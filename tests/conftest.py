"""Shared fixtures: a tiny random Qwen2 built locally (never downloaded), a copy overfitted to answer an
A+B problem right or wrong, and that problem as a data file."""

import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")  # on 2 cores, one thread is several times faster and stable
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import json  # noqa: E402

import pytest  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    from verify_pipeline import build_tiny_model

    return build_tiny_model(str(tmp_path_factory.mktemp("tiny-qwen2")))


PROBLEM = "# T1 两数之和\n\n## 题目描述\n\n输入 a b，输出 a+b。\n"
TESTS = [{"input": "1 2\n", "output": "3\n"}, {"input": "5 7\n", "output": "12\n"}]
RIGHT = "```cpp\n#include <cstdio>\nint main(){int a,b;scanf(\"%d%d\",&a,&b);printf(\"%d\\n\",a+b);}\n```"
WRONG = "```cpp\n#include <cstdio>\nint main(){int a,b;scanf(\"%d%d\",&a,&b);printf(\"%d\\n\",a-b);}\n```"


@pytest.fixture(scope="session")
def coder_model_dir(tiny_model_dir, tmp_path_factory):
    """The tiny random model, overfitted for a few seconds to answer with RIGHT or WRONG (about 50/50).

    A random model writes no code, every reward is 0 and GRPO's advantages vanish, so v could not move;
    this model gives a group of completions real reward variance through the real judge.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer

    import train_rl

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    prompt = tokenizer.apply_chat_template(train_rl.to_chat(PROBLEM), add_generation_prompt=True, tokenize=False)
    batch = tokenizer([prompt + answer + "<|im_end|>" for answer in (RIGHT, WRONG)], return_tensors="pt", padding=True)
    labels = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    torch.manual_seed(0)
    for _ in range(150):
        loss = model(**batch, labels=labels).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.5, loss.item()
    folder = str(tmp_path_factory.mktemp("tiny-coder"))
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture()
def data_file(tmp_path):
    """Four copies of the A+B problem as RL JSONL."""
    path = tmp_path / "problems.jsonl"
    rows = [{"pid": f"T{i}", "prompt": PROBLEM, "test_cases": TESTS} for i in range(4)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return str(path)
