"""Assemble the report's data and compile the Typst template into the PDF.

Every number the PDF prints comes from ``report-data.json``, which this module
writes from the milestone summaries, the verdicts and the provenance; the
template (``reports/template.typ``) only lays it out. Typst is deterministic
for the same inputs, and the document date is the configured one or, as for
other reproducible builds, the day ``SOURCE_DATE_EPOCH`` names, so the same
measurements give the same PDF.
"""

from __future__ import annotations

import datetime
import json
import math
import os
from pathlib import Path


def report_date(configured: str | None, environment=os.environ) -> str:
    """The document date: ``configured`` (YYYY-MM-DD) if given, else the UTC day of
    ``SOURCE_DATE_EPOCH`` (seconds since 1970) if set, else today's UTC date."""
    if configured:
        return configured
    epoch = environment.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            seconds = int(epoch)
        except ValueError:
            raise ValueError(
                f"SOURCE_DATE_EPOCH must be whole seconds since 1970, got {epoch!r}"
            ) from None
        moment = datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)
    else:
        moment = datetime.datetime.now(tz=datetime.UTC)
    return moment.date().isoformat()


def assemble(
    summaries: dict,
    verdicts: list,
    provenance: dict,
    figures: dict,
    scale: str,
    title: str,
    date: str,
    timings: dict | None = None,
    missing: list | None = None,
    missing_runs: dict | None = None,
    elsewhere: list | None = None,
) -> dict:
    """The one JSON document the template reads; ``timings`` are wall-clock measurements,
    which the template prints only where it says they are timings; ``missing`` names the
    milestones left out of a partial report (none of their runs finished) and
    ``missing_runs`` the runs, by milestone, that the reported milestones lack;
    ``elsewhere`` the verdicts on milestones run whole at paper scale on other devices."""
    return {
        "title": title,
        "date": date,
        "scale": scale,
        "devices": provenance["devices"],
        "claims": verdicts,
        "summaries": summaries,
        "figures": figures,
        "provenance": provenance,
        "timings": timings or {},
        "missing": list(missing or []),
        "missing_runs": {milestone: list(runs) for milestone, runs in (missing_runs or {}).items()},
        "elsewhere": list(elsewhere or []),
    }


def finite_or_null(value):
    """NaN and infinities become null: Typst's JSON (like JSON itself) has no such numbers."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: finite_or_null(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite_or_null(item) for item in value]
    return value


def compile_pdf(template: str | Path, data: dict, output: str | Path, root: str | Path) -> None:
    """Write ``data`` next to the output, compile the template, move the PDF into place."""
    import typst

    output = Path(output)
    root = Path(root).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    data_path = output.with_suffix(".data.json")
    data_path.write_text(
        json.dumps(finite_or_null(data), indent=1, allow_nan=False), encoding="utf-8"
    )
    partial = output.with_name(f".{output.name}.partial")
    relative_data = "/" + str(data_path.resolve().relative_to(root))
    typst.compile(
        str(template), output=str(partial), root=str(root), sys_inputs={"data": relative_data}
    )
    os.replace(partial, output)
