"""The encoder–decoder: shapes, initialisation, and step-wise decoding = teacher forcing."""

import keras
import numpy as np
import pytest

from recurrent_bottleneck.milestones.sequence_to_sequence import (
    batch_arrays,
    learning_rate_at,
    perplexity,
)
from recurrent_bottleneck.translation.model import build, initial_states, step_function


@pytest.fixture(scope="module")
def models():
    keras.utils.set_random_seed(0)
    return build(
        11,
        13,
        layers=2,
        units=6,
        embedding=5,
        initial_range=0.08,
        optimizer="adam",
        learning_rate=0.01,
        clip_norm=5.0,
    )


def test_parameters_start_uniform_in_the_papers_range(models):
    training_model, _, _ = models
    for weight in training_model.weights:
        values = keras.ops.convert_to_numpy(weight)
        assert np.abs(values).max() <= 0.08, weight.path


def test_log_probabilities_have_the_target_vocabulary(models):
    training_model, _, _ = models
    source = np.array([[4, 5, 6, 0], [7, 8, 0, 0]])
    decoder_input = np.array([[2, 4, 5], [2, 6, 0]])
    log_probabilities = keras.ops.convert_to_numpy(training_model([source, decoder_input]))
    assert log_probabilities.shape == (2, 3, 13)
    np.testing.assert_allclose(np.exp(log_probabilities).sum(-1), 1.0, rtol=1e-5)


def test_stepwise_decoder_reproduces_teacher_forcing(models):
    """Feeding the reference tokens one at a time through the decoder step model gives the
    same distributions as the training model reading the whole target at once."""
    assert_stepwise_decoding_is_teacher_forcing(models)


def assert_stepwise_decoding_is_teacher_forcing(models):
    training_model, encoder_model, decoder_model = models
    source = np.array([[4, 5, 6, 7]])
    decoder_input = np.array([[2, 9, 10, 11]])
    expected = keras.ops.convert_to_numpy(training_model([source, decoder_input]))[0]
    step = step_function(decoder_model)
    states = initial_states(encoder_model, source)
    for position, token in enumerate(decoder_input[0]):
        log_probabilities, states = step(np.array([token]), states)
        np.testing.assert_allclose(log_probabilities[0], expected[position], atol=1e-5)


def test_cutting_a_batch_after_its_longest_sentence_changes_no_probability(models):
    """Batches are cut to their own longest sentence (rounded up to 8 tokens): the split's
    padding beyond it is masked, so the log probabilities and the perplexity are those of
    the fully padded arrays."""
    training_model, _, _ = models
    random = np.random.default_rng(1)
    source_lengths = np.array([3, 5, 2, 19, 4])
    target_lengths = np.array([4, 2, 6, 17, 3])

    def padded(lengths, width, first=None):
        rows = np.zeros((len(lengths), width), dtype=np.int32)
        for row, length in enumerate(lengths):
            rows[row, :length] = random.integers(4, 11, size=length)
            if first is not None:
                rows[row, 0] = first
        return rows

    decoder_input = padded(target_lengths + 1, 18, first=2)
    encoded = {
        "source": padded(source_lengths, 19),
        "decoder_input": decoder_input,
        "decoder_target": np.where(decoder_input > 0, random.integers(3, 13, (5, 18)), 0),
        "source_lengths": source_lengths,
        "target_lengths": target_lengths,
    }
    short = np.array([0, 1, 2, 4])
    (source, target_input), target = batch_arrays(encoded, short, length_step=8)
    assert source.shape == (4, 8) and target_input.shape == (4, 8) and target.shape == (4, 8)
    # a step longer than every sentence leaves each array at its split's width
    (wide_source, wide_input), wide_target = batch_arrays(encoded, short, length_step=64)
    assert wide_source.shape == (4, 19) and wide_input.shape == wide_target.shape == (4, 18)
    whole = keras.ops.convert_to_numpy(
        training_model([encoded["source"][short], encoded["decoder_input"][short]])
    )
    cut = keras.ops.convert_to_numpy(training_model([source, target_input]))
    np.testing.assert_allclose(cut, whole[:, :8], atol=1e-5)

    log_probabilities = keras.ops.convert_to_numpy(
        training_model([encoded["source"], encoded["decoder_input"]])
    )
    targets = encoded["decoder_target"]
    picked = np.take_along_axis(log_probabilities, targets[..., None], -1)[..., 0]
    expected = np.exp(-picked[targets > 0].mean())
    for length_step in (1, 8, 64):  # padding is masked: any step gives the same perplexity
        assert perplexity(training_model, encoded, 2, length_step) == pytest.approx(
            expected, rel=1e-5
        )


