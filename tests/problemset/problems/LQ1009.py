PID = "LQ1009"
TITLE = "素数判断"
SPLIT = "eval"
DIFFICULTY = "easy"

DESCRIPTION = r"""
给定一个正整数 $n$，请判断它是不是素数。

素数（也叫质数）是指大于 $1$，并且除了 $1$ 和它本身以外没有其他正因数的整数。
"""

INPUT_FORMAT = r"""
输入一行一个正整数 $n$。
"""

OUTPUT_FORMAT = r"""
如果 $n$ 是素数，输出 `Yes`；否则输出 `No`。
"""

SAMPLES = [
    ("7\n", "Yes\n"),
    ("12\n", "No\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le n \le 2 \times 10^9$。

注意：$1$ 不是素数。
"""


def hidden(rng):
    tests = ["1", "2", "25", "1999073521", "1999999973", "2000000000", "999999937", "4", "3"]
    tests.append(str(rng.randint(10**8, 2 * 10**9)))
    return tests


def _is_prime(n):
    # Deterministic Miller-Rabin (bases 2, 3, 5, 7 are exact for n < 3.2e9): independent of
    # the trial division used by the reference solution.
    if n < 2:
        return False
    for p in (2, 3, 5, 7):
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for a in (2, 3, 5, 7):
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def stress(rng):
    kind = rng.randint(0, 2)
    if kind == 0:
        n = rng.randint(1, 200)
    elif kind == 1:
        n = rng.randint(1, 44721) ** 2
    else:
        n = rng.randint(1, 2 * 10**9)
    return f"{n}\n"


def oracle(inp):
    return "Yes\n" if _is_prime(int(inp.split()[0])) else "No\n"
