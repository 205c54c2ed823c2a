"""Summary of the 2000 experiments: Table 2 in the paper's form, and the state growth."""

from __future__ import annotations

import numpy as np

from recurrent_bottleneck.milestones.continual_streams import CATEGORIES

# Table 2 of Gers, Schmidhuber & Cummins (2000), 100 networks per row: per category the
# percentage of networks and, in brackets, streams to solution (perfect) or the mean
# error-free length (good, rest).
PAPER_TABLE_2 = {
    "reset": {"perfect": (74, 7_441), "good": (0, None), "rest": (26, 31)},
    "no_reset": {"perfect": (0, None), "good": (1, 1_166), "rest": (99, 37)},
    "state_decay": {"perfect": (0, None), "good": (0, None), "rest": (100, 56)},
    "forget_gate": {"perfect": (18, 18_889), "good": (29, 39_171), "rest": (53, 145)},
}

ROW_NAMES = {
    "reset": "original LSTM, external reset at string starts",
    "no_reset": "original LSTM, no reset",
    "state_decay": "original LSTM, state decay",
    "forget_gate": "LSTM with forget gates",
}


def _median(values) -> float | None:
    values = [value for value in values if value is not None]
    return float(np.median(values)) if values else None


def _recorded(runs: list[dict], key: str) -> list | None:
    """Each run's final test ``key``, or None where a run predates that measurement (runs
    committed before it was recorded)."""
    values = [run["final_test"].get(key) for run in runs]
    return None if any(value is None for value in values) else values


def absolute_reading(runs: list[dict]) -> dict:
    """The same final tests judged by every output's absolute error below 0.49: the
    percentage of runs perfect, the mean error-free length and each run's (None where a
    run predates that reading)."""
    tests = _recorded(runs, "absolute_reading")
    if tests is None:
        return {
            "absolute_perfect_percent": None,
            "absolute_mean_error_free_length": None,
            "absolute_run_lengths": None,
        }
    lengths = [test["mean_error_free_length"] for test in tests]
    return {
        "absolute_perfect_percent": 100.0 * sum(test["perfect"] for test in tests) / len(runs),
        "absolute_mean_error_free_length": float(np.mean(lengths)),
        "absolute_run_lengths": lengths,
    }


def branch_fraction_right(runs: list[dict]) -> float | None:
    """Of the final tests' branch predictions (after each inner E), the share where the
    right branch symbol's output beat the other's, averaged over runs; None where a run
    predates the measurement."""
    shares = _recorded(runs, "branch_fraction_right")
    return None if shares is None else float(np.mean(shares))


def row_summary(document: dict) -> dict:
    """One row of Table 2: how many runs fall in each category, and their numbers."""
    runs = document["runs"]
    row = {"row": document["row"], "name": ROW_NAMES[document["row"]], "seeds": len(runs)}
    for category in CATEGORIES:
        members = [run for run in runs if run["category"] == category]
        row[f"{category}_percent"] = 100.0 * len(members) / len(runs)
        if category == "perfect":
            row["perfect_streams"] = _median(run["streams_to_solution"] for run in members)
        else:
            row[f"{category}_error_free_length"] = _median(
                run["final_test"]["mean_error_free_length"] for run in members
            )
    lengths = [run["final_test"]["mean_error_free_length"] for run in runs]
    exponents = [run["state_trace"]["growth_exponent"] for run in runs]
    row.update(absolute_reading(runs))
    row["branch_fraction_right"] = branch_fraction_right(runs)
    row.update(
        {
            "diverged": sum(run["diverged"] for run in runs),
            "mean_error_free_length": float(np.mean(lengths)),
            "run_lengths": lengths,
            "median_growth_exponent": float(np.median(exponents)),
            "median_final_largest_abs_state": float(
                np.median([run["state_trace"]["final_largest_abs_state"] for run in runs])
            ),
            "paper": PAPER_TABLE_2[document["row"]],
        }
    )
    return row


def summarize(documents: list[dict]) -> dict:
    rows = [row_summary(document) for document in documents]
    rows.sort(key=lambda row: list(PAPER_TABLE_2).index(row["row"]))
    by_row = {row["row"]: row for row in rows}
    settings = documents[0]["settings"] if documents else {}
    measurements: dict = {}
    if rows:
        measurements.update(
            continual_seeds=min(row["seeds"] for row in rows),
            test_streams=settings["test_streams"],
            test_stream_length=settings["test_stream_length"],
            good_length=settings["good_length"],
            trace_length=settings["trace_length"],
        )
    for name, row in by_row.items():
        measurements[f"{name}_perfect_percent"] = row["perfect_percent"]
        measurements[f"{name}_mean_error_free_length"] = row["mean_error_free_length"]
        measurements[f"{name}_growth_exponent"] = row["median_growth_exponent"]
        measurements[f"{name}_final_largest_abs_state"] = row["median_final_largest_abs_state"]
        for key in (
            "absolute_perfect_percent",
            "absolute_mean_error_free_length",
            "branch_fraction_right",
        ):
            measurements[f"{name}_{key}"] = row[key]
    if "forget_gate" in by_row and "no_reset" in by_row:
        measurements["forget_gate_over_no_reset_error_free_length"] = by_row["forget_gate"][
            "mean_error_free_length"
        ] / max(by_row["no_reset"]["mean_error_free_length"], 1.0)
    traces = {document["row"]: document["runs"][0]["state_trace"] for document in documents}
    return {
        "milestone": "continual_streams",
        "measurements": measurements,
        "table": rows,
        "traces": traces,
    }
