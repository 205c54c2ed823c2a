"""Snakemake script: the timetable of a stack split one layer per device (no training)."""

from recurrent_bottleneck.cli import output_to_log, write_json_atomically
from recurrent_bottleneck.models.pipeline import compare

with output_to_log(snakemake.log[0]):
    document = {
        "milestone": "residual_stacks",
        "measurement": "pipeline_schedule",
        "settings": {"depths": snakemake.params.depths, "lengths": snakemake.params.lengths},
        "rows": compare(snakemake.params.depths, snakemake.params.lengths),
    }
    write_json_atomically(document, snakemake.output[0])
    for row in document["rows"]:
        print(row)
