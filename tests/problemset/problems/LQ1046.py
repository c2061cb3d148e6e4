PID = "LQ1046"
TITLE = "区间加法"
SPLIT = "train"
DIFFICULTY = "medium"

DESCRIPTION = r"""
给定一个长度为 $n$ 的整数序列 $a_1, a_2, \dots, a_n$。接下来要进行 $m$ 次操作，每次操作给出三个整数 $l, r, v$，表示把 $a_l, a_{l+1}, \dots, a_r$ 都加上 $v$。

请输出所有操作完成后的序列。
"""

INPUT_FORMAT = r"""
第一行两个正整数 $n, m$，中间用一个空格隔开。

第二行 $n$ 个整数 $a_1, a_2, \dots, a_n$，相邻两个数之间用一个空格隔开。

接下来 $m$ 行，每行三个整数 $l, r, v$，表示一次操作。
"""

OUTPUT_FORMAT = r"""
输出一行 $n$ 个整数，表示所有操作完成后的序列，相邻两个数之间用一个空格隔开。
"""

SAMPLES = [
    ("5 2\n1 2 3 4 5\n1 3 10\n2 5 -1\n", "11 11 12 3 4\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le n, m \le 5000$，$-10^9 \le a_i \le 10^9$，$1 \le l \le r \le n$，$-10^4 \le v \le 10^4$。
"""


def _case(a, ops):
    lines = [f"{len(a)} {len(ops)}", " ".join(map(str, a))]
    lines += [f"{l} {r} {v}" for l, r, v in ops]
    return "\n".join(lines) + "\n"


def _random_ops(rng, n, m, vmax):
    ops = []
    for _ in range(m):
        l = rng.randint(1, n)
        ops.append((l, rng.randint(l, n), rng.randint(-vmax, vmax)))
    return ops


def hidden(rng):
    n = 5000
    return [
        _case([0], [(1, 1, -10**4)]),
        _case([10**9] * n, [(1, n, 10**4)] * 5000),
        _case([-10**9] * 1000, [(1, 1000, -10**4)] * 1000),
        _case([0] * 10, [(i, i, i) for i in range(1, 11)]),
        _case([rng.randint(-100, 100) for _ in range(30)], _random_ops(rng, 30, 40, 100)),
        _case([rng.randint(-10**9, 10**9) for _ in range(n)], _random_ops(rng, n, 5000, 10**4)),
    ]


def stress(rng):
    n = rng.randint(1, 10)
    return _case([rng.randint(-10**9, 10**9) for _ in range(n)], _random_ops(rng, n, rng.randint(1, 8), 10**4))


def oracle(inp):
    t = list(map(int, inp.split()))
    n, m = t[0], t[1]
    a = t[2:2 + n]
    ops = [t[2 + n + 3 * i: 5 + n + 3 * i] for i in range(m)]
    if n * m <= 200000:  # brute force
        for l, r, v in ops:
            for i in range(l - 1, r):
                a[i] += v
    else:  # sort-free sweep: total added at i = sum of v over ops covering i (via events)
        events = {}
        for l, r, v in ops:
            events[l] = events.get(l, 0) + v
            events[r + 1] = events.get(r + 1, 0) - v
        run = 0
        for i in range(1, n + 1):
            run += events.get(i, 0)
            a[i - 1] += run
    return " ".join(map(str, a)) + "\n"
