"""Layers on separate devices: the timetable of a pipelined stack (2016, GNMT)."""

import pytest

from recurrent_bottleneck.models.pipeline import compare, schedule


@pytest.mark.parametrize("layers, length", [(1, 1), (1, 7), (2, 5), (4, 10), (8, 30)])
def test_a_unidirectional_stack_finishes_after_n_plus_depth_minus_one(layers, length):
    timetable = schedule(layers, length)
    assert timetable["makespan"] == length + layers - 1
    assert timetable["layer_starts"] == list(range(1, layers + 1))  # one unit apart


@pytest.mark.parametrize("layers, length", [(2, 5), (4, 10), (8, 30)])
def test_a_bidirectional_bottom_makes_every_layer_above_wait_for_the_whole_sentence(layers, length):
    timetable = schedule(layers, length, bidirectional_bottom=True)
    # the bottom's first output needs its backward pass over all n steps
    assert timetable["finish"][1, 1] == length
    assert timetable["layer_starts"][1] == length + 1
    assert timetable["makespan"] == 2 * length + layers - 2


def test_layers_never_run_a_step_before_its_input_or_their_own_previous_step():
    timetable = schedule(5, 9, bidirectional_bottom=True)
    finish = timetable["finish"]
    for layer in range(2, 6):
        for step in range(1, 10):
            assert finish[layer, step] >= finish[layer - 1, step] + 1
            if step > 1:
                assert finish[layer, step] >= finish[layer, step - 1] + 1


def test_overlap_counts_the_time_two_or_more_layers_work_together():
    # two unidirectional layers over 3 steps: units 1..4, both busy at units 2 and 3
    assert schedule(2, 3)["units_with_layers_overlapping"] == 2
    # with a bidirectional bottom the second layer starts after the first has finished
    assert schedule(2, 3, bidirectional_bottom=True)["units_with_layers_overlapping"] == 0
    (row,) = compare([2], [3])
    assert row["overlap_unidirectional"] == 2 and row["overlap_bidirectional"] == 0
    assert row["makespan_unidirectional"] == 4 and row["makespan_bidirectional"] == 6
    assert row["second_layer_starts_bidirectional"] == 4


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="at least 1"):
        schedule(0, 5)
