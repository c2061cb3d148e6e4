"""The g++ judge, its sandbox and the reward: hostile programs are checked by their effect on this machine."""

import os
from contextlib import contextmanager

os.environ.setdefault("OMP_NUM_THREADS", "1")

import json  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import shlex  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

import pytest  # noqa: E402

import judge_cases  # noqa: E402
import sandbox as S  # noqa: E402
import train_rl as J  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = J.JudgeConfig(time_limit=1.0)
SUM = "#include <bits/stdc++.h>\nusing namespace std;\nint main(){long long a,b;cin>>a>>b;cout<<a+b<<\"\\n\";}\n"
SUM_TESTS = [{"input": "1 2\n", "output": "3\n"}, {"input": "-7 10\n", "output": "3\n"}, {"input": "5 5\n", "output": "10\n"}]
WRONG = SUM.replace("a+b", "(a|b)")  # right on the first test only
ALL_TESTS = J.JudgeConfig(time_limit=1.0, reward_mode="fraction")  # runs every test
STARTED_UIDS = set()  # sandbox uids this test process handed out


@pytest.fixture(autouse=True)
def record_sandbox_uids(monkeypatch):
    """Tests check only the processes they started: another judge (a training run beside the suite) may
    have sandbox-uid processes of its own."""
    real_box = S.Sandbox.box

    @contextmanager
    def box(self):
        with real_box(self) as made:
            STARTED_UIDS.add(made.uid)
            yield made

    monkeypatch.setattr(S.Sandbox, "box", box)


@pytest.fixture(scope="module")
def judge():
    judge = J.Judge(CONFIG)
    yield judge
    judge.close()


@pytest.fixture()
def isolated(judge):
    if J.sandbox_mode() != "namespaces":
        pytest.skip(f"needs the namespaces sandbox (root); this machine has {J.sandbox_mode()}")


def run(code, tests, config=CONFIG):
    return J.compile_and_run(code, tests, config)


