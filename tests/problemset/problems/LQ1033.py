PID = "LQ1033"
TITLE = "小背包"
SPLIT = "eval"
DIFFICULTY = "medium"

DESCRIPTION = r"""
有 $n$ 件物品和一个容量为 $W$ 的背包。第 $i$ 件物品的重量为 $w_i$，价值为 $v_i$，每件物品最多只能选一次。

请选出若干件物品放进背包，使得它们的总重量不超过 $W$，并且总价值尽可能大。输出最大的总价值。
"""

INPUT_FORMAT = r"""
第一行两个正整数 $n, W$，中间用一个空格隔开。

接下来 $n$ 行，第 $i$ 行两个正整数 $w_i, v_i$，中间用一个空格隔开。
"""

OUTPUT_FORMAT = r"""
输出一行一个整数，表示能得到的最大总价值。
"""

SAMPLES = [
    ("4 5\n2 3\n3 4\n4 5\n5 6\n", "7\n"),
]

HINT = r"""
样例解释：选择第 $1$ 件和第 $2$ 件物品，总重量为 $5$，总价值为 $7$。

数据范围：对于 $100\%$ 的数据，$1 \le n \le 100$，$1 \le W \le 1000$，$1 \le w_i \le 1000$，$1 \le v_i \le 10^4$。
"""


def _case(items, cap):
    return f"{len(items)} {cap}\n" + "".join(f"{w} {v}\n" for w, v in items)


def hidden(rng):
    return [
        _case([(5, 10)], 5),
        _case([(6, 10)], 5),
        _case([(1000, 10000)] * 3, 999),
        # greedy by value/weight picks (6, 13) first and gets 13; optimum is 5 + 5 -> 20
        _case([(6, 13), (5, 10), (5, 10)], 10),
        _case([(rng.randint(1, 30), rng.randint(1, 100)) for _ in range(15)], 60),
        _case([(rng.randint(1, 1000), rng.randint(1, 10**4)) for _ in range(100)], 1000),
        _case([(rng.randint(1, 10), rng.randint(1, 10**4)) for _ in range(100)], 1000),
        _case([(1, 10**4)] * 100, 1000),
    ]


def stress(rng):
    n = rng.randint(1, 10)
    return _case([(rng.randint(1, 15), rng.randint(1, 30)) for _ in range(n)], rng.randint(1, 40))


def oracle(inp):
    t = list(map(int, inp.split()))
    n, cap = t[0], t[1]
    items = [(t[2 + 2 * i], t[3 + 2 * i]) for i in range(n)]
    if n <= 16:  # brute force over all subsets
        best = 0
        for mask in range(1 << n):
            w = sum(items[i][0] for i in range(n) if mask >> i & 1)
            if w <= cap:
                best = max(best, sum(items[i][1] for i in range(n) if mask >> i & 1))
        return f"{best}\n"
    # sparse DP over reachable (weight -> best value) states
    states = {0: 0}
    for w, v in items:
        new = dict(states)
        for cw, cv in states.items():
            if cw + w <= cap and new.get(cw + w, -1) < cv + v:
                new[cw + w] = cv + v
        states = new
    return f"{max(states.values())}\n"
