"""Replicating the argument of "The Recurrent Bottleneck", 1991-2017.

Each milestone of the chapter is a module in :mod:`recurrent_bottleneck.milestones`
that turns plain configuration values into measurements (``metrics.json``) and
TensorBoard runs; :mod:`recurrent_bottleneck.figures` draws them and
:mod:`recurrent_bottleneck.report` turns them into verdicts and the PDF.

Nothing here imports Keras at package import time: the runtime (backend, threads,
determinism) must be configured first, see :mod:`recurrent_bottleneck.runtime`.
"""

__version__ = "0.1.0"
