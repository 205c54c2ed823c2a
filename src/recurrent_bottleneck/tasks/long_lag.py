"""Very long time lags with distractors (Hochreiter & Schmidhuber 1997, Experiment 2c).

There are p + 4 input symbols, each a one-hot vector: the distractors
a_1 .. a_p, and e, b, x, y. A sequence reads

    b, c, d_1, d_2, ..., d_{q+k}, e        with c in {x, y}

and the net must answer c after seeing e (the class is the only thing to
remember; error is given at the end only). The q + k distractors d_i are drawn
uniformly from a_1 .. a_p: the first q always, and after those another one
follows with probability 9/10 at every step (so k is geometric, mean 9), then
e. The minimal lag between c and the answer is q + 1. The paper's numbers:
q = p = 100 solved after 31,000 training sequences, q = p = 1000 after 49,000.

Sequences are returned as symbol numbers, not one-hot vectors: at q = p = 1000 a
one-hot batch of 50 x 32 sequences would be 6.7 GB, while the model turns numbers
into one-hot vectors itself, one batch at a time. Number 0 is padding; symbol i
(position i of the one-hot vector, see :func:`symbol_indices`) is number i + 1.
All arrays have the same number of steps, ``q + max_extra + 3``: sequences are
front-padded with 0 (which the models mask out), and k is capped at
``max_extra`` (with the default 40 the cap cuts 0.9^40 = 1.5 % of the tail).
"""

from __future__ import annotations

import numpy as np

CONTINUE_PROBABILITY = 0.9


def symbol_indices(distractors: int) -> dict[str, int]:
    """One-hot positions: a_1..a_p are 0..p-1, then e, b, x, y."""
    return {"e": distractors, "b": distractors + 1, "x": distractors + 2, "y": distractors + 3}


def generate(
    random: np.random.Generator, count: int, lag: int, distractors: int, max_extra: int = 40
):
    """``count`` sequences with minimal lag ``lag`` + 1 (q = ``lag``), p = ``distractors``.

    Returns symbol numbers (count, steps) as int32, front-padded with 0, targets
    (count, 1) with 1.0 for x and 0.0 for y, and the true lengths.
    """
    if lag < 1 or distractors < 1:
        raise ValueError(f"need q >= 1 and p >= 1, got q = {lag}, p = {distractors}")
    symbols = symbol_indices(distractors)
    extras = np.minimum(random.geometric(1.0 - CONTINUE_PROBABILITY, size=count) - 1, max_extra)
    lengths = lag + extras + 3  # b, c, q + k distractors, e
    steps = lag + max_extra + 3
    numbers = np.zeros((count, steps), dtype=np.int32)
    is_x = random.random(count) < 0.5
    for row, length in enumerate(lengths):
        sequence = [symbols["b"], symbols["x"] if is_x[row] else symbols["y"]]
        sequence += list(random.integers(0, distractors, size=length - 3)) + [symbols["e"]]
        numbers[row, steps - length :] = np.asarray(sequence) + 1
    return numbers, is_x.astype(np.float32)[:, None], lengths


def one_hot(numbers: np.ndarray, distractors: int) -> np.ndarray:
    """The paper's input vectors: (count, steps, p + 4), all-zero rows for padding."""
    return np.eye(distractors + 5, dtype=np.float32)[numbers][..., 1:]


def correct(predictions: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Per sequence: does the output (probability of x) fall on the right side of 1/2?"""
    return (np.asarray(predictions).reshape(-1) > 0.5) == (np.asarray(targets).reshape(-1) > 0.5)
