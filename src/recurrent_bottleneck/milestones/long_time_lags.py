"""LSTM bridges long time lags where simple recurrent nets fail (Hochreiter & Schmidhuber 1997).

Three nets are trained on the paper's artificial long-lag tasks, several seeds each:

- the adding problem (Experiment 4, :mod:`recurrent_bottleneck.tasks.adding`), minimal
  lag about T/2;
- very long lags with distractors (Experiment 2c, :mod:`recurrent_bottleneck.tasks.long_lag`),
  minimal lag q + 1;

with the original cell (constant error carousel, input and output gates, no forget
gate), Keras' LSTM (with forget gate) and a tanh SimpleRNN. The measure is the paper's:
whether a run succeeds and how many training sequences it needed (see
:mod:`recurrent_bottleneck.training`).

The carousel itself is measured without training (``carousel``): the norm of dL/ds(t)
through the cell state of an untrained 1997 cell against the lag, with the paper's
truncated gradient and with full BPTT, beside the tanh RNN's dL/dh(t) (the 1991 curve).
With truncation ds(t)/ds(t-1) = 1 exactly. The cost of a step against the sequence
length is measured in :mod:`recurrent_bottleneck.milestones.step_cost`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from recurrent_bottleneck.checkpoints import run_checkpoint
from recurrent_bottleneck.kept_models import KeptModels
from recurrent_bottleneck.tasks import adding, long_lag
from recurrent_bottleneck.training import describe_outcome, train_until_success

TASKS = ("adding", "long_lag")


def task_data(task: str, settings: dict, random: np.random.Generator) -> dict:
    """What training needs of a task: a sampler, the correctness rule, the input layout."""
    lag = settings["lag"]
    if task == "adding":
        return {
            "sample": lambda count: adding.generate(random, count, lag)[:2],
            "correct": adding.correct,
            "input_size": 2,
            "steps": lag + lag // 10,
            "mask_value": adding.PAD,
            "symbols": False,
            "loss": "mean_squared_error",
        }
    if task == "long_lag":
        distractors = settings["distractors"] or lag
        max_extra = settings["max_extra"]
        return {
            "sample": lambda count: long_lag.generate(random, count, lag, distractors, max_extra)[
                :2
            ],
            "correct": long_lag.correct,
            "input_size": distractors + 4,
            "steps": lag + max_extra + 3,
            "mask_value": None,
            "symbols": True,
            "loss": "binary_crossentropy",
        }
    raise ValueError(f"task must be one of {TASKS}, got {task!r}")


def minimal_lag(task: str, lag: int) -> int:
    """The paper's minimal time lag: T/2 for adding (T = 100 -> 50), q + 1 for 2c."""
    return lag // 2 if task == "adding" else lag + 1


def train_one(
    settings: dict,
    seed: int,
    tensorboard_directory: Path,
    checkpoint_directory=None,
    kept: KeptModels | None = None,
) -> dict:
    """One seed; ``kept`` holds the net compiled for the job's first seed."""
    from recurrent_bottleneck.models.recurrent import build_model
    from recurrent_bottleneck.tensorboard_log import RunWriter

    task, model_kind, lag = settings["task"], settings["model"], settings["lag"]
    random = np.random.default_rng([seed, lag, TASKS.index(task)])
    task_settings = task_data(task, settings, random)
    sample, correct = task_settings["sample"], task_settings["correct"]
    test_set = sample(settings["test_sequences"])
    kept = KeptModels() if kept is None else kept
    model = kept.start(
        seed,
        lambda: build_model(
            model_kind,
            task_settings["steps"],
            task_settings["input_size"],
            task_settings["mask_value"],
            settings["units"],
            settings["cell"],
            task_settings["loss"],
            settings["learning_rate"],
            settings["clip_norm"],
            symbols=task_settings["symbols"],
        ),
    )
    with RunWriter(tensorboard_directory / f"seed_{seed}") as writer:
        writer.hparams(
            {
                "task": task,
                "model": model_kind,
                "lag": lag,
                "seed": seed,
                "units": settings["units"],
                "learning_rate": settings["learning_rate"],
            },
            trial_id=f"{task}/{model_kind}/lag_{lag}/seed_{seed}",
        )
        record = train_until_success(
            model,
            sample,
            test_set,
            correct,
            batch_size=settings["batch_size"],
            training_steps=settings["training_steps"],
            evaluation_interval=settings["evaluation_interval"],
            success_fraction=settings["success_fraction"],
            writer=writer,
            checkpoint=run_checkpoint(checkpoint_directory, settings, seed, random),
        )
    return {"seed": seed, **record}


