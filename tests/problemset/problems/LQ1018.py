PID = "LQ1018"
TITLE = "小写转大写"
SPLIT = "eval"
DIFFICULTY = "easy"

DESCRIPTION = r"""
给定一个字符串 $s$，它只包含英文字母（大写和小写都可能出现）、数字和下划线 `_`。

请把 $s$ 中所有的小写字母转换为对应的大写字母，其余字符保持不变，然后输出转换后的字符串。
"""

INPUT_FORMAT = r"""
输入一行一个字符串 $s$。
"""

OUTPUT_FORMAT = r"""
输出一行一个字符串，表示转换后的结果。
"""

SAMPLES = [
    ("Hello_World2024\n", "HELLO_WORLD2024\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le |s| \le 100$，其中 $|s|$ 表示字符串 $s$ 的长度。
"""

_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"


def hidden(rng):
    return [
        "a",
        "z",
        "_",
        "0",
        "ABCXYZ",
        "abcdefghijklmnopqrstuvwxyz",
        "a_9_Z_b",
        "".join(rng.choice(_CHARS) for _ in range(100)),
    ]


def oracle(inp):
    s = inp.split()[0]
    return "".join(chr(ord(c) - 32) if "a" <= c <= "z" else c for c in s) + "\n"
