"""Figures of the 1991/1994 milestone: gradient norm against lag, fitted factor against rho."""

from __future__ import annotations

import numpy as np

from recurrent_bottleneck.figures import new_figure, save


def _radius_colours(radii):
    """One colour per spectral radius, ordered along a sequential map (no pale middle)."""
    import matplotlib

    colour_map = matplotlib.colormaps["plasma"]
    order = np.argsort(np.argsort(radii))
    return {
        radius: colour_map(0.85 * rank / max(len(radii) - 1, 1))
        for radius, rank in zip(radii, order, strict=True)
    }


TITLES = {
    "linear": "linear (dashed: ρᵏ)",
    "tanh": "tanh, γ = 1 (dashed: (γλ₁)ᵏ)",
    "sigmoid": "sigmoid, γ = 1/4 (dashed: (γλ₁)ᵏ)",
}


def norm_against_lag(documents: list[dict], output, width: float, height: float) -> None:
    """log10 |dL/dh_{T-k}| against k, one panel per activation, one line per spectral radius.

    Dashed: the theory's line through the same start, slope log10 of rho (linear) or
    of the bound gamma * lambda_1 (squashing units).
    """
    figure, axes = new_figure(width, height, columns=len(documents))
    for axis, document in zip(axes, documents, strict=True):
        radii = [radius["spectral_radius"] for radius in document["radii"]]
        colours = _radius_colours(radii)
        for radius in document["radii"]:
            curve = np.array([np.nan if v is None else v for v in radius["mean_log10_norm"]])
            lags = np.arange(len(curve))
            colour = colours[radius["spectral_radius"]]
            axis.plot(
                lags, curve, color=colour, linewidth=1.2, label=f"ρ = {radius['spectral_radius']:g}"
            )
            axis.plot(
                lags,
                lags * np.log10(radius["predicted_factor_mean"]),
                color=colour,
                linewidth=0.7,
                linestyle="--",
            )
        axis.set_ylim(-32, 32)
        axis.set_xlabel("lag k = T − t (steps)")
        axis.set_title(TITLES[document["activation"]])
        axis.axhline(0.0, color="0.6", linewidth=0.5)
    axes[0].set_ylabel("log₁₀ ‖∂L/∂h_t‖")
    axes[-1].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    save(figure, output)


def factor_against_radius(documents: list[dict], output, width: float, height: float) -> None:
    """Fitted per-step factor (mean ± sd over seeds) against the spectral radius."""
    figure, axes = new_figure(width, height)
    axis = axes[0]
    markers = {"linear": "o", "tanh": "s", "sigmoid": "^"}
    for document in documents:
        radii = np.array([radius["spectral_radius"] for radius in document["radii"]])
        factors = np.array([radius["fitted_factor_mean"] for radius in document["radii"]])
        spread = np.array([radius["fitted_factor_std"] for radius in document["radii"]])
        bound = np.array([radius["predicted_factor_mean"] for radius in document["radii"]])
        line = axis.errorbar(
            radii,
            factors,
            yerr=spread,
            marker=markers[document["activation"]],
            markersize=3.5,
            linewidth=1.0,
            capsize=2,
            label=f"{document['activation']}: measured",
        )
        if document["activation"] != "linear":
            axis.plot(
                radii,
                bound,
                linestyle=":",
                color=line[0].get_color(),
                linewidth=1.0,
                label=f"{document['activation']}: bound γλ₁",
            )
    limits = [0.0, max(max(r["spectral_radius"] for r in d["radii"]) for d in documents) * 1.05]
    axis.plot(limits, limits, color="0.5", linewidth=0.7, linestyle="--", label="factor = ρ")
    axis.axhline(1.0, color="0.3", linewidth=0.6)
    axis.set_xlim(limits)
    axis.set_ylim(0.0, limits[1])
    axis.set_xlabel("spectral radius ρ of the recurrent matrix")
    axis.set_ylabel("fitted per-step factor")
    axis.legend(frameon=False, ncol=2)
    save(figure, output)
