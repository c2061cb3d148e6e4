PID = "LQ1025"
TITLE = "买笔"
SPLIT = "train"
DIFFICULTY = "easy"

BACKGROUND = r"""
新学期开始了，班长要去文具店给全班同学买笔。
"""

DESCRIPTION = r"""
文具店里的笔只能整盒购买，每盒有 $k$ 支笔，每盒的价格为 $p$ 元。

班长至少需要 $n$ 支笔（买多了也没关系）。请问他最少需要花多少元？
"""

INPUT_FORMAT = r"""
输入一行三个正整数 $n, k, p$，相邻两个数之间用一个空格隔开。
"""

OUTPUT_FORMAT = r"""
输出一行一个整数，表示最少需要花费的钱数（单位：元）。
"""

SAMPLES = [
    ("30 12 8\n", "24\n"),
    ("24 12 8\n", "16\n"),
]

HINT = r"""
样例 1 解释：需要买 $3$ 盒（共 $36$ 支笔），花费 $3 \times 8 = 24$ 元。买 $2$ 盒只有 $24$ 支笔，不够。

数据范围：对于 $100\%$ 的数据，$1 \le n, k \le 10^6$，$1 \le p \le 1000$。
"""


def hidden(rng):
    return [
        "1 1 1",
        "1000000 1 1000",
        "1 1000000 1000",
        "1000000 1000000 7",
        "999999 1000 3",
        "1000000 999999 5",
        "13 5 2",
        f"{rng.randint(1, 10**6)} {rng.randint(1, 1000)} {rng.randint(1, 1000)}",
    ]


def stress(rng):
    return f"{rng.randint(1, 200)} {rng.randint(1, 50)} {rng.randint(1, 1000)}\n"


def oracle(inp):
    n, k, p = map(int, inp.split())
    boxes = 0
    while boxes * k < n:  # brute force, different from the ceiling formula
        boxes += 1
    return f"{boxes * p}\n"
