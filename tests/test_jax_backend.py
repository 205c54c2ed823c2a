"""The same model code runs on the JAX backend without TensorFlow, as on the GPU machine."""

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
    "sequence-to-sequence": {
        "architecture": "transformer",
        "direction": "forward",
        "seeds": 1,
        "epochs": 1,
        "corpus": {
            "source": "synthetic",
            "sentences": 60,
            "lexicon_size": 60,
            "max_clauses": 1,
            "seed": 0,
            "source_file": None,
            "target_file": None,
            "tsv_file": None,
        },
        "source_vocabulary_size": 100,
        "target_vocabulary_size": 100,
        "max_length": 50,
        "length_edges": [1, 12, 25, 60],
        "validation_fraction": 0.1,
        "test_fraction": 0.1,
        "batch_size": 16,
        "length_step": 8,
        "optimizer": "adam",
        "learning_rate": 0.01,
        "clip_norm": 5.0,
        "halve_after_epochs": 5,
        "halve_every_epochs": 0.5,
        "initial_range": 0.08,
        "layers": 1,
        "units": 8,
        "embedding": 8,
        "beam_size": 2,
        "beam_sentences": 2,
        "validation_bleu_sentences": 2,
        "transformer": {
            "layers": 1,
            "width": 8,
            "heads": 2,
            "feed_forward": 16,
            "dropout": 0.1,
            "warmup_steps": 4,
            "label_smoothing": 0.0,
        },
    },
}

# The GPU machine has JAX and no TensorFlow: the jobs run with TensorFlow unimportable.
WITHOUT_TENSORFLOW = (
    "import sys; sys.modules['tensorflow'] = None; "
    "from recurrent_bottleneck.cli import main; sys.exit(main())"
)


@pytest.mark.parametrize("measurement", sorted(SETTINGS))
def test_measurement_runs_on_jax(tmp_path, measurement):
    output = tmp_path / "metrics.json"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            WITHOUT_TENSORFLOW,
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
    elif measurement == "long-time-lags":
        assert len(document["runs"][0]["curve"]) == 2
    else:
        assert "Warning" not in result.stderr  # every layer built, none traced blindly
        assert (tmp_path / "timing.json").exists()
        assert any((tmp_path / "tensorboard").rglob("events.out.tfevents.*"))
