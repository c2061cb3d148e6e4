PID = "LQ1001"
TITLE = "两数之和"
SPLIT = "train"
DIFFICULTY = "easy"

DESCRIPTION = r"""
给定两个整数 $a$ 和 $b$，请计算它们的和 $a + b$。
"""

INPUT_FORMAT = r"""
输入一行，包含两个整数 $a, b$，中间用一个空格隔开。
"""

OUTPUT_FORMAT = r"""
输出一行一个整数，表示 $a + b$ 的值。
"""

SAMPLES = [
    ("1 2\n", "3\n"),
    ("-7 10\n", "3\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$-2 \times 10^9 \le a, b \le 2 \times 10^9$。

注意：$a$、$b$ 以及 $a + b$ 都可能超出 32 位有符号整数（`int`）的表示范围。
"""


def hidden(rng):
    tests = [
        "2000000000 2000000000",
        "-2000000000 -2000000000",
        "0 0",
        "2000000000 -2000000000",
        "-1 -1",
        "2147483647 1",
        "1000000000 1000000000",
    ]
    for _ in range(2):
        tests.append(f"{rng.randint(-2 * 10**9, 2 * 10**9)} {rng.randint(-2 * 10**9, 2 * 10**9)}")
    return tests


def stress(rng):
    lim = rng.choice([10, 2 * 10**9])
    return f"{rng.randint(-lim, lim)} {rng.randint(-lim, lim)}\n"


def oracle(inp):
    a, b = map(int, inp.split())
    return f"{a + b}\n"
