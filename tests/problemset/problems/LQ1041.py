PID = "LQ1041"
TITLE = "最长连续递增子段"
SPLIT = "train"
DIFFICULTY = "medium"

DESCRIPTION = r"""
给定一个长度为 $n$ 的整数序列 $a_1, a_2, \dots, a_n$。请找出其中最长的一段连续的严格递增子段（即在这一段中，每个数都严格大于它前面的那个数），输出它的长度。

只有一个数的子段也算严格递增子段。
"""

INPUT_FORMAT = r"""
第一行一个正整数 $n$。

第二行 $n$ 个整数 $a_1, a_2, \dots, a_n$，相邻两个数之间用一个空格隔开。
"""

OUTPUT_FORMAT = r"""
输出一行一个整数，表示最长的连续严格递增子段的长度。
"""

SAMPLES = [
    ("7\n1 2 2 3 4 5 1\n", "4\n"),
]

HINT = r"""
样例解释：最长的连续严格递增子段为 $2, 3, 4, 5$，长度为 $4$。

数据范围：对于 $100\%$ 的数据，$1 \le n \le 5000$，$-10^9 \le a_i \le 10^9$。
"""


def _case(a):
    return f"{len(a)}\n{' '.join(map(str, a))}\n"


def hidden(rng):
    return [
        _case([3]),
        _case([6] * 50),
        _case(list(range(-2500, 2500))),
        _case(list(range(5000, 0, -1))),
        _case([5, 4, 3, 2, 1, 2, 3, 4, 5, 6]),
        _case([-10**9, 10**9, -10**9, 10**9]),
        _case([rng.randint(1, 6) for _ in range(500)]),
        _case([rng.randint(-10**9, 10**9) for _ in range(5000)]),
    ]


def stress(rng):
    return _case([rng.randint(1, 4) for _ in range(rng.randint(1, 12))])


def oracle(inp):
    t = list(map(int, inp.split()))
    n = t[0]
    a = t[1:1 + n]
    if n <= 1000:  # brute force: extend from every start
        best = 1
        for i in range(n):
            j = i
            while j + 1 < n and a[j + 1] > a[j]:
                j += 1
            best = max(best, j - i + 1)
        return f"{best}\n"
    # split the sequence at every non-increase and take the longest piece
    cuts = [0] + [i for i in range(1, n) if a[i] <= a[i - 1]] + [n]
    return f"{max(cuts[k + 1] - cuts[k] for k in range(len(cuts) - 1))}\n"
