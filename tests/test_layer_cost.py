"""Table 1 measured: critical paths, path lengths, and the summary that reads them."""

import json
import math
import os
import subprocess
import sys

import jax
import numpy as np
import pytest

from recurrent_bottleneck.milestones.layer_cost import critical_path_length, recurrent_path_length
from recurrent_bottleneck.summaries.attention import growth_exponent, summarize, time_to_quality


def chain(function, *arguments):
    return critical_path_length(jax.make_jaxpr(function)(*arguments).jaxpr)


def test_a_chain_of_operations_counts_each_one():
    assert chain(lambda x: jax.numpy.sin(jax.numpy.cos(x)), 1.0) == 2
    assert chain(lambda x: jax.numpy.sin(x) + jax.numpy.cos(x), 1.0) == 2  # side by side


def scanned(length):
    def run(x):
        def step(state, value):
            return jax.numpy.tanh(state * value), state

        return jax.lax.scan(step, x, np.ones(length, dtype="float32"))[0]

    return chain(run, 1.0)


def test_a_loop_over_time_counts_its_body_once_per_step():
    assert scanned(20) - scanned(10) == 10 * (scanned(11) - scanned(10))
    assert scanned(20) > 2 * 10


def test_a_loop_of_unknown_length_is_refused():
    def loop(x):
        return jax.lax.while_loop(lambda v: v < 10.0, lambda v: v + 1.0, x)

    with pytest.raises(ValueError, match="while"):
        chain(loop, 1.0)


@pytest.mark.parametrize("length", [2, 10, 300])
def test_the_linear_recurrence_counts_the_steps_between_first_and_last(length):
    assert recurrent_path_length(length, 0.99) == pytest.approx(length - 1, abs=1e-2)


@pytest.fixture(scope="module")
def structure(tmp_path_factory):
    """The structure measurement run as the workflow runs it: JAX, a process of its own."""
    directory = tmp_path_factory.mktemp("structure")
    settings = {
        "layers": ["recurrent", "self_attention", "convolution"],
        "lengths": [8, 16, 32],
        "width": 4,
        "heads": 2,
        "kernel_size": 3,
        "batch_size": 2,
        "path_max_length": 32,
        "path_radius": 0.99,
        "path_width": 2,
        "path_heads": 1,
    }
    result = subprocess.run(
        [sys.executable, "-m", "recurrent_bottleneck", "layer-structure"]
        + ["--settings", json.dumps(settings), "--backend", "jax"]
        + ["--output", str(directory / "metrics.json"), "--tensorboard", str(directory / "tb")],
        capture_output=True,
        text=True,
        env={**os.environ, "KERAS_BACKEND": "jax"},
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = json.loads((directory / "metrics.json").read_text())["rows"]
    return {(row["layer"], row["length"]): row for row in rows}


def test_the_recurrent_chain_grows_with_n_and_attentions_does_not(structure):
    recurrent = [structure["recurrent", n]["sequential_operations"] for n in (8, 16, 32)]
    attention = [structure["self_attention", n]["sequential_operations"] for n in (8, 16, 32)]
    assert recurrent[2] - recurrent[1] == 2 * (recurrent[1] - recurrent[0])  # linear in n
    assert recurrent[1] > 1.8 * recurrent[0]
    assert attention[0] == attention[1] == attention[2]


@pytest.mark.parametrize("length", [8, 16, 32])
def test_path_lengths_match_table_1(structure, length):
    assert structure["self_attention", length]["path_length"] == 1
    assert structure["recurrent", length]["path_length"] == pytest.approx(length - 1, abs=1e-2)
    # causal kernels of 3 carry a signal 2 positions per layer; dilations 1, 3, 9, ...
    assert structure["convolution", length]["path_length"] == math.ceil((length - 1) / 2)
    assert structure["convolution", length]["dilated_path_length"] == math.ceil(math.log(length, 3))


def test_attention_memory_grows_faster_than_the_recurrent_layers(structure):
    def ratio(layer):
        return structure[layer, 32]["temporary_bytes"] / structure[layer, 8]["temporary_bytes"]

    assert ratio("self_attention") > ratio("recurrent")


def test_growth_exponent_of_a_power_law():
    lengths = [16, 64, 256, 1024]
    assert growth_exponent(lengths, [3 * n**2 for n in lengths], 64) == pytest.approx(2.0)
    assert growth_exponent(lengths, [5.0] * 4, 0) == pytest.approx(0.0, abs=1e-12)
    assert growth_exponent(lengths, [1, 2, 3, 4], 1024) is None  # one point is no fit


def test_time_to_quality_is_the_first_epoch_that_reaches_it():
    curve = [{"validation_perplexity": p} for p in (9.0, 5.0, 4.0, 4.5)]
    assert time_to_quality(curve, [10.0, 20.0, 30.0, 40.0], 5.0) == 20.0
    assert time_to_quality(curve, [10.0, 20.0, 30.0, 40.0], 3.0) is None


def timing_document(threads, seconds):
    rows = [
        {
            "layer": layer,
            "sweep": "length",
            "length": n,
            "width": 8,
            "seconds_per_step": seconds(layer, n),
            "tokens_per_second": n / seconds(layer, n),
        }
        for layer in ("recurrent", "self_attention")
        for n in (16, 64, 256)
    ]
    settings = {"fit_from_length": 16, "repeats": 3}
    return {
        "measurement": "layer_timing",
        "settings": settings,
        "rows": rows,
        "environment": {"threads": threads},
    }


def test_summary_finds_the_crossover_and_the_thread_speedup():
    def one_thread(layer, n):
        return 1e-3 * n if layer == "recurrent" else 1e-5 * n**2

    def two_threads(layer, n):
        return one_thread(layer, n) / (1.0 if layer == "recurrent" else 2.0)

    summary = summarize([timing_document(1, one_thread), timing_document(2, two_threads)])
    measured = summary["measurements"]
    assert measured["recurrent_time_length_exponent"] == pytest.approx(1.0)
    assert measured["self_attention_time_length_exponent"] == pytest.approx(2.0)
    assert measured["attention_slower_than_recurrent_from_length"] == 256
    assert measured["self_attention_speedup_longest"] == pytest.approx(2.0)
    assert measured["recurrent_speedup_longest"] == pytest.approx(1.0)
    assert measured["layer_timing_repeats"] == 3
