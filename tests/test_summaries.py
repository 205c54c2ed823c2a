"""Milestone summaries on hand-made run documents: the numbers the claims read."""

import pytest

from recurrent_bottleneck.summaries import latch, long_time_lags


def latch_document(length, successes, seeds=4):
    runs = [
        {
            "success": i < successes,
            "diverged": False,
            "sequences_to_success": 320 if i < successes else None,
            "final_test_fraction_correct": 1.0 if i < successes else 0.5,
        }
        for i in range(seeds)
    ]
    return {"length": length, "success_rate": successes / seeds, "runs": runs}


def test_latch_summary_reads_shortest_and_longest_lengths():
    summary = latch.summarize([latch_document(40, 1), latch_document(5, 4), latch_document(10, 3)])
    assert [row["length"] for row in summary["table"]] == [5, 10, 40]
    measurements = summary["measurements"]
    assert measurements["latch_success_rate_shortest"] == 1.0
    assert measurements["latch_success_rate_longest"] == 0.25
    assert (measurements["latch_shortest_length"], measurements["latch_longest_length"]) == (5, 40)
    assert measurements["latch_seeds"] == 4


def training_document(task, model, lag, successes, seeds=3):
    runs = [
        {
            "success": i < successes,
            "diverged": False,
            "sequences_to_success": 1000 * (i + 1) if i < successes else None,
            "final_test_fraction_correct": 0.99 if i < successes else 0.2,
        }
        for i in range(seeds)
    ]
    return {
        "task": task,
        "model": model,
        "lag": lag,
        "minimal_lag": lag // 2 if task == "adding" else lag + 1,
        "success_rate": successes / seeds,
        "runs": runs,
    }


def test_long_time_lags_summary():
    timing_rows = [
        {
            "model": "lstm1997",
            "length": length,
            "seconds_per_step": 0.001 * length,
            "seconds_per_time_step": 0.001,
        }
        for length in (50, 100, 400)
    ]
    documents = [
        training_document("adding", "lstm1997", 100, 3),
        training_document("adding", "simple_rnn", 100, 0),
        training_document("long_lag", "lstm1997", 50, 1),
        training_document("long_lag", "lstm1997", 100, 2),
        {"measurement": "timing", "settings": {"repeats": 5}, "rows": timing_rows},
    ]
    summary = long_time_lags.summarize(documents)
    measurements = summary["measurements"]
    assert measurements["adding_lstm1997_success_rate"] == 1.0
    assert measurements["adding_simple_rnn_success_rate"] == 0.0
    assert measurements["adding_lstm1997_median_sequences"] == 2000
    assert measurements["adding_minimal_lag"] == 50
    assert measurements["adding_paper_sequences"] == 74_000
    # the longest lag of a task is the one the claims read
    assert measurements["long_lag_lag"] == 100
    assert measurements["long_lag_lstm1997_success_rate"] == pytest.approx(2 / 3)
    assert measurements["long_lag_paper_sequences"] == 31_000
    # time proportional to T: exponent 1
    assert measurements["timing_lstm1997_length_exponent"] == pytest.approx(1.0)
    assert "carousel_truncated_factor" not in measurements  # not measured, not invented
