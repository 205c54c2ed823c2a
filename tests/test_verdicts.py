"""Verdict rules on hand-made measurements, and the project's own claims file."""

import math
import re

import pytest
import yaml

from recurrent_bottleneck.report.verdicts import (
    ClaimError,
    evaluate_all,
    evaluate_claim,
    evaluate_elsewhere,
)

CLAIM = {
    "id": "trend",
    "milestone": "latch",
    "statement": "s",
    "paper": "p",
    "measured": "{short:.0%} at short, {long:.0%} at long",
    "seeds": "seeds",
    "minimum_seeds": 3,
    "checks": [{"measurement": "short", "at_least": 0.8}, {"measurement": "long", "at_most": 0.2}],
}


@pytest.mark.parametrize(
    ("measurements", "verdict"),
    [
        ({"short": 1.0, "long": 0.0, "seeds": 5}, "reproduced"),
        ({"short": 0.8, "long": 0.2, "seeds": 3}, "reproduced"),  # bounds are inclusive
        ({"short": 1.0, "long": 0.4, "seeds": 5}, "not reproduced"),
        ({"short": 0.6, "long": 0.0, "seeds": 5}, "not reproduced"),
        ({"short": math.nan, "long": 0.0, "seeds": 5}, "not reproduced"),
        ({"short": 1.0, "long": 0.0, "seeds": 2}, "inconclusive"),
        ({"short": 1.0, "seeds": 5}, "not measured"),
        ({}, "not measured"),
    ],
)
def test_verdict_follows_the_rule(measurements, verdict):
    assert evaluate_claim(CLAIM, measurements)["verdict"] == verdict


def test_measured_text_is_formatted_from_the_measurements():
    result = evaluate_claim(CLAIM, {"short": 1.0, "long": 0.0, "seeds": 5})
    assert result["measured"] == "100% at short, 0% at long"
    assert [check["holds"] for check in result["checks"]] == [True, True]


def test_a_measurement_without_value_prints_as_not_available():
    claim = {**CLAIM, "measured": "median {median} sequences, {short:.0%}"}
    result = evaluate_claim(claim, {"short": 1.0, "long": 0.0, "seeds": 5, "median": None})
    assert result["measured"] == "median n/a sequences, 100%"


def test_a_text_naming_an_absent_measurement_is_an_error_unless_runs_are_missing():
    """The measured text may name measurements beyond the checks: in a full report an
    unknown name is a mistake in the claim; in a partial one its run may be missing."""
    claim = {**CLAIM, "measured": "{short:.0%}, memory exponent {memory}"}
    measurements = {"short": 1.0, "long": 0.0, "seeds": 5}
    with pytest.raises(ClaimError, match="'trend'.*memory"):
        evaluate_claim(claim, measurements)
    assert evaluate_claim(claim, measurements, partial=True)["measured"] == (
        "100%, memory exponent n/a"
    )


def test_strict_comparisons():
    claim = {**CLAIM, "checks": [{"measurement": "short", "below": 1.0}]}
    assert evaluate_claim(claim, {"short": 1.0, "long": 0, "seeds": 5})["verdict"] == (
        "not reproduced"
    )
    assert evaluate_claim(claim, {"short": 0.99, "long": 0, "seeds": 5})["verdict"] == "reproduced"


def test_a_missing_milestone_is_not_measured():
    (result,) = evaluate_all([CLAIM], summaries={})
    assert result["verdict"] == "not measured"
    assert result["missing_runs"] == []


def test_a_claim_judged_on_part_of_its_runs_names_the_missing_ones():
    """A partial report: the verdict comes from the runs that finished, and the claim
    carries the runs it went without."""
    measurements = {"short": 1.0, "long": 0.1, "seeds": 5}
    missing = ["results/latch/length_40/metrics.json"]
    summary = {"measurements": measurements, "missing_runs": missing}
    (result,) = evaluate_all([CLAIM], summaries={"latch": summary})
    assert result["verdict"] == "reproduced"
    assert result["missing_runs"] == missing


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"checks": [{"measurement": "short", "roughly": 1}]}, "trend"),
        ({"checks": []}, "no checks"),
        ({"surprise": 1}, "unknown keys"),
    ],
)
def test_malformed_claims_are_refused_with_the_claim_named(change, message):
    with pytest.raises(ClaimError, match=message):
        evaluate_all([{**CLAIM, **change}], summaries={})


def test_duplicate_and_incomplete_claims_are_refused():
    with pytest.raises(ClaimError, match="twice"):
        evaluate_all([CLAIM, CLAIM], summaries={})
    incomplete = {key: value for key, value in CLAIM.items() if key != "paper"}
    with pytest.raises(ClaimError, match="paper"):
        evaluate_all([incomplete], summaries={})


def test_project_claims_file_is_valid(project_root):
    with open(project_root / "config" / "claims.yaml", encoding="utf-8") as handle:
        claims = yaml.safe_load(handle)["claims"]
    results = evaluate_all(claims, summaries={})
    assert len(results) == len(claims) >= 3
    assert {result["verdict"] for result in results} == {"not measured"}


def test_a_milestone_run_whole_elsewhere_is_judged_by_its_own_claims_only():
    other = {**CLAIM, "id": "other", "milestone": "gradient_decay"}
    entry = {
        "milestone": "latch",
        "device": "CPU Y (tensorflow)",
        "runs": 3,
        "settings": {"seeds": 20},
        "summary": {"measurements": {"short": 1.0, "long": 0.1, "seeds": 20}, "table": [1]},
    }
    failing = {
        **entry,
        "device": "GPU X",
        "summary": {"measurements": {"short": 1.0, "long": 0.5, "seeds": 20}},
    }
    judged = evaluate_elsewhere([CLAIM, other], [entry, failing])
    assert [(item["device"], [c["id"] for c in item["claims"]]) for item in judged] == [
        ("CPU Y (tensorflow)", ["trend"]),
        ("GPU X", ["trend"]),
    ]
    assert [item["claims"][0]["verdict"] for item in judged] == ["reproduced", "not reproduced"]
    assert judged[0]["claims"][0]["measured"] == "100% at short, 10% at long"
    assert judged[0]["settings"] == {"seeds": 20} and "summary" not in judged[0]
    assert judged[0]["table"] == [1]


@pytest.mark.parametrize(
    ("claim_id", "measurement", "text"),
    [
        ("sequential-bottleneck", "self_attention_sequential_operations_exponent",
         "n^0.00 (self-attention)"),
        ("forget-gate-repairs", "forget_gate_growth_exponent", "grows as position^0.00,"),
    ],
)  # fmt: skip
def test_a_constant_fitted_as_a_tiny_negative_slope_reads_as_zero(
    project_root, claim_id, measurement, text
):
    """Self-attention's sequential operations are constant in n, and the forget-gate
    cell's bounded state in the position: their fitted exponents are 0 up to rounding,
    which prints as 0.00, not -0.00."""
    with open(project_root / "config" / "claims.yaml", encoding="utf-8") as handle:
        claims = yaml.safe_load(handle)["claims"]
    (claim,) = [claim for claim in claims if claim["id"] == claim_id]
    names = {check["measurement"] for check in claim["checks"]}
    names |= set(re.findall(r"\{(\w+)", claim["measured"])) | {claim["seeds"]}
    measurements = dict.fromkeys(names, 1.0)
    measurements[measurement] = -1e-9
    assert text in evaluate_claim(claim, measurements)["measured"]