def test_training_lowers_the_loss(models):
    training_model, _, _ = models
    random = np.random.default_rng(0)
    source = random.integers(4, 11, size=(16, 5))
    target = source[:, ::-1] + 2  # a deterministic "translation"
    decoder_input = np.concatenate([np.full((16, 1), 2), target[:, :-1]], axis=1)
    first = float(training_model.train_on_batch([source, decoder_input], target))
    for _ in range(30):
        last = float(training_model.train_on_batch([source, decoder_input], target))
    assert last < first


def test_sgd_schedule_halves_after_the_given_epochs():
    settings = {
        "optimizer": "sgd",
        "learning_rate": 0.7,
        "halve_after_epochs": 5,
        "halve_every_epochs": 1,
    }
    rates = [learning_rate_at(settings, epoch) for epoch in range(8)]
    assert rates == [0.7] * 5 + [0.35, 0.175, 0.0875]
    assert learning_rate_at({**settings, "optimizer": "adam"}, 7) == 0.7


def deep_models(**options):
    keras.utils.set_random_seed(1)
    settings = dict(initial_range=0.08, optimizer="adam", learning_rate=0.01, clip_norm=5.0)
    return build(11, 13, units=6, embedding=5, **settings, **options)


def test_a_residual_layer_that_outputs_nothing_passes_its_input_on():
    """x^i = m^i + x^(i-1): with every weight of the second layers at zero (m = 0, and a
    zero state from the encoder), the two-layer residual stack computes what its first
    layers alone compute."""
    deep, _, _ = deep_models(layers=2, residual_from=2)
    shallow, _, _ = deep_models(layers=1)
    for layer in shallow.layers:
        if layer.weights:
            layer.set_weights(deep.get_layer(layer.name).get_weights())
    for name in ("encoder_1", "decoder_1"):
        layer = deep.get_layer(name)
        layer.set_weights([np.zeros_like(weight) for weight in layer.get_weights()])
    inputs = [np.array([[4, 5, 6, 0], [7, 8, 9, 10]]), np.array([[2, 4, 5], [2, 6, 0]])]
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(deep(inputs)), keras.ops.convert_to_numpy(shallow(inputs)),
        atol=1e-6,
    )  # fmt: skip
    adds = [layer for layer in deep.layers if isinstance(layer, keras.layers.Add)]
    # the decoder's second layer; the encoder's top sequence feeds nothing (only its final
    # states go on to the decoder), so its sum is not part of the model
    assert len(adds) == 1


@pytest.mark.parametrize(
    "options",
    [
        {"layers": 3, "residual_from": 2},
        {"layers": 3, "bidirectional_bottom": True},
        {"layers": 1, "attention": True},
        {"layers": 3, "attention": True, "residual_from": 2, "bidirectional_bottom": True},
    ],
)
def test_stepwise_decoding_of_deeper_stacks_reproduces_teacher_forcing(options):
    assert_stepwise_decoding_is_teacher_forcing(deep_models(**options))


