"""Snakemake script: commit, configuration, packages, machine and job times -> provenance.json."""

import json

from recurrent_bottleneck.cli import output_to_log, write_json_atomically
from recurrent_bottleneck.report import provenance

with output_to_log(snakemake.log[0]):
    documents = {}
    for path in snakemake.input.measurements:
        with open(path, encoding="utf-8") as handle:
            documents[path] = json.load(handle)
    record = provenance.collect(
        snakemake.params.workflow_directory,
        snakemake.params.config,
        snakemake.input.benchmarks,
        documents,
    )
    write_json_atomically(record, snakemake.output[0])
