"""Figures of the 2014 milestone: learning curves and BLEU by sentence length, per direction."""

from __future__ import annotations

from recurrent_bottleneck.figures import new_figure, save

DIRECTION_STYLES = {
    "forward": {"color": "tab:red", "marker": "^", "label": "source in order"},
    "reversed": {"color": "tab:blue", "marker": "o", "label": "source reversed"},
}


def training_curves(documents: list[dict], output, width: float, height: float) -> None:
    """Validation perplexity (left) and greedy BLEU (right) per epoch, mean over seeds."""
    (summary,) = documents
    figure, (perplexity_axis, bleu_axis) = new_figure(width, height, columns=2)
    for row in summary["table"]:
        style = DIRECTION_STYLES[row["direction"]]
        epochs = [point["epoch"] for point in row["curve"]]
        for axis, key in (
            (perplexity_axis, "validation_perplexity"),
            (bleu_axis, "validation_bleu"),
        ):
            axis.plot(
                epochs,
                [point[key] for point in row["curve"]],
                color=style["color"],
                marker=style["marker"],
                markersize=4,
                label=style["label"],
            )
    perplexity_axis.set_yscale("log")
    perplexity_axis.set_xlabel("epoch")
    perplexity_axis.set_ylabel("validation perplexity")
    bleu_axis.set_xlabel("epoch")
    bleu_axis.set_ylabel("validation BLEU (greedy)")
    bleu_axis.legend(frameon=False)
    save(figure, output)


def bleu_by_length(documents: list[dict], output, width: float, height: float) -> None:
    """Test BLEU (greedy) of the sentences in each source-length bucket, mean over seeds."""
    (summary,) = documents
    figure, axes = new_figure(width, height)
    axis = axes[0]
    for row in summary["table"]:
        style = DIRECTION_STYLES[row["direction"]]
        buckets = row["bleu_by_source_length"]
        axis.plot(
            range(len(buckets)),
            [bucket["bleu"] for bucket in buckets],
            color=style["color"],
            marker=style["marker"],
            label=style["label"],
        )
        axis.set_xticks(
            range(len(buckets)),
            [f"{b['from']}–{b['to']}\n({b['sentences']})" for b in buckets],
            fontsize=6,
        )
    axis.set_xlabel("source length in words (test sentences)")
    axis.set_ylabel("test BLEU (greedy)")
    axis.legend(frameon=False)
    save(figure, output)
