"""Vanishing and exploding gradients (Hochreiter 1991; Bengio et al. 1994; Pascanu et al. 2013).

A simple recurrent net updates its state by

    h_t = f(net_t),   net_t = W h_{t-1} + U x_t,

so backpropagation through time carries the error at the last step T back to
step t = T - k through k Jacobians:

    dL/dh_t = [prod_{i=t+1..T} W^T diag(f'(net_i))] dL/dh_T.

Each factor multiplies the signal's norm by at most |f'| * lambda_1(W) (the
largest singular value). For a linear net (f' = 1) the long-lag growth rate is
the spectral radius rho(W): the norm shrinks like rho^k when rho < 1 and grows
like rho^k when rho > 1. For a squashing f with |f'| <= gamma (1 for tanh, 1/4
for the logistic sigmoid) lambda_1 < 1 / gamma is enough for the signal to vanish
(Pascanu et al.'s sufficient condition; Hochreiter's 1991 bound is the same
argument for sigmoid units with |w| < 4.0).

We measure dL/dh_t for every t with one reverse pass: a zero perturbation p_t is
added to each state, h_t = f(net_t) + p_t, so dL/dp_t = dL/dh_t. The loss is a
fixed random projection of the last state, L = u . h_T with |u| = 1, so the
gradient norm at lag 0 is exactly 1 and at lag k it is the amplification of the
error signal over k steps. Recurrent matrices are Gaussian, rescaled to a target
spectral radius; the fitted per-step factor (the slope of log |dL/dh_t| against
the lag) is compared with rho for the linear net and with the bound
gamma * lambda_1 for the squashing ones.
"""

from __future__ import annotations

import numpy as np

# Largest value of |f'| over the real line, per activation.
DERIVATIVE_BOUND = {"linear": 1.0, "tanh": 1.0, "sigmoid": 0.25}

# float32 gradients outside this range have over- or underflowed (or are about to):
# they are shown in the figure but left out of the fit.
FIT_RANGE = (1e-30, 1e30)


def recurrent_matrix(random: np.random.Generator, units: int, spectral_radius: float) -> np.ndarray:
    """A Gaussian matrix rescaled so that its spectral radius is exactly ``spectral_radius``."""
    matrix = random.normal(0.0, 1.0 / np.sqrt(units), size=(units, units))
    current_radius = np.max(np.abs(np.linalg.eigvals(matrix)))
    return matrix * (spectral_radius / current_radius)


def largest_singular_value(matrix: np.ndarray) -> float:
    return float(np.linalg.norm(matrix, ord=2))


def state_gradient_norms(
    recurrent_weights: np.ndarray,
    input_weights: np.ndarray,
    inputs: np.ndarray,
    readout: np.ndarray,
    activation: str,
) -> np.ndarray:
    """|dL/dh_{T-k}| for k = 0 .. T-1, per sequence: shape (batch, T), column k = lag k.

    ``inputs`` has shape (batch, T, input_size); ``recurrent_weights`` (units, units)
    and ``input_weights`` (units, input_size) act on column vectors as in the
    equations above; ``readout`` (units,) defines L = u . h_T.
    """
    import keras
    from keras import ops

    from recurrent_bottleneck.autodiff import gradient

    squash = {"linear": lambda x: x, "tanh": ops.tanh, "sigmoid": ops.sigmoid}[activation]
    batch, length, _ = inputs.shape
    units = recurrent_weights.shape[0]
    recurrent_t = ops.convert_to_tensor(recurrent_weights.T.astype("float32"))
    driven = ops.convert_to_tensor(
        np.einsum("btj,ij->bti", inputs, input_weights).astype("float32")
    )
    direction = ops.convert_to_tensor(readout.astype("float32"))

    def projected_final_state(perturbations):
        state = ops.zeros((batch, units))
        for step in range(length):
            state = (
                squash(ops.matmul(state, recurrent_t) + driven[:, step]) + perturbations[:, step]
            )
        return ops.sum(state * direction)

    perturbations = np.zeros((batch, length, units), dtype="float32")
    (state_gradients,) = gradient(projected_final_state, [perturbations])
    norms = np.linalg.norm(state_gradients.astype("float64"), axis=-1)  # (batch, T), index = t
    keras.backend.clear_session()
    return norms[:, ::-1]  # index = lag T - t


def fit_factor(log10_norms: np.ndarray) -> tuple[float, int]:
    """Per-step factor from a least-squares line through log10 |grad| vs lag.

    Only lags whose norm is inside ``FIT_RANGE`` (no float32 over/underflow) are
    used; returns (factor, number of lags used). With fewer than 2 usable lags
    the factor is NaN.
    """
    lags = np.arange(len(log10_norms))
    low, high = np.log10(FIT_RANGE[0]), np.log10(FIT_RANGE[1])
    usable = np.isfinite(log10_norms) & (log10_norms > low) & (log10_norms < high)
    # stop at the first unusable lag: beyond an overflow the curve is meaningless
    if not usable.all():
        usable[np.argmin(usable) :] = False
    if usable.sum() < 2:
        return float("nan"), int(usable.sum())
    slope, _ = np.polyfit(lags[usable], log10_norms[usable], 1)
    return float(10.0**slope), int(usable.sum())


