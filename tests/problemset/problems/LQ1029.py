PID = "LQ1029"
TITLE = "统计单词个数"
SPLIT = "train"
DIFFICULTY = "easy"

DESCRIPTION = r"""
给定一行英文句子，句子只由小写英文字母和空格组成。我们把由连续的小写字母组成、并且不能再向左右延伸的片段称为一个单词。

单词之间可能隔着一个或多个空格，行首和行尾也可能有空格。请统计这行句子中一共有多少个单词。
"""

INPUT_FORMAT = r"""
输入一行，表示这个句子。保证句子中至少有一个小写字母。
"""

OUTPUT_FORMAT = r"""
输出一行一个整数，表示单词的个数。
"""

SAMPLES = [
    ("i love  programming very much\n", "5\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，句子的长度（包括空格）不超过 $1000$。
"""

_LOWER = "abcdefghijklmnopqrstuvwxyz"


def _random_sentence(rng, length):
    chars = []
    while len(chars) < length:
        if rng.random() < 0.25:
            chars.append(" " * rng.randint(1, 3))
        else:
            chars.append(rng.choice(_LOWER))
    s = "".join(chars)[:length]
    if not s.strip():
        s = "a" + s[1:]
    return s


def hidden(rng):
    return [
        "a",
        "   hello   ",
        "a b c d e",
        "x" * 1000,
        "  go  to   school ",
        _random_sentence(rng, 1000),
        _random_sentence(rng, 200),
    ]


def stress(rng):
    return _random_sentence(rng, rng.randint(1, 30)) + "\n"


def oracle(inp):
    line = inp.split("\n")[0]
    count, prev = 0, " "
    for ch in line:
        if ch != " " and prev == " ":
            count += 1
        prev = ch
    return f"{count}\n"
