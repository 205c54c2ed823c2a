"""Figure of the 2013 speech milestone: phone error rate against training epochs."""

from __future__ import annotations

from recurrent_bottleneck.figures import new_figure, save

LABELS = {
    "lstm": "bidirectional LSTM",
    "tanh": "bidirectional tanh RNN",
}
COLOURS = {"lstm": "tab:blue", "tanh": "tab:red"}


def phone_error_rate_by_epoch(documents: list[dict], output, width: float, height: float) -> None:
    """Validation phone error rate after every epoch: each seed thin, the mean thick;
    the test rate of every seed (at its best validation epoch) as a marker.

    ``documents`` holds one speech summary (see ``summaries.speech``)."""
    (summary,) = documents
    figure, axes = new_figure(width, height)
    axis = axes[0]
    rows = {row["model"]: row for row in summary["table"]}
    for model, curve in summary["curves"].items():
        row = rows[model]
        colour = COLOURS[model]
        for seed_curve in curve["seeds"]:
            axis.plot(range(1, len(seed_curve) + 1), seed_curve, color=colour, alpha=0.3, lw=0.7)
        axis.plot(
            curve["epoch"],
            curve["validation_phone_error_rate"],
            color=colour,
            lw=1.6,
            label=f"{LABELS[model]}: {row['layers']} × {row['units']} units, "
            f"{row['parameters']:,} weights",
        )
        axis.scatter(
            row["best_epochs"],
            row["test_phone_error_rates"],
            color=colour,
            marker="x",
            s=14,
            zorder=3,
        )
    axis.set_ylim(0, 1.05)
    axis.set_xlabel("epoch")
    axis.set_ylabel("phone error rate")
    axis.legend(
        frameon=False, loc="upper right", title="validation; ×: test, at the best validation epoch"
    )
    save(figure, output)
