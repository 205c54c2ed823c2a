"""Continual streams break the original LSTM; the forget gate repairs it (Gers et al. 2000).

A net reads the continual embedded Reber stream (:mod:`recurrent_bottleneck.tasks.reber`)
one symbol at a time and predicts the legal next symbols. A prediction is correct when
every output's squared error is below 0.49 (``threshold``); every test also reports the
stricter reading, every output's absolute error below 0.49 (on its target's side of 0.5),
for the same predictions. The rows of the paper's Table 2 differ only in the cell
(:mod:`recurrent_bottleneck.models.continual`): the original cell reset at every string
start, the original cell never reset, the original cell with a fixed state decay, and
the cell with forget gates.

Training, as in the paper: a training stream runs until the net's first wrong prediction
(or ``max_training_stream`` symbols); then the net is reset and a new stream begins. The
paper's count of "streams to solution" is the number of training streams begun. Ours
runs ``batch_size`` streams side by side and feeds them in windows of ``window`` symbols,
the state carried across windows. Two ways to learn from them (``learning``):

- ``windows``: truncated backpropagation through time over each window, one update per
  window. Every prediction of the window counts, also those after a stream's first
  error; that stream restarts, on a new string, at the next window. With ``optimizer:
  sgd`` a window's update is the paper's step (``learning_rate`` per symbol, on half the
  squared error) summed over the window's symbols and the batch's streams
  (:func:`recurrent_bottleneck.models.continual.optimizer`); ``adam`` is the alternative.
- ``online``: the paper's own learning, an update after every symbol with the truncated
  gradient carried forward in time (:mod:`recurrent_bottleneck.models.online`; plain
  gradient descent, ``optimizer: sgd``). A stream ends right after its first error and
  the next begins at the next string start. What is learnt does not depend on the
  window: one compiled call reads up to ``ONLINE_WINDOWS_PER_CALL`` windows, ending at
  the next test (fewer, longer calls run faster). ``gradient_reach: window`` (an ablation)
  clears the carried derivatives at every window's start, so the gradient reaches back
  only as far as the windows' backpropagation; ``stream``, the paper's, to the stream's
  start. ``update_every: window`` (an ablation) sums each window's per-symbol steps and
  takes them at its end, as learning by windows does; ``symbol`` is the paper's.

Testing: every ``evaluation_interval`` windows the net reads ``test_streams`` fixed test
streams of ``test_stream_length`` symbols from a zero state, never reset. The error-free
length of a stream is the number of symbols before the first wrong prediction. A run is
"perfect" when every test stream is error-free (training stops there), "good" when the
mean error-free length at the end exceeds ``good_length``, and "rest" otherwise. With
online learning, ``test_every_stream`` also tests after every training stream that ends
(the paper's protocol; a quick test reads each test stream up to its first error, the
full test follows where it finds none), so that training stops at the first perfect
test, and ``training_streams`` ends training after that many training streams.

After training the net reads one long stream (``trace_length`` symbols); the largest
|s_c| over its cells is recorded along the way, and how fast it grows is fitted as an
exponent (|s| ~ position^k: k near 0 for a bounded state, near 1 for a state that
grows linearly without bound).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from recurrent_bottleneck.checkpoints import run_checkpoint
from recurrent_bottleneck.tasks import reber

CATEGORIES = ("perfect", "good", "rest")
# windows read by one call of the online learner's compiled loop: each call costs a few
# milliseconds besides its symbols, so one call per window (25 symbols) took about 4 times
# as long; longer calls gain little more (reports/findings.md, "2000 with the
# paper's own learning")
ONLINE_WINDOWS_PER_CALL = 10


class TrainingStreams:
    """``count`` continual streams read window by window; a stream can be restarted."""

    def __init__(self, random: np.random.Generator, count: int):
        self.random = random
        self.buffers = [self._empty() for _ in range(count)]
        self.lengths = np.zeros(count, dtype=np.int64)
        self.started = count

    @staticmethod
    def _empty() -> dict[str, np.ndarray]:
        return {
            "symbols": np.zeros(0, np.int32),
            "targets": np.zeros((0, len(reber.SYMBOLS)), np.float32),
            "string_starts": np.zeros(0, np.float32),
        }

    def restart(self, which: np.ndarray) -> None:
        """New streams (from a fresh string) where ``which`` is true."""
        for index in np.flatnonzero(which):
            self.buffers[index] = self._empty()
            self.lengths[index] = 0
            self.started += 1

    def progress(self) -> dict:
        """The streams' unread symbols and lengths, as JSON (for a checkpoint)."""
        return {
            "buffers": [{key: value.tolist() for key, value in b.items()} for b in self.buffers],
            "lengths": self.lengths.tolist(),
            "started": self.started,
        }

    def resume(self, progress: dict) -> None:
        empty = self._empty()
        self.buffers = [
            {
                key: np.array(value, dtype=empty[key].dtype).reshape((-1, *empty[key].shape[1:]))
                for key, value in buffer.items()
            }
            for buffer in progress["buffers"]
        ]
        self.lengths = np.array(progress["lengths"], dtype=np.int64)
        self.started = progress["started"]

    def window(self, length: int) -> dict[str, np.ndarray]:
        """The next ``length`` symbols of every stream, stacked: (count, length, ...)."""
        parts = []
        for index, buffer in enumerate(self.buffers):
            if len(buffer["symbols"]) < length:
                # whole strings only: a string cut here would be followed by a new one
                extra = reber.whole_strings(self.random, length)
                buffer = {key: np.concatenate([buffer[key], extra[key]]) for key in buffer}
            parts.append({key: value[:length] for key, value in buffer.items()})
            self.buffers[index] = {key: value[length:] for key, value in buffer.items()}
        self.lengths += length
        return {key: np.stack([part[key] for part in parts]) for key in parts[0]}


