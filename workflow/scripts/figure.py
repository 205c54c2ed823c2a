"""Snakemake script: draw one figure from measurements (never trains)."""

import importlib
import json

from recurrent_bottleneck.cli import output_to_log

with output_to_log(snakemake.log[0]):
    module_name, function_name = snakemake.params.function.split(":")
    draw = getattr(importlib.import_module(module_name), function_name)
    documents = []
    for path in snakemake.input.measurements:
        with open(path, encoding="utf-8") as handle:
            documents.append(json.load(handle))
    draw(documents, snakemake.output[0], **snakemake.params.size)
