PID = "LQ1028"
TITLE = "判断三角形"
SPLIT = "train"
DIFFICULTY = "easy"

DESCRIPTION = r"""
给定三条线段的长度 $a, b, c$，请判断它们能否首尾相接组成一个三角形。

这里要求三角形的面积大于 $0$，也就是说，任意两条线段的长度之和都必须严格大于第三条线段的长度。
"""

INPUT_FORMAT = r"""
输入一行三个正整数 $a, b, c$，相邻两个数之间用一个空格隔开。
"""

OUTPUT_FORMAT = r"""
如果能组成三角形，输出 `Yes`；否则输出 `No`。
"""

SAMPLES = [
    ("3 4 5\n", "Yes\n"),
    ("1 2 3\n", "No\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le a, b, c \le 10^9$。
"""


def hidden(rng):
    return [
        "1000000000 1000000000 1000000000",
        "1 1 1",
        "1 1 2",
        "1000000000 1 1000000000",
        "1 1000000000 1",
        "5 10 3",
        "10 3 5",
        "2 3 4",
        "600000000 700000000 1000000000",
        f"{rng.randint(1, 10**9)} {rng.randint(1, 10**9)} {rng.randint(1, 10**9)}",
    ]


def oracle(inp):
    x = sorted(map(int, inp.split()))
    return "Yes\n" if x[0] + x[1] > x[2] else "No\n"
