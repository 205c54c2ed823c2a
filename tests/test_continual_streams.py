"""The 2000 milestone's measurement pieces and its summary, on hand-made numbers."""

import numpy as np
import pytest

from recurrent_bottleneck.milestones.continual_streams import TrainingStreams, growth_exponent
from recurrent_bottleneck.summaries import continual_streams
from recurrent_bottleneck.tasks import reber


@pytest.mark.parametrize("exponent", [0.0, 0.5, 1.0, 2.0])
def test_growth_exponent_of_a_power_law(exponent):
    positions = np.arange(100, 10_001, 100)
    assert growth_exponent(positions, 3.0 * positions**exponent) == pytest.approx(exponent)


def test_growth_exponent_needs_two_usable_points():
    assert np.isnan(growth_exponent([10, 20], [0.0, np.inf]))


def test_training_streams_continue_and_restart_at_a_string_start():
    streams = TrainingStreams(np.random.default_rng(0), count=3)
    first, second = streams.window(40), streams.window(40)
    assert first["symbols"].shape == (3, 40) and first["targets"].shape == (3, 40, 7)
    # without a restart the second window continues the first: its first symbol is legal
    for row in range(3):
        assert first["targets"][row, -1, second["symbols"][row, 0]] == 1.0
    streams.restart(np.array([False, True, False]))
    assert streams.started == 4 and list(streams.lengths) == [80, 0, 80]
    third = streams.window(40)
    assert third["string_starts"][1, 0] == 1.0
    assert reber.SYMBOLS[third["symbols"][1, 0]] == "B"


def test_training_streams_are_whole_strings_back_to_back_window_after_window():
    """Read window by window (their buffers refilled many times over), every training
    stream is embedded Reber strings, each whole, and every symbol is one its predecessor's
    target allows."""
    streams = TrainingStreams(np.random.default_rng(1), count=2)
    windows = [streams.window(25) for _ in range(200)]
    for row in range(2):
        symbols = np.concatenate([window["symbols"][row] for window in windows])
        starts = np.flatnonzero(np.concatenate([w["string_starts"][row] for w in windows]))
        targets = np.concatenate([window["targets"][row] for window in windows])
        text = "".join(reber.SYMBOLS[number] for number in symbols)
        assert starts[0] == 0 and len(starts) > 400
        for begin, end in zip(starts[:-1], starts[1:], strict=True):
            assert reber.is_embedded_reber(text[begin:end]), text[begin:end]
        assert np.all(targets[np.arange(len(symbols) - 1), symbols[1:]] == 1.0)


def run(category, length, exponent, streams=None, absolute=None, branch=None):
    """A run's record; ``absolute``: (perfect, mean error-free length) by the absolute
    reading, ``branch``: the share of branch predictions right, each None for a run
    recorded before it was measured."""
    final_test = {"mean_error_free_length": length}
    if absolute is not None:
        final_test["absolute_reading"] = {
            "perfect": absolute[0],
            "mean_error_free_length": absolute[1],
        }
    if branch is not None:
        final_test["branch_fraction_right"] = branch
    return {
        "category": category,
        "diverged": False,
        "streams_to_solution": streams,
        "final_test": final_test,
        "state_trace": {
            "growth_exponent": exponent,
            "final_largest_abs_state": 10.0 * exponent,
            "positions": [1, 2],
            "largest_abs_state": [1.0, 2.0],
        },
    }


def test_table_2_rows_and_the_claims_measurements():
    settings = {"test_streams": 2, "test_stream_length": 500, "good_length": 100, "trace_length": 9}
    documents = [
        {
            "row": "forget_gate",
            "settings": settings,
            "runs": [run("perfect", 500, 0.0, 800), run("good", 300, 0.1), run("rest", 10, 0.05)],
        },
        {"row": "no_reset", "settings": settings, "runs": [run("rest", 20, 1.0)] * 2},
    ]
    summary = continual_streams.summarize(documents)
    no_reset, forget_gate = summary["table"]  # the paper's row order
    assert forget_gate["perfect_percent"] == pytest.approx(100 / 3)
    assert forget_gate["perfect_streams"] == 800
    assert forget_gate["good_error_free_length"] == 300
    assert forget_gate["paper"]["perfect"] == (18, 18_889)
    assert no_reset["rest_percent"] == 100 and no_reset["perfect_streams"] is None
    measurements = summary["measurements"]
    assert measurements["continual_seeds"] == 2
    assert measurements["forget_gate_mean_error_free_length"] == pytest.approx(270)
    assert measurements["forget_gate_over_no_reset_error_free_length"] == pytest.approx(13.5)
    assert measurements["no_reset_growth_exponent"] == 1.0
    assert measurements["forget_gate_growth_exponent"] == 0.05


