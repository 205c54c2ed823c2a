"""Training throughput of every model on the device at hand: a benchmark, not a result.

For each model, the median wall-clock seconds of one training step (forward, backward,
optimizer update; compiled, after a warm-up call) on a random batch, turned into

    time steps per second = batch × length / seconds per step          (recurrent nets)
    frames per second     = batch × frames / seconds per step          (speech nets)
    tokens per second     = batch × (source + target length) / seconds  (translation)

- the 1997 nets as the long-lag milestone trains them: the original cell
  (:mod:`recurrent_bottleneck.cells.lstm1997`, a Python-defined cell run by Keras'
  generic loop), Keras' LSTM and SimpleRNN, all behind the Masking layer;
- Keras' LSTM once more without the mask: only then may a backend hand it to a fused
  GPU kernel (cuDNN). Whether it did is read from the compiled program, not assumed;
- the 2013 speech nets (bidirectional LSTM and tanh layers, CTC loss) at the configured
  sizes, on utterances of ``speech.length`` frames;
- the 2014 LSTM encoder–decoder and the 2017 Transformer at the configured sizes.

Every number here is wall-clock and goes to ``timing.json``; only the facts that do not
depend on the clock (which kernel ran, parameter counts) stay in ``metrics.json``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from recurrent_bottleneck.milestones.step_cost import (
    INPUT_SIZE,
    MASK_VALUE,
    seconds_per_training_step,
)

RECURRENT_MODELS = ("lstm1997", "lstm_forget", "simple_rnn")


def fused_recurrent_kernel(model, inputs) -> bool:
    """Whether the compiled forward pass of ``model`` calls a cuDNN recurrent kernel."""
    import keras

    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        def forward(trainable, non_trainable, inputs):
            return model.stateless_call(trainable, non_trainable, inputs, training=True)[0]

        program = jax.jit(forward).lower(
            [variable.value for variable in model.trainable_variables],
            [variable.value for variable in model.non_trainable_variables],
            inputs,
        )
        return mentions_cudnn(program.as_text())
    if backend == "tensorflow":
        import tensorflow as tf

        function = tf.function(lambda inputs: model(inputs, training=True))
        graph = function.get_concrete_function(tf.TensorSpec(inputs.shape, inputs.dtype)).graph
        return mentions_cudnn(str(graph.as_graph_def()))
    return False


def mentions_cudnn(program_text: str) -> bool:
    """A compiled program that calls cuDNN's RNN names it (``CudnnRNN…``, ``cudnn_rnn``)."""
    return "cudnn" in program_text.lower()


def recurrent_model(kind: str, length: int, settings: dict, masked: bool):
    from recurrent_bottleneck.models.recurrent import build_model

    return build_model(
        kind,
        length,
        INPUT_SIZE,
        MASK_VALUE if masked else None,
        settings["units"],
        settings["cell"],
        "mean_squared_error",
        1e-3,
        1.0,
    )


def recurrent_rows(settings: dict, random) -> tuple[list, list]:
    import keras

    batch, length = settings["batch_size"], settings["length"]
    inputs = random.normal(size=(batch, length, INPUT_SIZE)).astype("float32")
    targets = random.uniform(size=(batch, 1)).astype("float32")
    variants = [(kind, True) for kind in RECURRENT_MODELS] + [("lstm_forget", False)]
    timings, facts = [], []
    for kind, masked in variants:
        model = recurrent_model(kind, length, settings, masked)
        name = kind if masked else f"{kind} (no mask)"
        timings.append(timed(name, "time steps", model, inputs, targets, length, settings))
        facts.append(
            {
                "model": name,
                "parameters": int(model.count_params()),
                "fused_kernel": fused_recurrent_kernel(model, inputs),
            }
        )
        report_progress(timings[-1], facts[-1])
        keras.backend.clear_session()
    return timings, facts


def timed(name: str, unit: str, model, inputs, targets, length: int, settings: dict) -> dict:
    """One timing row: seconds per training step, and time steps or tokens per second
    (a translation pair counts ``length`` source and ``length`` target tokens)."""
    seconds = seconds_per_training_step(model, inputs, targets, settings["repeats"])
    batch = len(targets)
    per_sequence = 2 * length if unit == "tokens" else length
    return {
        "model": name,
        "unit": unit,
        "batch_size": batch,
        "length": length,
        "seconds_per_step": seconds,
        "per_second": batch * per_sequence / seconds,
    }


