"""Convert the Luogu DPO dataset into the RL JSONL that train_rl.py reads: one problem per line, with
the sample tests from its statement as the judge's test cases.

    python convert_dataset.py                                  # ./local_luogu_dpo (download_dataset.py)
    python convert_dataset.py --input path/to/luogu_dpo.json   # the raw file, downloaded by hand
    python convert_dataset.py --keep_instruction_prefix        # keep the dataset's own instruction

Every row's problem is conversations[0]["value"]: the dataset's instruction, then the statement in
Markdown from a header like `# P1002 [NOIP 2002 普及组] 过河卒`. Samples are the fenced blocks after
labels like `**输入：**` / `**输出：**`, `### 样例输入 #1`, `### Sample Output #1` or `**Sample Input**`.
Output lines:  {"pid", "title", "prompt", "test_cases": [{"input", "output"}, ...], "num_samples"}
Failed lines:  {"index", "reason", "pid", "problem"}; reason is no_problem_text, no_header (no `# <id>`
line), no_samples, count_mismatch (inputs and outputs differ in number) or all_samples_chinese.
"""

import json
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field


class ConfigError(ValueError):
    """A problem with the user's input: reported as one line and a non-zero exit, never a traceback."""


@dataclass
class ConvertConfig:
    input: str = field(
        default="./local_luogu_dpo",
        metadata={"help": "A save_to_disk folder (DatasetDict with a 'train' split, or a Dataset), or a .json / .jsonl file."},
    )
    output: str = field(default="./local_luogu_rl/luogu_rl_data.jsonl", metadata={"help": "RL JSONL written here."})
    failed_output: str = field(
        default="./local_luogu_rl/failed_extraction.jsonl",
        metadata={"help": "Problems that yielded no usable tests, with the reason, written here."},
    )
    keep_instruction_prefix: bool = field(
        default=False,
        metadata={"help": "Keep the dataset's own instruction before the statement (default: strip it, so the "
                          "trainer's prompt is the only instruction)."},
    )


# ---------------------------------------------------------------------------------------------------
# Parsing one problem
# ---------------------------------------------------------------------------------------------------

# The statement starts at the first `# <id> <title>` line. An id is a capital letter then letters, digits
# or underscores with at least one digit: P1002, B2001, CF1A, AT_abc123_a, UVA100, SP1. Requiring the id
# keeps a stray "# " line in the instruction (or a `#include`) from being taken for the header.
HEADER_RE = re.compile(r"^# +(?P<pid>[A-Z][A-Za-z0-9_]*\d[A-Za-z0-9_]*)(?:[ \t]+(?P<title>.*?))?[ \t]*$", re.M)

# A sample label is a Markdown heading or bold line holding only the label, an optional number and a colon:
# "**输入：**", "### 样例输出 #2", "### Sample Input #1", "**Sample Output**". Plain lines do not count,
# so "## 输入格式" or a sentence mentioning 输入 never starts a sample.
_LABEL_TAIL = r"[ \t]*(?:#?[ \t]*\d+)?[ \t]*[:：]?[ \t]*(?:\*\*)?[ \t]*[:：]?[ \t]*$"
LABEL_RE = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]*(?:\*\*)?|\*\*)[ \t]*"
    r"(?:(?P<input>样例输入|输入样例|输入|Sample[ \t]+Input|Input)|(?P<output>样例输出|输出样例|输出|Sample[ \t]+Output|Output))"
    + _LABEL_TAIL,
    re.I,
)
FENCE_RE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")  # an opening fence, any language tag after it

# Chinese text in a sample means prose ("无", an explanation) rather than judge data: CJK ideographs,
# CJK punctuation and full-width forms.
CJK_RE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_problem(text: str) -> tuple[str, str, str, str] | None:
    """(prefix, pid, title, body): body is the statement from its `# <id>` header on; None without one."""
    text = normalize_newlines(text)
    header = HEADER_RE.search(text)
    if header is None:
        return None
    return text[: header.start()], header["pid"], (header["title"] or "").strip(), text[header.start():].strip()


