PID = "LQ1045"
TITLE = "约瑟夫问题"
SPLIT = "train"
DIFFICULTY = "medium"

DESCRIPTION = r"""
$n$ 个人围成一圈，按顺时针方向依次编号为 $1, 2, \dots, n$。

从编号为 $1$ 的人开始，按顺时针方向从 $1$ 开始报数，报到 $m$ 的人出圈；然后由出圈的人的下一个人重新从 $1$ 开始报数，报到 $m$ 的人再出圈……如此反复，直到所有人都出圈为止。

请依次输出出圈的人的编号。
"""

INPUT_FORMAT = r"""
输入一行两个正整数 $n, m$，中间用一个空格隔开。
"""

OUTPUT_FORMAT = r"""
输出一行 $n$ 个整数，依次表示出圈的人的编号，相邻两个数之间用一个空格隔开。
"""

SAMPLES = [
    ("5 3\n", "3 1 5 2 4\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le n, m \le 100$。
"""


def hidden(rng):
    return ["1 1", "1 100", "100 1", "100 100", "10 2", "7 50", "2 2", f"{rng.randint(20, 100)} {rng.randint(2, 100)}"]


def stress(rng):
    return f"{rng.randint(1, 30)} {rng.randint(1, 100)}\n"


def oracle(inp):
    n, m = map(int, inp.split())
    circle = list(range(1, n + 1))
    out, pos = [], 0
    while circle:
        # count m people one by one (plain simulation)
        for _ in range(m - 1):
            pos = (pos + 1) % len(circle)
        out.append(circle.pop(pos))
        if circle:
            pos %= len(circle)
    return " ".join(map(str, out)) + "\n"