def test_the_absolute_reading_per_row_and_none_for_runs_recorded_without_it():
    settings = {"test_streams": 2, "test_stream_length": 500, "good_length": 100, "trace_length": 9}
    documents = [
        {
            "row": "reset",
            "settings": settings,
            "runs": [
                run("perfect", 500, 0.0, 800, absolute=(False, 12.0), branch=0.5),
                run("perfect", 500, 0.0, 700, absolute=(True, 500.0), branch=1.0),
            ],
        },
        {"row": "no_reset", "settings": settings, "runs": [run("rest", 20, 1.0)] * 2},
    ]
    summary = continual_streams.summarize(documents)
    reset, no_reset = summary["table"]
    assert reset["absolute_perfect_percent"] == 50.0
    assert reset["absolute_mean_error_free_length"] == pytest.approx(256)
    assert reset["absolute_run_lengths"] == [12.0, 500.0]
    assert reset["branch_fraction_right"] == 0.75
    assert (
        no_reset["absolute_perfect_percent"] is None and no_reset["branch_fraction_right"] is None
    )
    measurements = summary["measurements"]
    assert measurements["reset_absolute_perfect_percent"] == 50.0
    assert measurements["no_reset_absolute_mean_error_free_length"] is None


def test_evaluate_judges_the_same_predictions_by_both_readings():
    from recurrent_bottleneck.milestones.continual_streams import evaluate

    test_set = reber.streams(np.random.default_rng(0), 3, 40)

    class AnswersOneHalf:
        """A net that outputs 0.5 for every symbol: right by squared errors (0.25),
        wrong at once by absolute errors (0.5)."""

        def predict(self, inputs, batch_size, verbose):
            symbols, _ = inputs
            return np.full((*symbols.shape, 7), 0.5), None

    test = evaluate(AnswersOneHalf(), test_set, threshold=0.49)
    assert test["perfect"] and test["error_free_lengths"] == [40, 40, 40]
    absolute = test["absolute_reading"]
    assert not absolute["perfect"] and absolute["error_free_lengths"] == [0, 0, 0]
    assert absolute["fraction_correct"] == 0.0
    assert test["branch_fraction_right"] == 0.0  # a tie never names the branch


def test_one_sgd_update_is_the_papers_step_summed_over_the_window_and_the_batch():
    """Plain SGD on the mean squared error, at the converted rate, changes each weight by
    -rate * sum over streams and symbols of dE/dw, with E = 1/2 sum_k (y_k - t_k)^2."""
    import keras

    from recurrent_bottleneck.models.continual import optimizer

    batch, window, features, outputs, rate = 3, 5, 4, 7, 0.5
    generator = np.random.default_rng(0)
    inputs = generator.normal(size=(batch, window, features)).astype("float32")
    targets = (generator.random((batch, window, outputs)) < 0.3).astype("float32")
    weights = generator.normal(scale=0.5, size=(features, outputs)).astype("float32")
    layer = keras.layers.Dense(outputs, activation="sigmoid", use_bias=False)
    model = keras.Sequential([keras.Input((window, features)), layer])
    layer.set_weights([weights])
    model.compile(
        optimizer=optimizer("sgd", rate, None, batch * window * outputs),
        loss="mean_squared_error",
    )
    model.train_on_batch(inputs, targets)

    predictions = 1 / (1 + np.exp(-(inputs @ weights)))
    # dE/dnet = (y - t) y (1 - y) per output; dE/dW sums x * dE/dnet over streams, symbols
    papers_gradient = np.einsum(
        "bti,btk->ik", inputs, (predictions - targets) * predictions * (1 - predictions)
    )
    np.testing.assert_allclose(
        layer.get_weights()[0], weights - rate * papers_gradient, rtol=1e-4, atol=1e-6
    )


def test_adam_takes_the_rate_as_it_is_and_other_names_are_refused():
    from recurrent_bottleneck.models.continual import optimizer

    adam = optimizer("adam", 0.01, 1.0, 175)
    assert float(adam.learning_rate) == pytest.approx(0.01) and adam.clipnorm == 1.0
    assert float(optimizer("sgd", 0.5, 1.0, 175).learning_rate) == pytest.approx(43.75)
    with pytest.raises(ValueError, match="'rmsprop'"):
        optimizer("rmsprop", 0.01, 1.0, 175)


def test_the_wrong_streams_metric_is_the_papers_test_per_stream():
    """1 for a stream with some output's squared error not below the threshold (a NaN
    prediction is wrong too), 0 for a stream whose window was predicted correctly."""
    import keras

    from recurrent_bottleneck.models.continual import wrong_streams

    targets = np.zeros((3, 2, 7), dtype="float32")
    outputs = np.full((3, 2, 7), 0.5, dtype="float32")  # squared error 0.25 everywhere
    outputs[1, 1, 6] = 0.8  # 0.64: not below the threshold
    outputs[2, 0, 0] = np.nan
    metric = wrong_streams(3, 0.49)
    metric.update_state(targets, outputs)
    wrong = keras.ops.convert_to_numpy(metric.result())
    np.testing.assert_array_equal(wrong, [0.0, 1.0, 1.0])
    np.testing.assert_array_equal(
        wrong > 0, ~reber.correct_predictions(outputs, targets).all(axis=1)
    )


