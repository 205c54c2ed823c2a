# Measurements -> verdicts (rules in config/claims.yaml) -> provenance -> PDF.


rule verdicts:
    input:
        claims=config["report"]["claims"],
        summaries=list(SUMMARIES.values()),
        code=package_sources("report/verdicts"),
    output:
        f"{RESULTS}/report/verdicts.json",
    params:
        milestones=list(SUMMARIES),
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
        benchmarks=BENCHMARKS,
        measurements=MEASUREMENTS,
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
        summaries=list(SUMMARIES.values()),
        figures=list(FIGURES.values()),
        timings=list(TIMINGS.values()),
        code=package_sources("report/build"),
    output:
        report(
            config["report"]["output"],
            category="Report",
            caption="../report/pdf.rst",
        ),
    params:
        milestones=list(SUMMARIES),
        figure_keys=list(FIGURES),
        timing_keys=list(TIMINGS),
        scale=config["scale"],
        title=config["report"]["title"],
        date=config["report"]["date"],
    log:
        log_path("report"),
    conda:
        CONDA_ENV
    script:
        "../scripts/report.py"
