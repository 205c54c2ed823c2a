"""Summary of the 2014 experiment: forward against reversed source, seed by seed."""

from __future__ import annotations

import numpy as np

# Sutskever et al. (2014), WMT'14 English -> French, one LSTM, the source forward or reversed
PAPER = {
    "forward": {"test_perplexity": 5.8, "test_bleu": 25.9},
    "reversed": {"test_perplexity": 4.7, "test_bleu": 30.6},
}
RESULT_KEYS = ("test_perplexity", "test_bleu_greedy", "test_bleu_beam")


def direction_summary(document: dict) -> dict:
    runs = document["runs"]
    row = {
        "direction": document["direction"],
        "seeds": len(runs),
        "paper": PAPER[document["direction"]],
    }
    for key in RESULT_KEYS:
        values = [run[key] for run in runs]
        row[key] = float(np.median(values))
        row[f"{key}_min"], row[f"{key}_max"] = float(np.min(values)), float(np.max(values))
    epochs = min(len(run["curve"]) for run in runs)
    row["curve"] = [
        {
            key: float(np.mean([run["curve"][epoch][key] for run in runs]))
            for key in ("epoch", "train_loss", "validation_perplexity", "validation_bleu")
        }
        for epoch in range(epochs)
    ]
    buckets = {}
    for run in runs:
        for bucket in run["bleu_by_source_length"]:
            buckets.setdefault((bucket["from"], bucket["to"]), []).append(bucket)
    row["bleu_by_source_length"] = [
        {
            "from": low,
            "to": high,
            "sentences": members[0]["sentences"],
            "bleu": float(np.mean([member["bleu"] for member in members])),
        }
        for (low, high), members in sorted(buckets.items())
    ]
    row["diverged"] = sum(run["diverged"] for run in runs)
    row["beam_size"] = document["settings"]["beam_size"]
    row["beam_sentences"] = runs[0]["beam_sentences"]
    row["samples"] = runs[0]["samples"]
    return row


def summarize(documents: list[dict]) -> dict:
    rows = sorted(
        (direction_summary(document) for document in documents),
        key=lambda row: row["direction"],
    )
    by_direction = {row["direction"]: row for row in rows}
    measurements: dict = {}
    if rows:
        measurements["seq2seq_seeds"] = min(row["seeds"] for row in rows)
        measurements["corpus_pairs"] = documents[0]["data"]["pairs"]
    for row in rows:
        for key in RESULT_KEYS:
            measurements[f"{row['direction']}_{key}"] = row[key]
            measurements[f"{row['direction']}_{key}_min"] = row[f"{key}_min"]
            measurements[f"{row['direction']}_{key}_max"] = row[f"{key}_max"]
    if {"forward", "reversed"} <= set(by_direction):
        forward = {run["seed"]: run for run in _runs(documents, "forward")}
        reverse = {run["seed"]: run for run in _runs(documents, "reversed")}
        paired = sorted(set(forward) & set(reverse))
        wins = [
            reverse[seed]["test_perplexity"] < forward[seed]["test_perplexity"]
            and reverse[seed]["test_bleu_greedy"] > forward[seed]["test_bleu_greedy"]
            for seed in paired
        ]
        measurements.update(
            {
                "reversal_perplexity_gain": by_direction["forward"]["test_perplexity"]
                - by_direction["reversed"]["test_perplexity"],
                "reversal_bleu_gain": by_direction["reversed"]["test_bleu_greedy"]
                - by_direction["forward"]["test_bleu_greedy"],
                "reversal_wins_fraction": float(np.mean(wins)) if wins else float("nan"),
            }
        )
    return {
        "milestone": "sequence_to_sequence",
        "measurements": measurements,
        "table": rows,
        "data": documents[0]["data"] if documents else None,
    }


def _runs(documents, direction):
    return next(document["runs"] for document in documents if document["direction"] == direction)
