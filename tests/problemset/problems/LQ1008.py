import math

PID = "LQ1008"
TITLE = "最大公约数与最小公倍数"
SPLIT = "train"
DIFFICULTY = "easy"

DESCRIPTION = r"""
给定两个正整数 $a$ 和 $b$，请求出它们的最大公约数和最小公倍数。
"""

INPUT_FORMAT = r"""
输入一行两个正整数 $a, b$，中间用一个空格隔开。
"""

OUTPUT_FORMAT = r"""
输出一行两个整数，依次为 $a$ 与 $b$ 的最大公约数和最小公倍数，中间用一个空格隔开。
"""

SAMPLES = [
    ("12 18\n", "6 36\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le a, b \le 10^9$。
"""


def hidden(rng):
    tests = [
        "1 1",
        "1000000000 1000000000",
        "999999937 999999929",
        "7 49",
        "1 1000000000",
        "1000000000 999999999",
        "48 180",
    ]
    for _ in range(2):
        g = rng.randint(1, 1000)
        tests.append(f"{g * rng.randint(1, 10**6)} {g * rng.randint(1, 10**6)}")
    return tests


def stress(rng):
    hi = rng.choice([20, 10**4, 10**9])
    return f"{rng.randint(1, hi)} {rng.randint(1, hi)}\n"


def oracle(inp):
    a, b = map(int, inp.split())
    g = math.gcd(a, b)  # Python integers cannot overflow
    return f"{g} {a // g * b}\n"
