PID = "LQ1022"
TITLE = "数字 2 的个数"
SPLIT = "eval"
DIFFICULTY = "easy"

DESCRIPTION = r"""
给定两个正整数 $L$ 和 $R$，请统计在 $L$ 到 $R$（包含 $L$ 和 $R$）的所有整数中，数字 `2` 一共出现了多少次。

例如，在 $20$ 到 $22$ 这三个整数中，$20$ 含有 $1$ 个 `2`，$21$ 含有 $1$ 个 `2`，$22$ 含有 $2$ 个 `2`，一共出现了 $4$ 次。
"""

INPUT_FORMAT = r"""
输入一行两个正整数 $L, R$，中间用一个空格隔开。
"""

OUTPUT_FORMAT = r"""
输出一行一个整数，表示数字 `2` 出现的总次数。
"""

SAMPLES = [
    ("2 22\n", "6\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le L \le R \le 10^5$。
"""


def hidden(rng):
    lo = rng.randint(1, 10**5)
    return [
        "1 1",
        "2 2",
        "1 10",
        "22222 22222",
        "1 100000",
        "100000 100000",
        f"{lo} {rng.randint(lo, 10**5)}",
    ]


def stress(rng):
    lo = rng.randint(1, 10**5)
    return f"{lo} {min(10**5, lo + rng.randint(0, 3000))}\n"


def oracle(inp):
    lo, hi = map(int, inp.split())
    return f"{sum(str(v).count('2') for v in range(lo, hi + 1))}\n"
