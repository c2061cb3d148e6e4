PID = "LQ1013"
TITLE = "整数排序"
SPLIT = "train"
DIFFICULTY = "easy"

DESCRIPTION = r"""
给定 $n$ 个整数，请将它们按照从小到大的顺序排序后输出。
"""

INPUT_FORMAT = r"""
第一行一个正整数 $n$。

第二行 $n$ 个整数 $a_1, a_2, \dots, a_n$，相邻两个数之间用一个空格隔开。
"""

OUTPUT_FORMAT = r"""
输出一行 $n$ 个整数，为从小到大排序后的结果，相邻两个数之间用一个空格隔开。
"""

SAMPLES = [
    ("5\n3 1 4 1 5\n", "1 1 3 4 5\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le n \le 1000$，$-10^9 \le a_i \le 10^9$。
"""


def _case(a):
    return f"{len(a)}\n{' '.join(map(str, a))}\n"


def hidden(rng):
    return [
        _case([5]),
        _case(list(range(10, 0, -1))),
        _case([3] * 20),
        _case([10**9, -10**9, 0, 10**9, -10**9]),
        _case([rng.randint(-10**9, 10**9) for _ in range(1000)]),
        _case([rng.randint(-5, 5) for _ in range(60)]),
    ]


def oracle(inp):
    t = list(map(int, inp.split()))
    return " ".join(map(str, sorted(t[1:1 + t[0]]))) + "\n"
