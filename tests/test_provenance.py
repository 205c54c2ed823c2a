"""The provenance appendix lists the runs that resumed from a checkpoint or diverged, and
where each job ran."""

from recurrent_bottleneck.report.provenance import interrupted_and_diverged, placements


def test_resumed_and_diverged_runs_are_listed_with_where_they_resumed():
    measurements = {
        "results/latch/length_40/metrics.json": {
            "runs": [
                {"seed": 0, "success": True, "diverged": False},
                {"seed": 1, "diverged": False, "resumed_after_sequences": [1600, 4800]},
            ]
        },
        "results/sequence_to_sequence/forward/metrics.json": {
            "runs": [{"seed": 0, "diverged": True, "resumed_after_epochs": [3]}]
        },
        "results/gradient_decay/tanh/metrics.json": {"radii": []},
    }
    assert interrupted_and_diverged(measurements) == [
        {
            "run": "results/latch/length_40 seed 1",
            "resumed_after": "1600, 4800 sequences",
            "diverged": False,
        },
        {
            "run": "results/sequence_to_sequence/forward seed 0",
            "resumed_after": "3 epochs",
            "diverged": True,
        },
    ]


def test_the_executor_and_node_of_each_job_are_listed():
    measurements = {
        "results/latch/length_40/metrics.json": {
            "environment": {"device": "CPU", "executor": "slurm", "node": "node-7"}
        },
        "results/latch/length_3/metrics.json": {
            "environment": {"device": "CPU", "executor": "local", "node": "laptop"}
        },
        "results/gradient_decay/tanh/metrics.json": {"environment": {"device": "CPU"}},
        "results/latch/summary.json": {"table": []},
    }
    assert placements(measurements) == [
        {"job": "results/gradient_decay/tanh", "executor": "not recorded", "node": "not recorded"},
        {"job": "results/latch/length_3", "executor": "local", "node": "laptop"},
        {"job": "results/latch/length_40", "executor": "slurm", "node": "node-7"},
    ]
