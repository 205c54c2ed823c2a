"""One module per milestone: ``summarize(documents) -> {"measurements": ..., ...}``.

Kept apart from the measurement code so that changing how runs are aggregated
reruns the summaries, verdicts and report, never the training.
"""

from __future__ import annotations

import importlib


def summarize(
    module: str, documents: list[dict], missing_runs: list[str], arguments: dict | None = None
) -> dict:
    """The summary of one milestone from its run documents, by ``module`` (a module
    name under ``recurrent_bottleneck.summaries``; ``arguments``: what else its
    ``summarize`` takes). ``missing_runs`` names the runs a partial report goes without;
    the summary records them, and where the first document ran."""
    summary = importlib.import_module(module).summarize(documents, **(arguments or {}))
    summary["environment"] = documents[0].get("environment", {})
    summary["missing_runs"] = list(missing_runs)
    return summary