def sandbox_uid_processes(include_zombies=True):
    """Processes of a sandbox uid this test process used, anywhere on the machine."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/status") as f:
                status = f.read()
        except OSError:
            continue
        uid = int(re.search(r"^Uid:\s+(\d+)", status, re.M).group(1))
        zombie = re.search(r"^State:\s+Z", status, re.M) is not None
        if uid in STARTED_UIDS and (include_zombies or not zombie):
            found.append(pid)
    return found


def my_children():
    children = []
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children") as f:
            children += f.read().split()
    return children


def assert_nothing_left():
    assert sandbox_uid_processes() == []
    assert my_children() == []
    sandbox = S.shared_sandbox()
    assert sorted(os.listdir(sandbox.base)) == ["judge", "root"]  # every completion's folder is gone
    for parent in sandbox.cgroups.parents if sandbox.cgroups else []:  # and every run's cgroup
        assert [entry for entry in os.listdir(parent) if os.path.isdir(os.path.join(parent, entry))] == []


# --- extraction, comparison, rewards ---------------------------------------------------------------

def extract_code_is(text, expected):
    got = J.extract_code(text)
    assert got == expected, got
    return True


def test_extract_code_prefers_last_cpp_block():
    text = "Idea:\n```python\nprint(1)\n```\n```cpp\nint main(){return 1;}\n```\nBetter:\n```C++\nint main(){return 2;}\n```\nDone."
    assert extract_code_is(text, "int main(){return 2;}\n")
    assert extract_code_is("```cc\n#include <cstdio>\nint main(){}\n```", "#include <cstdio>\nint main(){}\n")
    # an untagged block counts when it looks like C++, a prose-only block does not
    assert extract_code_is("```\nsome notes\n```\n```\n#include <iostream>\nint main(){}\n```\n", "#include <iostream>\nint main(){}\n")
    assert extract_code_is("```text\nint main() { return 0; }\n```", "int main() { return 0; }\n")
    # no complete fenced block: from the first #include to the end (a truncated completion)
    assert extract_code_is("Here it is #include <cstdio>\nint main(){}", "#include <cstdio>\nint main(){}")
    assert extract_code_is("```cpp\n#include <cstdio>\nint main(){", "#include <cstdio>\nint main(){")
    assert J.extract_code("I think the answer is 42, use a greedy algorithm.") is None
    assert J.extract_code("```python\nprint(42)\n```") is None
    assert J.extract_code("```cpp\n\n```") is None


def test_file_io_is_redirected_to_stdin_stdout():
    code = J.extract_code("""```cpp
#include <bits/stdc++.h>
int main() {
    freopen("P1001.in", "r", stdin); std::freopen( "P1001.out" , "w" , stdout );
    if (fopen("a.in", "r")) freopen("a.in", "r", stdin);
    if (!freopen("b.in", "r", stdin)) return 1;
    long long a, b; std::cin >> a >> b; std::cout << a + b << std::endl;
    fclose(stdin); fclose(stdout);
}
```""")
    assert "freopen" not in code and "fclose(std" not in code
    assert run(code, SUM_TESTS).verdicts == ["AC"] * 3


def test_compare_modes():
    m = J.outputs_match
    assert m(b"1 2\n3\n", "1  2 3", "tokens") and not m(b"1 2 4", "1 2 3", "tokens")
    assert m(b"3 \r\n4\t\n\n\n", "3\n4\n", "lines") and not m(b"3 4\n", "3\n4\n", "lines")
    assert not m(b"\n3\n", "3\n", "lines")  # a leading blank line still counts
    assert m(b"3\r\n", "3\n", "exact") and not m(b"3 \n", "3\n", "exact") and not m(b"3", "3\n", "exact")
    config = J.JudgeConfig(time_limit=1.0, compare_mode="lines")
    spaced = '#include <cstdio>\nint main(){printf("1 2 \\n3\\n\\n");}'
    assert run(spaced, [{"input": "", "output": "1 2\n3"}], config).verdicts == ["AC"]
    assert run(spaced, [{"input": "", "output": "1 2 3\n"}], config).verdicts == ["WA"]


def test_config_validation():
    for bad, message in [(dict(reward_mode="binary"), "reward_mode"), (dict(compare_mode="fuzzy"), "compare_mode"),
                         (dict(time_limit=0), "time_limit"), (dict(memory_limit_mb=-1), "memory_limit_mb"),
                         (dict(judge_workers=-2), "judge_workers"), (dict(compile_flags="-O2 '"), "compile_flags")]:
        with pytest.raises(ValueError, match=message):
            J.JudgeConfig(**bad)
    # values that passed construction and then failed every completion, and wrong types
    for bad in [dict(time_limit=float("inf")), dict(time_limit=float("nan")), dict(compile_timeout=float("inf")),
                dict(test_time_budget=float("nan")), dict(memory_limit_mb=0.5), dict(memory_limit_mb=256.0),
                dict(process_limit=1.5), dict(process_limit=10**9), dict(output_limit_mb=1e-9), dict(output_limit_mb=0),
                dict(memory_limit_mb=10**7), dict(time_limit="2"), dict(process_limit="32"), dict(time_limit=True),
                dict(judge_workers=2.0), dict(reward_mode=None), dict(compile_flags=["-O2"]), dict(use_pch="yes")]:
        with pytest.raises(ValueError, match=f"^{next(iter(bad))} must be [^\n]*, got ") as caught:
            J.JudgeConfig(**bad)
        assert "\n" not in str(caught.value)
    J.JudgeConfig(time_limit=1, compile_timeout=0.5, memory_limit_mb=16, output_limit_mb=1, process_limit=1)
    with pytest.raises(J.ConfigError, match="time_limit must be a number"):  # the command line's one-line error
        J.parse_args(["16", "--time_limit", "inf"])


def test_require_gpp(monkeypatch):
    J.require_gpp()
    monkeypatch.setattr(J.shutil, "which", lambda *a, **k: None)
    with pytest.raises(SystemExit, match="g[+][+] not found"):
        J.require_gpp()


def test_reward_modes():
    ce = J.JudgeResult(False, 0, 4, [], compile_error="error")
    some = J.JudgeResult(True, 1, 4, ["AC", "WA", "TLE", "RE"])
    every = J.JudgeResult(True, 4, 4, ["AC"] * 4)
    expected = {"tiered": (0, 0.5, 1), "fraction": (0, 0.25, 1), "partial": (0, 0.625, 1)}
    for mode, values in expected.items():
        assert [J.reward_from_result(r, mode) for r in (ce, some, every)] == list(values)
    assert not ce.all_passed and not some.all_passed and every.all_passed
    assert not J.JudgeResult(True, 0, 0, []).all_passed
    with pytest.raises(ValueError):
        J.reward_from_result(every, "binary")


# --- verdicts --------------------------------------------------------------------------------------

def test_ac_wa_re_ce(judge):
    assert run(SUM, SUM_TESTS) == J.JudgeResult(True, 3, 3, ["AC"] * 3)
    assert run(WRONG, SUM_TESTS, ALL_TESTS) == J.JudgeResult(True, 1, 3, ["AC", "WA", "WA"])  # passed is exact
    assert run(WRONG, SUM_TESTS) == J.JudgeResult(True, 1, 3, ["AC", "WA"])  # tiered: the first failure decides
    crash = '#include <cstdio>\nint main(){int a,b;scanf("%d%d",&a,&b); if(a>0) return 3; printf("%d\\n",a+b);}'
    assert run(crash, SUM_TESTS, ALL_TESTS).verdicts == ["RE", "AC", "RE"]
    assert run(crash, SUM_TESTS).verdicts == ["RE"]
    result = run("#include <cstdio>\nint main(){ printf(\"%d\", undefined_name); }", SUM_TESTS)
    assert (result.compiled, result.passed, result.total, result.verdicts) == (False, 0, 3, [])
    assert "undefined_name" in result.compile_error and not result.error


def test_memory_limit(judge):
    vec = "#include <bits/stdc++.h>\nint main(){ std::vector<int> v(300000000); v[7] = 1; printf(\"%d\\n\", v[7]); }"
    assert run(vec, [{"input": "", "output": "1\n"}]).verdicts == ["MLE"]
    # the asm statement keeps g++ from optimising the allocation away
    touch = ("#include <bits/stdc++.h>\nint main(){ size_t n = 1 << 30; char *p = (char*)malloc(n); memset(p, 1, n);"
             " asm volatile(\"\" : : \"r\"(p) : \"memory\"); printf(\"%d\\n\", p[n / 2]); }")
    assert run(touch, [{"input": "", "output": "1\n"}]).verdicts[0] in ("MLE", "RE")
    assert run(touch.replace("1 << 30", "1 << 20"), [{"input": "", "output": "1\n"}]).verdicts == ["AC"]
    # well under the limit is fine
    fits = "#include <bits/stdc++.h>\nint main(){ std::vector<int> v(20000000, 1); printf(\"%lld\\n\", std::accumulate(v.begin(), v.end(), 0LL)); }"
    assert run(fits, [{"input": "", "output": "20000000\n"}]).verdicts == ["AC"]


# --- the sandbox: hostile programs -----------------------------------------------------------------

def test_infinite_loop_and_sleep_are_tle_and_killed(judge):
    code = ("#include <bits/stdc++.h>\n#include <unistd.h>\nint main(){ std::string s; std::cin >> s;"
            " if (s == \"spin\") { volatile unsigned long x = 0; for (;;) x++; } sleep(100); }")
    started = time.time()
    result = run(code, [{"input": "spin", "output": "1"}, {"input": "sleep", "output": "1"}], ALL_TESTS)
    assert result.verdicts == ["TLE", "TLE"]
    assert time.time() - started < 2 * S.wall_clock_limit(CONFIG.time_limit) + 3
    assert_nothing_left()


def test_fork_bomb_is_contained(judge, isolated):
    counted = ("#include <cstdio>\n#include <unistd.h>\nint main(){ int n = 0; for (int i = 0; i < 100000; i++) {"
               " pid_t p = fork(); if (p == 0) { for (;;) pause(); } if (p > 0) n++; } printf(\"%d\\n\", n); }")
    # process_limit 32 counts the program itself: exactly 31 children could be created
    assert run(counted, [{"input": "", "output": "31\n"}]).verdicts == ["AC"]
    bomb = "#include <unistd.h>\nint main(){ for (;;) fork(); }"
    assert run(bomb, [{"input": "", "output": "1"}]).verdicts[0] != "AC"
    assert_nothing_left()
    assert subprocess.run(["true"]).returncode == 0  # the machine can still start processes


def test_setsid_daemon_does_not_survive(judge):
    code = ("#include <cstdio>\n#include <unistd.h>\nint main(){ if (fork() == 0) { setsid();"
            " if (fork() == 0) sleep(1000); return 0; } puts(\"3\"); }")
    started = time.time()
    assert run(code, SUM_TESTS[:2]).verdicts == ["AC", "AC"]
    assert time.time() - started < 3  # did not wait for the sleeper either
    assert_nothing_left()


def test_infinite_output_is_ole_and_not_buffered(judge):
    code = ("#include <bits/stdc++.h>\nint main(){ std::string s; std::cin >> s; FILE *f = s == \"out\" ? stdout : stderr;"
            " for (;;) fputs(\"spam spam spam spam spam spam spam spam\\n\", f); }")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert run(code, [{"input": "out", "output": "1"}, {"input": "err", "output": "1"}], ALL_TESTS).verdicts == ["OLE", "OLE"]
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024  # KiB: nothing big was read
    assert_nothing_left()


def test_program_cannot_write_outside_its_box(judge, isolated, tmp_path):
    token = f"judge_escape_{os.getpid()}_{time.time_ns()}"
    targets = [f"/tmp/{token}", f"/var/tmp/{token}", f"/dev/shm/{token}", os.path.expanduser(f"~/{token}"),
               os.path.join(REPO, token), f"/work/{token}", os.path.join(S.shared_sandbox().base, token), str(tmp_path / token)]
    code = ("#include <bits/stdc++.h>\nint main(){ std::string p; while (std::cin >> p) { FILE *f = fopen(p.c_str(), \"w\");"
            " bool ok = f && fputs(\"pwned\", f) >= 0 && fclose(f) == 0; puts(ok ? \"wrote\" : \"blocked\"); } }")
    relative = [token, "../" + token, "../../" + token]
    result = run(code, [{"input": "\n".join(targets + relative), "output": "blocked\n" * (len(targets) + len(relative))}])
    assert result.verdicts == ["AC"]  # the program itself saw every write fail
    assert [t for t in targets if os.path.exists(t)] == []
    assert_nothing_left()


def test_no_network(judge, isolated):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.3)
    code = ("#include <bits/stdc++.h>\n#include <arpa/inet.h>\n#include <sys/socket.h>\n#include <unistd.h>\n"
            "int main(){ int port; std::cin >> port; int s = socket(AF_INET, SOCK_STREAM, 0); sockaddr_in a{};"
            " a.sin_family = AF_INET; a.sin_port = htons(port); inet_pton(AF_INET, \"127.0.0.1\", &a.sin_addr);"
            " puts(connect(s, (sockaddr*)&a, sizeof a) == 0 ? \"connected\" : \"failed\"); }")
    try:
        assert run(code, [{"input": str(listener.getsockname()[1]), "output": "failed\n"}]).verdicts == ["AC"]
        with pytest.raises(socket.timeout):
            listener.accept()
    finally:
        listener.close()


def test_program_cannot_signal_host_processes(judge):
    sentinel = subprocess.Popen(["sleep", "60"])
    code = ("#include <csignal>\n#include <cstdio>\n#include <unistd.h>\nint main(){ long t, s; scanf(\"%ld %ld\", &t, &s);"
            " kill(-1, SIGKILL); kill(getppid(), SIGKILL); kill(t, SIGKILL); kill(s, SIGKILL); kill(1, SIGKILL); puts(\"done\"); }")
    try:
        assert run(code, [{"input": f"{os.getpid()} {sentinel.pid}", "output": "done\n"}]).verdicts == ["AC"]
        time.sleep(0.1)
        assert sentinel.poll() is None  # a root process of the host survived kill(-1) and kill(pid)
    finally:
        sentinel.kill()
        sentinel.wait()
    assert_nothing_left()


def test_program_cannot_read_trainer_memory_or_environment(judge, isolated, monkeypatch):
    monkeypatch.setenv("LUOGUQWEN_TEST_SECRET", "s3cret")
    code = ("#include <bits/stdc++.h>\nint main(){ long t; std::cin >> t; std::string me = \"/proc/\" + std::to_string(t);"
            " for (std::string p : {me + \"/mem\", me + \"/environ\", me + \"/maps\", std::string(\"/proc/1/environ\"),"
            " std::string(\"/proc/1/root/etc/hostname\"), std::string(\"/etc/shadow\")}) {"
            " FILE *f = fopen(p.c_str(), \"r\"); char buf[64]; puts(f && fread(buf, 1, sizeof buf, f) > 0 ? \"read\" : \"denied\"); }"
            " puts(getenv(\"LUOGUQWEN_TEST_SECRET\") ? \"leaked\" : \"clean\"); }")
    result = run(code, [{"input": str(os.getpid()), "output": "denied\n" * 6 + "clean\n"}])
    assert result.verdicts == ["AC"]


def test_compiler_cannot_read_host_files(judge, isolated):
    for path in ("/etc/shadow", os.path.abspath(J.__file__)):
        result = run(f'#include "{path}"\nint main(){{}}\n', SUM_TESTS)
        assert not result.compiled and not result.error
        assert "root:" not in result.compile_error and "def " not in result.compile_error
        assert "Permission denied" in result.compile_error or "No such file" in result.compile_error


# --- precompiled header ----------------------------------------------------------------------------

def test_pch_is_used_by_the_sandboxed_compile(judge, isolated):
    pch = J.pch_dir(CONFIG)
    assert pch and os.path.isfile(os.path.join(pch, "bits", "stdc++.h.gch"))
    sandbox = S.shared_sandbox()
    with sandbox.box() as box:
        with open(os.path.join(box.box, "main.cpp"), "w") as f:
            f.write(SUM)
        os.chmod(os.path.join(box.box, "main.cpp"), 0o644)
        argv = J._compile_argv(CONFIG, sandbox.pch_include(pch)) + ["-H"]  # -H lists headers; "!" = PCH used
        out = sandbox.run(box, argv, b"", seconds=30, memory_mb=J.COMPILE_MEMORY_MB, output_mb=64, compiling=True, pch_dir=pch)
    assert out.returncode == 0, out.stderr
    assert "! /pch/bits/stdc++.h.gch" in out.stderr.decode().splitlines()[0]


def test_pch_build_is_atomic_and_tolerates_a_concurrent_builder(tmp_path):
    flags = ["-std=c++17", "-O2"]
    results = []
    threads = [threading.Thread(target=lambda: results.append(S._build_pch(flags, str(tmp_path)))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and results[0] == results[1]
    assert os.listdir(tmp_path / "pch") == [os.path.basename(results[0])]  # no half-built folder left
    assert os.path.getsize(os.path.join(results[0], "bits", "stdc++.h.gch")) > 1_000_000
    # later calls reuse the finished folder
    assert S._build_pch(flags, str(tmp_path)) == results[0]


def test_without_a_pch_still_compiles(judge, capsys):
    config = J.JudgeConfig(time_limit=1.0, judge_cache_dir="/proc/no-such-place")
    assert J.pch_dir(config) is None
    assert "compiling without it" in capsys.readouterr().out
    assert run('#include <cstdio>\nint main(){puts("3");}', SUM_TESTS[:1], config).verdicts == ["AC"]
    assert J.pch_dir(J.JudgeConfig(use_pch=False)) is None


# --- Judge and code_reward_func --------------------------------------------------------------------

def test_cache_compiles_identical_completions_once(judge):
    before = judge.compile_count
    results = judge.judge([SUM, WRONG, SUM, SUM, None], [SUM_TESTS] * 5)
    assert judge.compile_count - before == 2
    assert [r.passed for r in results] == [3, 1, 3, 3, 0] and not results[4].compiled
    results[0].verdicts.append("mutated")  # callers get their own copies
    again = judge.judge([SUM, WRONG], [SUM_TESTS] * 2)
    assert judge.compile_count - before == 2 and again[0].verdicts == ["AC"] * 3
    assert judge.judge([SUM], [SUM_TESTS[:2]])[0].total == 2 and judge.compile_count - before == 3  # other tests


def test_code_reward_func_with_trl_arguments(judge):
    right = f"Sure!\n```cpp\n{SUM}```"
    wrong = f"```cpp\n{WRONG}```"
    completions = [[{"role": "assistant", "content": c}] for c in (right, wrong, "no idea", "```cpp\nint main({}\n```")]
    metrics = {}
    rewards = J.code_reward_func(
        prompts=[[{"role": "user", "content": "P"}]] * 4, completions=completions, completion_ids=[[1, 2]] * 4,
        test_cases=[SUM_TESTS] * 4, pid=["LQ1"] * 4, trainer_state=object(), log_extra=lambda *a: None,
        log_metric=lambda name, value: metrics.__setitem__(name, value), judge=judge,
    )
    assert rewards == [1.0, 0.5, 0.0, 0.0]
    assert metrics == {"judge/has_code": 0.75, "judge/compiled": 0.5, "judge/all_passed": 0.25}
    assert J.code_reward_func([right, "nothing"], [SUM_TESTS] * 2, judge=judge) == [1.0, 0.0]  # plain strings
    fraction = J.Judge(J.JudgeConfig(time_limit=1.0, reward_mode="partial", judge_workers=1))
    try:
        assert J.code_reward_func([wrong], [SUM_TESTS], judge=fraction) == [0.5 + 0.5 / 3]
    finally:
        fraction.close()
    assert my_children() == []


def test_code_reward_func_takes_any_completion_shape(judge, monkeypatch, capsys):
    monkeypatch.setattr(J, "_printed", set())
    right = f"```cpp\n{SUM}```"
    parts = [{"role": "assistant", "content": [{"type": "text", "text": "Here:\n"}, {"type": "image"},
                                               {"type": "text", "text": right}]}]
    odd = [None, b"bytes", {"role": "assistant", "content": right}, ["a message that is a string"],
           [{"role": "assistant", "content": 7}], 42, [{"role": "assistant", "content": None}]]
    rewards = J.code_reward_func([parts, *odd], [SUM_TESTS] * (len(odd) + 1), judge=judge)
    assert rewards == [1.0] + [0.0] * len(odd)
    out = capsys.readouterr().out
    for kind in ("of type NoneType", "of type bytes", "of type dict", "with a str among its messages",
                 "with a message whose content is int", "of type int"):
        assert out.count(f"a completion {kind} scores 0") == 1, out
    assert J.code_reward_func([None, b"x"], [SUM_TESTS] * 2, judge=judge) == [0.0, 0.0]
    assert "scores 0" not in capsys.readouterr().out  # once per kind


def test_a_lone_surrogate_is_replaced_not_an_internal_error(judge, monkeypatch, capsys):
    monkeypatch.setattr(J, "_printed", set())
    code = SUM.replace("int main", "// \ud800 and \udfff\nint main")
    tests = [{"input": "1 2\ud800\n", "output": "3\n"}]
    assert J.code_reward_func([f"```cpp\n{code}```", f"~~~cpp\n{code}~~~"], [tests] * 2, judge=judge) == [1.0, 1.0]
    assert "internal judge error" not in capsys.readouterr().out and "internal-error" not in J._printed


def test_code_reward_func_default_judge():
    assert J.code_reward_func([f"```cpp\n{SUM}```"], [SUM_TESTS]) == [1.0]


def test_malformed_test_rows_score_zero_and_are_reported_once(judge, monkeypatch, capsys):
    monkeypatch.setattr(J, "_printed", set())
    right = f"```cpp\n{SUM}```"
    bad_rows = ["1 2\n3\n", {"input": "1 2\n", "output": "3\n"}, [{"input": 12, "output": "3"}], [{"input": "1 2\n"}], 7]
    rewards = J.code_reward_func([right] * (len(bad_rows) + 1), [SUM_TESTS] + bad_rows, judge=judge)
    assert rewards == [1.0] + [0.0] * len(bad_rows)  # the good row is still judged
    out = capsys.readouterr().out
    assert out.count("malformed test cases") == 1 and "test_cases of completion 1 must be a list" in out
    result = judge.judge([SUM], [[SUM_TESTS[0], {"output": "3"}]])[0]
    assert "test case 1 of completion 0 needs string 'input' and 'output'" in result.error and not result.compiled
    assert J.compile_and_run(SUM, "1 2").error.startswith("test_cases must be a list")
    assert judge.judge([SUM], [SUM_TESTS])[0].all_passed


def test_internal_failure_scores_zero_and_is_reported_once(judge, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(J, "_compile", broken)
    monkeypatch.setattr(J, "_printed", set())
    codes = [f"```cpp\n{SUM}// {i}\n```" for i in range(3)]
    assert J.code_reward_func(codes, [SUM_TESTS] * 3, judge=judge) == [0.0, 0.0, 0.0]
    assert capsys.readouterr().out.count("internal judge error") == 1
    result = judge.judge([SUM + "// x"], [SUM_TESTS])[0]
    assert result.error == "RuntimeError: disk on fire" and not result.compiled and result.total == 3
    monkeypatch.undo()
    assert judge.judge([SUM + "// x"], [SUM_TESTS])[0].all_passed  # failures are not cached


# --- fallback modes (forced; this machine normally uses namespaces) -----------------------------

@pytest.mark.parametrize("mode", ["rlimits", "userns"])
def test_fallback_modes_judge_and_clean_up(judge, mode, monkeypatch):
    try:
        sandbox = S.Sandbox(mode)
    except RuntimeError as e:
        pytest.skip(str(e))
    monkeypatch.setattr(S, "_shared", sandbox)
    assert J.sandbox_mode() == mode
    assert run(SUM, SUM_TESTS).verdicts == ["AC"] * 3
    loop = "int main(){ volatile unsigned long x = 0; for (;;) x++; }"
    assert run(loop, SUM_TESTS[:1]).verdicts == ["TLE"]
    daemon = ("#include <cstdio>\n#include <unistd.h>\nint main(){ if (fork() == 0) { setsid();"
              " if (fork() == 0) sleep(1000); return 0; } puts(\"3\"); }")
    assert run(daemon, SUM_TESTS[:1]).verdicts == ["AC"]
    if os.geteuid() == 0 or mode != "rlimits":  # a non-root rlimits sandbox cannot catch setsid()
        assert sandbox_uid_processes(include_zombies=False) == []  # killed orphans are reaped by init, not by us
    assert my_children() == [] and sorted(os.listdir(sandbox.base)) == ["judge", "root"]


def test_sandbox_never_forks_the_trainer_with_preexec_fn(judge, monkeypatch):
    """Popen without preexec_fn lets CPython vfork; a fork of a 10 GB trainer per test is what got OOM-killed."""
    calls = []
    real_popen = subprocess.Popen

    def recording_popen(*args, **kwargs):
        calls.append(kwargs)
        return real_popen(*args, **kwargs)

    monkeypatch.setattr(S.subprocess, "Popen", recording_popen)
    assert run(SUM + "// vfork", SUM_TESTS[:2]).all_passed
    assert len(calls) == 3 and all(kw.get("preexec_fn") is None and kw.get("close_fds", True) for kw in calls)


# --- one memory budget per completion, the system-call filter --------------------------------------

@pytest.fixture()
def cgroups(judge):
    if S.shared_sandbox().cgroups is None:
        pytest.skip("needs a cgroup per run (root, or a delegated cgroup); this machine runs the rlimits fallback")
    return S.shared_sandbox().cgroups


def run_program(sandbox, code, stdin=b"", config=CONFIG):
    """Compile and run one program in `sandbox` directly, to see the run's own counters."""
    with sandbox.box() as box:
        assert J._compile(sandbox, box, code, config, J.pch_dir(config)) == ""
        return sandbox.run(box, ["./main"], stdin, seconds=config.time_limit, memory_mb=config.memory_limit_mb,
                           output_mb=config.output_limit_mb, nproc=config.process_limit)


