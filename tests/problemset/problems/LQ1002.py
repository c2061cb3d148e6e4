PID = "LQ1002"
TITLE = "长方形的面积和周长"
SPLIT = "train"
DIFFICULTY = "easy"

DESCRIPTION = r"""
一个长方形的长为 $a$，宽为 $b$。请计算这个长方形的面积和周长。
"""

INPUT_FORMAT = r"""
输入一行两个正整数 $a, b$，中间用一个空格隔开。
"""

OUTPUT_FORMAT = r"""
输出一行两个整数，依次为长方形的面积和周长，中间用一个空格隔开。
"""

SAMPLES = [
    ("3 5\n", "15 16\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le a, b \le 10^4$。
"""


def hidden(rng):
    tests = ["1 1", "10000 10000", "1 10000", "10000 1", "7 3"]
    for _ in range(2):
        tests.append(f"{rng.randint(1, 10**4)} {rng.randint(1, 10**4)}")
    return tests


def oracle(inp):
    a, b = map(int, inp.split())
    return f"{a * b} {2 * (a + b)}\n"
