PID = "LQ1003"
TITLE = "数组求和"
SPLIT = "train"
DIFFICULTY = "easy"

DESCRIPTION = r"""
给定 $n$ 个整数 $a_1, a_2, \dots, a_n$，请求出它们的和。
"""

INPUT_FORMAT = r"""
第一行一个正整数 $n$。

第二行 $n$ 个整数 $a_1, a_2, \dots, a_n$，相邻两个数之间用一个空格隔开。
"""

OUTPUT_FORMAT = r"""
输出一行一个整数，表示这 $n$ 个整数的和。
"""

SAMPLES = [
    ("5\n1 2 3 4 5\n", "15\n"),
    ("3\n-4 10 -6\n", "0\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le n \le 1000$，$-10^9 \le a_i \le 10^9$。
"""


def _case(a):
    return f"{len(a)}\n{' '.join(map(str, a))}\n"


def hidden(rng):
    return [
        _case([-10**9]),
        _case([10**9] * 1000),
        _case([-10**9] * 1000),
        _case([10**9, 10**9, 10**9]),
        _case([rng.randint(-10**9, 10**9) for _ in range(1000)]),
        _case([rng.randint(-100, 100) for _ in range(37)]),
        _case([0, 0, 0, 0]),
    ]


def oracle(inp):
    t = list(map(int, inp.split()))
    n = t[0]
    return f"{sum(t[1:1 + n])}\n"
