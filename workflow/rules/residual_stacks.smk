# 2016: the 2014 encoder-decoder made deeper, with and without residual connections (GNMT),
# and the timetable of a stack split one layer per device.

RESIDUAL_STACKS_RUNS = [
    f"{RESULTS}/residual_stacks/{variant}/layers_{depth}/metrics.json"
    for variant, depth in residual_stack_points()
]
RESIDUAL_STACKS_PIPELINE = f"{RESULTS}/residual_stacks/pipeline/metrics.json"


rule residual_stacks_train:
    input:
        code=package_sources(
            "milestones/sequence_to_sequence",
            "translation/model",
            "translation/decoding",
            "translation/corpus",
            "translation/synthetic",
            "translation/vocabulary",
            "autodiff",
            "checkpoints",
            "tensorboard_log",
            "cli",
        ),
        corpus=user_corpus_files,
    output:
        metrics=f"{RESULTS}/residual_stacks/{{variant}}/layers_{{depth}}/metrics.json",
        timing=f"{RESULTS}/residual_stacks/{{variant}}/layers_{{depth}}/timing.json",
        tensorboard=directory(f"{TENSORBOARD}/residual_stacks/{{variant}}/layers_{{depth}}"),
    wildcard_constraints:
        variant="plain|residual",
        depth=r"\d+",
    params:
        settings=residual_stacks_settings,
        backend=config["backend"],
        checkpoints=f"{CHECKPOINTS}/residual_stacks/{{variant}}/layers_{{depth}}",
    priority: 2
    threads: config["threads_per_job"]
    resources:
        gpu=1,
    log:
        log_path("residual_stacks_train-{variant}-{depth}"),
    benchmark:
        benchmark_path("residual_stacks_train-{variant}-{depth}")
    conda:
        CONDA_ENV
    shell:
        "python -m recurrent_bottleneck sequence-to-sequence --settings {params.settings:q}"
        " --output {output.metrics} --tensorboard {output.tensorboard}"
        " --checkpoints {params.checkpoints}"
        " --threads {threads} --backend {params.backend} > {log} 2>&1"


rule residual_stacks_pipeline:
    input:
        code=package_sources("models/pipeline"),
    output:
        RESIDUAL_STACKS_PIPELINE,
    params:
        depths=RESIDUAL_STACKS["depths"],
        lengths=RESIDUAL_STACKS["pipeline_lengths"],
    log:
        log_path("residual_stacks_pipeline"),
    benchmark:
        benchmark_path("residual_stacks_pipeline")
    conda:
        CONDA_ENV
    script:
        "../scripts/pipeline_schedule.py"


SUMMARY_RUNS["residual_stacks"] = RESIDUAL_STACKS_RUNS + [RESIDUAL_STACKS_PIPELINE]


rule residual_stacks_summary:
    input:
        metrics=finished(SUMMARY_RUNS["residual_stacks"]),
        code=package_sources(
            "summaries/__init__", "summaries/residual_stacks", "summaries/sequence_to_sequence"
        ),
    output:
        f"{RESULTS}/residual_stacks/summary.json",
    params:
        missing=unfinished(SUMMARY_RUNS["residual_stacks"]),
        module="recurrent_bottleneck.summaries.residual_stacks",
    log:
        log_path("residual_stacks_summary"),
    benchmark:
        benchmark_path("residual_stacks_summary")
    conda:
        CONDA_ENV
    script:
        "../scripts/summarize.py"


FIGURE_FUNCTIONS_2016 = {
    "stacks_training_curves": "training_curves",
    "stacks_quality_by_depth": "quality_by_depth",
    "stacks_bottom_gradient": "bottom_gradient",
}


rule figure_residual_stacks:
    input:
        measurements=rules.residual_stacks_summary.output,
        code=package_sources("figures/__init__", "figures/residual_stacks"),
    output:
        report(
            f"{RESULTS}/figures/{{figure}}.{config['figures']['format']}",
            category="2016 residual stacks",
            caption="../report/residual_stacks.rst",
        ),
    wildcard_constraints:
        figure="|".join(FIGURE_FUNCTIONS_2016),
    params:
        function=lambda wildcards: "recurrent_bottleneck.figures.residual_stacks:"
        + FIGURE_FUNCTIONS_2016[wildcards.figure],
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
SUMMARIES["residual_stacks"] = rules.residual_stacks_summary.output[0]
for figure_name in FIGURE_FUNCTIONS_2016:
    FIGURES[figure_name] = figure_path(figure_name)
    FIGURE_MILESTONES[figure_name] = "residual_stacks"
MEASUREMENTS.extend(RESIDUAL_STACKS_RUNS + [RESIDUAL_STACKS_PIPELINE])
for variant, depth in residual_stack_points():
    TIMINGS[f"residual_stacks_{variant}_{depth}"] = (
        f"{RESULTS}/residual_stacks/{variant}/layers_{depth}/timing.json"
    )
BENCHMARKS.extend(
    [
        benchmark_path(f"residual_stacks_train-{variant}-{depth}")
        for variant, depth in residual_stack_points()
    ]
    + [benchmark_path("residual_stacks_pipeline"), benchmark_path("residual_stacks_summary")]
    + [benchmark_path(f"figure-{figure_name}") for figure_name in FIGURE_FUNCTIONS_2016]
)
