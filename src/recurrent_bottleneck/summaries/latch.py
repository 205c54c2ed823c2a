"""Summary of the latch experiment: success rate per sequence length."""

from __future__ import annotations

import numpy as np


def summarize(documents: list[dict]) -> dict:
    """Success rate per length, and the measurements the latch claim reads."""
    documents = sorted(documents, key=lambda document: document["length"])
    table = []
    for document in documents:
        runs = document["runs"]
        solved = [run["sequences_to_success"] for run in runs if run["success"]]
        table.append(
            {
                "length": document["length"],
                "seeds": len(runs),
                "successes": sum(run["success"] for run in runs),
                "diverged": sum(run["diverged"] for run in runs),
                "success_rate": document["success_rate"],
                "median_sequences_to_success": float(np.median(solved)) if solved else None,
                "mean_final_test_accuracy": float(
                    np.mean([run["final_test_fraction_correct"] for run in runs])
                ),
            }
        )
    shortest, longest = table[0], table[-1]
    measurements = {
        "latch_seeds": min(row["seeds"] for row in table),
        "latch_shortest_length": shortest["length"],
        "latch_longest_length": longest["length"],
        "latch_success_rate_shortest": shortest["success_rate"],
        "latch_success_rate_longest": longest["success_rate"],
    }
    return {"milestone": "latch", "measurements": measurements, "table": table}
