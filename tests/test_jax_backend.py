"""The same model code runs on the JAX backend (the GPU machine has JAX, no TensorFlow)."""

import json
import subprocess
import sys

import pytest

SETTINGS = {
    "gradient-decay": {
        "activation": "linear",
        "spectral_radii": [0.5, 2.0],
        "seeds": 1,
        "units": 4,
        "input_size": 2,
        "max_lag": 10,
        "batch_size": 2,
        "input_scale": 1.0,
    },
    "long-time-lags": {
        "task": "adding",
        "model": "lstm1997",
        "lag": 22,
        "seeds": 1,
        "units": 4,
        "cell": {
            "cells_per_block": 2,
            "input_gate_biases": [-3.0],
            "output_gate_biases": [-1.0],
            "squashing": "paper",
            "truncated": True,
        },
        "learning_rate": 0.01,
        "clip_norm": 1.0,
        "batch_size": 4,
        "training_steps": 4,
        "evaluation_interval": 2,
        "test_sequences": 8,
        "success_fraction": 0.95,
        "distractors": None,
        "max_extra": 0,
    },
}


@pytest.mark.parametrize("measurement", sorted(SETTINGS))
def test_measurement_runs_on_jax(tmp_path, measurement):
    output = tmp_path / "metrics.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "recurrent_bottleneck",
            measurement,
            "--backend",
            "jax",
            "--settings",
            json.dumps(SETTINGS[measurement]),
            "--output",
            str(output),
            "--tensorboard",
            str(tmp_path / "tensorboard"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    document = json.loads(output.read_text())
    assert document["environment"]["backend"] == "jax"
    if measurement == "gradient-decay":
        # the linear net's factor is the spectral radius on this backend too
        factors = [radius["fitted_factor_mean"] for radius in document["radii"]]
        assert factors == pytest.approx([0.5, 2.0], rel=0.15)
    else:
        assert len(document["runs"][0]["curve"]) == 2
