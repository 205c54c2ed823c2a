"""Snakemake script: summaries + config/claims.yaml -> verdicts.json; with the device
summary as input, also the verdicts on milestones run whole at paper scale elsewhere."""

import json

import yaml

from recurrent_bottleneck.cli import output_to_log, write_json_atomically
from recurrent_bottleneck.report.verdicts import evaluate_all, evaluate_elsewhere

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
    elsewhere = []
    for path in snakemake.input.devices:
        with open(path, encoding="utf-8") as handle:
            milestones = json.load(handle)["measurements"]["milestones"]
        elsewhere.extend(evaluate_elsewhere(claims, milestones))
    for entry in elsewhere:
        for verdict in entry["claims"]:
            print(f"{verdict['id']} on {entry['device']}: {verdict['verdict']}")
    write_json_atomically({"claims": verdicts, "elsewhere": elsewhere}, snakemake.output[0])
