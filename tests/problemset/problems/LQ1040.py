PID = "LQ1040"
TITLE = "进制转换"
SPLIT = "train"
DIFFICULTY = "medium"

DESCRIPTION = r"""
给定一个十进制非负整数 $n$ 和一个整数 $k$，请把 $n$ 转换成 $k$ 进制表示后输出。

当 $k > 10$ 时，依次用大写字母 `A`、`B`、`C`、`D`、`E`、`F` 表示数码 $10, 11, 12, 13, 14, 15$。
"""

INPUT_FORMAT = r"""
输入一行两个整数 $n, k$，中间用一个空格隔开。
"""

OUTPUT_FORMAT = r"""
输出一行一个字符串，表示 $n$ 的 $k$ 进制表示。不要输出前导零；当 $n = 0$ 时输出 `0`。
"""

SAMPLES = [
    ("10 2\n", "1010\n"),
    ("255 16\n", "FF\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$0 \le n \le 10^{18}$，$2 \le k \le 16$。
"""


def hidden(rng):
    return [
        "0 2",
        "0 16",
        "1 10",
        "15 16",
        "1000000000000000000 2",
        "1000000000000000000 16",
        "35 7",
        "123456789 13",
        f"{rng.randint(0, 10**18)} {rng.randint(2, 16)}",
        f"{rng.randint(0, 10**6)} 3",
    ]


def stress(rng):
    return f"{rng.choice([rng.randint(0, 100), rng.randint(0, 10**18)])} {rng.randint(2, 16)}\n"


def oracle(inp):
    n, k = map(int, inp.split())
    digits = "0123456789ABCDEF"
    # find the highest power of k first, then take digits from the top (not repeated division)
    power = 1
    while power * k <= n:
        power *= k
    out = []
    while power:
        out.append(digits[n // power])
        n %= power
        power //= k
    return "".join(out) + "\n"
