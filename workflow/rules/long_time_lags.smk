# 1997: the original LSTM against Keras' LSTM and a SimpleRNN on long-lag tasks;
# the constant error carousel's gradient; time per step against sequence length.

LONG_TIME_LAGS_RUNS = [
    f"{RESULTS}/long_time_lags/{task}/{model}/lag_{lag}/metrics.json"
    for task in ("adding", "long_lag")
    for lag in LONG_TIME_LAGS[task][LAG_KEYS[task]]
    for model in LONG_TIME_LAGS["models"]
]


rule long_time_lags_train:
    input:
        package_sources(
            "milestones/long_time_lags",
            "models/recurrent",
            "cells/lstm1997",
            "tasks/adding",
            "tasks/long_lag",
            "training",
            "checkpoints",
            "autodiff",
            "tensorboard_log",
            "cli",
        ),
    output:
        metrics=f"{RESULTS}/long_time_lags/{{task}}/{{model}}/lag_{{lag}}/metrics.json",
        tensorboard=directory(
            f"{TENSORBOARD}/long_time_lags/{{task}}/{{model}}/lag_{{lag}}"
        ),
    wildcard_constraints:
        task="adding|long_lag",
        model="lstm1997|lstm_forget|simple_rnn",
        lag=r"\d+",
    params:
        settings=long_time_lags_settings,
        backend=config["backend"],
        # outside the outputs: kept when the job fails, so a rerun resumes
        checkpoints=f"{CHECKPOINTS}/long_time_lags/{{task}}/{{model}}/lag_{{lag}}",
    # the longest jobs start first (Snakemake knows no durations; a long job started
    # last would run alone while the other cores idle)
    priority: 1
    threads: config["threads_per_job"]
    resources:
        gpu=1,
    log:
        log_path("long_time_lags_train-{task}-{model}-{lag}"),
    benchmark:
        benchmark_path("long_time_lags_train-{task}-{model}-{lag}")
    conda:
        CONDA_ENV
    shell:
        "python -m recurrent_bottleneck long-time-lags --settings {params.settings:q}"
        " --output {output.metrics} --tensorboard {output.tensorboard}"
        " --checkpoints {params.checkpoints}"
        " --threads {threads} --backend {params.backend} > {log} 2>&1"


rule long_time_lags_carousel:
    input:
        package_sources(
            "milestones/long_time_lags", "milestones/gradient_decay", "cells/lstm1997", "cli"
        ),
    output:
        metrics=f"{RESULTS}/long_time_lags/carousel/metrics.json",
        tensorboard=directory(f"{TENSORBOARD}/long_time_lags/carousel"),
    params:
        settings=json.dumps(
            {**LONG_TIME_LAGS["carousel"], "cell": LONG_TIME_LAGS["cell"]}, sort_keys=True
        ),
        backend=config["backend"],
    threads: config["threads_per_job"]
    log:
        log_path("long_time_lags_carousel"),
    benchmark:
        benchmark_path("long_time_lags_carousel")
    conda:
        CONDA_ENV
    shell:
        "python -m recurrent_bottleneck carousel --settings {params.settings:q}"
        " --output {output.metrics} --tensorboard {output.tensorboard}"
        " --threads {threads} --backend {params.backend} > {log} 2>&1"


rule long_time_lags_timing:
    input:
        package_sources("milestones/step_cost", "models/recurrent", "cells/lstm1997", "cli"),
    output:
        timing=f"{RESULTS}/long_time_lags/timing/timing.json",
        tensorboard=directory(f"{TENSORBOARD}/long_time_lags/timing"),
    params:
        settings=json.dumps(
            {**LONG_TIME_LAGS["timing"], "cell": LONG_TIME_LAGS["cell"]}, sort_keys=True
        ),
        backend=config["backend"],
        compute_threads=config["threads_per_job"],
    # every core (Snakemake caps a rule's threads at --cores): the timing job runs alone,
    # so no other job disturbs the clock; TensorFlow itself uses compute_threads
    threads: 1024
    resources:
        gpu=1,
    log:
        log_path("long_time_lags_timing"),
    benchmark:
        benchmark_path("long_time_lags_timing")
    conda:
        CONDA_ENV
    shell:
        "python -m recurrent_bottleneck timing --settings {params.settings:q}"
        " --output {output.timing} --tensorboard {output.tensorboard}"
        " --threads {params.compute_threads} --backend {params.backend} > {log} 2>&1"