def predicted_factor(activation: str, spectral_radius: float, singular_value: float) -> float:
    """The theory's number: rho for a linear net, the bound gamma * lambda_1 otherwise."""
    if activation == "linear":
        return spectral_radius
    return DERIVATIVE_BOUND[activation] * singular_value


def measure_radius(
    activation: str,
    spectral_radius: float,
    seed: int,
    units: int,
    input_size: int,
    max_lag: int,
    batch_size: int,
    input_scale: float,
) -> dict:
    """One network (one seed) at one spectral radius: mean log10 gradient norm per lag."""
    random = np.random.default_rng([seed, int(round(spectral_radius * 1000))])
    recurrent_weights = recurrent_matrix(random, units, spectral_radius)
    input_weights = random.normal(0.0, 1.0 / np.sqrt(input_size), size=(units, input_size))
    inputs = random.normal(0.0, input_scale, size=(batch_size, max_lag + 1, input_size))
    readout = random.normal(size=units)
    readout /= np.linalg.norm(readout)
    norms = state_gradient_norms(recurrent_weights, input_weights, inputs, readout, activation)
    with np.errstate(divide="ignore", invalid="ignore"):
        log10_norms = np.log10(norms)
    # geometric mean over the batch; a lag where any sequence overflowed is inf/nan
    mean_log10 = np.mean(log10_norms, axis=0)
    factor, fitted_lags = fit_factor(mean_log10)
    singular_value = largest_singular_value(recurrent_weights)
    return {
        "seed": seed,
        "largest_singular_value": singular_value,
        "mean_log10_norm": [_finite_or_none(value) for value in mean_log10],
        "fitted_factor": factor,
        "fitted_lags": fitted_lags,
        "predicted_factor": predicted_factor(activation, spectral_radius, singular_value),
    }


def run(settings: dict, tensorboard_directory) -> dict:
    """Sweep the spectral radii for one activation; returns the metrics document.

    settings: activation, spectral_radii, seeds, units, input_size, max_lag,
    batch_size, input_scale (see config/schema.yaml).
    """
    from pathlib import Path

    from recurrent_bottleneck.tensorboard_log import RunWriter

    activation = settings["activation"]
    if activation not in DERIVATIVE_BOUND:
        raise ValueError(
            f"activation must be one of {sorted(DERIVATIVE_BOUND)}, got {activation!r}"
        )
    tensorboard_directory = Path(tensorboard_directory)
    per_radius = []
    for spectral_radius in settings["spectral_radii"]:
        runs = [
            measure_radius(
                activation,
                spectral_radius,
                seed,
                settings["units"],
                settings["input_size"],
                settings["max_lag"],
                settings["batch_size"],
                settings["input_scale"],
            )
            for seed in range(settings["seeds"])
        ]
        summary = summarize_seeds(spectral_radius, runs)
        per_radius.append(summary)
        print(
            f"{activation:8s} rho={spectral_radius:<5g} fitted factor "
            f"{summary['fitted_factor_mean']:.4f} +- {summary['fitted_factor_std']:.4f} "
            f"(predicted {summary['predicted_factor_mean']:.4f})",
            flush=True,
        )
        with RunWriter(tensorboard_directory / f"radius_{spectral_radius:g}") as writer:
            writer.hparams(
                {"activation": activation, "spectral_radius": spectral_radius},
                trial_id=f"{activation}/radius_{spectral_radius:g}",
            )
            for lag, value in enumerate(summary["mean_log10_norm"]):
                if value is not None:
                    writer.scalar("gradient/log10_norm_vs_lag", value, step=lag)
            writer.scalar("gradient/fitted_factor", summary["fitted_factor_mean"], step=0)
            writer.scalar("gradient/predicted_factor", summary["predicted_factor_mean"], step=0)
    return {
        "milestone": "gradient_decay",
        "activation": activation,
        "derivative_bound": DERIVATIVE_BOUND[activation],
        "settings": settings,
        "radii": per_radius,
    }


def summarize_seeds(spectral_radius: float, runs: list[dict]) -> dict:
    """Mean and spread over seeds for one spectral radius."""
    curves = np.array(
        [[np.nan if v is None else v for v in run["mean_log10_norm"]] for run in runs]
    )
    factors = np.array([run["fitted_factor"] for run in runs])
    predicted = np.array([run["predicted_factor"] for run in runs])
    with np.errstate(invalid="ignore"):
        mean_curve = np.mean(curves, axis=0)
    return {
        "spectral_radius": spectral_radius,
        "largest_singular_value_mean": float(np.mean([r["largest_singular_value"] for r in runs])),
        "fitted_factor_mean": float(np.mean(factors)),
        "fitted_factor_std": float(np.std(factors)),
        "predicted_factor_mean": float(np.mean(predicted)),
        "mean_log10_norm": [_finite_or_none(value) for value in mean_curve],
        "seeds": runs,
    }


def _finite_or_none(value) -> float | None:
    value = float(value)
    return value if np.isfinite(value) else None
