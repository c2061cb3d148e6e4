#!/usr/bin/env python3
"""Randomized cross-check of the reference solutions (not part of the shipped data).

For every problem that defines ``stress(rng)`` (a generator of one small random input), run the
compiled reference solution on many random inputs and compare it with the problem's Python
``oracle`` (a brute force or an independent method). Also validates every generated input
against the problem's checks (ASCII, trailing newline).

Usage:
  python tests/problemset/stress.py                 # 150 random inputs per problem
  python tests/problemset/stress.py -n 500 --only LQ1033,LQ1037
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))

import build  # noqa: E402


def stress_one(p, workdir: Path, iterations: int, seed: int) -> tuple[str, int, float]:
    exe = workdir / p.PID
    build.compile_cpp(build.SOLUTIONS_DIR / f"{p.PID}.cpp", exe)
    rng = random.Random(f"stress/{seed}/{p.PID}")
    t0 = time.perf_counter()
    for k in range(iterations):
        inp = build.norm_input(p.stress(rng))
        build.check_io_text(p.PID, f"stress input {k}", inp)
        ref, _ = build.run_exe(exe, inp)
        want = p.oracle(inp)
        if not build.same_tokens(ref, want):
            raise build.BuildError(f"{p.PID}: stress case {k} differs\ninput={inp!r}\nref={ref!r}\noracle={want!r}")
    return p.PID, iterations, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=150, help="random inputs per problem")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", default="")
    args = ap.parse_args(argv)
    wanted = {x.strip() for x in args.only.split(",") if x.strip()}
    problems = [build.load_problem(p) for p in sorted(build.PROBLEMS_DIR.glob("LQ*.py"))]
    problems = [p for p in problems if hasattr(p, "stress") and (not wanted or p.PID in wanted)]
    try:
        with tempfile.TemporaryDirectory(prefix="lq_stress_") as tmp:
            with ThreadPoolExecutor(build.JOBS) as pool:
                results = list(pool.map(lambda p: stress_one(p, Path(tmp), args.n, args.seed), problems))
    except build.BuildError as e:
        print(f"STRESS FAILED: {e}", file=sys.stderr)
        return 1
    for pid, n, dt in results:
        print(f"{pid}: {n} random inputs agree with the oracle ({dt:.1f}s)")
    print(f"stress OK: {len(results)} problems x {args.n} inputs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