rule long_time_lags_memory:
    input:
        package_sources("milestones/step_cost", "models/recurrent", "cells/lstm1997", "cli"),
    output:
        memory=f"{RESULTS}/long_time_lags/memory/memory.json",
        tensorboard=directory(f"{TENSORBOARD}/long_time_lags/memory"),
    params:
        settings=json.dumps(
            {**LONG_TIME_LAGS["memory"], "cell": LONG_TIME_LAGS["cell"]}, sort_keys=True
        ),
    threads: config["threads_per_job"]
    log:
        log_path("long_time_lags_memory"),
    benchmark:
        benchmark_path("long_time_lags_memory")
    conda:
        CONDA_ENV
    shell:
        # XLA's buffer plan is read through JAX, whatever the training backend
        "python -m recurrent_bottleneck memory --settings {params.settings:q}"
        " --output {output.memory} --tensorboard {output.tensorboard}"
        " --threads {threads} --backend jax > {log} 2>&1"


SUMMARY_RUNS["long_time_lags"] = LONG_TIME_LAGS_RUNS + [
    rules.long_time_lags_carousel.output.metrics,
    rules.long_time_lags_timing.output.timing,
    rules.long_time_lags_memory.output.memory,
]


rule long_time_lags_summary:
    input:
        metrics=finished(SUMMARY_RUNS["long_time_lags"]),
        code=package_sources("summaries/__init__", "summaries/long_time_lags"),
    output:
        f"{RESULTS}/long_time_lags/summary.json",
    params:
        missing=unfinished(SUMMARY_RUNS["long_time_lags"]),
        module="recurrent_bottleneck.summaries.long_time_lags",
    log:
        log_path("long_time_lags_summary"),
    benchmark:
        benchmark_path("long_time_lags_summary")
    conda:
        CONDA_ENV
    script:
        "../scripts/summarize.py"


FIGURE_FUNCTIONS_1997 = {
    "lstm1997_success_vs_lag": "success_against_lag",
    "lstm1997_carousel_gradient": "carousel_gradient",
    "lstm1997_time_per_step": "time_per_step",
}


rule figure_long_time_lags:
    input:
        measurements=rules.long_time_lags_summary.output,
        code=package_sources("figures/__init__", "figures/long_time_lags"),
    output:
        report(
            f"{RESULTS}/figures/{{figure}}.{config['figures']['format']}",
            category="1997 long short-term memory",
            caption="../report/lstm1997.rst",
        ),
    wildcard_constraints:
        figure="|".join(FIGURE_FUNCTIONS_1997),
    params:
        function=lambda wildcards: "recurrent_bottleneck.figures.long_time_lags:"
        + FIGURE_FUNCTIONS_1997[wildcards.figure],
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
SUMMARIES["long_time_lags"] = rules.long_time_lags_summary.output[0]
for figure_name in FIGURE_FUNCTIONS_1997:
    FIGURES[figure_name] = figure_path(figure_name)
    FIGURE_MILESTONES[figure_name] = "long_time_lags"
MEASUREMENTS.extend(LONG_TIME_LAGS_RUNS)
MEASUREMENTS.extend(
    [
        rules.long_time_lags_carousel.output.metrics,
        rules.long_time_lags_timing.output.timing,
        rules.long_time_lags_memory.output.memory,
    ]
)
BENCHMARKS.extend(
    [
        benchmark_path(f"long_time_lags_train-{task}-{model}-{lag}")
        for task in ("adding", "long_lag")
        for lag in LONG_TIME_LAGS[task][LAG_KEYS[task]]
        for model in LONG_TIME_LAGS["models"]
    ]
    + [
        benchmark_path(name)
        for name in [
            "long_time_lags_carousel",
            "long_time_lags_timing",
            "long_time_lags_memory",
            "long_time_lags_summary",
        ]
    ]
    + [benchmark_path(f"figure-{figure_name}") for figure_name in FIGURE_FUNCTIONS_1997]
)
