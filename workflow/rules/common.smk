# Helpers shared by the rules: paths, settings passed to the jobs, the environment.

import json
import os
import sys
from pathlib import Path

import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import update_config

# the package's own source, whichever environment runs Snakemake itself (e.g. with conda)
sys.path.insert(0, f"{workflow.basedir}/src")
from recurrent_bottleneck import gpu_slots, job_settings
from recurrent_bottleneck.summaries import devices

# with --software-deployment-method conda: the CPU environment, or the CUDA builds
CONDA_ENV = {
    "cpu": "../../envs/recurrent-bottleneck.yaml",
    "gpu": "../../envs/recurrent-bottleneck-gpu.yaml",
}[config["conda_environment"]]
RESULTS = "results"
TENSORBOARD = f"{RESULTS}/tensorboard"
# training progress of unfinished jobs (see recurrent_bottleneck.checkpoints)
CHECKPOINTS = f"{RESULTS}/checkpoints"


def check_writable(folder):
    """Stop before any job starts when ``folder`` cannot be created or written, naming it
    (otherwise the first job would fail deep inside Snakemake with a traceback)."""
    existing = Path(folder)
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise WorkflowError(f"cannot write to {folder!r}: {str(existing)!r} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise WorkflowError(f"cannot write to {folder!r}: {str(existing)!r} is not writable")


check_writable(RESULTS)
check_writable(os.path.dirname(config["report"]["output"]) or ".")


# what "paper scale" means, whatever this run's config: config/full.yaml over the defaults
PAPER_SCALE_FILES = ["config/config.yaml", "config/full.yaml"]


def paper_scale_settings():
    """Each milestone's settings at paper scale (config/full.yaml over config.yaml), to
    compare runs committed from elsewhere with."""
    settings = {}
    for path in PAPER_SCALE_FILES:
        with open(path, encoding="utf-8") as handle:
            update_config(settings, yaml.safe_load(handle))
    return settings


def elsewhere_experiments(paths):
    """The committed documents (``paths``) of milestones run whole elsewhere (and of
    1997 runs sweeping more than one lag on one device), one experiment (its milestone
    and the paths of its runs) per entry of the device summary's ``milestones``, in
    the same order."""
    documents = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            documents.append(json.load(handle))
    return [
        {
            "milestone": documents[experiment[0]]["milestone"],
            "paths": [paths[position] for position in experiment],
        }
        for experiment in devices.whole_milestone_experiments(documents, paths)
    ]


def elsewhere_figure(experiments, figures, wildcards):
    """(drawing function, summary module or None) of one experiment's figure."""
    milestone = experiments[int(wildcards.experiment)]["milestone"]
    if wildcards.figure not in figures[milestone]:
        raise WorkflowError(f"no figure {wildcards.figure!r} of the {milestone} milestone")
    function, summary = figures[milestone][wildcards.figure]
    return function, summary and f"recurrent_bottleneck.summaries.{summary}"


def settings_json(section, *sweep_keys, **job_values):
    """One job's settings as JSON: the config section without the sweeps' lists, plus the
    job's own point of the sweep (so adding a point to a sweep reruns no other job)."""
    settings = {key: value for key, value in config[section].items() if key not in sweep_keys}
    return json.dumps({**settings, **job_values}, sort_keys=True)


# 1997 (long_time_lags.smk): each task names its sweep differently.
LONG_TIME_LAGS = config["long_time_lags"]
LAG_KEYS = job_settings.LAG_KEYS


def long_time_lags_settings(wildcards):
    """Shared settings (seeds, cell) + the task's training settings + this job's point."""
    settings = job_settings.long_time_lags(
        LONG_TIME_LAGS, wildcards.task, wildcards.model, wildcards.lag
    )
    return json.dumps(settings, sort_keys=True)


def transformer_settings():
    """The 2014 data and training settings, the Transformer's own (2017), one direction."""
    settings = {
        key: value
        for key, value in config["sequence_to_sequence"].items()
        if key != "directions"
    }
    transformer = {key: value for key, value in config["attention"]["transformer"].items()}
    settings.update(
        architecture="transformer",
        direction=transformer.pop("direction"),
        epochs=transformer.pop("epochs"),
        length_step=transformer.pop("length_step"),
        transformer=transformer,
    )
    return json.dumps(settings, sort_keys=True)


# 2016 (residual_stacks.smk): the 2014 model at several depths, plain and residual.
RESIDUAL_STACKS = config["residual_stacks"]


def residual_stack_points():
    """(variant, depth) of every run: a residual stack shallower than ``residual_from`` has
    no residual connection, so it would be the plain stack again and is not run."""
    return [
        (variant, depth)
        for variant in RESIDUAL_STACKS["variants"]
        for depth in RESIDUAL_STACKS["depths"]
        if variant == "plain" or depth >= RESIDUAL_STACKS["residual_from"]
    ]


def residual_stacks_settings(wildcards):
    """The 2014 settings, this milestone's overrides, and the run's depth and variant."""
    settings = {
        key: value
        for key, value in config["sequence_to_sequence"].items()
        if key != "directions"
    }
    overrides = {
        key: value
        for key, value in RESIDUAL_STACKS.items()
        if key not in ("depths", "variants", "pipeline_lengths", "residual_from")
    }
    settings.update(
        overrides,
        architecture="lstm",
        layers=int(wildcards.depth),
        residual_from=(
            RESIDUAL_STACKS["residual_from"] if wildcards.variant == "residual" else None
        ),
        layer_gradients=True,
    )
    return json.dumps(settings, sort_keys=True)


def throughput_settings():
    """The benchmark's sizes, and the milestones' own nets: the 1997 models at the
    long_time_lags sizes, the 2013 speech nets, the 2014 LSTM and the 2017 Transformer at
    theirs."""
    benchmark = config["throughput"]
    translation = config["sequence_to_sequence"]
    transformer = {
        key: value
        for key, value in config["attention"]["transformer"].items()
        if key not in ("direction", "epochs", "length_step")
    }
    lstm_keys = ["layers", "units", "embedding", "initial_range", "optimizer", "learning_rate",
                 "clip_norm"]
    speech = config["speech"]
    settings = {
        "batch_size": benchmark["batch_size"],
        "length": benchmark["length"],
        "speech": {
            "batch_size": speech["batch_size"],
            "length": benchmark["speech_length"],
            "channels": speech["corpus"]["channels"],
            "phones": speech["corpus"]["phones"],
            **{
                key: speech[key]
                for key in ("layers", "lstm_units", "tanh_units", "learning_rate", "clip_norm")
            },
        },
        "repeats": benchmark["repeats"],
        "units": LONG_TIME_LAGS["adding"]["units"],
        "cell": LONG_TIME_LAGS["cell"],
        "translation": {
            "batch_size": benchmark["translation_batch_size"],
            "length": benchmark["translation_length"],
            "vocabulary_size": translation["target_vocabulary_size"],
            "lstm": {key: translation[key] for key in lstm_keys},
            "transformer": {**transformer, "clip_norm": translation["clip_norm"]},
        },
    }
    return json.dumps(settings, sort_keys=True)


# One training job per GPU: without --resources gpu=N, as many jobs that ask for a GPU run
# at once as there are GPUs (four trainings sharing one H100 starved three of them in a
# measured run). On a machine without GPUs no limit is set and nothing changes.
gpu_slots.limit_gpu_jobs(workflow.global_resources)


def user_corpus_files(wildcards):
    """A corpus the user brings is an input: editing it retrains."""
    corpus = config["sequence_to_sequence"]["corpus"]
    keys = {"aligned_files": ["source_file", "target_file"], "tsv": ["tsv_file"]}
    return [corpus[key] for key in keys.get(corpus["source"], [])]


def finished(files):
    """``files`` (a list, or a dict of name -> file) that the report reads: all of them,
    or with ``partial_report`` only those that exist when the run starts."""
    partial = config["partial_report"]
    if isinstance(files, dict):
        return {key: path for key, path in files.items() if not partial or os.path.exists(path)}
    return [path for path in files if not partial or os.path.exists(path)]


def unfinished(files):
    """The files of ``files`` a partial report goes without: their runs did not finish
    (always none in a full run, which waits for every run)."""
    reported = finished(files)
    return [str(path) for path in files if path not in reported]


def package_sources(*modules):
    """Source files of the package that a job runs; as inputs, editing one reruns the job."""
    return [f"src/recurrent_bottleneck/{module}.py" for module in modules]


def benchmark_path(name):
    return f"{RESULTS}/benchmarks/{name}.tsv"


def log_path(name):
    return f"{RESULTS}/logs/{name}.log"


def figure_path(name):
    return f"{RESULTS}/figures/{name}.{config['figures']['format']}"


def figure_size():
    return {"width": config["figures"]["width"], "height": config["figures"]["height"]}


# Filled by each milestone's rule file, read by report.smk.
SUMMARIES = {}  # milestone name -> summary.json
SUMMARY_RUNS = {}  # milestone name -> the result files of the runs its summary reads
FIGURE_MILESTONES = {}  # figure key -> the milestone whose summary it is drawn from
TIMINGS = {}  # key -> timing.json (wall-clock numbers, kept apart from results)
FIGURES = {}  # figure key used by reports/template.typ -> figure file
MEASUREMENTS = []  # every metrics.json (for the devices they ran on)
BENCHMARKS = []  # every job's benchmark file
