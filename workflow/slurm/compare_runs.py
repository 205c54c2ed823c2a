"""Check that two runs of the workflow with the same configuration (one local, one through
SLURM) measured the same: every result file equal, timings aside.

    python workflow/slurm/compare_runs.py LOCAL_RUN SLURM_RUN [--resumed RESULT ...]

What is left out, and why:

- wall-clock numbers: files named ``timing*.json`` (the jobs keep them apart from their
  results), ``results/benchmarks/``, the throughput benchmark (a speed, printed as a
  timing), the provenance record (job run times), the figures drawn from timings, and
  in the two summaries that mix timings with results (1997, 2017) every key that names a
  time; in the verdicts, the checks of a time and the verdict and sentence of a claim
  that has such a check (its other checks are compared);
- logs, checkpoints (removed when a job ends) and TensorBoard's event files (they carry
  wall times);
- in the job records, the fields that say where a job ran (``environment.executor`` and
  ``environment.node``), and the note of a resumed run (``resumed_after_*``): a job
  cancelled and resumed reports the uninterrupted run's numbers plus where it resumed.

Each ``--resumed`` record must hold such a note in the SLURM run. The job records must
name their executor (``local`` in the first run, ``slurm`` in the second), and the SLURM
run's report must list them. Exits 1, naming every difference, when a check fails.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from pypdf import PdfReader

SKIPPED_FOLDERS = ("results/benchmarks/", "results/logs/", "results/checkpoints/")
SKIPPED_FILES = {
    "results/throughput/metrics.json",
    "results/report/provenance.json",
    "results/figures/lstm1997_time_per_step.svg",
    "results/figures/attention_layer_time.svg",
    "results/figures/attention_transformer_against_lstm.svg",
}
MIXED_WITH_TIMINGS = {"results/long_time_lags/summary.json", "results/attention/summary.json"}
TIMING_KEY = re.compile(r"time|timing|second", re.IGNORECASE)
PLACEMENT_KEYS = ("executor", "node")


def compared_files(run: Path) -> set[str]:
    """The result files of ``run`` that must be equal, relative to the run's folder."""
    files = set()
    for path in (run / "results").rglob("*"):
        name = path.relative_to(run).as_posix()
        if (
            path.is_file()
            and not name.startswith(SKIPPED_FOLDERS)
            and not name.startswith("results/tensorboard/")
            and not path.name.startswith("timing")
            and name not in SKIPPED_FILES
        ):
            files.add(name)
    return files


def normalized(document, name: str):
    """A JSON document without where it ran, resumption notes and (in the summaries that
    mix them in) timings."""

    def strip(value, key=None):
        if isinstance(value, dict):
            return {
                inner: strip(item, inner)
                for inner, item in value.items()
                if not inner.startswith("resumed_after_")
                and not (key == "environment" and inner in PLACEMENT_KEYS)
                and not (name in MIXED_WITH_TIMINGS and TIMING_KEY.search(inner))
            }
        if isinstance(value, list):
            return [strip(item) for item in value]
        return value

    if name == "results/report/verdicts.json":
        document = {**document, "claims": [without_timings(c) for c in document["claims"]]}
    return strip(document)


def without_timings(claim: dict) -> dict:
    """A verdict without its checks of a time; if it had one, only the others are left."""
    checks = [c for c in claim["checks"] if not TIMING_KEY.search(c["measurement"])]
    if len(checks) == len(claim["checks"]):
        return claim
    return {"id": claim["id"], "checks": checks}


def differences(first: Path, second: Path) -> list[str]:
    found = []
    names_first, names_second = compared_files(first), compared_files(second)
    for name in sorted(names_first ^ names_second):
        found.append(f"{name}: only in {first if name in names_first else second}")
    for name in sorted(names_first & names_second):
        a, b = (first / name).read_bytes(), (second / name).read_bytes()
        if name.endswith(".json"):
            a, b = (normalized(json.loads(data), name) for data in (a, b))
        if a != b:
            found.append(f"{name}: differs")
    return found


def executors(run: Path) -> dict[str, str]:
    """The executor each job record names, by record."""
    named = {}
    for path in sorted((run / "results").rglob("*.json")):
        name = path.relative_to(run).as_posix()
        if name.startswith(SKIPPED_FOLDERS) or "summary" in path.name:
            continue
        environment = json.loads(path.read_text()).get("environment")
        if isinstance(environment, dict) and "threads" in environment:  # a job's own record
            named[name] = environment.get("executor", "not recorded")
    return named


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("local_run", type=Path)
    parser.add_argument("slurm_run", type=Path)
    parser.add_argument("--resumed", nargs="*", default=[], help="records that must resume")
    arguments = parser.parse_args(argv)
    problems = differences(arguments.local_run, arguments.slurm_run)
    for run, expected in ((arguments.local_run, "local"), (arguments.slurm_run, "slurm")):
        named = executors(run)
        if not named:
            problems.append(f"{run}: no job records")
        problems += [
            f"{name}: executor {executor!r}, not {expected!r}"
            for name, executor in named.items()
            if executor != expected
        ]
    for name in arguments.resumed:
        runs = json.loads((arguments.slurm_run / name).read_text()).get("runs", [])
        if not any(key.startswith("resumed_after_") for run in runs for key in run):
            problems.append(f"{name}: no run resumed from a checkpoint")
    report = arguments.slurm_run / "reports/recurrent-bottleneck.pdf"
    text = " ".join(page.extract_text() for page in PdfReader(report).pages)
    placements = text[text.rfind("Where the jobs ran") :]
    if " slurm " not in " ".join(placements.split()[:400]):
        problems.append(f"{report}: the appendix names no SLURM job")
    for problem in problems:
        print(problem)
    compared = len(compared_files(arguments.local_run))
    print(f"{compared} result files compared: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
