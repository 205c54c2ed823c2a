"""Snakemake script: draw one figure from measurements (never trains); with
``params.summarize`` (a summary module), from the summary of the run documents it reads.

In a partial report (``partial_report``) a figure whose runs did not all finish may
lack what it plots: then its file says so, with the error, instead of stopping the
report. A full run never hides an error this way."""

import importlib
import json

from recurrent_bottleneck.cli import output_to_log
from recurrent_bottleneck.figures import not_drawn
from recurrent_bottleneck.summaries import summarize

with output_to_log(snakemake.log[0]):
    module_name, function_name = snakemake.params.function.split(":")
    draw = getattr(importlib.import_module(module_name), function_name)
    documents = []
    for path in snakemake.input.measurements:
        with open(path, encoding="utf-8") as handle:
            documents.append(json.load(handle))
    if snakemake.params.get("summarize"):
        documents = [summarize(snakemake.params.summarize, documents, [])]
    try:
        draw(documents, snakemake.output[0], **snakemake.params.size)
    except Exception as error:
        if not snakemake.config["partial_report"]:
            raise
        reason = (
            "Not drawn in this partial report: it needs runs that did not finish "
            f"({type(error).__name__}: {error})."
        )
        print(reason)
        not_drawn(snakemake.output[0], reason, **snakemake.params.size)
