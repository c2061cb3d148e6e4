"""Hostile and legitimate programs for the judge, judged in whatever sandbox mode this process gets.

test_judge.py runs them in its own process (as root: the namespaces mode) and, when it is root, once more
under `setpriv --reuid=65534` (an ordinary user: the userns mode), and checks both reports the same way.
Alone it judges every case and prints one JSON report:

    python tests/judge_cases.py CACHE_DIR     # CACHE_DIR: judge_cache_dir, holding a ready PCH
"""

import json
import os
import subprocess
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import sandbox as S  # noqa: E402
import train_rl as J  # noqa: E402

SUM = "#include <bits/stdc++.h>\nusing namespace std;\nint main(){long long a,b;cin>>a>>b;cout<<a+b<<\"\\n\";}\n"
SUM_TESTS = [{"input": "1 2\n", "output": "3\n"}, {"input": "-7 10\n", "output": "3\n"}]

# Writes that would let one completion change what a later one runs (a loader planted in /lib64, /pch replaced,
# the skeleton filled): each must fail. The PCH is compiled in, so /pch works before the attack.
PLANT_TARGETS = ["/planted", "/lib64/ld-linux-x86-64.so.2", "/lib64/planted", "/dev/planted", "/pch/planted",
                 "/judge/launcher", "/usr/lib/planted", "/etc/planted", "/tmp/planted", "/proc/1/root/planted"]
PLANT = """#include <bits/stdc++.h>
#include <sys/stat.h>
#include <unistd.h>
int main() {
    std::string path;
    while (std::cin >> path) {
        FILE *f = fopen(path.c_str(), "w");
        puts(f && fputs("planted", f) >= 0 && fclose(f) == 0 ? "wrote" : "blocked");
    }
    puts(rmdir("/pch") == 0 || symlink("/nowhere", "/pch") == 0 || rename("/pch", "/pch.old") == 0 ? "pch" : "blocked");
    puts(symlink("/tmp/evil", "/lib64/ld-linux-x86-64.so.2") == 0 || unlink("/dev/null") == 0 ? "dev" : "blocked");
    puts(chmod("/", 0777) == 0 || chmod("/dev", 0777) == 0 || mkdir("/new", 0777) == 0 ? "chmod" : "blocked");
    long bytes = 0, files = 0;  // the review left 340 MB and 9,551 inodes in / in 1.8 s
    std::string chunk(1 << 20, 'x');
    for (int i = 0; i < 340; i++) {
        FILE *f = fopen(("/fill" + std::to_string(i)).c_str(), "w");
        if (!f) break;
        files++;
        bytes += fwrite(chunk.data(), 1, chunk.size(), f);
        fclose(f);
    }
    printf("%ld %ld\\n", files, bytes);
}
"""
PLANT_OUTPUT = "blocked\n" * (len(PLANT_TARGETS) + 3) + "0 0\n"

# Memory outside RLIMIT_AS: memfd pages (436 MB in one process under 256 MB in the review; 16 forks took 1.36 GB
# of host shared memory) and POSIX shm (there is no /dev/shm in the box).
MEMFD = """#include <bits/stdc++.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
long fill(int mb) {  // MB written into memfds (each one up to RLIMIT_FSIZE), -1 without any
    std::vector<char> chunk(1 << 20, 7);
    long written = -1;
    for (int fd; written < mb && (fd = memfd_create("fill", 0)) >= 0;) {
        written += written < 0;
        long before = written;
        while (written < mb && write(fd, chunk.data(), chunk.size()) == (long)chunk.size()) written++;
        if (written == before) break;
    }
    return written;
}
int main() {
    std::string how;
    std::cin >> how;
    puts(shm_open("/judge_fill", O_CREAT | O_RDWR, 0600) < 0 ? "no shm" : "shm");
    if (how == "forks") {
        for (int i = 0; i < 16; i++)
            if (fork() == 0) { fill(100); pause(); }
        usleep(1500000);
    }
    long written = fill(how == "one" ? 436 : 1);
    if (written < 0) puts("no memfd"); else printf("memfd %ld MB\\n", written);
}
"""

