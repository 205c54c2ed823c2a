"""The 2000 paper's online learning: its forward-in-time gradient is the truncated
gradient backpropagation computes, and its streams end and begin as the paper's."""

import keras
import numpy as np
import pytest

from recurrent_bottleneck.autodiff import gradient
from recurrent_bottleneck.models.continual import ROWS, build_models
from recurrent_bottleneck.models.online import OnlineLearner
from recurrent_bottleneck.tasks import reber

CELL = {
    "blocks": 2,
    "cells_per_block": 2,
    "input_gate_biases": [-0.5, -1.0],
    "output_gate_biases": [-0.5, -1.0],
    "forget_gate_biases": [0.5, 1.0],
    "state_decay": 0.9,
    "squashing": "paper",
    "truncated": True,
    "initial_weight_range": 0.5,
}
SYMBOLS = len(reber.SYMBOLS)


def one_stream(seed: int, length: int):
    """(symbols, string starts, targets) of one generated stream, each (1, length, ...)."""
    stream = reber.stream(np.random.default_rng(seed), length)
    return tuple(stream[key][None, :length] for key in ("symbols", "string_starts", "targets"))


def models(row, cell=CELL, batch_size=1):
    keras.utils.set_random_seed(3)
    return build_models(
        row,
        cell,
        SYMBOLS,
        batch_size,
        5,
        optimizer="sgd",
        learning_rate=0.5,
        clip_norm=None,
        threshold=0.49,
    )


def learner_for(training_model, recurrent, batch_size=1, **options):
    settings = {"learning_rate": 1.0, "threshold": 10.0, "max_training_stream": 10**6}
    settings.update(options)
    return OnlineLearner(
        recurrent.cell, training_model.get_layer("readout"), batch_size, **settings
    )


@pytest.mark.parametrize("row", sorted(ROWS))
@pytest.mark.parametrize("squashing", ["paper", "tanh"])
def test_the_update_after_the_last_symbol_is_the_truncated_gradient_of_its_error(row, squashing):
    """Weights held fixed for T - 1 symbols (rate 0), then one step at rate 1: every weight
    moves by minus the gradient of E(T) = 1/2 sum_k (p_k(T) - target_k(T))^2 that
    backpropagation through the truncated cell gives (error back in time only through s)."""
    training_model, _, recurrent = models(row, {**CELL, "squashing": squashing})
    symbols, starts, targets = one_stream(1, 12)

    # the reference: a fresh (non-stateful) copy of the training model, differentiated
    inputs = keras.Input(shape=(12,), dtype="int32")
    resets = keras.Input(shape=(12, 1))
    one_hot = keras.layers.Embedding(
        SYMBOLS,
        SYMBOLS,
        trainable=False,
        embeddings_initializer=keras.initializers.Constant(np.eye(SYMBOLS)),
    )(inputs)
    features = keras.layers.Concatenate()([one_hot, resets])
    cell = type(recurrent.cell).from_config(recurrent.cell.get_config())
    hidden = keras.layers.RNN(cell, return_sequences=True)(features)
    readout = keras.layers.Dense(SYMBOLS, activation="sigmoid")
    reference = keras.Model([inputs, resets], readout(hidden))
    reference.layers[-2].set_weights(recurrent.get_weights())
    readout.set_weights(training_model.get_layer("readout").get_weights())
    trainable = [variable.value for variable in reference.trainable_variables]
    non_trainable = [variable.value for variable in reference.non_trainable_variables]

    def last_error(*values):
        predictions, _ = reference.stateless_call(
            list(values), non_trainable, [symbols, starts[..., None]]
        )
        return 0.5 * keras.ops.sum(keras.ops.square(predictions[0, -1] - targets[0, -1]))

    expected = gradient(last_error, trainable)

    learner = learner_for(training_model, recurrent, learning_rate=0.0)
    learner.train(symbols[:, :-1], starts[:, :-1], targets[:, :-1])
    before = [np.array(variable) for variable in reference.trainable_variables]
    learner.learning_rate = 1.0
    learner._chunk = None  # compiled with the old rate
    learner.train(symbols[:, -1:], starts[:, -1:], targets[:, -1:])
    learner.write_weights()
    after = recurrent.get_weights() + training_model.get_layer("readout").get_weights()
    assert len(after) == len(expected)
    for old, new, slope in zip(before, after, expected, strict=True):
        np.testing.assert_allclose(old - new, slope, rtol=2e-4, atol=1e-6)


