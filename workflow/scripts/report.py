"""Snakemake script: verdicts, provenance, summaries and figures -> the PDF report."""

import json
from pathlib import Path

from recurrent_bottleneck.cli import output_to_log
from recurrent_bottleneck.report.build import assemble, compile_pdf, report_date


def load(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


with output_to_log(snakemake.log[0]):
    inputs, params = snakemake.input, snakemake.params
    summaries = {
        name: load(path) for name, path in zip(params.milestones, inputs.summaries, strict=True)
    }
    figures = {
        key: "/" + str(Path(path))
        for key, path in zip(params.figure_keys, inputs.figures, strict=True)
    }
    timings = {
        key: load(path) for key, path in zip(params.timing_keys, inputs.timings, strict=True)
    }
    verdicts = load(inputs.verdicts)
    data = assemble(
        summaries,
        verdicts["claims"],
        load(inputs.provenance),
        figures,
        params.scale,
        params.title,
        report_date(params.date),
        timings,
        missing=params.missing,
        missing_runs=params.missing_runs,
        elsewhere=verdicts.get("elsewhere", []),
    )
    compile_pdf(inputs.template, data, snakemake.output[0], root=".")
    print(f"wrote {snakemake.output[0]}")
