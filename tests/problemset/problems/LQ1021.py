PID = "LQ1021"
TITLE = "数字出现次数"
SPLIT = "train"
DIFFICULTY = "easy"

DESCRIPTION = r"""
给定 $n$ 个整数 $a_1, a_2, \dots, a_n$ 和一个整数 $x$，请统计 $x$ 在这 $n$ 个整数中一共出现了多少次。
"""

INPUT_FORMAT = r"""
第一行一个正整数 $n$。

第二行 $n$ 个整数 $a_1, a_2, \dots, a_n$，相邻两个数之间用一个空格隔开。

第三行一个整数 $x$。
"""

OUTPUT_FORMAT = r"""
输出一行一个整数，表示 $x$ 出现的次数。
"""

SAMPLES = [
    ("6\n1 3 3 5 3 2\n3\n", "3\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le n \le 1000$，$-10^9 \le a_i, x \le 10^9$。
"""


def _case(a, x):
    return f"{len(a)}\n{' '.join(map(str, a))}\n{x}\n"


def hidden(rng):
    big = [rng.randint(-3, 3) for _ in range(1000)]
    return [
        _case([5], 5),
        _case([5], -5),
        _case([1, 2, 3, 4], 10),
        _case([-10**9] * 1000, -10**9),
        _case(big, 0),
        _case(big, -3),
        _case([rng.randint(-10**9, 10**9) for _ in range(300)] + [10**9], 10**9),
    ]


def oracle(inp):
    t = list(map(int, inp.split()))
    n = t[0]
    return f"{t[1:1 + n].count(t[1 + n])}\n"
