"""The 2000 paper's own learning: a weight update after every symbol, its gradient carried
forward in time (Gers, Schmidhuber & Cummins 2000, after Hochreiter & Schmidhuber 1997).

The windows of :mod:`recurrent_bottleneck.milestones.continual_streams` backpropagate
through 25 symbols and update once per window. The papers instead changed every weight
after every symbol, by an error gradient that reaches back through the cell state to
the start of the stream, at a fixed cost per symbol. That is possible because the
gradient is *truncated*: the cell outputs y(t-1) feed every net as constants, so the
only route back in time is the state's own self-connection, and the derivative of each
state with respect to the weights that write it can be kept up to date going forward.

Write z(t) = [x(t), y(t-1), 1] for the sources of every net, f for the logistic
function, g and h for the cell input and output squashing, and for cell v of block j

    s_v(t) = phi_j(t) s_v(t-1) + in_j(t) g(net_c_v(t)),    y_v(t) = out_j(t) h(s_v(t)).

The partial derivatives of s_v(t) with respect to the weights from source m into the
cell's input net, its block's input gate and its block's forget gate follow from that
line alone (y(t-1) held constant):

    ds_v/dw_c_vm(t)   = phi_j(t) ds_v/dw_c_vm(t-1)   + in_j(t) g'(net_c_v(t)) z_m(t)
    ds_v/dw_in_jm(t)  = phi_j(t) ds_v/dw_in_jm(t-1)  + g(net_c_v(t)) f'(net_in_j(t)) z_m(t)
    ds_v/dw_phi_jm(t) = phi_j(t) ds_v/dw_phi_jm(t-1) + s_v(t-1) f'(net_phi_j(t)) z_m(t)

all zero where a stream (or, for the reset row, a string) starts. With the error
E(t) = 1/2 sum_k (p_k(t) - target_k(t))^2 of the sigmoid outputs p = f(W_k y + b_k):

    delta_k     = (p_k - target_k) f'(net_k)                        output unit k
    e_v         = sum_k w_kv delta_k                                 error at cell output v
    delta_out_j = f'(net_out_j) sum_{v in j} h(s_v) e_v              output gate of block j
    e_s_v       = out_j h'(s_v) e_v                                  error at the state

and the gradient of E(t) is delta_k y_m for the readout, delta_out_j z_m for the output
gates, e_s_v ds_v/dw_c_vm for the cell inputs and sum_{v in j} e_s_v ds_v/dw for the
input and forget gates. Each weight then moves by -rate times its gradient, at once.
The rows without forget gate use phi = 1 (or the fixed decay) and have no forget weights.

Streams as in the paper: a training stream ends at its first wrong prediction (after
that symbol's update; unless ``end_at_first_error`` is false) or once it is
``max_training_stream`` symbols long; the next one begins, from a zero state, at the next
string start of the generated symbols. ``batch_size`` streams may run side by side, their
updates summed (the paper: one).

The paper tested the net after every training stream and stopped at the first perfect
test: :meth:`OnlineLearner.train_until` looks at the net whenever a training stream ends,
with a quick test (:meth:`OnlineLearner.error_free_lengths`) that reads each test stream
only up to its first error, so that a test costs little until the net is nearly
perfect, and stops where that test finds no error or the budget of streams is spent.

Two ablations, not the paper's, count windows of symbols read from the learner's first:
``gradient_window`` clears the carried derivatives at every window's start, so the
gradient reaches back no further than truncated backpropagation through such windows
does; ``update_window`` sums the per-symbol steps of a window and takes them at its
end, as learning by windows does. With both (the same length) and streams that do not
err, the learner takes the windows' own steps.
"""

from __future__ import annotations

import numpy as np


def _squashing(name: str):
    """(g, g', h, h') for the cell's ``squashing`` (see
    :data:`recurrent_bottleneck.cells.lstm1997.SQUASHING`)."""
    from keras import ops

    def scaled_sigmoid(scale):  # scale * f(z) - scale / 2, and its slope
        def slope(z):
            logistic = ops.sigmoid(z)
            return scale * logistic * (1.0 - logistic)

        return (lambda z: scale * ops.sigmoid(z) - scale / 2), slope

    def tanh_slope(z):
        return 1.0 - ops.square(ops.tanh(z))

    if name == "paper":  # g in [-2, 2], h in [-1, 1]
        return (*scaled_sigmoid(4.0), *scaled_sigmoid(2.0))
    if name == "tanh":
        return ops.tanh, tanh_slope, ops.tanh, tanh_slope
    raise ValueError(f"squashing must be 'paper' or 'tanh', got {name!r}")


