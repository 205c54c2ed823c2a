"""Deep bidirectional LSTM against a tanh RNN for phoneme recognition (Graves, Mohamed
& Hinton 2013).

The nets read an utterance's frames x_1..x_T (:mod:`recurrent_bottleneck.tasks.speech`,
a synthetic stand-in for TIMIT) and are trained end to end with connectionist temporal
classification (CTC), the paper's CTC networks:

- a bidirectional layer runs one recurrent net forwards, h→_t = H(x_t, h→_(t-1)), and
  one backwards, h←_t = H(x_t, h←_(t+1)), and hands [h→_t ; h←_t] to the layer above;
  ``layers`` such layers are stacked (the paper's deep RNNs);
- H is an LSTM (Keras' LSTM: input, forget and output gates) or a tanh unit,
  h_t = tanh(W x_t + U h_(t-1) + b) (the paper's "tanh" net, with about the LSTM's
  number of weights: more units);
- a softmax over the phones and a blank reads every frame's top-layer vector: y_t(k).
  CTC sums the probability of every frame labelling that collapses to the target phone
  sequence z (repeated labels merged, blanks removed): loss = -ln sum_a prod_t y_t(a_t).

Decoding takes the best path (the most probable label at every frame, collapsed the
same way), and the phone error rate is the edit distance to the reference over the
number of reference phones. Per epoch: one pass over the training utterances, then the
validation phone error rate; the weights of the epoch with the lowest one are tested
on the test utterances (early stopping, as the paper). With a checkpoint directory a
killed job resumes after the last epoch it finished.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from recurrent_bottleneck.checkpoints import Checkpoint, run_checkpoint
from recurrent_bottleneck.kept_models import KeptModels
from recurrent_bottleneck.tasks import speech

MODELS = ("lstm", "tanh")


def ctc_loss(packed_targets, logits):
    """CTC loss per utterance. ``packed_targets``: column 0 the utterance's frame count,
    then its labels (1..phones, 0 after the end); ``logits``: (batch, frames, phones + 1),
    label 0 the blank."""
    import keras

    packed_targets = keras.ops.cast(packed_targets, "int32")
    frame_counts, labels = packed_targets[:, 0], packed_targets[:, 1:]
    label_counts = keras.ops.sum(keras.ops.cast(labels > 0, "int32"), axis=-1)
    return keras.ops.ctc_loss(labels, logits, label_counts, frame_counts, mask_index=0)


def build_model(
    kind: str,
    layers: int,
    units: int,
    channels: int,
    phones: int,
    learning_rate: float,
    clip_norm: float | None,
):
    """``layers`` bidirectional LSTM or tanh layers -> a linear read-out over the phones
    and the blank (the softmax is CTC's). Frames after an utterance's end are zeros and
    masked, so the backward nets start at the utterance's own last frame."""
    import keras

    if kind not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, got {kind!r}")

    class EndOfMask(keras.layers.Layer):
        """The mask stops here: CTC reads the frame counts itself, and Keras would
        otherwise weight the per-utterance loss by the per-frame mask."""

        def call(self, inputs):
            return keras.ops.copy(inputs)

        def compute_mask(self, inputs, mask=None):
            return None

    frames = keras.Input(shape=(None, channels), name="frames")
    hidden = keras.layers.Masking(mask_value=0.0, name="padding")(frames)
    for layer in range(layers):
        if kind == "lstm":
            recurrent = keras.layers.LSTM(units, return_sequences=True)
        else:
            recurrent = keras.layers.SimpleRNN(units, activation="tanh", return_sequences=True)
        hidden = keras.layers.Bidirectional(recurrent, name=f"bidirectional_{layer + 1}")(hidden)
    logits = keras.layers.Dense(phones + 1, name="phones_and_blank")(hidden)
    model = keras.Model(frames, EndOfMask(name="end_of_mask")(logits), name=f"ctc_{kind}")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate, clipnorm=clip_norm),
        loss=ctc_loss,
        # XLA: on the development CPU (TensorFlow, one thread) a training step of the quick
        # nets took 17-20 ms instead of 29-36 ms; the splits' fixed widths compile once each
        jit_compile=True,
    )
    return model


def lstm_weights(layers: int, units: int, channels: int, phones: int) -> int:
    """The weights of ``build_model("lstm", layers, units, channels, phones, ...)``.

    A bidirectional LSTM layer reading n values with u units a direction has
    2 · 4u(n + u + 1) weights: each direction's four gate inputs see the n values, the
    u outputs of the step before and a bias. The first layer reads the ``channels``, every
    later one the 2u of the layer below; the read-out has 2u(K + 1) + K + 1 for the K
    ``phones`` and the blank."""
    total, inputs = 0, channels
    for _ in range(layers):
        total += 2 * 4 * units * (inputs + units + 1)
        inputs = 2 * units
    return total + (inputs + 1) * (phones + 1)