def extract_samples(body: str) -> tuple[list[str], list[str]]:
    """Sample inputs and outputs in the order they appear: each is the first fenced block after its label.

    A label is forgotten when other text comes before a fenced block, so a code block in the hints is
    never taken for a sample. Block contents are kept as written (trailing spaces included)."""
    inputs, outputs = [], []
    pending = None  # the label ("input"/"output") waiting for its block
    lines = normalize_newlines(body).split("\n")
    i = 0
    while i < len(lines):
        opening = FENCE_RE.match(lines[i])
        if opening:
            fence = opening["fence"]
            end = i + 1
            while end < len(lines) and not closes_fence(lines[end], fence):
                end += 1
            if pending:
                (inputs if pending == "input" else outputs).append("\n".join(lines[i + 1 : end]))
                pending = None
            i = end + 1
            continue
        label = LABEL_RE.match(lines[i])
        if label:
            pending = "input" if label["input"] else "output"
        elif lines[i].strip():
            pending = None
        i += 1
    return inputs, outputs


def closes_fence(line: str, fence: str) -> bool:
    """A closing fence: only the opening's character, at least as many times."""
    mark = line.strip()
    return len(mark) >= len(fence) and set(mark) == {fence[0]}


def finish_sample(block: str) -> str:
    """Exactly one trailing newline (programs reading whole lines expect it); empty stays empty."""
    return block.rstrip("\n") + "\n" if block.strip() else ""


def sample_tests(body: str) -> tuple[list[dict], str | None, int]:
    """(test_cases, failure reason or None, samples dropped for Chinese text) of one statement."""
    inputs, outputs = extract_samples(body)
    if not inputs and not outputs:
        return [], "no_samples", 0
    if len(inputs) != len(outputs):
        return [], "count_mismatch", 0
    pairs = [(finish_sample(i), finish_sample(o)) for i, o in zip(inputs, outputs)]
    tests = [{"input": i, "output": o} for i, o in pairs if not CJK_RE.search(i + o)]
    return tests, None if tests else "all_samples_chinese", len(pairs) - len(tests)


def convert_rows(rows, keep_instruction_prefix: bool = False) -> tuple[list[dict], list[dict], dict]:
    """Convert DPO rows; exact repeats of a problem (the dataset lists each twice) are dropped and counted.

    Returns (records, failures, stats) with stats = rows_read, written, duplicates, chinese_samples_dropped
    and failed (a Counter of reasons). A row without a `conversations` list raises ConfigError."""
    records, failures, seen = [], [], set()
    stats = {"rows_read": 0, "written": 0, "duplicates": 0, "chinese_samples_dropped": 0, "failed": Counter()}

    def fail(index, reason, pid, text):
        failures.append({"index": index, "reason": reason, "pid": pid, "problem": text})
        stats["failed"][reason] += 1

    for index, row in enumerate(rows):
        stats["rows_read"] += 1
        conversations = row.get("conversations") if isinstance(row, dict) else None
        if not isinstance(conversations, list):
            raise ConfigError(f"row {index} has no 'conversations' list (is this the luogu_dpo dataset?)")
        first = conversations[0] if conversations else None
        text = first.get("value") if isinstance(first, dict) else None
        if not isinstance(text, str) or not text.strip():
            fail(index, "no_problem_text", None, text)
            continue
        key = normalize_newlines(text).strip()
        if key in seen:
            stats["duplicates"] += 1
            continue
        seen.add(key)
        parsed = parse_problem(text)
        if parsed is None:
            fail(index, "no_header", None, text)
            continue
        prefix, pid, title, body = parsed
        tests, reason, dropped = sample_tests(body)
        stats["chinese_samples_dropped"] += dropped
        if reason:
            fail(index, reason, pid, text)
            continue
        prompt = (prefix + body).strip() if keep_instruction_prefix else body
        records.append({"pid": pid, "title": title, "prompt": prompt, "test_cases": tests, "num_samples": len(tests)})
    stats["written"] = len(records)
    return records, failures, stats


