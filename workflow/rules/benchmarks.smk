# Training throughput of every model on the device at hand: a benchmark whose numbers
# the report shows as timings of this machine, not as results. Beside it, what other
# devices measured (the lent GPU machine), committed under reports/measured/.

import glob

THROUGHPUT = f"{RESULTS}/throughput/metrics.json"
THROUGHPUT_TIMING = f"{RESULTS}/throughput/timing.json"
# each session's folder: <date>-<device>/ with the jobs' metrics/timing files, session.json
MEASURED_ELSEWHERE = sorted(glob.glob("reports/measured/*/*.json"))


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


MEASUREMENTS.append(THROUGHPUT)
TIMINGS["devices"] = rules.devices_summary.output[0]
BENCHMARKS.append(benchmark_path("throughput_benchmark"))
