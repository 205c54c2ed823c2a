# 1991/1994: gradient norm against lag (no training), and the latch task against length.


rule gradient_decay_measure:
    input:
        package_sources("milestones/gradient_decay", "autodiff", "tensorboard_log", "cli"),
    output:
        metrics=f"{RESULTS}/gradient_decay/{{activation}}/metrics.json",
        tensorboard=directory(f"{TENSORBOARD}/gradient_decay/{{activation}}"),
    params:
        settings=lambda wildcards: settings_json(
            "gradient_decay", "activations", activation=wildcards.activation
        ),
        backend=config["backend"],
    threads: config["threads_per_job"]
    resources:
        gpu=1,
    log:
        log_path("gradient_decay_measure-{activation}"),
    benchmark:
        benchmark_path("gradient_decay_measure-{activation}")
    conda:
        CONDA_ENV
    shell:
        "python -m recurrent_bottleneck gradient-decay --settings {params.settings:q}"
        " --output {output.metrics} --tensorboard {output.tensorboard}"
        " --threads {threads} --backend {params.backend} > {log} 2>&1"


rule latch_train:
    input:
        package_sources(
            "milestones/latch",
            "tasks/latch",
            "training",
            "checkpoints",
            "autodiff",
            "tensorboard_log",
            "cli",
        ),
    output:
        metrics=f"{RESULTS}/latch/length_{{length}}/metrics.json",
        tensorboard=directory(f"{TENSORBOARD}/latch/length_{{length}}"),
    params:
        settings=lambda wildcards: settings_json(
            "latch", "lengths", length=int(wildcards.length)
        ),
        backend=config["backend"],
        # outside the outputs: kept when the job fails, so a rerun resumes
        checkpoints=f"{CHECKPOINTS}/latch/length_{{length}}",
    threads: config["threads_per_job"]
    resources:
        gpu=1,
    log:
        log_path("latch_train-{length}"),
    benchmark:
        benchmark_path("latch_train-{length}")
    conda:
        CONDA_ENV
    shell:
        "python -m recurrent_bottleneck latch --settings {params.settings:q}"
        " --output {output.metrics} --tensorboard {output.tensorboard}"
        " --checkpoints {params.checkpoints}"
        " --threads {threads} --backend {params.backend} > {log} 2>&1"


SUMMARY_RUNS["gradient_decay"] = expand(
    f"{RESULTS}/gradient_decay/{{activation}}/metrics.json",
    activation=config["gradient_decay"]["activations"],
)
SUMMARY_RUNS["latch"] = expand(
    f"{RESULTS}/latch/length_{{length}}/metrics.json", length=config["latch"]["lengths"]
)


rule gradient_decay_summary:
    input:
        metrics=finished(SUMMARY_RUNS["gradient_decay"]),
        code=package_sources("summaries/__init__", "summaries/gradient_decay"),
    output:
        f"{RESULTS}/gradient_decay/summary.json",
    params:
        missing=unfinished(SUMMARY_RUNS["gradient_decay"]),
        module="recurrent_bottleneck.summaries.gradient_decay",
    log:
        log_path("gradient_decay_summary"),
    benchmark:
        benchmark_path("gradient_decay_summary")
    conda:
        CONDA_ENV
    script:
        "../scripts/summarize.py"


rule latch_summary:
    input:
        metrics=finished(SUMMARY_RUNS["latch"]),
        code=package_sources("summaries/__init__", "summaries/latch"),
    output:
        f"{RESULTS}/latch/summary.json",
    params:
        missing=unfinished(SUMMARY_RUNS["latch"]),
        module="recurrent_bottleneck.summaries.latch",
    log:
        log_path("latch_summary"),
    benchmark:
        benchmark_path("latch_summary")
    conda:
        CONDA_ENV
    script:
        "../scripts/summarize.py"


rule figure_gradient_norm_vs_lag:
    input:
        measurements=rules.gradient_decay_summary.input.metrics,
        code=package_sources("figures/__init__", "figures/gradient_decay"),
    output:
        report(
            figure_path("gradient_norm_vs_lag"),
            category="1991/1994 vanishing gradients",
            caption="../report/gradient_norm_vs_lag.rst",
        ),
    params:
        function="recurrent_bottleneck.figures.gradient_decay:norm_against_lag",
        size=figure_size(),
    log:
        log_path("figure_gradient_norm_vs_lag"),
    benchmark:
        benchmark_path("figure_gradient_norm_vs_lag")
    conda:
        CONDA_ENV
    script:
        "../scripts/figure.py"


rule figure_fitted_factor_vs_radius:
    input:
        measurements=rules.gradient_decay_summary.input.metrics,
        code=package_sources("figures/__init__", "figures/gradient_decay"),
    output:
        report(
            figure_path("fitted_factor_vs_radius"),
            category="1991/1994 vanishing gradients",
            caption="../report/fitted_factor_vs_radius.rst",
        ),
    params:
        function="recurrent_bottleneck.figures.gradient_decay:factor_against_radius",
        size=figure_size(),
    log:
        log_path("figure_fitted_factor_vs_radius"),
    benchmark:
        benchmark_path("figure_fitted_factor_vs_radius")
    conda:
        CONDA_ENV
    script:
        "../scripts/figure.py"


rule figure_latch_success_vs_length:
    input:
        measurements=rules.latch_summary.output,
        code=package_sources("figures/__init__", "figures/latch"),
    output:
        report(
            figure_path("latch_success_vs_length"),
            category="1991/1994 vanishing gradients",
            caption="../report/latch_success_vs_length.rst",
        ),
    params:
        function="recurrent_bottleneck.figures.latch:success_against_length",
        size=figure_size(),
    log:
        log_path("figure_latch_success_vs_length"),
    benchmark:
        benchmark_path("figure_latch_success_vs_length")
    conda:
        CONDA_ENV
    script:
        "../scripts/figure.py"


# What the report collects from this milestone.
SUMMARIES["gradient_decay"] = rules.gradient_decay_summary.output[0]
SUMMARIES["latch"] = rules.latch_summary.output[0]
FIGURES["gradient_norm_vs_lag"] = rules.figure_gradient_norm_vs_lag.output[0]
FIGURES["fitted_factor_vs_radius"] = rules.figure_fitted_factor_vs_radius.output[0]
FIGURES["latch_success_vs_length"] = rules.figure_latch_success_vs_length.output[0]
FIGURE_MILESTONES.update(
    gradient_norm_vs_lag="gradient_decay",
    fitted_factor_vs_radius="gradient_decay",
    latch_success_vs_length="latch",
)
MEASUREMENTS.extend(rules.gradient_decay_summary.input.metrics)
MEASUREMENTS.extend(rules.latch_summary.input.metrics)
BENCHMARKS.extend(
    expand(
        benchmark_path("gradient_decay_measure-{activation}"),
        activation=config["gradient_decay"]["activations"],
    )
    + expand(benchmark_path("latch_train-{length}"), length=config["latch"]["lengths"])
    + [
        benchmark_path(name)
        for name in [
            "gradient_decay_summary",
            "latch_summary",
            "figure_gradient_norm_vs_lag",
            "figure_fitted_factor_vs_radius",
            "figure_latch_success_vs_length",
        ]
    ]
)
