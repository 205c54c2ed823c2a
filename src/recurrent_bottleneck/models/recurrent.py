"""A recurrent layer of a chosen kind -> one output unit: the nets the 1997 experiments compare.

Kinds:
- ``lstm1997``: the original cell, no forget gate (:mod:`recurrent_bottleneck.cells.lstm1997`);
- ``lstm_forget``: Keras' LSTM, i.e. the cell with the 2000 forget gate (forget bias 1);
- ``simple_rnn``: Keras' SimpleRNN with tanh units, trained by full BPTT.

Inputs are front-padded to one length; a Masking layer hides the padding, so a
shorter sequence reaches the cell exactly as the paper feeds it.
"""

from __future__ import annotations

import numpy as np

MODEL_KINDS = ("lstm1997", "lstm_forget", "simple_rnn")


def recurrent_layer(kind: str, units: int, cell: dict):
    """The recurrent layer of a kind; ``cell`` holds the 1997 cell's settings."""
    import keras

    from recurrent_bottleneck.cells.lstm1997 import OriginalLSTMCell

    if kind == "lstm1997":
        cells_per_block = cell["cells_per_block"]
        if units % cells_per_block:
            raise ValueError(
                f"units ({units}) must be a multiple of cells_per_block ({cells_per_block})"
            )
        return keras.layers.RNN(
            OriginalLSTMCell(
                blocks=units // cells_per_block,
                cells_per_block=cells_per_block,
                input_gate_biases=cell["input_gate_biases"],
                output_gate_biases=cell["output_gate_biases"],
                squashing=cell["squashing"],
                truncated=cell["truncated"],
            ),
            name="lstm1997",
        )
    if kind == "lstm_forget":
        return keras.layers.LSTM(units, unit_forget_bias=True, name="lstm_forget")
    if kind == "simple_rnn":
        return keras.layers.SimpleRNN(units, activation="tanh", name="simple_rnn")
    raise ValueError(f"model kind must be one of {MODEL_KINDS}, got {kind!r}")


def build_model(
    kind: str,
    steps: int,
    input_size: int,
    mask_value: float | None,
    units: int,
    cell: dict,
    loss: str,
    learning_rate: float,
    clip_norm: float | None,
    symbols: bool = False,
):
    """Masking -> recurrent layer -> Dense(1, sigmoid), compiled with Adam.

    ``mask_value=None`` leaves the Masking layer out (for benchmarks: a masked Keras
    LSTM never runs on the fused cuDNN kernel).

    With ``symbols=True`` the inputs are symbol numbers (0 = padding) and a frozen
    embedding whose rows are the one-hot vectors turns them into the paper's
    ``input_size``-wide inputs inside the model (and masks the padding).
    """
    import keras

    if symbols:
        one_hot_rows = np.vstack([np.zeros((1, input_size)), np.eye(input_size)])
        encoder = [
            keras.Input(shape=(steps,), dtype="int32"),
            keras.layers.Embedding(
                input_size + 1,
                input_size,
                mask_zero=True,
                trainable=False,
                embeddings_initializer=keras.initializers.Constant(one_hot_rows),
                name="one_hot",
            ),
        ]
    else:
        encoder = [keras.Input(shape=(steps, input_size))]
        if mask_value is not None:
            encoder.append(keras.layers.Masking(mask_value=mask_value))
    model = keras.Sequential(
        [
            *encoder,
            recurrent_layer(kind, units, cell),
            keras.layers.Dense(1, activation="sigmoid", name="readout"),
        ],
        name=kind,
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate, clipnorm=clip_norm),
        loss=loss,
        jit_compile=True,
    )
    return model
