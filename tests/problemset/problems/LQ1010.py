PID = "LQ1010"
TITLE = "斐波那契数列取模"
SPLIT = "train"
DIFFICULTY = "easy"

DESCRIPTION = r"""
斐波那契数列的定义如下：$F_1 = F_2 = 1$；当 $n \ge 3$ 时，$F_n = F_{n-1} + F_{n-2}$。

数列的前几项为 $1, 1, 2, 3, 5, 8, 13, \dots$

给定正整数 $n$，请求出 $F_n$ 除以 $10^9 + 7$ 的余数。
"""

INPUT_FORMAT = r"""
输入一行一个正整数 $n$。
"""

OUTPUT_FORMAT = r"""
输出一行一个整数，表示 $F_n \bmod (10^9 + 7)$ 的值。
"""

SAMPLES = [
    ("10\n", "55\n"),
    ("50\n", "586268941\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le n \le 10^6$。
"""


def hidden(rng):
    return ["1", "2", "3", "46", "47", "100", "1000000", "999999", str(rng.randint(1000, 10**6))]


_MOD = 10**9 + 7


def _fib_pair(n):
    """Fast doubling: returns (F(n), F(n+1)) mod p, with F(0) = 0."""
    if n == 0:
        return 0, 1
    a, b = _fib_pair(n // 2)
    c = a * ((2 * b - a) % _MOD) % _MOD
    d = (a * a + b * b) % _MOD
    return (d, (c + d) % _MOD) if n % 2 else (c, d)


def oracle(inp):
    return f"{_fib_pair(int(inp.split()[0]))[0]}\n"
