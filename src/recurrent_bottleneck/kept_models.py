"""One set of models per job, traced once, started afresh for every seed.

A job trains the same architecture for several seeds. Building a new model for each
seed makes the backend trace (or XLA-compile) its training, evaluation and decoding
functions again: ~30 s of a ~70 s seed for an 8-layer encoder–decoder on the
development CPU, a few seconds for the small 1990s nets. Instead the first seed's models
are kept; every later seed builds its own models as a job of its own would (the same
random draws), and their variables, dropout generators included, are copied into the
kept ones, whose optimizer goes back to its starting values. The arithmetic is the
same (a test compares a later seed with the same seed run alone), up to one thing:
TensorFlow specialises a traced step to the first batch shape it sees, so a later seed
may run a shape on the general trace that a fresh process would have specialised, and
round differently in the last bits. The 2014, 2016 and 1990s quick runs gave
byte-identical results either way; the quick Transformer's second seed did not (its
training amplifies rounding). Runs of one configuration stay byte-identical.

Seeding: TensorFlow traces every function again after ``tf.random.set_seed``, so the
seeds after the first leave TensorFlow's global seed alone (``reseed_tensorflow``);
Keras draws from its own seeds, which are set.
"""

from __future__ import annotations

import numpy as np

from recurrent_bottleneck.checkpoints import optimizer_variables


class KeptModels:
    """``start(seed, build)`` -> the job's models in ``build()``'s initial state."""

    def __init__(self) -> None:
        self.models = None
        self.compiled: dict = {}  # functions built on the kept models (e.g. decoding)
        self._optimizer_start: list[np.ndarray] = []

    def start(self, seed: int, build):
        """Seed everything, build this seed's models (a model, or a tuple whose first
        is the trained one) and return the kept ones holding their initial state."""
        import keras

        from recurrent_bottleneck.runtime import seed_everything

        seed_everything(seed, reseed_tensorflow=self.models is None)
        fresh = build()
        if self.models is None:
            self.models = fresh
            self._optimizer_start = [
                keras.ops.convert_to_numpy(variable)
                for variable in optimizer_variables(_trained(fresh), build=True)
            ]
            return fresh
        kept, initial = _trained(self.models).variables, _trained(fresh).variables
        if [tuple(v.shape) for v in kept] != [tuple(v.shape) for v in initial]:
            raise RuntimeError("a later seed built other variables than the first seed's")
        for variable, value in zip(kept, initial, strict=True):
            variable.assign(value)
        optimizer = optimizer_variables(_trained(self.models))
        for variable, value in zip(optimizer, self._optimizer_start, strict=True):
            variable.assign(value)
        return self.models


def _trained(models):
    return models[0] if isinstance(models, tuple | list) else models
