"""Stacked recurrent layers split across devices, one layer each (Wu et al. 2016).

GNMT places every LSTM layer of its 8-layer encoder on its own GPU. The layers can then
work at the same time as a pipeline: layer i handles time step t as soon as

- it has finished step t-1 (its own recurrence), and
- layer i-1 has produced its output for step t.

Counting one unit of time per step and layer, a stack of L unidirectional layers over
n steps finishes after n + L - 1 units instead of L·n. A bidirectional layer's output
at step t needs its backward direction, which starts from the last step: even with
both directions running at once, its first output is ready only after n units, so
everything above it waits. This is why GNMT keeps only the bottom encoder layer
bidirectional.

``schedule`` works the timetable out step by step from these two rules (nothing below
assumes the closed forms; the tests compare with them).
"""

from __future__ import annotations


def schedule(layers: int, length: int, bidirectional_bottom: bool = False) -> dict:
    """The earliest timetable of a ``layers``-deep stack over ``length`` steps.

    Returns the finishing time of every (layer, step) cell (layers and steps count
    from 1; the bottom layer of a bidirectional stack gives the time both of its
    directions are done), the makespan, when each layer can start, and for how many
    units of time two or more layers work at once.
    """
    if layers < 1 or length < 1:
        raise ValueError(f"layers and length must be at least 1, got {layers} and {length}")
    finish: dict[tuple[int, int], int] = {}
    busy: dict[int, list[int]] = {}  # layer -> the time units it works in
    for step in range(1, length + 1):  # the bottom layer reads the input, always ready
        forward = step
        if bidirectional_bottom:  # backward runs from the last step, beside forward
            backward = length - step + 1
            finish[1, step] = max(forward, backward)
        else:
            finish[1, step] = forward
    busy[1] = list(range(1, length + 1))
    for layer in range(2, layers + 1):
        busy[layer] = []
        previous = 0
        for step in range(1, length + 1):
            start = max(previous, finish[layer - 1, step])
            finish[layer, step] = previous = start + 1
            busy[layer].append(start + 1)
    makespan = finish[layers, length]
    working_units = [set(units) for units in busy.values()]
    working = [sum(time in units for units in working_units) for time in range(1, makespan + 1)]
    return {
        "layers": layers,
        "length": length,
        "bidirectional_bottom": bidirectional_bottom,
        "makespan": makespan,
        "sequential_steps": layers * length,
        "speedup": layers * length / makespan,
        "layer_starts": [busy[layer][0] for layer in range(1, layers + 1)],
        "units_with_layers_overlapping": sum(count >= 2 for count in working),
        "finish": finish,
    }


def compare(depths: list[int], lengths: list[int]) -> list[dict]:
    """Unidirectional against bidirectional bottom layer, for every depth and length
    (``*_bidirectional`` = the bottom layer bidirectional, the others not)."""
    rows = []
    for depth in depths:
        for length in lengths:
            row = {"layers": depth, "length": length, "sequential_steps": depth * length}
            for name, bidirectional in (("unidirectional", False), ("bidirectional", True)):
                timetable = schedule(depth, length, bidirectional_bottom=bidirectional)
                row[f"makespan_{name}"] = timetable["makespan"]
                row[f"overlap_{name}"] = timetable["units_with_layers_overlapping"]
                starts = timetable["layer_starts"]
                row[f"second_layer_starts_{name}"] = starts[1] if depth > 1 else None
            rows.append(row)
    return rows
