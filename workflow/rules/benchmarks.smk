# Training throughput of every model on the device at hand: a benchmark whose numbers
# the report shows as timings of this machine, not as results.

THROUGHPUT = f"{RESULTS}/throughput/metrics.json"
THROUGHPUT_TIMING = f"{RESULTS}/throughput/timing.json"


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


MEASUREMENTS.append(THROUGHPUT)
TIMINGS["throughput"] = THROUGHPUT_TIMING
BENCHMARKS.append(benchmark_path("throughput_benchmark"))
