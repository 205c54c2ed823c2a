"""The gradient measurement against cases whose answer is known in closed form."""

import numpy as np
import pytest

from recurrent_bottleneck.milestones import gradient_decay
from recurrent_bottleneck.summaries import gradient_decay as gradient_decay_summary


@pytest.mark.parametrize("radius", [0.5, 0.9, 1.0, 1.1])
def test_linear_net_with_scaled_identity_gives_rho_to_the_lag(radius):
    # h_t = rho * h_{t-1} + U x_t  =>  dL/dh_{T-k} = rho^k dL/dh_T, whatever the inputs.
    random = np.random.default_rng(0)
    units, length = 5, 40
    norms = gradient_decay.state_gradient_norms(
        radius * np.eye(units),
        random.normal(size=(units, 3)),
        random.normal(size=(4, length, 3)),
        readout=np.ones(units) / np.sqrt(units),
        activation="linear",
    )
    assert norms.shape == (4, length)
    expected = radius ** np.arange(length)
    np.testing.assert_allclose(norms, np.broadcast_to(expected, norms.shape), rtol=1e-5)


def test_tanh_net_matches_the_product_of_jacobians():
    # Autodiff against BPTT written out: dL/dh_{t-1} = W^T diag(1 - h_t^2) dL/dh_t.
    random = np.random.default_rng(1)
    units, inputs_size, length = 6, 2, 15
    recurrent = gradient_decay.recurrent_matrix(random, units, 1.3)
    input_weights = random.normal(size=(units, inputs_size))
    inputs = random.normal(size=(1, length, inputs_size))
    readout = random.normal(size=units)
    readout /= np.linalg.norm(readout)
    states, state = [], np.zeros(units)
    for step in range(length):
        state = np.tanh(recurrent @ state + input_weights @ inputs[0, step])
        states.append(state)
    expected, signal = [], readout.copy()
    for step in reversed(range(length)):
        expected.append(np.linalg.norm(signal))
        signal = recurrent.T @ ((1 - states[step] ** 2) * signal)
    measured = gradient_decay.state_gradient_norms(
        recurrent, input_weights, inputs, readout, "tanh"
    )
    np.testing.assert_allclose(measured[0], expected, rtol=1e-4)


def test_recurrent_matrix_has_the_requested_spectral_radius():
    random = np.random.default_rng(2)
    for radius in (0.5, 1.0, 2.0):
        matrix = gradient_decay.recurrent_matrix(random, 16, radius)
        assert np.max(np.abs(np.linalg.eigvals(matrix))) == pytest.approx(radius, rel=1e-10)
        # a non-normal Gaussian matrix: the largest singular value exceeds the radius
        assert gradient_decay.largest_singular_value(matrix) > radius


def test_fit_recovers_a_geometric_factor_and_stops_at_overflow():
    lags = np.arange(100)
    factor, used = gradient_decay.fit_factor(lags * np.log10(0.8))
    assert factor == pytest.approx(0.8, rel=1e-9)
    assert used == 100
    curve = lags * np.log10(3.0)  # passes 1e30 near lag 63
    curve[70:] = np.inf
    factor, used = gradient_decay.fit_factor(curve)
    assert factor == pytest.approx(3.0, rel=1e-9)
    assert used == int(np.ceil(30 / np.log10(3.0)))


def test_prediction_is_rho_for_linear_and_the_bound_otherwise():
    assert gradient_decay.predicted_factor("linear", 1.5, 2.0) == 1.5
    assert gradient_decay.predicted_factor("tanh", 1.5, 2.0) == 2.0
    assert gradient_decay.predicted_factor("sigmoid", 1.5, 2.0) == 0.5


def test_summary_measurements_on_hand_made_documents():
    def document(activation, rows):
        radii = []
        for radius, factor, predicted in rows:
            seed_runs = [{"fitted_factor": factor, "predicted_factor": predicted}]
            radii.append(
                {
                    "spectral_radius": radius,
                    "largest_singular_value_mean": predicted,
                    "fitted_factor_mean": factor,
                    "fitted_factor_std": 0.0,
                    "predicted_factor_mean": predicted,
                    "seeds": seed_runs,
                }
            )
        return {"activation": activation, "settings": {"seeds": 3}, "radii": radii}

    linear = document("linear", [(0.5, 0.51, 0.5), (1.0, 0.99, 1.0), (2.0, 1.9, 2.0)])
    tanh = document("tanh", [(0.5, 0.3, 0.9), (2.0, 1.0, 4.0)])
    measurements = gradient_decay_summary.summarize([linear, tanh])["measurements"]
    assert measurements["gradient_seeds"] == 3
    assert measurements["linear_max_relative_factor_error"] == pytest.approx(0.05)
    assert measurements["linear_direction_agreement"] == 1.0
    assert measurements["squashing_runs"] == 2
    assert measurements["squashing_runs_bound_below_one"] == 1
    assert measurements["squashing_max_factor_where_bound_below_one"] == 0.3
    assert measurements["squashing_max_factor_over_bound"] == pytest.approx(1 / 3)
