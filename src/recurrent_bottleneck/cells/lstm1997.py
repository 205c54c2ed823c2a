"""The original Long Short-Term Memory cell (Hochreiter & Schmidhuber 1997), without forget gate.

A memory cell block of size S holds S cells that share one input gate and one
output gate. For block j and its cell v, at time t (x: external input, y(t-1):
the outputs of all cells one step earlier, which feed back into everything):

    input gate    y_in_j(t)  = f(W_in_j  . [x(t), y(t-1)] + b_in_j)
    output gate   y_out_j(t) = f(W_out_j . [x(t), y(t-1)] + b_out_j)
    cell input    g_v(t)     = g(W_c_v   . [x(t), y(t-1)] + b_c_v)
    cell state    s_v(t)     = s_v(t-1) + y_in_j(t) * g_v(t),       s_v(0) = 0
    cell output   y_v(t)     = y_out_j(t) * h(s_v(t))

with f the logistic sigmoid, g(z) = 4 f(z) - 2 in [-2, 2] and h(z) = 2 f(z) - 1
in [-1, 1]. The state's self-connection is the constant 1.0 of the "constant
error carousel": ds_v(t)/ds_v(t-1) = 1 along the state path, so error sent back
through s neither vanishes nor explodes. There is no forget gate (that came in
2000): nothing but the input gate's refusal to write protects s, and nothing
ever clears it within a sequence.

Negative gate biases (the paper: input gates -3, -6, ...; output gates -1, -2,
...) keep gates mostly closed at the start, so early noise does not pile up in
the states. ``gate_biases`` are given per block and cycled if there are more
blocks than values.

Learning, ``truncated=True``: the paper's truncated gradient. Errors that reach
the nets of the gates and of the cell input are not sent further back in time:
y(t-1) enters those nets as a constant for differentiation, so the only path
back in time is the carousel s(t) -> s(t-1). ``truncated=False`` is full BPTT.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

SQUASHING = {
    # g (cell input) and h (cell output) for each choice
    "paper": (lambda z: 4.0 * ops.sigmoid(z) - 2.0, lambda z: 2.0 * ops.sigmoid(z) - 1.0),
    "tanh": (ops.tanh, ops.tanh),
}


@keras.saving.register_keras_serializable(package="recurrent_bottleneck")
class OriginalLSTMCell(keras.layers.Layer):
    """The 1997 cell for ``keras.layers.RNN``: ``blocks`` blocks of ``cells_per_block`` cells.

    State: [y(t-1), s(t-1)], each of shape (batch, blocks * cells_per_block).
    Output: y(t).
    """

    def __init__(
        self,
        blocks: int,
        cells_per_block: int = 1,
        input_gate_biases: tuple[float, ...] = (-3.0,),
        output_gate_biases: tuple[float, ...] = (-1.0,),
        squashing: str = "paper",
        truncated: bool = False,
        use_cell_bias: bool = True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if squashing not in SQUASHING:
            raise ValueError(f"squashing must be one of {sorted(SQUASHING)}, got {squashing!r}")
        self.blocks = blocks
        self.cells_per_block = cells_per_block
        self.units = blocks * cells_per_block
        self.input_gate_biases = tuple(float(b) for b in input_gate_biases)
        self.output_gate_biases = tuple(float(b) for b in output_gate_biases)
        self.squashing = squashing
        self.truncated = truncated
        self.use_cell_bias = use_cell_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.recurrent_initializer = keras.initializers.get(recurrent_initializer)
        self.state_size = [self.units, self.units]
        self.output_size = self.units

    def _to_cells(self, per_block):
        """Spread one value per block to the block's cells (batch x blocks -> batch x units).

        A product with a fixed 0/1 matrix rather than ``ops.repeat``: its gradient has
        static shapes, so the training step compiles with XLA.
        """
        spread = np.kron(np.eye(self.blocks), np.ones((1, self.cells_per_block)))
        return ops.matmul(per_block, ops.convert_to_tensor(spread, dtype=per_block.dtype))

    def _per_block(self, values: tuple[float, ...]) -> list[float]:
        return [values[block % len(values)] for block in range(self.blocks)]

    def build(self, input_shape):
        input_size = input_shape[-1]
        # columns: [cell inputs (units) | input gates (blocks) | output gates (blocks)]
        width = self.units + 2 * self.blocks
        self.kernel = self.add_weight(
            shape=(input_size, width), name="kernel", initializer=self.kernel_initializer
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, width),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
        )
        gate_biases = self._per_block(self.input_gate_biases) + self._per_block(
            self.output_gate_biases
        )
        self.gate_bias = self.add_weight(
            shape=(2 * self.blocks,),
            name="gate_bias",
            initializer=keras.initializers.Constant(gate_biases),
        )
        self.cell_bias = (
            self.add_weight(shape=(self.units,), name="cell_bias", initializer="zeros")
            if self.use_cell_bias
            else None
        )
        self.built = True

    def call(self, inputs, states, training=False):
        previous_output, previous_state = states[0], states[1]
        if self.truncated:
            previous_output = ops.stop_gradient(previous_output)
        cell_bias = self.cell_bias if self.use_cell_bias else ops.zeros((self.units,))
        bias = ops.concatenate([cell_bias, self.gate_bias])
        nets = (
            ops.matmul(inputs, self.kernel)
            + ops.matmul(previous_output, self.recurrent_kernel)
            + bias
        )
        cell_net = nets[:, : self.units]
        input_gate = ops.sigmoid(nets[:, self.units : self.units + self.blocks])
        output_gate = ops.sigmoid(nets[:, self.units + self.blocks :])
        squash_in, squash_out = SQUASHING[self.squashing]
        # each gate serves the cells_per_block cells of its block
        input_gate = self._to_cells(input_gate)
        output_gate = self._to_cells(output_gate)
        state = previous_state + input_gate * squash_in(cell_net)
        output = output_gate * squash_out(state)
        return output, [output, state]

    def get_config(self):
        return {
            **super().get_config(),
            "blocks": self.blocks,
            "cells_per_block": self.cells_per_block,
            "input_gate_biases": list(self.input_gate_biases),
            "output_gate_biases": list(self.output_gate_biases),
            "squashing": self.squashing,
            "truncated": self.truncated,
            "use_cell_bias": self.use_cell_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": keras.initializers.serialize(self.recurrent_initializer),
        }
