"""download_dataset.py and convert_dataset.py on a small fixture in the real luogu_dpo layout; no network."""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import json  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import pytest  # noqa: E402

import convert_dataset  # noqa: E402
import download_dataset  # noqa: E402
from convert_dataset import convert_rows, extract_samples, load_rows, parse_problem  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "luogu_dpo_fixture.json")
PREFIX_START = "你将得到一个编程竞赛题目。"


@pytest.fixture(scope="module")
def rows():
    with open(FIXTURE, encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def converted(rows):
    records, failures, stats = convert_rows(rows)
    return {r["pid"]: r for r in records}, failures, stats


def run_script(script, *args, env=None, timeout=60):
    started = time.time()
    result = subprocess.run(
        [sys.executable, os.path.join(ROOT, script), *args], capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})}, cwd=ROOT,
    )
    return result, time.time() - started


def assert_one_line_error(result, *fragments):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


# --- conversion of the fixture ------------------------------------------------------------------


def test_fixture_counts(converted, rows):
    records, failures, stats = converted
    assert stats["rows_read"] == 14
    assert stats["duplicates"] == 7
    assert stats["written"] == 4 and sorted(records) == ["B9902", "CF9901A", "P9901", "P9905"]
    assert dict(stats["failed"]) == {"all_samples_chinese": 1, "count_mismatch": 1, "no_samples": 1}
    assert stats["chinese_samples_dropped"] == 2
    assert [(f["index"], f["reason"], f["pid"]) for f in failures] == [
        (6, "all_samples_chinese", "P9903"), (8, "count_mismatch", "P9904"), (10, "no_samples", "AT_toy001_a"),
    ]
    assert failures[0]["problem"] == rows[6]["conversations"][0]["value"]


def test_multi_sample_pairing_trailing_spaces_and_newlines(converted):
    record = converted[0]["P9901"]
    # ```text, bare ``` and ```plain blocks, paired in order; the ```cpp block in the hints is not a sample.
    assert record["test_cases"] == [
        {"input": "3\n1 2 3\n", "output": "1 3 6 \n"},
        {"input": "1\n5\n", "output": "5 \n"},
        {"input": "4\n0 0 0 1\n", "output": "0 0 0 1 \n"},
    ]
    assert record["num_samples"] == 3


def test_pid_title_and_prefix_stripped_by_default(converted):
    records = converted[0]
    assert (records["P9901"]["pid"], records["P9901"]["title"]) == ("P9901", "[Toy 2024 入门组] 前缀和回显")
    assert records["CF9901A"]["title"] == "Echo Twice"
    for record in records.values():
        assert record["prompt"].startswith(f"# {record['pid']} ")
        assert PREFIX_START not in record["prompt"] and "<your code here>" not in record["prompt"]


def test_prefix_kept_with_flag(rows):
    records, _, _ = convert_rows(rows, keep_instruction_prefix=True)
    for record in records:
        assert record["prompt"].startswith(PREFIX_START)
        assert f"\n# {record['pid']} " in record["prompt"]


def test_crlf_normalised_and_english_headers(converted):
    record = converted[0]["CF9901A"]
    assert "\r" not in record["prompt"]
    assert record["test_cases"] == [{"input": "ab\n", "output": "ab ab\n"}, {"input": "xyz\n", "output": "xyz xyz\n"}]
    assert converted[0]["P9905"]["test_cases"] == [{"input": "12\n", "output": "144\n"}]  # **Sample Input**


def test_chinese_samples_dropped(converted):
    assert converted[0]["B9902"]["test_cases"] == [{"input": "7\n", "output": "Hello\n"}]


def test_parse_problem_and_extract_samples_units():
    text = "说明 # 不是标题\n#include <x>\n\n# AT_abc123_a Title here\r\n\r\n## 样例 #1\n\n### 样例输入 #1\n\n````\n1\n```\n````\n\n### 样例输出 #1\n\n~~~\n2\n~~~\n"
    prefix, pid, title, body = parse_problem(text)
    assert (pid, title) == ("AT_abc123_a", "Title here")
    assert prefix.startswith("说明") and body.startswith("# AT_abc123_a")
    assert extract_samples(body) == (["1\n```"], ["2"])
    assert parse_problem("no header at all\n## 题目描述\n") is None
    # A label followed by prose is forgotten; "## 输入格式" is not a label.
    assert extract_samples("## 输入格式\n\n```\nx\n```\n**输入：**\n无\n\n```\ny\n```\n") == ([], [])


def test_no_problem_text_and_missing_conversations():
    _, failures, stats = convert_rows([{"conversations": []}, {"conversations": [{"from": "human", "value": "  "}]}])
    assert dict(stats["failed"]) == {"no_problem_text": 2}
    with pytest.raises(convert_dataset.ConfigError, match="row 1 "):
        convert_rows([{"conversations": []}, {"chosen": {}}])


# --- input formats and the command line ---------------------------------------------------------


