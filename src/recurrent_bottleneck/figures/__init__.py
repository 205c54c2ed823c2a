"""One function per figure: read measurements, write a vector file. Never trains."""

from __future__ import annotations

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