SHM_PIN = ("#include <bits/stdc++.h>\n#include <sys/shm.h>\nint main(){ int pinned = 0; for (int i = 0; i < 8; i++) {"
           " int id = shmget(IPC_PRIVATE, 64 << 20, IPC_CREAT | 0600); if (id < 0) break; char *p = (char*)shmat(id, 0, 0);"
           " if (p == (char*)-1) break; memset(p, 1, 64 << 20); shmdt(p); shmid_ds s;"
           " pinned += shmctl(id, IPC_STAT, &s) == 0; } printf(\"%d\\n\", pinned); }")
CHILDREN = ("#include <bits/stdc++.h>\n#include <unistd.h>\nint main(){ for (int i = 0; i < 24; i++) if (fork() == 0) {"
            " size_t n = 160u << 20; char *p = (char*)malloc(n); memset(p, 1, n); pause(); } usleep(500000); puts(\"done\"); }")


def test_sysv_shm_cannot_pin_memory(judge):
    """The review pinned 3 GB with detached segments; 8 x 64 MB here (twice the limit), in the cgroup and in the fallback."""
    if J.sandbox_mode() == "rlimits":
        pytest.skip("needs the sandbox's own IPC namespace (namespaces or userns mode)")
    limit = (CONFIG.memory_limit_mb + S.CGROUP_ALLOWANCE_MB) * J.MB
    out = run_program(S.shared_sandbox(), SHM_PIN, config=J.JudgeConfig(time_limit=5.0))
    assert out.stdout == b"0\n"  # shm_rmid_forced: a detached segment is gone at once
    if S.shared_sandbox().cgroups:
        assert out.memory_peak is not None and out.memory_peak <= limit, out.memory_peak / J.MB
    fallback = S.Sandbox(cgroups=False)
    assert fallback.cgroups is None
    keep = SHM_PIN.replace("shmdt(p); ", "")  # attached segments count against RLIMIT_AS and shmall
    assert int(run_program(fallback, keep, config=J.JudgeConfig(time_limit=5.0)).stdout) * 64 <= CONFIG.memory_limit_mb


