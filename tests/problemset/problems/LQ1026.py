PID = "LQ1026"
TITLE = "数字反转"
SPLIT = "eval"
DIFFICULTY = "easy"

DESCRIPTION = r"""
给定一个整数 $n$，请将它各个数位上的数字反转，得到一个新的整数并输出。

新数的最高位不能是 $0$（除非新数本身就是 $0$）；如果 $n$ 是负数，新数也是负数。

例如，$n = 1230$ 时应输出 `321`，$n = -380$ 时应输出 `-83`。
"""

INPUT_FORMAT = r"""
输入一行一个整数 $n$。
"""

OUTPUT_FORMAT = r"""
输出一行一个整数，表示反转后得到的新数。
"""

SAMPLES = [
    ("123\n", "321\n"),
    ("-380\n", "-83\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$-10^9 \le n \le 10^9$。
"""


def hidden(rng):
    return [
        "0",
        "5",
        "-7",
        "120",
        "1000000000",
        "-1000000000",
        "987654321",
        "-100200300",
        str(rng.randint(-10**9, 10**9)),
    ]


def stress(rng):
    return f"{rng.choice([rng.randint(-1000, 1000), rng.randint(-10**9, 10**9), rng.randint(1, 99) * 10 ** rng.randint(0, 7)])}\n"


def oracle(inp):
    n = int(inp.split()[0])
    r = int(str(abs(n))[::-1])
    return f"{-r if n < 0 else r}\n"
