"""model_files.py used alone, as a user runs it: `--check` on folders built here (tiny hand-written safetensors,
nothing downloaded), the embedded model's folder once prepared, and bad input as one line."""

import json
import os
import struct
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def model_files(*argv, cwd=ROOT):
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "model_files.py"), *argv], capture_output=True, text=True,
                          cwd=cwd, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr


def write_safetensors(path, values):
    """A safetensors file of one F32 tensor: 8-byte header size, JSON header with the byte range, then the data."""
    data = struct.pack(f"<{len(values)}f", *values)
    header = json.dumps({"w": {"dtype": "F32", "shape": [len(values)], "data_offsets": [0, len(data)]}}).encode()
    path.write_bytes(struct.pack("<Q", len(header)) + header + data)


@pytest.fixture()
def folder(tmp_path):
    """A complete model folder: config.json and one safetensors file."""
    path = tmp_path / "model"
    path.mkdir()
    (path / "config.json").write_text('{"model_type": "qwen2"}')
    write_safetensors(path / "model.safetensors", [0.5] * 16)
    return path


def test_check_a_complete_folder(folder):
    assert model_files("--check", str(folder)) == (0, f"{folder}: complete\n", "")


def test_check_a_truncated_download(folder):
    weights = folder / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-4])  # the download stopped 4 bytes short
    code, out, _ = model_files("--check", str(folder))
    assert (code, out) == (1, f"{folder}: missing or incomplete weights: model.safetensors\n")

    write_safetensors(weights, [0.5] * 16)
    (folder / "model.safetensors.index.json").write_text(json.dumps(
        {"weight_map": {"a": "model.safetensors", "b": "model-00002-of-00002.safetensors"}}))
    code, out, _ = model_files("--check", str(folder))
    assert (code, out) == (1, f"{folder}: missing or incomplete weights: model-00002-of-00002.safetensors\n")


def test_bad_input_is_one_line(tmp_path):
    for argv, message in [(["--check", str(tmp_path / "nope")], "is not a folder"),
                          (["--check"], "expected one argument"), (["--bogus"], "unrecognized arguments")]:
        code, out, err = model_files(*argv)
        assert code == 2 and out == "", (argv, out, err)
        assert err.count("\n") == 1 and err.startswith("error:") and message in err, (argv, err)


def test_a_prepared_embedded_model_is_found_without_torch(tmp_path):
    """The folder a first run converted: printed at once, with torch never imported."""
    import model_files as module

    prepared = tmp_path / module.EMBEDDED_MODEL_DIR
    prepared.mkdir(parents=True)
    (prepared / "config.json").write_text("{}")
    (prepared / module.EMBEDDED_GGUF_NAME).write_bytes(b"")
    assert model_files(cwd=tmp_path) == (0, module.EMBEDDED_MODEL_DIR + "\n", "")
    code = "import sys, model_files; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=60).returncode == 0