# ---------------------------------------------------------------------------------------------------
# Reading the input and writing the output
# ---------------------------------------------------------------------------------------------------


def load_rows(path: str) -> list[dict]:
    """Rows from a save_to_disk folder or a JSON / JSON Lines file; any malformation is a ConfigError."""
    if not os.path.exists(path):
        raise ConfigError(
            f"input {path} does not exist (run download_dataset.py, or pass --input path/to/luogu_dpo.json)"
        )
    rows = load_saved_dataset(path) if os.path.isdir(path) else read_json_rows(path)
    if not rows:
        raise ConfigError(f"input {path} holds no rows")
    return rows


def load_saved_dataset(path: str) -> list[dict]:
    from datasets import DatasetDict, load_from_disk

    try:
        dataset = load_from_disk(path)
    except (FileNotFoundError, ValueError, OSError) as e:
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ConfigError(f"{path} is not a folder written by save_to_disk ({reason})") from None
    if isinstance(dataset, DatasetDict):
        if "train" not in dataset:
            raise ConfigError(f"{path} holds splits {sorted(dataset)} but no 'train' split")
        dataset = dataset["train"]
    if len(dataset) == 0:
        return []
    if "conversations" not in dataset.column_names:
        raise ConfigError(f"row 0 has no 'conversations' list (columns: {', '.join(dataset.column_names)})")
    # Only the problem text is needed; skipping chosen/rejected makes reading several times faster.
    return dataset.select_columns(["conversations"]).to_list()


def read_json_rows(path: str) -> list[dict]:
    """A JSON array of rows (the raw luogu_dpo.json) or JSON Lines. The standard json module rather than
    datasets' JSON loader, because it reports the line of a syntax error and never caches a copy."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            text = f.read()
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text") from None
    if not text.strip():
        raise ConfigError(f"{path} is empty")
    if text.lstrip().startswith("["):
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as e:
            raise ConfigError(f"{path}:{e.lineno}: invalid JSON ({e.msg})") from None
    else:
        rows = []
        for line_no, line in enumerate(text.split("\n"), 1):  # not splitlines(): JSON strings may hold U+2028
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise ConfigError(f"{path}:{line_no}: invalid JSON ({e.msg})") from None
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ConfigError(f"{path}: row {index} is not a JSON object")
    return rows


def write_jsonl(path: str, rows: list[dict]) -> None:
    """Write to a temporary file beside `path`, then rename: an interrupted run never leaves half a file."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def main(argv: list[str] | None = None) -> dict:
    from transformers import HfArgumentParser

    (config,) = HfArgumentParser(ConvertConfig).parse_args_into_dataclasses(args=argv)
    rows = load_rows(config.input)
    records, failures, stats = convert_rows(rows, config.keep_instruction_prefix)
    print(f"[convert] read {stats['rows_read']} rows from {config.input}; "
          f"dropped {stats['duplicates']} duplicate problems")
    write_jsonl(config.failed_output, failures)
    reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(stats["failed"].items())) or "none"
    print(f"[convert] failed {len(failures)} ({reasons}) -> {config.failed_output}")
    if not records:  # keep whatever earlier, good output is there
        raise ConfigError(
            f"no problem had usable samples; {config.output} was left unchanged (see {config.failed_output})"
        )
    write_jsonl(config.output, records)
    print(
        f"[convert] wrote {stats['written']} problems with {sum(r['num_samples'] for r in records)} tests "
        f"({stats['chinese_samples_dropped']} samples with Chinese text dropped) -> {config.output}"
    )
    return stats


if __name__ == "__main__":
    try:
        main()
    except ConfigError as e:
        sys.exit(f"error: {e}")
