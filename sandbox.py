"""The judge's sandbox: g++ and model-written programs run here, under limits, cut off from the trainer.

The reward in train_rl.py (extraction, comparison, verdicts) runs every compile and every test through
Sandbox.run, with the precompiled bits/stdc++.h built here too (shared_pch). This file imports no torch, so it can
be read, tested and used alone; to see by hand what the judge sees for one program:

    python sandbox.py main.cpp < input.txt         # compile, run once, print exit, signal, CPU, memory, stdout
    python sandbox.py main.cpp --time_limit 2 --memory_limit_mb 512 --mode userns < input.txt
"""

import argparse
import atexit
import hashlib
import json
import math
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager, redirect_stdout, suppress
from dataclasses import dataclass

MB = 1 << 20
COMPILE_MEMORY_MB = 2048  # g++ maps the 100 MB PCH and parses; 2 GB still stops `#include "/dev/zero"`
COMPILE_OUTPUT_MB = 256  # largest file g++ may write (a binary with huge initialised arrays fails to link)
COMPILE_PROCESSES = 64  # g++ runs cc1plus, as, collect2 and ld one after another
STDERR_KEEP = 8192  # bytes kept from the start and from the end of a stderr file
SANDBOX_UID_BASE = 2_000_000_000  # as root each completion runs as a fresh uid from this unused range
SANDBOX_UID_COUNT = 1 << 20
CGROUP_ALLOWANCE_MB = 16  # on top of the memory limit: the sandbox's own sh shares the program's cgroup
# System calls the seccomp launcher makes fail with EPERM for g++ and the program (names this CPU lacks are
# skipped); clone with namespace flags fails too, clone3 with ENOSYS (glibc then uses clone).
DENIED_SYSCALLS = (
    "socket", "socketpair", "socketcall",  # every family: AF_VSOCK ignores the network namespace
    "add_key", "keyctl", "request_key",  # kernel keyrings are shared across namespaces and outlive the run
    "io_uring_setup", "io_uring_enter", "io_uring_register", "userfaultfd", "perf_event_open", "bpf",
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    "mount", "umount2", "unshare", "setns", "pivot_root", "chroot", "open_tree", "move_mount", "fsopen",
    "fsconfig", "fsmount", "fspick", "mount_setattr", "kexec_load", "kexec_file_load", "init_module",
    "finit_module", "delete_module", "reboot", "swapon", "swapoff", "acct", "quotactl", "syslog", "vhangup",
    "personality", "open_by_handle_at", "fanotify_init", "modify_ldt", "iopl", "ioperm", "uselib",
    "memfd_secret",  # its pages count against no rlimit
    # legacy AIO: io_setup takes from the machine-wide pool (fs.aio-max-nr) for the program's lifetime
    "io_setup", "io_destroy", "io_submit", "io_cancel", "io_getevents", "io_pgetevents",
)


def wall_clock_limit(seconds: float) -> float:
    """The wall-clock cap of a test run: a generous multiple, since TLE is decided by CPU time."""
    return max(3 * seconds, seconds + 2)


def require_gpp() -> None:
    """Stop with one line when g++ is missing: without it every reward would silently be 0."""
    if shutil.which("g++") is None:
        raise SystemExit("error: g++ not found on PATH; the reward compiles the model's C++ with it "
                         "(Debian/Ubuntu: apt-get install g++)")


