"""Summary of the gradient-decay measurement: the numbers the 1991/1994 claims read."""

from __future__ import annotations

import numpy as np


def summarize(documents: list[dict]) -> dict:
    """Measurements for the claims, from the per-activation metrics documents.

    - linear nets: worst relative error of the fitted factor against rho, and the
      fraction of radii (rho != 1) on the side of 1 that the theory predicts;
    - squashing nets, per network (seed): the largest fitted factor among those
      whose bound gamma * lambda_1 is below 1, and the largest ratio factor / bound.
    """
    measurements: dict = {"gradient_seeds": min(doc["settings"]["seeds"] for doc in documents)}
    rows = []
    for document in documents:
        for radius in document["radii"]:
            rows.append(
                {
                    "activation": document["activation"],
                    "spectral_radius": radius["spectral_radius"],
                    "largest_singular_value": radius["largest_singular_value_mean"],
                    "fitted_factor_mean": radius["fitted_factor_mean"],
                    "fitted_factor_std": radius["fitted_factor_std"],
                    "predicted_factor": radius["predicted_factor_mean"],
                }
            )
    linear = [row for row in rows if row["activation"] == "linear"]
    if linear:
        errors = [
            abs(row["fitted_factor_mean"] - row["spectral_radius"]) / row["spectral_radius"]
            for row in linear
        ]
        sided = [row for row in linear if row["spectral_radius"] != 1.0]
        agreement = [
            (row["fitted_factor_mean"] < 1.0) == (row["spectral_radius"] < 1.0) for row in sided
        ]
        measurements.update(
            {
                "linear_radii_count": len(linear),
                "linear_max_relative_factor_error": float(np.max(errors)),
                "linear_direction_agreement": float(np.mean(agreement)) if agreement else None,
            }
        )
    squashing_runs = [
        seed_run
        for document in documents
        if document["activation"] != "linear"
        for radius in document["radii"]
        for seed_run in radius["seeds"]
    ]
    if squashing_runs:
        below = [run["fitted_factor"] for run in squashing_runs if run["predicted_factor"] < 1.0]
        ratios = [run["fitted_factor"] / run["predicted_factor"] for run in squashing_runs]
        measurements.update(
            {
                "squashing_runs": len(squashing_runs),
                "squashing_runs_bound_below_one": len(below),
                "squashing_max_factor_where_bound_below_one": float(np.max(below))
                if below
                else None,
                "squashing_max_factor_over_bound": float(np.max(ratios)),
            }
        )
    return {"milestone": "gradient_decay", "measurements": measurements, "table": rows}
