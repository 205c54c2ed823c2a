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


class Reference:
    """A fresh (non-stateful) copy of the training model, to differentiate by
    backpropagation: its predictions for (1, length) symbols from a given initial state
    [y, s] (constants, as the truncated gradient treats them)."""

    def __init__(self, training_model, recurrent):
        inputs = keras.Input(shape=(None,), dtype="int32")
        resets = keras.Input(shape=(None, 1))
        initial = [keras.Input(shape=(recurrent.cell.units,)) for _ in range(2)]
        one_hot = keras.layers.Embedding(
            SYMBOLS,
            SYMBOLS,
            trainable=False,
            embeddings_initializer=keras.initializers.Constant(np.eye(SYMBOLS)),
        )(inputs)
        features = keras.layers.Concatenate()([one_hot, resets])
        cell = type(recurrent.cell).from_config(recurrent.cell.get_config())
        hidden, *states = keras.layers.RNN(cell, return_sequences=True, return_state=True)(
            features, initial_state=initial
        )
        readout = keras.layers.Dense(SYMBOLS, activation="sigmoid")
        self.model = keras.Model([inputs, resets, *initial], [readout(hidden), *states])
        self.model.get_layer(index=-2).set_weights(recurrent.get_weights())
        readout.set_weights(training_model.get_layer("readout").get_weights())
        self.units = recurrent.cell.units
        self.trainable = [variable.value for variable in self.model.trainable_variables]
        self.non_trainable = [variable.value for variable in self.model.non_trainable_variables]

    def run(self, trainable, symbols, starts, initial=None):
        """(predictions, [y, s] at the end) for one stream's symbols."""
        if initial is None:
            initial = [np.zeros((1, self.units), np.float32)] * 2
        (predictions, *states), _ = self.model.stateless_call(
            list(trainable), self.non_trainable, [symbols, starts[..., None], *initial]
        )
        return predictions, states

    def last_error_gradient(self, symbols, starts, targets, initial=None):
        """The gradient of E(T) = 1/2 sum_k (p_k(T) - target_k(T))^2 for the last symbol."""

        def last_error(*values):
            predictions, _ = self.run(values, symbols, starts, initial)
            return 0.5 * keras.ops.sum(keras.ops.square(predictions[0, -1] - targets[0, -1]))

        return gradient(last_error, self.trainable)


def last_update(learner, training_model, recurrent, symbols, starts, targets):
    """Every weight's change at the last symbol, the weights held fixed before it (rate 0
    for T - 1 symbols, then rate 1 for one)."""
    before = recurrent.get_weights() + training_model.get_layer("readout").get_weights()
    learner.learning_rate = 0.0
    learner.train(symbols[:, :-1], starts[:, :-1], targets[:, :-1])
    learner.learning_rate = 1.0
    learner._chunk = None  # compiled with the old rate
    learner.train(symbols[:, -1:], starts[:, -1:], targets[:, -1:])
    learner.write_weights()
    after = recurrent.get_weights() + training_model.get_layer("readout").get_weights()
    return [old - new for old, new in zip(before, after, strict=True)]


@pytest.mark.parametrize("row", sorted(ROWS))
@pytest.mark.parametrize("squashing", ["paper", "tanh"])
def test_the_update_after_the_last_symbol_is_the_truncated_gradient_of_its_error(row, squashing):
    """Weights held fixed for T - 1 symbols, then one step at rate 1: every weight moves by
    minus the gradient of E(T) that backpropagation through the truncated cell gives
    (error back in time only through s)."""
    training_model, _, recurrent = models(row, {**CELL, "squashing": squashing})
    symbols, starts, targets = one_stream(1, 12)
    expected = Reference(training_model, recurrent).last_error_gradient(symbols, starts, targets)

    learner = learner_for(training_model, recurrent)
    update = last_update(learner, training_model, recurrent, symbols, starts, targets)
    assert len(update) == len(expected)
    for moved, slope in zip(update, expected, strict=True):
        np.testing.assert_allclose(moved, slope, rtol=2e-4, atol=1e-6)


