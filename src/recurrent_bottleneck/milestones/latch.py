"""Learning gets harder as the dependency gets longer (Bengio, Simard & Frasconi 1994).

A small tanh recurrent net (Keras' SimpleRNN, full BPTT) is trained by gradient
descent on the latch task (:mod:`recurrent_bottleneck.tasks.latch`): the class
sits in the first input and has to be reported after ``length - 1`` steps of
noise. To succeed the net must learn a self-connection strong enough to hold a
bit against the noise, but the error that would teach it reaches the first
step only through the product of ``length - 1`` Jacobians, which vanishes
exponentially (see :mod:`recurrent_bottleneck.milestones.gradient_decay`).

Protocol per (length, seed): fresh training sequences at every step; every
``evaluation_interval`` steps the net is tested on a fixed test set; a run
succeeds when the test classification accuracy reaches ``success_accuracy``
(then it stops, recording how many training sequences it used) and fails when
the step budget runs out. A run whose loss becomes NaN or infinite stops and is
recorded as diverged (a failure). The success rate over seeds per length is
the measurement Bengio et al. plotted.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from recurrent_bottleneck.checkpoints import run_checkpoint
from recurrent_bottleneck.kept_models import KeptModels
from recurrent_bottleneck.tasks import latch
from recurrent_bottleneck.training import describe_outcome, train_until_success


def build_model(
    length: int,
    units: int,
    recurrent_scale: float,
    learning_rate: float,
    optimizer: str,
    clip_norm: float | None,
):
    """SimpleRNN(tanh) -> Dense(1, tanh), mean squared error, as in the latch papers."""
    import keras

    recurrent_init = keras.initializers.Orthogonal(gain=recurrent_scale)
    model = keras.Sequential(
        [
            keras.Input(shape=(length, 1)),
            keras.layers.SimpleRNN(
                units, activation="tanh", recurrent_initializer=recurrent_init, name="recurrent"
            ),
            keras.layers.Dense(1, activation="tanh", name="readout"),
        ],
        name="latch_rnn",
    )
    optimizers = {"sgd": keras.optimizers.SGD, "adam": keras.optimizers.Adam}
    model.compile(
        optimizer=optimizers[optimizer](learning_rate=learning_rate, clipnorm=clip_norm),
        loss="mean_squared_error",
        jit_compile=False,  # tiny nets, a new one per seed: XLA's compile time dominates
    )
    return model


def train_one(
    length: int,
    seed: int,
    settings: dict,
    tensorboard_directory: Path,
    checkpoint_directory: Path | None = None,
    kept: KeptModels | None = None,
) -> dict:
    """Train one net on one length; returns its record (success, sequences used, curve).
    ``kept`` holds the net compiled for the job's first seed (see ``kept_models``)."""
    from recurrent_bottleneck.tensorboard_log import RunWriter

    kept = KeptModels() if kept is None else kept
    model = kept.start(
        seed,
        lambda: build_model(
            length,
            settings["units"],
            settings["recurrent_scale"],
            settings["learning_rate"],
            settings["optimizer"],
            settings.get("clip_norm"),
        ),
    )
    random = np.random.default_rng([seed, length])
    test_set = latch.generate(
        random, settings["test_sequences"], length, settings["noise_variance"]
    )
    run_name = f"length_{length}/seed_{seed}"
    with RunWriter(tensorboard_directory / f"seed_{seed}") as writer:
        writer.hparams(
            {
                "length": length,
                "seed": seed,
                "units": settings["units"],
                "learning_rate": settings["learning_rate"],
            },
            trial_id=run_name,
        )
        record = train_until_success(
            model,
            lambda count: latch.generate(random, count, length, settings["noise_variance"]),
            test_set,
            latch.correct,
            batch_size=settings["batch_size"],
            training_steps=settings["training_steps"],
            evaluation_interval=settings["evaluation_interval"],
            success_fraction=settings["success_accuracy"],
            writer=writer,
            checkpoint=run_checkpoint(checkpoint_directory, settings, seed, random),
        )
    return {"length": length, "seed": seed, **record}


def run(settings: dict, tensorboard_directory, checkpoint_directory=None) -> dict:
    """All seeds for one sequence length (``settings["length"]``); with a checkpoint
    directory, each seed's progress is kept there and a rerun resumes it."""
    import keras

    tensorboard_directory = Path(tensorboard_directory)
    length = settings["length"]
    records, kept = [], KeptModels()
    for seed in range(settings["seeds"]):
        record = train_one(
            length, seed, settings, tensorboard_directory, checkpoint_directory, kept
        )
        print(f"latch T={length} seed {seed}: {describe_outcome(record)}", flush=True)
        records.append(record)
    keras.backend.clear_session()
    successes = [record["success"] for record in records]
    return {
        "milestone": "latch",
        "length": length,
        "settings": settings,
        "success_rate": float(np.mean(successes)),
        "runs": records,
    }
