"""Greedy and beam-search decoding for an encoder–decoder, independent of the model.

The decoder is seen through one function, ``step(tokens, states) -> (log_probabilities,
states)``: given the last token of each hypothesis (shape (k,)) and the decoder's states
for them, it returns log p(next token | prefix) over the target vocabulary (shape (k, V))
and the updated states. ``states`` is a list of arrays whose first axis is the
hypothesis; beam search reorders that axis when hypotheses are pruned, by NumPy's
indexing or by the model's own ``reorder(states, rows)`` (for states kept as the
backend's arrays).

Beam search (Sutskever et al. 2014 used beams of 1, 2 and 12) keeps the ``beam_size``
prefixes with the highest total log probability. A prefix that emits ``<eos>`` is
complete; the search stops when the best complete hypothesis scores at least as well
as every open one (adding tokens only lowers a score), or after ``max_length`` tokens.
With ``beam_size = 1`` it is exactly greedy decoding.

The decoder always sees ``beam_size`` rows: when fewer prefixes are open (at the first
token, or after some ended), the rest are copies of the first open one whose score is
minus infinity, so none of their continuations is ever chosen. A decoder compiled once
per batch shape (XLA, JAX) is then compiled once for a whole search, not once for every
number of open prefixes (up to 12 shapes at the paper's beam).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

Step = Callable[[np.ndarray, list[np.ndarray]], tuple[np.ndarray, list[np.ndarray]]]


def greedy(
    step: Step, states: list[np.ndarray], bos: int, eos: int, max_length: int
) -> list[list[int]]:
    """The most probable next token at every step, for a batch of sentences at once."""
    count = len(states[0])
    tokens = np.full(count, bos, dtype=np.int32)
    outputs = np.zeros((count, max_length), dtype=np.int32)
    finished = np.zeros(count, dtype=bool)
    for position in range(max_length):
        log_probabilities, states = step(tokens, states)
        tokens = np.argmax(log_probabilities, axis=-1).astype(np.int32)
        outputs[:, position] = np.where(finished, eos, tokens)
        finished |= tokens == eos
        if finished.all():
            break
    return [_until_eos(row, eos) for row in outputs]


def beam_search(
    step: Step,
    states: Sequence[np.ndarray],
    bos: int,
    eos: int,
    max_length: int,
    beam_size: int,
    reorder: Callable | None = None,
    sentence: int = 0,
) -> tuple[list[int], float]:
    """(best token sequence without ``<eos>``, its total log probability) for ONE sentence.

    ``states`` holds the decoder's initial states of a batch of sentences; the search is
    for the one in row ``sentence`` (by default the first, or only, one).
    """
    reorder = reorder or reorder_rows
    states = reorder(list(states), [sentence] * beam_size)
    prefixes: list[list[int]] = [[]]  # the open ones: the first rows of the states
    scores = _padded([0.0], beam_size, -np.inf)
    last = np.full(beam_size, bos, dtype=np.int32)
    best_complete: tuple[list[int], float] | None = None
    for _ in range(max_length):
        log_probabilities, states = step(last, states)
        vocabulary = log_probabilities.shape[-1]
        totals = (scores[:, None] + log_probabilities).reshape(-1)
        # the best beam_size continuations of all open prefixes (stable order on ties)
        candidates = np.argsort(-totals, kind="stable")[:beam_size]
        open_rows, open_tokens, open_scores = [], [], []
        for candidate in candidates:
            row, token = divmod(int(candidate), vocabulary)
            if row >= len(prefixes):  # a padding row (all its scores are -inf)
                continue
            score = float(totals[candidate])
            if token == eos:
                if best_complete is None or score > best_complete[1]:
                    best_complete = (prefixes[row], score)
            else:
                open_rows.append(row)
                open_tokens.append(token)
                open_scores.append(score)
        if not open_rows:
            break
        if best_complete is not None and best_complete[1] >= max(open_scores):
            break
        prefixes = [
            prefixes[row] + [token] for row, token in zip(open_rows, open_tokens, strict=True)
        ]
        scores = _padded(open_scores, beam_size, -np.inf)
        last = _padded(open_tokens, beam_size, open_tokens[0]).astype(np.int32)
        states = reorder(states, _padded(open_rows, beam_size, open_rows[0]).tolist())
    if best_complete is None:  # nothing ended within max_length: the best open prefix
        best = int(np.argmax(scores[: len(prefixes)]))
        return prefixes[best], float(scores[best])
    return best_complete


def _padded(values: list, length: int, filler) -> np.ndarray:
    """``values`` followed by ``filler`` up to ``length`` entries."""
    return np.array(list(values) + [filler] * (length - len(values)))


def reorder_rows(states: Sequence[np.ndarray], rows: list[int]) -> list[np.ndarray]:
    """The states of the chosen hypotheses, for states that are NumPy arrays."""
    return [state[rows] for state in states]


def _until_eos(tokens: np.ndarray, eos: int) -> list[int]:
    tokens = list(int(token) for token in tokens)
    return tokens[: tokens.index(eos)] if eos in tokens else tokens
