"""The training judge (train_rl.Judge) agrees with the shipped problem set: every reference solution is
accepted on every test (samples and hidden), and each deliberately wrong solution gets a reward below 1
because it fails a hidden test while passing the samples shown in the prompt."""
import json
import shutil
from pathlib import Path

import pytest

import train_rl

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "local_luogu_rl" / "shipped"
PROBLEMSET = ROOT / "tests" / "problemset"

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")


def shipped_problems() -> dict[str, dict]:
    """Raw rows by pid (load_rl_problems drops num_samples, which these tests need)."""
    rows = {}
    for split in ("train", "eval"):
        for line in (SHIPPED / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            rows[row["pid"]] = row
    return rows


@pytest.fixture(scope="module")
def judge():
    judge = train_rl.Judge(train_rl.JudgeConfig())
    yield judge
    judge.close()


def test_every_reference_solution_is_accepted_on_every_test(judge):
    problems = shipped_problems()
    pids = sorted(problems)
    codes = [(PROBLEMSET / "solutions" / f"{pid}.cpp").read_text() for pid in pids]
    results = judge.judge(codes, [problems[pid]["test_cases"] for pid in pids])
    rejected = {pid: r.verdicts for pid, r in zip(pids, results) if not r.all_passed}
    assert not rejected
    assert sum(r.total for r in results) == sum(len(p["test_cases"]) for p in problems.values())


def test_wrong_solutions_pass_the_samples_but_not_all_tests(judge):
    problems = shipped_problems()
    wrong_files = sorted((PROBLEMSET / "wrong").glob("*.cpp"))
    assert wrong_files
    for path in wrong_files:
        problem = problems[path.stem]
        samples = problem["test_cases"][: problem["num_samples"]]
        on_samples, on_all = judge.judge([path.read_text()] * 2, [samples, problem["test_cases"]])
        assert on_samples.all_passed, (path.name, on_samples.verdicts)
        assert on_all.compiled and not on_all.all_passed, path.name
        assert "WA" in on_all.verdicts
        completion = [{"role": "assistant", "content": f"```cpp\n{path.read_text()}```"}]
        assert train_rl.code_reward_func([completion], [problem["test_cases"]], judge=judge) == [0.5]


def test_the_trainer_loads_every_shipped_test():
    rows = shipped_problems()
    for split in ("train", "eval"):
        for problem in train_rl.load_rl_problems(str(SHIPPED / f"{split}.jsonl")):
            assert problem["test_cases"] == rows[problem["pid"]]["test_cases"]
