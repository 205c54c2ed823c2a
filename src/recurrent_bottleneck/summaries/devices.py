"""What the other devices measured, beside this machine's throughput benchmark.

A session lent the GPU machine runs parts of the full-scale workflow there (JAX backend,
``workflow/device/full-scale-part.sh``) and commits what came back under
``reports/measured/<date>-<device>/``: the jobs' own ``metrics.json`` / ``timing.json``
files, renamed, and a ``session.json`` that names the commits, the commands, the wall time
of every job and the jobs that were cut off. This module reads those documents (each
says what it is by its ``measurement`` key) and this machine's throughput benchmark,
and makes one document for the report's device section:

- Table 1 on the device: each layer's time exponent against n and d, its time at the
  longest n, where (if anywhere) self-attention becomes slower than the recurrence;
- training throughput per model and device, and whether Keras' LSTM ran cuDNN's kernel;
- paper-scale 1997 runs: successes and sequences to success beside the paper's; the
  runs of one device that sweep more than one lag form an experiment, summarised and
  judged as the milestones run whole elsewhere (below);
- paper-size 2014 translation runs: perplexity and BLEU by epoch and on the test split,
  beside the paper's, with how much of the configured training they ran;
- milestones run whole elsewhere (the 1991/1994 and 2000 ones, whose runs are one
  small document each): summarised by the milestone's own module, for the verdicts
  rule to judge by the same claims as the report's own runs, with every setting in
  which they depart from the paper scale (``config/full.yaml``);
- per session: the jobs, their wall time, and what was cut off or never run.

Wall-clock numbers dominate here, so the rule writes this as a ``timing.json``.
"""

from __future__ import annotations

import json

from recurrent_bottleneck import job_settings
from recurrent_bottleneck.summaries import continual_streams as continual_streams_summary
from recurrent_bottleneck.summaries import gradient_decay as gradient_decay_summary
from recurrent_bottleneck.summaries import latch as latch_summary
from recurrent_bottleneck.summaries import long_time_lags as long_time_lags_summary
from recurrent_bottleneck.summaries.attention import summarize_layers
from recurrent_bottleneck.summaries.long_time_lags import PAPER_SEQUENCES_TO_SUCCESS
from recurrent_bottleneck.summaries.sequence_to_sequence import direction_summary
from recurrent_bottleneck.training import run_statistics


def device_name(document: dict) -> str:
    environment = document.get("environment", {})
    return f"{environment.get('device', 'unknown')} ({environment.get('backend', '?')})"


def layer_timing(document: dict) -> dict:
    measurements: dict = {}
    table = summarize_layers([document], None, measurements)["table"]
    keep = ("layer", "time_length_exponent", "time_width_exponent", "longest_length",
            "milliseconds_longest", "tokens_per_second_longest")  # fmt: skip
    rows = [{key: row.get(key) for key in keep} for row in table]
    milliseconds = {row["layer"]: row["milliseconds_longest"] for row in rows}
    ratio = None
    if milliseconds.get("self_attention") and milliseconds.get("recurrent"):
        ratio = milliseconds["self_attention"] / milliseconds["recurrent"]
    return {
        "device": device_name(document),
        "width": document["settings"]["width"],
        "batch_size": document["settings"]["batch_size"],
        "fit_from_length": document["settings"]["fit_from_length"],
        "rows": rows,
        "attention_slower_than_recurrent_from_length": measurements.get(
            "attention_slower_than_recurrent_from_length"
        ),
        "attention_over_recurrent_time_longest": ratio,
    }


def throughput(metrics: dict, timing: dict) -> dict:
    facts = {row["model"]: row for row in metrics["models"]}
    rows = [{**row, **facts.get(row["model"], {})} for row in timing["rows"]]
    return {"device": device_name(metrics), "rows": rows}


def long_time_lags(document: dict, paper_scale: dict | None = None) -> dict:
    """A 1997 run (one task, model and lag) from another device, beside the paper's
    sequences to success; given the ``paper_scale`` config, every setting in which it
    departs from what that config passes the job (``None``: not compared)."""
    compared = None
    if paper_scale is not None:
        section, task, lag = paper_scale["long_time_lags"], document["task"], document["lag"]
        reference = job_settings.long_time_lags(section, task, document["model"], lag)
        compared = setting_departures(document["settings"], reference)
        planned = section[task][job_settings.LAG_KEYS[task]]
        if lag not in planned:  # one lag of the sweep is no departure, one outside it is
            compared.append({"setting": "lag", "ours": lag, "paper_scale": planned})
    return {
        "departures": compared,
        "device": device_name(document),
        "task": document["task"],
        "model": document["model"],
        "lag": document["lag"],
        "minimal_lag": document["minimal_lag"],
        "training_steps": document["settings"]["training_steps"],
        "batch_size": document["settings"]["batch_size"],
        "paper_sequences_to_success": PAPER_SEQUENCES_TO_SUCCESS[document["task"]].get(
            document["lag"]
        ),
        "sequences_to_success": [run["sequences_to_success"] for run in document["runs"]],
        **run_statistics(document["runs"]),
    }


