"""Snakemake script: the per-run metrics of one milestone -> its summary.json."""

import importlib
import json

from recurrent_bottleneck.cli import output_to_log, write_json_atomically

with output_to_log(snakemake.log[0]):
    documents = []
    for path in snakemake.input.metrics:
        with open(path, encoding="utf-8") as handle:
            documents.append(json.load(handle))
    module = importlib.import_module(snakemake.params.module)
    summary = module.summarize(documents)
    summary["environment"] = documents[0].get("environment", {})
    write_json_atomically(summary, snakemake.output[0])
    print(json.dumps(summary["measurements"], indent=1))
