PID = "LQ1043"
TITLE = "快速幂取模"
SPLIT = "eval"
DIFFICULTY = "medium"

DESCRIPTION = r"""
给定三个整数 $a, b, p$，请求出 $a^b \bmod p$ 的值，也就是 $a$ 的 $b$ 次方除以 $p$ 的余数。

约定 $a^0 = 1$。
"""

INPUT_FORMAT = r"""
输入一行三个整数 $a, b, p$，相邻两个数之间用一个空格隔开。
"""

OUTPUT_FORMAT = r"""
输出一行一个整数，表示 $a^b \bmod p$ 的值。
"""

SAMPLES = [
    ("2 10 1000\n", "24\n"),
    ("3 0 5\n", "1\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le a \le 10^9$，$0 \le b \le 10^{18}$，$1 \le p \le 10^9$。
"""


def hidden(rng):
    return [
        "5 0 1",
        "7 1 3",
        "1 1000000000000000000 7",
        "1000000000 1000000000000000000 999999937",
        "2 1000000000000000000 1000000000",
        "999999999 2 1000000000",
        "123456789 987654321987654321 1",
        "10 18 1000000000",
        f"{rng.randint(1, 10**9)} {rng.randint(0, 10**18)} {rng.randint(1, 10**9)}",
    ]


def stress(rng):
    return f"{rng.randint(1, 10**9)} {rng.choice([rng.randint(0, 5), rng.randint(0, 10**18)])} {rng.choice([1, 2, rng.randint(1, 10**9)])}\n"


def oracle(inp):
    a, b, p = map(int, inp.split())
    return f"{pow(a, b, p)}\n"