def test_a_training_step_reports_the_streams_its_own_predictions_got_wrong():
    """The metric read after train_on_batch equals the paper's test on the predictions
    made before the step, from the carried state (what the loop used to compute with a
    separate forward pass and a saved and restored state)."""
    import keras

    from recurrent_bottleneck.models.continual import build_models

    config = {"blocks": 2, "cells_per_block": 2, "squashing": "paper", "truncated": True}
    config.update(
        input_gate_biases=[-0.5, -1.0],
        output_gate_biases=[-0.5, -1.0],
        forget_gate_biases=[0.5, 1.0],
        state_decay=0.9,
        initial_weight_range=2.0,
    )
    batch, window = 4, 6
    random = np.random.default_rng(3)
    symbols = random.integers(0, len(reber.SYMBOLS), (batch, window)).astype("int32")
    inputs = [symbols, np.zeros((batch, window, 1), "float32")]
    targets = (random.random((batch, window, len(reber.SYMBOLS))) < 0.3).astype("float32")

    def models(threshold):
        keras.utils.set_random_seed(0)
        return build_models(
            "no_reset",
            config,
            len(reber.SYMBOLS),
            batch,
            window,
            optimizer="sgd",
            learning_rate=0.5,
            clip_norm=1.0,
            threshold=threshold,
        )

    training_model, _, _ = models(0.49)
    training_model.train_on_batch(inputs, targets)  # a state to carry over
    predictions = training_model.predict_on_batch(inputs)
    worst = ((predictions - targets) ** 2).max(axis=(1, 2))
    threshold = float(np.median(worst))  # some streams wrong, some right

    training_model, _, recurrent = models(threshold)
    training_model.train_on_batch(inputs, targets)
    carried = [keras.ops.convert_to_numpy(state) for state in recurrent.states]
    predictions = training_model.predict_on_batch(inputs)
    for state, value in zip(recurrent.states, carried, strict=True):
        state.assign(value)
    expected = ~reber.correct_predictions(predictions, targets, threshold).all(axis=1)
    assert 0 < expected.sum() < batch
    logs = training_model.train_on_batch(inputs, targets, return_dict=True)
    np.testing.assert_array_equal(np.asarray(logs["wrong_streams"]) > 0, expected)


@pytest.mark.parametrize(
    "restart", [[True, False, True], [True, True, True], [False, False, False]]
)
def test_restarting_streams_zeroes_their_carried_state_only(restart):
    import keras

    from recurrent_bottleneck.models.continual import restart_streams

    values = np.random.default_rng(0).normal(size=(2, 3, 4)).astype("float32")
    recurrent = type("Recurrent", (), {})()
    recurrent.states = [keras.Variable(value) for value in values]
    restart_streams(recurrent, np.array(restart))
    for state, value in zip(recurrent.states, values, strict=True):
        expected = np.where(np.array(restart)[:, None], 0.0, value)
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(state), expected)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"learning": "rtrl"}, "continual_streams.learning must be one of"),
        ({"learning": "online", "optimizer": "adam"}, "set optimizer: sgd"),
        ({"learning": "online", "gradient_reach": "past"}, "gradient_reach must be one of"),
        ({"learning": "windows", "gradient_reach": "window"}, "is for learning: online"),
        ({"learning": "online", "update_every": "string"}, "update_every must be one of"),
        ({"learning": "windows", "update_every": "window"}, "update_every: window is for"),
    ],
)
def test_online_learning_is_refused_where_it_does_not_apply(project_root, changes, message):
    import yaml

    from recurrent_bottleneck.milestones.continual_streams import (
        LEARNING_DEFAULTS,
        online_learner,
    )
    from recurrent_bottleneck.models.continual import build_models

    config = yaml.safe_load((project_root / "config" / "config.yaml").read_text())
    settings = {**config["continual_streams"], **changes}
    training_model, _, recurrent = build_models(
        "forget_gate", settings["cell"], len(reber.SYMBOLS), 1, 5,
        optimizer="adam", learning_rate=0.1, clip_norm=None, threshold=0.49,
    )  # fmt: skip
    with pytest.raises(ValueError, match=message):
        online_learner(settings, training_model, recurrent)
    windows = {**settings, **LEARNING_DEFAULTS}  # learning by windows
    assert online_learner(windows, training_model, recurrent) is None