def wide_units(layers: int, units: int, channels: int, phones: int) -> int:
    """Units a direction of the one-layer bidirectional LSTM whose weights come closest to
    ``layers`` layers of ``units``: the paper set one layer of 622 against three of 250
    (3.8 million weights each), to tell depth from size."""
    target = lstm_weights(layers, units, channels, phones)
    width = units
    while lstm_weights(1, width + 1, channels, phones) <= target:
        width += 1
    above = lstm_weights(1, width + 1, channels, phones) - target
    return width + 1 if above < target - lstm_weights(1, width, channels, phones) else width


def best_path(model, frames: np.ndarray, frame_counts: np.ndarray, batch_size: int) -> np.ndarray:
    """The best-path labelling of every utterance (labels 1..phones, then padding)."""
    import keras

    logits = model.predict(frames, batch_size=batch_size, verbose=0)
    decoded, _ = keras.ops.ctc_decode(
        logits, frame_counts, strategy="greedy", merge_repeated=True, mask_index=0
    )
    return keras.ops.convert_to_numpy(decoded[0])


def phone_error_rate(model, split: tuple, batch_size: int) -> float:
    frames, frame_counts, labels = split
    return speech.phone_error_rate(labels, best_path(model, frames, frame_counts, batch_size))


def make_splits(settings: dict) -> tuple[speech.Language, dict]:
    """The language and the training, validation and test utterances (one corpus seed:
    every model and seed of a run sees the same data)."""
    corpus = settings["corpus"]
    language = speech.make_language(corpus["seed"], corpus["phones"], corpus["channels"])
    splits = {}
    for number, name in enumerate(("training", "validation", "test")):
        random = np.random.default_rng([corpus["seed"], number])
        splits[name] = speech.corpus(random, language, corpus[f"{name}_utterances"], corpus)
    return language, splits


def packed_targets(split: tuple) -> np.ndarray:
    """What ``ctc_loss`` reads as targets: the frame count, then the labels."""
    _, frame_counts, labels = split
    return np.concatenate([frame_counts[:, None], labels], axis=1)


