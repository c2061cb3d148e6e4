PID = "LQ1037"
TITLE = "活动安排"
SPLIT = "train"
DIFFICULTY = "medium"

DESCRIPTION = r"""
学校的礼堂在一天内收到了 $n$ 个活动的申请，第 $i$ 个活动从时刻 $s_i$ 开始，到时刻 $e_i$ 结束。礼堂在同一时刻只能举办一个活动。

如果一个活动的结束时刻不晚于另一个活动的开始时刻（即 $e_i \le s_j$），那么这两个活动可以都被安排。请问礼堂最多能安排多少个活动？
"""

INPUT_FORMAT = r"""
第一行一个正整数 $n$。

接下来 $n$ 行，第 $i$ 行两个整数 $s_i, e_i$，中间用一个空格隔开。
"""

OUTPUT_FORMAT = r"""
输出一行一个整数，表示最多能安排的活动数量。
"""

SAMPLES = [
    ("4\n1 3\n2 5\n3 6\n6 8\n", "3\n"),
]

HINT = r"""
样例解释：可以安排 $[1, 3)$、$[3, 6)$、$[6, 8)$ 三个活动。

数据范围：对于 $100\%$ 的数据，$1 \le n \le 1000$，$0 \le s_i < e_i \le 10^9$。
"""


def _case(acts):
    return f"{len(acts)}\n" + "".join(f"{s} {e}\n" for s, e in acts)


def _random_acts(rng, n, hi, maxlen):
    acts = []
    for _ in range(n):
        s = rng.randint(0, hi - 1)
        acts.append((s, min(hi, s + rng.randint(1, maxlen))))
    return acts


def hidden(rng):
    chain = [(i, i + 1) for i in range(1000)]
    rng.shuffle(chain)
    return [
        _case([(0, 1000000000)]),
        _case([(5, 9)] * 6),
        _case(chain),
        _case([(0, 100)] + [(10 * i, 10 * i + 5) for i in range(1, 9)]),
        _case([(1, 10), (2, 3), (3, 4), (4, 5), (9, 12)]),
        _case(_random_acts(rng, 12, 40, 10)),
        _case(_random_acts(rng, 14, 30, 6)),
        _case(_random_acts(rng, 1000, 10**9, 10**7)),
        _case(_random_acts(rng, 1000, 5000, 50)),
    ]


def stress(rng):
    return _case(_random_acts(rng, rng.randint(1, 10), 20, 6))


def oracle(inp):
    t = list(map(int, inp.split()))
    n = t[0]
    acts = [(t[1 + 2 * i], t[2 + 2 * i]) for i in range(n)]
    if n <= 16:  # brute force over subsets
        best = 0
        for mask in range(1 << n):
            chosen = sorted(acts[i] for i in range(n) if mask >> i & 1)
            if all(chosen[k][1] <= chosen[k + 1][0] for k in range(len(chosen) - 1)):
                best = max(best, len(chosen))
        return f"{best}\n"
    # O(n^2) DP over activities sorted by end time (not the greedy used by the reference)
    acts.sort(key=lambda x: x[1])
    dp = [1] * n
    for i in range(n):
        for j in range(i):
            if acts[j][1] <= acts[i][0] and dp[j] + 1 > dp[i]:
                dp[i] = dp[j] + 1
    return f"{max(dp)}\n"
