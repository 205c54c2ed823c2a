"""Workflow runs that start from an empty copy of the project (test_workflow.py shares
one whole smoke run among its tests): a training killed and resumed, a partial report
of what finished, and bad input stopped before any job, named.

A file of its own, so that with one test worker per core these runs share the machine
with the quicker files while another worker makes the smoke run.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
import yaml
from snakemake_runs import PARTIAL, copy_project, pdf_text, snakemake

pytestmark = pytest.mark.workflow


def test_a_killed_workflow_resumes_its_training_from_the_checkpoint(tmp_path, request):
    """Snakemake and its training job killed hard (SIGKILL) mid-run: after ``--unlock``,
    the rerun with ``--rerun-incomplete`` resumes the job from its last checkpoint and
    removes the checkpoints once the results are written."""
    directory = copy_project(request.config.rootpath, tmp_path)
    longer = {"latch": {"lengths": [5, 40], "seeds": 2, "training_steps": 300}}
    longer["latch"]["evaluation_interval"] = 25
    longer["latch"]["success_accuracy"] = 1.0
    longer["latch"]["noise_variance"] = 2.0  # too noisy to reach accuracy 1: all 300 steps
    (directory / "longer.yaml").write_text(yaml.safe_dump(longer))
    target = "results/latch/length_40/metrics.json"
    arguments = [target, "--configfile", "config/smoke.yaml", "longer.yaml"]
    workflow = subprocess.Popen(
        [sys.executable, "-m", "snakemake", "--cores", "2", *arguments],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    checkpoint = directory / "results/checkpoints/latch/length_40/seed_1.npz"
    deadline = time.monotonic() + 300
    while not checkpoint.exists() and workflow.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert workflow.poll() is None, "the workflow ended before it could be killed"
    os.killpg(workflow.pid, signal.SIGKILL)
    workflow.wait()
    assert not (directory / target).exists()
    assert snakemake(directory, "--unlock", *arguments).returncode == 0
    result = snakemake(directory, "--rerun-incomplete", *arguments)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    log = (directory / "results/logs/latch_train-40.log").read_text()
    assert "resumed from results/checkpoints/latch/length_40/seed_1.npz" in log
    runs = json.loads((directory / target).read_text())["runs"]
    assert "resumed_after_sequences" not in runs[0] and runs[1]["resumed_after_sequences"]
    assert not (directory / "results/checkpoints/latch/length_40").exists()
    # the report's appendix names the resumed run (a partial report: only latch ran)
    report = snakemake(directory, *arguments[1:], *PARTIAL)
    assert report.returncode == 0, report.stdout[-3000:] + report.stderr[-3000:]
    text = pdf_text(directory / "reports/recurrent-bottleneck.pdf")
    assert "Runs resumed or diverged" in text
    assert "results/latch/length_40 seed 1" in text


def test_a_partial_report_builds_from_what_finished_and_names_what_is_missing(tmp_path, request):
    """With partial_report, nothing is trained: the report is built from the results that
    exist (here only the 1991 gradient measurements), and it names the milestones without
    results, whose claims read "not measured"."""
    directory = copy_project(request.config.rootpath, tmp_path)
    arguments = ["--configfile", "config/smoke.yaml"]
    first = snakemake(directory, "results/gradient_decay/summary.json", *arguments)
    assert first.returncode == 0, first.stderr[-3000:]
    partial = [*arguments, *PARTIAL]
    plan = snakemake(directory, *partial, "--dry-run", "--quiet", "rules")
    planned = plan.stdout + plan.stderr
    assert "_train" not in planned and "report" in planned
    result = snakemake(directory, *partial)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    text = pdf_text(directory / "reports/recurrent-bottleneck.pdf")
    assert "Partial report" in text
    for milestone in ("latch", "long_time_lags", "continual_streams", "sequence_to_sequence"):
        assert milestone in text
    verdicts = json.loads((directory / "results/report/verdicts.json").read_text())["claims"]
    by_milestone = {claim["milestone"]: claim["verdict"] for claim in verdicts}
    assert by_milestone["gradient_decay"] != "not measured"
    assert by_milestone["latch"] == "not measured"


@pytest.mark.parametrize(
    ("bad", "named"),
    [
        ("latch:\n  seeds: 0\n", "seeds"),
        ("gradient_decay:\n  max_lag: -5\n", "max_lag"),
        ("latch:\n  lenghts: [5, 10]\n", "lenghts"),
        # a range the schema cannot check: the rule file refuses it, naming the key
        ("speech:\n  corpus:\n    frames_per_phone: [5, 2]\n", "speech.corpus.frames_per_phone"),
    ],
)
def test_bad_config_stops_before_any_job(tmp_path, request, bad, named):
    directory = copy_project(request.config.rootpath, tmp_path)
    (directory / "bad.yaml").write_text(bad)
    result = snakemake(directory, "--configfile", "bad.yaml")
    assert result.returncode != 0
    assert named in result.stderr + result.stdout
    assert not (directory / "results").exists()
    assert not (directory / "reports" / "recurrent-bottleneck.pdf").exists()


@pytest.mark.parametrize("blocked", ["results", "reports"])
def test_an_unwritable_output_folder_is_named_before_any_job(tmp_path, request, blocked):
    directory = copy_project(request.config.rootpath, tmp_path)
    if blocked == "reports":
        shutil.rmtree(directory / "reports")
    (directory / blocked).write_text("a file where the workflow writes a folder\n")
    result = snakemake(directory, "--configfile", "config/smoke.yaml")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert f"cannot write to '{blocked}'" in output and "is a file, not a folder" in output
    assert "Traceback" not in output
    if blocked == "reports":
        assert not (directory / "results").exists()
