"""Summary of the 1997 experiments: success per (task, model, lag), carousel, timing."""

from __future__ import annotations

import numpy as np

from recurrent_bottleneck.milestones.long_time_lags import TASKS
from recurrent_bottleneck.training import run_statistics

# Training sequences to success reported by the paper (means over trials): Table 7
# (adding, by T) and the Experiment 2c rows with q = p (by q).
PAPER_SEQUENCES_TO_SUCCESS = {
    "adding": {100: 74_000, 500: 209_000, 1000: 853_000},
    "long_lag": {50: 30_000, 100: 31_000, 200: 33_000, 500: 38_000, 1000: 49_000},
}

# the models a task's claim compares (Keras' LSTM is shown beside them, not judged)
CLAIM_MODELS = ("lstm1997", "simple_rnn")


def summarize(documents: list[dict]) -> dict:
    """Success table per (task, model, lag), the carousel factors, the timing ratio."""
    training = [d for d in documents if "measurement" not in d]
    carousel_document = next((d for d in documents if d.get("measurement") == "carousel"), None)
    timing_document = next((d for d in documents if d.get("measurement") == "timing"), None)
    memory_document = next((d for d in documents if d.get("measurement") == "memory"), None)
    table = []
    for document in sorted(training, key=lambda d: (d["task"], d["lag"], d["model"])):
        table.append(
            {
                "task": document["task"],
                "model": document["model"],
                "lag": document["lag"],
                "minimal_lag": document["minimal_lag"],
                **run_statistics(document["runs"]),
                "paper_sequences_to_success": PAPER_SEQUENCES_TO_SUCCESS[document["task"]].get(
                    document["lag"]
                ),
            }
        )
    measurements: dict = {}
    if table:
        measurements["lstm1997_seeds"] = min(row["seeds"] for row in table)
    for task in TASKS:
        rows = [row for row in table if row["task"] == task]
        if not rows:
            continue
        longest = max(row["lag"] for row in rows)
        longest_rows = [row for row in rows if row["lag"] == longest]
        # the seeds behind the task's claim: those of the runs it reads
        read = [row["seeds"] for row in longest_rows if row["model"] in CLAIM_MODELS]
        if read:
            measurements[f"{task}_seeds"] = min(read)
        for row in longest_rows:
            measurements[f"{task}_lag"] = row["lag"]
            measurements[f"{task}_minimal_lag"] = row["minimal_lag"]
            measurements[f"{task}_{row['model']}_success_rate"] = row["success_rate"]
            measurements[f"{task}_{row['model']}_median_sequences"] = row[
                "median_sequences_to_success"
            ]
        measurements[f"{task}_paper_sequences"] = PAPER_SEQUENCES_TO_SUCCESS[task].get(longest)
    if carousel_document:
        curves = carousel_document["curves"]
        measurements.update(
            {
                "carousel_seeds": carousel_document["settings"]["seeds"],
                "carousel_max_lag": carousel_document["settings"]["max_lag"],
                "carousel_truncated_factor": curves["lstm1997_truncated"]["fitted_factor"],
                "carousel_full_bptt_factor": curves["lstm1997_full_bptt"]["fitted_factor"],
                "carousel_rnn_factor": curves["simple_rnn_tanh_radius_1"]["fitted_factor"],
            }
        )
    timing_rows = timing_document["rows"] if timing_document else []
    lstm_rows = sorted(
        (row for row in timing_rows if row["model"] == "lstm1997"), key=lambda row: row["length"]
    )
    if len(lstm_rows) >= 2:
        shortest, longest = lstm_rows[0], lstm_rows[-1]
        # time of a training step ~ T^exponent: exponent 1 is a constant cost per time step
        exponent, _ = np.polyfit(
            np.log([row["length"] for row in lstm_rows]),
            np.log([row["seconds_per_step"] for row in lstm_rows]),
            1,
        )
        measurements.update(
            {
                "timing_repeats": timing_document["settings"]["repeats"],
                "timing_shortest_length": shortest["length"],
                "timing_longest_length": longest["length"],
                "timing_lstm1997_microseconds_per_time_step_longest": 1e6
                * longest["seconds_per_time_step"],
                "timing_lstm1997_microseconds_per_time_step_shortest": 1e6
                * shortest["seconds_per_time_step"],
                "timing_lstm1997_length_exponent": float(exponent),
            }
        )
    memory_rows = memory_document["rows"] if memory_document else []
    lstm_memory = sorted(
        (row for row in memory_rows if row["model"] == "lstm1997"), key=lambda row: row["length"]
    )
    if len(lstm_memory) >= 2:
        lengths = [row["length"] for row in lstm_memory]
        temporary = [row["temporary_bytes"] for row in lstm_memory]
        exponent, _ = np.polyfit(np.log(lengths), np.log(temporary), 1)
        bytes_per_step, _ = np.polyfit(lengths, temporary, 1)
        measurements.update(
            {
                "memory_lstm1997_length_exponent": float(exponent),
                "memory_lstm1997_bytes_per_time_step": float(bytes_per_step),
            }
        )
    return {
        "milestone": "long_time_lags",
        "memory": memory_rows,
        "measurements": measurements,
        "table": table,
        "carousel": carousel_document["curves"] if carousel_document else None,
        "timing": timing_rows,
    }