def test_a_stream_ends_at_its_first_error_and_the_next_begins_at_a_string_start():
    """With a test nothing passes, every stream makes one prediction (one update) and the
    next begins at the next string start; with one everything passes, a single stream
    reads everything."""
    symbols, starts, targets = one_stream(2, 400)
    later_starts = int(starts[0, 1:].sum())

    training_model, _, recurrent = models("forget_gate")
    strict = learner_for(training_model, recurrent, threshold=0.0, learning_rate=0.1)
    strict.train(symbols, starts, targets)
    assert strict.streams_started == 1 + later_starts
    assert float(strict.carry["updates"]) == 1 + later_starts

    training_model, _, recurrent = models("forget_gate")
    lenient = learner_for(training_model, recurrent, threshold=10.0, learning_rate=0.1)
    lenient.train(symbols[:, :200], starts[:, :200], targets[:, :200])
    lenient.train(symbols[:, 200:], starts[:, 200:], targets[:, 200:])
    assert lenient.streams_started == 1
    assert float(lenient.carry["updates"]) == 400


def test_a_stream_that_grew_too_long_begins_again_at_the_next_string_start():
    symbols, starts, targets = one_stream(4, 300)
    training_model, _, recurrent = models("no_reset")
    learner = learner_for(training_model, recurrent, threshold=10.0, max_training_stream=100)
    learner.train(symbols, starts, targets)
    begins, length = 0, 0
    for position in range(1, 300):  # the same rule, written out
        length += 1
        if starts[0, position] and length >= 100:
            begins, length = begins + 1, 0
    assert begins >= 2
    assert learner.streams_started == 1 + begins


def test_the_reset_row_forgets_its_state_and_derivatives_at_every_string_start():
    symbols, starts, targets = one_stream(5, 100)
    last_start = int(np.flatnonzero(starts[0])[-1])
    symbols, starts, targets = (part[:, : last_start + 1] for part in (symbols, starts, targets))
    training_model, _, recurrent = models("reset")
    learner = learner_for(training_model, recurrent, learning_rate=0.0)
    learner.train(symbols, starts, targets)
    one_symbol = learner_for(training_model, recurrent, learning_rate=0.0)
    one_symbol.train(symbols[:, -1:], starts[:, -1:], targets[:, -1:])
    for name in ("state", "output", "cell_derivative", "input_gate_derivative"):
        np.testing.assert_allclose(
            np.asarray(learner.carry[name]), np.asarray(one_symbol.carry[name]), atol=1e-7
        )


def test_checkpointed_progress_resumes_the_same_run():
    symbols, starts, targets = one_stream(6, 200)
    training_model, _, recurrent = models("forget_gate")
    whole = learner_for(training_model, recurrent, threshold=0.49, learning_rate=0.5)
    whole.train(symbols, starts, targets)

    training_model, _, recurrent = models("forget_gate")
    first = learner_for(training_model, recurrent, threshold=0.49, learning_rate=0.5)
    first.train(symbols[:, :120], starts[:, :120], targets[:, :120])
    first.write_weights()
    progress = first.progress()
    second = learner_for(training_model, recurrent, threshold=0.49, learning_rate=0.5)
    second.resume(progress)
    second.train(symbols[:, 120:], starts[:, 120:], targets[:, 120:])
    assert second.streams_started == whole.streams_started
    for name, value in whole.weights.items():
        np.testing.assert_allclose(np.asarray(second.weights[name]), np.asarray(value), rtol=1e-5)


def test_the_full_gradient_is_refused():
    training_model, _, recurrent = models("forget_gate", {**CELL, "truncated": False})
    with pytest.raises(ValueError, match="truncated: true"):
        learner_for(training_model, recurrent)
