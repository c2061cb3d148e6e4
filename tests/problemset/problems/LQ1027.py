PID = "LQ1027"
TITLE = "角谷猜想"
SPLIT = "train"
DIFFICULTY = "easy"

BACKGROUND = r"""
角谷猜想（也叫 $3n+1$ 猜想）说：任何一个正整数，经过下面的变换，最终都会变成 $1$。
"""

DESCRIPTION = r"""
对于正整数 $n$，按照下面的规则反复进行变换：

- 如果 $n$ 是偶数，就把它变成 $n / 2$；
- 如果 $n$ 是奇数，就把它变成 $3n + 1$。

当 $n$ 变成 $1$ 时停止。给定最初的 $n$，请求出一共需要变换多少次才能变成 $1$。如果一开始 $n = 1$，答案为 $0$。
"""

INPUT_FORMAT = r"""
输入一行一个正整数 $n$。
"""

OUTPUT_FORMAT = r"""
输出一行一个整数，表示变换的次数。
"""

SAMPLES = [
    ("6\n", "8\n"),
]

HINT = r"""
样例解释：$6 \to 3 \to 10 \to 5 \to 16 \to 8 \to 4 \to 2 \to 1$，一共变换了 $8$ 次。

数据范围：对于 $100\%$ 的数据，$1 \le n \le 10^6$。可以保证在这个范围内变换一定会结束。

注意：变换过程中 $n$ 的值可能会超过 32 位有符号整数（`int`）的表示范围。
"""


def hidden(rng):
    return ["1", "2", "3", "27", "704511", "837799", "1000000", str(rng.randint(10**5, 10**6))]


def stress(rng):
    return f"{rng.randint(1, 10**6)}\n"


def oracle(inp):
    n = int(inp.split()[0])
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return f"{steps}\n"
