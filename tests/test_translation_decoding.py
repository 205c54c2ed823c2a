"""Greedy and beam-search decoding on hand-made decoders whose best outputs are known."""

import itertools

import numpy as np
import pytest

from recurrent_bottleneck.translation.decoding import beam_search, greedy

BOS, EOS = 0, 1


def table_decoder(probabilities: dict[tuple[int, ...], list[float]], vocabulary: int):
    """A decoder whose next-token distribution depends on the whole prefix (its state)."""

    def step(tokens, states):
        (prefixes,) = states
        rows, new_prefixes = [], []
        for token, prefix in zip(tokens, prefixes, strict=True):
            prefix = tuple(prefix) + ((int(token),) if token != BOS else ())
            rows.append(probabilities.get(prefix, [0.0, 1.0] + [0.0] * (vocabulary - 2)))
            new_prefixes.append(prefix)
        with np.errstate(divide="ignore"):
            return np.log(np.array(rows)), [np.array(new_prefixes, dtype=object)]

    return step


# vocabulary: 0 <bos>, 1 <eos>, 2 "a", 3 "b". Greedy takes "a" (0.6) first, but every
# continuation of "a" is uncertain; "b" (0.4) is followed by <eos> for sure.
TRAP = {
    (): [0.0, 0.0, 0.6, 0.4],
    (2,): [0.0, 0.3, 0.35, 0.35],
    (3,): [0.0, 1.0, 0.0, 0.0],
}


def initial():
    return [np.array([()], dtype=object)]


def sequence_probability(tokens):
    prefix, probability = (), 1.0
    for token in [*tokens, EOS]:
        probability *= TRAP.get(prefix, [0.0, 1.0, 0.0, 0.0])[token]
        prefix += (token,)
    return probability


def test_greedy_falls_into_the_trap_and_beam_search_does_not():
    (greedy_tokens,) = greedy(table_decoder(TRAP, 4), initial(), BOS, EOS, max_length=3)
    assert greedy_tokens[0] == 2  # "a", whose best ending is worth 0.6 * 0.3 = 0.18
    tokens, score = beam_search(table_decoder(TRAP, 4), initial(), BOS, EOS, 3, beam_size=2)
    assert tokens == [3]  # "b" <eos>: 0.4
    assert score == pytest.approx(np.log(0.4))
    # brute force over every sequence of up to 3 tokens: nothing beats it
    best = max(
        (seq for n in range(4) for seq in itertools.product([2, 3], repeat=n)),
        key=sequence_probability,
    )
    assert list(best) == tokens


@pytest.mark.parametrize("seed", range(5))
def test_beam_of_one_is_greedy(seed):
    random = np.random.default_rng(seed)
    vocabulary = 6
    # a random decoder: the distribution depends on the prefix through a hash
    tables = {}
    for n in range(5):
        for prefix in itertools.product(range(2, vocabulary), repeat=n):
            row = random.dirichlet(np.ones(vocabulary))
            row[BOS] = 0.0
            tables[prefix] = list(row / row.sum())
    step = table_decoder(tables, vocabulary)
    (greedy_tokens,) = greedy(step, initial(), BOS, EOS, max_length=4)
    beam_tokens, _ = beam_search(step, initial(), BOS, EOS, 4, beam_size=1)
    assert beam_tokens == greedy_tokens


def test_greedy_decodes_a_batch_and_stops_at_eos():
    step = table_decoder({(): [0.0, 0.1, 0.9, 0.0], (2,): [0.0, 0.9, 0.1, 0.0]}, 4)
    states = [np.array([(), ()], dtype=object)]
    assert greedy(step, states, BOS, EOS, max_length=5) == [[2], [2]]


@pytest.mark.parametrize("seed", range(5))
def test_a_beam_wide_enough_is_exhaustive_and_the_decoder_always_sees_the_whole_beam(seed):
    """With room for every continuation (3 tokens, <eos> included, after 4 prefixes of
    two tokens), beam search finds the most probable sentence, as brute force does. The
    open prefixes number 1, 2, then 4; the decoder is called with 12 rows every time,
    the padding rows never chosen."""
    random = np.random.default_rng(seed)
    vocabulary, max_length, beam_size = 4, 3, 12
    tables = {}
    for n in range(max_length):
        for prefix in itertools.product([2, 3], repeat=n):
            row = random.dirichlet(np.ones(vocabulary))
            row[BOS] = 0.0
            tables[prefix] = list(row / row.sum())
    decoder, rows_seen = table_decoder(tables, vocabulary), []

    def step(tokens, states):
        rows_seen.append(len(tokens))
        return decoder(tokens, states)

    tokens, score = beam_search(step, initial(), BOS, EOS, max_length, beam_size)

    def probability(sequence):
        result = 1.0
        for length, token in enumerate([*sequence, EOS]):
            result *= tables[tuple(sequence[:length])][token]
        return result

    best = max(
        (list(s) for n in range(max_length) for s in itertools.product([2, 3], repeat=n)),
        key=probability,
    )
    assert tokens == best
    assert score == pytest.approx(np.log(probability(best)))
    assert rows_seen and set(rows_seen) == {beam_size}


def test_beam_search_takes_its_sentence_out_of_a_batch():
    """``sentence`` picks the row of a batch's states: the same answer as that sentence's
    states alone, and another sentence's states give another answer."""
    tables = {(): [0.0, 0.1, 0.9, 0.0], (2,): [0.0, 1.0, 0.0, 0.0]}
    tables[(3,)] = [0.0, 1.0, 0.0, 0.0]
    step = table_decoder(tables, 4)
    batch = [np.array([(3,), ()], dtype=object)]  # the first sentence has "b" already
    alone, _ = beam_search(step, initial(), BOS, EOS, 3, beam_size=2)
    assert beam_search(step, batch, BOS, EOS, 3, beam_size=2, sentence=1)[0] == alone == [2]
    assert beam_search(step, batch, BOS, EOS, 3, beam_size=2, sentence=0)[0] == []
