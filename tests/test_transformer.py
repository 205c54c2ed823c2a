"""The Transformer encoder–decoder: causality, padding, step-wise decoding, its schedule."""

import keras
import numpy as np
import pytest

from recurrent_bottleneck.translation import model as translation_model
from recurrent_bottleneck.translation.decoding import beam_search, greedy
from recurrent_bottleneck.translation.transformer import (
    build,
    decoding_functions,
    learning_rate_schedule,
    position_code,
    smoothed_negative_log_likelihood,
)


@pytest.fixture(scope="module")
def models():
    keras.utils.set_random_seed(0)
    return build(
        11,
        13,
        layers=2,
        width=8,
        heads=2,
        feed_forward=16,
        dropout=0.1,
        max_length=12,
        warmup_steps=10,
        label_smoothing=0.0,
        clip_norm=5.0,
    )


def predict(model, source, decoder_input):
    return keras.ops.convert_to_numpy(model([np.array(source), np.array(decoder_input)]))


def test_log_probabilities_have_the_target_vocabulary(models):
    log_probabilities = predict(models[0], [[4, 5, 6, 0], [7, 8, 0, 0]], [[2, 4, 5], [2, 6, 0]])
    assert log_probabilities.shape == (2, 3, 13)
    np.testing.assert_allclose(np.exp(log_probabilities).sum(-1), 1.0, rtol=1e-5)


def test_a_position_never_sees_later_target_tokens(models):
    first = predict(models[0], [[4, 5, 6, 7]], [[2, 9, 10, 11]])
    changed = predict(models[0], [[4, 5, 6, 7]], [[2, 9, 3, 3]])
    np.testing.assert_allclose(first[0, :2], changed[0, :2], atol=1e-6)
    assert not np.allclose(first[0, 2:], changed[0, 2:])


def test_source_padding_changes_nothing(models):
    short = predict(models[0], [[4, 5, 6]], [[2, 9, 10]])
    padded = predict(models[0], [[4, 5, 6, 0, 0]], [[2, 9, 10]])
    np.testing.assert_allclose(short, padded, atol=1e-5)


def test_every_source_word_reaches_the_first_target_position(models):
    """No recurrence: the first output depends on the last source word directly."""
    first = predict(models[0], [[4, 5, 6, 7]], [[2]])
    changed = predict(models[0], [[4, 5, 6, 8]], [[2]])
    assert not np.allclose(first, changed)


def test_stepwise_decoder_reproduces_teacher_forcing(models):
    """The kept keys and values give what the whole model gives at every position, for
    hypotheses side by side whose sources have different lengths (padding)."""
    source = np.array([[4, 5, 6, 7], [8, 9, 0, 0]])
    decoder_input = np.array([[2, 9, 10, 11, 4], [2, 3, 3, 12, 5]])
    expected = predict(models[0], source, decoder_input)
    decoding = decoding_functions(models)
    states = decoding["initial_states"](source)
    for position in range(decoder_input.shape[1]):
        log_probabilities, states = decoding["step"](decoder_input[:, position], states)
        np.testing.assert_allclose(log_probabilities, expected[:, position], atol=1e-5)


@pytest.mark.parametrize("compiled_per_shape", [False, True])
def test_hypotheses_reordered_keep_their_own_prefix(models, monkeypatch, compiled_per_shape):
    """After beam search's reordering (the rows gathered by the next step, or at once
    where steps are compiled per shape, as with XLA and JAX), each row goes on from the
    prefix it was given, as the whole model does on that prefix."""
    monkeypatch.setattr(translation_model, "compile_with_xla", lambda: compiled_per_shape)
    source = np.array([[4, 5, 6, 7]] * 3)
    prefixes = np.array([[2, 9, 10], [2, 3, 4], [2, 12, 5]])
    decoding = decoding_functions(models)
    states = decoding["initial_states"](source)
    for position in range(prefixes.shape[1]):
        _, states = decoding["step"](prefixes[:, position], states)
    order = [2, 0, 0]
    states = decoding["reorder"](states, order)
    following = np.array([6, 7, 8])
    log_probabilities, _ = decoding["step"](following, states)
    decoder_input = np.concatenate([prefixes[order], following[:, None]], axis=1)
    expected = predict(models[0], source, decoder_input)[:, -1]
    np.testing.assert_allclose(log_probabilities, expected, atol=1e-5)