def speech_rows(settings: dict, random) -> tuple[list, list]:
    """The 2013 nets on random frames, every utterance ``length`` frames long, with a
    label sequence of a third of its frames (CTC needs at most one label per frame)."""
    import keras

    from recurrent_bottleneck.milestones import speech

    options = settings["speech"]
    batch, length = options["batch_size"], options["length"]
    frames = random.normal(size=(batch, length, options["channels"])).astype("float32")
    labels = random.integers(1, options["phones"] + 1, size=(batch, max(1, length // 3)))
    targets = np.concatenate([np.full((batch, 1), length), labels], axis=1).astype("int32")
    timings, facts = [], []
    for kind in speech.MODELS:
        model = speech.build_model(
            kind,
            options["layers"],
            options[f"{kind}_units"],
            options["channels"],
            options["phones"],
            options["learning_rate"],
            options["clip_norm"],
        )
        name = f"{kind} bidirectional, CTC (2013)"
        timings.append(timed(name, "frames", model, frames, targets, length, settings))
        facts.append({"model": name, "parameters": int(model.count_params())})
        report_progress(timings[-1], facts[-1])
        keras.backend.clear_session()
    return timings, facts


def translation_rows(settings: dict, random) -> tuple[list, list]:
    import keras

    from recurrent_bottleneck.translation import model as lstm_translation
    from recurrent_bottleneck.translation import transformer

    options = settings["translation"]
    batch, length = options["batch_size"], options["length"]
    vocabulary = options["vocabulary_size"]
    builders = {
        "lstm encoder-decoder (2014)": lambda: lstm_translation.build(
            vocabulary, vocabulary, **options["lstm"]
        ),
        "transformer (2017)": lambda: transformer.build(
            vocabulary, vocabulary, max_length=length + 2, **options["transformer"]
        ),
    }
    source = random.integers(1, vocabulary, size=(batch, length)).astype("int32")
    decoder_input = random.integers(1, vocabulary, size=(batch, length)).astype("int32")
    target = random.integers(1, vocabulary, size=(batch, length)).astype("int32")
    timings, facts = [], []
    for name, build in builders.items():
        training_model = build()[0]
        inputs = [source, decoder_input]
        timings.append(timed(name, "tokens", training_model, inputs, target, length, settings))
        facts.append({"model": name, "parameters": int(training_model.count_params())})
        report_progress(timings[-1], facts[-1])
        keras.backend.clear_session()
    return timings, facts


def report_progress(timing: dict, facts: dict) -> None:
    kernel = {True: ", fused cuDNN kernel", False: ", no fused kernel"}.get(
        facts.get("fused_kernel"), ""
    )
    print(
        f"{timing['model']}: {timing['per_second']:,.0f} {timing['unit']}/s "
        f"({timing['seconds_per_step'] * 1000:.2f} ms per step{kernel})",
        flush=True,
    )


def run(settings: dict, tensorboard_directory) -> dict:
    """Throughput rows (timing) and per-model facts (kernel, parameters)."""
    from recurrent_bottleneck.runtime import seed_everything
    from recurrent_bottleneck.tensorboard_log import RunWriter

    seed_everything(0)
    random = np.random.default_rng(0)
    recurrent_timings, recurrent_facts = recurrent_rows(settings, random)
    speech_timings, speech_facts = speech_rows(settings, random)
    translation_timings, translation_facts = translation_rows(settings, random)
    rows = recurrent_timings + speech_timings + translation_timings
    with RunWriter(Path(tensorboard_directory)) as writer:
        for index, row in enumerate(rows):
            writer.scalar(
                f"throughput/{row['unit'].replace(' ', '_')}_per_second", row["per_second"], index
            )
        writer.text(
            "throughput/models", "\n".join(f"{i}: {r['model']}" for i, r in enumerate(rows))
        )
    return {
        "milestone": "benchmarks",
        "measurement": "throughput",
        "settings": settings,
        "models": recurrent_facts + speech_facts + translation_facts,
        "timing": {"measurement": "throughput", "rows": rows},
    }