# --- Sandbox ---------------------------------------------------------------------------------------
# Three modes; the strongest that works here is detected once (a probe runs `g++ --version` through it):
#
#   environment                                        mode        memory
#   root with CAP_SYS_ADMIN (own machine, privileged   namespaces  one cgroup per run
#     container)
#   ordinary user, unprivileged user namespaces on     userns      rlimits per process, memfd_create denied
#     (a shared GPU server, a notebook: Debian, Fedora,            (a cgroup where one can be made)
#     Ubuntu before 24.04)
#   user namespaces off or restricted, new namespaces  rlimits     rlimits per process, memfd_create denied
#     forbidden (Ubuntu 24.04's AppArmor default,
#     docker's default seccomp profile, hardened kernels)
#
# The trainer never forks itself per run: every run is a chain of small util-linux tools started with plain
# Popen (no preexec_fn, so CPython uses vfork and never copies the trainer's page tables).
#
# namespaces (root): setpriv --pdeathsig KILL unshare --net --pid --mount --ipc --uts --fork --kill-child sh
#   SCRIPT ... The sh is pid 1 of a new pid namespace and stays root; it moves itself into the run's cgroups, sets
#   its IPC namespace's SysV shm limits, mounts the view from one fstab, then execs chroot ROOT env --chdir=/tmp
#   /judge/launcher setpriv --reuid=U ... --no-new-privs --bounding-set=-all prlimit ... PROG, so the launcher is
#   pid 1 (as root there) and runs the rest as its child: in both modes the program cannot signal it, since a
#   namespace's init gets no signal it has no handler for. The view: the skeleton ROOT bound onto itself read-only
#   first, then /usr, /etc and /lib* read-only, /dev/{null,zero,random,urandom} (stdin, stdout, stderr and fd are
#   symlinks into /proc/self/fd), a fresh /proc, the completion's box as /tmp, the PCH folder as /pch and the
#   launcher as /judge, both read-only. U is a fresh uid per completion, so RLIMIT_NPROC counts only this program
#   (root is exempt from it) and the program owns nothing of the host but its own stdout and stderr files (so that
#   it can reopen them). The untrusted program is not pid 1 because changing uid clears the parent-death signal
#   that ties pid 1 to unshare, and unshare to us. When pid 1 exits or is killed the kernel kills and reaps
#   everything in the namespace before unshare returns, so nothing outlives the run.
#   NOT in it: network (an empty net namespace), host processes (its pid namespace), any writable folder
#   (during tests its /tmp is read-only too: the root sh opened its output files), /dev/shm, host IPC.
# userns (not root, unprivileged user namespaces allowed): the same in a user namespace that maps only the
#   trainer's uid, without the uid change: the program is "root" of that namespace without capabilities,
#   i.e. the trainer's uid on every host file it can reach. That is why the skeleton is read-only in its
#   mount namespace: it cannot plant a loader in /lib64, replace /pch or fill the disk, in both modes.
#   NOT in it, besides what namespaces mode lacks: a uid of its own (RLIMIT_NPROC still counts only the
#   run, since the kernel counts processes per user namespace, but with unshare and pid 1: they get 2 more),
#   and a cgroup where the machine delegates none (then memory is capped per process).
# rlimits (neither works): setpriv + prlimit in a new session, killed by process group; as root the program
#   still runs as a fresh uid and is swept with `kill -KILL -1; ipcrm --all` as that uid after each test.
#   NOT in it: network or filesystem isolation; g++ runs as the trainer's user; without root, nothing stops
#   setsid() daemons. A loud warning says so.
#
# Memory, one budget per run as online judges do: where a cgroup can be made (root, or a delegated cgroup v2),
#   every run gets its own (v2 where its hierarchy has the memory controller, else the v1 memory and pids
#   hierarchies), under a folder of the trainer's own cgroup (v2: the hierarchy's root when the trainer's own
#   cannot have children), with memory.max = limit + CGROUP_ALLOWANCE_MB, swap off and pids.max = process limit;
#   it is removed after the run and MLE is its OOM-kill counter. Joining it makes a run wait 5-20 ms for an RCU
#   grace period (not CPU; bench/bench_judge.py --isolation). Address space is then not limited, so the stack and
#   every thread's default stack (both RLIMIT_STACK = the limit) are only reserved, never refused. Where no cgroup
#   can be made each process keeps RLIMIT_AS = the limit with a quarter of it as stack (a thread's default stack
#   must fit beside the heap), MLE is read from the program's error message, and the filter also denies
#   memfd_create: its pages count against no rlimit (each memfd only against RLIMIT_FSIZE; the review filled 436
#   MB under 256 MB; memfd_secret is denied in every mode). The other page sources outside RLIMIT_AS are closed or
#   bounded: no tmpfs is writable (no /dev/shm; /tmp is read-only during tests), SysV shm is capped by pid 1,
#   which sets kernel.shm_rmid_forced=1 and shmmax/shmall = the limit for its IPC namespace (a detached segment is
#   gone at once), and pipe buffers by fs.pipe-user-pages-soft and 64 descriptors a process. So per process the
#   cap is exact; all processes together can hold process_limit times the limit until the run ends.
# Time: TLE is CPU time above the limit, read from the rusage of the whole run (os.wait4 on the chain's first
#   process), so a busy machine cannot turn a correct answer into TLE. Only processes reaped by a parent that
#   waits add to it (those the kernel kills with a pid namespace do not: a child left computing was not counted),
#   so the launcher, a subreaper, kills and reaps all that the program leaves when it ends. RLIMIT_CPU at ceil(limit)
#   + 1 s (+1 s more hard) stops a spinning process: a second above the limit, because the kernel's CPU clock
#   for rlimits ran a tenth ahead of the rusage on a loaded machine here (SIGXCPU at 0.90 s of rusage under a
#   1 s limit). wall_clock_limit(limit) stops a sleeping one. Which signal ended a program does not decide
#   TLE: raise(SIGKILL) under the CPU limit is RE.
# Output: RLIMIT_FSIZE is the limit + 1 byte and limit + 1 bytes are read back, so more than the limit is
#   seen whether SIGXFSZ killed the program or it ignored the signal and the file was cut.
# System calls: a launcher of our own (_LAUNCHER_C, built in 0.1 s with the judge's g++ into each sandbox's
#   temporary folder at start-up, so no cache can go stale, and mounted read-only at /judge) sets
#   no_new_privs, installs a seccomp filter and runs g++ or the program as its child (see Time). The filter denies with an errno,
#   never kills, so a denial is an ordinary failure the program sees: DENIED_SYSCALLS, clone with namespace
#   flags, clone3, memfd_create where there is no cgroup, and every call of a foreign ABI (i386, x32). It
#   needs no preexec_fn, and costs one exec and one fork.