AIO = """#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/aio_abi.h>
void show(const char *what, long r) { printf("%s %s\\n", what, r < 0 ? strerrorname_np(errno) : "ALLOWED"); }
int main() {
    aio_context_t ctx = 0;
    show("io_setup", syscall(SYS_io_setup, 65536, &ctx));
    show("io_submit", syscall(SYS_io_submit, ctx, 0, nullptr));
    show("io_getevents", syscall(SYS_io_getevents, ctx, 0, 0, nullptr, nullptr));
    show("io_pgetevents", syscall(SYS_io_pgetevents, ctx, 0, 0, nullptr, nullptr, nullptr));
    show("io_cancel", syscall(SYS_io_cancel, ctx, nullptr, nullptr));
    show("io_destroy", syscall(SYS_io_destroy, ctx));
}
"""
AIO_OUTPUT = "".join(f"{name} EPERM\n" for name in ("io_setup", "io_submit", "io_getevents", "io_pgetevents",
                                                     "io_cancel", "io_destroy"))

# 5 MB past a 4 MB limit, with SIGXFSZ ignored (the file is cut at the limit + 1 byte) and not
OLE = """#include <bits/stdc++.h>
#include <csignal>
int main() {
    std::string how;
    std::cin >> how;
    if (how == "ignore") signal(SIGXFSZ, SIG_IGN);
    puts("3");
    std::string spaces(5 << 20, ' ');
    fwrite(spaces.data(), 1, spaces.size(), stdout);
    puts("WRONG");
}
"""

# Ways competitive programmers reopen their standard streams
REOPEN = """#include <bits/stdc++.h>
int main() {
    std::ifstream in("/dev/stdin");
    std::string how;
    long a, b;
    in >> how >> a >> b;
    if (how == "fopen") { FILE *f = fopen("/dev/stdout", "w"); fprintf(f, "%ld\\n", a + b); fclose(f); }
    if (how == "fd") { std::ofstream out("/dev/fd/1"); out << a + b << "\\n"; }
    if (how == "proc") { FILE *f = fopen("/proc/self/fd/1", "w"); fprintf(f, "%ld\\n", a + b); fclose(f); }
    if (how == "stderr") { std::ofstream err("/dev/stderr"); err << "note\\n"; std::cout << a + b << std::endl; }
}
"""
REOPEN_TESTS = [{"input": f"{how} 1 2\n", "output": "3\n"} for how in ("fopen", "fd", "proc", "stderr")]

# Who ended the program decides RE or TLE; CPU time, not the machine's load, decides TLE
ENDINGS = """#include <bits/stdc++.h>
#include <csignal>
#include <unistd.h>
int main() {
    std::string how;
    std::cin >> how;
    if (how == "busy") { while (clock() < 0.95 * CLOCKS_PER_SEC) {} puts("3"); return 0; }
    puts("3");
    fflush(stdout);
    if (how == "kill") raise(SIGKILL);
    if (how == "xcpu") raise(SIGXCPU);
    if (how == "spin") { signal(SIGXCPU, SIG_IGN); for (volatile long i = 0;; i++) {} }
    if (how == "sleep") sleep(100);
    if (how == "orphan") {  // the answer from a child still running when main returns: its CPU time counts
        if (fork() == 0) { while (clock() < 1.4 * CLOCKS_PER_SEC) {} puts("3"); fflush(stdout); pause(); }
        usleep(1800000);
    }
}
"""
ENDING_KINDS = ("kill", "xcpu", "spin", "sleep", "orphan")

# The process limit (32, the program included) holds in both modes; a fork bomb is stopped by it
FORKS = """#include <cstdio>
#include <string>
#include <iostream>
#include <unistd.h>
int main() {
    std::string how;
    std::cin >> how;
    if (how == "bomb") for (;;) fork();
    int n = 0;
    for (int i = 0; i < 100000; i++) {
        pid_t child = fork();
        if (child == 0) for (;;) pause();
        if (child < 0) break;
        n++;
    }
    printf("%d\\n", n);
}
"""


def skeleton(sandbox) -> dict:
    """Everything about the chroot skeleton a program could change: every entry's type, mode, owner, size, mtime."""
    found = {}
    for folder, dirs, files in os.walk(sandbox.root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            st = os.lstat(path)
            found[os.path.relpath(path, sandbox.root)] = [st.st_mode, st.st_uid, st.st_size, st.st_mtime_ns]
    st = os.lstat(sandbox.root)
    found["."] = [st.st_mode, st.st_uid, st.st_size, st.st_mtime_ns]
    return found


def shmem_mb() -> float:
    with open("/proc/meminfo") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("Shmem:")) / 1024


