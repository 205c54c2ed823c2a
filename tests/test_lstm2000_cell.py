"""The 2000 cell: its equations, its 1997 special case, the external reset, the trace."""

import keras
import numpy as np
import pytest

from recurrent_bottleneck.cells.lstm1997 import OriginalLSTMCell
from recurrent_bottleneck.cells.lstm2000 import ForgetGateLSTMCell


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def numpy_reference(inputs, weights, blocks, size, decay=None):
    """s(t) = y_phi(t) s(t-1) + y_in(t) g(net_c(t)), written out; ``decay`` replaces y_phi."""
    units = blocks * size
    output, state = np.zeros(units), np.zeros(units)
    outputs, states = [], []
    for x in inputs:
        nets = (
            x @ weights["kernel"]
            + output @ weights["recurrent_kernel"]
            + np.concatenate([weights["cell_bias"], weights["gate_bias"]])
        )
        cell_input = 4 * sigmoid(nets[:units]) - 2
        input_gate = np.repeat(sigmoid(nets[units : units + blocks]), size)
        output_gate = np.repeat(sigmoid(nets[units + blocks :]), size)
        if decay is None:
            forget_net = (
                x @ weights["forget_kernel"]
                + output @ weights["forget_recurrent_kernel"]
                + weights["forget_bias"]
            )
            keep = np.repeat(sigmoid(forget_net), size)
        else:
            keep = decay
        state = keep * state + input_gate * cell_input
        output = output_gate * (2 * sigmoid(state) - 1)
        outputs.append(output)
        states.append(state)
    return np.array(outputs), np.array(states)


def randomise(cell, random):
    for weight in cell.weights:
        weight.assign(random.normal(size=weight.shape).astype("float32"))
    return {
        weight.name: keras.ops.convert_to_numpy(weight).astype("float64") for weight in cell.weights
    }


def with_reset_column(inputs, resets=None):
    resets = np.zeros(inputs.shape[:-1] + (1,)) if resets is None else resets[..., None]
    return np.concatenate([inputs, resets], axis=-1).astype("float32")


@pytest.mark.parametrize(("forget_gate", "decay"), [(True, None), (False, 0.9)])
def test_matches_the_equations(forget_gate, decay):
    random = np.random.default_rng(0)
    cell = ForgetGateLSTMCell(
        2, 3, forget_gate=forget_gate, state_decay=decay or 1.0, forget_gate_biases=(1.0, 2.0)
    )
    layer = keras.layers.RNN(cell, return_sequences=True)
    inputs = with_reset_column(random.normal(size=(1, 10, 4)))
    layer(inputs)
    weights = randomise(cell, random)
    expected, _ = numpy_reference(inputs[0, :, :-1], weights, 2, 3, decay)
    outputs = keras.ops.convert_to_numpy(layer(inputs))[0]
    np.testing.assert_allclose(outputs, expected, rtol=1e-5, atol=1e-6)


def test_forget_gate_parameters_and_biases():
    cell = ForgetGateLSTMCell(4, 2, forget_gate_biases=(0.5, 1.0, 1.5, 2.0))
    cell.build((None, 8))  # 7 symbols + the reset column
    names = sorted(weight.name for weight in cell.weights)
    assert names == [
        "cell_bias",
        "forget_bias",
        "forget_kernel",
        "forget_recurrent_kernel",
        "gate_bias",
        "kernel",
        "recurrent_kernel",
    ]
    assert cell.kernel.shape == (7, 8 + 4 + 4)  # the reset column has no weights
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(cell.forget_bias), [0.5, 1, 1.5, 2])
    without = ForgetGateLSTMCell(4, 2, forget_gate=False)
    without.build((None, 8))
    assert not any("forget" in weight.name for weight in without.weights)


def test_without_forget_gate_it_is_the_1997_cell():
    random = np.random.default_rng(1)
    inputs = random.normal(size=(2, 15, 3)).astype("float32")
    original = keras.layers.RNN(OriginalLSTMCell(2, 2), return_sequences=True)
    renewed = keras.layers.RNN(ForgetGateLSTMCell(2, 2, forget_gate=False), return_sequences=True)
    original(inputs)
    renewed(with_reset_column(inputs))
    renewed.set_weights(original.get_weights())
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(renewed(with_reset_column(inputs))),
        keras.ops.convert_to_numpy(original(inputs)),
        rtol=1e-6,
    )


@pytest.mark.parametrize("external_reset", [True, False])
def test_external_reset_starts_afresh(external_reset):
    random = np.random.default_rng(2)
    inputs = random.normal(size=(1, 12, 3))
    resets = np.zeros((1, 12))
    resets[0, 5] = 1.0
    layer = keras.layers.RNN(
        ForgetGateLSTMCell(2, 2, forget_gate=False, external_reset=external_reset),
        return_sequences=True,
    )
    whole = keras.ops.convert_to_numpy(layer(with_reset_column(inputs, resets)))
    tail = keras.ops.convert_to_numpy(layer(with_reset_column(inputs[:, 5:])))
    if external_reset:  # from the reset on, as if the stream began there
        np.testing.assert_allclose(whole[:, 5:], tail, rtol=1e-5, atol=1e-6)
    else:  # the column is ignored: the state carries on
        assert not np.allclose(whole[:, 5:], tail, atol=1e-3)


def test_trace_exposes_states_and_forget_gates():
    random = np.random.default_rng(3)
    inputs = with_reset_column(random.normal(size=(1, 9, 3)))
    plain = keras.layers.RNN(ForgetGateLSTMCell(2, 2), return_sequences=True, return_state=True)
    traced = keras.layers.RNN(ForgetGateLSTMCell(2, 2, trace=True), return_sequences=True)
    outputs, _, final_state = plain(inputs)
    traced(inputs)
    traced.set_weights(plain.get_weights())
    trace = keras.ops.convert_to_numpy(traced(inputs))[0]
    np.testing.assert_allclose(trace[:, :4], keras.ops.convert_to_numpy(outputs)[0], rtol=1e-6)
    np.testing.assert_allclose(
        trace[-1, 4:8], keras.ops.convert_to_numpy(final_state)[0], rtol=1e-6
    )
    keep = trace[:, 8:]
    assert np.all((keep > 0) & (keep < 1))
    np.testing.assert_array_equal(keep[:, 0], keep[:, 1])  # one gate per block of two cells


def test_forget_gate_and_decay_are_exclusive():
    with pytest.raises(ValueError, match="state decay"):
        ForgetGateLSTMCell(1, 1, forget_gate=True, state_decay=0.9)
