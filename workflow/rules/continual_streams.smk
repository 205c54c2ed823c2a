# 2000: continual embedded Reber streams break the original LSTM; the forget gate repairs it.

CONTINUAL_STREAMS = config["continual_streams"]
CONTINUAL_STREAMS_RUNS = [
    f"{RESULTS}/continual_streams/{row}/metrics.json" for row in CONTINUAL_STREAMS["rows"]
]


rule continual_streams_train:
    input:
        package_sources(
            "milestones/continual_streams",
            "models/continual",
            "models/online",
            "autodiff",
            "cells/lstm2000",
            "cells/lstm1997",
            "tasks/reber",
            "checkpoints",
            "tensorboard_log",
            "cli",
        ),
    output:
        metrics=f"{RESULTS}/continual_streams/{{row}}/metrics.json",
        tensorboard=directory(f"{TENSORBOARD}/continual_streams/{{row}}"),
    wildcard_constraints:
        row="reset|no_reset|state_decay|forget_gate",
    params:
        settings=lambda wildcards: settings_json(
            "continual_streams", "rows", row=wildcards.row
        ),
        backend=config["backend"],
        # outside the outputs: kept when the job fails, so a rerun resumes
        checkpoints=f"{CHECKPOINTS}/continual_streams/{{row}}",
    # the longest jobs start first (Snakemake knows no durations; a long job started
    # last would run alone while the other cores idle)
    priority: 1
    threads: config["threads_per_job"]
    resources:
        gpu=1,
    log:
        log_path("continual_streams_train-{row}"),
    benchmark:
        benchmark_path("continual_streams_train-{row}")
    conda:
        CONDA_ENV
    shell:
        "python -m recurrent_bottleneck continual-streams --settings {params.settings:q}"
        " --output {output.metrics} --tensorboard {output.tensorboard}"
        " --checkpoints {params.checkpoints}"
        " --threads {threads} --backend {params.backend} > {log} 2>&1"


SUMMARY_RUNS["continual_streams"] = CONTINUAL_STREAMS_RUNS


rule continual_streams_summary:
    input:
        metrics=finished(SUMMARY_RUNS["continual_streams"]),
        code=package_sources("summaries/__init__", "summaries/continual_streams"),
    output:
        f"{RESULTS}/continual_streams/summary.json",
    params:
        missing=unfinished(SUMMARY_RUNS["continual_streams"]),
        module="recurrent_bottleneck.summaries.continual_streams",
    log:
        log_path("continual_streams_summary"),
    benchmark:
        benchmark_path("continual_streams_summary")
    conda:
        CONDA_ENV
    script:
        "../scripts/summarize.py"


FIGURE_FUNCTIONS_2000 = {
    "lstm2000_state_growth": "state_growth",
    "lstm2000_forget_gate_trace": "forget_gate_trace",
    "lstm2000_error_free_length": "error_free_lengths",
}


rule figure_continual_streams:
    input:
        measurements=rules.continual_streams_summary.output,
        code=package_sources("figures/__init__", "figures/continual_streams"),
    output:
        report(
            f"{RESULTS}/figures/{{figure}}.{config['figures']['format']}",
            category="2000 forget gate",
            caption="../report/lstm2000.rst",
        ),
    wildcard_constraints:
        figure="|".join(FIGURE_FUNCTIONS_2000),
    params:
        function=lambda wildcards: "recurrent_bottleneck.figures.continual_streams:"
        + FIGURE_FUNCTIONS_2000[wildcards.figure],
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
SUMMARIES["continual_streams"] = rules.continual_streams_summary.output[0]
for figure_name in FIGURE_FUNCTIONS_2000:
    FIGURES[figure_name] = figure_path(figure_name)
    FIGURE_MILESTONES[figure_name] = "continual_streams"
MEASUREMENTS.extend(CONTINUAL_STREAMS_RUNS)
BENCHMARKS.extend(
    [benchmark_path(f"continual_streams_train-{row}") for row in CONTINUAL_STREAMS["rows"]]
    + [benchmark_path("continual_streams_summary")]
    + [benchmark_path(f"figure-{figure_name}") for figure_name in FIGURE_FUNCTIONS_2000]
)
