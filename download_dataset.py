"""Download the Luogu DPO dataset and save it with save_to_disk, ready for convert_dataset.py.

    python download_dataset.py                          # Hugging Face -> ./local_luogu_dpo
    python download_dataset.py --source modelscope      # the same file from ModelScope
    HF_ENDPOINT=https://hf-mirror.com python download_dataset.py

Without network access it stops within --timeout seconds and says how to place the file by hand:
download luogu_dpo.json elsewhere, then `python convert_dataset.py --input path/to/luogu_dpo.json`.
"""

import os
import shutil
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Literal


class ConfigError(ValueError):
    """A problem with the user's input or network: reported as one line and a non-zero exit, never a traceback."""


@dataclass
class DownloadConfig:
    dataset_id: str = field(default="Misaka114514/luogu_dpo", metadata={"help": "Dataset repository id."})
    source: Literal["hf", "modelscope"] = field(
        default="hf",
        metadata={"help": "Hub to download from: 'hf' (honours HF_ENDPOINT) or 'modelscope' (honours MODELSCOPE_DOMAIN)."},
    )
    data_file: str = field(default="luogu_dpo.json", metadata={"help": "File inside the repository to download."})
    output_dir: str = field(default="./local_luogu_dpo", metadata={"help": "Folder the dataset is saved to (save_to_disk)."})
    timeout: float = field(default=10.0, metadata={"help": "Seconds to wait for the hub to answer before giving up."})
    overwrite: bool = field(default=False, metadata={"help": "Replace an existing, non-empty output_dir."})


def describe(error: BaseException) -> str:
    """An exception as one short line: its type and the first line of its message."""
    message = str(error).strip().splitlines()
    return f"{type(error).__name__}: {message[0]}" if message else type(error).__name__


def check_output_dir(path: str, overwrite: bool) -> None:
    """Checked before any download, so a refusal costs nothing."""
    if os.path.isfile(path):
        raise ConfigError(f"output_dir {path} is a file")
    if os.path.isdir(path) and os.listdir(path) and not overwrite:
        raise ConfigError(f"output_dir {path} already exists and is not empty (pass --overwrite to replace it)")


def hub_urls(config: DownloadConfig) -> tuple[str, str]:
    """(endpoint, the dataset's web page), from the same settings the hub libraries use."""
    if config.source == "hf":
        from huggingface_hub import constants

        return constants.ENDPOINT, f"{constants.ENDPOINT}/datasets/{config.dataset_id}"
    from modelscope.hub.utils.utils import get_endpoint

    return get_endpoint(), f"{get_endpoint()}/datasets/{config.dataset_id}/files"


def probe(endpoint: str, timeout: float) -> str | None:
    """None when the endpoint answers at all (any HTTP status), else why not.

    Both hub clients retry a failed connection for 20-50 seconds; one short request tells at once.
    urllib honours HTTPS_PROXY like the clients do."""
    try:
        urllib.request.urlopen(urllib.request.Request(endpoint, method="HEAD"), timeout=timeout).close()
    except urllib.error.HTTPError:
        pass  # an error status is still an answer
    except (OSError, ValueError) as e:  # URLError, timeouts and refused connections are OSErrors
        return str(getattr(e, "reason", e)) or type(e).__name__
    return None


def download_file(config: DownloadConfig) -> str:
    """The data file in the hub library's own cache; returns its local path."""
    if config.source == "hf":
        from huggingface_hub import hf_hub_download

        return hf_hub_download(config.dataset_id, config.data_file, repo_type="dataset", etag_timeout=config.timeout)
    from modelscope.hub.file_download import dataset_file_download

    return dataset_file_download(config.dataset_id, config.data_file)


def save_json_as_dataset(json_path: str, output_dir: str) -> None:
    """Load the JSON file as a DatasetDict with a 'train' split and save it, replacing output_dir only once
    the new copy is complete."""
    from datasets import load_dataset

    try:
        dataset = load_dataset("json", data_files={"train": json_path})
    except Exception as e:  # the datasets loader wraps parse errors in several exception types
        raise ConfigError(f"{json_path} could not be read as JSON rows ({describe(e.__cause__ or e)})") from None
    output_dir = output_dir.rstrip("/") or "."
    tmp, old = f"{output_dir}.tmp-{os.getpid()}", f"{output_dir}.tmp-{os.getpid()}-old"
    try:
        dataset.save_to_disk(tmp)
        if os.path.exists(output_dir):  # a folder cannot be swapped in one step: move the old one aside first
            os.replace(output_dir, old)
        os.replace(tmp, output_dir)
    except BaseException:
        if os.path.exists(old) and not os.path.exists(output_dir):  # put the user's data back
            os.replace(old, output_dir)
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    print(f"[download] saved {len(dataset['train'])} rows to {output_dir}")


def main(argv: list[str] | None = None) -> None:
    from transformers import HfArgumentParser

    (config,) = HfArgumentParser(DownloadConfig).parse_args_into_dataclasses(args=argv)
    check_output_dir(config.output_dir, config.overwrite)
    endpoint, page = hub_urls(config)
    by_hand = (f"download {config.data_file} from {page} on a machine with access, then run "
               f"`python convert_dataset.py --input path/to/{config.data_file}`")
    problem = probe(endpoint, config.timeout)
    if problem:
        raise ConfigError(f"cannot reach {endpoint} ({problem}); {by_hand}")
    print(f"[download] {config.dataset_id}/{config.data_file} from {endpoint}")
    try:
        json_path = download_file(config)
    except Exception as e:  # unknown id, missing file, dropped connection, ...: one line, not a library traceback
        raise ConfigError(f"downloading failed ({describe(e)}); {by_hand}") from None
    save_json_as_dataset(json_path, config.output_dir)


if __name__ == "__main__":
    try:
        main()
    except ConfigError as e:
        sys.exit(f"error: {e}")
