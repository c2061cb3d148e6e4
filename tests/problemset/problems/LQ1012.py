PID = "LQ1012"
TITLE = "数位之和"
SPLIT = "eval"
DIFFICULTY = "easy"

DESCRIPTION = r"""
给定一个非负整数 $n$，请求出它的各个数位上的数字之和。

例如，$n = 2024$ 时，答案为 $2 + 0 + 2 + 4 = 8$。
"""

INPUT_FORMAT = r"""
输入一行一个非负整数 $n$。
"""

OUTPUT_FORMAT = r"""
输出一行一个整数，表示 $n$ 的各位数字之和。
"""

SAMPLES = [
    ("2024\n", "8\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$0 \le n \le 10^{18}$。
"""


def hidden(rng):
    return [
        "0",
        "7",
        "10",
        "1000000000000000000",
        "999999999999999999",
        "4294967297",
        str(rng.randint(10**17, 10**18 - 1)),
        str(rng.randint(10**9, 10**12)),
    ]


def oracle(inp):
    return f"{sum(int(c) for c in inp.split()[0])}\n"
