PID = "LQ1006"
TITLE = "字符串反转"
SPLIT = "train"
DIFFICULTY = "easy"

DESCRIPTION = r"""
给定一个只包含小写英文字母和数字的字符串 $s$，请将它反转后输出。

例如，字符串 `abc123` 反转后为 `321cba`。
"""

INPUT_FORMAT = r"""
输入一行一个字符串 $s$。
"""

OUTPUT_FORMAT = r"""
输出一行一个字符串，为 $s$ 反转后的结果。
"""

SAMPLES = [
    ("hello2024\n", "4202olleh\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le |s| \le 1000$，其中 $|s|$ 表示字符串 $s$ 的长度。
"""

_ALPHA = "abcdefghijklmnopqrstuvwxyz0123456789"


def hidden(rng):
    return [
        "a",
        "ab",
        "racecar",
        "0001000",
        "9z",
        "".join(rng.choice(_ALPHA) for _ in range(1000)),
        "".join(rng.choice(_ALPHA) for _ in range(57)),
    ]


def oracle(inp):
    return inp.split()[0][::-1] + "\n"