# what a translation run's summary keeps of the 2014 milestone's own summary
TRANSLATION_KEYS = (
    "seeds",
    "paper",
    "curve",
    "test_perplexity",
    "test_bleu_greedy",
    "test_bleu_beam",
    "beam_size",
    "beam_sentences",
)


def sequence_to_sequence(document: dict) -> dict:
    """A translation run from another device: the model's size, the epochs it ran (the
    session's notes say how many the full configuration asks for), its curve and test
    scores beside the paper's."""
    settings, summary = document["settings"], direction_summary(document)
    return {
        "device": device_name(document),
        "architecture": document["architecture"],
        "direction": document["direction"],
        "layers": settings["layers"],
        "residual_from": settings.get("residual_from"),  # the 2016 stacks
        "bidirectional_bottom": settings.get("bidirectional_bottom", False),
        "attention": settings.get("attention", False),
        "units": settings["units"],
        "optimizer": settings["optimizer"],
        "learning_rate": settings["learning_rate"],
        "batch_size": settings["batch_size"],
        "epochs": min(len(run["curve"]) for run in document["runs"]),
        "parameters": document["runs"][0]["parameters"],
        "data": {key: document["data"][key] for key in ("train_sentences", "source_vocabulary")},
        **{key: summary[key] for key in TRANSLATION_KEYS},
    }


# milestones whose committed documents are each one run of the milestone: milestone ->
# (its summary function, the setting that tells its runs apart, the config key that
# lists the runs)
WHOLE_MILESTONES = {
    "gradient_decay": (gradient_decay_summary.summarize, "activation", "activations"),
    "latch": (latch_summary.summarize, "length", "lengths"),
    "continual_streams": (continual_streams_summary.summarize, "row", "rows"),
}


# Settings added after runs were committed, with the value that a run made before they
# existed ran by: such a run lacks the key but departs in nothing.
SETTINGS_ADDED_LATER = {
    "continual_streams": {"test_every_stream": False, "training_streams": None},
}


