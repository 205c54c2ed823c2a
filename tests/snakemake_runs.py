"""Helpers of the workflow tests: a copy of the project to run in, Snakemake run in it,
and the text of the PDF it writes."""

import os
import shutil
import subprocess
import sys

import pypdfium2

COPIED = [
    "Snakefile",
    "workflow",
    "config",
    "src",
    "envs",
    "reports/template.typ",
    "reports/measured",
]


def copy_project(source, destination):
    """The files a workflow run needs, copied from ``source`` into ``destination``."""
    for name in COPIED:
        if (source / name).is_dir():
            shutil.copytree(
                source / name,
                destination / name,
                ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
            )
        else:
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source / name, destination / name)
    return destination


PARTIAL = ["--config", "partial_report=True"]


def pdf_text(path):
    """The PDF's text as PDFium reads it, whitespace runs collapsed to single spaces (the
    report's 30-odd pages in 0.2 s; pypdf took 7 s)."""
    document = pypdfium2.PdfDocument(path)
    try:
        pages = [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()
    return " ".join(" ".join(pages).split())


# the document date of every report built here (1,767,225,600 s: 2026-01-01 UTC)
SOURCE_DATE_EPOCH = "1767225600"


def snakemake(directory, *arguments):
    """``snakemake --cores 2 <arguments>`` in ``directory``, with a fixed document date."""
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", *arguments],
        cwd=directory,
        capture_output=True,
        text=True,
        # a hang's guard, not a time limit: the smoke DAG took 7 to 17 minutes beside
        # another test worker (17 beside the SLURM test, on a slow day of the 2-core
        # development machine), and more with a training beside the suite
        timeout=1800,
        env={**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH},
    )
