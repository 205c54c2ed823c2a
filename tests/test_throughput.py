"""The throughput benchmark: rows per model, rates from its own timings, kernel detection."""

import pytest

from recurrent_bottleneck.milestones import throughput

CELL = {
    "cells_per_block": 2,
    "input_gate_biases": [-1.0],
    "output_gate_biases": [-1.0],
    "squashing": "paper",
    "truncated": False,
}
SETTINGS = {
    "batch_size": 2,
    "length": 6,
    "units": 4,
    "repeats": 1,
    "cell": CELL,
    "speech": {
        "batch_size": 2,
        "length": 9,
        "channels": 3,
        "phones": 4,
        "layers": 1,
        "lstm_units": 3,
        "tanh_units": 5,
        "learning_rate": 0.01,
        "clip_norm": 1.0,
    },
    "translation": {
        "batch_size": 2,
        "length": 4,
        "vocabulary_size": 30,
        "lstm": {
            "layers": 1,
            "units": 4,
            "embedding": 4,
            "initial_range": 0.08,
            "optimizer": "adam",
            "learning_rate": 0.01,
            "clip_norm": 5.0,
        },
        "transformer": {
            "layers": 1,
            "width": 8,
            "heads": 2,
            "feed_forward": 8,
            "dropout": 0.0,
            "warmup_steps": 4,
            "label_smoothing": 0.0,
            "clip_norm": 5.0,
        },
    },
}


def test_cudnn_is_recognised_in_either_backends_program_text():
    assert throughput.mentions_cudnn('op: "CudnnRNNV3"')  # TensorFlow's graph
    assert throughput.mentions_cudnn("stablehlo.custom_call @cudnn_rnn(")  # JAX's lowering
    assert not throughput.mentions_cudnn("stablehlo.while ... stablehlo.dot_general")


def test_benchmark_rows_and_facts(tmp_path):
    document = throughput.run(SETTINGS, tmp_path / "tensorboard")
    rows = document["timing"]["rows"]
    assert [row["model"] for row in rows] == [
        "lstm1997",
        "lstm_forget",
        "simple_rnn",
        "lstm_forget (no mask)",
        "lstm bidirectional, CTC (2013)",
        "tanh bidirectional, CTC (2013)",
        "lstm encoder-decoder (2014)",
        "transformer (2017)",
    ]
    for row in rows:
        per_step = row["batch_size"] * row["length"] * (2 if row["unit"] == "tokens" else 1)
        assert row["per_second"] == pytest.approx(per_step / row["seconds_per_step"])
    facts = {fact["model"]: fact for fact in document["models"]}
    # no GPU here: nothing may claim cuDNN's kernel
    assert not any(fact.get("fused_kernel") for fact in facts.values())
    # the same LSTM with and without the Masking layer (which has no weights)
    assert facts["lstm_forget"]["parameters"] == facts["lstm_forget (no mask)"]["parameters"]
    # the speech nets: frames per second over utterances of the configured length
    speech_rows = [row for row in rows if row["unit"] == "frames"]
    assert [row["length"] for row in speech_rows] == [9, 9]
    # two directions of 4 gates, then the read-out over 4 phones and the blank
    assert facts["lstm bidirectional, CTC (2013)"]["parameters"] == 2 * 4 * (3 * 6 + 3) + 6 * 5 + 5
    # wall-clock numbers only in the timing part
    assert "seconds_per_step" not in str(document["models"])


def test_unmasked_model_has_no_masking_layer():
    from recurrent_bottleneck.milestones.throughput import recurrent_model

    masked = recurrent_model("lstm_forget", 5, SETTINGS, masked=True)
    unmasked = recurrent_model("lstm_forget", 5, SETTINGS, masked=False)
    assert any(layer.__class__.__name__ == "Masking" for layer in masked.layers)
    assert not any(layer.__class__.__name__ == "Masking" for layer in unmasked.layers)
