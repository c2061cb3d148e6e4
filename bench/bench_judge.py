"""Judge benchmark: the original project's way vs Judge, on the same GRPO-like batch, in one run.

The batch: N completions, 4 per prompt like a GRPO group, built from the shipped problems and their reference
solutions: correct programs (rewritten to #include <bits/stdc++.h>, as models write them), wrong answers (the
solution of another problem), compile errors, infinite loops, and repeats inside a group. Each has 3-6 tests.

naive: what the original project did: sequential, one fresh g++ per completion (repeats too), no precompiled
       header, each test a subprocess.run with a timeout; NOT sandboxed.
judge: Judge (sandboxed): precompiled bits/stdc++.h, a thread pool, identical completions judged once.

Both run every test (Judge in `fraction` mode) and must give the same verdicts. --breakdown adds Judge without the
PCH, Judge with one worker, and Judge in `tiered` mode, which stops at a completion's first failing test.
--isolation measures what the per-run cgroup and the seccomp filter cost: the batch judged with and without
them, alternating --repeat times, and the median time of one compile and one test run of each kind.

    python bench/bench_judge.py [--n 24] [--time_limit 1.0] [--breakdown] [--isolation [--repeat 3]]
"""

import argparse
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
import sandbox as S  # noqa: E402
import train_rl as J  # noqa: E402

PROBLEMS = os.path.join(ROOT, "local_luogu_rl", "shipped", "train.jsonl")
SOLUTIONS = os.path.join(ROOT, "tests", "problemset", "solutions")
# what each completion of a group of 4 is, cycling over the prompts
GROUP_PATTERNS = [
    ("right", "right", "wrong", "right_iostream"),
    ("right", "compile_error", "wrong", "wrong"),
    ("right", "loop", "right", "compile_error"),
    ("wrong", "right", "right", "right"),
    ("right_iostream", "wrong", "compile_error", "right"),
    ("right", "right", "right", "wrong"),
]


def as_completion(code: str) -> str:
    return f"Here is my solution.\n\n```cpp\n{code.strip()}\n```\n"


def variant(kind: str, own: str, other: str) -> str:
    """A completion of the given kind, from this problem's reference solution (own) and another's (other)."""
    bits = re.sub(r"(#include <[^>]+>\n)+", "#include <bits/stdc++.h>\n", own, count=1)
    if kind == "right":
        return bits
    if kind == "right_iostream":
        return own
    if kind == "wrong":  # the model solved a different problem
        return re.sub(r"(#include <[^>]+>\n)+", "#include <bits/stdc++.h>\n", other, count=1)
    if kind == "compile_error":
        return bits.replace("int main() {", "int main() {\n    int unused = undeclared_helper();", 1)
    if kind == "loop":
        return bits.replace("int main() {", "int main() {\n    for (volatile long long spin = 0;; spin++) {}", 1)
    raise ValueError(kind)


