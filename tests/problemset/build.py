#!/usr/bin/env python3
"""Build the shipped LuoguQwen-RL problem set.

Source of truth: one Python file per problem under ``tests/problemset/problems/`` (statement text,
samples, a seeded generator for the hidden tests, an independent Python oracle) and one reference
C++17 solution per problem under ``tests/problemset/solutions/``.

What the build does, per problem:
  1. renders the Luogu-style markdown statement (the prompt the model sees);
  2. generates the hidden test inputs with a fixed seed (deterministic);
  3. compiles the reference solution (g++ -std=c++17 -O2) and runs it on samples + hidden tests;
  4. checks the sample outputs written in the statement against the reference output (tokens),
     and every reference output against the problem's Python oracle (tokens);
  5. checks ASCII-only I/O, >= 5 hidden tests, no hidden test equal to a sample, newline endings.
Then it checks the deliberately wrong solutions under ``wrong/`` (each must pass all samples and
fail at least one hidden test) and writes ``local_luogu_rl/shipped/{train,eval}.jsonl``
atomically (temp file in the same directory + os.replace).

Usage:
  python tests/problemset/build.py            # build and write the JSONL files
  python tests/problemset/build.py --check    # build in memory, fail if the shipped files differ
  python tests/problemset/build.py --only LQ1001,LQ1002   # quick check of some problems, no write
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.dont_write_bytecode = True  # keep problems/ free of __pycache__

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PROBLEMS_DIR = HERE / "problems"
SOLUTIONS_DIR = HERE / "solutions"
WRONG_DIR = HERE / "wrong"
OUT_DIR = REPO / "local_luogu_rl" / "shipped"
SPLITS = ("train", "eval")
DIFFICULTIES = ("easy", "medium")
MIN_HIDDEN = 5
RUN_TIMEOUT_S = 10.0
CXX = os.environ.get("CXX", "g++")
CXXFLAGS = ["-std=c++17", "-O2"]
JOBS = max(1, min(4, os.cpu_count() or 1))
REQUIRED = ("PID", "TITLE", "SPLIT", "DIFFICULTY", "DESCRIPTION", "INPUT_FORMAT", "OUTPUT_FORMAT",
            "SAMPLES", "HINT", "hidden", "oracle")


class BuildError(Exception):
    pass


# --------------------------------------------------------------------------------------------------
# Loading and rendering
# --------------------------------------------------------------------------------------------------

def load_problem(path: Path):
    spec = importlib.util.spec_from_file_location(f"lq_problem_{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for name in REQUIRED:
        if not hasattr(mod, name):
            raise BuildError(f"{path.name}: missing {name}")
    if mod.PID != path.stem or not re.fullmatch(r"LQ\d{4}", mod.PID):
        raise BuildError(f"{path.name}: PID {mod.PID!r} must match the file name LQdddd")
    if mod.SPLIT not in SPLITS:
        raise BuildError(f"{mod.PID}: SPLIT must be one of {SPLITS}")
    if mod.DIFFICULTY not in DIFFICULTIES:
        raise BuildError(f"{mod.PID}: DIFFICULTY must be one of {DIFFICULTIES}")
    if not 1 <= len(mod.SAMPLES) <= 3:
        raise BuildError(f"{mod.PID}: needs 1-3 samples")
    return mod


def norm_input(text: str) -> str:
    """Inputs keep their inner spacing; they end with exactly one newline."""
    return text.rstrip("\n") + "\n"


def norm_output(text: str) -> str:
    """Outputs: no trailing spaces on lines, no trailing blank lines, one final newline."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").rstrip().split("\n")]
    return "\n".join(lines) + "\n"


def render_statement(p) -> str:
    parts = [f"# {p.PID} {p.TITLE}"]
    background = getattr(p, "BACKGROUND", None)
    if background:
        parts.append("## 题目背景\n\n" + background.strip())
    parts.append("## 题目描述\n\n" + p.DESCRIPTION.strip())
    parts.append("## 输入格式\n\n" + p.INPUT_FORMAT.strip())
    parts.append("## 输出格式\n\n" + p.OUTPUT_FORMAT.strip())
    sample_parts = ["## 样例"]
    for i, (inp, out) in enumerate(p.SAMPLES, 1):
        sample_parts.append(
            f"### 样例 {i}\n\n**输入：**\n```\n{norm_input(inp)}```\n\n**输出：**\n```\n{norm_output(out)}```"
        )
    parts.append("\n\n".join(sample_parts))
    parts.append("## 说明/提示\n\n" + p.HINT.strip())
    return "\n\n".join(parts) + "\n"


SAMPLE_RE = re.compile(r"\*\*输入：\*\*\n```\n(.*?)```\n\n\*\*输出：\*\*\n```\n(.*?)```", re.S)