# pid 1 of the sandbox: join the cgroups, limit SysV shm, mount the view, mark the start, run the command (exec:
# in its place, so that the launcher is pid 1).
_SANDBOX_SCRIPT = (
    'M=$2\n'
    'while read -r procs; do echo 0 >"$procs" || exit 125; done <"$M/cgroups"\n'
    'echo 1 >/proc/sys/kernel/shm_rmid_forced && echo "$3" >/proc/sys/kernel/shmmax'
    ' && echo "$4" >/proc/sys/kernel/shmall || exit 125\n'
    'mount --all --fstab "$1" || exit 125\n'
    'how=$5\n'
    'shift 5\n'
    ': >"$M/started"\n'
    'if [ "$how" = exec ]; then exec "$@" <"$M/in" >"$M/out" 2>"$M/err"; fi\n'
    '"$@" <"$M/in" >"$M/out" 2>"$M/err"\n'
)
_LAUNCHER_C = r"""
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#if defined(__x86_64__)
#define NATIVE AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE AUDIT_ARCH_AARCH64
#endif
#define LOAD(field) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
#define RET(action) BPF_STMT(BPF_RET | BPF_K, action)
#define IF_NOT(value, skip) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, value, 0, skip)
#define DENY(nr) IF_NOT(nr, 1), RET(SECCOMP_RET_ERRNO | EPERM),
#define NAMESPACES (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)
/* SIGKILL every child of ours (with the subreaper flag, every orphan of PROG becomes one); how many */
static int kill_children(void) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
    FILE *f = fopen(path, "r");
    int signalled = 0;
    for (long pid; f && fscanf(f, "%ld", &pid) == 1;)
        signalled += kill((pid_t)pid, SIGKILL) == 0;
    if (f)
        fclose(f);
    return signalled;
}

/* launcher [--no-memfd] [--no-filter] [--kill-all] PROG ARGS...: installs the filter (--no-memfd: memfd_create
   denied too), runs PROG as its child and, as a subreaper, kills and reaps everything PROG leaves behind, so that
   every process's CPU time reaches the rusage of the run; then ends as PROG did. --kill-all: kill(-1) reaches
   only the run (its own pid namespace), else only its children are killed. */
int main(int argc, char **argv) {
    int no_memfd = 0, filtered = 1, kill_all = 0;
    for (; argc > 1 && !strncmp(argv[1], "--", 2); argc--, argv++) {
        if (!strcmp(argv[1], "--no-memfd"))
            no_memfd = 1;
        else if (!strcmp(argv[1], "--no-filter"))
            filtered = 0;
        else if (!strcmp(argv[1], "--kill-all"))
            kill_all = 1;
        else
            break;
    }
    /* -1 is no system call (x32 numbers were sent away above), so without the flag this never matches */
    unsigned memfd = no_memfd ? __NR_memfd_create : 0xffffffffu;
    struct sock_filter filter[] = {
        LOAD(arch), IF_NOT(NATIVE, 2), LOAD(nr),
#ifdef __x86_64__
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),  /* x32 numbers carry this bit */
#else
        BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0),
#endif
        RET(SECCOMP_RET_ERRNO | ENOSYS),
        IF_NOT(__NR_clone3, 1), RET(SECCOMP_RET_ERRNO | ENOSYS),
        IF_NOT(__NR_clone, 4), LOAD(args[0]),  /* the low half on these little-endian CPUs */
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, NAMESPACES, 0, 1), RET(SECCOMP_RET_ERRNO | EPERM),
        RET(SECCOMP_RET_ALLOW),
        DENY(memfd)
        DENIED
        RET(SECCOMP_RET_ALLOW),
    };
    struct sock_fprog program = {(unsigned short)(sizeof filter / sizeof filter[0]), filter};
    if (argc < 2 || prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        || (filtered && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program))) {
        perror("judge launcher");
        return 126;
    }
    pid_t child = fork();
    if (child < 0) {
        perror("judge launcher");
        return 126;
    }
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);  /* (a uid change clears it: namespaces mode has pid 1) */
        execvp(argv[1], argv + 1);
        perror(argv[1]);
        _exit(127);
    }
    int status = 0;
    for (pid_t pid = 0; pid != child;) {  /* reaping orphans on the way */
        pid = waitpid(-1, &status, 0);
        if (pid < 0 && errno != EINTR)
            return 126;
    }
    int ended = status;
    for (;;) {
        int signalled = kill_all ? kill(-1, SIGKILL) == 0 : kill_children();
        if (waitpid(-1, &status, signalled ? 0 : WNOHANG) <= 0)
            break;
    }
    if (WIFSIGNALED(ended)) {  /* die of the same signal, without a core file */
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        signal(WTERMSIG(ended), SIG_DFL);
        raise(WTERMSIG(ended));
        return 128 + WTERMSIG(ended);
    }
    return WEXITSTATUS(ended);
}
""".replace("DENIED", "".join(f"\n#ifdef __NR_{name}\n        DENY(__NR_{name})\n#endif" for name in DENIED_SYSCALLS))
_HOST_DIRS = ("usr", "etc", "bin", "sbin", "lib", "lib32", "lib64", "libx32")
_DEV_NODES = ("null", "zero", "random", "urandom")
_TOOLS = ("sh", "setpriv", "prlimit", "unshare", "mount", "chroot", "env")


@dataclass
class Box:
    """One completion's folders: `box` is what the program sees as /tmp (and its cwd); `meta` around it
    holds the fstab, the stdin/stdout/stderr files and the start marker, out of the program's reach."""

    meta: str
    box: str
    uid: int | None  # the sandbox uid as root, else None


@dataclass
class Run:
    returncode: int
    signal: int | None  # signal that ended the command (sh reports it as 128+N)
    timed_out: bool  # killed at the wall-clock deadline
    stdout: bytes
    stderr: bytes  # start and end of stderr
    oom_killed: bool | None = None  # the run's cgroup counted an OOM kill; None without a cgroup
    memory_peak: int | None = None  # the cgroup's peak memory in bytes, where the kernel reports it
    stderr_size: int = 0  # bytes written to stderr (only its ends are kept)
    cpu_seconds: float = 0.0  # user + system time of every process of the run (see the sandbox comment)
    wall_seconds: float = 0.0  # from the start of the chain until it was reaped


def _read_ends(f) -> bytes:
    """The first and last STDERR_KEEP bytes: g++ reports the first error first, a crash (bad_alloc) comes last."""
    size = os.fstat(f.fileno()).st_size
    head = f.read(STDERR_KEEP)
    if size <= 2 * STDERR_KEEP:
        return head + f.read()
    f.seek(size - STDERR_KEEP)
    return head + b"\n[...]\n" + f.read()


def _fstab_path(path: str) -> str:
    return path.replace("\\", "\\134").replace(" ", "\\040").replace("\t", "\\011").replace("\n", "\\012")


def _read(path: str) -> str:
    with open(path) as f:
        return f.read()


