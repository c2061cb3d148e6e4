PID = "LQ1017"
TITLE = "打印直角三角形"
SPLIT = "train"
DIFFICULTY = "easy"

DESCRIPTION = r"""
给定正整数 $n$，请用星号 `*` 打印一个 $n$ 行的直角三角形：第 $i$ 行（$1 \le i \le n$）恰好由 $i$ 个连续的 `*` 组成。
"""

INPUT_FORMAT = r"""
输入一行一个正整数 $n$。
"""

OUTPUT_FORMAT = r"""
输出 $n$ 行，第 $i$ 行为 $i$ 个 `*`，行内不要输出空格。
"""

SAMPLES = [
    ("3\n", "*\n**\n***\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le n \le 20$。
"""


def hidden(rng):
    return ["1", "2", "5", "10", "20", str(rng.randint(11, 19))]


def oracle(inp):
    n = int(inp.split()[0])
    return "".join("*" * i + "\n" for i in range(1, n + 1))
