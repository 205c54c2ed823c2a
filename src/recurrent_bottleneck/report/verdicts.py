"""Turn measurements into verdicts by the rules written in ``config/claims.yaml``.

A claim holds a list of checks on named measurements, e.g.
``{measurement: latch_success_rate_longest, at_most: 0.2}``. The verdict is

- ``not measured``  when a measurement the claim needs is absent (runs missing),
- ``inconclusive``  when fewer seeds than ``minimum_seeds`` stand behind it,
- ``reproduced``    when every check holds,
- ``not reproduced`` otherwise (a NaN measurement fails every check).

In a partial report a milestone's summary may lack some runs; its claims are judged on
the runs it has and carry the missing ones (``missing_runs``) for the PDF to show.

A milestone that another machine ran whole at paper scale (committed under
``reports/measured/``, summarised by ``summaries/devices.py``) is judged by the same
claims and rules, apart from this machine's runs (``evaluate_elsewhere``).

No verdict is ever written by hand: this module is the only place they come from.
"""

from __future__ import annotations

import math

COMPARISONS = {
    "at_least": lambda value, bound: value >= bound,
    "at_most": lambda value, bound: value <= bound,
    "below": lambda value, bound: value < bound,
    "above": lambda value, bound: value > bound,
}


class ClaimError(ValueError):
    """A claim in claims.yaml is malformed (names the claim and the key)."""


def validate_claims(claims: list[dict]) -> None:
    required = {
        "id",
        "milestone",
        "statement",
        "paper",
        "measured",
        "seeds",
        "minimum_seeds",
        "checks",
    }
    seen = set()
    for index, claim in enumerate(claims):
        name = claim.get("id", f"claims[{index}]")
        missing = required - set(claim)
        if missing:
            raise ClaimError(f"claim {name!r} lacks {sorted(missing)}")
        unknown = set(claim) - required
        if unknown:
            raise ClaimError(f"claim {name!r} has unknown keys {sorted(unknown)}")
        if name in seen:
            raise ClaimError(f"claim id {name!r} appears twice")
        seen.add(name)
        if not claim["checks"]:
            raise ClaimError(f"claim {name!r} has no checks")
        for check in claim["checks"]:
            operators = set(check) - {"measurement"}
            if (
                "measurement" not in check
                or len(operators) != 1
                or not operators <= set(COMPARISONS)
            ):
                raise ClaimError(
                    f"claim {name!r}: each check needs 'measurement' and one of "
                    f"{sorted(COMPARISONS)}, got {check}"
                )


def evaluate_check(check: dict, measurements: dict) -> dict:
    (operator,) = set(check) - {"measurement"}
    value = measurements.get(check["measurement"])
    bound = check[operator]
    holds = (
        value is not None
        and not (isinstance(value, float) and math.isnan(value))
        and COMPARISONS[operator](value, bound)
    )
    return {
        "measurement": check["measurement"],
        "operator": operator,
        "bound": bound,
        "value": value,
        "holds": bool(holds),
    }


def evaluate_claim(claim: dict, measurements: dict, partial: bool = False) -> dict:
    """The verdict of one claim, with every check's value and the measured text.
    ``partial``: the measurements lack some runs, so the text may name a measurement
    that is absent (printed "n/a"); otherwise that is an error in the claim."""
    needed = [check["measurement"] for check in claim["checks"]] + [claim["seeds"]]
    absent = [name for name in needed if measurements.get(name) is None]
    result = {key: claim[key] for key in ("id", "milestone", "statement", "paper")}
    if absent:
        return {
            **result,
            "verdict": "not measured",
            "measured": "no measurement",
            "checks": [],
            "seeds": None,
            "absent": absent,
        }
    checks = [evaluate_check(check, measurements) for check in claim["checks"]]
    seeds = measurements[claim["seeds"]]
    if seeds < claim["minimum_seeds"]:
        verdict = "inconclusive"
    elif all(check["holds"] for check in checks):
        verdict = "reproduced"
    else:
        verdict = "not reproduced"
    return {
        **result,
        "verdict": verdict,
        "measured": format_measured(claim, measurements, partial),
        "checks": checks,
        "seeds": seeds,
        "minimum_seeds": claim["minimum_seeds"],
    }


class _Missing:
    """Stands in for a measurement with no value (e.g. no run succeeded): prints "n/a"."""

    def __format__(self, spec: str) -> str:
        return "n/a"


class _AbsentAsMissing(dict):
    def __missing__(self, key):
        return _Missing()


def format_measured(claim: dict, measurements: dict, partial: bool = False) -> str:
    values = {key: _Missing() if value is None else value for key, value in measurements.items()}
    if partial:
        values = _AbsentAsMissing(values)
    try:
        return " ".join(claim["measured"].format_map(values).split())
    except (KeyError, ValueError, TypeError) as error:
        raise ClaimError(f"claim {claim['id']!r}: cannot format 'measured': {error!r}") from error


def evaluate_all(claims: list[dict], summaries: dict[str, dict]) -> list[dict]:
    """Every claim against the summary of its milestone (absent milestone: not measured)."""
    validate_claims(claims)
    verdicts = []
    for claim in claims:
        summary = summaries.get(claim["milestone"], {})
        partial = bool(summary.get("missing_runs"))
        verdict = evaluate_claim(claim, summary.get("measurements", {}), partial)
        verdicts.append({**verdict, "missing_runs": list(summary.get("missing_runs", []))})
    return verdicts


def evaluate_elsewhere(claims: list[dict], milestones: list[dict]) -> list[dict]:
    """The claims of each milestone run whole on another device (``milestones``: the
    device summary's entries, each with ``milestone``, ``device`` and ``summary``),
    judged by the same rules as this machine's runs; each entry keeps what it says
    about the runs (settings, device) and the summary's table beside its verdicts."""
    validate_claims(claims)
    judged = []
    for entry in milestones:
        own_claims = [claim for claim in claims if claim["milestone"] == entry["milestone"]]
        judged.append(
            {
                **{key: value for key, value in entry.items() if key != "summary"},
                "table": entry["summary"].get("table", []),
                "claims": evaluate_all(own_claims, {entry["milestone"]: entry["summary"]}),
            }
        )
    return judged
