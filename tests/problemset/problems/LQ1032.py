from itertools import product

PID = "LQ1032"
TITLE = "爬楼梯"
SPLIT = "train"
DIFFICULTY = "medium"

DESCRIPTION = r"""
楼梯一共有 $n$ 级台阶。小明从地面出发，每一步可以向上走 $1$ 级台阶或者 $2$ 级台阶。

请问他恰好走到第 $n$ 级台阶，一共有多少种不同的走法？两种走法不同，当且仅当它们每一步所走的台阶数组成的序列不同。
"""

INPUT_FORMAT = r"""
输入一行一个正整数 $n$。
"""

OUTPUT_FORMAT = r"""
输出一行一个整数，表示不同走法的数量。
"""

SAMPLES = [
    ("3\n", "3\n"),
    ("4\n", "5\n"),
]

HINT = r"""
样例 1 解释：三种走法分别是 $1+1+1$、$1+2$、$2+1$。

数据范围：对于 $100\%$ 的数据，$1 \le n \le 90$。保证答案不超过 $2^{63} - 1$。
"""


def hidden(rng):
    return ["1", "2", "10", "45", "46", "60", "89", "90", str(rng.randint(11, 30))]


def stress(rng):
    return f"{rng.randint(1, 90)}\n"


def oracle(inp):
    n = int(inp.split()[0])
    if n <= 16:  # brute force: enumerate step sequences
        total = 0
        for k in range(n + 1):
            for seq in product((1, 2), repeat=k):
                if sum(seq) == n:
                    total += 1
        return f"{total}\n"
    ways = [1, 1]  # ways[i]: number of ways to reach step i
    for i in range(2, n + 1):
        ways.append(ways[i - 1] + ways[i - 2])
    return f"{ways[n]}\n"
