PID = "LQ1039"
TITLE = "最大子段和"
SPLIT = "eval"
DIFFICULTY = "medium"

DESCRIPTION = r"""
给定一个长度为 $n$ 的整数序列 $a_1, a_2, \dots, a_n$。请从中选出连续且非空的一段，使得这一段中所有数的和最大，输出这个最大的和。
"""

INPUT_FORMAT = r"""
第一行一个正整数 $n$。

第二行 $n$ 个整数 $a_1, a_2, \dots, a_n$，相邻两个数之间用一个空格隔开。
"""

OUTPUT_FORMAT = r"""
输出一行一个整数，表示最大的子段和。
"""

SAMPLES = [
    ("8\n2 -4 3 -1 2 -4 3 1\n", "4\n"),
]

HINT = r"""
样例解释：选择 $3, -1, 2$ 这一段，和为 $4$。

数据范围：对于 $100\%$ 的数据，$1 \le n \le 10^4$，$-10^4 \le a_i \le 10^4$。
"""


def _case(a):
    return f"{len(a)}\n{' '.join(map(str, a))}\n"


def hidden(rng):
    return [
        _case([-5]),
        _case([0]),
        _case([-3, -1, -7, -2]),
        _case([10**4] * 10**4),
        _case([-10**4] * 10**4),
        _case([rng.randint(-10**4, 10**4) for _ in range(10**4)]),
        _case([rng.randint(-100, 60) for _ in range(1500)]),
        _case([5, -6, 5, -6, 5, 1]),
        _case([-1, 0, -2]),
    ]


def stress(rng):
    return _case([rng.randint(-10, 10) for _ in range(rng.randint(1, 12))])


def oracle(inp):
    t = list(map(int, inp.split()))
    n = t[0]
    a = t[1:1 + n]
    if n <= 2000:  # brute force over all segments
        best = a[0]
        for i in range(n):
            s = 0
            for j in range(i, n):
                s += a[j]
                best = max(best, s)
        return f"{best}\n"
    # prefix sums: best = max over r of (P[r] - min_{l<r} P[l])
    best, prefix, low = a[0], 0, 0
    for x in a:
        prefix += x
        best = max(best, prefix - low)
        low = min(low, prefix)
    return f"{best}\n"
