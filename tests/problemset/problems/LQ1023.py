PID = "LQ1023"
TITLE = "第一次出现的位置"
SPLIT = "train"
DIFFICULTY = "easy"

DESCRIPTION = r"""
给定 $n$ 个整数 $a_1, a_2, \dots, a_n$ 和一个整数 $x$，请找出 $x$ 在这个序列中第一次出现的位置（位置从 $1$ 开始编号）。如果 $x$ 没有在序列中出现，输出 $-1$。
"""

INPUT_FORMAT = r"""
第一行两个整数 $n, x$，中间用一个空格隔开。

第二行 $n$ 个整数 $a_1, a_2, \dots, a_n$，相邻两个数之间用一个空格隔开。
"""

OUTPUT_FORMAT = r"""
输出一行一个整数，表示 $x$ 第一次出现的位置；如果 $x$ 没有出现，输出 $-1$。
"""

SAMPLES = [
    ("5 7\n3 7 2 7 9\n", "2\n"),
    ("3 4\n1 2 3\n", "-1\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le n \le 1000$，$-10^9 \le a_i, x \le 10^9$。
"""


def _case(a, x):
    return f"{len(a)} {x}\n{' '.join(map(str, a))}\n"


def hidden(rng):
    tail = [rng.randint(1, 10**9) for _ in range(999)]
    return [
        _case([8], 8),
        _case([8], -8),
        _case([4, 4, 4, 4], 4),
        _case(tail + [-1], -1),
        _case([rng.randint(1, 10**9) for _ in range(1000)], 0),
        _case([-10**9, 5, -10**9], -10**9),
        _case([rng.randint(1, 9) for _ in range(200)], 9),
    ]


def oracle(inp):
    t = list(map(int, inp.split()))
    n, x = t[0], t[1]
    a = t[2:2 + n]
    return f"{a.index(x) + 1 if x in a else -1}\n"
