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


def phone_error_rate_by_depth(documents: list[dict], output, width: float, height: float) -> None:
    """Test phone error rate against the number of bidirectional LSTM layers at one width
    (median over seeds, the seeds' range as a bar), the one wide layer as a diamond at one
    layer; hollow beside them, the paper's TIMIT rates of its 250-unit nets and of its one
    layer of 622 (another corpus: the shapes compare, not the heights)."""
    (summary,) = documents
    figure, axes = new_figure(width, height)
    axis = axes[0]
    rows = summary["depth_table"]
    stack = [row for row in rows if row["net"] != "wide"]
    wide = [row for row in rows if row["net"] == "wide"]

    def draw(rows_, marker, label):
        axis.errorbar(
            [row["layers"] for row in rows_],
            [row["test_phone_error_rate"] for row in rows_],
            yerr=[
                [row["test_phone_error_rate"] - row["test_phone_error_rate_min"] for row in rows_],
                [row["test_phone_error_rate_max"] - row["test_phone_error_rate"] for row in rows_],
            ],
            color=COLOURS["lstm"],
            marker=marker,
            ms=5,
            lw=1.4 if marker == "o" else 0,
            elinewidth=0.8,
            capsize=2,
            label=label,
        )

    if stack:
        units = sorted({row["units"] for row in stack})
        draw(stack, "o", f"ours: {', '.join(map(str, units))} units a direction")
    if wide:
        (row,) = wide
        draw(wide, "D", f"ours: one layer of {row['units']} ({row['parameters']:,} weights)")
    # the summary lists the stack by depth
    paper_rows = [row for row in stack if row["paper_phone_error_rate"] is not None]
    if paper_rows:
        axis.plot(
            [row["layers"] for row in paper_rows],
            [row["paper_phone_error_rate"] / 100 for row in paper_rows],
            color="0.45",
            marker="o",
            mfc="none",
            ls="--",
            lw=1,
            label="paper (TIMIT): 250 units a direction",
        )
    if wide and wide[0]["paper_phone_error_rate"] is not None:
        axis.plot(
            [1],
            [wide[0]["paper_phone_error_rate"] / 100],
            color="0.45",
            marker="D",
            mfc="none",
            ls="none",
            label="paper (TIMIT): one layer of 622",
        )
    layers = sorted({row["layers"] for row in rows})
    axis.set_xticks(layers)
    axis.set_ylim(0, None)
    axis.set_xlabel("bidirectional LSTM layers")
    axis.set_ylabel("test phone error rate")
    axis.legend(frameon=False, loc="upper right")
    save(figure, output)
