# Training throughput of every model on the device at hand: a benchmark whose numbers
# the report shows as timings of this machine, not as results. Beside it, what other
# devices measured (the lent GPU machine), committed under reports/measured/.

import glob

THROUGHPUT = f"{RESULTS}/throughput/metrics.json"
THROUGHPUT_TIMING = f"{RESULTS}/throughput/timing.json"
# each session's folder: <date>-<device>/ with the jobs' metrics/timing files, session.json
MEASURED_ELSEWHERE = sorted(glob.glob("reports/measured/*/*.json"))
# milestones run whole there, drawn as the report draws its own runs: one experiment's
# figure -> (drawing function, the summary module it draws from; None: the runs)
ELSEWHERE_EXPERIMENTS = elsewhere_experiments(MEASURED_ELSEWHERE)
ELSEWHERE_FIGURES = {
    "gradient_decay": {
        "gradient_norm_vs_lag": ("gradient_decay:norm_against_lag", None),
        "fitted_factor_vs_radius": ("gradient_decay:factor_against_radius", None),
    },
    "latch": {"latch_success_vs_length": ("latch:success_against_length", "latch")},
    "continual_streams": {
        "lstm2000_error_free_length": ("continual_streams:error_free_lengths", "continual_streams"),
        "lstm2000_state_growth": ("continual_streams:state_growth", "continual_streams"),
    },
    # the 1997 runs of one device that sweep more than one lag
    "long_time_lags": {
        "lstm1997_success_vs_lag": ("long_time_lags:success_against_lag", "long_time_lags")
    },
}

# figure key read by reports/template.typ -> file: elsewhere_<experiment>_<figure>
ELSEWHERE_FIGURE_FILES = {
    f"elsewhere_{number}_{name}": f"{RESULTS}/figures/elsewhere/{number}-{name}.{config['figures']['format']}"
    for number, experiment in enumerate(ELSEWHERE_EXPERIMENTS)
    for name in ELSEWHERE_FIGURES[experiment["milestone"]]
}


rule throughput_benchmark:
    input:
        package_sources(
            "milestones/throughput",
            "milestones/step_cost",
            "models/recurrent",
            "cells/lstm1997",
            "translation/model",
            "translation/transformer",
            "cli",
        ),
    output:
        metrics=THROUGHPUT,
        timing=THROUGHPUT_TIMING,
        tensorboard=directory(f"{TENSORBOARD}/throughput"),
    params:
        settings=throughput_settings(),
        backend=config["backend"],
    # every core, alone: no other job disturbs the clock, and the framework uses them all
    threads: 1024
    resources:
        gpu=1,
    log:
        log_path("throughput_benchmark"),
    benchmark:
        benchmark_path("throughput_benchmark")
    conda:
        CONDA_ENV
    shell:
        "python -m recurrent_bottleneck throughput --settings {params.settings:q}"
        " --output {output.metrics} --tensorboard {output.tensorboard}"
        " --threads {threads} --backend {params.backend} > {log} 2>&1"


rule devices_summary:
    input:
        # this machine's metrics before its timing, then the committed documents
        metrics=finished([THROUGHPUT, THROUGHPUT_TIMING]) + MEASURED_ELSEWHERE,
        code=package_sources(
            "summaries/__init__",
            "summaries/devices",
            "summaries/attention",
            "summaries/long_time_lags",
            "summaries/sequence_to_sequence",
            "summaries/gradient_decay",
            "summaries/latch",
            "summaries/continual_streams",
            "training",
            "job_settings",
        ),
        paper_scale=PAPER_SCALE_FILES,
    output:
        f"{RESULTS}/devices/timing.json",
    params:
        missing=unfinished([THROUGHPUT, THROUGHPUT_TIMING]),
        module="recurrent_bottleneck.summaries.devices",
        arguments={"paper_scale": paper_scale_settings()},
    log:
        log_path("devices_summary"),
    benchmark:
        benchmark_path("devices_summary")
    conda:
        CONDA_ENV
    script:
        "../scripts/summarize.py"


rule figure_elsewhere:
    input:
        measurements=lambda wildcards: ELSEWHERE_EXPERIMENTS[int(wildcards.experiment)]["paths"],
        code=package_sources(
            "figures/__init__",
            "figures/gradient_decay",
            "figures/latch",
            "figures/continual_streams",
            "figures/long_time_lags",
            "summaries/__init__",
            "summaries/latch",
            "summaries/continual_streams",
            "summaries/long_time_lags",
        ),
    output:
        report(
            f"{RESULTS}/figures/elsewhere/{{experiment}}-{{figure}}.{config['figures']['format']}",
            category="Run elsewhere",
            caption="../report/elsewhere.rst",
        ),
    wildcard_constraints:
        experiment=r"\d+",
    params:
        function=lambda wildcards: "recurrent_bottleneck.figures."
        + elsewhere_figure(ELSEWHERE_EXPERIMENTS, ELSEWHERE_FIGURES, wildcards)[0],
        summarize=lambda wildcards: elsewhere_figure(
            ELSEWHERE_EXPERIMENTS, ELSEWHERE_FIGURES, wildcards
        )[1],
        size=figure_size(),
    log:
        log_path("figure_elsewhere-{experiment}-{figure}"),
    conda:
        CONDA_ENV
    script:
        "../scripts/figure.py"


MEASUREMENTS.append(THROUGHPUT)
TIMINGS["devices"] = rules.devices_summary.output[0]
BENCHMARKS.append(benchmark_path("throughput_benchmark"))
