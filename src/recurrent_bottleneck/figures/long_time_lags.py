"""Figures of the 1997 milestone: success against lag, the carousel's gradient, cost per step."""

from __future__ import annotations

import numpy as np

from recurrent_bottleneck.figures import new_figure, save

MODEL_LABELS = {
    "lstm1997": "LSTM 1997 (no forget gate)",
    "lstm_forget": "Keras LSTM (forget gate)",
    "simple_rnn": "SimpleRNN (tanh)",
}
MARKERS = {"lstm1997": "o", "lstm_forget": "s", "simple_rnn": "^"}
TASK_TITLES = {"adding": "adding problem (Exp. 4)", "long_lag": "2c: long lag, distractors"}


def success_against_lag(documents: list[dict], output, width: float, height: float) -> None:
    """Left axis per task: success rate against the minimal lag, one line per model;
    the paper's sequences-to-success beside ours in the labels."""
    (summary,) = documents
    tasks = [task for task in TASK_TITLES if any(r["task"] == task for r in summary["table"])]
    figure, axes = new_figure(width, height, columns=max(len(tasks), 1))
    for axis, task in zip(axes, tasks, strict=False):
        rows = [row for row in summary["table"] if row["task"] == task]
        # models side by side (a small offset on the log axis) so equal rates stay visible
        for offset, (model, label) in zip((0.9, 1.0, 1.1), MODEL_LABELS.items(), strict=True):
            model_rows = sorted(
                (r for r in rows if r["model"] == model), key=lambda r: r["minimal_lag"]
            )
            if not model_rows:
                continue
            lags = [r["minimal_lag"] * offset for r in model_rows]
            rates = [r["success_rate"] for r in model_rows]
            axis.plot(lags, rates, marker=MARKERS[model], markersize=5, label=label)
            # neighbouring labels one above the other, so a sweep of close lags stays legible
            for position, row in enumerate(model_rows):
                if model == "lstm1997" and row["median_sequences_to_success"]:
                    paper = row["paper_sequences_to_success"]
                    note = f"{row['median_sequences_to_success'] / 1000:.1f}k seq."
                    if paper:
                        note += f"\n(paper {paper / 1000:.0f}k)"
                    axis.annotate(
                        note,
                        (row["minimal_lag"], row["success_rate"]),
                        textcoords="offset points",
                        xytext=(0, -22 - 22 * (position % 2)),
                        ha="center",
                        fontsize=6,
                    )
        axis.set_xscale("log")
        minimal_lags = sorted({r["minimal_lag"] for r in rows})
        axis.set_xticks(minimal_lags, [str(lag) for lag in minimal_lags])
        axis.minorticks_off()
        axis.set_xlim(min(minimal_lags) / 1.6, max(minimal_lags) * 1.6)
        axis.set_ylim(-0.05, 1.1)
        axis.set_title(TASK_TITLES[task])
        axis.set_xlabel("minimal time lag (steps)")
    axes[0].set_ylabel("success rate over seeds")
    axes[-1].legend(frameon=False, loc="center left", fontsize=6)
    save(figure, output)


def carousel_gradient(documents: list[dict], output, width: float, height: float) -> None:
    """log10 |dL/ds(t)| through the 1997 cell state against the lag, beside the tanh RNN."""
    (summary,) = documents
    figure, axes = new_figure(width, height)
    axis = axes[0]
    labels = {
        "lstm1997_truncated": "LSTM 1997, truncated gradient (paper)",
        "lstm1997_full_bptt": "LSTM 1997, full BPTT",
        "simple_rnn_tanh_radius_1": "tanh RNN, ρ = 1 (1991 curve)",
    }
    for key, label in labels.items():
        curve = summary["carousel"][key]
        values = np.array([np.nan if v is None else v for v in curve["mean_log10_norm"]])
        axis.plot(
            np.arange(len(values)),
            values,
            label=f"{label}: factor {curve['fitted_factor']:.4f} per step",
        )
    axis.axhline(0.0, color="0.6", linewidth=0.5)
    axis.set_xlabel("lag k = T − t (steps)")
    axis.set_ylabel("log₁₀ ‖∂L/∂s_t‖ (RNN: ‖∂L/∂h_t‖)")
    axis.legend(frameon=False)
    save(figure, output)


def time_per_step(documents: list[dict], output, width: float, height: float) -> None:
    """Left: microseconds per time step of one training step against T. Right: the step's
    scratch memory (XLA's buffer plan) against T."""
    (summary,) = documents
    figure, (time_axis, memory_axis) = new_figure(width, height, columns=2)
    for model, label in MODEL_LABELS.items():
        rows = sorted(
            (r for r in summary["timing"] if r["model"] == model), key=lambda r: r["length"]
        )
        if rows:
            time_axis.plot(
                [r["length"] for r in rows],
                [1e6 * r["seconds_per_time_step"] for r in rows],
                marker=MARKERS[model],
                markersize=4,
                label=label,
            )
        rows = sorted(
            (r for r in summary.get("memory", []) if r["model"] == model), key=lambda r: r["length"]
        )
        if rows:
            memory_axis.plot(
                [r["length"] for r in rows],
                [r["temporary_bytes"] / 2**20 for r in rows],
                marker=MARKERS[model],
                markersize=4,
                label=label,
            )
    lengths = sorted({r["length"] for r in summary["timing"] + summary.get("memory", [])})
    for axis in (time_axis, memory_axis):
        axis.set_xscale("log")
        axis.set_xticks(lengths, [str(length) for length in lengths])
        axis.minorticks_off()
        axis.set_xlabel("sequence length T")
    time_axis.set_ylim(bottom=0)
    time_axis.set_ylabel("µs per time step (training step / T)")
    time_axis.set_title("time per time step")
    memory_axis.set_yscale("log")
    memory_axis.set_ylabel("scratch memory of a step (MiB)")
    memory_axis.set_title("scratch memory per training step")
    time_axis.legend(frameon=False)
    save(figure, output)
