from functools import lru_cache

PID = "LQ1044"
TITLE = "网格路径计数"
SPLIT = "train"
DIFFICULTY = "medium"

DESCRIPTION = r"""
有一个 $n$ 行 $m$ 列的网格，每个格子是空地 `.` 或者障碍 `#`。

小明从左上角的格子 $(1, 1)$ 出发，每一步只能向右或者向下走到相邻的格子，并且不能进入障碍格子。请问他走到右下角的格子 $(n, m)$ 一共有多少条不同的路径？

如果起点或终点本身是障碍，答案为 $0$。
"""

INPUT_FORMAT = r"""
第一行两个正整数 $n, m$，中间用一个空格隔开。

接下来 $n$ 行，每行一个长度为 $m$ 的字符串，描述网格。
"""

OUTPUT_FORMAT = r"""
输出一行一个整数，表示不同路径的数量。
"""

SAMPLES = [
    ("3 3\n...\n.#.\n...\n", "2\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le n, m \le 20$。
"""


def _case(grid):
    return f"{len(grid)} {len(grid[0])}\n" + "".join(row + "\n" for row in grid)


def _random_grid(rng, n, m, wall):
    g = [["#" if rng.random() < wall else "." for _ in range(m)] for _ in range(n)]
    g[0][0] = g[n - 1][m - 1] = "."
    return ["".join(r) for r in g]


def hidden(rng):
    full = ["." * 20 for _ in range(20)]
    return [
        _case(["."]),
        _case(["#"]),
        _case(full),
        _case(["#" + "." * 19] + ["." * 20 for _ in range(19)]),
        _case(["." * 20 for _ in range(19)] + ["." * 19 + "#"]),
        _case(["." * 9 + "#" + "." * 10]),
        _case(["." for _ in range(20)]),
        _case(_random_grid(rng, 20, 20, 0.1)),
        _case(_random_grid(rng, 6, 7, 0.2)),
        _case(["." * 20 for _ in range(10)] + ["#" * 19 + "."] + ["." * 20 for _ in range(9)]),
    ]


def stress(rng):
    g = [["#" if rng.random() < 0.25 else "." for _ in range(rng.randint(1, 6))]]
    m = len(g[0])
    g += [["#" if rng.random() < 0.25 else "." for _ in range(m)] for _ in range(rng.randint(0, 5))]
    return _case(["".join(r) for r in g])


def oracle(inp):
    t = inp.split()
    n, m = int(t[0]), int(t[1])
    grid = t[2:2 + n]

    @lru_cache(maxsize=None)
    def paths_from(r, c):  # top-down recursion, counting paths to (n-1, m-1)
        if r >= n or c >= m or grid[r][c] == "#":
            return 0
        if (r, c) == (n - 1, m - 1):
            return 1
        return paths_from(r + 1, c) + paths_from(r, c + 1)

    return f"{paths_from(0, 0)}\n"
