"""The embedded Reber grammar generator, checked by a recogniser written independently."""

import re

import numpy as np
import pytest

from recurrent_bottleneck.tasks import reber

# The Reber automaton as a regular expression, derived by hand from its graph:
# from node 2: S* X to node 4; node 4: S (end) or X T* V to node 5; node 5: V (end) or
# P X T* V back to node 5 (through 4 and 3), or P S (end through 4).
_LOOP_5 = "(?:PXT*V)*(?:V|PS)"
_REBER = f"B(?:TS*X(?:S|XT*V{_LOOP_5})|PT*V{_LOOP_5})E"
EMBEDDED = re.compile(f"B(?:T{_REBER}T|P{_REBER}P)E")


def test_known_strings():
    for plain in ("BTXSE", "BPVVE", "BTSSXXTVVE", "BPTVPSE", "BPTTVPXVVE"):
        assert re.fullmatch(_REBER, plain)
        assert reber.is_embedded_reber(f"BT{plain}TE")
    assert not reber.is_embedded_reber("BTBTXSEPE")  # branch not repeated
    assert not reber.is_embedded_reber("BTBTXXEPE")  # X cannot end at node 3
    assert not reber.is_embedded_reber("BTBTXSE")  # cut short


def test_every_generated_string_is_in_the_grammar():
    random = np.random.default_rng(0)
    strings = [reber.embedded_reber_string(random) for _ in range(3000)]
    for string in strings:
        assert EMBEDDED.fullmatch(string), string
    # both embedded branches occur, about half the time each
    assert 0.45 < np.mean([string[1] == "T" for string in strings]) < 0.55


def test_every_legal_transition_occurs():
    random = np.random.default_rng(1)
    seen = set()
    for _ in range(2000):
        inner = reber.embedded_reber_string(random)[2:-2]
        node = 1
        for symbol in inner[1:-1]:
            seen.add((node, symbol))
            node = dict(reber.REBER_EDGES[node])[symbol]
    every_edge = {
        (node, symbol) for node, edges in reber.REBER_EDGES.items() for symbol, _ in edges
    }
    assert seen == every_edge


def test_legal_next_symbols_by_hand():
    follow = reber.legal_next("BPBTXSEPE")
    assert follow == [
        {"T", "P"},  # after B: either branch
        {"B"},  # after the branch: the inner string starts
        {"T", "P"},  # after the inner B
        {"S", "X"},  # node 2
        {"X", "S"},  # node 4
        {"E"},  # node 6
        {"P"},  # after the inner E: the remembered branch, the long-lag prediction
        {"E"},
        {"B"},  # the next string in a stream
    ]


def test_stream_is_strings_back_to_back():
    stream = reber.stream(np.random.default_rng(2), 500)
    text = "".join(reber.SYMBOLS[n] for n in stream["symbols"])
    starts = np.flatnonzero(stream["string_starts"])
    assert starts[0] == 0 and len(text) == 500
    for begin, end in zip(starts[:-1], starts[1:], strict=True):
        assert EMBEDDED.fullmatch(text[begin:end])
    # targets mark exactly the legal next symbols, and the symbol that follows is one of them
    for position in range(499):
        assert stream["targets"][position, stream["symbols"][position + 1]] == 1.0
    assert stream["targets"].sum(axis=1).min() == 1 and stream["targets"].sum(axis=1).max() == 2


def test_a_stream_owns_its_arrays_though_its_strings_are_encoded_once():
    """Each string's encoding is kept for the next time it is drawn; a stream handed out
    is a copy, so writing into it changes no later stream."""
    first = reber.stream(np.random.default_rng(5), 300)
    expected = {key: value.copy() for key, value in first.items()}
    for value in first.values():
        value[...] = 0
    again = reber.stream(np.random.default_rng(5), 300)
    for key, value in expected.items():
        np.testing.assert_array_equal(again[key], value)
    assert again["string_starts"][0] == 1.0 and again["targets"].sum() > 0


def test_correctness_threshold_and_error_free_length():
    targets = np.array([[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]])
    outputs = np.array([[[0.8, 0.2], [0.5, 0.9], [0.2, 0.9]]])
    # squared errors below 0.49 count: 0.5 -> 0.25 fine; 0.2 against 1 -> 0.64 wrong
    correct = reber.correct_predictions(outputs, targets)
    np.testing.assert_array_equal(correct, [[True, True, False]])
    np.testing.assert_array_equal(reber.error_free_length(correct), [2])
    np.testing.assert_array_equal(reber.error_free_length(np.ones((2, 7), bool)), [7, 7])


def test_the_absolute_reading_needs_each_output_on_its_targets_side_of_one_half():
    """An output of 0.5 passes the squared reading for both targets, never the absolute."""
    targets = np.array([[[1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]])
    outputs = np.array([[[0.52, 0.48], [0.5, 0.5], [0.9, 0.3], [0.45, 0.6]]])
    np.testing.assert_array_equal(
        reber.correct_predictions(outputs, targets), [[True, True, True, True]]
    )
    np.testing.assert_array_equal(
        reber.correct_by_absolute_error(outputs, targets), [[True, False, True, True]]
    )
    # 0.49 squared is the same rule
    np.testing.assert_array_equal(
        reber.correct_predictions(outputs, targets, 0.49**2),
        reber.correct_by_absolute_error(outputs, targets),
    )


def test_branch_predictions_are_read_once_per_string_after_the_inner_end():
    stream = reber.streams(np.random.default_rng(3), 2, 300)
    symbols, targets = stream["symbols"], stream["targets"]
    # one branch prediction per string whose inner E lies inside the stream
    expected = 0
    for row in range(2):
        text = "".join(reber.SYMBOLS[number] for number in symbols[row])
        expected += sum(
            1 for start in range(len(text) - 1) if text[start : start + 2] in ("ET", "EP")
        )
    assert reber.branch_predictions(targets, symbols, targets).sum() == expected > 20
    swapped = targets[..., [0, 2, 1, 3, 4, 5, 6]]  # T and P exchanged everywhere
    assert not reber.branch_predictions(swapped, symbols, targets).any()
    # ties (a net answering 0.5 for both) are never right
    halves = np.full(targets.shape, 0.5)
    assert not reber.branch_predictions(halves, symbols, targets).any()


@pytest.mark.parametrize("bad", ["", "BTE", "XTBTXSETE"])
def test_bad_strings_raise(bad):
    with pytest.raises(ValueError):
        reber.legal_next(bad)
