"""Summary of the latch experiment: success rate per sequence length."""

from __future__ import annotations

from recurrent_bottleneck.training import run_statistics


def summarize(documents: list[dict]) -> dict:
    """Success rate per length, and the measurements the latch claim reads."""
    documents = sorted(documents, key=lambda document: document["length"])
    table = []
    for document in documents:
        table.append({"length": document["length"], **run_statistics(document["runs"])})
    shortest, longest = table[0], table[-1]
    measurements = {
        "latch_seeds": min(row["seeds"] for row in table),
        "latch_shortest_length": shortest["length"],
        "latch_longest_length": longest["length"],
        "latch_success_rate_shortest": shortest["success_rate"],
        "latch_success_rate_longest": longest["success_rate"],
    }
    return {"milestone": "latch", "measurements": measurements, "table": table}