def _write(path: str, value) -> None:
    with open(path, "w") as f:
        f.write(str(value))


class Cgroups:
    """Makes one cgroup per run (see the sandbox comment); raises OSError or RuntimeError where it cannot."""

    def __init__(self, name: str):
        with open("/proc/self/mounts") as f:
            mounts = [line.split()[1:4] for line in f]  # mount point, type, options
        own = {}
        with open("/proc/self/cgroup") as f:
            for line in f:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                own.update((controller, path.rstrip("/")) for controller in controllers.split(","))
        self.parents: list[str] = []
        atexit.register(self.close)
        unified = [point for point, kind, _ in mounts if kind == "cgroup2"
                   and "memory" in _read(os.path.join(point, "cgroup.controllers")).split()]
        self.version = 2 if unified else 1
        try:
            if unified:
                self._unified_parent(unified[0], own.get("", ""), name)
            for controller in () if unified else ("memory", "pids"):
                point = next((p for p, kind, opts in mounts if kind == "cgroup" and controller in opts.split(",")), None)
                if point is None:
                    raise RuntimeError(f"no cgroup v2 memory controller and no cgroup v1 {controller} hierarchy")
                os.mkdir(os.path.join(point + own.get(controller, ""), name))
                self.parents.append(os.path.join(point + own.get(controller, ""), name))
        except BaseException:
            self.close()
            raise

    def _unified_parent(self, mount: str, own: str, name: str) -> None:
        """cgroup v2: controllers reach only the children of the root or of a cgroup without processes: the
        trainer's own cgroup works where it is the root, else the folder goes under the root (needs root)."""
        errors = []
        for base in dict.fromkeys([mount + own, mount]):
            try:
                if not {"memory", "pids"} <= set(_read(base + "/cgroup.subtree_control").split()):
                    _write(base + "/cgroup.subtree_control", "+memory +pids")
                os.mkdir(os.path.join(base, name))
                self.parents.append(os.path.join(base, name))
                _write(self.parents[0] + "/cgroup.subtree_control", "+memory +pids")
                return
            except OSError as e:
                errors.append(f"{base}: {e.strerror}")
                self.close()
        raise RuntimeError("; ".join(errors))

    def create(self, name: str, memory_bytes: int, processes: int) -> list[str]:
        """The run's cgroup folders (v1: memory, pids) with their limits set."""
        leaves = [os.path.join(parent, name) for parent in self.parents]
        try:
            for leaf in leaves:
                os.mkdir(leaf)
            memory, pids = leaves * 2 if self.version == 2 else leaves
            _write(pids + "/pids.max", processes)
            if self.version == 2:
                _write(memory + "/memory.max", memory_bytes)
                _write(memory + "/memory.oom.group", 1)  # an OOM kill ends the whole program
                if os.path.exists(memory + "/memory.swap.max"):
                    _write(memory + "/memory.swap.max", 0)
            else:
                _write(memory + "/memory.limit_in_bytes", memory_bytes)
                if os.path.exists(memory + "/memory.memsw.limit_in_bytes"):  # memory + swap: no swap
                    _write(memory + "/memory.memsw.limit_in_bytes", memory_bytes)
        except BaseException:
            self.remove(leaves)
            raise
        return leaves

    def usage(self, leaves: list[str]) -> tuple[bool, int | None]:
        """(whether the kernel OOM-killed in the run, its peak memory in bytes or None)."""
        events, peak = (("memory.events", "memory.peak") if self.version == 2
                        else ("memory.oom_control", "memory.max_usage_in_bytes"))
        killed = re.search(r"^oom_kill (\d+)", _read(os.path.join(leaves[0], events)), re.M)
        peak_path = os.path.join(leaves[0], peak)
        return bool(killed and int(killed.group(1))), int(_read(peak_path)) if os.path.exists(peak_path) else None

    def remove(self, leaves: list[str]) -> None:
        for leaf in leaves:
            for _ in range(100):  # a killed process can take a moment to leave
                try:
                    os.rmdir(leaf)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    for pid in _read(leaf + "/cgroup.procs").split():
                        with suppress(ProcessLookupError):
                            os.kill(int(pid), signal.SIGKILL)
                    time.sleep(0.01)

    def close(self) -> None:
        for parent in self.parents:
            with suppress(OSError):
                os.rmdir(parent)
        self.parents = []


