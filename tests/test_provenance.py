"""The provenance appendix lists the runs that resumed from a checkpoint or diverged."""

from recurrent_bottleneck.report.provenance import interrupted_and_diverged


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