def flattened(settings: dict, prefix: str = "") -> dict:
    """Nested settings as one level of dotted keys (``cell.blocks``)."""
    flat = {}
    for key, value in settings.items():
        if isinstance(value, dict):
            flat.update(flattened(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def setting_departures(settings: dict, reference: dict) -> list[dict]:
    """Each (dotted) setting whose value differs between ``settings`` and ``reference``,
    a setting only one side has included (``None`` on the other side)."""
    ours, theirs = flattened(settings), flattened(reference)
    return [
        {"setting": key, "ours": ours.get(key), "paper_scale": theirs.get(key)}
        for key in sorted(set(ours) | set(theirs))
        if ours.get(key) != theirs.get(key)
    ]


def departures(settings: dict, runs: list, sweep: str, paper_scale: dict) -> list[dict]:
    """Every setting in which an experiment differs from the paper scale (``paper_scale``:
    the milestone's section of ``config/full.yaml`` over ``config/config.yaml``, whose
    ``sweep`` key lists the runs): the runs' shared ``settings``, then the ``runs`` made
    against the ones listed. A setting only one side has counts too (``None`` on the
    other side)."""
    reference = {key: value for key, value in paper_scale.items() if key != sweep}
    found = setting_departures(settings, reference)
    planned = paper_scale.get(sweep)
    if planned is None or sorted(runs, key=str) != sorted(planned, key=str):
        found.append({"setting": sweep, "ours": runs, "paper_scale": planned})
    return found


def whole_milestone_key(document: dict) -> tuple:
    """Runs of one milestone on one device with the same settings (but for the one that
    tells them apart) belong together: one experiment. The 1997 runs and measurements of
    one device belong together whatever their settings (each task and lag has its own)
    and backend (the memory measurement always reads JAX's compiled program)."""
    if is_1997_run(document):
        return document["milestone"], document.get("environment", {}).get("device", "unknown")
    per_run = WHOLE_MILESTONES[document["milestone"]][1]
    settings = {key: value for key, value in document["settings"].items() if key != per_run}
    return document["milestone"], device_name(document), json.dumps(settings, sort_keys=True)


def is_whole_milestone_run(document: dict) -> bool:
    return document.get("measurement") is None and document.get("milestone") in WHOLE_MILESTONES


# the milestones that can be run elsewhere, in the chapter's order
CHAPTER_ORDER = ("gradient_decay", "latch", "long_time_lags", "continual_streams")
# the 1997 measurements besides the training runs: the job that makes each, by its config key
MEASUREMENTS_1997 = ("carousel", "timing", "memory")


def is_1997_run(document: dict) -> bool:
    """A 1997 training run (one task, model and lag) or one of the other 1997 measurements."""
    return document.get("milestone") == "long_time_lags" and (
        "runs" in document or document.get("measurement") in MEASUREMENTS_1997
    )


def is_lone_1997_run(documents: list[dict]) -> bool:
    """Training runs at one lag and nothing else: reported run by run, not judged."""
    return all("runs" in document for document in documents) and (
        len({document["lag"] for document in documents}) == 1
    )


def whole_milestone_experiments(
    documents: list[dict], sources: list[str] | None = None
) -> list[list[int]]:
    """The runs of milestones run whole elsewhere, as experiments: for each, the positions
    of its run documents in ``documents``, experiments in the chapter's order of their
    milestones, then in order of their first run (the order of the summary's
    ``milestones`` and of the report's figures of them). The 1997
    runs of one device make an experiment when they sweep more than one lag or come
    with the carousel, timing or memory measurement; training runs at a single lag are
    reported run by run.

    One device's 1997 sweep holds each run once: two documents of the same run in it (a
    rerun with a larger budget committed beside the first) would be counted twice, so
    they raise ``ValueError`` naming both (by ``sources``, the documents' files, if
    given). Runs reported one by one may repeat."""
    experiments: dict[tuple, list[int]] = {}
    for position, document in enumerate(documents):
        if is_whole_milestone_run(document) or is_1997_run(document):
            experiments.setdefault(whole_milestone_key(document), []).append(position)
    kept = [
        positions
        for positions in experiments.values()
        if not is_1997_run(documents[positions[0]])
        or not is_lone_1997_run([documents[position] for position in positions])
    ]
    for positions in kept:
        if is_1997_run(documents[positions[0]]):
            refuse_repeated_1997_runs(documents, positions, sources)
    return sorted(kept, key=lambda positions: (
        CHAPTER_ORDER.index(documents[positions[0]]["milestone"]), positions[0]
    ))  # fmt: skip


def refuse_repeated_1997_runs(
    documents: list[dict], positions: list[int], sources: list[str] | None
) -> None:
    """Raise ``ValueError`` if two of one device's 1997 documents are the same run or
    measurement."""
    seen: dict[str, int] = {}
    for position in positions:
        document = documents[position]
        is_run = "runs" in document
        name = run_name(document) if is_run else document["measurement"]
        if name in seen:
            first, second = (
                (sources[seen[name]], sources[position])
                if sources
                else (f"document {seen[name]}", f"document {position}")
            )
            raise ValueError(
                f"the 1997 {'run' if is_run else 'measurement'} {name} on "
                f"{whole_milestone_key(document)[1]} is there twice, "
                f"in {first} and in {second}: keep one of them under reports/measured/"
            )
        seen[name] = position


def run_name(document: dict) -> str:
    """A 1997 run as the workflow names its results: ``adding/lstm1997/lag_1000``."""
    return f"{document['task']}/{document['model']}/lag_{document['lag']}"


def long_time_lags_sweep(documents: list[dict], paper_scale: dict | None = None) -> dict:
    """The 1997 runs and measurements of one device as one experiment: summarised by the
    milestone's own module, with the settings all training runs share and, given the
    paper-scale config, each run's departures from what that config passes its job
    (named by the run: ``adding/lstm1997/lag_1000: seeds``, ``carousel: max_lag``), the
    runs of the paper-scale sweep that were not made and the measurements missing
    (``None``: not compared)."""
    training = [document for document in documents if "runs" in document]
    measured = {document["measurement"]: document for document in documents
                if "runs" not in document}  # fmt: skip
    shared = dict(training[0]["settings"]) if training else {}
    for document in training[1:]:
        shared = {key: value for key, value in shared.items()
                  if document["settings"].get(key) == value}  # fmt: skip
    made = sorted((run_name(document) for document in training), key=str)
    devices = list(dict.fromkeys(device_name(document) for document in documents))
    entry = {
        "milestone": "long_time_lags",
        "device": ", ".join(devices),
        "runs": len(documents),
        "settings": {key: shared[key] for key in sorted(shared)},
        "per_run": {"run": made + sorted(measured)},
        "departures": None,
    }
    if paper_scale is not None:
        section = paper_scale["long_time_lags"]
        found = [
            {**departure, "setting": f"{run_name(document)}: {departure['setting']}"}
            for document in training
            for departure in long_time_lags(document, paper_scale)["departures"]
        ]
        for kind, document in sorted(measured.items()):
            reference = {**section[kind], "cell": section["cell"]}  # as the workflow's job
            found += [
                {**departure, "setting": f"{kind}: {departure['setting']}"}
                for departure in setting_departures(document["settings"], reference)
            ]
        planned = sorted(
            f"{task}/{model}/lag_{lag}"
            for task, key in job_settings.LAG_KEYS.items()
            for lag in section[task][key]
            for model in section["models"]
        )
        not_made = [name for name in planned if name not in made]
        if not_made:
            found.append({"setting": "runs", "ours": made, "paper_scale": planned})
        if set(measured) != set(MEASUREMENTS_1997):
            found.append({"setting": "measurements", "ours": sorted(measured),
                          "paper_scale": list(MEASUREMENTS_1997)})  # fmt: skip
        not_made += [kind for kind in MEASUREMENTS_1997 if kind not in measured]
        entry["departures"] = found
        entry["runs_not_made"] = not_made
    return {**entry, "summary": long_time_lags_summary.summarize(documents)}


def whole_milestone(documents: list[dict], paper_scale: dict | None = None) -> dict:
    """One milestone's runs from one device: its summary (made by the milestone's own
    module, as for this machine's runs), their shared settings, what tells them apart
    and, given the milestone's ``paper_scale`` settings, where they depart from them
    (``None``: not compared)."""
    milestone = documents[0]["milestone"]
    if milestone == "long_time_lags":
        return long_time_lags_sweep(documents, paper_scale)
    summarize_runs, per_run, sweep = WHOLE_MILESTONES[milestone]
    settings = {**SETTINGS_ADDED_LATER.get(milestone, {}), **documents[0]["settings"]}
    entry = {
        "milestone": milestone,
        "device": device_name(documents[0]),
        "runs": len(documents),
        "settings": {key: value for key, value in settings.items() if key != per_run},
        "per_run": {per_run: sorted(document["settings"][per_run] for document in documents)},
    }
    added_later = SETTINGS_ADDED_LATER.get(milestone, {})
    entry["departures"] = (
        None
        if paper_scale is None
        else departures(
            entry["settings"],
            entry["per_run"][per_run],
            sweep,
            {**added_later, **paper_scale[milestone]},
        )
    )
    return {**entry, "summary": summarize_runs(documents)}


def session(document: dict) -> dict:
    jobs = [job for call in document["calls"] for job in call["jobs"]]
    return {
        "date": document["date"],
        "device": document["device"],
        "backend": document["backend"],
        "config": document["config"],
        "commits": [call["commit"] for call in document["calls"]],
        "device_seconds_used": document["device_seconds_used"],
        "jobs": [
            {key: job[key] for key in ("job", "completed", "wall_seconds", "note")} for job in jobs
        ],
        "not_run": document["not_run"],
    }


def summarize(documents: list[dict], paper_scale: dict | None = None) -> dict:
    """``documents``: this machine's throughput metrics and timing, then every committed
    device document; each is sorted into its section by its ``measurement`` key.
    ``paper_scale``: each milestone's settings at paper scale, to say where a milestone
    run whole elsewhere departs from them."""
    sections: dict[str, list] = {
        "layer_timing": [],
        "throughput": [],
        "long_time_lags": [],
        "sequence_to_sequence": [],
        "sessions": [],
    }
    throughput_metrics = {}
    experiments = whole_milestone_experiments(documents)
    in_experiments = {position for experiment in experiments for position in experiment}
    for position, document in enumerate(documents):
        kind = document.get("measurement")
        if position in in_experiments:
            continue  # summarised by experiment below
        elif kind == "layer_timing":
            sections["layer_timing"].append(layer_timing(document))
        elif kind == "device_session":
            sections["sessions"].append(session(document))
        elif document.get("milestone") == "long_time_lags" and "runs" in document:
            sections["long_time_lags"].append(long_time_lags(document, paper_scale))
        elif document.get("milestone") == "sequence_to_sequence" and "runs" in document:
            sections["sequence_to_sequence"].append(sequence_to_sequence(document))
        elif kind == "throughput" and "models" in document:
            throughput_metrics[device_name(document)] = document
        elif kind == "throughput":
            metrics = throughput_metrics.pop(device_name(document), None)
            if metrics is None:
                raise ValueError(
                    f"throughput timing from {device_name(document)} without its metrics "
                    "(list each metrics.json before its timing.json)"
                )
            sections["throughput"].append(throughput(metrics, document))
        else:
            raise ValueError(f"not a device document: measurement {kind!r}")
    sections["milestones"] = [
        whole_milestone([documents[position] for position in experiment], paper_scale)
        for experiment in experiments
    ]
    return {"measurements": sections}
