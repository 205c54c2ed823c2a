"""Runs written without TensorFlow are read back by TensorBoard's own reader."""

import math

from tensorboard.backend.event_processing import event_accumulator
from tensorboard.plugins.hparams import metadata as hparams_metadata
from tensorboard.plugins.hparams import plugin_data_pb2

from recurrent_bottleneck.tensorboard_log import RunWriter


def test_scalars_text_and_hparams_round_trip(tmp_path):
    with RunWriter(tmp_path / "run") as writer:
        writer.hparams({"length": 20, "seed": 1, "optimizer": "adam"}, trial_id="length_20/seed_1")
        writer.scalars({"test/accuracy": 0.5, "train/loss": 0.25}, step=10)
        writer.scalar("test/accuracy", 0.75, step=20)
        writer.scalar("train/loss", math.nan, step=20)  # a diverged run is still logged
        writer.text("notes", "hello")
    reader = event_accumulator.EventAccumulator(str(tmp_path / "run"))
    reader.Reload()
    assert set(reader.Tags()["scalars"]) == {"test/accuracy", "train/loss"}
    accuracy = reader.Scalars("test/accuracy")
    assert [(event.step, event.value) for event in accuracy] == [(10, 0.5), (20, 0.75)]
    assert math.isnan(reader.Scalars("train/loss")[-1].value)
    assert "notes" in reader.Tags()["tensors"]
    content = reader.SummaryMetadata(hparams_metadata.SESSION_START_INFO_TAG).plugin_data.content
    start_info = plugin_data_pb2.HParamsPluginData.FromString(content).session_start_info
    assert start_info.hparams["length"].number_value == 20
    assert start_info.hparams["optimizer"].string_value == "adam"


def test_histograms_round_trip(tmp_path):
    import numpy as np

    values = np.concatenate([np.zeros(10), np.full(30, 5.0)])
    with RunWriter(tmp_path / "run") as writer:
        writer.histogram("trace/cell_states", values, step=100, bins=5)
    reader = event_accumulator.EventAccumulator(str(tmp_path / "run"))
    reader.Reload()
    (event,) = reader.Histograms("trace/cell_states")
    assert event.step == 100
    histogram = event.histogram_value
    assert (histogram.min, histogram.max, histogram.num) == (0.0, 5.0, 40.0)
    assert sum(histogram.bucket) == 40 and histogram.bucket[0] == 10