@pytest.mark.parametrize("source", [[4, 5, 6, 7, 8], [9, 3, 10], [5, 5, 4, 6, 7, 8, 9]])
def test_beam_search_scores_are_the_models_log_probabilities(models, source):
    """Beam search reorders the kept keys and values as it prunes: the score it gives its
    answer is the whole model's log probability of that answer (and <eos> if it ended)."""
    bos, max_length = 1, 8
    source = np.array([source])
    decoding = decoding_functions(models)
    states = decoding["initial_states"](source)
    # <eos> the least likely first word, so the search runs and prunes for a while
    first, _ = decoding["step"](np.array([bos]), states)
    eos = int(np.argmin(first[0]))
    search = {"step": decoding["step"], "bos": bos, "eos": eos, "max_length": max_length}
    tokens, score = beam_search(states=states, beam_size=3, reorder=decoding["reorder"], **search)
    log_probabilities = predict(models[0], source, [[bos, *tokens]])[0]
    expected = sum(log_probabilities[position, token] for position, token in enumerate(tokens))
    if len(tokens) < max_length:
        expected += log_probabilities[len(tokens), eos]
    np.testing.assert_allclose(score, expected, atol=1e-4)
    one_beam, _ = beam_search(states=states, beam_size=1, reorder=decoding["reorder"], **search)
    assert [one_beam] == greedy(decoding["step"], states, bos, eos, max_length)
    # the sentence picked out of a batch (as translate does) is searched as if alone
    batch = np.zeros((2, 8), dtype=np.int32)
    batch[0, :3], batch[1, : source.shape[1]] = [10, 9, 8], source[0]
    in_batch = beam_search(
        states=decoding["initial_states"](batch),
        beam_size=3,
        reorder=decoding["reorder"],
        sentence=1,
        **search,
    )
    assert in_batch[0] == tokens
    np.testing.assert_allclose(in_batch[1], score, atol=1e-5)


def test_training_lowers_the_loss(models):
    training_model = models[0]
    random = np.random.default_rng(0)
    source = random.integers(4, 11, size=(16, 5))
    target = source[:, ::-1] + 2
    decoder_input = np.concatenate([np.full((16, 1), 2), target[:, :-1]], axis=1)
    first = float(training_model.train_on_batch([source, decoder_input], target))
    for _ in range(40):
        last = float(training_model.train_on_batch([source, decoder_input], target))
    assert last < first


def test_learning_rate_warms_up_then_decays_as_the_paper():
    schedule = learning_rate_schedule(width=16, warmup_steps=100)
    rates = [float(schedule(step)) for step in range(400)]
    peak = int(np.argmax(rates))
    assert peak == 99  # steps are counted from 1: the peak is at step = warmup
    np.testing.assert_allclose(rates[peak], 16**-0.5 * 100**-0.5, rtol=1e-6)
    np.testing.assert_allclose(rates[399], 16**-0.5 * 400**-0.5, rtol=1e-6)
    np.testing.assert_allclose(rates[9], 16**-0.5 * 10 * 100**-1.5, rtol=1e-6)


def test_position_code_is_the_papers_sinusoid():
    code = position_code(50, 8)
    assert code.shape == (50, 8)
    np.testing.assert_allclose(code[7, 2], np.sin(7 / 10000 ** (2 / 8)), rtol=1e-6)
    np.testing.assert_allclose(code[7, 3], np.cos(7 / 10000 ** (2 / 8)), rtol=1e-6)


def test_label_smoothing_mixes_in_the_mean_over_the_vocabulary():
    log_probabilities = np.log(np.array([[[0.7, 0.2, 0.1]]], dtype="float32"))
    targets = np.array([[0]])

    def loss(smoothing):
        values = smoothed_negative_log_likelihood(smoothing)(targets, log_probabilities)
        return keras.ops.convert_to_numpy(values)

    plain, smooth = loss(0.0), loss(0.1)
    np.testing.assert_allclose(plain, [[-np.log(0.7)]], rtol=1e-6)
    expected = 0.9 * -np.log(0.7) + 0.1 * -np.mean(np.log([0.7, 0.2, 0.1]))
    np.testing.assert_allclose(smooth, [[expected]], rtol=1e-6)
