"""Check that two runs of the workflow with the same configuration (one local, one through
SLURM) measured the same: every result file equal, timings aside.

    python workflow/slurm/compare_runs.py LOCAL_RUN SLURM_RUN [--resumed RESULT ...]

What is left out, and why:

- wall-clock numbers: files named ``timing*.json`` (the jobs keep them apart from their
  results), ``results/benchmarks/``, the throughput benchmark (a speed, printed as a
  timing), the provenance record (job run times), the figures drawn from timings, and
  in the two summaries that mix timings with results (1997, 2017) every key that names a
  time or is computed from times alone (a speed-up across thread counts, the length from
  which self-attention is slower than the recurrent layer); in the verdicts, the checks
  of a time and the verdict and sentence of a claim that has such a check (its other
  checks are compared);
- logs, checkpoints (removed when a job ends) and TensorBoard's event files (they carry
  wall times);
- in the job records, the fields that say where a job ran (``environment.executor`` and
  ``environment.node``), and the note of a resumed run (``resumed_after_*``): a job
  cancelled and resumed reports the uninterrupted run's numbers plus where it resumed.

Each ``--resumed`` record must hold such a note in the SLURM run. The job records must
name their executor (``local`` in the first run, ``slurm`` in the second), and the SLURM
run's report must list them.

The two PDF reports must differ in nothing but those things: the SLURM run's report
data, given the local run's timings, placements and resumption notes, compiles to the
same bytes as the local run's (both compiled here, with the local run's figures, which
the file comparison has checked apart from the timing figures). Exits 1, naming every
difference, when a check fails.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pypdfium2

SKIPPED_FOLDERS = ("results/benchmarks/", "results/logs/", "results/checkpoints/")
SKIPPED_FILES = {
    "results/throughput/metrics.json",
    "results/report/provenance.json",
    "results/figures/lstm1997_time_per_step.svg",
    "results/figures/attention_layer_time.svg",
    "results/figures/attention_transformer_against_lstm.svg",
}
MIXED_WITH_TIMINGS = {"results/long_time_lags/summary.json", "results/attention/summary.json"}
# keys that name a time, or a number computed from times alone
TIMING_KEY = re.compile(r"time|timing|second|speedup|slower_than", re.IGNORECASE)
PLACEMENT_KEYS = ("executor", "node")
REPORT_DATA = "reports/recurrent-bottleneck.data.json"
# provenance entries that are timings (job run times), placements or resumption notes
PROVENANCE_KEYS = ("benchmarks", "total_job_seconds", "placements", "interrupted_and_diverged")


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


def with_timings_of(first: dict, second: dict) -> dict:
    """The report data ``second`` with every timing, placement and resumption note taken
    from ``first`` (what two runs of one configuration may differ in); the rest as is."""

    def take(mine, theirs, mixed: bool, key=None):
        if isinstance(mine, dict) and isinstance(theirs, dict):
            return {
                inner: theirs[inner]
                if inner in theirs
                and (
                    inner.startswith("resumed_after_")
                    or (key == "environment" and inner in PLACEMENT_KEYS)
                    or (mixed and TIMING_KEY.search(inner))
                )
                else take(item, theirs.get(inner), mixed, inner)
                for inner, item in mine.items()
            }
        if isinstance(mine, list) and isinstance(theirs, list) and len(mine) == len(theirs):
            return [take(a, b, mixed) for a, b in zip(mine, theirs, strict=True)]
        return mine

    result = copy.deepcopy(second)
    result["timings"] = first["timings"]
    for key in PROVENANCE_KEYS:
        result["provenance"][key] = first["provenance"].get(key)
    for milestone, summary in second["summaries"].items():
        mixed = f"results/{milestone}/summary.json" in MIXED_WITH_TIMINGS
        result["summaries"][milestone] = take(summary, first["summaries"].get(milestone), mixed)
    result["claims"] = [
        theirs if without_timings(theirs) is not theirs else mine
        for mine, theirs in zip(second["claims"], first["claims"], strict=True)
    ]
    return result


def report_differences(first: Path, second: Path) -> list[str]:
    """Empty when the two runs' reports differ only in timings, placements and
    resumption notes (see the module's docstring)."""
    from recurrent_bottleneck.report.build import compile_pdf

    local, other = (json.loads((run / REPORT_DATA).read_text()) for run in (first, second))
    folder = Path(tempfile.mkdtemp(prefix=".compare-", dir=first))
    try:
        pdfs = []
        for name, data in (("first", local), ("second", with_timings_of(local, other))):
            output = folder / f"{name}.pdf"
            compile_pdf(first / "reports/template.typ", data, output, root=first)
            pdfs.append(output.read_bytes())
    finally:
        shutil.rmtree(folder)
    if pdfs[0] == pdfs[1]:
        return []
    return [f"{second / 'reports'}: the report differs from {first}'s in more than timings"]


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
    problems += report_differences(arguments.local_run, arguments.slurm_run)
    report = arguments.slurm_run / "reports/recurrent-bottleneck.pdf"
    document = pypdfium2.PdfDocument(report)
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    document.close()
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
