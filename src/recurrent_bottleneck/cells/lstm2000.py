"""The LSTM cell with a forget gate (Gers, Schmidhuber & Cummins 2000), and its 1997 ancestor.

The 2000 paper gives each memory cell block j a third gate, the forget gate, that
scales the state's self-connection instead of holding it at 1.0:

    forget gate   y_phi_j(t) = f(W_phi_j . [x(t), y(t-1)] + b_phi_j)
    cell state    s_v(t)     = y_phi_j(t) * s_v(t-1) + y_in_j(t) * g_v(t)

Everything else is the 1997 cell (:mod:`recurrent_bottleneck.cells.lstm1997`): input
and output gates, g in [-2, 2], h in [-1, 1], blocks of cells sharing their gates.
With the forget gate open (y_phi = 1) the carousel is the 1997 one; when it closes,
the cell empties itself. Positive forget biases (the paper: +0.5, +1.0, ...) start
every block remembering.

The same class also runs the paper's other rows of its Table 2:

- ``forget_gate=False``: no forget gate and no forget parameters, the 1997 cell;
- ``state_decay=d``: a fixed decay instead, s_v(t) = d * s_v(t-1) + y_in_j * g_v;
- ``external_reset=True``: the last input column is a reset signal r(t) in {0, 1}; where
  it is 1 the cell starts afresh, y(t-1) = s(t-1) = 0 (the paper's "external reset" at
  the start of every string). Without it the column is read but ignored, so every row
  sees the same inputs.

``trace=True`` makes the cell's output [y(t), s(t), y_phi(t) per cell] instead of y(t),
for looking inside a trained cell along a stream (the paper's state and forget-gate
figures); a tracing cell shares its weights' layout with the training cell.
"""

from __future__ import annotations

import keras
from keras import ops

from recurrent_bottleneck.cells.lstm1997 import SQUASHING, OriginalLSTMCell


@keras.saving.register_keras_serializable(package="recurrent_bottleneck")
class ForgetGateLSTMCell(OriginalLSTMCell):
    """The 2000 cell for ``keras.layers.RNN``; inputs end with the reset column.

    State: [y(t-1), s(t-1)]. Output: y(t), or [y, s, y_phi] with ``trace=True``.
    """

    def __init__(
        self,
        blocks: int,
        cells_per_block: int = 1,
        forget_gate: bool = True,
        forget_gate_biases: tuple[float, ...] = (1.0,),
        state_decay: float = 1.0,
        external_reset: bool = False,
        trace: bool = False,
        **kwargs,
    ):
        super().__init__(blocks, cells_per_block, **kwargs)
        if forget_gate and state_decay != 1.0:
            raise ValueError("a forget gate and a fixed state decay are separate rows; pick one")
        self.forget_gate = forget_gate
        self.forget_gate_biases = tuple(float(b) for b in forget_gate_biases)
        self.state_decay = float(state_decay)
        self.external_reset = external_reset
        self.trace = trace
        if trace:
            self.output_size = 3 * self.units

    def build(self, input_shape):
        # the last column is the reset signal; it never enters a weighted sum
        symbol_shape = (*input_shape[:-1], input_shape[-1] - 1)
        super().build(symbol_shape)
        if self.forget_gate:
            self.forget_kernel = self.add_weight(
                shape=(symbol_shape[-1], self.blocks),
                name="forget_kernel",
                initializer=self.kernel_initializer,
            )
            self.forget_recurrent_kernel = self.add_weight(
                shape=(self.units, self.blocks),
                name="forget_recurrent_kernel",
                initializer=self.recurrent_initializer,
            )
            self.forget_bias = self.add_weight(
                shape=(self.blocks,),
                name="forget_bias",
                initializer=keras.initializers.Constant(self._per_block(self.forget_gate_biases)),
            )

    def call(self, inputs, states, training=False):
        symbols, reset = inputs[:, :-1], inputs[:, -1:]
        previous_output, previous_state = states[0], states[1]
        if self.external_reset:
            previous_output = previous_output * (1.0 - reset)
            previous_state = previous_state * (1.0 - reset)
        if self.truncated:
            previous_output = ops.stop_gradient(previous_output)
        cell_bias = self.cell_bias if self.use_cell_bias else ops.zeros((self.units,))
        nets = (
            ops.matmul(symbols, self.kernel)
            + ops.matmul(previous_output, self.recurrent_kernel)
            + ops.concatenate([cell_bias, self.gate_bias])
        )
        cell_net = nets[:, : self.units]
        input_gate = ops.sigmoid(nets[:, self.units : self.units + self.blocks])
        output_gate = ops.sigmoid(nets[:, self.units + self.blocks :])
        if self.forget_gate:
            keep = ops.sigmoid(
                ops.matmul(symbols, self.forget_kernel)
                + ops.matmul(previous_output, self.forget_recurrent_kernel)
                + self.forget_bias
            )
            keep = self._to_cells(keep)
        else:
            keep = ops.full_like(previous_state, self.state_decay)
        squash_in, squash_out = SQUASHING[self.squashing]
        input_gate = self._to_cells(input_gate)
        output_gate = self._to_cells(output_gate)
        state = keep * previous_state + input_gate * squash_in(cell_net)
        output = output_gate * squash_out(state)
        emitted = ops.concatenate([output, state, keep], axis=1) if self.trace else output
        return emitted, [output, state]

    def get_config(self):
        return {
            **super().get_config(),
            "forget_gate": self.forget_gate,
            "forget_gate_biases": list(self.forget_gate_biases),
            "state_decay": self.state_decay,
            "external_reset": self.external_reset,
            "trace": self.trace,
        }
