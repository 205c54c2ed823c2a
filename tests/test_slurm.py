"""The SLURM profile (workflow/profiles/slurm): one GPU for every training rule, a dry run
without any cluster; the comparison of a local and a SLURM run; and, where the machine
allows it (root, apt-get, RUN_SLURM_TEST=1), part of the smoke workflow on a real
single-node SLURM cluster (workflow/slurm/single-node-test.sh)."""

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from snakemake_runs import copy_project

from recurrent_bottleneck.runtime import describe_placement

PROFILE = "workflow/profiles/slurm"


def rules_asking_for_a_gpu(root):
    """The rules whose ``resources:`` name ``gpu=``, read from the rule files."""
    rules = set()
    for path in sorted((root / "workflow/rules").glob("*.smk")):
        for block in re.split(r"^rule ", path.read_text(), flags=re.MULTILINE)[1:]:
            if re.search(r"^\s+gpu=", block, flags=re.MULTILINE):
                rules.add(block.split(":", 1)[0])
    return rules


def test_every_training_rule_gets_one_gpu_from_the_profile(project_root):
    profile = yaml.safe_load((project_root / PROFILE / "config.yaml").read_text())
    training = rules_asking_for_a_gpu(project_root)
    assert {"latch_train", "sequence_to_sequence_train", "attention_transformer_train"} <= training
    assert set(profile["set-resources"]) == training
    for rule in training:
        assert profile["set-resources"][rule]["gpu"] == 1, rule
        assert profile["set-resources"][rule]["slurm_partition"], rule
    assert profile["executor"] == "slurm"
    assert {"slurm_partition", "runtime", "mem_mb"} <= set(profile["default-resources"])
    assert profile["retries"] >= 1 and profile["keep-going"] and profile["latency-wait"] > 0


def test_the_profile_plans_the_smoke_workflow_without_a_cluster(tmp_path, project_root):
    directory = copy_project(project_root, tmp_path)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "-n",
            "--profile",
            PROFILE,
            "--configfile",
            "config/smoke.yaml",
        ],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    resources = {
        block.split(":", 1)[0]: re.search(r"resources: (.*)", block).group(1)
        for block in re.split(r"\n(?:local)?rule ", output)[1:]
        if "resources:" in block
    }
    assert "gpu=1" in resources["latch_train"]
    assert "slurm_partition=gpu" in resources["latch_train"]
    assert "runtime=720" in resources["latch_train"]
    assert "slurm_partition=main" in resources["attention_layer_structure"]
    assert "gpu=" not in resources["attention_layer_structure"]


def test_a_job_names_its_executor_and_node(monkeypatch):
    monkeypatch.delenv("SLURM_JOB_ID", raising=False)
    monkeypatch.delenv("SLURMD_NODENAME", raising=False)
    assert describe_placement()["executor"] == "local"
    monkeypatch.setenv("SLURM_JOB_ID", "42")
    monkeypatch.setenv("SLURMD_NODENAME", "gpu-node-3")
    assert describe_placement() == {"executor": "slurm", "node": "gpu-node-3"}


