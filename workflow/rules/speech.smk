# 2013: deep bidirectional LSTM against a tanh RNN of about its size, phoneme recognition
# with CTC on synthetic utterances (Graves, Mohamed & Hinton).

from recurrent_bottleneck.tasks import speech as speech_task

SPEECH = config["speech"]
try:  # a reversed range stops the run before any job starts, naming the key
    speech_task.check_ranges(SPEECH["corpus"])
except ValueError as error:
    raise WorkflowError(str(error))
SPEECH_RUNS = [f"{RESULTS}/speech/{model}/metrics.json" for model in SPEECH["models"]]
# the depth comparison: LSTM nets of other depths, and one wide layer (job_settings.py)
SPEECH_DEPTH_NETS = job_settings.speech_depth_nets(SPEECH)
SPEECH_DEPTH_RUNS = [f"{RESULTS}/speech/depth/{net}/metrics.json" for net in SPEECH_DEPTH_NETS]


rule speech_train:
    input:
        package_sources(
            "milestones/speech",
            "tasks/speech",
            "kept_models",
            "checkpoints",
            "tensorboard_log",
            "cli",
        ),
    output:
        metrics=f"{RESULTS}/speech/{{model}}/metrics.json",
        timing=f"{RESULTS}/speech/{{model}}/timing.json",
        tensorboard=directory(f"{TENSORBOARD}/speech/{{model}}"),
    wildcard_constraints:
        model="lstm|tanh",
    params:
        settings=lambda wildcards: settings_json(
            "speech", "models", "depth", model=wildcards.model
        ),
        backend=config["backend"],
        # outside the outputs: kept when the job fails, so a rerun resumes
        checkpoints=f"{CHECKPOINTS}/speech/{{model}}",
    priority: 1
    threads: config["threads_per_job"]
    resources:
        gpu=1,
    log:
        log_path("speech_train-{model}"),
    benchmark:
        benchmark_path("speech_train-{model}")
    conda:
        CONDA_ENV
    shell:
        "python -m recurrent_bottleneck speech --settings {params.settings:q}"
        " --output {output.metrics} --tensorboard {output.tensorboard}"
        " --checkpoints {params.checkpoints}"
        " --threads {threads} --backend {params.backend} > {log} 2>&1"


rule speech_depth_train:
    input:
        package_sources(
            "milestones/speech",
            "tasks/speech",
            "job_settings",
            "kept_models",
            "checkpoints",
            "tensorboard_log",
            "cli",
        ),
    output:
        metrics=f"{RESULTS}/speech/depth/{{net}}/metrics.json",
        timing=f"{RESULTS}/speech/depth/{{net}}/timing.json",
        tensorboard=directory(f"{TENSORBOARD}/speech/depth/{{net}}"),
    wildcard_constraints:
        net=r"layers_\d+|wide",
    params:
        settings=lambda wildcards: json.dumps(
            job_settings.speech_depth_net(SPEECH, wildcards.net), sort_keys=True
        ),
        backend=config["backend"],
        checkpoints=f"{CHECKPOINTS}/speech/depth/{{net}}",
    priority: 1
    threads: config["threads_per_job"]
    resources:
        gpu=1,
    log:
        log_path("speech_depth_train-{net}"),
    benchmark:
        benchmark_path("speech_depth_train-{net}")
    conda:
        CONDA_ENV
    shell:
        "python -m recurrent_bottleneck speech --settings {params.settings:q}"
        " --output {output.metrics} --tensorboard {output.tensorboard}"
        " --checkpoints {params.checkpoints}"
        " --threads {threads} --backend {params.backend} > {log} 2>&1"


SUMMARY_RUNS["speech"] = SPEECH_RUNS + SPEECH_DEPTH_RUNS


rule speech_summary:
    input:
        metrics=finished(SUMMARY_RUNS["speech"]),
        code=package_sources("summaries/__init__", "summaries/speech"),
    output:
        f"{RESULTS}/speech/summary.json",
    params:
        missing=unfinished(SUMMARY_RUNS["speech"]),
        module="recurrent_bottleneck.summaries.speech",
    log:
        log_path("speech_summary"),
    benchmark:
        benchmark_path("speech_summary")
    conda:
        CONDA_ENV
    script:
        "../scripts/summarize.py"


FIGURE_FUNCTIONS_2013 = {
    "speech_phone_error_rate": "phone_error_rate_by_epoch",
    "speech_depth": "phone_error_rate_by_depth",
}


rule figure_speech:
    input:
        measurements=rules.speech_summary.output,
        code=package_sources("figures/__init__", "figures/speech"),
    output:
        report(
            f"{RESULTS}/figures/{{figure}}.{config['figures']['format']}",
            category="2013 speech",
            caption="../report/speech.rst",
        ),
    wildcard_constraints:
        figure="|".join(FIGURE_FUNCTIONS_2013),
    params:
        function=lambda wildcards: "recurrent_bottleneck.figures.speech:"
        + FIGURE_FUNCTIONS_2013[wildcards.figure],
        size=figure_size(),
    log:
        log_path("figure-{figure}"),
    benchmark:
        benchmark_path("figure-{figure}")
    conda:
        CONDA_ENV
    script:
        "../scripts/figure.py"


# What the report collects from this milestone.
SUMMARIES["speech"] = rules.speech_summary.output[0]
for figure_name in FIGURE_FUNCTIONS_2013:
    FIGURES[figure_name] = figure_path(figure_name)
    FIGURE_MILESTONES[figure_name] = "speech"
MEASUREMENTS.extend(SPEECH_RUNS + SPEECH_DEPTH_RUNS)
for model in SPEECH["models"]:
    TIMINGS[f"speech_{model}"] = f"{RESULTS}/speech/{model}/timing.json"
BENCHMARKS.extend(
    [benchmark_path(f"speech_train-{model}") for model in SPEECH["models"]]
    + [benchmark_path(f"speech_depth_train-{net}") for net in SPEECH_DEPTH_NETS]
    + [benchmark_path("speech_summary")]
    + [benchmark_path(f"figure-{figure_name}") for figure_name in FIGURE_FUNCTIONS_2013]
)