def test_cli_writes_valid_jsonl_atomically(tmp_path, capsys):
    out, failed = tmp_path / "rl" / "data.jsonl", tmp_path / "rl" / "failed.jsonl"
    stats = convert_dataset.main(["--input", FIXTURE, "--output", str(out), "--failed_output", str(failed)])
    printed = capsys.readouterr().out
    assert "read 14 rows" in printed and "dropped 7 duplicate" in printed and "wrote 4 problems" in printed
    assert "all_samples_chinese 1, count_mismatch 1, no_samples 1" in printed
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == stats["written"] == 4
    for line in lines:
        row = json.loads(line)
        assert set(row) == {"pid", "title", "prompt", "test_cases", "num_samples"}
    assert [json.loads(line)["reason"] for line in failed.read_text(encoding="utf-8").splitlines()] == [
        "all_samples_chinese", "count_mismatch", "no_samples",
    ]
    assert sorted(os.listdir(out.parent)) == ["data.jsonl", "failed.jsonl"]  # no temp files left
    convert_dataset.main(["--input", FIXTURE, "--output", str(out), "--failed_output", str(failed),
                          "--keep_instruction_prefix"])
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[0])["prompt"].startswith(PREFIX_START)


def test_input_formats_agree(tmp_path, rows):
    from datasets import Dataset, DatasetDict

    expected = convert_rows(rows)[0]
    dict_dir, plain_dir, jsonl = tmp_path / "dict", tmp_path / "plain", tmp_path / "rows.jsonl"
    DatasetDict({"train": Dataset.from_list(rows)}).save_to_disk(str(dict_dir))
    Dataset.from_list(rows).save_to_disk(str(plain_dir))
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    for source in (FIXTURE, dict_dir, plain_dir, jsonl):
        assert convert_rows(load_rows(str(source)))[0] == expected, source


def test_download_saves_a_convertible_dataset(tmp_path, rows):
    out = tmp_path / "local_luogu_dpo"
    download_dataset.save_json_as_dataset(FIXTURE, str(out))
    download_dataset.save_json_as_dataset(FIXTURE, str(out))  # replacing an existing copy
    assert convert_rows(load_rows(str(out)))[0] == convert_rows(rows)[0]
    assert os.listdir(tmp_path) == ["local_luogu_dpo"]  # no temp folders left


# --- malformed input: one line on stderr, non-zero exit -----------------------------------------


def malformed_inputs(tmp_path):
    from datasets import Dataset, DatasetDict

    no_train = tmp_path / "no_train"
    DatasetDict({"validation": Dataset.from_list([{"conversations": [{"from": "human", "value": "x"}]}])}).save_to_disk(str(no_train))
    (tmp_path / "no_conv.json").write_text('[{"conversations": []}, {"chosen": {"from": "gpt", "value": "x"}}]')
    (tmp_path / "empty.json").write_text("")
    (tmp_path / "bad.json").write_text('[\n{"conversations": []},\n{"conversations": [,]}\n]')
    (tmp_path / "bad.jsonl").write_text('{"conversations": []}\n{"conversations": \n')
    return [
        (tmp_path / "missing.json", ["does not exist", "download_dataset.py"]),
        (no_train, ["'validation'", "no 'train' split"]),
        (tmp_path / "no_conv.json", ["row 1 ", "conversations"]),
        (tmp_path / "empty.json", ["empty"]),
        (tmp_path / "bad.json", ["bad.json:3: invalid JSON"]),
        (tmp_path / "bad.jsonl", ["bad.jsonl:2: invalid JSON"]),
    ]


def test_malformed_inputs_fail_with_one_line(tmp_path):
    output = tmp_path / "out" / "data.jsonl"
    for path, fragments in malformed_inputs(tmp_path):
        result, _ = run_script("convert_dataset.py", "--input", str(path), "--output", str(output),
                               "--failed_output", str(tmp_path / "out" / "failed.jsonl"))
        assert_one_line_error(result, *fragments)
        assert not output.exists()


# --- download without network -------------------------------------------------------------------


def test_download_refuses_non_empty_output_dir(tmp_path):
    (tmp_path / "keep.txt").write_text("user data")
    result, _ = run_script("download_dataset.py", "--output_dir", str(tmp_path), env={"HF_ENDPOINT": "http://127.0.0.1:9"})
    assert_one_line_error(result, "--overwrite")
    assert (tmp_path / "keep.txt").read_text() == "user data"


def test_download_without_network_fails_fast_with_hint(tmp_path):
    # Port 9 refuses at once; the listening socket that never answers stands in for a network that drops
    # packets, where only the timeout ends the wait.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        for endpoint in ("http://127.0.0.1:9", f"http://127.0.0.1:{silent.getsockname()[1]}"):
            out = tmp_path / "local_luogu_dpo"
            result, seconds = run_script("download_dataset.py", "--output_dir", str(out), "--timeout", "2",
                                         env={"HF_ENDPOINT": endpoint}, timeout=30)
            assert_one_line_error(result, "cannot reach", "convert_dataset.py --input path/to/luogu_dpo.json")
            assert seconds < 20 and not out.exists()
