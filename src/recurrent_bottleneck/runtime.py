"""Prepare the numerical runtime before Keras (and its backend) is imported.

Thread counts and the Keras backend can only be chosen before TensorFlow or JAX
starts, so every training entry point calls :func:`configure` first. With
``threads=1`` two Snakemake jobs on a 2-core machine run side by side instead of
fighting over four threads each.
"""

from __future__ import annotations

import contextlib
import os
import platform
import random
import sys

import numpy as np

BACKENDS = ("tensorflow", "jax")


def configure(threads: int = 1, backend: str = "tensorflow", seed: int | None = None) -> None:
    """Select the Keras backend, cap its threads and (optionally) seed everything.

    Must run before the first ``import keras`` in the process; raises if the
    backend was already imported with other settings.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    if "keras" in sys.modules and os.environ.get("KERAS_BACKEND", "tensorflow") != backend:
        raise RuntimeError("keras was imported before runtime.configure(); set the backend first")
    os.environ["KERAS_BACKEND"] = backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ["OMP_NUM_THREADS"] = str(threads)
    os.environ["TF_NUM_INTRAOP_THREADS"] = str(threads)
    os.environ["TF_NUM_INTEROP_THREADS"] = str(threads)
    if backend == "jax":
        flags = os.environ.get("XLA_FLAGS", "")
        if threads == 1 and "multi_thread_eigen" not in flags:
            os.environ["XLA_FLAGS"] = (flags + " --xla_cpu_multi_thread_eigen=false").strip()
    if backend == "tensorflow":
        _configure_tensorflow(threads)
    if seed is not None:
        seed_everything(seed)


def _configure_tensorflow(threads: int) -> None:
    try:
        import tensorflow as tf
    except ImportError:  # the JAX-only GPU machine has no TensorFlow
        return
    tf.get_logger().setLevel("ERROR")  # e.g. retracing notes when a job builds many models
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:
        pass  # already initialised in this process (tests): keep its settings
    for gpu in tf.config.list_physical_devices("GPU"):
        with contextlib.suppress(RuntimeError):
            tf.config.experimental.set_memory_growth(gpu, True)


def seed_everything(seed: int, reseed_tensorflow: bool = True) -> None:
    """Seed Python, NumPy and the backend; on a GPU, ask TensorFlow for deterministic ops.

    On the CPU the XLA-compiled steps are deterministic by themselves (the tests run a
    job twice and compare), and TensorFlow's determinism switch would cost a factor of
    2–4 there: it keeps XLA from fusing the recurrent loop (measured on the 2-core
    development machine: 8 ms against 21 ms per SimpleRNN training step at T = 110).

    ``reseed_tensorflow=False`` seeds all but TensorFlow's global seed: setting that
    one makes every function TensorFlow has traced trace again (~2 s per batch shape
    for a 4-layer encoder–decoder here). Keras draws its random numbers from its own
    seeds (initializers and dropout take theirs from Python's generator, seeded here),
    so a job that keeps its traced model for several seeds sets TensorFlow's once.
    """
    import keras

    if reseed_tensorflow or keras.backend.backend() != "tensorflow":
        keras.utils.set_random_seed(seed)
    else:  # what keras.utils.set_random_seed does, but for tf.random.set_seed
        from keras.src.backend.common import global_state
        from keras.src.random import seed_generator

        global_state.set_global_attribute("global_random_seed", seed)
        global_state.set_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, None)
        random.seed(seed)
        np.random.seed(seed)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        if tf.config.list_physical_devices("GPU"):
            tf.config.experimental.enable_op_determinism()


def describe_device() -> dict:
    """Name the machine a measurement came from: backend, accelerator, CPU."""
    import keras

    backend = keras.backend.backend()
    accelerators: list[str] = []
    if backend == "tensorflow":
        import tensorflow as tf

        accelerators = [
            tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name)
            for gpu in tf.config.list_physical_devices("GPU")
        ]
    elif backend == "jax":
        import jax

        accelerators = [device.device_kind for device in jax.devices() if device.platform != "cpu"]
    return {
        "backend": backend,
        "device": accelerators[0] if accelerators else "CPU",
        "accelerators": accelerators,
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def describe_placement() -> dict:
    """Name who ran this job and where: ``slurm`` when the job runs inside a SLURM
    allocation (workflow/profiles/slurm submits every job with sbatch), else ``local``;
    and the node's host name. No job id: a rerun on the same node and executor must
    write the same record."""
    return {
        "executor": "slurm" if "SLURM_JOB_ID" in os.environ else "local",
        "node": os.environ.get("SLURMD_NODENAME") or platform.node(),
    }


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()