def load_compare_runs(project_root):
    path = project_root / "workflow/slurm/compare_runs.py"
    spec = importlib.util.spec_from_file_location("compare_runs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_run(folder, executor, accuracy=0.5, seconds=1.0, resumed=False):
    """A tiny results tree: one job record, its timing, its log."""
    run = {
        "seed": 0,
        "accuracy": accuracy,
        **({"resumed_after_sequences": [64]} if resumed else {}),
    }
    environment = {"device": "CPU", "threads": 1, "executor": executor, "node": f"{executor}-node"}
    job = folder / "results/latch/length_3"
    job.mkdir(parents=True)
    (job / "metrics.json").write_text(json.dumps({"runs": [run], "environment": environment}))
    (job / "timing.json").write_text(json.dumps({"seconds": seconds}))
    (folder / "results/logs").mkdir()
    (folder / "results/logs/latch_train-3.log").write_text(f"{executor} run\n")
    return folder


def test_runs_differing_only_in_placement_timings_and_resumption_compare_equal(
    tmp_path, project_root
):
    compare_runs = load_compare_runs(project_root)
    local = write_run(tmp_path / "local", "local")
    cluster = write_run(tmp_path / "cluster", "slurm", seconds=2.5, resumed=True)
    assert compare_runs.differences(local, cluster) == []
    assert compare_runs.executors(cluster) == {"results/latch/length_3/metrics.json": "slurm"}
    different = write_run(tmp_path / "different", "slurm", accuracy=0.75)
    assert compare_runs.differences(local, different) == [
        "results/latch/length_3/metrics.json: differs"
    ]
    (different / "results/latch/extra.json").write_text("{}")
    assert f"results/latch/extra.json: only in {different}" in compare_runs.differences(
        local, different
    )


def test_numbers_computed_from_timings_alone_are_set_aside(project_root):
    """Which layer is faster at a length, or by how much with more threads, follows the
    timings: two runs may differ in them (as a CI run's did at the smoke scale)."""
    compare_runs = load_compare_runs(project_root)
    name = "results/attention/summary.json"

    def summary(crossover, speedup, perplexity=57.0):
        return {
            "measurements": {
                "attention_slower_than_recurrent_from_length": crossover,
                "self_attention_speedup_longest": speedup,
                "transformer_test_perplexity": perplexity,
            },
            "layers": {"table": [{"layer": "recurrent", "speedup": {"16": speedup}}]},
        }

    local = compare_runs.normalized(summary(None, 1.2), name)
    assert compare_runs.normalized(summary(8, 1.9), name) == local
    assert compare_runs.normalized(summary(None, 1.2, perplexity=58.0), name) != local


def report_data(accuracy=0.5, seconds=1.0, executor="local"):
    """A cut-down report data document: a result, timings, a placement, a timing claim."""
    return {
        "timings": {"devices": {"seconds": seconds}},
        "provenance": {
            "commit": "abc",
            "benchmarks": [{"job": "latch", "seconds": seconds}],
            "total_job_seconds": seconds,
            "placements": [{"executor": executor}],
            "interrupted_and_diverged": [],
        },
        "summaries": {
            "long_time_lags": {
                "measurements": {"success": accuracy, "timing_s": seconds},
                "environment": {"executor": executor, "device": "CPU"},
            }
        },
        "claims": [
            {"id": "result", "checks": [{"measurement": "success"}], "measured": f"{accuracy}"},
            {"id": "timed", "checks": [{"measurement": "timing_s"}], "measured": f"{seconds}"},
        ],
    }


def test_two_reports_compare_equal_once_timings_and_placements_are_set_aside(project_root):
    compare_runs = load_compare_runs(project_root)
    local = report_data()
    cluster = report_data(seconds=2.5, executor="slurm")
    assert compare_runs.with_timings_of(local, cluster) == local
    different = report_data(accuracy=0.75, seconds=2.5, executor="slurm")
    merged = compare_runs.with_timings_of(local, different)
    assert merged != local
    assert merged["summaries"]["long_time_lags"]["measurements"]["success"] == 0.75
    assert merged["claims"][0]["measured"] == "0.75" and merged["claims"][1]["measured"] == "1.0"


can_run_a_cluster = (
    os.environ.get("RUN_SLURM_TEST") == "1"
    and hasattr(os, "geteuid")
    and os.geteuid() == 0
    and shutil.which("apt-get") is not None
)


DEFAULT_CONFIGURATION = Path("/etc/slurm/slurm.conf")


def plant_a_killed_runs_configuration_link(folder):
    """What a run of the test script killed outright leaves behind: the default
    configuration linking to that run's configuration, beside the pids of its daemons,
    long gone. Only where there is no configuration (a link to nowhere counts as none)."""
    if DEFAULT_CONFIGURATION.exists():
        return False
    (folder / "etc").mkdir(parents=True)
    (folder / "etc/slurm.conf").write_text("ClusterName=killed\n")
    (folder / "pids").write_text("999999999\n")  # above any pid_max
    DEFAULT_CONFIGURATION.parent.mkdir(parents=True, exist_ok=True)
    DEFAULT_CONFIGURATION.unlink(missing_ok=True)
    DEFAULT_CONFIGURATION.symlink_to(folder / "etc/slurm.conf")
    return True


# What the cluster test makes, in both runs, before the partial report: a job of every
# kind the profile places (GPU training, among them the latch job the test cancels and
# the whole-node timing job; a CPU job) and the summaries and figures that read them.
# The whole smoke workflow ran this way until session 39 (twice the smoke run's time; the
# script's default, for a run by hand); the dry run above plans every rule of it.
CLUSTER_TEST_TARGETS = (
    "results/gradient_decay/summary.json",
    "results/latch/summary.json",
    "results/long_time_lags/timing/timing.json",
    "results/attention/layer_structure/metrics.json",
)


def links_into(path, folder):
    return path.is_symlink() and os.readlink(path).startswith(str(folder))


@pytest.mark.workflow
@pytest.mark.skipif(
    not can_run_a_cluster,
    reason="starts SLURM daemons: needs root, apt-get and RUN_SLURM_TEST=1",
)
def test_the_smoke_workflow_on_a_single_node_slurm_cluster(project_root):
    """Local and SLURM runs give the same results; a training job cancelled with scancel
    is resubmitted and resumes from its checkpoint; the configuration link of an earlier,
    killed run does not stop it; every daemon is stopped and the link removed."""
    # not under pytest's tmp_path: its folders are closed to other users (0700), and
    # munged runs as the munge user
    work = Path(tempfile.mkdtemp(prefix="recurrent-bottleneck-slurm-"))
    work.chmod(0o755)
    planted = plant_a_killed_runs_configuration_link(work / "killed-earlier-run")
    try:
        result = subprocess.run(
            ["bash", str(project_root / "workflow/slurm/single-node-test.sh")],
            env={
                **os.environ,
                "SLURM_TEST_DIR": str(work / "slurm"),
                "PYTHON": sys.executable,
                "SLURM_TEST_TARGETS": " ".join(CLUSTER_TEST_TARGETS),
            },
            capture_output=True,
            text=True,
            timeout=3600,
        )
        daemons = subprocess.run(["pgrep", "-f", str(work)], capture_output=True, text=True)
    finally:
        link_left = links_into(DEFAULT_CONFIGURATION, work)
        if link_left:
            DEFAULT_CONFIGURATION.unlink()
        shutil.rmtree(work, ignore_errors=True)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
    assert "passed: SLURM results = local results" in result.stdout
    assert "cancelled SLURM job" in result.stdout + result.stderr
    assert "cluster run: the partial report of results/gradient_decay" in result.stdout
    if planted:
        assert "left by an earlier run of this test" in result.stdout
    assert daemons.stdout == ""
    assert not link_left