def _tensorboard_values(point: dict) -> dict:
    return {
        "train/loss": point["train_loss"],
        "train/streams": point["streams"],
        "test/mean_error_free_length": point["mean_error_free_length"],
        "test/fraction_correct": point["fraction_correct"],
        "test/absolute_reading/mean_error_free_length": point["absolute_mean_error_free_length"],
    }


def judged(correct: np.ndarray) -> dict:
    """Error-free lengths, perfection and the fraction right, from per-step verdicts of
    shape (streams, length)."""
    lengths = reber.error_free_length(correct)
    return {
        "error_free_lengths": [int(length) for length in lengths],
        "mean_error_free_length": float(np.mean(lengths)),
        "perfect": bool(np.all(correct)),
        "fraction_correct": float(np.mean(correct)),
    }


def evaluate(tracing_model, test_set: dict, threshold: float) -> dict:
    """Error-free lengths of the test streams, read from a zero state without resets:
    by the configured rule (every squared error below ``threshold``), and under
    ``absolute_reading`` by every absolute error below 0.49, for the same predictions;
    ``branch_fraction_right``: of the strings' branch predictions (the long lag), the
    share where the right branch symbol's output beat the other's."""
    predictions, _ = tracing_model.predict(
        [test_set["symbols"], test_set["string_starts"][..., None]],
        batch_size=len(test_set["symbols"]),
        verbose=0,
    )
    targets = test_set["targets"]
    branches = reber.branch_predictions(predictions, test_set["symbols"], targets)
    return {
        **judged(reber.correct_predictions(predictions, targets, threshold)),
        "absolute_reading": judged(reber.correct_by_absolute_error(predictions, targets)),
        "branch_fraction_right": float(np.mean(branches)) if branches.size else None,
    }


def growth_exponent(positions: np.ndarray, magnitudes: np.ndarray) -> float:
    """Least-squares slope of log magnitude against log position (k in |s| ~ position^k)."""
    positions, magnitudes = np.asarray(positions, float), np.asarray(magnitudes, float)
    usable = (positions > 0) & (magnitudes > 0) & np.isfinite(magnitudes)
    if usable.sum() < 2:
        return float("nan")
    slope, _ = np.polyfit(np.log(positions[usable]), np.log(magnitudes[usable]), 1)
    return float(slope)


