"""The report's document date: configured, or the day SOURCE_DATE_EPOCH names."""

import datetime

import pytest

from recurrent_bottleneck.report.build import assemble, report_date


def test_a_configured_date_wins():
    assert report_date("2024-02-29", {"SOURCE_DATE_EPOCH": "0"}) == "2024-02-29"


def test_source_date_epoch_gives_its_utc_day():
    # 1,700,000,000 s after 1970-01-01 is 2023-11-14 22:13:20 UTC
    assert report_date(None, {"SOURCE_DATE_EPOCH": "1700000000"}) == "2023-11-14"
    assert report_date(None, {"SOURCE_DATE_EPOCH": "0"}) == "1970-01-01"


def test_without_either_the_date_is_today():
    before = datetime.datetime.now(tz=datetime.UTC).date()
    date = datetime.date.fromisoformat(report_date(None, {}))
    assert before <= date <= datetime.datetime.now(tz=datetime.UTC).date()


def test_a_malformed_source_date_epoch_is_named():
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH.*'yesterday'"):
        report_date(None, {"SOURCE_DATE_EPOCH": "yesterday"})


def test_the_report_data_names_missing_milestones_and_runs():
    provenance = {"devices": ["cpu"]}
    data = assemble(
        {},
        [],
        provenance,
        {},
        "quick",
        "title",
        "2026-01-01",
        missing=["latch"],
        missing_runs={"long_time_lags": ("results/a.json",)},
    )
    assert data["missing"] == ["latch"]
    assert data["missing_runs"] == {"long_time_lags": ["results/a.json"]}
