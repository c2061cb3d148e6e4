import calendar

PID = "LQ1011"
TITLE = "闰年判断"
SPLIT = "train"
DIFFICULTY = "easy"

DESCRIPTION = r"""
公历中闰年的规定是：如果年份能被 $4$ 整除但不能被 $100$ 整除，或者年份能被 $400$ 整除，那么这一年是闰年；否则这一年是平年。

给定年份 $y$，请判断它是不是闰年。本题中所有年份都按照上述规则判断。
"""

INPUT_FORMAT = r"""
输入一行一个正整数 $y$，表示年份。
"""

OUTPUT_FORMAT = r"""
如果 $y$ 是闰年，输出 `Yes`；否则输出 `No`。
"""

SAMPLES = [
    ("2024\n", "Yes\n"),
    ("1900\n", "No\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$1 \le y \le 10^5$。
"""


def hidden(rng):
    return ["2000", "2023", "1", "4", "100", "400", "2100", "99999", "100000", str(rng.randint(1, 10**5))]


def oracle(inp):
    return "Yes\n" if calendar.isleap(int(inp.split()[0])) else "No\n"