def test_forked_children_share_one_memory_budget(judge, cgroups):
    """24 children x 160 MB (3.8 GB in the review) under 256 MB: the cgroup's peak stays within the limit."""
    out = run_program(S.shared_sandbox(), CHILDREN, config=J.JudgeConfig(time_limit=3.0))
    assert out.oom_killed and out.memory_peak <= (CONFIG.memory_limit_mb + S.CGROUP_ALLOWANCE_MB) * J.MB
    assert run(CHILDREN, [{"input": "", "output": "done\n"}]).verdicts == ["MLE"]
    assert_nothing_left()


def test_a_cgroup_the_sandbox_cannot_join_is_dropped_at_start_up(judge, cgroups, monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(S.Cgroups, "create", lambda self, name, memory, processes: [str(tmp_path / "not-a-cgroup")])
    sandbox = S.Sandbox()
    out = capsys.readouterr().out
    assert sandbox.mode == J.sandbox_mode() and sandbox.cgroups is None
    assert f"sandbox mode {sandbox.mode} with cgroups unavailable" in out and "cannot join a cgroup here" in out


@pytest.mark.parametrize("memory", ["default", "no cgroup"])
def test_one_std_thread_works(judge, memory, monkeypatch, capsys):
    """A thread's default stack is RLIMIT_STACK: it must fit under the memory limit in both memory modes."""
    if memory == "no cgroup":  # as on a machine where none can be made
        def refuse(name):
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(S, "Cgroups", refuse)
        monkeypatch.setattr(S, "_shared", S.Sandbox())
        assert "memory: rlimits per process (no cgroup: [Errno 13] Permission denied)" in capsys.readouterr().out
    code = ("#include <bits/stdc++.h>\nint main(){ long long a, b; std::cin >> a >> b; long long s = 0;"
            " std::thread t([&]{ s = a + b; }); t.join(); std::cout << s << std::endl; }")
    assert run(code, SUM_TESTS).verdicts == ["AC"] * 3


DENIALS = """#include <bits/stdc++.h>
#include <sched.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
int show(const char *what, long r) { printf("%s %s\\n", what, r < 0 ? strerrorname_np(errno) : "ALLOWED"); return 0; }
int main() {
    for (int family : {AF_VSOCK, AF_NETLINK, AF_UNIX, AF_INET, AF_INET6, AF_PACKET})
        show("socket", socket(family, family == AF_NETLINK || family == AF_PACKET ? SOCK_RAW : SOCK_STREAM, 0));
    int pair[2];
    show("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, pair));
    show("add_key", syscall(SYS_add_key, "user", "planted", "secret", 6, -3));
    show("keyctl", syscall(SYS_keyctl, 0, -3, 0));
    show("request_key", syscall(SYS_request_key, "user", "planted", 0, 0));
    show("io_uring_setup", syscall(SYS_io_uring_setup, 8, calloc(1, 256)));
    show("userfaultfd", syscall(SYS_userfaultfd, 0));
    show("perf_event_open", syscall(SYS_perf_event_open, calloc(1, 256), 0, -1, -1, 0));
    show("bpf", syscall(SYS_bpf, 0, calloc(1, 256), 64));
    show("ptrace", syscall(SYS_ptrace, 16, getppid(), 0, 0));
    show("unshare", unshare(CLONE_NEWUSER));
    show("clone", syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0));
    show("clone3", syscall(435, 0, 0));
    show("mount", syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, 0));
    show("io_setup", syscall(SYS_io_setup, 65536, calloc(1, 8)));
    show("memfd_secret", syscall(447, 0));
    show("x32", syscall(SYS_getpid | 0x40000000));
    long i386;  // getpid (20) through the 32-bit entry point
    asm volatile("int $0x80" : "=a"(i386) : "a"(20) : "memory");
    printf("i386 %s\\n", i386 == -ENOSYS ? "ENOSYS" : "ALLOWED");
    pid_t child = fork();
    if (child == 0) _exit(0);
    show("fork", child);
}
"""


@pytest.mark.skipif(os.uname().machine != "x86_64", reason="the program uses x86-64 system-call numbers")
def test_system_call_filter_denies_and_does_not_kill(judge):
    if S.shared_sandbox().launcher is None:
        pytest.skip("the seccomp launcher could not be built or run here")
    denied = ["socket EPERM"] * 6 + ["socketpair EPERM", "add_key EPERM", "keyctl EPERM", "request_key EPERM",
                                     "io_uring_setup EPERM", "userfaultfd EPERM", "perf_event_open EPERM", "bpf EPERM",
                                     "ptrace EPERM", "unshare EPERM", "clone EPERM", "clone3 ENOSYS", "mount EPERM",
                                     "io_setup EPERM", "memfd_secret EPERM",
                                     "x32 ENOSYS", "i386 ENOSYS", "fork ALLOWED"]
    result = run(DENIALS, [{"input": "", "output": "\n".join(denied)}], J.JudgeConfig(time_limit=1.0, compare_mode="lines"))
    assert result.verdicts == ["AC"]
    unfiltered = S.Sandbox(syscall_filter=False)  # the same program without the filter: the calls get through
    out = run_program(unfiltered, DENIALS).stdout.decode()
    assert "socket ALLOWED" in out and "add_key ALLOWED" in out and "io_setup ALLOWED" in out, out


def test_exactly_the_output_limit_is_accepted(judge):
    config = J.JudgeConfig(time_limit=1.0, output_limit_mb=1)
    code = ("#include <bits/stdc++.h>\nint main(){ long n; std::cin >> n; std::string s(n, '7');"
            " for (long i = 1; i < n; i += 2) s[i] = '\\n'; fwrite(s.data(), 1, n, stdout); }")
    exact = "7\n" * (J.MB // 2)
    assert run(code, [{"input": str(J.MB), "output": exact}], config).verdicts == ["AC"]
    assert run(code, [{"input": str(J.MB + 1), "output": exact}], config).verdicts == ["OLE"]


# --- hostile and legitimate programs in both modes (tests/judge_cases.py) ----------------------------

@pytest.fixture(scope="module")
def case_cache():
    """A judge_cache_dir with the PCH built, readable by the ordinary user the second mode runs as."""
    folder = tempfile.mkdtemp(prefix="judge_cases_")
    os.chmod(folder, 0o755)
    S._build_pch(shlex.split(CONFIG.compile_flags), folder)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def check_case_report(report):
    """The same verdicts in every mode; only memory differs: a cgroup caps memfd pages, without one they are denied."""
    found = report["verdicts"]
    assert found["plant"] == ["AC"]  # every write into the skeleton failed ...
    assert report["skeleton_changed"] == [] and report["pch_before"] and report["pch_after"]  # ... and nothing changed
    assert found["after"] == ["AC", "AC"]  # the next completion compiles (loader, PCH) and passes
    memory_cap = (CONFIG.memory_limit_mb + S.CGROUP_ALLOWANCE_MB) * J.MB
    for run in report["memfd"]:
        if report["cgroups"]:
            assert run["peak"] <= memory_cap and (run["oom_killed"] or "memfd" in run["stdout"]), run
            assert "436 MB" not in run["stdout"], run
        else:
            assert run["stdout"] == "no shm\nno memfd\n", run
    assert report["shmem_growth_mb"] < 200  # nothing left in the host's shared memory (the review: +1.35 GB)
    assert report["forks"] == "31\n" and found["fork_bomb"] != ["AC"]  # process_limit 32, the program included
    assert found["aio"] == ["AC"]  # every legacy AIO call denied
    assert found["ole"] == ["OLE", "OLE"]  # 5 MB past the limit, SIGXFSZ ignored or not
    assert found["reopen"] == ["AC"] * 4  # /dev/stdout, /dev/fd/1, /proc/self/fd/1, /dev/stderr, /dev/stdin
    # raise(SIGKILL), raise(SIGXCPU); CPU limit, wall cap; the CPU time of a child left running
    assert found["endings"] == ["RE", "RE", "TLE", "TLE", "TLE"]
    assert found["busy"] == ["AC"], report["busy_wall_s"]  # 0.95 of the CPU limit on a loaded machine
    assert report["left_in_base"] == [] and report["children"] == []


def test_hostile_programs_in_this_process(judge, case_cache):
    if J.sandbox_mode() == "rlimits":
        pytest.skip("needs a namespace sandbox; this machine has only rlimits")
    check_case_report(judge_cases.run_all(case_cache))
    assert_nothing_left()


def test_hostile_programs_as_an_ordinary_user(case_cache):
    """The userns mode for real: the cases judged in a process of uid 65534, as most users run a trainer."""
    if os.geteuid() != 0:
        pytest.skip("the suite runs as an ordinary user already: test_hostile_programs_in_this_process covers it")
    done = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable,
                           judge_cases.__file__, case_cache], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "HOME": case_cache})
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    if report["mode"] == "rlimits":
        reason = "uid 65534 cannot create user namespaces here: " + " | ".join(
            line for line in done.stdout.splitlines() if "unavailable" in line)
        print(reason)
        pytest.skip(reason)
    assert report["mode"] == "userns" and report["uid"] == 65534 and not report["cgroups"]
    assert "memfd_create denied" in done.stdout  # the start-up line names the memory mechanism
    check_case_report(report)