def train_one(
    kind: str,
    seed: int,
    settings: dict,
    language,
    splits: dict,
    writer,
    kept: KeptModels,
    checkpoint_directory=None,
) -> tuple[dict, dict]:
    """One net for ``settings["epochs"]`` epochs; returns its record and its timing.

    With a checkpoint directory the run saves its progress after every epoch (weights,
    optimizer, the shuffling generator, the curve) and, whenever the validation error
    improves, the weights of that epoch in a second file, so a killed run resumes and
    still tests the best epoch's weights."""

    def start():
        return kept.start(
            seed,
            lambda: build_model(
                kind,
                settings["layers"],
                settings[f"{kind}_units"],
                language.channels,
                language.phones,
                settings["learning_rate"],
                settings.get("clip_norm"),
            ),
        )

    model = start()
    frames = splits["training"][0]
    targets = packed_targets(splits["training"])
    shuffle = np.random.default_rng([seed, 13])
    shuffle_start = shuffle.bit_generator.state
    checkpoint = run_checkpoint(checkpoint_directory, settings, seed, shuffle)
    best_checkpoint = None
    if checkpoint is not None:
        best_checkpoint = Checkpoint(
            Path(checkpoint_directory) / f"seed_{seed}.best.npz",
            {"settings": settings, "seed": seed, "best_epoch_weights": True},
        )
    record = {"curve": [], "best_epoch": None, "validation_phone_error_rate": None}
    best_weights, training_seconds = None, 0.0
    # the best epoch's weights first: restoring the run itself then sets the model back to
    # where the run stopped
    if best_checkpoint is not None and best_checkpoint.restore(model) is not None:
        best_weights = model.get_weights()
    progress = checkpoint.restore(model) if checkpoint is not None else None
    if progress is not None and progress["record"]["best_epoch"] is not None and not best_weights:
        # the best epoch's weights are lost (their file was set aside): start over
        print(f"  {best_checkpoint.path} is missing: seed {seed} starts over", flush=True)
        model, progress = start(), None
        shuffle.bit_generator.state = shuffle_start
    if progress is not None:
        record, training_seconds = progress["record"], progress["training_seconds"]
        record.setdefault("resumed_after_epochs", []).append(len(record["curve"]))
        for point in record["curve"]:
            writer.scalars(_tensorboard_values(point), step=point["epoch"])
        print(f"  resumed from {checkpoint.path} after {len(record['curve'])} epochs", flush=True)
    started = time.perf_counter()
    for epoch in range(len(record["curve"]) + 1, settings["epochs"] + 1):
        order = shuffle.permutation(len(frames))
        epoch_started = time.perf_counter()
        history = model.fit(
            frames[order],
            targets[order],
            batch_size=settings["batch_size"],
            epochs=1,
            shuffle=False,
            verbose=0,
        )
        training_seconds += time.perf_counter() - epoch_started
        point = {
            "epoch": epoch,
            "train_loss": float(history.history["loss"][-1]),
            "validation_phone_error_rate": phone_error_rate(
                model, splits["validation"], settings["batch_size"]
            ),
        }
        record["curve"].append(point)
        writer.scalars(_tensorboard_values(point), step=epoch)
        best_rate = record["validation_phone_error_rate"]
        if best_rate is None or point["validation_phone_error_rate"] < best_rate:
            record["best_epoch"] = epoch
            record["validation_phone_error_rate"] = point["validation_phone_error_rate"]
            best_weights = model.get_weights()
            if best_checkpoint is not None:
                best_checkpoint.save(model, {"epoch": epoch})
        if checkpoint is not None:
            checkpoint.save(model, {"record": record, "training_seconds": training_seconds})
        print(
            f"  {kind} seed {seed} epoch {epoch}: CTC loss {point['train_loss']:.3f}, "
            f"validation phone error rate {point['validation_phone_error_rate']:.3f} "
            f"({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    model.set_weights(best_weights)
    test_rate = phone_error_rate(model, splits["test"], settings["batch_size"])
    writer.scalar("test/phone_error_rate", test_rate, step=record["best_epoch"])
    record = {
        "seed": seed,
        "parameters": int(model.count_params()),
        **record,
        "test_phone_error_rate": test_rate,
    }
    frames_seen = int(splits["training"][1].sum()) * settings["epochs"]
    timing = {"seed": seed, "training_seconds": training_seconds, "frames": frames_seen}
    return record, timing


def _tensorboard_values(point: dict) -> dict:
    return {
        "train/ctc_loss": point["train_loss"],
        "validation/phone_error_rate": point["validation_phone_error_rate"],
    }


def run(settings: dict, tensorboard_directory, checkpoint_directory=None) -> dict:
    """Every seed of one model (``settings["model"]``: lstm or tanh) on one corpus; with a
    checkpoint directory, each seed's progress is kept there and a rerun resumes it."""
    import keras

    from recurrent_bottleneck.tensorboard_log import RunWriter

    kind = settings["model"]
    tensorboard_directory = Path(tensorboard_directory)
    language, splits = make_splits(settings)
    print(
        f"speech: {language.phones} phones, {language.channels} channels; "
        + ", ".join(
            f"{name} {len(split[0])} utterances ({split[1].mean():.0f} frames on average)"
            for name, split in splits.items()
        ),
        flush=True,
    )
    runs, timings, kept = [], [], KeptModels()
    for seed in range(settings["seeds"]):
        with RunWriter(tensorboard_directory / f"seed_{seed}") as writer:
            writer.hparams(
                {
                    "model": kind,
                    "seed": seed,
                    "layers": settings["layers"],
                    "units": settings[f"{kind}_units"],
                    "learning_rate": settings["learning_rate"],
                },
                # the depth comparison's nets are LSTMs too: their own name keeps the
                # HParams dashboard from grouping them with the main LSTM's seeds
                trial_id="/".join(filter(None, (kind, settings.get("depth_net"), f"seed_{seed}"))),
            )
            record, timing = train_one(
                kind, seed, settings, language, splits, writer, kept, checkpoint_directory
            )
        print(
            f"speech {kind} seed {seed}: test phone error rate "
            f"{record['test_phone_error_rate']:.3f} (best epoch {record['best_epoch']})",
            flush=True,
        )
        runs.append(record)
        timings.append(timing)
    keras.backend.clear_session()
    return {
        "milestone": "speech",
        "model": kind,
        "settings": settings,
        "runs": runs,
        "timing": {
            "measurement": "speech_timing",
            "model": kind,
            "frames_per_second": [t["frames"] / t["training_seconds"] for t in timings],
            "runs": timings,
        },
    }
