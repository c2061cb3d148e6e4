PID = "LQ1038"
TITLE = "素数个数"
SPLIT = "train"
DIFFICULTY = "medium"

DESCRIPTION = r"""
给定正整数 $n$，请求出不超过 $n$ 的素数一共有多少个。

素数是指大于 $1$，并且除了 $1$ 和它本身以外没有其他正因数的整数。
"""

INPUT_FORMAT = r"""
输入一行一个正整数 $n$。
"""

OUTPUT_FORMAT = r"""
输出一行一个整数，表示不超过 $n$ 的素数的个数。
"""

SAMPLES = [
    ("10\n", "4\n"),
    ("100\n", "25\n"),
]

HINT = r"""
样例 1 解释：不超过 $10$ 的素数有 $2, 3, 5, 7$，共 $4$ 个。

数据范围：对于 $100\%$ 的数据，$1 \le n \le 10^6$。
"""


def hidden(rng):
    return ["1", "2", "3", "30", "1000000", "999983", "999982", str(rng.randint(10**4, 10**6))]


def stress(rng):
    return f"{rng.choice([rng.randint(1, 3000), rng.randint(1, 10**6)])}\n"


def oracle(inp):
    n = int(inp.split()[0])
    if n <= 2000:  # trial division
        return f"{sum(1 for v in range(2, n + 1) if all(v % d for d in range(2, int(v ** 0.5) + 1)))}\n"
    sieve = bytearray([1]) * (n + 1)
    sieve[0] = sieve[1] = 0
    for i in range(2, int(n ** 0.5) + 1):
        if sieve[i]:
            sieve[i * i::i] = bytearray(len(range(i * i, n + 1, i)))
    return f"{sum(sieve)}\n"
