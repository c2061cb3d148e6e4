PID = "LQ1030"
TITLE = "区间和查询"
SPLIT = "train"
DIFFICULTY = "medium"

DESCRIPTION = r"""
给定一个长度为 $n$ 的整数序列 $a_1, a_2, \dots, a_n$，以及 $q$ 次询问。

每次询问给出两个正整数 $l, r$，请求出 $a_l + a_{l+1} + \dots + a_r$ 的值。
"""

INPUT_FORMAT = r"""
第一行两个正整数 $n, q$，中间用一个空格隔开。

第二行 $n$ 个整数 $a_1, a_2, \dots, a_n$，相邻两个数之间用一个空格隔开。

接下来 $q$ 行，每行两个正整数 $l, r$，表示一次询问。
"""

OUTPUT_FORMAT = r"""
输出 $q$ 行，每行一个整数，依次表示每次询问的答案。
"""

SAMPLES = [
    ("5 3\n1 2 3 4 5\n1 3\n2 5\n4 4\n", "6\n14\n4\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le n, q \le 5000$，$-10^9 \le a_i \le 10^9$，$1 \le l \le r \le n$。
"""


def _case(a, queries):
    lines = [f"{len(a)} {len(queries)}", " ".join(map(str, a))]
    lines += [f"{l} {r}" for l, r in queries]
    return "\n".join(lines) + "\n"


def _random_queries(rng, n, q):
    out = []
    for _ in range(q):
        l = rng.randint(1, n)
        out.append((l, rng.randint(l, n)))
    return out


def hidden(rng):
    n = 5000
    return [
        _case([-7], [(1, 1)]),
        _case([10**9] * n, [(1, n), (1, 1), (n, n), (2, n - 1)]),
        _case([-10**9] * n, [(1, n), (100, 4000)]),
        _case([rng.randint(-10, 10) for _ in range(50)], _random_queries(rng, 50, 50)),
        _case([rng.randint(-10**9, 10**9) for _ in range(n)], _random_queries(rng, n, 5000)),
        _case([1, -1] * 10, [(i, j) for i in range(1, 21) for j in range(i, 21, 7)]),
    ]


def stress(rng):
    n = rng.randint(1, 12)
    return _case([rng.randint(-20, 20) for _ in range(n)], _random_queries(rng, n, rng.randint(1, 10)))


def oracle(inp):
    t = list(map(int, inp.split()))
    n, q = t[0], t[1]
    a = t[2:2 + n]
    out = []
    for i in range(q):
        l, r = t[2 + n + 2 * i], t[3 + n + 2 * i]
        out.append(str(sum(a[l - 1:r])))
    return "\n".join(out) + "\n"
