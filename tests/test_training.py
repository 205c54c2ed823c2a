"""A run that diverges is a measurement: it stops, says so, and counts as a failure."""

import numpy as np
from tensorboard.backend.event_processing import event_accumulator

from recurrent_bottleneck.tensorboard_log import RunWriter
from recurrent_bottleneck.training import describe_outcome, run_statistics, train_until_success


def test_a_nan_loss_stops_training_and_is_recorded_as_diverged(tmp_path):
    import keras

    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
    # a learning rate this large with no clipping blows the weights up to inf within steps
    model.compile(optimizer=keras.optimizers.SGD(1e30), loss="mean_squared_error")
    random = np.random.default_rng(0)

    def sample(count):
        inputs = random.normal(size=(count, 3)).astype("float32") * 1e3
        return inputs, inputs.sum(axis=1, keepdims=True)

    test_set = sample(16)
    with RunWriter(tmp_path) as writer:
        record = train_until_success(
            model,
            sample,
            test_set,
            lambda predictions, targets: np.abs(predictions - targets)[:, 0] < 0.1,
            batch_size=8,
            training_steps=1000,
            evaluation_interval=10,
            success_fraction=0.9,
            writer=writer,
        )
    assert record["diverged"] and not record["success"]
    assert len(record["curve"]) == 1  # stopped at the first evaluation, not after 1000 steps
    assert describe_outcome(record) == "diverged"
    statistics = run_statistics([record, {**record, "diverged": False}])
    assert statistics["diverged"] == 1 and statistics["successes"] == 0
    reader = event_accumulator.EventAccumulator(str(tmp_path))
    reader.Reload()
    assert [event.value for event in reader.Scalars("result/diverged")] == [1.0]
