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


def device_layer_timing(exponents: dict, device="GPU X", backend="jax") -> dict:
    lengths = [64, 128, 256, 512]
    rows = [
        {
            "layer": layer,
            "sweep": "length",
            "length": length,
            "width": 8,
            "seconds_per_step": 1e-4 * length**exponent,
            "tokens_per_second": 1.0,
        }
        for layer, exponent in exponents.items()
        for length in lengths
    ]
    return {
        "milestone": "attention",
        "measurement": "layer_timing",
        "settings": {"width": 8, "batch_size": 2, "fit_from_length": 64, "repeats": 1},
        "rows": rows,
        "environment": {"device": device, "backend": backend, "threads": 1},
    }


def test_device_summary_fits_each_layer_and_finds_where_attention_gets_slower():
    from recurrent_bottleneck.summaries import devices

    summary = devices.summarize([device_layer_timing({"recurrent": 1.0, "self_attention": 2.0})])
    (timing,) = summary["measurements"]["layer_timing"]
    exponents = {row["layer"]: row["time_length_exponent"] for row in timing["rows"]}
    assert exponents == pytest.approx({"recurrent": 1.0, "self_attention": 2.0})
    # 1e-4·n² exceeds 1e-4·n from n = 2: slower at the first length measured
    assert timing["attention_slower_than_recurrent_from_length"] == 64
    assert timing["attention_over_recurrent_time_longest"] == pytest.approx(512.0)
    assert timing["device"] == "GPU X (jax)"


def test_device_summary_pairs_throughput_timing_with_its_metrics_and_rejects_strays():
    from recurrent_bottleneck.summaries import devices

    environment = {"device": "CPU", "backend": "tensorflow"}
    metrics = {
        "measurement": "throughput",
        "models": [{"model": "a", "parameters": 3, "fused_kernel": False}],
        "environment": environment,
    }
    timing = {
        "measurement": "throughput",
        "rows": [{"model": "a", "unit": "tokens", "per_second": 5.0}],
        "environment": environment,
    }
    (rows,) = devices.summarize([metrics, timing])["measurements"]["throughput"]
    assert rows["rows"] == [
        {"model": "a", "unit": "tokens", "per_second": 5.0, "parameters": 3, "fused_kernel": False}
    ]
    with pytest.raises(ValueError, match="without its metrics"):
        devices.summarize([timing])
    with pytest.raises(ValueError, match="not a device document"):
        devices.summarize([{"measurement": "something else"}])


def test_committed_device_measurements_are_readable():
    """Whatever a session committed under reports/measured/ must summarise."""
    import glob
    import json
    from pathlib import Path

    from recurrent_bottleneck.summaries import devices

    root = Path(__file__).resolve().parents[1]
    paths = sorted(glob.glob(str(root / "reports/measured/*/*.json")))
    documents = [json.loads(Path(path).read_text()) for path in paths]
    summary = devices.summarize(documents)["measurements"]
    sessions = {path.split("/")[-2] for path in paths}
    assert len(summary["sessions"]) == len(sessions)
    for section in summary["long_time_lags"]:
        assert section["seeds"] == len(section["sequences_to_success"])