def state_trace(tracing_model, settings: dict, random, writer=None) -> dict:
    """The cell states and forget gates along one long stream, summarised for the figures."""
    units = settings["cell"]["blocks"] * settings["cell"]["cells_per_block"]
    cells_per_block = settings["cell"]["cells_per_block"]
    stream = reber.stream(random, settings["trace_length"])
    predictions, trace = tracing_model.predict(
        [stream["symbols"][None], stream["string_starts"][None, :, None]], verbose=0
    )
    states, keep = trace[0, :, units : 2 * units], trace[0, :, 2 * units :]
    largest = np.max(np.abs(states), axis=1)
    buckets = np.array_split(np.arange(len(largest)), settings["trace_points"])
    positions = np.array([bucket[-1] + 1 for bucket in buckets])
    bucket_largest = np.array([largest[bucket].max() for bucket in buckets])
    if writer is not None:  # the cell states met in each stretch of the stream
        for position, bucket in zip(positions, buckets, strict=True):
            writer.histogram("trace/cell_states", states[bucket], step=int(position))
    segment = slice(0, settings["trace_segment"])
    correct = reber.correct_predictions(predictions[0], stream["targets"], settings["threshold"])
    return {
        "positions": positions.tolist(),
        "largest_abs_state": bucket_largest.tolist(),
        "growth_exponent": growth_exponent(positions, bucket_largest),
        "final_largest_abs_state": float(bucket_largest[-1]),
        "error_free_length": int(reber.error_free_length(correct[None])[0]),
        "segment": {
            "symbols": "".join(reber.SYMBOLS[n] for n in stream["symbols"][segment]),
            "string_starts": np.flatnonzero(stream["string_starts"][segment]).tolist(),
            "states": states[segment].round(6).tolist(),
            "forget_gates": keep[segment, ::cells_per_block].round(6).tolist(),
        },
    }


LEARNING = ("windows", "online")
GRADIENT_REACH = ("stream", "window")  # how far back online learning's gradient reaches
UPDATE_EVERY = ("symbol", "window")  # when online learning takes its steps
# the learning settings' values where a job's settings (from the CLI, say) leave them out
LEARNING_DEFAULTS = {"learning": "windows", "gradient_reach": "stream", "update_every": "symbol"}


def learning_settings(settings: dict) -> dict:
    """The settings that choose how the net learns, with their defaults."""
    return {key: settings.get(key, default) for key, default in LEARNING_DEFAULTS.items()}


def stream_protocol(settings: dict) -> tuple[bool, int | None]:
    """``test_every_stream`` and ``training_streams`` (online learning only), with their
    defaults: the paper tested the net after every training stream and stopped at the
    first perfect test, or after at most 30,000 training streams (a secondary reading)."""
    every_stream = settings.get("test_every_stream", False)
    budget = settings.get("training_streams")
    if learning_settings(settings)["learning"] != "online":
        for key, value in (("test_every_stream", every_stream), ("training_streams", budget)):
            if value not in (False, None):
                raise ValueError(
                    f"continual_streams.{key} is for learning: online (streams end inside "
                    "the online learner)"
                )
    return every_stream, budget


def online_learner(settings: dict, training_model, recurrent):
    """The :class:`recurrent_bottleneck.models.online.OnlineLearner` of ``learning:
    online`` for the training model's weights, or ``None`` for ``learning: windows``."""
    learning, reach, update = learning_settings(settings).values()
    for key, value, allowed in (
        ("learning", learning, LEARNING),
        ("gradient_reach", reach, GRADIENT_REACH),
        ("update_every", update, UPDATE_EVERY),
    ):
        if value not in allowed:
            raise ValueError(f"continual_streams.{key} must be one of {allowed}, got {value!r}")
    if learning == "windows":
        for key, value in (("gradient_reach", reach), ("update_every", update)):
            if value == "window":
                raise ValueError(
                    f"continual_streams.{key}: window is for learning: online (learning by "
                    "windows always reaches back to the window's start and updates at its end)"
                )
        return None
    if settings["optimizer"] != "sgd":
        raise ValueError(
            "continual_streams.learning: online is the paper's plain gradient descent; "
            f"set optimizer: sgd (got {settings['optimizer']!r})"
        )
    from recurrent_bottleneck.models.online import OnlineLearner

    return OnlineLearner(
        recurrent.cell,
        training_model.get_layer("readout"),
        settings["batch_size"],
        learning_rate=settings["learning_rate"],
        threshold=settings["threshold"],
        max_training_stream=settings["max_training_stream"],
        clip_norm=settings["clip_norm"],
        end_at_first_error=settings["restart_at_first_error"],
        gradient_window=settings["window"] if reach == "window" else None,
        update_window=settings["window"] if update == "window" else None,
    )


def windows_in_call(done: int, settings: dict, most: int) -> int:
    """How many windows the next call reads, ``done`` windows in: at most ``most``, and
    none past the next test or the last window."""
    interval = settings["evaluation_interval"]
    return min(most, interval - done % interval, settings["training_windows"] - done)


