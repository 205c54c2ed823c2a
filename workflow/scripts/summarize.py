"""Snakemake script: the per-run metrics of one milestone -> its summary.json.

In a partial report some runs did not finish: the summary is made from the others and
names the missing ones (``missing_runs``), which the verdicts and the PDF show."""

import json

from recurrent_bottleneck.cli import output_to_log, write_json_atomically
from recurrent_bottleneck.summaries import summarize

with output_to_log(snakemake.log[0]):
    documents = []
    for path in snakemake.input.metrics:
        with open(path, encoding="utf-8") as handle:
            documents.append(json.load(handle))
    summary = summarize(
        snakemake.params.module,
        documents,
        snakemake.params.missing,
        snakemake.params.get("arguments", {}),
    )
    write_json_atomically(summary, snakemake.output[0])
    print(json.dumps(summary["measurements"], indent=1))
