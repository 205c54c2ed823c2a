"""Write TensorBoard runs without TensorFlow.

Keras' own TensorBoard callback needs TensorFlow, which the JAX-only GPU machine
does not have. This writer uses only the ``tensorboard`` package (its event-file
writer and protocol buffers), so every backend logs the same way: scalars,
text, and the HParams records that let the runs of a sweep be compared side by
side in TensorBoard's HParams dashboard.

Layout: one run per directory, ``results/tensorboard/<milestone>/<run>/``.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.plugins.hparams import summary_v2 as hparams_summary
from tensorboard.plugins.text import metadata as text_metadata
from tensorboard.summary.writer.event_file_writer import EventFileWriter
from tensorboard.util import tensor_util


class RunWriter:
    """One TensorBoard run: ``scalar``, ``histogram``, ``text``, ``hparams``; a context manager."""

    def __init__(self, log_directory: str | Path):
        self.log_directory = Path(log_directory)
        self.log_directory.mkdir(parents=True, exist_ok=True)
        self._writer = EventFileWriter(str(self.log_directory))

    def _add(self, summary: summary_pb2.Summary, step: int) -> None:
        event = event_pb2.Event(wall_time=time.time(), step=int(step), summary=summary)
        self._writer.add_event(event)

    def scalar(self, tag: str, value: float, step: int) -> None:
        """Log a scalar; NaN and inf are written as they are (TensorBoard shows them)."""
        value = float(value)
        summary = summary_pb2.Summary(
            value=[summary_pb2.Summary.Value(tag=tag, simple_value=value)]
        )
        self._add(summary, step)

    def scalars(self, values: dict[str, float], step: int) -> None:
        for tag, value in values.items():
            if value is not None:
                self.scalar(tag, value, step)

    def histogram(self, tag: str, values, step: int, bins: int = 30) -> None:
        """Log the distribution of ``values`` (TensorBoard's Histograms and Distributions)."""
        values = np.asarray(values, dtype=np.float64).ravel()
        counts, edges = np.histogram(values, bins=bins)
        histogram = summary_pb2.HistogramProto(
            min=float(values.min()),
            max=float(values.max()),
            num=float(values.size),
            sum=float(values.sum()),
            sum_squares=float(np.square(values).sum()),
            bucket_limit=[float(edge) for edge in edges[1:]],
            bucket=[float(count) for count in counts],
        )
        summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, histo=histogram)])
        self._add(summary, step)

    def text(self, tag: str, markdown: str, step: int = 0) -> None:
        metadata = text_metadata.create_summary_metadata(display_name=tag, description="")
        tensor = tensor_util.make_tensor_proto([markdown.encode("utf-8")])
        summary = summary_pb2.Summary(
            value=[summary_pb2.Summary.Value(tag=tag, metadata=metadata, tensor=tensor)]
        )
        self._add(summary, step)

    def hparams(self, hyperparameters: dict, trial_id: str) -> None:
        """Record this run's hyperparameters for the HParams dashboard."""
        clean = {key: _hparam_value(value) for key, value in hyperparameters.items()}
        summary = hparams_summary.hparams_pb(clean, trial_id=trial_id, start_time_secs=0)
        self._add(summary, 0)

    def close(self) -> None:
        self._writer.flush()
        self._writer.close()

    def __enter__(self) -> RunWriter:
        return self

    def __exit__(self, *exception) -> None:
        self.close()


def _hparam_value(value):
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        return float(value) if isinstance(value, float) else int(value)
    return str(value)