def check_io_text(pid: str, what: str, text: str) -> None:
    if not text.endswith("\n"):
        raise BuildError(f"{pid}: {what} does not end with a newline")
    bad = [c for c in text if not (c == "\n" or " " <= c <= "~")]
    if bad:
        raise BuildError(f"{pid}: {what} has non-printable-ASCII characters {sorted(set(bad))!r}")


# --------------------------------------------------------------------------------------------------
# Compiling and running
# --------------------------------------------------------------------------------------------------

def compile_cpp(src: Path, exe: Path) -> None:
    proc = subprocess.run([CXX, *CXXFLAGS, "-o", str(exe), str(src)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(f"compile failed for {src}:\n{proc.stderr[-3000:]}")


def run_exe(exe: Path, inp: str) -> tuple[str, float]:
    t0 = time.perf_counter()
    try:
        proc = subprocess.run([str(exe)], input=inp.encode(), capture_output=True, timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise BuildError(f"{exe.name}: timed out after {RUN_TIMEOUT_S}s") from None
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        raise BuildError(f"{exe.name}: exit code {proc.returncode}: {proc.stderr.decode(errors='replace')[-500:]}")
    return proc.stdout.decode("ascii"), dt


def same_tokens(a: str, b: str) -> bool:
    return a.split() == b.split()


# --------------------------------------------------------------------------------------------------
# Building one problem
# --------------------------------------------------------------------------------------------------

def build_problem(p, workdir: Path) -> dict:
    pid = p.PID
    prompt = render_statement(p)
    samples = [(norm_input(i), norm_output(o)) for i, o in p.SAMPLES]
    for k, (si, so) in enumerate(samples, 1):
        for line in (si + so).split("\n"):
            if line != line.rstrip():
                raise BuildError(f"{pid}: sample {k} has trailing spaces (markdown would lose them)")
    # The data converter reads the samples back out of the markdown: make sure that round-trips.
    parsed = SAMPLE_RE.findall(prompt)
    if parsed != samples:
        raise BuildError(f"{pid}: samples parsed back from the statement differ from SAMPLES")

    rng = random.Random("LuoguQwen-RL/" + pid)
    hidden = [norm_input(t) for t in p.hidden(rng)]
    if len(hidden) < MIN_HIDDEN:
        raise BuildError(f"{pid}: only {len(hidden)} hidden tests (need >= {MIN_HIDDEN})")
    sample_inputs = {si for si, _ in samples}
    seen = set()
    for k, t in enumerate(hidden, 1):
        if t in sample_inputs:
            raise BuildError(f"{pid}: hidden test {k} equals a sample input")
        if t in seen:
            raise BuildError(f"{pid}: hidden test {k} is a duplicate")
        seen.add(t)

    src = SOLUTIONS_DIR / f"{pid}.cpp"
    if not src.is_file():
        raise BuildError(f"{pid}: missing reference solution {src}")
    exe = workdir / pid
    compile_cpp(src, exe)

    test_cases = []
    times = []
    for k, (si, so) in enumerate(samples, 1):
        check_io_text(pid, f"sample {k} input", si)
        check_io_text(pid, f"sample {k} output", so)
        ref, dt = run_exe(exe, si)
        times.append(dt)
        if not same_tokens(ref, so):
            raise BuildError(f"{pid}: sample {k}: statement says {so!r}, reference prints {ref!r}")
        if not same_tokens(p.oracle(si), so):
            raise BuildError(f"{pid}: sample {k}: oracle disagrees with the statement")
        test_cases.append({"input": si, "output": so})
    for k, hi in enumerate(hidden, 1):
        check_io_text(pid, f"hidden test {k} input", hi)
        ref, dt = run_exe(exe, hi)
        times.append(dt)
        ref = norm_output(ref)
        check_io_text(pid, f"hidden test {k} output", ref)
        if not ref.strip():
            raise BuildError(f"{pid}: hidden test {k}: empty reference output")
        if not same_tokens(p.oracle(hi), ref):
            raise BuildError(f"{pid}: hidden test {k}: reference and oracle disagree\n"
                             f"input[:200]={hi[:200]!r}\nref[:200]={ref[:200]!r}")
        test_cases.append({"input": hi, "output": ref})

    row = {"pid": pid, "title": p.TITLE, "prompt": prompt, "test_cases": test_cases,
           "num_samples": len(samples)}
    stats = {"pid": pid, "split": p.SPLIT, "difficulty": p.DIFFICULTY, "samples": len(samples),
             "hidden": len(hidden), "max_s": max(times), "total_s": sum(times),
             "bytes": len(json.dumps(row, ensure_ascii=False).encode())}
    return {"row": row, "stats": stats, "split": p.SPLIT}


def check_wrong(src: Path, row: dict, workdir: Path) -> list[int]:
    """A wrong solution must pass every sample and fail at least one hidden test."""
    pid = src.stem
    exe = workdir / f"wrong_{pid}"
    compile_cpp(src, exe)
    failed = []
    n_samples = row["num_samples"]
    for idx, tc in enumerate(row["test_cases"]):
        try:
            out, _ = run_exe(exe, tc["input"])
            ok = same_tokens(out, tc["output"])
        except BuildError:
            ok = False
        if idx < n_samples and not ok:
            raise BuildError(f"wrong/{pid}.cpp fails sample {idx + 1}; it should pass all samples")
        if not ok:
            failed.append(idx - n_samples + 1)
    if not failed:
        raise BuildError(f"wrong/{pid}.cpp passes every hidden test; the hidden tests are too weak")
    return failed


# --------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------

def serialize(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp-build")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="do not write; fail if the shipped JSONL files differ")
    ap.add_argument("--only", default="", help="comma-separated pids to build (implies no write)")
    ap.add_argument("--out-dir", default=str(OUT_DIR), help="where train.jsonl / eval.jsonl go")
    args = ap.parse_args(argv)

    paths = sorted(PROBLEMS_DIR.glob("LQ*.py"))
    if args.only:
        wanted = {x.strip() for x in args.only.split(",") if x.strip()}
        paths = [p for p in paths if p.stem in wanted]
        missing = wanted - {p.stem for p in paths}
        if missing:
            print(f"error: unknown pids {sorted(missing)}", file=sys.stderr)
            return 2
    t_start = time.perf_counter()
    try:
        problems = [load_problem(p) for p in paths]
        if not problems:
            raise BuildError("no problems found")
        titles = [p.TITLE for p in problems]
        if len(set(titles)) != len(titles):
            raise BuildError("duplicate titles")
        with tempfile.TemporaryDirectory(prefix="lq_build_") as tmp:
            workdir = Path(tmp)
            with ThreadPoolExecutor(JOBS) as pool:
                results = list(pool.map(lambda p: build_problem(p, workdir), problems))
            by_pid = {r["row"]["pid"]: r["row"] for r in results}
            wrong_report = {}
            for src in sorted(WRONG_DIR.glob("LQ*.cpp")):
                if src.stem not in by_pid:
                    if args.only:
                        continue
                    raise BuildError(f"wrong/{src.name} has no matching problem")
                wrong_report[src.stem] = check_wrong(src, by_pid[src.stem], workdir)
    except BuildError as e:
        print(f"BUILD FAILED: {e}", file=sys.stderr)
        return 1

    # Summary
    print(f"{'pid':<8} {'split':<6} {'diff':<7} {'samples':>7} {'hidden':>6} {'max_ms':>7} {'KiB':>6}  title")
    for r, p in zip(results, problems):
        s = r["stats"]
        print(f"{s['pid']:<8} {s['split']:<6} {s['difficulty']:<7} {s['samples']:>7} {s['hidden']:>6} "
              f"{s['max_s'] * 1000:>7.1f} {s['bytes'] / 1024:>6.1f}  {p.TITLE}")
    for split in SPLITS:
        st = [r["stats"] for r in results if r["split"] == split]
        easy = sum(s["difficulty"] == "easy" for s in st)
        tests = sum(s["samples"] + s["hidden"] for s in st)
        print(f"[{split}] {len(st)} problems ({easy} easy, {len(st) - easy} medium), {tests} tests")
    total_run = sum(r["stats"]["total_s"] for r in results)
    n_tests = sum(r["stats"]["samples"] + r["stats"]["hidden"] for r in results)
    print(f"reference solutions: {n_tests} tests in {total_run:.2f}s total "
          f"(slowest single test {max(r['stats']['max_s'] for r in results) * 1000:.1f} ms)")
    for pid, failed in wrong_report.items():
        print(f"wrong/{pid}.cpp: passes all samples, rejected on hidden test(s) {failed}")

    if args.only:
        print(f"--only: built {len(results)} problem(s), nothing written ({time.perf_counter() - t_start:.1f}s)")
        return 0

    out_dir = Path(args.out_dir)
    blobs = {split: serialize([r["row"] for r in results if r["split"] == split]) for split in SPLITS}
    if args.check:
        stale = [s for s in SPLITS if not (out_dir / f"{s}.jsonl").is_file()
                 or (out_dir / f"{s}.jsonl").read_bytes() != blobs[s]]
        if stale:
            print(f"CHECK FAILED: {', '.join(f'{s}.jsonl' for s in stale)} out of date; "
                  f"run python tests/problemset/build.py", file=sys.stderr)
            return 1
        print("check: shipped JSONL files are up to date")
        return 0
    for split in SPLITS:
        write_atomic(out_dir / f"{split}.jsonl", blobs[split])
        print(f"wrote {out_dir / f'{split}.jsonl'} ({len(blobs[split]) / 1024:.1f} KiB)")
    print(f"done in {time.perf_counter() - t_start:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