def run(settings: dict, tensorboard_directory, checkpoint_directory=None) -> dict:
    """All seeds of one (task, model, lag); the settings name them. With a checkpoint
    directory, each seed's progress is kept there and a rerun resumes it."""
    import keras

    tensorboard_directory = Path(tensorboard_directory)
    runs, kept = [], KeptModels()
    for seed in range(settings["seeds"]):
        record = train_one(settings, seed, tensorboard_directory, checkpoint_directory, kept)
        print(
            f"{settings['task']} {settings['model']} lag {settings['lag']} seed {seed}: "
            f"{describe_outcome(record)}",
            flush=True,
        )
        runs.append(record)
    keras.backend.clear_session()
    return {
        "milestone": "long_time_lags",
        "task": settings["task"],
        "model": settings["model"],
        "lag": settings["lag"],
        "minimal_lag": minimal_lag(settings["task"], settings["lag"]),
        "settings": settings,
        "success_rate": float(np.mean([run["success"] for run in runs])),
        "runs": runs,
    }


def cell_state_gradients(cell, inputs: np.ndarray, readout: np.ndarray) -> np.ndarray:
    """dL/ds(t) for every step t, L = readout . s(T), through a built 1997 cell.

    A zero perturbation is added to the cell state after every step and the loss is
    differentiated with respect to it: one reverse pass, shape (batch, T, units).
    """
    from keras import ops

    from recurrent_bottleneck.autodiff import gradient

    batch, length, _ = inputs.shape
    units = cell.units

    def projected_final_state(perturbations):
        output = ops.zeros((batch, units))
        state = ops.zeros((batch, units))
        for step in range(length):
            output, (output, state) = cell(inputs[:, step], [output, state])
            state = state + perturbations[:, step]
        return ops.sum(state * readout)

    (state_gradients,) = gradient(
        projected_final_state, [np.zeros((batch, length, units), "float32")]
    )
    return state_gradients


def carousel(settings: dict, tensorboard_directory) -> dict:
    """|dL/ds(T-k)| of an untrained 1997 cell against k (truncated and full BPTT), and the
    tanh RNN's |dL/dh(T-k)| at spectral radius 1 for comparison; L = u . s(T)."""
    import keras

    from recurrent_bottleneck.cells.lstm1997 import OriginalLSTMCell
    from recurrent_bottleneck.milestones import gradient_decay
    from recurrent_bottleneck.runtime import seed_everything
    from recurrent_bottleneck.tensorboard_log import RunWriter

    units, length, batch = settings["units"], settings["max_lag"] + 1, settings["batch_size"]
    curves = {}
    for seed in range(settings["seeds"]):
        seed_everything(seed)
        random = np.random.default_rng([seed, 1997])
        inputs = random.normal(size=(batch, length, settings["input_size"])).astype("float32")
        readout = random.normal(size=units)
        readout = (readout / np.linalg.norm(readout)).astype("float32")
        for truncated in (True, False):
            cell_settings = settings["cell"]
            cell = OriginalLSTMCell(
                blocks=units // cell_settings["cells_per_block"],
                cells_per_block=cell_settings["cells_per_block"],
                input_gate_biases=cell_settings["input_gate_biases"],
                output_gate_biases=cell_settings["output_gate_biases"],
                squashing=cell_settings["squashing"],
                truncated=truncated,
            )
            cell.build((batch, settings["input_size"]))

            state_gradients = cell_state_gradients(cell, inputs, readout)
            norms = np.linalg.norm(state_gradients.astype("float64"), axis=-1)[:, ::-1]
            key = "lstm1997_truncated" if truncated else "lstm1997_full_bptt"
            curves.setdefault(key, []).append(np.mean(np.log10(norms), axis=0))
        keras.backend.clear_session()
        rnn = gradient_decay.measure_radius(
            "tanh", 1.0, seed, units, settings["input_size"], settings["max_lag"], batch, 1.0
        )
        curves.setdefault("simple_rnn_tanh_radius_1", []).append(
            np.array([np.nan if v is None else v for v in rnn["mean_log10_norm"]])
        )
    result = {}
    with RunWriter(Path(tensorboard_directory)) as writer:
        for key, per_seed in curves.items():
            mean_curve = np.mean(per_seed, axis=0)
            factor, fitted_lags = gradient_decay.fit_factor(mean_curve)
            result[key] = {
                "mean_log10_norm": [float(v) if np.isfinite(v) else None for v in mean_curve],
                "fitted_factor": factor,
                "fitted_lags": fitted_lags,
            }
            for lag, value in enumerate(mean_curve):
                if np.isfinite(value):
                    writer.scalar(f"carousel/{key}/log10_norm_vs_lag", value, step=lag)
    return {
        "milestone": "long_time_lags",
        "measurement": "carousel",
        "settings": settings,
        "curves": result,
    }