class OnlineLearner:
    """Per-symbol gradient descent with the forward-in-time truncated gradient, on the
    weights of a :class:`recurrent_bottleneck.cells.lstm2000.ForgetGateLSTMCell` and of
    the sigmoid readout (a ``keras.layers.Dense``) above it.

    The learner keeps its own copy of the weights, the streams' states and the
    derivatives above; :meth:`write_weights` puts the weights back into the layers (for
    testing and checkpoints)."""

    def __init__(
        self,
        cell,
        readout,
        batch_size: int,
        learning_rate: float,
        threshold: float,
        max_training_stream: int,
        clip_norm: float | None = None,
        end_at_first_error: bool = True,
        gradient_window: int | None = None,
        update_window: int | None = None,
    ):
        if not cell.truncated:
            raise ValueError(
                "online learning computes the truncated gradient only; set the cell's "
                "truncated: true"
            )
        self.cell, self.readout = cell, readout
        self.batch_size = batch_size
        self.learning_rate = float(learning_rate)
        self.threshold = float(threshold)
        self.max_training_stream = int(max_training_stream)
        self.clip_norm = None if clip_norm is None else float(clip_norm)
        self.end_at_first_error = end_at_first_error
        self.gradient_window = None if gradient_window is None else int(gradient_window)
        self.update_window = None if update_window is None else int(update_window)
        if None not in (gradient_window, update_window) and gradient_window != update_window:
            raise ValueError(
                f"gradient_window ({gradient_window}) and update_window ({update_window}) "
                "count the same windows; give them the same length"
            )
        self.window = self.gradient_window or self.update_window
        self.weights = self.read_weights()
        sources, units = self.weights["cell"].shape
        self.carry = self.initial_carry(batch_size, sources, units)
        if self.update_window is not None:  # the window's steps, summed until its end
            from keras import ops

            self.carry.update(
                {f"pending_{name}": ops.zeros_like(value) for name, value in self.weights.items()}
            )
        self._chunk = self._error_free = None  # compiled when first used
        self._until = {}  # train_until's, compiled per mode (test set?, stream budget?)
        self._test_set = None  # (the test set, its arrays as tensors)

    # ---- weights: the layers' variables <-> one matrix per net, rows = sources z
    def read_weights(self) -> dict:
        from keras import ops

        cell = self.cell
        units, blocks = cell.units, cell.blocks
        cell_bias = ops.convert_to_numpy(cell.cell_bias) if cell.use_cell_bias else np.zeros(units)
        kernel = np.concatenate(
            [
                ops.convert_to_numpy(cell.kernel),
                ops.convert_to_numpy(cell.recurrent_kernel),
                np.concatenate([cell_bias, ops.convert_to_numpy(cell.gate_bias)])[None],
            ]
        )
        weights = {
            "cell": kernel[:, :units],
            "input_gate": kernel[:, units : units + blocks],
            "output_gate": kernel[:, units + blocks :],
            "readout": ops.convert_to_numpy(self.readout.kernel),
            "readout_bias": ops.convert_to_numpy(self.readout.bias),
        }
        if cell.forget_gate:
            weights["forget_gate"] = np.concatenate(
                [
                    ops.convert_to_numpy(cell.forget_kernel),
                    ops.convert_to_numpy(cell.forget_recurrent_kernel),
                    ops.convert_to_numpy(cell.forget_bias)[None],
                ]
            )
        return {name: ops.convert_to_tensor(value, "float32") for name, value in weights.items()}

    def write_weights(self) -> None:
        from keras import ops

        cell = self.cell
        inputs = cell.kernel.shape[0]
        values = {name: ops.convert_to_numpy(value) for name, value in self.weights.items()}
        kernel = np.concatenate(
            [values["cell"], values["input_gate"], values["output_gate"]], axis=1
        )
        cell.kernel.assign(kernel[:inputs])
        cell.recurrent_kernel.assign(kernel[inputs:-1])
        if cell.use_cell_bias:
            cell.cell_bias.assign(kernel[-1, : cell.units])
        cell.gate_bias.assign(kernel[-1, cell.units :])
        if cell.forget_gate:
            forget = values["forget_gate"]
            cell.forget_kernel.assign(forget[:inputs])
            cell.forget_recurrent_kernel.assign(forget[inputs:-1])
            cell.forget_bias.assign(forget[-1])
        self.readout.kernel.assign(values["readout"])
        self.readout.bias.assign(values["readout_bias"])

    @staticmethod
    def initial_carry(batch_size: int, sources: int, units: int) -> dict:
        from keras import ops

        zeros = np.zeros((batch_size, units), np.float32)
        derivative = np.zeros((batch_size, sources, units), np.float32)
        carry = {
            "output": zeros,
            "state": zeros,
            "cell_derivative": derivative,
            "input_gate_derivative": derivative,
            "forget_gate_derivative": derivative,
            "stopped": np.zeros(batch_size, np.float32),  # 1: ended, waiting for a string start
            "length": np.zeros(batch_size, np.float32),
            "window_position": np.float32(0.0),  # symbols read since the window began
            "streams": np.float32(batch_size),
            "ended": np.float32(0.0),
            "squared_error": np.float32(0.0),
            "updates": np.float32(0.0),
        }
        return {name: ops.convert_to_tensor(value) for name, value in carry.items()}

    def _spread(self):
        """(blocks, units): 1 where a cell belongs to a block (block -> its cells)."""
        from keras import ops

        cell = self.cell
        return ops.convert_to_tensor(
            np.kron(np.eye(cell.blocks), np.ones((1, cell.cells_per_block))), "float32"
        )

    def forward(self, weights: dict, symbol, previous_output, previous_state) -> dict:
        """One symbol through the 2000 cell and the readout, from the previous outputs and
        states (already zeroed where a stream or string starts): the sources z, the nets
        and gates, the new state and output, and the prediction."""
        from keras import ops

        cell = self.cell
        g, _, h, _ = _squashing(cell.squashing)
        spread = self._spread()
        sources = ops.concatenate(
            [symbol, previous_output, ops.ones((symbol.shape[0], 1), "float32")], axis=1
        )
        cell_net = ops.matmul(sources, weights["cell"])
        input_gate = ops.sigmoid(ops.matmul(sources, weights["input_gate"]))
        output_gate = ops.sigmoid(ops.matmul(sources, weights["output_gate"]))
        values = {"sources": sources, "cell_net": cell_net}
        if cell.forget_gate:
            forget_gate = ops.sigmoid(ops.matmul(sources, weights["forget_gate"]))
            keep = ops.matmul(forget_gate, spread)
            values["forget_gate"] = forget_gate
        else:
            keep = ops.full_like(previous_state, cell.state_decay)
        input_cells = ops.matmul(input_gate, spread)
        output_cells = ops.matmul(output_gate, spread)
        state = keep * previous_state + input_cells * g(cell_net)
        output = output_cells * h(state)
        prediction = ops.sigmoid(ops.matmul(output, weights["readout"]) + weights["readout_bias"])
        return {
            **values,
            "input_gate": input_gate,
            "output_gate": output_gate,
            "keep": keep,
            "input_cells": input_cells,
            "output_cells": output_cells,
            "state": state,
            "output": output,
            "prediction": prediction,
        }

    # ---- one symbol
    def step(self, weights: dict, carry: dict, symbol, string_start, target):
        """One symbol of every stream: predict, judge, update the weights, carry on.
        ``symbol`` (batch, inputs) one-hot, ``string_start`` (batch,), ``target``
        (batch, outputs). Returns the new (weights, carry)."""
        from keras import ops

        cell = self.cell
        g, g_slope, h, h_slope = _squashing(cell.squashing)
        spread = self._spread()
        start = string_start[:, None]

        # a stream that has ended (or grown too long) begins again at a string start
        restart = start * ops.maximum(
            carry["stopped"][:, None],
            ops.cast(carry["length"][:, None] >= self.max_training_stream, "float32"),
        )
        kept = 1.0 - restart
        if cell.external_reset:
            kept = kept * (1.0 - start)
        previous_output = carry["output"] * kept
        previous_state = carry["state"] * kept
        if self.gradient_window is not None:  # the ablation's window starts here
            kept_derivatives = kept * ops.cast(carry["window_position"] > 0, "float32")
        else:
            kept_derivatives = kept
        derivatives = {
            name: carry[name] * kept_derivatives[:, :, None]
            for name in ("cell_derivative", "input_gate_derivative", "forget_gate_derivative")
        }
        stopped = carry["stopped"] * (1.0 - restart[:, 0])
        active = 1.0 - stopped

        # forward: the 2000 cell, then the readout
        forward = self.forward(weights, symbol, previous_output, previous_state)
        sources, cell_net, keep = forward["sources"], forward["cell_net"], forward["keep"]
        input_gate, output_gate = forward["input_gate"], forward["output_gate"]
        forget_gate = forward.get("forget_gate")
        input_cells, output_cells = forward["input_cells"], forward["output_cells"]
        state, output, prediction = forward["state"], forward["output"], forward["prediction"]

        # the derivatives of the states, carried forward
        def carried(derivative, local):
            return keep[:, None, :] * derivative + sources[:, :, None] * local[:, None, :]

        derivatives["cell_derivative"] = carried(
            derivatives["cell_derivative"], input_cells * g_slope(cell_net)
        )
        derivatives["input_gate_derivative"] = carried(
            derivatives["input_gate_derivative"],
            g(cell_net) * ops.matmul(input_gate * (1.0 - input_gate), spread),
        )
        if cell.forget_gate:
            derivatives["forget_gate_derivative"] = carried(
                derivatives["forget_gate_derivative"],
                previous_state * ops.matmul(forget_gate * (1.0 - forget_gate), spread),
            )

        # errors of this symbol, only for streams still running
        difference = prediction - target
        correct = ops.cast(ops.all(ops.square(difference) < self.threshold, axis=1), "float32")
        output_delta = difference * prediction * (1.0 - prediction) * active[:, None]
        output_error = ops.matmul(output_delta, ops.transpose(weights["readout"]))
        output_gate_delta = (
            output_gate
            * (1.0 - output_gate)
            * ops.matmul(h(state) * output_error, ops.transpose(spread))
        )
        state_error = output_cells * h_slope(state) * output_error

        def through_state(derivative):
            return ops.sum(derivative * state_error[:, None, :], axis=0)

        gradients = {
            "readout": ops.matmul(ops.transpose(output), output_delta),
            "readout_bias": ops.sum(output_delta, axis=0),
            "output_gate": ops.matmul(ops.transpose(sources), output_gate_delta),
            "cell": through_state(derivatives["cell_derivative"]),
            "input_gate": ops.matmul(
                through_state(derivatives["input_gate_derivative"]), ops.transpose(spread)
            ),
        }
        if cell.forget_gate:
            gradients["forget_gate"] = ops.matmul(
                through_state(derivatives["forget_gate_derivative"]), ops.transpose(spread)
            )
        if self.update_window is not None:  # the ablation: one step at the window's end
            gradients = {name: carry[f"pending_{name}"] + gradients[name] for name in gradients}
            taken = ops.cast(carry["window_position"] >= self.update_window - 1, "float32")
        else:
            taken = 1.0
        rate = self.learning_rate * taken
        if self.clip_norm is not None:
            norm = ops.sqrt(sum(ops.sum(ops.square(value)) for value in gradients.values()))
            rate = rate * ops.minimum(1.0, self.clip_norm / ops.maximum(norm, 1e-12))
        weights = {name: weights[name] - rate * gradients[name] for name in weights}
        pending = (
            {f"pending_{name}": value * (1.0 - taken) for name, value in gradients.items()}
            if self.update_window is not None
            else {}
        )

        # where a stream erred or stopped, its state is left and its derivatives unused
        running = active[:, None]
        length = carry["length"] * (1.0 - restart[:, 0]) + active
        erred = active * (1.0 - correct) if self.end_at_first_error else ops.zeros_like(active)
        long_enough = active * ops.cast(length == self.max_training_stream, "float32")
        carry = {
            "output": running * output + (1.0 - running) * previous_output,
            "state": running * state + (1.0 - running) * previous_state,
            **derivatives,
            "stopped": ops.maximum(stopped, erred),
            "length": length,
            "window_position": (
                ops.mod(carry["window_position"] + 1.0, float(self.window))
                if self.window is not None
                else carry["window_position"]
            ),
            **pending,
            "streams": carry["streams"] + ops.sum(restart),
            # streams ended here: at their first error, or at max_training_stream symbols
            "ended": carry["ended"] + ops.sum(ops.maximum(erred, long_enough)),
            "squared_error": carry["squared_error"]
            + ops.sum(ops.mean(ops.square(difference), axis=1) * active),
            "updates": carry["updates"] + ops.sum(active),
        }
        return weights, carry

    # ---- a stretch of symbols
    def train(self, symbols: np.ndarray, string_starts: np.ndarray, targets: np.ndarray) -> float:
        """Read (batch, length) symbols with their string starts and next-symbol targets,
        updating after every symbol. Returns the mean squared error of the predictions
        made in running streams (``None`` if every stream waited for a string start)."""
        from keras import ops

        from recurrent_bottleneck.autodiff import compiled

        if self._chunk is None:
            inputs = self.cell.kernel.shape[0]

            def chunk(weights, carry, symbols, string_starts, targets):
                one_hot = ops.one_hot(symbols, inputs)

                def body(position, values):
                    return self.step(
                        *values,
                        one_hot[:, position],
                        string_starts[:, position],
                        targets[:, position],
                    )

                return ops.fori_loop(0, symbols.shape[1], body, (weights, carry))

            self._chunk = compiled(chunk)
        squared_before, updates_before = self.totals()
        self.weights, self.carry = self._chunk(
            self.weights,
            self.carry,
            ops.convert_to_tensor(np.asarray(symbols, np.int32)),
            ops.convert_to_tensor(np.asarray(string_starts, np.float32)),
            ops.convert_to_tensor(np.asarray(targets, np.float32)),
        )
        squared, updates = np.subtract(self.totals(), (squared_before, updates_before))
        return float(squared / updates) if updates else None

    STOPS = (None, "stream_end", "streams", "quick_test")  # why train_until stopped

    def train_until(
        self,
        symbols: np.ndarray,
        string_starts: np.ndarray,
        targets: np.ndarray,
        start: int = 0,
        test_set: dict | None = None,
        stream_budget: int | None = None,
    ) -> tuple[int, str | None]:
        """As :meth:`train`, from position ``start`` of the arrays, looking at the net
        whenever a training stream ends (its first error, or its ``max_training_stream``-th
        symbol), as the paper tested it after every training stream. Stops right after
        that symbol's update when the ``stream_budget``-th stream has ended ("streams"),
        or when :meth:`error_free_lengths` finds every stream of ``test_set`` error-free
        ("quick_test"), or, without a test set, at every stream's end ("stream_end").
        Returns the position to go on from and why it stopped (``None``: the arrays'
        end). Read in any number of calls, the same symbols change the weights as one
        call of :meth:`train` does."""
        from keras import ops

        from recurrent_bottleneck.autodiff import compiled

        mode = (test_set is not None, stream_budget is not None)
        if mode not in self._until:
            inputs = self.cell.kernel.shape[0]
            testing, budgeted = mode

            def until(weights, carry, symbols, string_starts, targets, start, test, budget):
                one_hot = ops.one_hot(symbols, inputs)
                length = symbols.shape[1]

                def going_on(position, stop, weights, carry):
                    return ops.logical_and(position < length, stop == 0)

                def body(position, stop, weights, carry):
                    weights, after = self.step(
                        weights,
                        carry,
                        one_hot[:, position],
                        string_starts[:, position],
                        targets[:, position],
                    )
                    ended = after["ended"] > carry["ended"]
                    stop = ops.where(ended, self.STOPS.index("stream_end"), 0)
                    if budgeted:
                        spent = ops.logical_and(ended, after["streams"] >= budget)
                        stop = ops.where(spent, self.STOPS.index("streams"), stop)
                    if testing:
                        test_length = test[0].shape[1]

                        def quick_test():
                            lengths = self._first_errors(weights, *test)
                            return ops.all(lengths >= test_length)

                        look = ops.logical_and(ended, stop != self.STOPS.index("streams"))
                        passed = ops.cond(look, quick_test, lambda: ops.convert_to_tensor(False))
                        keep_going = ops.logical_and(look, ops.logical_not(passed))
                        stop = ops.where(passed, self.STOPS.index("quick_test"), stop)
                        stop = ops.where(keep_going, 0, stop)
                    return position + 1, stop, weights, after

                begin = (start, ops.convert_to_tensor(np.int32(0)), weights, carry)
                position, stop, weights, carry = ops.while_loop(going_on, body, begin)
                return position, stop, weights, carry

            self._until[mode] = compiled(until)
        test = self._test_tensors(test_set) if test_set is not None else ()
        position, stop, self.weights, self.carry = self._until[mode](
            self.weights,
            self.carry,
            ops.convert_to_tensor(np.asarray(symbols, np.int32)),
            ops.convert_to_tensor(np.asarray(string_starts, np.float32)),
            ops.convert_to_tensor(np.asarray(targets, np.float32)),
            ops.convert_to_tensor(np.int32(start)),
            test,
            ops.convert_to_tensor(np.float32(stream_budget or 0)),
        )
        return int(ops.convert_to_numpy(position)), self.STOPS[int(ops.convert_to_numpy(stop))]

    def _test_tensors(self, test_set: dict) -> tuple:
        """The test streams as tensors: (one-hot symbols, string starts, targets),
        converted once, since a run tests on the same streams every time (at paper scale
        their targets are 28 MB, which took longer to convert than most tests)."""
        from keras import ops

        if self._test_set is None or self._test_set[0] is not test_set:
            inputs = self.cell.kernel.shape[0]
            symbols = ops.convert_to_tensor(np.asarray(test_set["symbols"], np.int32))
            self._test_set = (
                test_set,
                (
                    ops.one_hot(symbols, inputs),
                    ops.convert_to_tensor(np.asarray(test_set["string_starts"], np.float32)),
                    ops.convert_to_tensor(np.asarray(test_set["targets"], np.float32)),
                ),
            )
        return self._test_set[1]

    def _first_errors(self, weights: dict, one_hot, string_starts, targets):
        """Per test stream, the position of its first wrong prediction (its length if
        none), reading from a zero state (reset at string starts for the reset row) and
        stopping once every stream has erred."""
        from keras import ops

        count, length = string_starts.shape
        zeros = ops.zeros((count, weights["cell"].shape[1]), "float32")

        def going_on(position, output, state, first_error):
            return ops.logical_and(position < length, ops.any(first_error >= length))

        def body(position, output, state, first_error):
            if self.cell.external_reset:
                kept = 1.0 - string_starts[:, position][:, None]
                output, state = output * kept, state * kept
            forward = self.forward(weights, one_hot[:, position], output, state)
            difference = forward["prediction"] - targets[:, position]
            wrong = ops.logical_not(ops.all(ops.square(difference) < self.threshold, axis=1))
            first_error = ops.where(
                ops.logical_and(wrong, first_error >= length), position, first_error
            )
            return position + 1, forward["output"], forward["state"], first_error

        first = ops.full((count,), length, "int32")
        begin = (ops.convert_to_tensor(np.int32(0)), zeros, zeros, first)
        return ops.while_loop(going_on, body, begin)[3]

    def error_free_lengths(self, test_set: dict) -> np.ndarray:
        """How far each test stream is predicted without error by the learner's weights,
        from a zero state (reset at string starts for the reset row), judged by the
        learner's ``threshold``: a test that reads each stream only up to its first error,
        so that it costs little until the net is nearly perfect."""
        from keras import ops

        from recurrent_bottleneck.autodiff import compiled

        if self._error_free is None:
            self._error_free = compiled(self._first_errors)
        lengths = self._error_free(self.weights, *self._test_tensors(test_set))
        return ops.convert_to_numpy(lengths)

    def totals(self) -> tuple[float, float]:
        """The summed squared error of every prediction made in running streams so far,
        and how many there were."""
        from keras import ops

        return tuple(
            float(ops.convert_to_numpy(self.carry[key])) for key in ("squared_error", "updates")
        )

    @property
    def streams_started(self) -> int:
        from keras import ops

        return int(ops.convert_to_numpy(self.carry["streams"]))

    def progress(self) -> dict:
        """The streams' states and derivatives, as JSON (for a checkpoint); the weights
        go into the layers (:meth:`write_weights`)."""
        from keras import ops

        return {name: ops.convert_to_numpy(value).tolist() for name, value in self.carry.items()}

    def resume(self, progress: dict) -> None:
        """Continue from :meth:`progress`, with the layers' (restored) weights."""
        from keras import ops

        self.weights = self.read_weights()
        # checkpoints written before these counters existed start them at zero
        progress = {"window_position": 0.0, "ended": 0.0, **progress}
        self.carry = {
            name: ops.convert_to_tensor(np.asarray(progress[name], np.float32))
            for name in self.carry
        }
