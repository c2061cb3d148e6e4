PID = "LQ1004"
TITLE = "最大值与最小值"
SPLIT = "train"
DIFFICULTY = "easy"

DESCRIPTION = r"""
给定 $n$ 个整数 $a_1, a_2, \dots, a_n$，请找出其中的最大值和最小值。
"""

INPUT_FORMAT = r"""
第一行一个正整数 $n$。

第二行 $n$ 个整数 $a_1, a_2, \dots, a_n$，相邻两个数之间用一个空格隔开。
"""

OUTPUT_FORMAT = r"""
输出一行两个整数，依次为最大值和最小值，中间用一个空格隔开。
"""

SAMPLES = [
    ("5\n3 -1 4 1 5\n", "5 -1\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le n \le 1000$，$-10^9 \le a_i \le 10^9$。
"""


def _case(a):
    return f"{len(a)}\n{' '.join(map(str, a))}\n"


def hidden(rng):
    return [
        _case([7]),
        _case([-10**9]),
        _case([-5, -3, -8, -1, -9]),
        _case([42] * 10),
        _case([10**9, 3, 2, 1, -10**9]),
        _case([rng.randint(-10**9, 10**9) for _ in range(1000)]),
        _case([rng.randint(1, 10**9) for _ in range(100)]),
    ]


def oracle(inp):
    t = list(map(int, inp.split()))
    a = t[1:1 + t[0]]
    return f"{max(a)} {min(a)}\n"
