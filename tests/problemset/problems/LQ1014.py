PID = "LQ1014"
TITLE = "温度转换"
SPLIT = "train"
DIFFICULTY = "easy"

BACKGROUND = r"""
小明在看国外的天气预报时发现，有些国家使用华氏度来表示温度。
"""

DESCRIPTION = r"""
摄氏温度 $C$ 与华氏温度 $F$ 之间的换算公式为：

$$F = C \times 9 \div 5 + 32$$

给定一个整数摄氏温度 $C$，请计算对应的华氏温度 $F$。
"""

INPUT_FORMAT = r"""
输入一行一个整数 $C$。
"""

OUTPUT_FORMAT = r"""
输出一行一个实数，表示 $F$，保留 $1$ 位小数。
"""

SAMPLES = [
    ("37\n", "98.6\n"),
    ("-40\n", "-40.0\n"),
]

HINT = r"""
数据范围：对于 $100\%$ 的数据，$-1000 \le C \le 1000$。

可以证明 $F$ 恰好是 $0.2$ 的整数倍，所以保留 $1$ 位小数时不会出现四舍五入的问题。
"""


def hidden(rng):
    return ["0", "100", "-1000", "1000", "-1", "-17", "-18", "1", str(rng.randint(-1000, 1000))]


def stress(rng):
    return f"{rng.randint(-1000, 1000)}\n"


def oracle(inp):
    c = int(inp.split()[0])
    tenths = 2 * (9 * c + 160)  # 10 * F, exact integer arithmetic
    sign = "-" if tenths < 0 else ""
    t = abs(tenths)
    return f"{sign}{t // 10}.{t % 10}\n"
