"""Smoke check of the whole chain: load -> TinyLoRA -> generate -> extract code -> compile -> run samples.

    python verify_pipeline.py                 # the default model (3B on a CUDA GPU, embedded 0.5B on CPU)
    python verify_pipeline.py --model DIR     # any local model folder
    python verify_pipeline.py --tiny          # a random tiny Qwen2 built locally, in seconds

Each stage prints ok/FAILED with its time; the exit code is non-zero when a stage fails. A random tiny model
writes no code, so with --tiny the report says so plainly and checks g++ and the sandbox on a known-good
reference program instead; that is a check of the pipeline, not a pass of the model.
"""

import argparse
import sys
import tempfile
import time

import torch
import torch.nn as nn

import train_rl

PRESET_PROBLEM = """# LQ0001 两数之和

## 题目描述

输入两个整数 $a$ 和 $b$，输出它们的和。

## 输入格式

一行两个整数 $a, b$，用空格隔开。

## 输出格式

一行一个整数，表示 $a+b$。

## 样例

### 样例 1

**输入：**
```
1 2
```

**输出：**
```
3
```

### 样例 2

**输入：**
```
-5 20
```

**输出：**
```
15
```

## 说明/提示

$-10^9 \\le a, b \\le 10^9$。
"""
PRESET_SAMPLES = [{"input": "1 2\n", "output": "3\n"}, {"input": "-5 20\n", "output": "15\n"}]
REFERENCE_SOLUTION = "#include <bits/stdc++.h>\nint main(){long long a,b;std::cin>>a>>b;std::cout<<a+b<<\"\\n\";}\n"

# Enough text for a byte-level BPE that can spell prompts, C++ and Chinese statements.
TOKENIZER_CORPUS = [
    PRESET_PROBLEM, REFERENCE_SOLUTION, train_rl.INSTRUCTION,
    "#include <iostream>\nusing namespace std;\nint main() { int n; cin >> n; cout << n * 2 << endl; return 0; }\n",
    "for (int i = 0; i < n; ++i) { sum += a[i]; } vector<int> v; string s; printf(\"%d\\n\", x);",
]


def build_tiny_model(folder: str, seed: int = 0) -> str:
    """Save a random 2-layer Qwen2 and a locally trained byte-level BPE tokenizer with a ChatML template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator(TOKENIZER_CORPUS * 4, trainers.BpeTrainer(
        vocab_size=600, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, eos_token="<|im_end|>", pad_token="<|endoftext|>",
        additional_special_tokens=specials[1:],
    )
    tokenizer.chat_template = (
        "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
        "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    )
    torch.manual_seed(seed)
    config = Qwen2Config(
        vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096, tie_word_embeddings=True,
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.convert_tokens_to_ids("<|endoftext|>"),
    )
    model = Qwen2ForCausalLM(config)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


class StageFailed(Exception):
    """Raised by a stage with the one-line reason it failed."""


class Report:
    """Runs named stages, prints ok/FAILED with timings, remembers failures."""

    def __init__(self):
        self.failed = []

    def stage(self, name, fn):
        started = time.time()
        try:
            result, detail = fn()
        except (StageFailed, train_rl.ConfigError) as e:
            result, detail = None, str(e)
            self.failed.append(name)
        status = "FAILED" if name in self.failed else "ok"
        print(f"[{status:>6}] {name:<16} {time.time() - started:6.1f}s  {detail}", flush=True)
        return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="local model folder (default: the trainer's default for this machine)")
    parser.add_argument("--tiny", action="store_true", help="use a random tiny Qwen2 built locally (no download)")
    parser.add_argument("--u", type=int, default=16, help="size of the TinyLoRA vector v")
    parser.add_argument("--max_new_tokens", type=int, default=384, help="generation budget")
    parser.add_argument("--load_in_4bit", action="store_true", help="load the model in 4-bit NF4")
    args = parser.parse_args()
    torch.manual_seed(0)
    report = Report()
    train_rl.require_gpp()

    def load():
        if args.tiny:
            path, why = build_tiny_model(tempfile.mkdtemp(prefix="tiny-qwen2-")), "random tiny Qwen2 (--tiny)"
        elif args.model:
            path, why = train_rl.resolve_model(train_rl.ScriptArguments(model_name_or_path=args.model))
        else:
            preset = "gpu" if torch.cuda.is_available() else "cpu"
            path, why = train_rl.resolve_model(train_rl.ScriptArguments(preset=preset))
        model, tokenizer = train_rl.load_model_and_tokenizer(path, args.load_in_4bit)
        return (model, tokenizer), why

    model, tokenizer = report.stage("load model", load) or (None, None)
    if model is None:
        return 1

    def inject():
        v = nn.Parameter(torch.zeros(args.u, device=next(model.parameters()).device))
        layers = train_rl.apply_tiny_lora(model, v, rank=2)
        return v, train_rl.parameter_report(model, layers)

    report.stage("inject TinyLoRA", inject)

    def generate():
        messages = train_rl.to_chat(PRESET_PROBLEM)
        inputs = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True)
        inputs = {k: t.to(model.device) for k, t in inputs.items()}
        with torch.no_grad():
            out = model.generate(**inputs, max_new_tokens=args.max_new_tokens, do_sample=False)
        new_tokens = out[0, inputs["input_ids"].shape[1]:]
        text = tokenizer.decode(new_tokens, skip_special_tokens=True)
        return text, f"{len(new_tokens)} tokens"

    completion = report.stage("generate", generate)
    shown = (completion or "").strip()[:1500] or "(nothing but whitespace)"
    print(f"----- completion -----\n{shown}\n----------------------")

    def extract():
        code = train_rl.extract_code(completion or "")
        if code is not None:
            return code, f"{len(code.splitlines())} lines of C++"
        if not args.tiny:
            raise StageFailed("no C++ code in the completion")
        print("[  note] the random tiny model wrote no code (expected with --tiny; this is NOT a pass of the model); "
              "judging the built-in reference solution instead, to check g++ and the sandbox")
        return REFERENCE_SOLUTION, "reference solution"

    code = report.stage("extract code", extract)
    if code is None:
        return 1

    def judge():
        result = train_rl.compile_and_run(code, PRESET_SAMPLES)
        if not result.compiled:
            raise StageFailed("compile error: " + result.compile_error.strip()[:600])
        if result.error:
            raise StageFailed("judge error: " + result.error)
        return result, f"compiled; {result.passed}/{result.total} samples passed, verdicts {result.verdicts}"

    report.stage("compile and run", judge)
    print("RESULT:", "pipeline ok" if not report.failed else f"FAILED stages: {', '.join(report.failed)}")
    return 1 if report.failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except train_rl.ConfigError as e:
        sys.exit(f"error: {e}")
