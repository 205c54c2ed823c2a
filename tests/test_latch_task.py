import numpy as np
import pytest

from recurrent_bottleneck.tasks import latch


def test_shapes_and_dtypes():
    inputs, targets = latch.generate(np.random.default_rng(0), count=7, length=13)
    assert inputs.shape == (7, 13, 1)
    assert targets.shape == (7, 1)
    assert inputs.dtype == np.float32 and targets.dtype == np.float32


def test_class_sits_in_the_first_input_and_sets_the_target():
    inputs, targets = latch.generate(np.random.default_rng(1), count=500, length=20)
    classes = inputs[:, 0, 0]
    assert set(np.unique(classes)) == {-1.0, 1.0}
    np.testing.assert_allclose(targets[:, 0], 0.8 * classes)
    # both classes occur about equally often
    assert 0.4 < np.mean(classes > 0) < 0.6


def test_later_inputs_are_noise_of_the_defined_variance_and_carry_no_class():
    inputs, targets = latch.generate(np.random.default_rng(2), count=4000, length=30)
    noise = inputs[:, 1:, 0]
    assert abs(noise.mean()) < 0.01
    assert noise.var() == pytest.approx(0.2, rel=0.03)
    # the noise is independent of the class
    correlation = np.corrcoef(noise.mean(axis=1), targets[:, 0])[0, 1]
    assert abs(correlation) < 0.05


def test_length_one_has_no_noise_and_bad_sizes_are_refused():
    inputs, _ = latch.generate(np.random.default_rng(3), count=5, length=1)
    assert set(np.abs(inputs.reshape(-1))) == {1.0}
    with pytest.raises(ValueError, match="length"):
        latch.generate(np.random.default_rng(3), count=5, length=0)
    with pytest.raises(ValueError, match="count"):
        latch.generate(np.random.default_rng(3), count=0, length=5)


def test_correct_compares_signs():
    targets = np.array([[0.8], [-0.8], [0.8], [-0.8]])
    verdicts = latch.correct(np.array([0.1, -0.2, -0.3, -0.9]), targets)
    assert verdicts.tolist() == [True, True, False, True]
