"""Test setup: one thread, TensorFlow backend (unless KERAS_BACKEND says otherwise), and
the slowest tests first."""

import os
from pathlib import Path

import pytest

from recurrent_bottleneck import runtime

runtime.configure(threads=1, backend=os.environ.get("KERAS_BACKEND", "tensorflow"))

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture
def continual_smoke_settings() -> dict:
    """One 2000 row's job settings at smoke scale (``config.yaml`` with ``smoke.yaml`` over
    it, the row list left out), for a test to name its row and change."""
    import yaml

    def milestone(name: str) -> dict:
        return yaml.safe_load((PROJECT_ROOT / "config" / name).read_text())["continual_streams"]

    settings = {key: value for key, value in milestone("config.yaml").items() if key != "rows"}
    return {**settings, **milestone("smoke.yaml")}


def pytest_collection_modifyitems(items):
    """The tests marked ``workflow`` (whole Snakemake runs, minutes each) first: with one
    worker per core (``--dist loadfile`` in pyproject.toml), their files are handed out
    at the start and the quick files share the other workers meanwhile, rather than a
    whole-DAG run starting last and running alone. The order within each group is
    kept."""
    items.sort(key=lambda item: item.get_closest_marker("workflow") is None)
