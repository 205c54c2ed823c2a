"""The training entry point: same settings and seed give byte-identical metrics, and
different seeds different raw numbers."""

import json
import subprocess
import sys

import pytest

LATCH = {
    "length": 6,
    "seeds": 2,
    "units": 2,
    "recurrent_scale": 1.0,
    "optimizer": "adam",
    "learning_rate": 0.01,
    "clip_norm": 1.0,
    "batch_size": 8,
    "training_steps": 20,
    "evaluation_interval": 10,
    "test_sequences": 32,
    "noise_variance": 0.2,
    "success_accuracy": 0.95,
}
GRADIENT = {
    "activation": "tanh",
    "spectral_radii": [0.5, 1.5],
    "seeds": 2,
    "units": 4,
    "input_size": 2,
    "max_lag": 12,
    "batch_size": 3,
    "input_scale": 1.0,
}


def run_cli(measurement, settings, directory):
    output = directory / "metrics.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "recurrent_bottleneck",
            measurement,
            "--settings",
            json.dumps(settings),
            "--output",
            str(output),
            "--tensorboard",
            str(directory / "tensorboard"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return output.read_bytes()


@pytest.mark.parametrize(
    ("measurement", "settings"), [("latch", LATCH), ("gradient-decay", GRADIENT)]
)
def test_same_settings_give_identical_metrics(tmp_path, measurement, settings):
    first = run_cli(measurement, settings, tmp_path / "first")
    second = run_cli(measurement, settings, tmp_path / "second")
    assert first == second
    document = json.loads(first)
    assert document["settings"] == settings
    assert document["environment"]["backend"] == "tensorflow"
    assert not list((tmp_path / "first").glob(".*.partial"))
    # the two seeds measured different numbers: nothing is fixed in advance
    if measurement == "latch":
        seed_0, seed_1 = document["runs"]
        assert seed_0["curve"] != seed_1["curve"]
    else:
        for radius in document["radii"]:
            seed_0, seed_1 = radius["seeds"]
            assert seed_0["fitted_factor"] != seed_1["fitted_factor"]


def test_bad_settings_json_is_reported(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "recurrent_bottleneck",
            "latch",
            "--settings",
            "{not json",
            "--output",
            str(tmp_path / "m.json"),
            "--tensorboard",
            str(tmp_path / "tb"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "--settings is not valid JSON" in result.stderr
    assert not (tmp_path / "m.json").exists()
