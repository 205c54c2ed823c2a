"""The information-latching problem (Bengio, Simard & Frasconi 1994).

A binary class is decided by the start of the sequence and must be reported at
its end, across ``length - 1`` steps of irrelevant noise. We use the variant the
LSTM paper (Hochreiter & Schmidhuber 1997) restates:

    x_1 = c,  c in {-1, +1} with equal probability
    x_t ~ N(0, 0.2)           for t = 2 .. T      (variance 0.2, mean 0)
    target = 0.8 * c          read at t = T only

The only information about the target sits T - 1 steps before the point where
the error is computed, so T is the minimal time lag the network has to bridge.
"""

from __future__ import annotations

import numpy as np

TARGET_MAGNITUDE = 0.8
NOISE_VARIANCE = 0.2


def generate(
    random: np.random.Generator,
    count: int,
    length: int,
    noise_variance: float = NOISE_VARIANCE,
    target_magnitude: float = TARGET_MAGNITUDE,
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` latch sequences of ``length`` steps.

    Returns inputs of shape (count, length, 1) and targets of shape (count, 1),
    both float32; ``sign(target)`` is the class.
    """
    if length < 1:
        raise ValueError(f"length must be at least 1, got {length}")
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    classes = random.choice(np.array([-1.0, 1.0]), size=count)
    inputs = random.normal(0.0, np.sqrt(noise_variance), size=(count, length, 1))
    inputs[:, 0, 0] = classes
    targets = (target_magnitude * classes)[:, None]
    return inputs.astype(np.float32), targets.astype(np.float32)


def correct(predictions: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Per sequence: does the output have the sign of the target class?"""
    predictions = np.asarray(predictions).reshape(-1)
    targets = np.asarray(targets).reshape(-1)
    return np.sign(predictions) == np.sign(targets)
