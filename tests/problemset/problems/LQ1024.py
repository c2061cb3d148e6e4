from collections import Counter

PID = "LQ1024"
TITLE = "字母频率统计"
SPLIT = "train"
DIFFICULTY = "easy"

DESCRIPTION = r"""
给定一个只包含小写英文字母的字符串 $s$，请统计每个字母在 $s$ 中出现的次数。
"""

INPUT_FORMAT = r"""
输入一行一个字符串 $s$。
"""

OUTPUT_FORMAT = r"""
按照字母表的顺序（从 `a` 到 `z`），对每个在 $s$ 中出现过的字母输出一行，包含这个字母和它出现的次数，中间用一个空格隔开。

没有出现过的字母不要输出。
"""

SAMPLES = [
    ("banana\n", "a 3\nb 1\nn 2\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le |s| \le 1000$，其中 $|s|$ 表示字符串 $s$ 的长度。
"""

_LOWER = "abcdefghijklmnopqrstuvwxyz"


def hidden(rng):
    return [
        "z",
        "a",
        "zyxwvutsrqponmlkjihgfedcba",
        "q" * 1000,
        "".join(rng.choice(_LOWER) for _ in range(1000)),
        "".join(rng.choice("xyz") for _ in range(40)),
        "mississippi",
    ]


def oracle(inp):
    c = Counter(inp.split()[0])
    return "".join(f"{ch} {c[ch]}\n" for ch in sorted(c))
