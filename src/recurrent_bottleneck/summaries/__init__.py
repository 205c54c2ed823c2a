"""One module per milestone: ``summarize(documents) -> {"measurements": ..., ...}``.

Kept apart from the measurement code so that changing how runs are aggregated
reruns the summaries, verdicts and report, never the training.
"""
