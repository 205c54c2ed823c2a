"""A training run's progress on disk, so that a killed job resumes where it stopped.

A checkpoint is one ``.npz`` file per run (one seed of one job) holding

- every variable of the model and of its optimizer (weights, Adam's moments, the step
  count),
- the state of the NumPy generator that draws the run's training data,
- a JSON document: the run's record so far (its learning curve), the steps done, whether
  the run has finished, and the run's identity (its settings, its seed and a digest of
  this package's source code).

Resuming restores all three, so the run goes on with the very numbers it would have
seen without the interruption: its final record is the uninterrupted one (on the CPU,
where the arithmetic is deterministic).

The file is written under a temporary name in the same folder, flushed to disk and then
renamed into place (a rename within a folder is atomic): a job killed while writing
leaves the previous checkpoint or the new one, never a half-written file under the real
name. A file that cannot be read, or that belongs to another run (other settings, other
code), is reported with a warning naming it and set aside (renamed to ``….set-aside``); the
run starts from scratch.

Checkpoints live under ``results/checkpoints/``, outside every rule's outputs, so
Snakemake does not delete them when a job fails or is rerun; the command-line entry point
removes a job's checkpoints once its results are written.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FORMAT = 1


def source_digest() -> str:
    """SHA-256 over this package's Python sources: a checkpoint of other code is not resumed."""
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass
class Checkpoint:
    """Where one run keeps its progress, and what the run is.

    ``identity`` must be JSON (the run's settings and seed); ``generator`` is the NumPy
    generator that draws the run's training data, if it has one.
    """

    path: Path
    identity: dict
    generator: np.random.Generator | None = None

    def __post_init__(self):
        self.path = Path(self.path)
        self.identity = {**self.identity, "code": source_digest(), "format": FORMAT}

    def save(self, model, progress: dict, also: Sequence = ()) -> None:
        """Write model, optimizer, generator and ``progress`` (JSON) atomically; ``also``:
        variables the model does not list (a stateful layer's states)."""
        document = {
            "identity": self.identity,
            "progress": progress,
            "generator": self.generator.bit_generator.state if self.generator else None,
        }
        arrays = {
            f"model_{index}": variable.numpy()
            for index, variable in enumerate(_model_variables(model, also))
        }
        arrays.update(
            {
                f"optimizer_{index}": variable.numpy()
                # built here if no step has used it (online learning), as restore does
                for index, variable in enumerate(optimizer_variables(model, build=True))
            }
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.partial")
        with open(temporary, "wb") as handle:
            np.savez(handle, document=np.array(json.dumps(document)), **arrays)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)

    def restore(self, model, also: Sequence = ()) -> dict | None:
        """The saved progress, with model, optimizer and generator set back to it; None
        when there is no checkpoint, or it is unreadable or another run's (with a warning)."""
        if not self.path.exists():
            return None
        try:
            with np.load(self.path, allow_pickle=False) as saved:
                document = json.loads(str(saved["document"]))
                arrays = {name: saved[name] for name in saved.files if name != "document"}
        except Exception as error:  # noqa: BLE001 - any unreadable file means: start over
            return self._set_aside(f"cannot be read ({type(error).__name__}: {error})")
        if document.get("identity") != json.loads(json.dumps(self.identity)):
            return self._set_aside("belongs to another run (settings, seed or code differ)")
        model_variables = _model_variables(model, also)
        optimizer_state = optimizer_variables(model, build=True)
        expected = {f"model_{index}" for index in range(len(model_variables))}
        expected |= {f"optimizer_{index}" for index in range(len(optimizer_state))}
        if set(arrays) != expected:
            return self._set_aside("holds other variables than this model's")
        for prefix, variables in (("model", model_variables), ("optimizer", optimizer_state)):
            for index, variable in enumerate(variables):
                value = arrays[f"{prefix}_{index}"]
                if tuple(value.shape) != tuple(variable.shape):
                    return self._set_aside(f"holds {variable.path} with another shape")
                variable.assign(value)
        if self.generator is not None:
            self.generator.bit_generator.state = document["generator"]
        return document["progress"]

    def _set_aside(self, reason: str) -> None:
        warnings.warn(
            f"checkpoint {self.path} {reason}; this run starts from scratch",
            stacklevel=3,
        )
        self.path.replace(self.path.with_name(f"{self.path.name}.set-aside"))
        return None


def run_checkpoint(
    directory: str | Path | None,
    settings: dict,
    seed: int,
    generator: np.random.Generator | None = None,
) -> Checkpoint | None:
    """The checkpoint of one seed of a job (``seed_<n>.npz``), or None without a directory."""
    if directory is None:
        return None
    return Checkpoint(
        Path(directory) / f"seed_{seed}.npz", {"settings": settings, "seed": seed}, generator
    )


def discard(directory: str | Path) -> None:
    """Remove a job's checkpoints (once its results are safely written)."""
    shutil.rmtree(directory, ignore_errors=True)


def _model_variables(model, also: Sequence = ()) -> list:
    return [*model.variables, *also]


def optimizer_variables(model, build: bool = False) -> list:
    """The optimizer's variables (step count, moments), built first if ``build``."""
    optimizer = model.optimizer
    if build and not optimizer.built:
        optimizer.build(model.trainable_variables)
    return list(optimizer.variables) if optimizer.built else []
