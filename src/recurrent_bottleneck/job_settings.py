"""The settings one 1997 job receives, built from the config's ``long_time_lags`` section;
and the nets of 2013's depth comparison, built from the ``speech`` section.

Shared by the workflow (which passes them to the job) and the device summary (which
compares a run committed from elsewhere with what the paper-scale config would have
passed): the section's shared settings (seeds, cell), the task's own block without its
sweep, and the job's point of the sweep. The adding problem has no distractors.
"""

from __future__ import annotations

# each task's sweep: the config key that lists its lags
LAG_KEYS = {"adding": "lengths", "long_lag": "lags"}


def long_time_lags(section: dict, task: str, model: str, lag: int) -> dict:
    task_settings = {key: value for key, value in section[task].items() if key != LAG_KEYS[task]}
    settings = {
        "seeds": section["seeds"],
        "cell": section["cell"],
        **task_settings,
        "task": task,
        "model": model,
        "lag": int(lag),
    }
    if task == "adding":
        settings.update(distractors=None, max_extra=0)
    return settings


def speech_depth_nets(section: dict) -> dict[str, dict]:
    """The 2013 depth comparison's LSTM nets, by name, each with the settings it changes:
    ``layers_<n>`` for every depth in ``depth.layers`` at ``lstm_units`` a layer (the
    main LSTM's own depth is the main run, when ``models`` trains it), and ``wide``, one
    layer with about the main LSTM's weights, when ``depth.wide`` asks and the main LSTM
    has more than one layer."""
    from recurrent_bottleneck.milestones.speech import wide_units

    depth, main_layers = section["depth"], section["layers"]
    nets = {
        f"layers_{layers}": {"layers": layers, "lstm_units": section["lstm_units"]}
        for layers in depth["layers"]
        if not (layers == main_layers and "lstm" in section["models"])
    }
    if depth["wide"] and main_layers > 1:
        corpus = section["corpus"]
        units = wide_units(main_layers, section["lstm_units"], corpus["channels"], corpus["phones"])
        nets["wide"] = {"layers": 1, "lstm_units": units}
    return nets


def speech_depth_net(section: dict, net: str) -> dict:
    """One depth-comparison job's settings: the section without its two sweeps, an LSTM,
    and the net's depth and width (``depth_net`` names it for the summary)."""
    nets = speech_depth_nets(section)
    if net not in nets:
        raise ValueError(f"speech.depth has no net {net!r}; it has {sorted(nets)}")
    settings = {key: value for key, value in section.items() if key not in ("models", "depth")}
    return {**settings, "model": "lstm", **nets[net], "depth_net": net}
