import bisect

PID = "LQ1035"
TITLE = "有序数组查找"
SPLIT = "train"
DIFFICULTY = "medium"

DESCRIPTION = r"""
给定一个长度为 $n$ 的单调不降的整数序列 $a_1 \le a_2 \le \dots \le a_n$，以及 $q$ 次询问。

每次询问给出一个整数 $x$，请求出 $x$ 在序列中第一次出现的位置（位置从 $1$ 开始编号）；如果 $x$ 没有在序列中出现，则答案为 $-1$。
"""

INPUT_FORMAT = r"""
第一行两个正整数 $n, q$，中间用一个空格隔开。

第二行 $n$ 个整数 $a_1, a_2, \dots, a_n$，相邻两个数之间用一个空格隔开，保证单调不降。

第三行 $q$ 个整数，依次表示每次询问的 $x$，相邻两个数之间用一个空格隔开。
"""

OUTPUT_FORMAT = r"""
输出一行 $q$ 个整数，依次表示每次询问的答案，相邻两个数之间用一个空格隔开。
"""

SAMPLES = [
    ("6 4\n1 3 3 3 5 8\n3 1 4 8\n", "2 1 -1 6\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le n, q \le 5000$，$-10^9 \le a_i, x \le 10^9$。
"""


def _case(a, qs):
    return f"{len(a)} {len(qs)}\n{' '.join(map(str, a))}\n{' '.join(map(str, qs))}\n"


def hidden(rng):
    dup = sorted(rng.randint(-50, 50) for _ in range(5000))
    big = sorted(rng.randint(-10**9, 10**9) for _ in range(5000))
    return [
        _case([4], [4, 3, 5]),
        _case([7] * 100, [7, 6, 8, -7]),
        _case([-10**9, -10**9, 0, 10**9, 10**9], [-10**9, 10**9, 0, 1, -1]),
        _case(dup, [rng.randint(-55, 55) for _ in range(5000)]),
        _case(big, [rng.choice(big) if rng.random() < 0.5 else rng.randint(-10**9, 10**9) for _ in range(5000)]),
        _case(list(range(1, 11)), list(range(0, 12))),
    ]


def stress(rng):
    n = rng.randint(1, 10)
    a = sorted(rng.randint(-5, 5) for _ in range(n))
    return _case(a, [rng.randint(-6, 6) for _ in range(rng.randint(1, 8))])


def oracle(inp):
    t = list(map(int, inp.split()))
    n, q = t[0], t[1]
    a = t[2:2 + n]
    out = []
    for x in t[2 + n:2 + n + q]:
        i = bisect.bisect_left(a, x)
        out.append(str(i + 1) if i < n and a[i] == x else "-1")
    return " ".join(out) + "\n"
