# The Recurrent Bottleneck, replicated: every milestone of the chapter as a DAG
# of measurements -> summaries -> figures -> one PDF report.
#
#   snakemake --cores all                                   # quick scale (CPU, minutes)
#   snakemake --cores all --configfile config/full.yaml     # paper scale (GPU)
#   tensorboard --logdir results/tensorboard

from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config/config.yaml"


validate(config, "config/schema.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/gradient_decay.smk"
include: "workflow/rules/long_time_lags.smk"
include: "workflow/rules/continual_streams.smk"
include: "workflow/rules/speech.smk"
include: "workflow/rules/sequence_to_sequence.smk"
include: "workflow/rules/residual_stacks.smk"
include: "workflow/rules/attention.smk"
include: "workflow/rules/benchmarks.smk"
include: "workflow/rules/report.smk"


# Jobs that only read results and write small files (summaries, figures, the report):
# with a cluster executor (workflow/profiles/slurm) they run beside Snakemake instead
# of each waiting in the queue for a node; a local run is unaffected.
localrules:
    all,
    gradient_decay_summary,
    latch_summary,
    long_time_lags_summary,
    continual_streams_summary,
    speech_summary,
    sequence_to_sequence_summary,
    residual_stacks_pipeline,
    residual_stacks_summary,
    attention_summary,
    devices_summary,
    figure_gradient_norm_vs_lag,
    figure_fitted_factor_vs_radius,
    figure_latch_success_vs_length,
    figure_long_time_lags,
    figure_continual_streams,
    figure_speech,
    figure_sequence_to_sequence,
    figure_residual_stacks,
    figure_attention,
    verdicts,
    provenance,
    report,


rule all:
    default_target: True
    input:
        config["report"]["output"],