def train_one(
    settings: dict,
    seed: int,
    tensorboard_directory: Path,
    checkpoint_directory=None,
    windows_per_call: int = ONLINE_WINDOWS_PER_CALL,
) -> dict:
    """One seed of one row. ``windows_per_call``: windows the online learner reads in
    one call (learning by windows reads one); it changes the speed, not the result."""
    import keras

    from recurrent_bottleneck.models.continual import (
        ROWS,
        build_models,
        copy_weights,
    )
    from recurrent_bottleneck.runtime import seed_everything
    from recurrent_bottleneck.tensorboard_log import RunWriter

    seed_everything(seed)
    row, threshold = settings["row"], settings["threshold"]
    row_index = sorted(ROWS).index(row)
    # the same test streams for every row of a seed; training streams drawn per row
    test_set = reber.streams(
        np.random.default_rng([seed, 0]), settings["test_streams"], settings["test_stream_length"]
    )
    training_random = np.random.default_rng([seed, 1, row_index])
    window, batch_size = settings["window"], settings["batch_size"]
    training_model, tracing_model, recurrent = build_models(
        row,
        settings["cell"],
        len(reber.SYMBOLS),
        batch_size,
        window,
        optimizer=settings["optimizer"],
        learning_rate=settings["learning_rate"],
        clip_norm=settings["clip_norm"],
        threshold=threshold,
    )
    learner = online_learner(settings, training_model, recurrent)
    every_stream, stream_budget = stream_protocol(settings)
    streams = TrainingStreams(training_random, batch_size)
    record = {"curve": [], "streams_to_solution": None, "diverged": False}
    checkpoint = run_checkpoint(checkpoint_directory, settings, seed, training_random)
    progress = None
    if checkpoint is not None:
        progress = checkpoint.restore(training_model, also=recurrent.states)
    first_step, finished = 1, False
    if progress is not None:
        record, finished = progress["record"], progress["finished"]
        streams.resume(progress["streams"])
        if learner is not None:
            learner.resume(progress["online"])
        first_step = progress["steps"] + 1
        if not finished:
            record.setdefault("resumed_after_windows", []).append(progress["steps"])
        print(f"resumed from {checkpoint.path} after {progress['steps']} windows", flush=True)
    with RunWriter(tensorboard_directory / f"seed_{seed}") as writer:
        writer.hparams(
            {
                "row": row,
                "seed": seed,
                "optimizer": settings["optimizer"],
                "learning_rate": settings["learning_rate"],
                **learning_settings(settings),
            },
            trial_id=f"{row}/seed_{seed}",
        )
        for point in record["curve"]:
            writer.scalars(_tensorboard_values(point), step=point["symbols"])
        losses = []
        interval_start = None if learner is None else learner.totals()
        step = settings["training_windows"] if finished else first_step - 1
        while step < settings["training_windows"]:
            test = None  # a test made before the interval's end (test_every_stream)
            if learner is not None:  # streams end and begin inside the learner
                calls = windows_in_call(step, settings, windows_per_call)
                parts = [streams.window(window) for _ in range(calls)]
                batch = {key: np.concatenate([part[key] for part in parts], axis=1)
                         for key in parts[0]}  # fmt: skip
                if every_stream:
                    read, test, out_of_streams = train_testing_every_stream(
                        learner, batch, test_set, stream_budget, training_model, tracing_model
                    )
                    loss = learner.totals()[0]  # diverged: the summed error is not finite
                else:
                    read = calls * window
                    loss = learner.train(batch["symbols"], batch["string_starts"], batch["targets"])
                    # checked once per call: the budget's last stream may have run on into
                    # the next one
                    out_of_streams = (
                        stream_budget is not None and learner.streams_started > stream_budget
                    )
            else:
                calls, read, out_of_streams = 1, window, False
                batch = streams.window(window)
                loss = train_window(training_model, recurrent, streams, batch, settings)
            symbols_seen = (step * window + read) * batch_size
            step += calls
            if loss is not None:
                record["diverged"] |= not np.isfinite(loss)
                if learner is None:  # the online learner keeps its own totals
                    losses.append(loss)
            last = step == settings["training_windows"] or out_of_streams
            stop_early = test is not None or out_of_streams
            if step % settings["evaluation_interval"] and not (
                last or record["diverged"] or stop_early
            ):
                continue
            if learner is not None:
                learner.write_weights()
            started = streams.started if learner is None else learner.streams_started
            copy_weights(training_model, tracing_model)
            if test is None:
                test = evaluate(tracing_model, test_set, threshold)
            if learner is not None:  # every prediction since the last test weighs the same
                totals = learner.totals()
                squared_error, updates = np.subtract(totals, interval_start)
                losses = [squared_error / updates] if updates else []
                interval_start = totals
            point = {
                "symbols": symbols_seen,
                "streams": started,
                "train_loss": float(np.mean(losses)) if losses else None,
                **{key: test[key] for key in ("mean_error_free_length", "fraction_correct")},
                "absolute_mean_error_free_length": test["absolute_reading"][
                    "mean_error_free_length"
                ],
            }
            losses = []
            record["curve"].append(point)
            record["final_test"] = test
            writer.scalars(_tensorboard_values(point), step=symbols_seen)
            print(
                f"{row} seed {seed}: {symbols_seen} symbols, {started} streams, "
                f"error-free {point['mean_error_free_length']:.0f}",
                flush=True,
            )
            if test["perfect"]:
                record["streams_to_solution"] = started
            finished = test["perfect"] or record["diverged"] or last
            if checkpoint is not None:
                checkpoint.save(
                    training_model,
                    {
                        "record": record,
                        "steps": step,
                        "finished": finished,
                        "streams": streams.progress(),
                        **({} if learner is None else {"online": learner.progress()}),
                    },
                    also=recurrent.states,
                )
            if finished:
                break
        copy_weights(training_model, tracing_model)
        test = record["final_test"]
        good = test["mean_error_free_length"] > settings["good_length"]
        record["category"] = "perfect" if test["perfect"] else ("good" if good else "rest")
        record["state_trace"] = state_trace(
            tracing_model, settings, np.random.default_rng([seed, 2]), writer
        )
        trace = record["state_trace"]
        for position, magnitude in zip(trace["positions"], trace["largest_abs_state"], strict=True):
            writer.scalar("trace/largest_abs_cell_state", magnitude, step=position)
        writer.scalar("result/perfect", float(test["perfect"]), step=0)
        writer.scalar("result/growth_exponent", trace["growth_exponent"], step=0)
    keras.backend.clear_session()
    return {"seed": seed, **record}


