"""GPU slots: concurrent jobs get distinct GPUs; a killed job's GPU is free again."""

import os
import signal
import subprocess
import sys

import pytest

from recurrent_bottleneck import gpu_slots

HOLDER = """
import sys, time
from recurrent_bottleneck import gpu_slots
gpu = gpu_slots.claim(sys.argv[1], wait_seconds=float(sys.argv[2]), poll_seconds=0.05)
import os
print(gpu, os.environ["CUDA_VISIBLE_DEVICES"], flush=True)
time.sleep(60)
"""


def start_job(lock_directory, count, wait_seconds=0.0):
    environment = {**os.environ, gpu_slots.GPU_COUNT_VARIABLE: str(count)}
    return subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lock_directory), str(wait_seconds)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )


def claimed(job):
    line = job.stdout.readline().split()
    return line[0] if line else None


@pytest.fixture
def jobs():
    started = []
    yield started
    for job in started:
        job.kill()
        job.wait()


def test_concurrent_jobs_get_distinct_gpus_and_a_killed_job_frees_its_own(tmp_path, jobs):
    jobs += [start_job(tmp_path, count=3) for _ in range(3)]
    gpus = [claimed(job) for job in jobs]
    assert sorted(gpus) == ["0", "1", "2"]
    # all taken: a fourth job cannot get one
    late = start_job(tmp_path, count=3, wait_seconds=0.2)
    jobs.append(late)
    assert late.wait(timeout=30) != 0
    assert "no free GPU" in late.stderr.read()
    # SIGKILL the holder of GPU 1: the kernel drops its lock, the next job gets GPU 1
    victim = jobs[gpus.index("1")]
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    replacement = start_job(tmp_path, count=3, wait_seconds=10)
    jobs.append(replacement)
    assert claimed(replacement) == "1"


def test_a_waiting_job_gets_the_gpu_when_it_is_released(tmp_path, jobs):
    first = start_job(tmp_path, count=1)
    jobs.append(first)
    assert claimed(first) == "0"
    second = start_job(tmp_path, count=1, wait_seconds=20)
    jobs.append(second)
    # a job that must wait says so, naming the process that holds the GPU
    waiting = second.stderr.readline()
    assert "waiting up to 20 s for a free GPU" in waiting
    assert f"GPU 0 by process {first.pid}" in waiting
    first.kill()
    assert claimed(second) == "0"


def test_no_gpu_means_no_claim(tmp_path, monkeypatch):
    monkeypatch.setenv(gpu_slots.GPU_COUNT_VARIABLE, "0")
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert gpu_slots.claim(tmp_path) is None
    assert "CUDA_VISIBLE_DEVICES" not in os.environ
    assert list(tmp_path.iterdir()) == []


def test_limit_gpu_jobs_follows_the_gpus_found_unless_the_user_set_it(monkeypatch):
    monkeypatch.setenv(gpu_slots.GPU_COUNT_VARIABLE, "0")
    resources = {}
    assert gpu_slots.limit_gpu_jobs(resources) is None and resources == {}
    monkeypatch.setenv(gpu_slots.GPU_COUNT_VARIABLE, "3")
    assert gpu_slots.limit_gpu_jobs(resources) == 3 and resources == {"gpu": 3}
    given = {"gpu": 1}  # --resources gpu=1
    assert gpu_slots.limit_gpu_jobs(given) is None and given == {"gpu": 1}


SNAKEFILE = """
from recurrent_bottleneck import gpu_slots
gpu_slots.limit_gpu_jobs(workflow.global_resources)

rule all:
    input: "a", "b"

rule job:
    output: "{name}"
    wildcard_constraints: name="a|b"
    resources: gpu=1
    shell: "date +%s.%N > {output}; sleep 1; date +%s.%N >> {output}"
"""


@pytest.mark.parametrize("gpus, overlap", [("1", False), ("2", True)])
def test_snakemake_runs_one_gpu_job_per_gpu_found(tmp_path, gpus, overlap):
    """The limit set while the Snakefile is read is the one Snakemake schedules by."""
    (tmp_path / "Snakefile").write_text(SNAKEFILE)
    environment = {**os.environ, gpu_slots.GPU_COUNT_VARIABLE: gpus}
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", "--quiet"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    (start_a, end_a), (start_b, end_b) = (
        [float(line) for line in (tmp_path / name).read_text().split()] for name in "ab"
    )
    assert (start_b < end_a and start_a < end_b) == overlap