def test_attention_gives_source_padding_no_weight():
    """The same sentence padded to 4 or to 9 tokens: the same probabilities (padding
    positions of the encoder's sequence get no attention weight)."""
    training_model, _, _ = deep_models(layers=2, attention=True)
    decoder_input = np.array([[2, 9, 10]])
    short, long = np.zeros((1, 4), np.int32), np.zeros((1, 9), np.int32)
    short[0, :3] = long[0, :3] = [4, 5, 6]
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(training_model([short, decoder_input])),
        keras.ops.convert_to_numpy(training_model([long, decoder_input])),
        atol=1e-6,
    )


def test_with_attention_the_decoder_reads_the_encoders_sequence_and_without_it_does_not():
    """One decoder step from the same final states: changing the encoder's top sequence
    changes the prediction with attention; without attention the step has no such input."""
    _, encoder_model, decoder_model = deep_models(layers=2, attention=True)
    states = initial_states(encoder_model, np.array([[4, 5, 6, 7]]))
    hidden_and_cells, (sequence, source) = states[:-2], states[-2:]
    assert sequence.shape == (1, 4, 6) and source.tolist() == [[4, 5, 6, 7]]
    step = step_function(decoder_model)
    token = np.array([2])
    as_encoded, _ = step(token, [*hidden_and_cells, sequence, source])
    shuffled, passed_on = step(token, [*hidden_and_cells, sequence[:, ::-1] * 3.0, source])
    assert np.abs(as_encoded - shuffled).max() > 1e-4
    np.testing.assert_array_equal(passed_on[-1], source)  # passed through unchanged
    _, plain_encoder, plain_decoder = deep_models(layers=2)
    assert len(initial_states(plain_encoder, np.array([[4, 5, 6, 7]]))) == 4
    assert len(plain_decoder.inputs) == 5


def test_a_bidirectional_bottom_layer_reads_the_end_of_the_sentence_first():
    """Its output at the first source position depends on the last source word (the
    backward direction); a unidirectional stack's does not."""
    for bidirectional in (False, True):
        _, encoder_model, _ = deep_models(layers=2, bidirectional_bottom=bidirectional)
        bottom = encoder_model.get_layer("encoder_0")
        embedding = encoder_model.get_layer("source_embedding")
        first = []
        for last_word in (8, 9):
            embedded = embedding(np.array([[4, 5, 6, last_word]]))
            first.append(keras.ops.convert_to_numpy(bottom(embedded)[0])[0, 0])
        assert (
            np.abs(first[0] - first[1]).max() > 0 if bidirectional else np.all(first[0] == first[1])
        )


def test_stack_options_that_cannot_be_built_are_refused():
    with pytest.raises(ValueError, match="embedding == units"):
        deep_models(layers=2, residual_from=1)
    with pytest.raises(ValueError, match="splits the units"):
        build(11, 13, layers=2, units=5, embedding=5, initial_range=0.08, optimizer="adam",
              learning_rate=0.01, clip_norm=5.0, bidirectional_bottom=True)  # fmt: skip


def test_layer_gradient_norms_split_the_global_norm_by_layer():
    from recurrent_bottleneck.autodiff import layer_gradient_norms, weight_gradient_norm
    from recurrent_bottleneck.translation.model import mean_negative_log_likelihood

    training_model, _, _ = deep_models(layers=3, residual_from=2)
    inputs = [np.array([[4, 5, 6, 0], [7, 8, 9, 10]]), np.array([[2, 4, 5], [2, 6, 0]])]
    targets = np.array([[4, 5, 3], [6, 3, 0]])
    norms = layer_gradient_norms(training_model, mean_negative_log_likelihood, inputs, targets)
    assert set(norms) == {"source_embedding", "target_embedding", "log_softmax"} | {
        f"{side}_{index}" for side in ("encoder", "decoder") for index in range(3)
    }
    assert all(value > 0 for value in norms.values())
    total = weight_gradient_norm(training_model, mean_negative_log_likelihood, inputs, targets)
    assert np.sqrt(sum(value**2 for value in norms.values())) == pytest.approx(total, rel=1e-5)
