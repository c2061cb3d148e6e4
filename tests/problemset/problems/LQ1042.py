PID = "LQ1042"
TITLE = "约数个数"
SPLIT = "train"
DIFFICULTY = "medium"

DESCRIPTION = r"""
给定正整数 $n$，请求出 $n$ 的正约数的个数。

例如，$12$ 的正约数有 $1, 2, 3, 4, 6, 12$，一共 $6$ 个。
"""

INPUT_FORMAT = r"""
输入一行一个正整数 $n$。
"""

OUTPUT_FORMAT = r"""
输出一行一个整数，表示 $n$ 的正约数的个数。
"""

SAMPLES = [
    ("12\n", "6\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le n \le 10^{12}$。
"""


def hidden(rng):
    return [
        "1",
        "2",
        "36",
        "1000000000000",
        "999999999989",
        "999966000289",
        "963761198400",
        "4294967296",
        str(rng.randint(10**11, 10**12)),
    ]


def stress(rng):
    kind = rng.randint(0, 2)
    if kind == 0:
        n = rng.randint(1, 10**4)
    elif kind == 1:
        n = rng.randint(1, 10**6) ** 2
    else:
        n = rng.randint(1, 10**12)
    return f"{n}\n"


def oracle(inp):
    n = int(inp.split()[0])
    # count via prime factorisation: d(n) = prod (e_i + 1)
    count, p = 1, 2
    while p * p <= n:
        e = 0
        while n % p == 0:
            n //= p
            e += 1
        count *= e + 1
        p += 1 if p == 2 else 2
    if n > 1:
        count *= 2
    return f"{count}\n"
