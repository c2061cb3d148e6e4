PID = "LQ1020"
TITLE = "倍数之和"
SPLIT = "train"
DIFFICULTY = "easy"

DESCRIPTION = r"""
给定正整数 $n$ 和 $k$，请求出在 $1$ 到 $n$（包含 $1$ 和 $n$）的所有整数中，所有是 $k$ 的倍数的数之和。
"""

INPUT_FORMAT = r"""
输入一行两个正整数 $n, k$，中间用一个空格隔开。
"""

OUTPUT_FORMAT = r"""
输出一行一个整数，表示所求的和。
"""

SAMPLES = [
    ("10 3\n", "18\n"),
]

HINT = r"""
样例解释：$1$ 到 $10$ 中 $3$ 的倍数有 $3, 6, 9$，它们的和为 $18$。

数据范围：对于 $100\%$ 的数据，$1 \le k \le n \le 10^6$。
"""


def hidden(rng):
    return [
        "1 1",
        "1000000 1",
        "1000000 1000000",
        "999999 2",
        "17 5",
        "1000000 7",
        f"{rng.randint(10**5, 10**6)} {rng.randint(1, 1000)}",
    ]


def oracle(inp):
    n, k = map(int, inp.split())
    m = n // k
    return f"{k * m * (m + 1) // 2}\n"
