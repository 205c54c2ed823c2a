# 2014: deep LSTM encoder-decoder; the source read forward or reversed.

SEQUENCE_TO_SEQUENCE = config["sequence_to_sequence"]
SEQUENCE_TO_SEQUENCE_RUNS = [
    f"{RESULTS}/sequence_to_sequence/{direction}/metrics.json"
    for direction in SEQUENCE_TO_SEQUENCE["directions"]
]


rule sequence_to_sequence_train:
    input:
        code=package_sources(
            "milestones/sequence_to_sequence",
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
        metrics=f"{RESULTS}/sequence_to_sequence/{{direction}}/metrics.json",
        timing=f"{RESULTS}/sequence_to_sequence/{{direction}}/timing.json",
        tensorboard=directory(f"{TENSORBOARD}/sequence_to_sequence/{{direction}}"),
    wildcard_constraints:
        direction="forward|reversed",
    params:
        settings=lambda wildcards: settings_json(
            "sequence_to_sequence",
            "directions",
            direction=wildcards.direction,
            architecture="lstm",
        ),
        backend=config["backend"],
        # outside the outputs: kept when the job fails, so a rerun resumes
        checkpoints=f"{CHECKPOINTS}/sequence_to_sequence/{{direction}}",
    # the longest jobs start first (Snakemake knows no durations; a long job started
    # last would run alone while the other cores idle)
    priority: 2
    threads: config["threads_per_job"]
    resources:
        gpu=1,
    log:
        log_path("sequence_to_sequence_train-{direction}"),
    benchmark:
        benchmark_path("sequence_to_sequence_train-{direction}")
    conda:
        CONDA_ENV
    shell:
        "python -m recurrent_bottleneck sequence-to-sequence --settings {params.settings:q}"
        " --output {output.metrics} --tensorboard {output.tensorboard}"
        " --checkpoints {params.checkpoints}"
        " --threads {threads} --backend {params.backend} > {log} 2>&1"


SUMMARY_RUNS["sequence_to_sequence"] = SEQUENCE_TO_SEQUENCE_RUNS


rule sequence_to_sequence_summary:
    input:
        metrics=finished(SUMMARY_RUNS["sequence_to_sequence"]),
        code=package_sources("summaries/__init__", "summaries/sequence_to_sequence"),
    output:
        f"{RESULTS}/sequence_to_sequence/summary.json",
    params:
        missing=unfinished(SUMMARY_RUNS["sequence_to_sequence"]),
        module="recurrent_bottleneck.summaries.sequence_to_sequence",
    log:
        log_path("sequence_to_sequence_summary"),
    benchmark:
        benchmark_path("sequence_to_sequence_summary")
    conda:
        CONDA_ENV
    script:
        "../scripts/summarize.py"


FIGURE_FUNCTIONS_2014 = {
    "seq2seq_training_curves": "training_curves",
    "seq2seq_bleu_by_length": "bleu_by_length",
}


rule figure_sequence_to_sequence:
    input:
        measurements=rules.sequence_to_sequence_summary.output,
        code=package_sources("figures/__init__", "figures/sequence_to_sequence"),
    output:
        report(
            f"{RESULTS}/figures/{{figure}}.{config['figures']['format']}",
            category="2014 sequence to sequence",
            caption="../report/seq2seq.rst",
        ),
    wildcard_constraints:
        figure="|".join(FIGURE_FUNCTIONS_2014),
    params:
        function=lambda wildcards: "recurrent_bottleneck.figures.sequence_to_sequence:"
        + FIGURE_FUNCTIONS_2014[wildcards.figure],
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
SUMMARIES["sequence_to_sequence"] = rules.sequence_to_sequence_summary.output[0]
for figure_name in FIGURE_FUNCTIONS_2014:
    FIGURES[figure_name] = figure_path(figure_name)
    FIGURE_MILESTONES[figure_name] = "sequence_to_sequence"
MEASUREMENTS.extend(SEQUENCE_TO_SEQUENCE_RUNS)
for direction in SEQUENCE_TO_SEQUENCE["directions"]:
    TIMINGS[f"sequence_to_sequence_{direction}"] = (
        f"{RESULTS}/sequence_to_sequence/{direction}/timing.json"
    )
BENCHMARKS.extend(
    [
        benchmark_path(f"sequence_to_sequence_train-{direction}")
        for direction in SEQUENCE_TO_SEQUENCE["directions"]
    ]
    + [benchmark_path("sequence_to_sequence_summary")]
    + [benchmark_path(f"figure-{figure_name}") for figure_name in FIGURE_FUNCTIONS_2014]
)