def train_testing_every_stream(
    learner, batch: dict, test_set: dict, stream_budget, training_model, tracing_model
) -> tuple[int, dict | None, bool]:
    """Online learning on ``batch`` (every stream's next symbols), testing the net after
    every training stream that ends, as the paper did: first the learner's quick test
    (each test stream read up to its first error, inside the learner's compiled loop);
    where it finds no error, the full test.

    Returns the symbols read, the full test if it found the net perfect (reading stops
    there), and whether the ``stream_budget``-th training stream has ended (reading stops
    there too)."""
    from recurrent_bottleneck.models.continual import copy_weights

    length = batch["symbols"].shape[1]
    position = 0
    while position < length:
        position, stop = learner.train_until(
            batch["symbols"],
            batch["string_starts"],
            batch["targets"],
            position,
            test_set=test_set,
            stream_budget=stream_budget,
        )
        if stop == "streams":
            return position, None, True
        if stop == "quick_test":
            learner.write_weights()
            copy_weights(training_model, tracing_model)
            test = evaluate(tracing_model, test_set, learner.threshold)
            if test["perfect"]:
                return position, test, False
    return position, None, False


def train_window(training_model, recurrent, streams: TrainingStreams, batch, settings) -> float:
    """One update on one window of every training stream (``learning: windows``); the
    streams that erred in it, or grew too long, restart. Returns the window's loss."""
    from recurrent_bottleneck.models.continual import restart_streams

    window = batch["symbols"].shape[1]
    inputs = [batch["symbols"], batch["string_starts"][..., None]]
    restart = streams.lengths + window >= settings["max_training_stream"]
    logs = training_model.train_on_batch(inputs, batch["targets"], return_dict=True)
    if settings["restart_at_first_error"]:
        # the step's own predictions, made before its update (models/continual.py)
        restart |= np.asarray(logs["wrong_streams"]).reshape(-1) > 0
    streams.restart(restart)
    restart_streams(recurrent, restart)
    return float(logs["loss"])


def run(settings: dict, tensorboard_directory, checkpoint_directory=None) -> dict:
    """All seeds of one row of Table 2; the settings name the row. With a checkpoint
    directory, each seed's progress is kept there and a rerun resumes it."""
    tensorboard_directory = Path(tensorboard_directory)
    runs = []
    for seed in range(settings["seeds"]):
        record = train_one(settings, seed, tensorboard_directory, checkpoint_directory)
        print(
            f"{settings['row']} seed {seed}: {record['category']}, mean error-free length "
            f"{record['final_test']['mean_error_free_length']:.0f}, state growth exponent "
            f"{record['state_trace']['growth_exponent']:.2f}",
            flush=True,
        )
        runs.append(record)
    return {
        "milestone": "continual_streams",
        "row": settings["row"],
        "settings": settings,
        "runs": runs,
    }
