PID = "LQ1016"
TITLE = "回文字符串"
SPLIT = "train"
DIFFICULTY = "easy"

DESCRIPTION = r"""
如果一个字符串从左往右读和从右往左读完全相同，就称它为回文字符串。例如 `level` 和 `abba` 都是回文字符串，而 `abc` 不是。

给定一个只包含小写英文字母的字符串 $s$，请判断它是不是回文字符串。
"""

INPUT_FORMAT = r"""
输入一行一个字符串 $s$。
"""

OUTPUT_FORMAT = r"""
如果 $s$ 是回文字符串，输出 `Yes`；否则输出 `No`。
"""

SAMPLES = [
    ("level\n", "Yes\n"),
    ("abca\n", "No\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le |s| \le 1000$，其中 $|s|$ 表示字符串 $s$ 的长度。
"""

_LOWER = "abcdefghijklmnopqrstuvwxyz"


def hidden(rng):
    half = "".join(rng.choice(_LOWER) for _ in range(500))
    half2 = "".join(rng.choice("ab") for _ in range(499))
    near = list(half + half[::-1])
    near[499] = "z" if near[499] != "z" else "y"  # breaks the symmetry right next to the middle
    return [
        "a",
        "ab",
        "aa",
        half + half[::-1],
        half2 + "c" + half2[::-1],
        "".join(near),
        "".join(rng.choice(_LOWER) for _ in range(301)),
        "abcdba",
    ]


def oracle(inp):
    s = inp.split()[0]
    ok = all(s[i] == s[len(s) - 1 - i] for i in range(len(s)))
    return "Yes\n" if ok else "No\n"