def test_sandbox_alone_and_its_entry_point_for_debugging_a_verdict(tmp_path):
    entry = [sys.executable, os.path.join(REPO, "sandbox.py")]
    alone = subprocess.run([sys.executable, "-c", "import sys, sandbox; print('torch' in sys.modules)"], cwd=REPO,
                           capture_output=True, text=True, timeout=60)
    assert alone.stdout == "False\n", alone.stderr
    program = tmp_path / "main.cpp"
    program.write_text('#include <cstdio>\nint main(){long a,b;scanf("%ld%ld",&a,&b);printf("%ld\\n",a+b);}\n')
    done = subprocess.run([*entry, str(program), "--time_limit", "1"], input="1 2\n", capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout == "3\n", done.stderr
    assert re.search(r"\[sandbox\] \w+: exit 0, CPU \d+\.\d{3} s \(limit 1\), wall \d+\.\d{3} s", done.stderr), done.stderr
    broken = tmp_path / "broken.cpp"
    broken.write_text("int main() { return undefined_name; }\n")
    done = subprocess.run([*entry, str(broken)], input="", capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "undefined_name" in done.stderr and "[sandbox] compile error" in done.stderr
    for argv in ([str(tmp_path / "missing.cpp")], [str(program), "--time_limit", "inf"],
                 [str(program), "--compile_flags", "-O2 '"], [str(program), "--memory_limit_mb", "0.5"]):
        bad = subprocess.run([*entry, *argv], input="", capture_output=True, text=True, timeout=120)
        assert bad.returncode != 0 and "Traceback" not in bad.stderr, bad.stderr
        assert re.match(r"(sandbox\.py: )?error: ", bad.stderr.strip().splitlines()[-1]), bad.stderr


# --- cost -------------------------------------------------------------------------------------------

def test_extraction_is_linear_on_pathological_completions():
    """The fence regex took 79 s on the first of these (13 s on an 80 KB completion in the review); the freopen
    regex over 10 s on repeated `freopen("`. Degenerate repetition is common in RL rollouts."""
    def cases(size):
        return ["```" + " " * size, "```cpp\n" * (size // 7), " ```\n" * (size // 5), "```cpp `x`\n" * (size // 11),
                "~~~cpp\n" * (size // 7), "#include <x>\n" + "freopen(" * (size // 8),
                "#include <x>\n" + 'freopen("' * (size // 9), "#include <x>\n" + 'freopen(\\"' * (size // 10),
                "#include <x>\n" + "freopen((x)" * (size // 11), "#include <x>\nfreopen(" + "(x)" * (size // 3),
                "#include <x>\n" + "freopen('" * (size // 9), "#include <x>\n" + "fclose(" * (size // 7),
                "#include <x>\n" + "'" * size, "#include <x>\n" + '"' * size, "#include <x>\n" + "(" * size,
                "#include <x>\n" + ")" * size, "#include <x>\n" + 'R"(' * (size // 3), "#include <x>\n" + "/*" * (size // 2),
                "#include <x>\n" + "u8'" * (size // 3), "#include <x>\n" + "freopen " + " " * size,
                "```\nint" + " " * size + "\n```"]
    for size, limit in ((80_000, 0.2), (1_000_000, 1.0)):
        for text in cases(size):
            started = time.process_time()  # CPU time: the work itself, not the machine's load
            J.extract_code(text)
            assert time.process_time() - started < limit, (size, text[:20])
    assert J.extract_code("```cpp\n" + "int x;\n" * 10_000 + "```") == "int x;\n" * 10_000  # and still right


def test_file_io_in_comments_and_literals_stays():
    code = J.extract_code('''```cpp
int main() {
    // don't freopen("x", "r", stdin) here
    const char *s = "freopen(\\"a\\", \\"r\\", stdin)"; long n = 1'000'000; char c = '(';
    if (!freopen(("b" "." "in"), "r", stdin)) return 1;
    auto r = R"x(freopen("q", "r", stdin)) ")x"; /* fclose(stdout) */ fclose(stdout); fclose(f);
}
```''')
    assert code == '''int main() {
    // don't freopen("x", "r", stdin) here
    const char *s = "freopen(\\"a\\", \\"r\\", stdin)"; long n = 1'000'000; char c = '(';
    if (!stdin) return 1;
    auto r = R"x(freopen("q", "r", stdin)) ")x"; /* fclose(stdout) */ 0; fclose(f);
}
''', code


def test_tilde_fences():
    assert extract_code_is("Code:\n~~~cpp\nint main(){}\n~~~\n", "int main(){}\n")
    assert extract_code_is("~~~ C++\n#include <cstdio>\n```\nint main(){}\n~~~", "#include <cstdio>\n```\nint main(){}\n")
    assert extract_code_is("~~~cpp\n#include <cstdio>\nint main(){", "#include <cstdio>\nint main(){")  # unclosed
    assert extract_code_is("~~~\n#include <cstdio>\nint main(){}\n~~~\nthen ```python\nx\n```", "#include <cstdio>\nint main(){}\n")


def test_tiered_stops_early_and_the_test_budget_caps_a_completion(judge):
    sleeper = "#include <unistd.h>\nint main(){ sleep(100); }"
    tests = [{"input": str(i), "output": "1"} for i in range(20)]
    started = time.time()
    assert run(sleeper, tests).verdicts == ["TLE"]  # tiered: one TLE already decides the reward
    assert time.time() - started < S.wall_clock_limit(CONFIG.time_limit) + 2
    budget = J.JudgeConfig(time_limit=1.0, reward_mode="fraction", test_time_budget=1.0)
    started = time.time()
    result = run(sleeper, tests, budget)
    assert result.verdicts == ["TLE"] * 20 and result.passed == 0 and result.total == 20
    assert time.time() - started < budget.test_time_budget + S.wall_clock_limit(CONFIG.time_limit) + 3
    assert_nothing_left()
