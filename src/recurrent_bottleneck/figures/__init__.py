"""One function per figure: read measurements, write a vector file. Never trains."""

from __future__ import annotations

import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

STYLE = {
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "legend.fontsize": 7,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "recurrent-bottleneck",  # stable ids: same data, same file
    "svg.fonttype": "path",
}


def new_figure(width: float, height: float, columns: int = 1):
    plt.rcParams.update(STYLE)
    figure, axes = plt.subplots(
        1, columns, figsize=(width, height), constrained_layout=True, squeeze=False
    )
    return figure, axes[0]


def save(figure, path) -> None:
    """Save without timestamps, so the same measurements give the same file."""
    figure.savefig(path, metadata={"Date": None} if str(path).endswith(".svg") else None)
    plt.close(figure)


def not_drawn(path, reason: str, width: float, height: float) -> None:
    """In place of a figure that a partial report cannot draw (its runs did not finish):
    the reason, written where the plot would be."""
    figure, (axes,) = new_figure(width, height)
    axes.set_axis_off()
    axes.text(0.5, 0.5, textwrap.fill(reason, 80), ha="center", va="center", wrap=True)
    save(figure, path)
