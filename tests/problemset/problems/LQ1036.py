PID = "LQ1036"
TITLE = "括号匹配"
SPLIT = "eval"
DIFFICULTY = "medium"

DESCRIPTION = r"""
给定一个只由 `(`、`)`、`[`、`]`、`{`、`}` 这六种字符组成的字符串 $s$，请判断其中的括号是否匹配。

括号匹配的定义如下：

1. 空串是匹配的；
2. 如果字符串 `A` 是匹配的，那么 `(A)`、`[A]`、`{A}` 都是匹配的；
3. 如果字符串 `A` 和 `B` 都是匹配的，那么把 `B` 接在 `A` 后面得到的字符串 `AB` 也是匹配的。
"""

INPUT_FORMAT = r"""
输入一行一个字符串 $s$。
"""

OUTPUT_FORMAT = r"""
如果 $s$ 中的括号是匹配的，输出 `Yes`；否则输出 `No`。
"""

SAMPLES = [
    ("([]{()})\n", "Yes\n"),
    ("([)]\n", "No\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le |s| \le 1000$，其中 $|s|$ 表示字符串 $s$ 的长度。
"""

_PAIRS = ("()", "[]", "{}")


def _random_valid(rng, pairs):
    # grow a random matched string by inserting a bracket pair at a random position
    s = ""
    for _ in range(pairs):
        pos = rng.randint(0, len(s))
        s = s[:pos] + rng.choice(_PAIRS) + s[pos:]
    return s


def hidden(rng):
    valid = _random_valid(rng, 500)
    broken = list(_random_valid(rng, 300))
    i = rng.randrange(len(broken))
    broken[i] = {"(": "[", ")": "]", "[": "{", "]": "}", "{": "(", "}": ")"}[broken[i]]
    return [
        "(",
        ")",
        ")(",
        "()",
        "(()",
        "{[()()]}[]",
        "(" * 250 + "[" * 250 + "]" * 250 + ")" * 250,
        "(" * 500 + "]" * 500,
        valid,
        "".join(broken),
        valid[:-1] + "(",
    ]


def stress(rng):
    if rng.random() < 0.5:
        s = _random_valid(rng, rng.randint(1, 6))
        if rng.random() < 0.5:
            i = rng.randrange(len(s))
            s = s[:i] + rng.choice("()[]{}") + s[i + 1:]
        return s + "\n"
    return "".join(rng.choice("()[]{}") for _ in range(rng.randint(1, 8))) + "\n"


def oracle(inp):
    s = inp.split()[0]
    # repeatedly delete adjacent matching pairs (a different method from the stack scan)
    while True:
        t = s
        for p in _PAIRS:
            t = t.replace(p, "")
        if t == s:
            break
        s = t
    return "Yes\n" if s == "" else "No\n"
