# Helpers shared by the rules: paths, settings passed to the jobs, the environment.

import json
import os

# Jobs import the package from src/ even when it is not pip-installed
# (e.g. under --software-deployment-method conda).
os.environ["PYTHONPATH"] = os.pathsep.join(
    filter(None, [str(Path(workflow.basedir) / "src"), os.environ.get("PYTHONPATH")])
)

CONDA_ENV = "../../envs/recurrent-bottleneck.yaml"
RESULTS = "results"
TENSORBOARD = f"{RESULTS}/tensorboard"


def settings_json(section, **extra):
    """A config section (plus per-job values) as the JSON the training entry point reads."""
    return json.dumps({**config[section], **extra}, sort_keys=True)


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
FIGURES = {}  # figure key used by reports/template.typ -> figure file
MEASUREMENTS = []  # every metrics.json (for the devices they ran on)
BENCHMARKS = []  # every job's benchmark file