class Sandbox:
    """Runs one command at a time per box under limits, in the mode detected (or given) at construction;
    cgroups=False or syscall_filter=False switch those off (for comparisons)."""

    def __init__(self, mode: str | None = None, cgroups: bool = True, syscall_filter: bool = True):
        search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin", "/usr/bin", "/bin"])
        self.tools = {name: shutil.which(name, path=search) for name in _TOOLS}
        missing = [name for name in ("sh", "setpriv", "prlimit") if not self.tools[name]]
        if missing:
            raise RuntimeError(f"the judge's sandbox needs {', '.join(missing)} (util-linux) on PATH")
        self.as_root = os.geteuid() == 0
        self.base = tempfile.mkdtemp(prefix="luoguqwen_judge_")
        os.chmod(self.base, 0o711)  # in rlimits mode a sandbox uid must reach its box inside
        atexit.register(shutil.rmtree, self.base, True)
        self.root, self.binds = self._make_root()
        gpp_dir = os.path.dirname(shutil.which("g++") or "/usr/bin/g++")
        self.path = os.pathsep.join(dict.fromkeys([gpp_dir, "/usr/local/bin", "/usr/bin", "/bin"]))
        self.launcher, filter_note = self._build_launcher()
        self.syscall_filter = syscall_filter and self.launcher is not None
        if self.launcher and not syscall_filter:
            filter_note = "off (switched off)"
        self.cgroups, memory_note = None, "switched off"
        if cgroups:
            try:
                self.cgroups = Cgroups(os.path.basename(self.base))
            except (OSError, RuntimeError) as e:
                memory_note = f"no cgroup: {e}"
        made = self.cgroups
        self.mode = mode or self._detect()
        if self.mode == "rlimits" or (made and not self.cgroups):
            self.cgroups, memory_note = None, f"{self.mode} mode cannot join a cgroup here"
        memory = (f"one cgroup v{self.cgroups.version} per run (limit + {CGROUP_ALLOWANCE_MB} MB, no swap, pids.max)"
                  if self.cgroups else f"rlimits per process ({memory_note}), "
                  + ("memfd_create denied" if self.syscall_filter else "memfd_create NOT denied (no filter)"))
        print(f"[judge] memory: {memory}; system-call filter: {filter_note}")

    def _build_launcher(self) -> tuple[str | None, str]:
        """Compile _LAUNCHER_C into base/judge (mounted at /judge) and check that it runs here."""
        path = os.path.join(self.base, "judge", "launcher")
        try:
            subprocess.run([shutil.which("g++") or "g++", "-O2", "-x", "c++", "-", "-o", path], input=_LAUNCHER_C,
                           capture_output=True, text=True, timeout=120, check=True)
            os.chmod(path, 0o755)
            subprocess.run([path, "true"], capture_output=True, text=True, timeout=30, check=True)
            return path, "seccomp (g++ and the program)"
        except (OSError, subprocess.SubprocessError) as e:
            detail = getattr(e, "stderr", None) or str(e)
            return None, f"NONE (the seccomp launcher failed: {detail.strip()[:200]})"

    def _make_root(self) -> tuple[str, list[str]]:
        """The chroot skeleton: mount points only; the mounts themselves live in each run's namespace."""
        root = os.path.join(self.base, "root")
        binds = []
        for sub in ("", "dev", "proc", "tmp", "pch", "judge"):
            os.makedirs(os.path.join(root, sub), exist_ok=True)
            os.chmod(os.path.join(root, sub), 0o755)
        os.mkdir(os.path.join(self.base, "judge"))
        os.chmod(os.path.join(self.base, "judge"), 0o755)
        for node in _DEV_NODES:
            open(os.path.join(root, "dev", node), "w").close()
        for name, target in (("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                             ("stderr", "/proc/self/fd/2"), ("fd", "/proc/self/fd")):
            os.symlink(target, os.path.join(root, "dev", name))
        for name in _HOST_DIRS:
            host = "/" + name
            if os.path.islink(host):  # merged /usr: /bin -> usr/bin
                os.symlink(os.readlink(host), os.path.join(root, name))
            elif os.path.isdir(host):
                os.mkdir(os.path.join(root, name))
                binds.append(host)
        return root, binds

    def _detect(self) -> str:
        cgroups = self.cgroups
        for mode in (["namespaces"] if self.as_root else []) + ["userns"]:
            for self.mode, self.cgroups in [(mode, c) for c in dict.fromkeys([cgroups, None])]:  # joining may fail
                try:
                    with self.box() as box:
                        run = self.run(box, [shutil.which("g++") or "g++", "--version"], b"", seconds=20,
                                       memory_mb=COMPILE_MEMORY_MB, output_mb=1, compiling=True)
                    if run.returncode == 0 and run.stdout:
                        print(f"[judge] sandbox: {mode} (own pid/net/mount/ipc namespaces, read-only chroot"
                              f"{', fresh uid per completion' if mode == 'namespaces' else ', no uid change'})")
                        return mode
                    reason = (run.stderr or run.stdout).decode(errors="replace").strip()[:300]
                except (OSError, RuntimeError) as e:
                    reason = str(e)
                print(f"[judge] sandbox mode {mode}{' with cgroups' if self.cgroups else ''} unavailable: {reason}")
        print("[judge] " + "!" * 90 + "\n[judge] WARNING: no namespace sandbox (needs root, or unprivileged user "
              "namespaces). Model-written programs run with rlimits only:\n[judge] NO network or filesystem "
              "isolation. Run as root or enable user namespaces to fix this.\n[judge] " + "!" * 90)
        return "rlimits"

    @contextmanager
    def box(self):
        meta = tempfile.mkdtemp(prefix="c", dir=self.base)
        try:
            os.chmod(meta, 0o711)
            box = os.path.join(meta, "box")
            os.mkdir(box)
            os.chmod(box, 0o755)  # explicit: the trainer's umask must not lock the sandbox uid out
            uid = None
            if self.as_root and self.mode != "userns":
                uid = SANDBOX_UID_BASE + secrets.randbelow(SANDBOX_UID_COUNT)
            if self.mode == "namespaces":  # g++ runs as the uid too; in rlimits mode the box stays read-only to it
                os.chown(box, uid, uid)
            yield Box(meta, box, uid)
        finally:
            shutil.rmtree(meta, ignore_errors=True)

    def pch_include(self, pch_dir: str) -> str:
        """Where g++ finds the PCH folder: mounted at /pch, or the host path in rlimits mode."""
        return pch_dir if self.mode == "rlimits" else "/pch"

    def _tool(self, name: str) -> str:
        if not self.tools[name]:
            raise RuntimeError(f"{name} not found")
        return self.tools[name]

    def run(self, box: Box, argv: list[str], stdin: bytes, *, seconds: float, memory_mb: int, output_mb: int,
            nproc: int = COMPILE_PROCESSES, compiling: bool = False, pch_dir: str | None = None) -> Run:
        """Run argv in the box. compiling: the box is writable, the PCH visible and `seconds` is the wall-clock
        limit; else the box is read-only, `seconds` is the CPU limit and wall_clock_limit(seconds) the cap."""
        isolated = self.mode != "rlimits"
        # the uid the command runs as in rlimits mode: g++ needs the trainer's PCH cache, programs get U
        drop_uid = box.uid is not None and (isolated or not compiling)
        stack_mb = memory_mb if self.cgroups else memory_mb // 4  # see the sandbox comment
        limits = [f"--stack={stack_mb * MB}", f"--fsize={output_mb * MB + 1}",  # + 1: see the sandbox comment
                  f"--cpu={math.ceil(seconds) + 1}:{math.ceil(seconds) + 2}", "--nofile=64", "--core=0"]
        if not self.cgroups:
            limits.append(f"--as={memory_mb * MB}")
        if drop_uid or self.mode == "userns":  # else it would count all the trainer's own threads
            # in userns mode unshare and pid 1 have the program's uid (counted per namespace)
            limits.append(f"--nproc={nproc + 2 if self.mode == 'userns' else nproc}")
        creds = [f"--reuid={box.uid}", f"--regid={box.uid}", "--clear-groups"] if drop_uid else []
        if self.as_root or self.mode == "userns":
            creds += ["--bounding-set=-all", "--inh-caps=-all"]
        # the launcher comes before the uid change and the limits: the program cannot signal it (namespaces
        # mode) and it needs none of them; the filter it installs covers everything after it
        launcher = [] if not self.launcher else ["/judge/launcher" if isolated else self.launcher]
        if launcher and not self.syscall_filter:
            launcher.append("--no-filter")
        if launcher and not self.cgroups:
            launcher.append("--no-memfd")
        if launcher and isolated:
            launcher.append("--kill-all")
        untrusted = [*launcher, self._tool("setpriv"), *creds, "--no-new-privs", "--", self._tool("prlimit"), *limits,
                     "--", *argv]
        in_path, out_path, err_path = (os.path.join(box.meta, name) for name in ("in", "out", "err"))
        for path in (in_path, out_path, err_path):  # fresh files: the last program may have chmod-ed its own
            with suppress(FileNotFoundError):
                os.remove(path)
        with open(in_path, "wb") as f:
            f.write(stdin)
        os.chmod(in_path, 0o644)  # readable through /dev/stdin whatever the trainer's umask
        # Read back through descriptors opened now, so that nothing the program does to the files can stop us;
        # it owns them so that it can reopen its stdout and stderr (/dev/stdout, /proc/self/fd/1).
        out_fd, err_fd = (os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600) for path in (out_path, err_path))
        try:
            if drop_uid:
                for fd in (out_fd, err_fd):
                    os.fchown(fd, box.uid, box.uid)
            proc, timed_out, usage, wall, oom_killed, peak = self._launch(
                box, untrusted, (out_fd, err_fd), compiling, pch_dir, memory_mb, nproc,
                seconds if compiling else wall_clock_limit(seconds), drop_uid)
            started = os.path.join(box.meta, "started")
            if isolated and not timed_out and not os.path.exists(started):
                with open(os.path.join(box.meta, "log"), "rb") as f:
                    raise RuntimeError(f"sandbox did not start (exit {proc.returncode}): "
                                       f"{f.read(500).decode(errors='replace').strip()}")
            if isolated and os.path.exists(started):
                os.remove(started)
            rc = proc.returncode
            sig = -rc if rc < 0 else rc - 128 if isolated and rc > 128 else None
            with open(out_fd, "rb", closefd=False) as f:  # in rlimits mode the program moved this offset
                f.seek(0)
                stdout = f.read(output_mb * MB + 1)
            with open(err_fd, "rb", closefd=False) as f:
                f.seek(0)
                stderr = _read_ends(f)
            stderr_size = os.fstat(err_fd).st_size
        finally:
            os.close(out_fd)
            os.close(err_fd)
        return Run(rc, sig, timed_out, stdout, stderr, oom_killed, peak, stderr_size, usage.ru_utime + usage.ru_stime,
                   wall)

    def _launch(self, box: Box, untrusted: list[str], outputs: tuple[int, int], compiling: bool, pch_dir: str | None,
                memory_mb: int, nproc: int, wall_limit: float, drop_uid: bool):
        """Start the run, wait for it up to wall_limit, kill what is left: (proc, timed_out, rusage, wall seconds,
        oom_killed, peak memory). outputs: the stdout and stderr descriptors (rlimits mode passes them on)."""
        isolated = self.mode != "rlimits"
        cgroups = []  # a box runs one command at a time, so its name names the run's cgroup
        if self.cgroups:
            # pids.max: the program's processes and pid 1 (the launcher, or the sh without one)
            cgroups = self.cgroups.create(os.path.basename(box.meta), (memory_mb + CGROUP_ALLOWANCE_MB) * MB, nproc + 1)
        try:
            if isolated:
                inside = "/tmp"
                fstab = os.path.join(box.meta, "fstab")
                with open(fstab, "w") as f:
                    f.write(self._fstab(box.box, compiling, pch_dir))
                with open(os.path.join(box.meta, "cgroups"), "w") as f:
                    f.write("".join(os.path.join(leaf, "cgroup.procs") + "\n" for leaf in cgroups))
                userns = ["--user", "--map-root-user"] if self.mode == "userns" else []
                cmd = [self._tool("setpriv"), "--pdeathsig", "KILL", "--", self._tool("unshare"), *userns, "--net",
                       "--pid", "--mount", "--ipc", "--uts", "--fork", "--kill-child", "--propagation", "private", "--",
                       self._tool("sh"), "-c", _SANDBOX_SCRIPT, "sandbox", fstab, box.meta, str(memory_mb * MB),
                       str(memory_mb * MB // os.sysconf("SC_PAGE_SIZE")), "exec" if self.launcher else "run",
                       self._tool("chroot"), self.root,
                       self._tool("env"), "--chdir=/tmp", *untrusted]
                files = (subprocess.DEVNULL, open(os.path.join(box.meta, "log"), "wb"), subprocess.STDOUT)
            else:
                inside = box.box
                cmd = [self._tool("setpriv"), "--pdeathsig", "KILL", "--", *untrusted]
                files = (open(os.path.join(box.meta, "in"), "rb"), *outputs)
            env = {"PATH": self.path, "HOME": inside, "TMPDIR": inside, "LANG": "C"}  # nothing of the trainer's
            started = time.monotonic()
            try:
                proc = subprocess.Popen(cmd, stdin=files[0], stdout=files[1], stderr=files[2], cwd=box.box, env=env,
                                        start_new_session=True)
            finally:
                for f in files:
                    if hasattr(f, "close"):
                        f.close()
            usage = None
            try:
                usage = _reap(proc, wall_limit)
            finally:
                timed_out = usage is None
                if timed_out:  # the wall-clock cap, or KeyboardInterrupt: nothing may outlive the call
                    self._kill(proc)
                    usage = _reap(proc, 10)
                    if usage is None:
                        proc.kill()
                        usage = _reap(proc, None)
                if self.mode == "rlimits":
                    self._sweep(proc, box.uid if drop_uid else None)
            wall = time.monotonic() - started
            oom_killed, peak = self.cgroups.usage(cgroups) if cgroups else (None, None)
        finally:
            if cgroups:
                self.cgroups.remove(cgroups)
        return proc, timed_out, usage, wall, oom_killed, peak

    def _fstab(self, box: str, writable: bool, pch_dir: str | None) -> str:
        # the skeleton first, onto itself read-only: in userns mode its folders are the trainer's, and so the
        # program's; every mount after this one lands on a read-only mount point
        entries = [(self.root, self.root, "none", "bind,ro,nosuid,nodev")]
        entries += [(d, self.root + d, "none", "bind,ro,nosuid,nodev") for d in self.binds]
        entries += [(f"/dev/{n}", f"{self.root}/dev/{n}", "none", "bind") for n in _DEV_NODES]
        entries.append((box, self.root + "/tmp", "none", f"bind,{'rw' if writable else 'ro'},nosuid,nodev"))
        if pch_dir:
            entries.append((pch_dir, self.root + "/pch", "none", "bind,ro,nosuid,nodev"))
        if self.launcher:
            entries.append((os.path.dirname(self.launcher), self.root + "/judge", "none", "bind,ro,nosuid,nodev"))
        entries.append(("proc", self.root + "/proc", "proc", "nosuid,nodev,noexec"))
        return "".join(f"{_fstab_path(src)} {_fstab_path(dst)} {kind} {opts} 0 0\n" for src, dst, kind, opts in entries)

    def _kill(self, proc: subprocess.Popen) -> None:
        if self.mode == "rlimits":
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            return
        # unshare's only child is pid 1 of the sandbox; once it is killed the kernel kills the whole pid
        # namespace before unshare can reap it, so when unshare has exited nothing of the run is left.
        try:
            with open(f"/proc/{proc.pid}/task/{proc.pid}/children") as f:
                children = [int(pid) for pid in f.read().split()]
        except OSError:
            children = []
        for pid in children or [proc.pid]:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def _sweep(self, proc: subprocess.Popen, uid: int | None) -> None:
        """rlimits mode: kill what the program left behind (setsid() escapes the process group; a fresh
        uid cannot escape `kill -1` run as that uid) and remove its SysV shm, semaphores and queues (there is no
        IPC namespace). Without a uid only the process group can be killed."""
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        if uid is not None:
            subprocess.run([self._tool("setpriv"), f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--",
                            self._tool("sh"), "-c", "kill -KILL -1; ipcrm --all"], stderr=subprocess.DEVNULL)


def _reap(proc: subprocess.Popen, timeout: float | None):
    """Wait up to timeout seconds (None: for ever) for proc to end; its rusage (its own and that of everything
    it reaped, which in the namespace modes is the whole run), or None if it still runs. Popen.wait cannot
    give the rusage; this polls as Popen.wait does."""
    deadline = None if timeout is None else time.monotonic() + timeout
    delay = 0.0005
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return usage
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            return None
        time.sleep(delay if left is None else min(delay, left))
        delay = min(2 * delay, 0.01)


_shared: Sandbox | None = None
_shared_lock = threading.Lock()


def shared_sandbox() -> Sandbox:
    global _shared
    with _shared_lock:
        if _shared is None:
            require_gpp()
            _shared = Sandbox()
        return _shared


def sandbox_mode() -> str:
    """'namespaces', 'userns' or 'rlimits' (see above); detected once per process."""
    return shared_sandbox().mode


# --- Precompiled header ----------------------------------------------------------------------------
# The judge compiles with a precompiled bits/stdc++.h (2.6 s -> 0.5 s per compile), mounted read-only at /pch. It is
# built here by the trainer's own g++ outside the sandbox: its inputs are the system header and the judge's flags,
# never model output.

_pch_dirs: dict[tuple[str, str], str | None] = {}
_pch_lock = threading.Lock()


def shared_pch(compile_flags: str, cache_dir: str) -> str | None:
    """Folder holding bits/stdc++.h.gch built with exactly compile_flags (g++ takes it instead of the header when
    the folder is first on the include path), built once per g++ version and flags into cache_dir/pch/<hash>/;
    None when it cannot be built."""
    with _pch_lock:
        key = (compile_flags, os.path.expanduser(cache_dir))
        if key not in _pch_dirs:
            try:
                _pch_dirs[key] = _build_pch(shlex.split(compile_flags), key[1])
            except (OSError, RuntimeError, subprocess.SubprocessError) as e:
                print(f"[judge] no precompiled bits/stdc++.h ({e}); compiling without it (slower)")
                _pch_dirs[key] = None
        return _pch_dirs[key]


def _build_pch(flags: list[str], cache_dir: str) -> str:
    gpp = shutil.which("g++")
    version = subprocess.run([gpp, "--version"], capture_output=True, text=True, check=True).stdout
    digest = hashlib.sha256(json.dumps([os.path.realpath(gpp), version, flags]).encode()).hexdigest()[:16]
    final = os.path.join(cache_dir, "pch", digest)
    if os.path.isfile(os.path.join(final, "bits", "stdc++.h.gch")):
        return final
    probe = subprocess.run([gpp, *flags, "-H", "-E", "-x", "c++", "-", "-o", os.devnull],
                           input="#include <bits/stdc++.h>\n", capture_output=True, text=True, timeout=120)
    headers = [line[2:] for line in probe.stderr.splitlines() if line.startswith(". ")]
    if probe.returncode or not headers:
        raise RuntimeError(f"g++ cannot find bits/stdc++.h: {probe.stderr.strip()[:300]}")
    os.makedirs(os.path.dirname(final), exist_ok=True)
    building = tempfile.mkdtemp(prefix=".build-", dir=os.path.dirname(final))
    try:
        os.mkdir(os.path.join(building, "bits"))
        started = time.time()
        gch = os.path.join(building, "bits", "stdc++.h.gch")
        build = subprocess.run([gpp, *flags, "-x", "c++-header", headers[0], "-o", gch],
                               capture_output=True, text=True, timeout=600)
        if build.returncode:
            raise RuntimeError(f"g++ failed: {build.stderr.strip()[:300]}")
        for path in (building, os.path.join(building, "bits")):
            os.chmod(path, 0o755)  # the sandbox uid reads it
        os.chmod(gch, 0o644)
        try:
            os.rename(building, final)  # atomic: a folder under the final name is always complete
            print(f"[judge] precompiled bits/stdc++.h in {time.time() - started:.1f}s -> {final}")
        except OSError:
            if not os.path.isdir(final):  # else another process finished first; use theirs
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return final


def _positive(kind):
    def parse(text: str):
        value = kind(text)
        if not (math.isfinite(value) and value > 0):
            raise ValueError(text)
        return value
    parse.__name__ = kind.__name__  # argparse names the type in its error message
    return parse


def main(argv: list[str] | None = None) -> int:
    """Compile a program and run it once on stdin as the judge would; the details go to stderr, its output to
    stdout."""
    parser = argparse.ArgumentParser(description="Compile PROGRAM.cpp and run it once on stdin in the judge's "
                                                 "sandbox, printing what the judge sees (exit, signal, CPU, memory).")
    parser.add_argument("program", help="a C++ source file")
    parser.add_argument("--time_limit", type=_positive(float), default=2.0, help="CPU seconds (default 2)")
    parser.add_argument("--memory_limit_mb", type=_positive(int), default=256)
    parser.add_argument("--output_limit_mb", type=_positive(int), default=4)
    parser.add_argument("--process_limit", type=_positive(int), default=32)
    parser.add_argument("--compile_flags", default="-std=c++17 -O2")
    parser.add_argument("--mode", choices=("namespaces", "userns", "rlimits"), help="default: the strongest that works")
    args = parser.parse_args(argv)
    try:
        flags = shlex.split(args.compile_flags)
        with open(args.program, encoding="utf-8", errors="replace") as f:
            source = f.read()
        stdin = sys.stdin.buffer.read()
        require_gpp()
        with redirect_stdout(sys.stderr):
            sandbox = Sandbox(args.mode)
        with sandbox.box() as box:
            with open(os.path.join(box.box, "main.cpp"), "w", encoding="utf-8") as f:
                f.write(source)
            os.chmod(os.path.join(box.box, "main.cpp"), 0o644)
            built = sandbox.run(box, [shutil.which("g++"), *flags, "main.cpp", "-o", "main"], b"", seconds=60,
                                memory_mb=COMPILE_MEMORY_MB, output_mb=COMPILE_OUTPUT_MB, compiling=True)
            if built.returncode != 0 or built.timed_out:
                sys.stderr.write(built.stderr.decode(errors="replace"))
                print(f"[sandbox] compile error (g++ exit {built.returncode}{', timed out' if built.timed_out else ''})",
                      file=sys.stderr)
                return 1
            os.chmod(os.path.join(box.box, "main"), 0o755)
            run = sandbox.run(box, ["./main"], stdin, seconds=args.time_limit, memory_mb=args.memory_limit_mb,
                              output_mb=args.output_limit_mb, nproc=args.process_limit)
    except (OSError, RuntimeError, ValueError) as e:
        raise SystemExit(f"error: {e}") from None
    ended = f"signal {signal.Signals(run.signal).name}" if run.signal else f"exit {run.returncode}"
    memory = "" if run.memory_peak is None else f", memory peak {run.memory_peak / MB:.1f} MB"
    if run.oom_killed:
        memory += ", OOM-killed"
    sys.stdout.buffer.write(run.stdout)
    sys.stdout.flush()
    sys.stderr.write(run.stderr.decode(errors="replace"))
    print(f"[sandbox] {sandbox.mode}: {ended}, CPU {run.cpu_seconds:.3f} s (limit {args.time_limit:g}), wall "
          f"{run.wall_seconds:.3f} s{' (killed at the wall-clock cap)' if run.timed_out else ''}{memory}, stdout "
          f"{len(run.stdout)} bytes (limit {args.output_limit_mb * MB}), stderr {run.stderr_size} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
