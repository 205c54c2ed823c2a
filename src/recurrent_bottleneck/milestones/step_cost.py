"""What one training step costs against the sequence length (Hochreiter & Schmidhuber 1997).

The LSTM update does a fixed amount of work per time step and weight, so the time of a
training step on a sequence of length T should grow like T^1: a constant cost per
step, whatever lag the task asks the net to bridge.

- ``timing``: wall-clock seconds of one training step (forward and backward, median of
  ``repeats``) for each model and length;
- ``memory``: the scratch memory of one compiled training step, read from XLA's buffer
  plan (JAX backend). Backpropagation through time keeps every step's activations, so
  this grows linearly with T; the paper's truncated RTRL did not need to keep them.

The inputs are random: the cost of a step does not depend on the values.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

# Inputs are (value, marker) pairs as in the adding problem; nothing is masked.
INPUT_SIZE = 2
MASK_VALUE = -9.0


def sweep(settings: dict, tensorboard_directory, measure: Callable, tag: str, unit: str) -> list:
    """``measure(model, inputs, targets)`` for every (model kind, length) of the settings;
    each value is logged to TensorBoard with the length as step."""
    import keras

    from recurrent_bottleneck.models.recurrent import build_model
    from recurrent_bottleneck.runtime import seed_everything
    from recurrent_bottleneck.tensorboard_log import RunWriter

    seed_everything(0)
    random = np.random.default_rng(0)
    rows = []
    with RunWriter(Path(tensorboard_directory)) as writer:
        for model_kind in settings["models"]:
            for length in settings["lengths"]:
                model = build_model(
                    model_kind,
                    length,
                    INPUT_SIZE,
                    MASK_VALUE,
                    settings["units"],
                    settings["cell"],
                    "mean_squared_error",
                    1e-3,
                    1.0,
                )
                batch = settings["batch_size"]
                inputs = random.normal(size=(batch, length, INPUT_SIZE)).astype("float32")
                targets = random.uniform(size=(batch, 1)).astype("float32")
                value = measure(model, inputs, targets)
                rows.append({"model": model_kind, "length": length, tag: value})
                writer.scalar(f"{tag}/{model_kind}", value, step=length)
                print(f"{model_kind} T={length}: {value:.6g} {unit}", flush=True)
                keras.backend.clear_session()
    return rows


def seconds_per_training_step(model, inputs, targets, repeats: int) -> float:
    """Median wall-clock seconds of ``train_on_batch`` after one warm-up (compile) call."""
    model.train_on_batch(inputs, targets)  # trace and compile the step first
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.train_on_batch(inputs, targets)
        seconds.append(time.perf_counter() - start)
    return float(np.median(seconds))


def timing(settings: dict, tensorboard_directory) -> dict:
    """Seconds per training step against the sequence length."""

    def seconds_per_step(model, inputs, targets):
        return seconds_per_training_step(model, inputs, targets, settings["repeats"])

    rows = sweep(settings, tensorboard_directory, seconds_per_step, "seconds_per_step", "s")
    for row in rows:
        row["seconds_per_time_step"] = row["seconds_per_step"] / row["length"]
    return {
        "milestone": "long_time_lags",
        "measurement": "timing",
        "settings": settings,
        "rows": rows,
    }


def memory(settings: dict, tensorboard_directory) -> dict:
    """Temporary bytes XLA plans for one compiled training step, against the length."""
    import keras

    if keras.backend.backend() != "jax":
        raise RuntimeError(
            "the memory measurement reads XLA's buffer plan: run it with --backend jax"
        )
    import jax

    from recurrent_bottleneck.autodiff import loss_of_weights

    def temporary_bytes(model, inputs, targets):
        trainable = [variable.value for variable in model.trainable_variables]
        non_trainable = [variable.value for variable in model.non_trainable_variables]

        def loss(targets, predictions):
            return keras.ops.mean((predictions - targets) ** 2)

        gradient = jax.jit(jax.grad(loss_of_weights(model, loss)))
        step = gradient.lower(trainable, non_trainable, inputs, targets)
        return int(step.compile().memory_analysis().temp_size_in_bytes)

    rows = sweep(settings, tensorboard_directory, temporary_bytes, "temporary_bytes", "bytes")
    return {
        "milestone": "long_time_lags",
        "measurement": "memory",
        "settings": settings,
        "rows": rows,
    }
