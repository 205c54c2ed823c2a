"""The GPU device script runs the workflow's own full-scale jobs, not a stale copy of them."""

import json
import re
import shlex
import subprocess
import sys


def commands(text: str) -> list[tuple[str, dict]]:
    """(measurement, settings) of every ``python[3] -m recurrent_bottleneck`` call in text."""
    found = []
    for match in re.finditer(r"python3? -m recurrent_bottleneck (\S+) --settings ('[^']*')", text):
        found.append((match.group(1), json.loads(shlex.split(match.group(2))[0])))
    return found


def test_device_script_matches_the_full_scale_workflow(project_root):
    script = (project_root / "workflow/device/full-scale-part.sh").read_text()
    dry_run = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "-n",
            "-p",
            "--forceall",
            "--cores",
            "1",
            "--configfile",
            "config/full.yaml",
        ],  # fmt: skip
        cwd=project_root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert dry_run.returncode == 0, dry_run.stderr[-2000:]
    workflow_jobs = commands(dry_run.stdout)
    device_jobs = commands(script)
    assert len(device_jobs) >= 2
    for measurement, settings in device_jobs:
        # the device may run less of a job (fewer seeds, epochs, beam sentences);
        # everything else must be the workflow's
        assert any(
            measurement == other and same_job_or_less(settings, theirs)
            for other, theirs in workflow_jobs
        ), f"{measurement} in the device script differs from config/full.yaml's job"


TRIMMABLE = ("seeds", "epochs", "beam_sentences")


def same_job_or_less(device: dict, workflow: dict) -> bool:
    def rest(settings):
        return {key: value for key, value in settings.items() if key not in TRIMMABLE}

    return rest(device) == rest(workflow) and all(
        device[key] <= workflow[key] for key in TRIMMABLE if key in device and key in workflow
    )


def test_a_device_job_may_run_less_but_not_more():
    workflow = {"seeds": 3, "epochs": 8, "units": 512}
    assert same_job_or_less({"seeds": 1, "epochs": 2, "units": 512}, workflow)
    assert not same_job_or_less({"seeds": 1, "epochs": 9, "units": 512}, workflow)
    assert not same_job_or_less({"seeds": 1, "epochs": 2, "units": 256}, workflow)
