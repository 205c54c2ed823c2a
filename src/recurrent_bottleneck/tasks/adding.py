"""The adding problem (Hochreiter & Schmidhuber 1997, Experiment 4).

Each step of a sequence is a pair (value, marker). Values are drawn uniformly
from [-1, 1]; markers are 0 except:

- one of the first 10 pairs is marked 1.0 (its value is X1),
- one of the first T/2 - 1 pairs not yet marked is marked 1.0 (its value is X2),
- the first and the last pair are marked -1.0 unless marked 1.0 already;
  if the first pair is the one marked, X1 is set to zero (value and sum).

Sequence lengths are random between T and T + T/10. The target, given only at
the end, is 0.5 + (X1 + X2) / 4 (the sum mapped into [0, 1]); an answer is
correct when its absolute error is below 0.04. The second mark lies in the
first half, so at least about T/2 steps separate the last relevant input from
the answer: T = 100 has a minimal lag of 50.

Sequences of different length are padded at the front with ``PAD`` pairs,
which the models mask out (so padding never reaches a cell).
"""

from __future__ import annotations

import numpy as np

PAD = -9.0  # a value no real pair can take: values lie in [-1, 1]
TOLERANCE = 0.04
MINIMUM_LENGTH = 22  # the first ten pairs must lie inside the first T/2 - 1


def generate(random: np.random.Generator, count: int, length: int):
    """``count`` sequences of minimal length T = ``length``.

    Returns inputs (count, T + T//10, 2) front-padded with ``PAD``, targets
    (count, 1), and the true lengths (count,).
    """
    if length < MINIMUM_LENGTH:
        raise ValueError(f"the adding problem needs length >= {MINIMUM_LENGTH}, got {length}")
    longest = length + length // 10
    inputs = np.full((count, longest, 2), PAD, dtype=np.float32)
    targets = np.empty((count, 1), dtype=np.float32)
    lengths = random.integers(length, longest + 1, size=count)
    for row, sequence_length in enumerate(lengths):
        values = random.uniform(-1.0, 1.0, size=sequence_length)
        markers = np.zeros(sequence_length)
        first = random.integers(0, 10)
        second_candidates = [i for i in range(length // 2 - 1) if i != first]
        second = random.choice(second_candidates)
        markers[0] = markers[-1] = -1.0
        markers[first] = markers[second] = 1.0
        if first == 0 or second == 0:
            values[0] = 0.0
        targets[row, 0] = 0.5 + (values[first] + values[second]) / 4.0
        inputs[row, longest - sequence_length :, 0] = values
        inputs[row, longest - sequence_length :, 1] = markers
    return inputs, targets, lengths


def correct(predictions: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Per sequence: is the absolute error below 0.04?"""
    return np.abs(np.asarray(predictions).reshape(-1) - np.asarray(targets).reshape(-1)) < (
        TOLERANCE
    )
