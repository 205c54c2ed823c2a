"""One GPU per training job, on a machine with several.

Snakemake's ``resources: gpu=1`` together with ``--resources gpu=N`` caps how many
training jobs run at once, but it does not tell a job *which* GPU is its own: every
job would start on GPU 0. So each training process claims a slot itself, before
TensorFlow or JAX starts:

- slot i is the file ``gpu_<i>.lock`` in a lock directory shared by the jobs;
- a job holds an exclusive, non-blocking ``flock`` on the first slot it can lock, for
  the whole life of the process; the kernel drops the lock when the process ends, in
  whatever way it ends, so a killed job frees its GPU;
- the job then sets ``CUDA_VISIBLE_DEVICES`` to that GPU, so the framework sees just
  the one (as device 0); memory growth is enabled in :mod:`recurrent_bottleneck.runtime`.

With no GPU (a CPU machine) nothing happens. ``RECURRENT_BOTTLENECK_GPUS`` overrides
the number of GPUs found (0 turns slots off; tests use it with a fake count).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GPU_COUNT_VARIABLE = "RECURRENT_BOTTLENECK_GPUS"
LOCK_DIRECTORY_VARIABLE = "RECURRENT_BOTTLENECK_GPU_LOCKS"

_held = []  # open lock files: a slot stays claimed while its file stays open


def visible_gpus() -> list[str]:
    """The GPU ids this process may hand out: CUDA_VISIBLE_DEVICES if set, else nvidia-smi."""
    if GPU_COUNT_VARIABLE in os.environ:
        return [str(index) for index in range(int(os.environ[GPU_COUNT_VARIABLE]))]
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        return [gpu.strip() for gpu in visible.split(",") if gpu.strip() and gpu.strip() != "-1"]
    if shutil.which("nvidia-smi") is None:
        return []
    try:
        listing = subprocess.run(
            ["nvidia-smi", "--list-gpus"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (subprocess.SubprocessError, OSError):
        return []
    return [str(index) for index, line in enumerate(listing.splitlines()) if line.strip()]


def limit_gpu_jobs(global_resources) -> int | None:
    """Snakefile helper: unless the user gave ``--resources gpu=N``, allow as many jobs that
    ask for ``gpu=1`` at once as there are GPUs here (none found: no limit). Returns the
    limit set, or None. ``global_resources`` is Snakemake's ``workflow.global_resources``."""
    count = len(visible_gpus())
    if not count or "gpu" in global_resources:
        return None
    global_resources["gpu"] = count
    return count


def default_lock_directory() -> Path:
    return Path(
        os.environ.get(LOCK_DIRECTORY_VARIABLE)
        or Path(tempfile.gettempdir()) / f"recurrent-bottleneck-gpu-locks-{os.getuid()}"
    )


def claim(
    lock_directory: str | Path | None = None,
    gpus: list[str] | None = None,
    wait_seconds: float = 3600.0,
    poll_seconds: float = 1.0,
) -> str | None:
    """Claim a free GPU for this process and make it the only visible one; its id, or None.

    Waits up to ``wait_seconds`` for a slot (Snakemake's gpu resource normally makes
    sure one is free), saying so on stderr once with the processes that hold them, and
    then raises TimeoutError naming the lock directory.
    """
    gpus = visible_gpus() if gpus is None else gpus
    if not gpus:
        return None
    lock_directory = Path(lock_directory or default_lock_directory())
    lock_directory.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    said_waiting = False
    while True:
        for gpu in gpus:
            handle = open(lock_directory / f"gpu_{gpu}.lock", "a+")  # noqa: SIM115 (held open)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            _held.append(handle)
            os.environ["CUDA_VISIBLE_DEVICES"] = gpu
            return gpu
        if time.monotonic() >= deadline:
            raise TimeoutError(
                f"no free GPU among {gpus} after {wait_seconds:.0f} s: every slot in "
                f"{lock_directory} is locked by a running job"
            )
        if not said_waiting:
            print(
                f"waiting up to {wait_seconds:.0f} s for a free GPU: every slot in "
                f"{lock_directory} is held ({holders(lock_directory, gpus)})",
                file=sys.stderr,
                flush=True,
            )
            said_waiting = True
        time.sleep(poll_seconds)


def holders(lock_directory: Path, gpus: list[str]) -> str:
    """'GPU <id> by process <pid>' for each slot, as its lock file names the holder."""
    described = []
    for gpu in gpus:
        try:
            pid = (lock_directory / f"gpu_{gpu}.lock").read_text().strip() or "?"
        except OSError:
            pid = "?"
        described.append(f"GPU {gpu} by process {pid}")
    return ", ".join(described)
