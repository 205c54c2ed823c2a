"""Train until the paper's success criterion holds, or the budget runs out.

Shared by every milestone that counts "training sequences until success", the
unit the 1990s papers report. Fresh sequences are drawn for every step (the
papers trained online on generated data); every ``evaluation_interval`` steps
the model is tested on a fixed test set, and the run

- succeeds when the fraction of test sequences the task calls correct reaches
  ``success_fraction`` (it stops there and records the sequences seen so far),
- diverges when a loss becomes NaN or infinite (it stops at that evaluation; recorded
  as a failure, not a crash, and as ``result/diverged`` in TensorBoard),
- fails when ``training_steps`` steps have passed.

Each evaluation is logged to TensorBoard: train and test loss, test fraction
correct, and the norm of the loss gradient on a training batch.

With a :class:`~recurrent_bottleneck.checkpoints.Checkpoint`, the run's progress is saved
after every evaluation and once more when it ends; a run started again with the same
checkpoint goes on from there (the curve so far is logged to TensorBoard again, and the
record lists where it resumed under ``resumed_after_sequences``), and a finished run
returns its record without training.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from recurrent_bottleneck.checkpoints import Checkpoint


def train_until_success(
    model,
    sample: Callable[[int], tuple[np.ndarray, np.ndarray]],
    test_set: tuple[np.ndarray, np.ndarray],
    correct: Callable[[np.ndarray, np.ndarray], np.ndarray],
    *,
    batch_size: int,
    training_steps: int,
    evaluation_interval: int,
    success_fraction: float,
    writer,
    checkpoint: Checkpoint | None = None,
) -> dict:
    """Returns success, diverged, sequences_to_success, the learning curve, final test score.

    ``sample(count)`` draws ``count`` fresh training sequences; ``correct(predictions,
    targets)`` says per sequence whether the answer counts as right.
    """
    import keras

    from recurrent_bottleneck.autodiff import weight_gradient_norm

    test_inputs, test_targets = test_set
    per_sequence_loss = keras.losses.get(model.loss)

    def loss(targets, predictions):
        return keras.ops.mean(per_sequence_loss(targets, predictions))

    record = {"success": False, "diverged": False, "sequences_to_success": None, "curve": []}
    steps_done, finished = 0, False
    progress = checkpoint.restore(model) if checkpoint is not None else None
    if progress is not None:
        record, steps_done, finished = progress["record"], progress["steps"], progress["finished"]
        for point in record["curve"]:
            writer.scalars(_tensorboard_values(point), step=point["sequences"])
        if not finished:
            record.setdefault("resumed_after_sequences", []).append(steps_done * batch_size)
        print(f"  resumed from {checkpoint.path} after {steps_done * batch_size} sequences")
    while steps_done < training_steps and not finished:
        steps = min(evaluation_interval, training_steps - steps_done)
        inputs, targets = sample(steps * batch_size)
        history = model.fit(
            inputs, targets, batch_size=batch_size, epochs=1, shuffle=False, verbose=0
        )
        steps_done += steps
        sequences = steps_done * batch_size
        train_loss = float(history.history["loss"][-1])
        # in training-sized batches: a model that one-hot encodes its symbols holds the
        # whole batch's one-hot inputs (Experiment 2c at q = 1000 with the paper's 2,560
        # test sequences in one batch: 2,560 x 2,043 steps x 1,004 symbols, 21 GB)
        predictions = model.predict(test_inputs, batch_size=batch_size, verbose=0)
        test_loss = float(keras.ops.convert_to_numpy(loss(test_targets, predictions)))
        fraction_correct = float(np.mean(correct(predictions, test_targets)))
        gradient_norm = weight_gradient_norm(model, loss, inputs[:batch_size], targets[:batch_size])
        point = {
            "sequences": sequences,
            "train_loss": train_loss,
            "test_loss": test_loss,
            "test_fraction_correct": fraction_correct,
            "gradient_norm": gradient_norm,
        }
        record["curve"].append(point)
        writer.scalars(_tensorboard_values(point), step=sequences)
        print(
            f"  {sequences} sequences: train loss {train_loss:.4g}, "
            f"test correct {fraction_correct:.3f}",
            flush=True,
        )
        if not (math.isfinite(train_loss) and math.isfinite(test_loss)):
            record["diverged"] = True
        elif fraction_correct >= success_fraction:
            record["success"] = True
            record["sequences_to_success"] = sequences
        finished = record["diverged"] or record["success"] or steps_done >= training_steps
        if checkpoint is not None:
            checkpoint.save(model, {"record": record, "steps": steps_done, "finished": finished})
    record["final_test_fraction_correct"] = record["curve"][-1]["test_fraction_correct"]
    writer.scalar("result/success", float(record["success"]), step=0)
    writer.scalar("result/diverged", float(record["diverged"]), step=0)
    return record


def _tensorboard_values(point: dict) -> dict:
    return {
        "train/loss": point["train_loss"],
        "test/loss": point["test_loss"],
        "test/fraction_correct": point["test_fraction_correct"],
        "train/gradient_norm": point["gradient_norm"],
    }


def describe_outcome(record: dict) -> str:
    """One line for the job's log: solved after N sequences, not solved, or diverged."""
    if record["diverged"]:
        return "diverged"
    if record["success"]:
        return f"solved after {record['sequences_to_success']} sequences"
    return f"not solved (test {record['final_test_fraction_correct']:.3f} correct)"


def run_statistics(runs: list[dict]) -> dict:
    """Over the seeds of one setting: successes, divergences, median sequences to success."""
    solved = [run["sequences_to_success"] for run in runs if run["success"]]
    return {
        "seeds": len(runs),
        "successes": sum(run["success"] for run in runs),
        "diverged": sum(run["diverged"] for run in runs),
        "success_rate": float(np.mean([run["success"] for run in runs])),
        "median_sequences_to_success": float(np.median(solved)) if solved else None,
        "mean_final_test_fraction_correct": float(
            np.mean([run["final_test_fraction_correct"] for run in runs])
        ),
    }