def build_batch(n: int) -> tuple[list[str], list[list[dict]], list[str]]:
    with open(PROBLEMS, encoding="utf-8") as f:
        problems = [json.loads(line) for line in f if line.strip()]
    problems = [p for p in problems if os.path.exists(os.path.join(SOLUTIONS, p["pid"] + ".cpp"))]
    completions, tests, kinds = [], [], []
    for g in range((n + 3) // 4):
        problem, other = problems[g % len(problems)], problems[(g + 7) % len(problems)]
        own_code, other_code = (open(os.path.join(SOLUTIONS, p["pid"] + ".cpp")).read() for p in (problem, other))
        for kind in GROUP_PATTERNS[g % len(GROUP_PATTERNS)]:
            if len(completions) < n:
                completions.append(as_completion(variant(kind, own_code, other_code)))
                tests.append(problem["test_cases"][: 3 + g % 4])
                kinds.append(kind)
    return completions, tests, kinds


def judge_naive(code: str | None, tests: list[dict], config: J.JudgeConfig) -> tuple[bool, list[str]]:
    """The original way: subprocess.run with timeouts, no sandbox, no PCH, no cache."""
    if code is None:
        return False, []
    with tempfile.TemporaryDirectory() as folder:
        source, binary = os.path.join(folder, "main.cpp"), os.path.join(folder, "main")
        with open(source, "w") as f:
            f.write(code)
        try:
            built = subprocess.run(["g++", *config.compile_flags.split(), source, "-o", binary], capture_output=True,
                                   timeout=config.compile_timeout)
        except subprocess.TimeoutExpired:
            return False, []
        if built.returncode != 0:
            return False, []
        verdicts = []
        for test in tests:
            try:
                done = subprocess.run([binary], input=test["input"].encode(), capture_output=True, timeout=config.time_limit)
            except subprocess.TimeoutExpired:
                verdicts.append("TLE")
                continue
            verdicts.append("RE" if done.returncode else "AC" if J.outputs_match(done.stdout, test["output"], config.compare_mode) else "WA")
        return True, verdicts


def timed_judge(config: J.JudgeConfig, codes, tests):
    judge = J.Judge(config)
    try:
        started = time.perf_counter()
        results = judge.judge(codes, tests)
        return time.perf_counter() - started, results, judge.compile_count
    finally:
        judge.close()


def isolation_cost(config: J.JudgeConfig, codes, tests, expected, repeat: int) -> None:
    """The batch, one compile and one test run, with the default sandbox and with cgroups and the filter
    switched off, taking turns (run by run) so that both see the same machine load."""
    sandboxes = {"cgroup + seccomp": S.shared_sandbox(), "rlimits only": S.Sandbox(cgroups=False, syscall_filter=False)}
    if S.shared_sandbox().cgroups is None or S.shared_sandbox().launcher is None:
        print("(the default sandbox has no cgroup or no filter here: both columns measure nearly the same thing)")
    times = {what: {name: [] for name in sandboxes} for what in ("batch, s", "one compile, ms", "one test run, ms")}
    small = "#include <bits/stdc++.h>\nint main(){long long a,b;std::cin>>a>>b;std::cout<<a+b<<std::endl;}"

    def timed(what: str, name: str, work, scale: float = 1000.0):
        started = time.perf_counter()
        result = work()
        times[what][name].append(scale * (time.perf_counter() - started))
        return result

    with contextlib.ExitStack() as stack:
        boxes = {name: stack.enter_context(sandbox.box()) for name, sandbox in sandboxes.items()}
        for _ in range(repeat):
            for name, sandbox in sandboxes.items():
                S._shared = sandbox
                _, results, _ = timed("batch, s", name, lambda: timed_judge(config, codes, tests), scale=1.0)
                assert [(r.compiled, r.verdicts) for r in results] == [(r.compiled, r.verdicts) for r in expected]
            for _ in range(10):
                for name, sandbox in sandboxes.items():
                    assert timed("one compile, ms", name,
                                 lambda: J._compile(sandbox, boxes[name], small, config, J.pch_dir(config))) == ""
            for _ in range(50):
                for name, sandbox in sandboxes.items():
                    out = timed("one test run, ms", name, lambda: sandbox.run(
                        boxes[name], ["./main"], b"1 2\n", seconds=config.time_limit, memory_mb=config.memory_limit_mb,
                        output_mb=config.output_limit_mb, nproc=config.process_limit))
                    assert out.stdout == b"3\n"
    S._shared = sandboxes["cgroup + seccomp"]
    on, off = sandboxes
    print(f"\nisolation cost, medians over {repeat} rounds (a round: the batch, 10 compiles and 50 test runs with each,"
          " alternating):")
    print(f"{'':<20}{on:>18}{off:>16}{'cost':>10}")
    for what, values in times.items():
        with_, without = statistics.median(values[on]), statistics.median(values[off])
        print(f"{what:<20}{with_:>18.2f}{without:>16.2f}{(with_ - without) / without:>+10.1%}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=24, help="completions (4 per prompt)")
    parser.add_argument("--time_limit", type=float, default=1.0, help="seconds per test, both methods")
    parser.add_argument("--breakdown", action="store_true", help="also time Judge without PCH, with one worker and in tiered mode")
    parser.add_argument("--isolation", action="store_true", help="also time Judge without cgroups and seccomp")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the --isolation comparison")
    args = parser.parse_args()

    completions, tests, kinds = build_batch(args.n)
    codes = [J.extract_code(c) for c in completions]
    config = J.JudgeConfig(time_limit=args.time_limit, reward_mode="fraction")  # every test, like naive
    print(f"batch: {len(codes)} completions, {len(set(codes))} distinct, {sum(map(len, tests))} test runs; "
          + ", ".join(f"{k} {kinds.count(k)}" for k in dict.fromkeys(kinds)))
    print(f"machine: {os.cpu_count()} CPUs, {subprocess.run(['g++', '--version'], capture_output=True, text=True).stdout.splitlines()[0]}")

    started = time.perf_counter()
    J.Judge(config).close()  # sandbox detection + PCH (built once per g++ version and flags, then cached on disk)
    setup = time.perf_counter() - started
    print(f"judge setup: {setup:.1f}s (sandbox mode {J.sandbox_mode()}, PCH {J.pch_dir(config)})")

    started = time.perf_counter()
    naive = [judge_naive(code, t, config) for code, t in zip(codes, tests)]
    naive_s = time.perf_counter() - started
    rows = [("naive (sequential, no PCH, no cache, unsandboxed)", naive_s, len(codes) - codes.count(None))]
    judge_s, results, compiled = timed_judge(config, codes, tests)
    rows.append((f"Judge ({config.judge_workers or os.cpu_count()} workers, PCH, cache, sandboxed)", judge_s, compiled))
    if args.breakdown:
        rows.append(("Judge without PCH", *timed_judge(replace(config, use_pch=False), codes, tests)[::2]))
        rows.append(("Judge with 1 worker", *timed_judge(replace(config, judge_workers=1), codes, tests)[::2]))
        rows.append(("Judge, tiered mode (stops at the first failing test)",
                     *timed_judge(replace(config, reward_mode="tiered"), codes, tests)[::2]))

    mismatches = [(i, kinds[i], n, (r.compiled, r.verdicts)) for i, (n, r) in enumerate(zip(naive, results))
                  if n != (r.compiled, r.verdicts)]
    print(f"\n{'method':<58}{'wall s':>8}{'g++ runs':>10}{'speed-up':>10}")
    for name, seconds, compiles in rows:
        print(f"{name:<58}{seconds:>8.2f}{compiles:>10}{naive_s / seconds:>9.1f}x")
    print(f"\nverdicts identical: {not mismatches} ({len(results)} completions, "
          f"{sum(r.all_passed for r in results)} all-pass, {sum(not r.compiled for r in results)} not compiled, "
          f"{sum('TLE' in r.verdicts for r in results)} with TLE)")
    for mismatch in mismatches:
        print("  MISMATCH completion %d (%s): naive %s, judge %s" % mismatch)
    print(f"speed-up: {naive_s / judge_s:.1f}x")
    if args.isolation:
        isolation_cost(config, codes, tests, results, args.repeat)
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
