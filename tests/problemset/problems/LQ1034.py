from collections import deque

PID = "LQ1034"
TITLE = "迷宫最短路"
SPLIT = "train"
DIFFICULTY = "medium"

DESCRIPTION = r"""
有一个 $n$ 行 $m$ 列的迷宫，迷宫的每个格子是下面四种字符之一：

- `.`：空地，可以通行；
- `#`：墙，不能通行；
- `S`：起点，可以通行；
- `T`：终点，可以通行。

每一步可以从当前格子走到上、下、左、右相邻的一个可以通行的格子，不能走出迷宫。请求出从 `S` 走到 `T` 最少需要多少步。如果无法从 `S` 走到 `T`，输出 $-1$。
"""

INPUT_FORMAT = r"""
第一行两个正整数 $n, m$，中间用一个空格隔开。

接下来 $n$ 行，每行一个长度为 $m$ 的字符串，描述迷宫。保证迷宫中恰好有一个 `S` 和一个 `T`。
"""

OUTPUT_FORMAT = r"""
输出一行一个整数，表示最少步数；如果无法到达，输出 $-1$。
"""

SAMPLES = [
    ("3 4\nS.#.\n.##.\n...T\n", "5\n"),
    ("2 3\nS#T\n.#.\n", "-1\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le n, m \le 50$。
"""


def _case(grid):
    return f"{len(grid)} {len(grid[0])}\n" + "".join(row + "\n" for row in grid)


def _place(grid, ch, r, c):
    row = grid[r]
    grid[r] = row[:c] + ch + row[c + 1:]


def _snake(n, m):
    grid = []
    for r in range(n):
        if r % 2 == 0:
            grid.append("." * m)
        elif r % 4 == 1:
            grid.append("#" * (m - 1) + ".")
        else:
            grid.append("." + "#" * (m - 1))
    _place(grid, "S", 0, 0)
    _place(grid, "T", n - 1, m - 1 if (n - 1) % 4 == 0 else 0)
    return grid


def _random_maze(rng, n, m, wall):
    grid = ["".join("#" if rng.random() < wall else "." for _ in range(m)) for _ in range(n)]
    cells = rng.sample([(r, c) for r in range(n) for c in range(m)], 2)
    _place(grid, "S", *cells[0])
    _place(grid, "T", *cells[1])
    return grid


def hidden(rng):
    open_grid = ["." * 50 for _ in range(50)]
    _place(open_grid, "S", 0, 0)
    _place(open_grid, "T", 49, 49)
    boxed = ["." * 50 for _ in range(50)]
    for r, c in ((24, 25), (26, 25), (25, 24), (25, 26)):
        _place(boxed, "#", r, c)
    _place(boxed, "T", 25, 25)
    _place(boxed, "S", 0, 49)
    return [
        _case(["ST"]),
        _case(["S", "#", "T"]),
        _case(["S" + "." * 48 + "T"]),
        _case(open_grid),
        _case(_snake(49, 50)),
        _case(boxed),
        _case(_random_maze(rng, 30, 40, 0.25)),
        _case(_random_maze(rng, 50, 50, 0.3)),
        _case(_random_maze(rng, 8, 8, 0.2)),
    ]


def stress(rng):
    return _case(_random_maze(rng, rng.randint(1, 7), rng.randint(2, 7), rng.random() * 0.5))


def oracle(inp):
    lines = inp.split()
    n, m = int(lines[0]), int(lines[1])
    grid = lines[2:2 + n]
    start = next((r, c) for r in range(n) for c in range(m) if grid[r][c] == "S")
    dist = {start: 0}
    dq = deque([start])
    while dq:
        r, c = dq.popleft()
        if grid[r][c] == "T":
            return f"{dist[(r, c)]}\n"
        for nr, nc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
            if 0 <= nr < n and 0 <= nc < m and grid[nr][nc] != "#" and (nr, nc) not in dist:
                dist[(nr, nc)] = dist[(r, c)] + 1
                dq.append((nr, nc))
    return "-1\n"
