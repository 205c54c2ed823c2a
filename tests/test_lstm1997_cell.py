"""The 1997 cell against its equations, its carousel, and the absence of a forget gate."""

import keras
import numpy as np
import pytest

from recurrent_bottleneck.cells.lstm1997 import OriginalLSTMCell
from recurrent_bottleneck.milestones.long_time_lags import cell_state_gradients


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def numpy_reference(inputs, kernel, recurrent_kernel, cell_bias, gate_bias, blocks, size):
    """The paper's equations, written out step by step for one sequence."""
    units = blocks * size
    output, state = np.zeros(units), np.zeros(units)
    outputs, states = [], []
    for x in inputs:
        nets = x @ kernel + output @ recurrent_kernel + np.concatenate([cell_bias, gate_bias])
        cell_input = 4 * sigmoid(nets[:units]) - 2  # g in [-2, 2]
        input_gate = np.repeat(sigmoid(nets[units : units + blocks]), size)
        output_gate = np.repeat(sigmoid(nets[units + blocks :]), size)
        state = state + input_gate * cell_input  # self-connection fixed at 1.0
        output = output_gate * (2 * sigmoid(state) - 1)  # h in [-1, 1]
        outputs.append(output)
        states.append(state)
    return np.array(outputs), np.array(states)


@pytest.mark.parametrize(("blocks", "size"), [(1, 1), (2, 3)])
def test_matches_the_equations_on_random_weights(blocks, size):
    random = np.random.default_rng(0)
    cell = OriginalLSTMCell(
        blocks, size, input_gate_biases=(-1.0, -2.0), output_gate_biases=(-0.5,)
    )
    layer = keras.layers.RNN(cell, return_sequences=True, return_state=True)
    inputs = random.normal(size=(1, 12, 4)).astype("float32")
    layer(inputs)  # build
    for weight in (cell.kernel, cell.recurrent_kernel, cell.cell_bias, cell.gate_bias):
        weight.assign(random.normal(size=weight.shape).astype("float32"))
    outputs, _, final_state = layer(inputs)
    expected_outputs, expected_states = numpy_reference(
        inputs[0],
        *(
            keras.ops.convert_to_numpy(w)
            for w in (cell.kernel, cell.recurrent_kernel, cell.cell_bias, cell.gate_bias)
        ),
        blocks,
        size,
    )
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(outputs)[0], expected_outputs, rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(final_state)[0], expected_states[-1], rtol=1e-5, atol=1e-6
    )


def test_gate_biases_are_initialised_per_block():
    cell = OriginalLSTMCell(
        blocks=3,
        cells_per_block=2,
        input_gate_biases=(-3.0, -6.0),
        output_gate_biases=(-1.0, -2.0, -3.0),
    )
    cell.build((None, 5))
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(cell.gate_bias), [-3, -6, -3, -1, -2, -3]
    )


def test_has_no_forget_gate():
    cell = OriginalLSTMCell(blocks=2, cells_per_block=2)
    cell.build((None, 3))
    names = sorted(weight.name for weight in cell.weights)
    assert names == ["cell_bias", "gate_bias", "kernel", "recurrent_kernel"]
    # columns: 4 cell inputs + 2 input gates + 2 output gates, and nothing else
    assert cell.kernel.shape == (3, 8)
    assert cell.recurrent_kernel.shape == (4, 8)
    assert cell.gate_bias.shape == (4,)
    assert not any("forget" in name for name in names)


def state_path_gradients(cell, inputs):
    """dL/ds(t) for every t, with L = the sum of the last state."""
    return cell_state_gradients(cell, inputs, np.ones(cell.units, "float32"))


@pytest.mark.parametrize("truncated", [False, True])
def test_error_through_a_closed_input_gate_stays_exactly_one(truncated):
    random = np.random.default_rng(1)
    cell = OriginalLSTMCell(
        blocks=2, cells_per_block=2, input_gate_biases=(-200.0,), truncated=truncated
    )
    inputs = random.normal(size=(3, 40, 2)).astype("float32")
    cell.build((None, 2))
    np.testing.assert_array_equal(state_path_gradients(cell, inputs), 1.0)


def test_truncated_gradient_flows_back_only_through_the_carousel():
    # Gates open and weights large: with truncation ds(T)/ds(t) is still exactly 1,
    # while full BPTT adds paths through y(t-1) that change it.
    random = np.random.default_rng(2)
    inputs = random.normal(size=(2, 30, 2)).astype("float32")
    results = {}
    for truncated in (True, False):
        keras.utils.set_random_seed(3)
        cell = OriginalLSTMCell(
            blocks=2,
            cells_per_block=1,
            input_gate_biases=(2.0,),
            output_gate_biases=(2.0,),
            truncated=truncated,
            recurrent_initializer=keras.initializers.RandomNormal(stddev=2.0),
        )
        cell.build((None, 2))
        results[truncated] = state_path_gradients(cell, inputs)
    np.testing.assert_array_equal(results[True], 1.0)
    assert np.max(np.abs(results[False] - 1.0)) > 1e-3
