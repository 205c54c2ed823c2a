"""Where the report's numbers came from: commit, configuration, packages, machine, run
times, and the executor and node of each job."""

from __future__ import annotations

import csv
import platform
import re
import subprocess
from importlib import metadata
from pathlib import Path

from recurrent_bottleneck.runtime import cpu_model

PACKAGES = (
    "tensorflow",
    "keras",
    "jax",
    "tensorboard",
    "numpy",
    "matplotlib",
    "snakemake",
    "typst",
    "sacrebleu",
    "rapidfuzz",
    "PyYAML",
)


def git_commit(directory: str | Path) -> str:
    """The checked-out commit of ``directory``, marked ``-dirty`` if files changed."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(directory), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "-C", str(directory), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return commit + ("-dirty" if changes else "")


def package_versions() -> dict[str, str]:
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def read_benchmark(path: str | Path) -> dict:
    """One Snakemake benchmark file: the job's name (from the file name) and its wall time."""
    path = Path(path)
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    seconds = float(rows[-1]["s"]) if rows else float("nan")
    memory = rows[-1].get("max_rss") if rows else None
    return {
        "job": path.stem,
        "seconds": seconds,
        "max_rss_mb": _float_or_none(memory),
    }


def interrupted_and_diverged(measurements: dict[str, dict]) -> list[dict]:
    """The runs (one seed of one job) that resumed from a checkpoint or diverged, from the
    ``metrics.json`` documents by path; a resumed run's record names where it resumed."""
    rows = []
    for path, document in measurements.items():
        for run in document.get("runs", []):
            resumed = {
                key.removeprefix("resumed_after_"): value
                for key, value in run.items()
                if key.startswith("resumed_after_")
            }
            if resumed or run.get("diverged"):
                rows.append(
                    {
                        "run": f"{Path(path).parent.as_posix()} seed {run.get('seed', '?')}",
                        "resumed_after": ", ".join(
                            f"{', '.join(str(point) for point in points)} {unit}"
                            for unit, points in resumed.items()
                        ),
                        "diverged": bool(run.get("diverged")),
                    }
                )
    return rows


def placements(measurements: dict[str, dict]) -> list[dict]:
    """Which executor ran each measurement job (``local`` or ``slurm``) and on which node,
    from the environment its record names; one row per job folder, from the
    ``metrics.json`` (or timing) documents by path. Records written before these fields
    existed say so."""
    rows = {}
    for path, document in measurements.items():
        environment = document.get("environment")
        if environment is not None:
            rows[Path(path).parent.as_posix()] = {
                "executor": environment.get("executor", "not recorded"),
                "node": environment.get("node", "not recorded"),
            }
    return [{"job": job, **rows[job]} for job in sorted(rows, key=_natural_key)]


def collect(
    workflow_directory, config: dict, benchmark_files: list, measurements: dict[str, dict]
) -> dict:
    """Everything the report's provenance appendix prints; ``measurements``: the
    ``metrics.json`` documents by path."""
    measurement_documents = list(measurements.values())
    devices = sorted(
        {
            f"{document['environment']['device']} ({document['environment']['backend']})"
            for document in measurement_documents
            if "environment" in document
        }
    )
    benchmarks = sorted(
        (read_benchmark(path) for path in benchmark_files), key=lambda row: _natural_key(row["job"])
    )
    return {
        "commit": git_commit(workflow_directory),
        "config": config,
        "packages": package_versions(),
        "machine": {
            "cpu": cpu_model(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            # where Snakemake ran, and with it the summaries, figures and the report
            "node": platform.node(),
        },
        "devices": devices,
        "benchmarks": benchmarks,
        "total_job_seconds": sum(row["seconds"] for row in benchmarks),
        "interrupted_and_diverged": interrupted_and_diverged(measurements),
        "placements": placements(measurements),
    }


def _natural_key(text: str):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _float_or_none(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
