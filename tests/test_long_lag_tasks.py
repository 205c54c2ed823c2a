"""The 1997 tasks generated exactly as the paper defines them."""

import numpy as np
import pytest

from recurrent_bottleneck.tasks import adding, long_lag


@pytest.mark.parametrize("length", [22, 100])
def test_adding_problem_follows_experiment_4(length):
    inputs, targets, lengths = adding.generate(np.random.default_rng(0), 300, length)
    longest = length + length // 10
    assert inputs.shape == (300, longest, 2) and targets.shape == (300, 1)
    assert lengths.min() >= length and lengths.max() <= longest
    for row, sequence_length in enumerate(lengths):
        padding, sequence = (
            inputs[row, : longest - sequence_length],
            inputs[row, longest - sequence_length :],
        )
        assert np.all(padding == adding.PAD)
        values, markers = sequence[:, 0], sequence[:, 1]
        assert np.all(np.abs(values) <= 1.0)
        marked = np.flatnonzero(markers == 1.0)
        assert len(marked) == 2
        # one mark (X1) among the first ten pairs, the other (X2) among the first T/2 - 1
        first, second = marked
        assert (first < 10 and second < length // 2 - 1) or (
            second < 10 and first < length // 2 - 1
        )
        for end in (0, sequence_length - 1):
            assert markers[end] in (-1.0, 1.0)
        assert set(np.unique(markers)) <= {-1.0, 0.0, 1.0}
        assert np.sum(markers == -1.0) == 2 - (first == 0)
        if first == 0:
            assert values[0] == 0.0  # the rare case: X1 is set to zero
        expected = 0.5 + values[marked].sum() / 4.0
        assert targets[row, 0] == pytest.approx(expected, abs=1e-6)
    assert targets.min() >= 0.0 and targets.max() <= 1.0


def test_adding_problem_refuses_lengths_too_short_for_its_definition():
    with pytest.raises(ValueError, match="length >= 22"):
        adding.generate(np.random.default_rng(0), 3, 21)


def test_adding_correctness_threshold():
    verdicts = adding.correct(np.array([0.5, 0.5, 0.5]), np.array([[0.539], [0.541], [0.46]]))
    assert verdicts.tolist() == [True, False, True]


@pytest.mark.parametrize(("lag", "distractors"), [(10, 10), (50, 7)])
def test_long_lag_task_follows_experiment_2c(lag, distractors):
    numbers, targets, lengths = long_lag.generate(np.random.default_rng(1), 400, lag, distractors)
    inputs = long_lag.one_hot(numbers, distractors)
    symbols = long_lag.symbol_indices(distractors)
    steps = lag + 40 + 3
    assert numbers.shape == (400, steps) and numbers.dtype == np.int32
    assert inputs.shape == (400, steps, distractors + 4)
    assert np.all(lengths >= lag + 3)
    extras = lengths - lag - 3
    assert 6 < extras.mean() < 12  # geometric with continuation 9/10: mean 9 (capped)
    for row, length in enumerate(lengths):
        padding, sequence = inputs[row, : steps - length], inputs[row, steps - length :]
        assert np.all(numbers[row, : steps - length] == 0)
        assert np.all(padding == 0.0)
        assert np.all(sequence.sum(axis=1) == 1.0)  # one-hot
        symbol = sequence.argmax(axis=1)
        assert symbol[0] == symbols["b"]
        assert symbol[1] == (symbols["x"] if targets[row, 0] == 1.0 else symbols["y"])
        assert symbol[-1] == symbols["e"]
        assert np.all(symbol[2:-1] < distractors)  # only distractors in between
    assert 0.4 < targets.mean() < 0.6


def test_symbol_inputs_give_the_same_net_as_one_hot_inputs():
    # The frozen one-hot embedding (with padding masked) is the paper's input layer.
    import keras

    from recurrent_bottleneck.models.recurrent import build_model

    numbers, _, _ = long_lag.generate(np.random.default_rng(2), 4, 6, 5, max_extra=4)
    cell = {
        "cells_per_block": 2,
        "input_gate_biases": [-1.0],
        "output_gate_biases": [-1.0],
        "squashing": "paper",
        "truncated": False,
    }
    arguments = ("lstm1997", numbers.shape[1], 9, 0.0, 4, cell, "binary_crossentropy", 0.01, 1.0)
    keras.utils.set_random_seed(0)
    from_symbols = build_model(*arguments, symbols=True)
    keras.utils.set_random_seed(0)
    from_vectors = build_model(*arguments)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(from_symbols(numbers)),
        keras.ops.convert_to_numpy(from_vectors(long_lag.one_hot(numbers, 5))),
        rtol=1e-6,
    )


def test_minimal_lag_of_the_tasks():
    from recurrent_bottleneck.milestones.long_time_lags import minimal_lag

    assert minimal_lag("adding", 100) == 50
    assert minimal_lag("long_lag", 100) == 101
