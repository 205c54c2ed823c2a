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
include: "workflow/rules/sequence_to_sequence.smk"
include: "workflow/rules/residual_stacks.smk"
include: "workflow/rules/attention.smk"
include: "workflow/rules/benchmarks.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        config["report"]["output"],
