"""Next-symbol predictors for continual streams (Gers, Schmidhuber & Cummins 2000).

symbol number -> one-hot (a frozen embedding) + the string-start column -> the 2000
cell (:mod:`recurrent_bottleneck.cells.lstm2000`) -> one sigmoid unit per symbol,
trained on the squared error against the legal next symbols.

Two models share one set of weights:

- the training model is *stateful*: its batch is a set of parallel training streams,
  fed one window of symbols at a time, and the cell state carries over from window to
  window (no reset unless the row's cell resets itself or the loop restarts a stream);
- the tracing model reads whole test streams at once and also returns the cell states
  and forget-gate activations at every step.
"""

from __future__ import annotations

import numpy as np

# Table 2 of the paper: the rows this workflow can run, as settings of the 2000 cell
# (the state_decay row's factor comes from the cell settings)
ROWS = {
    "reset": {"forget_gate": False, "external_reset": True},
    "no_reset": {"forget_gate": False},
    "state_decay": {"forget_gate": False},
    "forget_gate": {"forget_gate": True},
}


def recurrent_cell(row: str, cell: dict, trace: bool = False):
    from recurrent_bottleneck.cells.lstm2000 import ForgetGateLSTMCell

    if row not in ROWS:
        raise ValueError(f"row must be one of {sorted(ROWS)}, got {row!r}")
    options = dict(ROWS[row])
    if row == "state_decay":
        options["state_decay"] = cell["state_decay"]
    return ForgetGateLSTMCell(
        blocks=cell["blocks"],
        cells_per_block=cell["cells_per_block"],
        input_gate_biases=cell["input_gate_biases"],
        output_gate_biases=cell["output_gate_biases"],
        forget_gate_biases=cell["forget_gate_biases"],
        squashing=cell["squashing"],
        truncated=cell["truncated"],
        kernel_initializer=_uniform(cell["initial_weight_range"]),
        recurrent_initializer=_uniform(cell["initial_weight_range"]),
        trace=trace,
        **options,
    )


def optimizer(name: str, rate: float, clip_norm: float | None, squared_errors: int):
    """The training model's optimizer: ``sgd`` at the paper's rate, or ``adam``.

    The paper changes every weight after each symbol by ``-rate * dE/dw``, where
    E = 1/2 * sum_k (y_k - t_k)^2 over the output units. The training model's loss is
    the mean over the batch's streams, the window's symbols and the outputs
    (``squared_errors`` = B * W * K of them):

        L = 1/(B W K) * sum_{b,t,k} (y - t)^2,  so  dL/dw = 2/(B W K) * sum_{b,t} dE/dw.

    Plain gradient descent on L at ``rate * B W K / 2`` thus changes each weight by
    ``-rate`` times the paper's gradient summed over the window's symbols and the
    batch's streams: the paper's step, taken once per window instead of once per
    symbol. Adam rescales its steps itself and takes ``rate`` as it is."""
    import keras

    if name == "sgd":
        return keras.optimizers.SGD(learning_rate=rate * squared_errors / 2, clipnorm=clip_norm)
    if name == "adam":
        return keras.optimizers.Adam(learning_rate=rate, clipnorm=clip_norm)
    raise ValueError(f"optimizer must be 'sgd' or 'adam', got {name!r}")


def wrong_streams(batch_size: int, squared_error_below: float):
    """A metric of the training model: after a training step, per stream of the batch, 1
    where some prediction of the window failed the paper's test (an output's squared error
    not below ``squared_error_below``; see :func:`recurrent_bottleneck.tasks.reber.
    correct_predictions`), else 0. The step's forward pass runs on the weights and carried
    state from before its update, which are the predictions the online learner made, so
    the training loop can end those streams at their first error without a second
    forward pass (and without saving and restoring the carried state around one)."""
    import keras

    class WrongStreams(keras.metrics.Metric):
        def __init__(self):
            super().__init__(name="wrong_streams")
            self.wrong = self.add_variable(shape=(batch_size,), initializer="zeros", name="wrong")

        def update_state(self, y_true, y_pred, sample_weight=None):
            squared = keras.ops.square(y_pred - keras.ops.cast(y_true, y_pred.dtype))
            correct = keras.ops.all(squared < squared_error_below, axis=(1, 2))
            self.wrong.assign(keras.ops.cast(keras.ops.logical_not(correct), self.dtype))

        def result(self):
            return keras.ops.convert_to_tensor(self.wrong)

        def reset_state(self):
            pass  # update_state overwrites every entry (Keras resets before each step)

    return WrongStreams()