@pytest.mark.parametrize("row", ["forget_gate", "no_reset"])
def test_a_gradient_window_reaches_back_only_to_its_start(row):
    """With ``gradient_window`` 5 the derivatives are cleared after symbols 5 and 10, so the
    update at symbol 12 is the gradient of E(12) backpropagated through symbols 11 and 12
    only, from the state after symbol 10 taken as a constant; and it differs from the
    stream-long gradient."""
    training_model, _, recurrent = models(row)
    symbols, starts, targets = one_stream(1, 12)
    reference = Reference(training_model, recurrent)
    _, state = reference.run(reference.trainable, symbols[:, :10], starts[:, :10])
    state = [keras.ops.convert_to_numpy(value) for value in state]
    expected = reference.last_error_gradient(
        symbols[:, 10:], starts[:, 10:], targets[:, 10:], initial=state
    )
    whole_stream = reference.last_error_gradient(symbols, starts, targets)

    learner = learner_for(training_model, recurrent, gradient_window=5)
    update = last_update(learner, training_model, recurrent, symbols, starts, targets)
    for moved, slope in zip(update, expected, strict=True):
        np.testing.assert_allclose(moved, slope, rtol=2e-4, atol=1e-6)
    cell_weights = len(recurrent.get_weights())
    assert any(
        not np.allclose(window, stream, rtol=1e-3, atol=1e-5)
        for window, stream in zip(expected[:cell_weights], whole_stream[:cell_weights], strict=True)
    )


@pytest.mark.parametrize("row", sorted(ROWS))
def test_with_both_windows_the_learner_takes_the_steps_of_learning_by_windows(row):
    """Derivatives cleared and steps summed every 5 symbols, streams that never err: after
    three windows the weights are those the windows' training model reaches by truncated
    backpropagation through each window, one SGD step per window at the same rate."""
    symbols, starts, targets = one_stream(5, 15)
    windows_model, _, _ = models(row)
    for begin in range(0, 15, 5):
        part = slice(begin, begin + 5)
        windows_model.train_on_batch([symbols[:, part], starts[:, part, None]], targets[:, part])
    training_model, _, recurrent = models(row)
    learner = learner_for(
        training_model, recurrent, learning_rate=0.5, gradient_window=5, update_window=5
    )
    learner.train(symbols[:, :7], starts[:, :7], targets[:, :7])  # calls need not be windows
    learner.train(symbols[:, 7:], starts[:, 7:], targets[:, 7:])
    learner.write_weights()
    assert len(training_model.get_weights()) == len(windows_model.get_weights())
    for online, windows in zip(
        training_model.get_weights(), windows_model.get_weights(), strict=True
    ):
        np.testing.assert_allclose(online, windows, rtol=1e-4, atol=1e-6)
    untouched, _, _ = models(row)
    moved = [
        not np.allclose(before, after)
        for before, after in zip(untouched.get_weights(), windows_model.get_weights(), strict=True)
    ]
    assert sum(moved) == len(windows_model.trainable_weights)  # all but the one-hot table


def test_the_two_ablation_windows_must_agree():
    training_model, _, recurrent = models("forget_gate")
    with pytest.raises(ValueError, match="the same length"):
        learner_for(training_model, recurrent, gradient_window=5, update_window=25)


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


@pytest.mark.parametrize("windows_per_call", [2, 6])
def test_an_online_run_learns_the_same_whatever_windows_one_call_reads(
    windows_per_call, continual_smoke_settings, tmp_path
):
    """The online jobs read several windows per compiled call, up to the next test: the
    run's record (tests, streams begun, training loss, state trace) is the one of a call
    per window. Smoke settings: two streams side by side, tests every 3 windows."""
    from recurrent_bottleneck.milestones import continual_streams

    settings = {**continual_smoke_settings, "row": "forget_gate", "learning": "online"}
    settings.update(threshold=0.2, training_windows=8)  # no early "perfect"; a short last call
    one = continual_streams.train_one(settings, 0, tmp_path / "one", None, windows_per_call=1)
    several = continual_streams.train_one(
        settings, 0, tmp_path / "several", None, windows_per_call=windows_per_call
    )
    assert [point["symbols"] for point in one["curve"]] == [60, 120, 160]
    assert one["curve"][0]["train_loss"] > 0
    assert several == one


