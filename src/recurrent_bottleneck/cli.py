"""Command-line entry point: one milestone measurement per process.

    python -m recurrent_bottleneck <measurement> --settings '<json>' \\
        --output results/<milestone>/<run>/metrics.json \\
        --tensorboard results/tensorboard/<milestone>/<run> \\
        [--threads 1] [--backend tensorflow|jax] [--checkpoints results/checkpoints/<job>]

Snakemake's training rules call this; on the GPU machine (no Snakemake there)
it is called directly. The backend and thread count are set before Keras is
imported. ``metrics.json`` is written atomically (a temporary file renamed into
place), so a killed job never leaves a file that looks complete; it holds the
settings, the measurements and the environment they came from, and nothing
time-dependent, so the same settings and seeds give an identical file. A measurement's
wall-clock numbers (a ``timing`` entry) go to ``timing.json`` beside it instead.

The training measurements that take ``--checkpoints`` keep each seed's progress in that
folder (see :mod:`recurrent_bottleneck.checkpoints`): run again after a kill, the job
resumes there. The folder is removed once ``metrics.json`` is written.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import sys
import traceback
from pathlib import Path

MEASUREMENTS = {  # command -> module:function(settings, tensorboard_directory) -> document
    "gradient-decay": "recurrent_bottleneck.milestones.gradient_decay:run",
    "latch": "recurrent_bottleneck.milestones.latch:run",
    "long-time-lags": "recurrent_bottleneck.milestones.long_time_lags:run",
    "carousel": "recurrent_bottleneck.milestones.long_time_lags:carousel",
    "timing": "recurrent_bottleneck.milestones.step_cost:timing",
    "memory": "recurrent_bottleneck.milestones.step_cost:memory",
    "continual-streams": "recurrent_bottleneck.milestones.continual_streams:run",
    "speech": "recurrent_bottleneck.milestones.speech:run",
    "sequence-to-sequence": "recurrent_bottleneck.milestones.sequence_to_sequence:run",
    "layer-timing": "recurrent_bottleneck.milestones.layer_cost:timing",
    "layer-structure": "recurrent_bottleneck.milestones.layer_cost:structure",
    "throughput": "recurrent_bottleneck.milestones.throughput:run",
}


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m recurrent_bottleneck",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("measurement", choices=sorted(MEASUREMENTS))
    parser.add_argument("--settings", required=True, help="the measurement's settings as JSON")
    parser.add_argument("--output", required=True, type=Path, help="metrics.json to write")
    parser.add_argument("--tensorboard", required=True, type=Path, help="TensorBoard run directory")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--checkpoints", type=Path, help="folder for the progress of a resumable training job"
    )
    parser.add_argument(
        "--backend",
        default=os.environ.get("KERAS_BACKEND", "tensorflow"),
        choices=["tensorflow", "jax"],
    )
    return parser.parse_args(argv)


def write_json_atomically(document: dict, path: str | Path) -> None:
    """Write JSON to a temporary file and rename it into place: never a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=1, allow_nan=True)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


@contextlib.contextmanager
def output_to_log(path: str | Path):
    """Send a Snakemake script's stdout and stderr, tracebacks included, to its log file."""
    with (
        open(path, "w", encoding="utf-8") as log,
        contextlib.redirect_stdout(log),
        contextlib.redirect_stderr(log),
    ):
        try:
            yield
        except BaseException:
            traceback.print_exc(file=log)
            raise


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    try:
        settings = json.loads(arguments.settings)
    except json.JSONDecodeError as error:
        print(f"--settings is not valid JSON: {error}", file=sys.stderr)
        return 2

    from recurrent_bottleneck import checkpoints, gpu_slots, runtime
    from recurrent_bottleneck.report.provenance import package_versions

    # on a machine with several GPUs: this job's own GPU, before the framework starts
    gpu = gpu_slots.claim()
    runtime.configure(threads=arguments.threads, backend=arguments.backend)
    module_name, function_name = MEASUREMENTS[arguments.measurement].split(":")
    measure = getattr(importlib.import_module(module_name), function_name)
    resumable = {"checkpoint_directory": arguments.checkpoints} if arguments.checkpoints else {}
    document = measure(settings, arguments.tensorboard, **resumable)
    environment = {
        **runtime.describe_device(),
        **runtime.describe_placement(),
        "packages": package_versions(),
        "threads": arguments.threads,
        **({"gpu_slot": gpu} if gpu is not None else {}),
    }
    document["environment"] = environment
    # wall-clock measurements differ from run to run: kept apart from the results
    timing = document.pop("timing", None)
    if timing is not None:
        timing_path = arguments.output.with_name("timing.json")
        write_json_atomically({**timing, "environment": environment}, timing_path)
        print(f"wrote {timing_path}", flush=True)
    write_json_atomically(document, arguments.output)
    print(f"wrote {arguments.output}", flush=True)
    if arguments.checkpoints:
        checkpoints.discard(arguments.checkpoints)
    return 0


if __name__ == "__main__":
    sys.exit(main())
