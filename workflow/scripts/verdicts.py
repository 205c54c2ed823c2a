"""Snakemake script: summaries + config/claims.yaml -> verdicts.json."""

import json

import yaml

from recurrent_bottleneck.cli import output_to_log, write_json_atomically
from recurrent_bottleneck.report.verdicts import evaluate_all

with output_to_log(snakemake.log[0]):
    with open(snakemake.input.claims, encoding="utf-8") as handle:
        claims = yaml.safe_load(handle)["claims"]
    summaries = {}
    for milestone, path in zip(
        snakemake.params.milestones,
        snakemake.input.summaries,
        strict=True,
    ):
        with open(path, encoding="utf-8") as handle:
            summaries[milestone] = json.load(handle)
    verdicts = evaluate_all(claims, summaries)
    for verdict in verdicts:
        print(f"{verdict['id']}: {verdict['verdict']} ({verdict['measured']})")
    write_json_atomically({"claims": verdicts}, snakemake.output[0])
