PID = "LQ1007"
TITLE = "元音字母计数"
SPLIT = "train"
DIFFICULTY = "easy"

DESCRIPTION = r"""
英文中的元音字母有 `a`、`e`、`i`、`o`、`u` 五个。

给定一个只包含小写英文字母的字符串 $s$，请统计其中元音字母的个数（同一个字母出现多次时，按出现的次数计算）。
"""

INPUT_FORMAT = r"""
输入一行一个字符串 $s$。
"""

OUTPUT_FORMAT = r"""
输出一行一个整数，表示 $s$ 中元音字母的个数。
"""

SAMPLES = [
    ("programming\n", "3\n"),
    ("queue\n", "4\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le |s| \le 1000$，其中 $|s|$ 表示字符串 $s$ 的长度。
"""

_LOWER = "abcdefghijklmnopqrstuvwxyz"


def hidden(rng):
    return [
        "b",
        "a",
        "aeiou",
        "bcdfghjklmnpqrstvwxyz",
        "a" * 1000,
        "".join(rng.choice(_LOWER) for _ in range(1000)),
        "".join(rng.choice("aeiouxyz") for _ in range(100)),
    ]


def oracle(inp):
    return f"{sum(inp.split()[0].count(v) for v in 'aeiou')}\n"
