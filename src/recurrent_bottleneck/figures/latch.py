"""Figure of Bengio et al.'s experiment: success rate of gradient descent against length."""

from __future__ import annotations

import numpy as np

from recurrent_bottleneck.figures import new_figure, save


def success_against_length(documents: list[dict], output, width: float, height: float) -> None:
    """Success rate over seeds per sequence length, with a binomial standard error.

    ``documents`` holds one latch summary (see ``milestones.latch.summarize``).
    """
    (summary,) = documents
    figure, axes = new_figure(width, height)
    axis = axes[0]
    table = summary["table"]
    lengths = np.array([row["length"] for row in table])
    rates = np.array([row["success_rate"] for row in table])
    seeds = np.array([row["seeds"] for row in table])
    error = np.sqrt(rates * (1 - rates) / seeds)
    axis.errorbar(
        lengths,
        rates,
        yerr=error,
        marker="o",
        markersize=4,
        capsize=2,
        label="simple RNN (tanh), gradient descent",
    )
    for length, rate, row in zip(lengths, rates, table, strict=True):
        axis.annotate(
            f"{row['successes']}/{row['seeds']}",
            (length, rate),
            textcoords="offset points",
            xytext=(0, 6),
            ha="center",
            fontsize=6,
        )
    axis.set_xscale("log", base=2)
    axis.set_xticks(lengths, [str(length) for length in lengths])
    axis.set_ylim(-0.05, 1.12)
    axis.set_xlabel("sequence length T (minimal time lag T − 1)")
    axis.set_ylabel("success rate over seeds")
    axis.legend(frameon=False, loc="lower left")
    save(figure, output)
