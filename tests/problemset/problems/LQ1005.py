PID = "LQ1005"
TITLE = "统计偶数"
SPLIT = "eval"
DIFFICULTY = "easy"

DESCRIPTION = r"""
给定 $n$ 个整数 $a_1, a_2, \dots, a_n$，请统计其中有多少个偶数。

注意：$0$ 和负偶数（例如 $-4$）也都是偶数。
"""

INPUT_FORMAT = r"""
第一行一个正整数 $n$。

第二行 $n$ 个整数 $a_1, a_2, \dots, a_n$，相邻两个数之间用一个空格隔开。
"""

OUTPUT_FORMAT = r"""
输出一行一个整数，表示偶数的个数。
"""

SAMPLES = [
    ("6\n1 2 3 4 5 6\n", "3\n"),
    ("4\n-3 -2 0 7\n", "2\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le n \le 1000$，$-10^9 \le a_i \le 10^9$。
"""


def _case(a):
    return f"{len(a)}\n{' '.join(map(str, a))}\n"


def hidden(rng):
    return [
        _case([1]),
        _case([0]),
        _case([-7, -5, -3, -1, -999999999]),
        _case([-10**9, -2, 0, 2, 10**9]),
        _case([rng.randint(-10**9, 10**9) for _ in range(1000)]),
        _case([rng.randint(-10, 10) for _ in range(50)]),
        _case([2 * rng.randint(-10**8, 10**8) for _ in range(1000)]),
    ]


def oracle(inp):
    t = list(map(int, inp.split()))
    return f"{sum(1 for x in t[1:1 + t[0]] if x % 2 == 0)}\n"
