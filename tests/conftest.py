"""Test setup: one thread, TensorFlow backend (unless KERAS_BACKEND says otherwise)."""

import os
from pathlib import Path

import pytest

from recurrent_bottleneck import runtime

runtime.configure(threads=1, backend=os.environ.get("KERAS_BACKEND", "tensorflow"))

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project_root() -> Path:
    return PROJECT_ROOT
