"""Figures of the 2000 milestone: the cell state along a stream, the forget gate at work,
and the error-free stream lengths per row of Table 2."""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D

from recurrent_bottleneck.figures import new_figure, save
from recurrent_bottleneck.summaries.continual_streams import ROW_NAMES

ROW_STYLES = {
    "reset": {"color": "tab:green", "marker": "o"},
    "no_reset": {"color": "tab:red", "marker": "^"},
    "state_decay": {"color": "tab:purple", "marker": "v"},
    "forget_gate": {"color": "tab:blue", "marker": "s"},
}


def state_growth(documents: list[dict], output, width: float, height: float) -> None:
    """Largest |s_c| over the cells against the position in one long test stream, per row
    (log-log: a straight line of slope 1 is linear growth without bound)."""
    (summary,) = documents
    figure, axes = new_figure(width, height)
    axis = axes[0]
    for row, trace in summary["traces"].items():
        axis.plot(
            trace["positions"],
            trace["largest_abs_state"],
            color=ROW_STYLES[row]["color"],
            label=f"{ROW_NAMES[row]} (slope {trace['growth_exponent']:.2f})",
        )
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("position in the continual stream (symbols)")
    axis.set_ylabel("largest |cell state| so far in the bucket")
    axis.set_title("cell state along one continual embedded Reber stream (seed 0)")
    axis.legend(frameon=False, fontsize=6)
    save(figure, output)


def forget_gate_trace(documents: list[dict], output, width: float, height: float) -> None:
    """The forget-gate net along the start of a stream: its cell states and its forget
    gates, with the string starts marked; the symbols read are written along the axis."""
    (summary,) = documents
    trace = summary["traces"].get("forget_gate")
    figure, axes = new_figure(width, height, columns=1)
    axis = axes[0]
    if trace is None:
        axis.text(0.5, 0.5, "no forget-gate run in this configuration", ha="center")
        save(figure, output)
        return
    segment = trace["segment"]
    gates = np.array(segment["forget_gates"])
    steps = np.arange(len(gates))
    for block in range(gates.shape[1]):
        axis.plot(steps, gates[:, block], linewidth=1, label=f"forget gate, block {block + 1}")
    for start in segment["string_starts"]:
        axis.axvline(start, color="0.6", linewidth=0.6, linestyle="--")
    axis.set_xticks(steps, list(segment["symbols"]), fontsize=4)
    axis.set_ylim(-0.05, 1.05)
    axis.set_xlabel("symbol read (dashed: a new string begins)")
    axis.set_ylabel("forget gate activation y_φ")
    axis.set_title("LSTM with forget gates on a continual stream (seed 0)")
    axis.legend(frameon=False, fontsize=6, loc="lower right", ncol=2)
    save(figure, output)


def error_free_lengths(documents: list[dict], output, width: float, height: float) -> None:
    """Mean error-free length of every run, one column per row of Table 2, against the
    test stream's length (perfect) and the paper's "good" threshold; hollow beside each
    run, the same test judged by every absolute error below 0.49 (where recorded)."""
    (summary,) = documents
    measurements = summary["measurements"]
    figure, axes = new_figure(width, height)
    axis = axes[0]
    rows = summary["table"]
    for index, row in enumerate(rows):
        lengths = np.maximum(row["run_lengths"], 1)
        jitter = np.linspace(-0.12, 0.12, len(lengths)) if len(lengths) > 1 else [0.0]
        style = ROW_STYLES[row["row"]]
        axis.scatter(
            index + np.asarray(jitter) - 0.06,
            lengths,
            color=style["color"],
            marker=style["marker"],
            s=18,
        )
        if row.get("absolute_run_lengths") is not None:
            axis.scatter(
                index + np.asarray(jitter) + 0.06,
                np.maximum(row["absolute_run_lengths"], 1),
                facecolors="none",
                edgecolors=style["color"],
                marker=style["marker"],
                s=18,
            )
    axis.axhline(measurements["test_stream_length"], color="0.3", linewidth=0.8)
    axis.axhline(measurements["good_length"], color="0.6", linewidth=0.8, linestyle="--")
    axis.text(-0.4, measurements["test_stream_length"] * 1.1, "whole test stream", fontsize=6)
    axis.text(-0.4, measurements["good_length"] * 1.1, '"good" threshold', fontsize=6)
    axis.set_yscale("log")
    axis.set_xticks(range(len(rows)), [ROW_NAMES[row["row"]] for row in rows], fontsize=6)
    axis.set_xlim(-0.5, len(rows) - 0.5)
    axis.set_ylabel("mean error-free length (symbols)")
    axis.set_title("error-free prediction on continual test streams, one point per seed")
    if any(row.get("absolute_run_lengths") is not None for row in rows):
        readings = [
            Line2D([], [], linestyle="", marker="o", color="0.4", label="configured rule"),
            Line2D([], [], linestyle="", marker="o", markerfacecolor="none", color="0.4",
                   label="every absolute error below 0.49"),
        ]  # fmt: skip
        axis.legend(handles=readings, frameon=False, fontsize=6, loc="center right")
    save(figure, output)
