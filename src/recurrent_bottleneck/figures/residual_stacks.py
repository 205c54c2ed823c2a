"""Figures of the 2016 milestone: learning curves, quality and bottom-layer gradient
against depth, plain stacks against residual ones."""

from __future__ import annotations

from recurrent_bottleneck.figures import new_figure, save

LINE_STYLES = ["-", "--", ":", "-."]  # one per depth, shallow to deep

VARIANT_STYLES = {
    "plain": {"color": "tab:red", "marker": "^", "label": "plain stack"},
    "residual": {"color": "tab:blue", "marker": "o", "label": "residual connections"},
}


def lines(summary: dict) -> dict[str, list[dict]]:
    """Rows per variant by depth. A residual stack shallower than ``residual_from`` is the
    plain one (no residual connection yet), so the residual line starts from those rows."""
    plain = [row for row in summary["table"] if row["variant"] == "plain"]
    residual = [row for row in summary["table"] if row["variant"] == "residual"]
    if residual:
        first = min(row["residual_from"] for row in residual)
        residual = [row for row in plain if row["layers"] < first] + residual
    return {
        variant: sorted(rows, key=lambda row: row["layers"])
        for variant, rows in (("plain", plain), ("residual", residual))
        if rows
    }


def quality_by_depth(documents: list[dict], output, width: float, height: float) -> None:
    """Test perplexity (left, median and range over seeds) and greedy BLEU (right)."""
    (summary,) = documents
    figure, (perplexity_axis, bleu_axis) = new_figure(width, height, columns=2)
    for variant, rows in lines(summary).items():
        style = VARIANT_STYLES[variant]
        depths = [row["layers"] for row in rows]
        for axis, key in ((perplexity_axis, "test_perplexity"), (bleu_axis, "test_bleu_greedy")):
            values = [row[key] for row in rows]
            below = [value - row[f"{key}_min"] for value, row in zip(values, rows, strict=True)]
            above = [row[f"{key}_max"] - value for value, row in zip(values, rows, strict=True)]
            axis.errorbar(depths, values, yerr=[below, above], capsize=2, markersize=4, **style)
    perplexity_axis.set_ylabel("test perplexity")
    bleu_axis.set_ylabel("test BLEU (greedy)")
    for axis in (perplexity_axis, bleu_axis):
        axis.set_xlabel("layers (encoder and decoder each)")
        axis.set_xticks(sorted({row["layers"] for row in summary["table"]}))
    bleu_axis.legend(frameon=False)
    save(figure, output)


def bottom_gradient(documents: list[dict], output, width: float, height: float) -> None:
    """Norm of the loss gradient on the bottom encoder layer's weights before training
    (solid) and after the last epoch (dashed), median over seeds."""
    (summary,) = documents
    figure, axes = new_figure(width, height)
    axis = axes[0]
    for variant, rows in lines(summary).items():
        style = VARIANT_STYLES[variant]
        depths = [row["layers"] for row in rows]
        for key, linestyle, when in (
            ("bottom_gradient_initial", "-", "before training"),
            ("bottom_gradient_final", "--", "after training"),
        ):
            axis.plot(
                depths,
                [row[key] for row in rows],
                color=style["color"],
                marker=style["marker"],
                linestyle=linestyle,
                label=f"{style['label']}, {when}",
            )
    axis.set_yscale("log")
    axis.set_xlabel("layers (encoder and decoder each)")
    axis.set_ylabel("gradient norm, bottom encoder layer")
    axis.set_xticks(sorted({row["layers"] for row in summary["table"]}))
    axis.legend(frameon=False)
    save(figure, output)


def training_curves(documents: list[dict], output, width: float, height: float) -> None:
    """Training loss (left) and validation perplexity (right) per epoch, mean over seeds,
    one line per stack: colour by variant, line style by depth."""
    (summary,) = documents
    figure, (loss_axis, perplexity_axis) = new_figure(width, height, columns=2)
    depths = sorted({row["layers"] for row in summary["table"]})
    for row in summary["table"]:
        style = VARIANT_STYLES[row["variant"]]
        epochs = [point["epoch"] for point in row["curve"]]
        for axis, key in ((loss_axis, "train_loss"), (perplexity_axis, "validation_perplexity")):
            axis.plot(
                epochs,
                [point[key] for point in row["curve"]],
                color=style["color"],
                marker=style["marker"],
                markersize=3,
                linestyle=LINE_STYLES[depths.index(row["layers"]) % len(LINE_STYLES)],
                label=f"{row['layers']} layers, {row['variant']}",
            )
    loss_axis.set_ylabel("training loss (nats per token)")
    perplexity_axis.set_ylabel("validation perplexity")
    perplexity_axis.set_yscale("log")
    for axis in (loss_axis, perplexity_axis):
        axis.set_xlabel("epoch")
    perplexity_axis.legend(frameon=False)
    save(figure, output)