@pytest.mark.parametrize("row", ["reset", "forget_gate"])
def test_looking_at_every_stream_end_learns_what_one_call_learns(row):
    """Testing after every training stream needs the learner to look at the net where a
    stream ends: stopping there (in as many calls as streams end), or testing there
    inside its loop (a quick test that never passes, a budget never spent), the same
    symbols leave the same weights, states and counts as one call."""
    symbols, starts, targets = one_stream(5, 400)
    learners = []
    for _ in range(3):
        training_model, _, recurrent = models(row)
        learners.append(learner_for(training_model, recurrent, threshold=0.3))
    whole, in_parts, testing = learners
    whole.train(symbols, starts, targets)
    position, stops = 0, 0
    while position < symbols.shape[1]:
        position, stop = in_parts.train_until(symbols, starts, targets, position)
        stops += stop == "stream_end"
    assert whole.streams_started > 3  # several streams erred and began again
    assert stops in (whole.streams_started, whole.streams_started - 1)  # the last may run on
    test_set = reber.streams(np.random.default_rng(8), 3, 50)
    assert testing.train_until(
        symbols, starts, targets, test_set=test_set, stream_budget=10**6
    ) == (symbols.shape[1], None)
    for name, value in whole.weights.items():
        np.testing.assert_array_equal(np.asarray(testing.weights[name]), np.asarray(value))
    for name, value in whole.weights.items():
        np.testing.assert_array_equal(np.asarray(in_parts.weights[name]), np.asarray(value))
    for name, value in whole.carry.items():
        np.testing.assert_array_equal(np.asarray(in_parts.carry[name]), np.asarray(value))


@pytest.mark.parametrize("row", ["reset", "no_reset", "forget_gate"])
def test_the_quick_test_finds_the_first_error_of_every_test_stream(row):
    """The test made after every training stream reads each test stream only up to its
    first error; those lengths are the full test's (the Keras tracing model on the same
    weights, every symbol read)."""
    from recurrent_bottleneck.milestones.continual_streams import evaluate
    from recurrent_bottleneck.models.continual import copy_weights

    training_model, tracing_model, recurrent = models(row)
    learner = learner_for(training_model, recurrent, threshold=0.2, learning_rate=0.5)
    learner.train(*one_stream(6, 20_000))  # about a thousand training streams
    learner.write_weights()
    copy_weights(training_model, tracing_model)
    test_set = reber.streams(np.random.default_rng(7), 6, 300)
    expected = evaluate(tracing_model, test_set, 0.2)["error_free_lengths"]
    lengths = learner.error_free_lengths(test_set)
    assert lengths.tolist() == expected
    assert 0 < min(expected) < 300  # neither wrong at once nor right throughout
    assert len(set(expected)) > 1


def test_a_run_testing_after_every_stream_stops_at_its_first_perfect_test(
    continual_smoke_settings, tmp_path
):
    """With every prediction counted right (threshold 10) no stream errs, so the first
    training streams end at their 30th symbol: the test made then is perfect and the run
    stops there, long before its first regular test."""
    from recurrent_bottleneck.milestones import continual_streams

    settings = {**continual_smoke_settings, "row": "forget_gate", "learning": "online"}
    settings.update(
        threshold=10.0, max_training_stream=30, test_every_stream=True, evaluation_interval=100
    )
    record = continual_streams.train_one(settings, 0, tmp_path, None)
    batch_size = settings["batch_size"]
    assert record["category"] == "perfect"
    assert [point["symbols"] for point in record["curve"]] == [30 * batch_size]
    assert record["streams_to_solution"] == batch_size


def test_a_run_ends_after_its_budget_of_training_streams(continual_smoke_settings, tmp_path):
    """No prediction counts as right (threshold 0): every training stream ends at its first
    symbol, and the run ends when its third has, at the third string start."""
    from recurrent_bottleneck.milestones import continual_streams

    settings = {**continual_smoke_settings, "row": "forget_gate", "learning": "online"}
    settings.update(threshold=0.0, batch_size=1, test_every_stream=True, training_streams=3)
    settings.update(evaluation_interval=100)  # no regular test before
    record = continual_streams.train_one(settings, 0, tmp_path, None)
    (point,) = record["curve"]
    assert point["streams"] == 3 and record["category"] == "rest"
    row_index = sorted(ROWS).index("forget_gate")  # the job's training streams, drawn again
    training = continual_streams.TrainingStreams(np.random.default_rng([0, 1, row_index]), 1)
    third_start = np.flatnonzero(training.window(100)["string_starts"][0])[2]
    assert point["symbols"] == third_start + 1


def test_the_paper_protocol_is_refused_for_learning_by_windows(continual_smoke_settings):
    from recurrent_bottleneck.milestones.continual_streams import stream_protocol

    windows = {**continual_smoke_settings, "learning": "windows"}
    assert stream_protocol(windows) == (False, None)
    for change in ({"test_every_stream": True}, {"training_streams": 10}):
        with pytest.raises(ValueError, match=f"{next(iter(change))} is for learning: online"):
            stream_protocol({**windows, **change})
