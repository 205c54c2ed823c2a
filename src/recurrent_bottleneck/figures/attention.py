"""Figures of the 2017 milestone: what each layer costs, and the Transformer against the LSTM."""

from __future__ import annotations

from recurrent_bottleneck.figures import new_figure, save

LAYER_STYLES = {
    "recurrent": {"color": "tab:blue", "marker": "o", "label": "recurrent (LSTM)"},
    "self_attention": {"color": "tab:red", "marker": "s", "label": "self-attention"},
    "convolution": {"color": "tab:green", "marker": "^", "label": "convolution (k = 3)"},
}
ARCHITECTURE_STYLES = {
    "lstm": {"color": "tab:blue", "label": "LSTM, source reversed"},
    "transformer": {"color": "tab:red", "label": "Transformer"},
}


def layer_time(documents: list[dict], output, width: float, height: float) -> None:
    """Left: ms per training step against n (log–log), fewest threads solid, most dashed.
    Right: the speed-up from the extra threads against n."""
    (summary,) = documents
    figure, (time_axis, speedup_axis) = new_figure(width, height, columns=2)
    timing = summary["timing_rows"]
    threads = summary["layers"]["timing_threads"]
    for kind, style in LAYER_STYLES.items():
        for count, line in zip(threads, ("-", "--"), strict=False):
            rows = sorted(
                (
                    r
                    for r in timing.get(str(count), [])
                    if r["layer"] == kind and r["sweep"] == "length"
                ),
                key=lambda r: r["length"],
            )
            if rows:
                time_axis.plot(
                    [r["length"] for r in rows],
                    [1000 * r["seconds_per_step"] for r in rows],
                    line,
                    color=style["color"],
                    marker=style["marker"],
                    markersize=3,
                    label=f"{style['label']}, {count} thread{'s' * (count > 1)}",
                )
        row = next((r for r in summary["layers"]["table"] if r["layer"] == kind), None)
        if row and row.get("speedup"):
            lengths = sorted(row["speedup"], key=int)
            speedup_axis.plot(
                [int(length) for length in lengths],
                [row["speedup"][length] for length in lengths],
                color=style["color"],
                marker=style["marker"],
                markersize=3,
                label=style["label"],
            )
    crossover = summary["measurements"].get("attention_slower_than_recurrent_from_length")
    if crossover:
        time_axis.axvline(crossover, color="0.6", linewidth=0.8, linestyle=":")
    for axis in (time_axis, speedup_axis):
        axis.set_xscale("log", base=2)
        axis.set_xlabel("sequence length n")
    time_axis.set_yscale("log")
    time_axis.set_ylabel("ms per training step (one layer)")
    time_axis.legend(frameon=False, fontsize=5)
    if len(threads) >= 2:
        speedup_axis.axhline(1.0, color="0.6", linewidth=0.8)
        speedup_axis.set_ylabel(f"speed-up, {threads[0]} → {threads[-1]} threads")
        speedup_axis.legend(frameon=False)
    save(figure, output)


def layer_structure(documents: list[dict], output, width: float, height: float) -> None:
    """Left: operations on the critical path against n. Right: path length x_0 -> y_{n-1}."""
    (summary,) = documents
    figure, (sequential_axis, path_axis) = new_figure(width, height, columns=2)
    for row in summary["layers"]["table"]:
        style = LAYER_STYLES[row["layer"]]
        for axis, key, extra in (
            (sequential_axis, "sequential_operations", ""),
            (path_axis, "path_length", ""),
            (path_axis, "dilated_path_length", ", dilated"),
        ):
            values = row.get(key)
            if not values:
                continue
            lengths = sorted(values, key=int)
            axis.plot(
                [int(length) for length in lengths],
                [values[length] for length in lengths],
                ":" if extra else "-",
                color=style["color"],
                marker=style["marker"],
                markersize=3,
                label=style["label"] + extra,
            )
    for axis in (sequential_axis, path_axis):
        axis.set_xscale("log", base=2)
        axis.set_yscale("log")
        axis.set_xlabel("sequence length n")
    sequential_axis.set_ylabel("operations on the critical path")
    path_axis.set_ylabel("steps or layers from x₀ to y₍ₙ₋₁₎")
    path_axis.legend(frameon=False, fontsize=6)
    save(figure, output)


def transformer_against_lstm(documents: list[dict], output, width: float, height: float) -> None:
    """Validation perplexity against training wall-clock seconds, every seed."""
    (summary,) = documents
    figure, (axis,) = new_figure(width, height)
    translation = summary["translation"]
    for architecture, row in translation.get("rows", {}).items():
        style = ARCHITECTURE_STYLES[architecture]
        for index, (curve, seconds) in enumerate(
            zip(row["curves"], row["training_seconds"] or [], strict=False)
        ):
            axis.plot(
                seconds,
                [point["validation_perplexity"] for point in curve],
                color=style["color"],
                marker="o",
                markersize=3,
                label=style["label"] if index == 0 else None,
            )
    target = translation.get("target_validation_perplexity")
    if target:
        axis.axhline(target, color="0.6", linewidth=0.8, linestyle=":")
    axis.set_yscale("log")
    axis.set_xlabel("training time, seconds (wall clock)")
    axis.set_ylabel("validation perplexity")
    axis.legend(frameon=False)
    save(figure, output)
