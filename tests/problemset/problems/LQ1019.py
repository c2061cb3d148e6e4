PID = "LQ1019"
TITLE = "成绩等级"
SPLIT = "train"
DIFFICULTY = "easy"

DESCRIPTION = r"""
学校按照百分制成绩 $s$ 给出等级，规则如下：

- $90 \le s \le 100$：等级为 `A`；
- $80 \le s \le 89$：等级为 `B`；
- $70 \le s \le 79$：等级为 `C`；
- $60 \le s \le 69$：等级为 `D`；
- $0 \le s \le 59$：等级为 `E`。

给定成绩 $s$，请输出对应的等级。
"""

INPUT_FORMAT = r"""
输入一行一个整数 $s$。
"""

OUTPUT_FORMAT = r"""
输出一行一个大写字母，表示成绩等级。
"""

SAMPLES = [
    ("85\n", "B\n"),
    ("59\n", "E\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$0 \le s \le 100$，$s$ 是整数。
"""


def hidden(rng):
    return ["0", "60", "69", "70", "79", "80", "89", "90", "100", str(rng.randint(1, 58))]


def oracle(inp):
    s = int(inp.split()[0])
    for grade, low in (("A", 90), ("B", 80), ("C", 70), ("D", 60)):
        if s >= low:
            return grade + "\n"
    return "E\n"
