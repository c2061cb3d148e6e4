"""Shared fixtures: a tiny random Qwen2 built locally (never downloaded), one per test session."""

import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")  # on 2 cores, one thread is several times faster and stable
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import pytest  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    from verify_pipeline import build_tiny_model

    return build_tiny_model(str(tmp_path_factory.mktemp("tiny-qwen2")))
