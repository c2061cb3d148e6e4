PID = "LQ1031"
TITLE = "定和数对"
SPLIT = "eval"
DIFFICULTY = "medium"

DESCRIPTION = r"""
给定一个长度为 $n$ 的严格递增的整数序列 $a_1 < a_2 < \dots < a_n$，以及一个整数 $S$。

请求出有多少对下标 $(i, j)$ 满足 $1 \le i < j \le n$ 且 $a_i + a_j = S$。
"""

INPUT_FORMAT = r"""
第一行两个整数 $n, S$，中间用一个空格隔开。

第二行 $n$ 个整数 $a_1, a_2, \dots, a_n$，相邻两个数之间用一个空格隔开，保证严格递增。
"""

OUTPUT_FORMAT = r"""
输出一行一个整数，表示满足条件的下标对的数量。
"""

SAMPLES = [
    ("6 10\n1 3 5 7 9 11\n", "2\n"),
]

HINT = r"""
样例解释：满足条件的数对为 $1 + 9$ 和 $3 + 7$。注意 $5 + 5$ 不算，因为 $i$ 和 $j$ 必须不同。

数据范围：对于 $100\%$ 的数据，$1 \le n \le 5000$，$-10^9 \le a_i \le 10^9$，$-2 \times 10^9 \le S \le 2 \times 10^9$。
"""


def _case(a, s):
    return f"{len(a)} {s}\n{' '.join(map(str, a))}\n"


def hidden(rng):
    return [
        _case([5], 10),
        _case([1, 2], 3),
        _case([10**9 - 1, 10**9], 2 * 10**9 - 1),
        _case([-10**9, -10**9 + 1, 0, 10**9 - 1, 10**9], -2 * 10**9 + 1),
        _case(list(range(1, 5001)), 5001),
        _case(list(range(-2500, 2500)), 0),
        _case(sorted(rng.sample(range(-10**9, 10**9), 5000)), 12345),
        _case(sorted(rng.sample(range(0, 200), 120)), 200),
        _case([2, 4, 6, 8], 7),
    ]


def stress(rng):
    n = rng.randint(1, 12)
    a = sorted(rng.sample(range(-15, 16), n))
    return _case(a, rng.randint(-30, 30))


def oracle(inp):
    t = list(map(int, inp.split()))
    n, s = t[0], t[1]
    a = t[2:2 + n]
    seen = set(a)
    # each unordered pair {x, s - x} with x < s - x is counted once (values are distinct)
    return f"{sum(1 for x in a if 2 * x < s and (s - x) in seen)}\n"
