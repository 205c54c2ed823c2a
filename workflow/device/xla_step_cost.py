"""Does XLA pay for the 1997 nets? Seconds per training step compiled with and without it.

A one-off benchmark, not part of the workflow: the long-lag jobs compile their models
with ``jit_compile=True`` (``models/recurrent.py``), and this measures what that choice
costs or saves on the device at hand. For each length T and each 1997 net (the original
cell with the workflow's cell settings, Keras' SimpleRNN and LSTM, 8 units, behind the
Masking layer, as the adding problem trains them), the same model is compiled twice and
timed by the step-cost module (median of ``--repeats`` steps of a random batch of the
adding problem's size after one warm-up call). One JSON line per measurement goes to stdout.

Usage: python workflow/device/xla_step_cost.py --lengths 100,1000 [--threads 1]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import yaml

CONFIG = Path(__file__).resolve().parents[2] / "config" / "config.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", default="100,1000", help="comma-separated T")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--backend", default="tensorflow")
    arguments = parser.parse_args()

    from recurrent_bottleneck import runtime

    runtime.configure(threads=arguments.threads, backend=arguments.backend, seed=0)
    import keras
    import numpy as np

    from recurrent_bottleneck.milestones.step_cost import seconds_per_training_step
    from recurrent_bottleneck.models.recurrent import MODEL_KINDS, build_model
    from recurrent_bottleneck.tasks import adding

    settings = yaml.safe_load(CONFIG.read_text())["long_time_lags"]
    training = settings["adding"]  # units, batch size, rate and clipping as the task trains
    generator = np.random.default_rng(0)
    for length in (int(text) for text in arguments.lengths.split(",")):
        size = training["batch_size"]
        inputs = generator.uniform(-1, 1, (size, length, 2)).astype("float32")
        targets = generator.uniform(0, 1, (size, 1)).astype("float32")
        for kind in MODEL_KINDS:
            for jit_compile in (True, False):
                model = build_model(kind, length, 2, adding.PAD, training["units"],
                                    settings["cell"], "mse", training["learning_rate"],
                                    training["clip_norm"])  # fmt: skip
                model.compile(  # once more, now with or without XLA
                    optimizer=keras.optimizers.Adam(
                        training["learning_rate"], clipnorm=training["clip_norm"]
                    ),
                    loss="mse",
                    jit_compile=jit_compile,
                )
                seconds = seconds_per_training_step(model, inputs, targets, arguments.repeats)
                row = {
                    "backend": arguments.backend,
                    "threads": arguments.threads,
                    "length": length,
                    "model": kind,
                    "jit_compile": jit_compile,
                    "seconds_per_step": round(seconds, 6),
                }
                print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
