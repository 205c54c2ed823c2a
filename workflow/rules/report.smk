# Measurements -> verdicts (rules in config/claims.yaml) -> provenance -> PDF.
#
# With partial_report (--config partial_report=True, after a failed job), the
# report is built from the runs that finished when the run starts, and trains nothing:
# each milestone's summary and figures are made from the runs it has, the runs that
# did not finish are named in the PDF, and a milestone without any finished run is
# named too (its claims read "not measured").

REPORTED = {
    milestone: summary
    for milestone, summary in SUMMARIES.items()
    if finished(SUMMARY_RUNS[milestone])
}
MISSING_MILESTONES = [milestone for milestone in SUMMARIES if milestone not in REPORTED]
MISSING_RUNS = {
    milestone: unfinished(SUMMARY_RUNS[milestone])
    for milestone in REPORTED
    if unfinished(SUMMARY_RUNS[milestone])
}
REPORTED_FIGURES = {
    key: path for key, path in FIGURES.items() if FIGURE_MILESTONES[key] in REPORTED
}
REPORTED_TIMINGS = finished(TIMINGS)
# the figures of milestones run whole elsewhere go with the device summary that judges them
if "devices" in REPORTED_TIMINGS:
    REPORTED_FIGURES.update(ELSEWHERE_FIGURE_FILES)


rule verdicts:
    input:
        claims=config["report"]["claims"],
        summaries=list(REPORTED.values()),
        # milestones run whole at paper scale on other devices (reports/measured/)
        devices=[path for key, path in REPORTED_TIMINGS.items() if key == "devices"],
        code=package_sources("report/verdicts"),
    output:
        f"{RESULTS}/report/verdicts.json",
    params:
        milestones=list(REPORTED),
    log:
        log_path("verdicts"),
    benchmark:
        benchmark_path("verdicts")
    conda:
        CONDA_ENV
    script:
        "../scripts/verdicts.py"


rule provenance:
    input:
        benchmarks=finished(BENCHMARKS),
        measurements=finished(MEASUREMENTS),
        code=package_sources("report/provenance"),
    output:
        f"{RESULTS}/report/provenance.json",
    params:
        config=config,
        workflow_directory=workflow.basedir,
    log:
        log_path("provenance"),
    conda:
        CONDA_ENV
    script:
        "../scripts/provenance.py"


rule report:
    input:
        template="reports/template.typ",
        verdicts=rules.verdicts.output[0],
        provenance=rules.provenance.output[0],
        summaries=list(REPORTED.values()),
        figures=list(REPORTED_FIGURES.values()),
        timings=list(REPORTED_TIMINGS.values()),
        code=package_sources("report/build"),
    output:
        report(
            config["report"]["output"],
            category="Report",
            caption="../report/pdf.rst",
        ),
    params:
        milestones=list(REPORTED),
        missing=MISSING_MILESTONES,
        missing_runs=MISSING_RUNS,
        figure_keys=list(REPORTED_FIGURES),
        timing_keys=list(REPORTED_TIMINGS),
        scale=config["scale"],
        title=config["report"]["title"],
        date=config["report"]["date"],
    log:
        log_path("report"),
    conda:
        CONDA_ENV
    script:
        "../scripts/report.py"