def _uniform(half_width: float):
    import keras

    return keras.initializers.RandomUniform(-half_width, half_width)


def build_models(row: str, cell: dict, symbols: int, batch_size: int, window: int, **training):
    """(training model, tracing model, the training model's recurrent layer) for one row;
    ``training`` holds optimizer, learning_rate and clip_norm (see :func:`optimizer`) and
    threshold (of the training model's :func:`wrong_streams` metric)."""
    import keras

    def predictor(recurrent, symbol_input, reset_input):
        one_hot = keras.layers.Embedding(
            symbols,
            symbols,
            trainable=False,
            embeddings_initializer=keras.initializers.Constant(np.eye(symbols)),
            name="one_hot",
        )(symbol_input)
        features = keras.layers.Concatenate(name="with_reset")([one_hot, reset_input])
        return recurrent(features)

    readout = keras.layers.Dense(symbols, activation="sigmoid", name="readout")

    symbol_input = keras.Input(batch_shape=(batch_size, window), dtype="int32", name="symbols")
    reset_input = keras.Input(batch_shape=(batch_size, window, 1), name="string_starts")
    recurrent = keras.layers.RNN(
        recurrent_cell(row, cell), return_sequences=True, stateful=True, name="lstm2000"
    )
    training_model = keras.Model(
        [symbol_input, reset_input],
        readout(predictor(recurrent, symbol_input, reset_input)),
        name=f"continual_{row}",
    )
    training_model.compile(
        optimizer=optimizer(
            training["optimizer"],
            training["learning_rate"],
            training["clip_norm"],
            batch_size * window * symbols,
        ),
        loss="mean_squared_error",
        metrics=[wrong_streams(batch_size, training["threshold"])],
        jit_compile=True,
    )

    units = cell["blocks"] * cell["cells_per_block"]
    trace_symbols = keras.Input(shape=(None,), dtype="int32", name="symbols")
    trace_resets = keras.Input(shape=(None, 1), name="string_starts")
    traced = keras.layers.RNN(
        recurrent_cell(row, cell, trace=True), return_sequences=True, name="lstm2000"
    )
    trace = predictor(traced, trace_symbols, trace_resets)
    outputs = keras.layers.Lambda(lambda values: values[..., :units], name="cell_outputs")(trace)
    tracing_model = keras.Model(
        [trace_symbols, trace_resets], [readout(outputs), trace], name=f"trace_{row}"
    )
    # predictions compiled by XLA: a paper-scale test (10 streams of 100,000 symbols, one
    # CPU thread) took about 1 s instead of 4 to 5, its predictions within 2e-7
    tracing_model.compile(jit_compile=True)
    return training_model, tracing_model, recurrent


def copy_weights(training_model, tracing_model) -> None:
    """Give the tracing model the training model's current weights (same layout)."""
    tracing_model.get_layer("lstm2000").set_weights(
        training_model.get_layer("lstm2000").get_weights()
    )


def restart_streams(recurrent, restart: np.ndarray) -> None:
    """Zero the carried state of the streams (batch rows) where ``restart`` is true
    (one backend call per state; none when no stream restarts)."""
    import keras

    restart = np.asarray(restart, dtype=bool)
    if not restart.any():
        return
    for state in recurrent.states:
        kept = np.zeros(state.shape) if restart.all() else keras.ops.convert_to_numpy(state)
        state.assign(np.where(restart[:, None], 0.0, kept).astype(state.dtype))
