# 2017: what a recurrent, a self-attention and a convolutional layer cost against the
# sequence length (Table 1 measured), and a Transformer trained against the 2014 LSTM.

ATTENTION = config["attention"]
LAYER_COST = ATTENTION["layer_cost"]
LAYER_TIMINGS = [
    f"{RESULTS}/attention/layer_timing/threads_{threads}/timing.json"
    for threads in LAYER_COST["threads"]
]
LAYER_STRUCTURE = f"{RESULTS}/attention/layer_structure/metrics.json"
TRANSFORMER_RUN = f"{RESULTS}/attention/transformer/metrics.json"
TRANSFORMER_TIMING = f"{RESULTS}/attention/transformer/timing.json"
COMPARED_LSTM = ATTENTION["compare_with_direction"]


rule attention_layer_timing:
    input:
        package_sources(
            "milestones/layer_cost", "milestones/step_cost", "models/self_attention", "cli"
        ),
    output:
        timing=f"{RESULTS}/attention/layer_timing/threads_{{threads}}/timing.json",
        tensorboard=directory(f"{TENSORBOARD}/attention/layer_timing/threads_{{threads}}"),
    wildcard_constraints:
        threads=r"\d+",
    params:
        settings=json.dumps(LAYER_COST, sort_keys=True),
        backend=config["backend"],
    # every core (Snakemake caps a rule's threads at --cores): timings run alone, so no
    # other job disturbs the clock; the framework itself uses {wildcards.threads}
    threads: 1024
    resources:
        gpu=1,
    log:
        log_path("attention_layer_timing-{threads}"),
    benchmark:
        benchmark_path("attention_layer_timing-{threads}")
    conda:
        CONDA_ENV
    shell:
        "python -m recurrent_bottleneck layer-timing --settings {params.settings:q}"
        " --output {output.timing} --tensorboard {output.tensorboard}"
        " --threads {wildcards.threads} --backend {params.backend} > {log} 2>&1"


rule attention_layer_structure:
    input:
        package_sources("milestones/layer_cost", "models/self_attention", "cli"),
    output:
        metrics=LAYER_STRUCTURE,
        tensorboard=directory(f"{TENSORBOARD}/attention/layer_structure"),
    params:
        settings=json.dumps(LAYER_COST, sort_keys=True),
    threads: config["threads_per_job"]
    log:
        log_path("attention_layer_structure"),
    benchmark:
        benchmark_path("attention_layer_structure")
    conda:
        CONDA_ENV
    shell:
        # jaxprs and XLA's buffer plan are read through JAX, whatever the training backend
        "python -m recurrent_bottleneck layer-structure --settings {params.settings:q}"
        " --output {output.metrics} --tensorboard {output.tensorboard}"
        " --threads {threads} --backend jax > {log} 2>&1"


rule attention_transformer_train:
    input:
        code=package_sources(
            "milestones/sequence_to_sequence",
            "translation/transformer",
            "translation/model",
            "translation/decoding",
            "translation/corpus",
            "translation/synthetic",
            "translation/vocabulary",
            "checkpoints",
            "tensorboard_log",
            "cli",
        ),
        corpus=user_corpus_files,
    output:
        metrics=TRANSFORMER_RUN,
        timing=TRANSFORMER_TIMING,
        tensorboard=directory(f"{TENSORBOARD}/attention/transformer"),
    params:
        settings=transformer_settings(),
        backend=config["backend"],
        # outside the outputs: kept when the job fails, so a rerun resumes
        checkpoints=f"{CHECKPOINTS}/attention/transformer",
    # the longest jobs start first (Snakemake knows no durations; a long job started
    # last would run alone while the other cores idle)
    priority: 3
    threads: config["threads_per_job"]
    resources:
        gpu=1,
    log:
        log_path("attention_transformer_train"),
    benchmark:
        benchmark_path("attention_transformer_train")
    conda:
        CONDA_ENV
    shell:
        "python -m recurrent_bottleneck sequence-to-sequence --settings {params.settings:q}"
        " --output {output.metrics} --tensorboard {output.tensorboard}"
        " --checkpoints {params.checkpoints}"
        " --threads {threads} --backend {params.backend} > {log} 2>&1"


SUMMARY_RUNS["attention"] = LAYER_TIMINGS + [
    LAYER_STRUCTURE,
    TRANSFORMER_RUN,
    TRANSFORMER_TIMING,
    f"{RESULTS}/sequence_to_sequence/{COMPARED_LSTM}/metrics.json",
    f"{RESULTS}/sequence_to_sequence/{COMPARED_LSTM}/timing.json",
]


rule attention_summary:
    input:
        metrics=finished(SUMMARY_RUNS["attention"]),
        code=package_sources("summaries/__init__", "summaries/attention"),
    output:
        f"{RESULTS}/attention/summary.json",
    params:
        missing=unfinished(SUMMARY_RUNS["attention"]),
        module="recurrent_bottleneck.summaries.attention",
    log:
        log_path("attention_summary"),
    benchmark:
        benchmark_path("attention_summary")
    conda:
        CONDA_ENV
    script:
        "../scripts/summarize.py"


FIGURE_FUNCTIONS_2017 = {
    "attention_layer_time": "layer_time",
    "attention_layer_structure": "layer_structure",
    "attention_transformer_against_lstm": "transformer_against_lstm",
}


rule figure_attention:
    input:
        measurements=rules.attention_summary.output,
        code=package_sources("figures/__init__", "figures/attention"),
    output:
        report(
            f"{RESULTS}/figures/{{figure}}.{config['figures']['format']}",
            category="2017 attention",
            caption="../report/attention.rst",
        ),
    wildcard_constraints:
        figure="|".join(FIGURE_FUNCTIONS_2017),
    params:
        function=lambda wildcards: "recurrent_bottleneck.figures.attention:"
        + FIGURE_FUNCTIONS_2017[wildcards.figure],
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
SUMMARIES["attention"] = rules.attention_summary.output[0]
for figure_name in FIGURE_FUNCTIONS_2017:
    FIGURES[figure_name] = figure_path(figure_name)
    FIGURE_MILESTONES[figure_name] = "attention"
# the layer timings too: the provenance names the device, executor and node of every job
MEASUREMENTS.extend([LAYER_STRUCTURE, TRANSFORMER_RUN] + LAYER_TIMINGS)
TIMINGS["attention_transformer"] = TRANSFORMER_TIMING
for threads in LAYER_COST["threads"]:
    TIMINGS[f"attention_layer_timing_threads_{threads}"] = (
        f"{RESULTS}/attention/layer_timing/threads_{threads}/timing.json"
    )
BENCHMARKS.extend(
    [benchmark_path(f"attention_layer_timing-{threads}") for threads in LAYER_COST["threads"]]
    + [
        benchmark_path(name)
        for name in [
            "attention_layer_structure",
            "attention_transformer_train",
            "attention_summary",
        ]
    ]
    + [benchmark_path(f"figure-{figure_name}") for figure_name in FIGURE_FUNCTIONS_2017]
)