def children() -> list[str]:
    found = []
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children") as f:
            found += f.read().split()
    return found


def pch_used(sandbox, config) -> bool:
    """Whether a compile now still takes the PCH from /pch (g++ -H marks it with "!")."""
    pch = J.pch_dir(config)
    with sandbox.box() as box:
        with open(os.path.join(box.box, "main.cpp"), "w") as f:
            f.write(SUM)
        os.chmod(os.path.join(box.box, "main.cpp"), 0o644)
        argv = J._compile_argv(config, sandbox.pch_include(pch)) + ["-H"]
        out = sandbox.run(box, argv, b"", seconds=60, memory_mb=J.COMPILE_MEMORY_MB, output_mb=64, compiling=True,
                          pch_dir=pch)
    return out.returncode == 0 and "! /pch/bits/stdc++.h.gch" in out.stderr.decode(errors="replace")


def raw_run(sandbox, code, stdin, config) -> dict:
    """One program's run as the sandbox reports it (output, OOM kill, peak memory), to check memory itself."""
    with sandbox.box() as box:
        assert J._compile(sandbox, box, code, config, J.pch_dir(config)) == ""
        run = sandbox.run(box, ["./main"], stdin.encode(), seconds=config.time_limit, memory_mb=config.memory_limit_mb,
                          output_mb=config.output_limit_mb, nproc=config.process_limit)
    return {"stdout": run.stdout.decode(errors="replace"), "oom_killed": run.oom_killed, "peak": run.memory_peak}


def verdicts(code, tests, config) -> list[str]:
    result = J.compile_and_run(code, tests, config)
    assert not result.error, result.error
    return result.verdicts if result.compiled else ["CE: " + result.compile_error[:300]]


def run_all(cache_dir: str) -> dict:
    config = J.JudgeConfig(time_limit=1.0, reward_mode="fraction", judge_cache_dir=cache_dir)
    sandbox = S.shared_sandbox()
    report = {"mode": sandbox.mode, "cgroups": sandbox.cgroups is not None, "uid": os.getuid(), "verdicts": {}}
    before = skeleton(sandbox)
    report["pch_before"] = pch_used(sandbox, config)
    found = report["verdicts"]
    found["plant"] = verdicts(PLANT, [{"input": "\n".join(PLANT_TARGETS), "output": PLANT_OUTPUT}], config)
    shmem = shmem_mb()
    report["memfd"] = [raw_run(sandbox, MEMFD, how, config) for how in ("one", "forks")]
    report["shmem_growth_mb"] = shmem_mb() - shmem
    report["forks"] = raw_run(sandbox, FORKS, "count", config)["stdout"]
    found["fork_bomb"] = verdicts(FORKS, [{"input": "bomb", "output": "1\n"}], config)
    found["aio"] = verdicts(AIO, [{"input": "", "output": AIO_OUTPUT}], config)
    found["ole"] = verdicts(OLE, [{"input": how, "output": "3\n"} for how in ("ignore", "default")], config)
    found["reopen"] = verdicts(REOPEN, REOPEN_TESTS, config)
    found["endings"] = verdicts(ENDINGS, [{"input": how, "output": "3\n"} for how in ENDING_KINDS], config)
    loaders = [subprocess.Popen(["sh", "-c", "while :; do :; done"]) for _ in range(os.cpu_count() or 1)]
    try:  # a correct answer in 0.95 of the CPU limit while other processes load every core
        time.sleep(0.2)
        started = time.monotonic()
        found["busy"] = verdicts(ENDINGS, [{"input": "busy", "output": "3\n"}], config)
        report["busy_wall_s"] = time.monotonic() - started
    finally:
        for loader in loaders:
            loader.kill()
            loader.wait()
    found["after"] = verdicts(SUM, SUM_TESTS, config)  # the next completion, after all of the above
    report["pch_after"] = pch_used(sandbox, config)
    after = skeleton(sandbox)
    report["skeleton_changed"] = sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))
    report["left_in_base"] = sorted(set(os.listdir(sandbox.base)) - {"judge", "root"})
    report["children"] = children()
    return report


if __name__ == "__main__":
    print(json.dumps(run_all(sys.argv[1])))
