import math

PID = "LQ1015"
TITLE = "阶乘"
SPLIT = "eval"
DIFFICULTY = "easy"

DESCRIPTION = r"""
给定一个非负整数 $n$，请计算 $n$ 的阶乘 $n!$。

其中 $n! = 1 \times 2 \times 3 \times \cdots \times n$，特别地，规定 $0! = 1$。
"""

INPUT_FORMAT = r"""
输入一行一个非负整数 $n$。
"""

OUTPUT_FORMAT = r"""
输出一行一个整数，表示 $n!$ 的值。
"""

SAMPLES = [
    ("5\n", "120\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$0 \le n \le 20$。
"""


def hidden(rng):
    return ["0", "1", "2", "12", "13", "19", "20", str(rng.randint(6, 11))]


def oracle(inp):
    return f"{math.factorial(int(inp.split()[0]))}\n"
