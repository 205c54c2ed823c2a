"""Sequence to sequence with a reversed source (Sutskever, Vinyals & Le 2014).

One job trains the deep LSTM encoder–decoder (:mod:`recurrent_bottleneck.translation.model`)
in one direction, ``forward`` (source words in order) or ``reversed`` (source words
reversed, target unchanged), for every seed, on the same corpus and splits. The paper's
argument: in order, the first target words are far from the source words they depend
on (the whole source lies between them); reversed, they are close, so the optimiser
"establishes communication" between source and target early and learns faster.

Per epoch: length-bucketed mini-batches (each cut after its longest sentence, rounded up
to a multiple of ``length_step`` tokens: few steps over padding, few shapes to compile),
teacher forcing, the learning-rate schedule (SGD halved every ``halve_every_epochs``
after ``halve_after_epochs``, as the paper, or Adam), then validation perplexity and
greedy BLEU (on the first ``validation_bleu_sentences`` validation sentences). At the
end, on the test split: token perplexity, corpus BLEU (sacrebleu) with greedy decoding
and with beam search, and BLEU by source length (the paper's Figure 3). Throughput
(words per second) is a wall-clock measurement and goes to ``timing`` apart from the
results.

With a checkpoint directory, every seed saves its progress after each epoch and once
more when it has been tested; a job started again goes on from the last epoch saved.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np

from recurrent_bottleneck.checkpoints import run_checkpoint
from recurrent_bottleneck.kept_models import KeptModels
from recurrent_bottleneck.translation import corpus, synthetic, vocabulary
from recurrent_bottleneck.translation.decoding import beam_search, greedy

DIRECTIONS = ("forward", "reversed")


def prepare_data(settings: dict) -> dict:
    """Corpus -> tokens -> vocabularies (from the training split) -> encoded splits."""
    pairs = corpus.load_corpus(settings["corpus"], seed=settings["corpus"]["seed"])
    tokenized = [
        (vocabulary.tokenize(source), vocabulary.tokenize(target)) for source, target in pairs
    ]
    # the paper's length limit, applied before splitting so the splits stay aligned
    longest = settings["max_length"]
    tokenized = [pair for pair in tokenized if max(map(len, pair)) <= longest]
    splits = vocabulary.split_corpus(
        tokenized,
        settings["corpus"]["seed"],
        settings["validation_fraction"],
        settings["test_fraction"],
    )
    source_vocabulary = vocabulary.Vocabulary(
        [source for source, _ in splits["train"]], settings["source_vocabulary_size"]
    )
    target_vocabulary = vocabulary.Vocabulary(
        [target for _, target in splits["train"]], settings["target_vocabulary_size"]
    )
    reverse = settings["direction"] == "reversed"
    encoded = {
        name: vocabulary.encode_pairs(split, source_vocabulary, target_vocabulary, reverse, None)
        for name, split in splits.items()
    }
    return {
        "splits": splits,
        "encoded": encoded,
        "source_vocabulary": source_vocabulary,
        "target_vocabulary": target_vocabulary,
        "pairs": len(pairs),
    }


def batch_arrays(
    encoded: dict, rows: np.ndarray, length_step: int
) -> tuple[list[np.ndarray], np.ndarray]:
    """([source, decoder input], decoder target) of the chosen sentences, cut after the
    longest of them, rounded up to a multiple of ``length_step`` tokens.

    The arrays of a split are padded to its longest sentence; the padding is masked, so
    cutting it changes no result (the LSTM keeps its state over masked steps, the loss
    and attention skip them) and saves the steps: on the quick corpus a batch's longest
    sentence has 13 tokens where the split's has 34. A backend that compiles once per
    array shape (JAX, XLA) compiles once per width met: a larger step means fewer
    compilations and more padding, and a step longer than every sentence pads each batch
    to the split's width (one shape).
    """

    def cut(longest: int, width: int) -> int:
        return min(width, -(-int(longest) // length_step) * length_step)

    source_width = cut(encoded["source_lengths"][rows].max(), encoded["source"].shape[1])
    target_width = cut(encoded["target_lengths"][rows].max() + 1, encoded["decoder_input"].shape[1])
    return (
        [encoded["source"][rows, :source_width], encoded["decoder_input"][rows, :target_width]],
        encoded["decoder_target"][rows, :target_width],
    )


def perplexity(training_model, encoded: dict, batch_size: int, length_step: int) -> float:
    """exp of the mean negative log probability per target token (<eos> included)."""
    by_length = np.argsort(encoded["source_lengths"] + encoded["target_lengths"], kind="stable")
    total, tokens = 0.0, 0
    for start in range(0, len(by_length), batch_size):
        rows = by_length[start : start + batch_size]
        inputs, targets = batch_arrays(encoded, rows, length_step)
        log_probabilities = np.asarray(training_model.predict_on_batch(inputs))
        picked = np.take_along_axis(log_probabilities, targets[..., None], -1)[..., 0]
        mask = targets != 0
        total += float(picked[mask].sum())
        tokens += int(mask.sum())
    return math.exp(-total / tokens)


def decoders(models, architecture: str = "lstm") -> dict:
    """``initial_states(source)`` and ``step`` of a model, compiled once per training run."""
    from recurrent_bottleneck.translation import transformer
    from recurrent_bottleneck.translation.model import compiled, initial_states, step_function

    if architecture == "transformer":
        return transformer.decoding_functions(models)
    _, encoder_model, decoder_model = models
    encode = compiled(encoder_model)
    return {
        "initial_states": lambda source: initial_states(encoder_model, source, encode),
        "step": step_function(decoder_model),
    }


def translate(decoding: dict, encoded: dict, target_vocabulary, settings: dict, beam_size: int):
    """Decoded target sentences (strings) for the encoded sources."""
    step, initial_states = decoding["step"], decoding["initial_states"]
    bos, eos = target_vocabulary.bos, target_vocabulary.eos
    max_length = settings["max_length"] + 1
    hypotheses = []
    batch_size = settings["batch_size"]
    for start in range(0, len(encoded["source"]), batch_size):
        states = initial_states(encoded["source"][start : start + batch_size])
        if beam_size == 1:
            hypotheses += greedy(step, states, bos, eos, max_length)
        else:
            reorder = decoding.get("reorder")  # None: beam search indexes NumPy states
            for index in range(len(states[0])):
                tokens, _ = beam_search(
                    step, states, bos, eos, max_length, beam_size, reorder, sentence=index
                )
                hypotheses.append(tokens)
    return [" ".join(target_vocabulary.decode(tokens)) for tokens in hypotheses]


def bleu(hypotheses: list[str], references: list[str]) -> float:
    import sacrebleu

    # the text is tokenized already: BLEU over our tokens, no further splitting
    return float(sacrebleu.corpus_bleu(hypotheses, [references], tokenize="none").score)


def bleu_by_length(hypotheses, references, source_lengths, edges) -> list[dict]:
    """Corpus BLEU of the test sentences grouped by source length (the paper's Figure 3)."""
    rows = []
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        chosen = [i for i, length in enumerate(source_lengths) if low <= length < high]
        if chosen:
            rows.append(
                {
                    "from": int(low),
                    "to": int(high - 1),
                    "sentences": len(chosen),
                    "bleu": bleu([hypotheses[i] for i in chosen], [references[i] for i in chosen]),
                }
            )
    return rows


def learning_rate_at(settings: dict, epoch: int) -> float:
    """The paper's schedule for SGD: constant, then halved every half epoch (here:
    every ``halve_every_epochs``) after ``halve_after_epochs``; Adam keeps its rate."""
    rate = settings["learning_rate"]
    if settings["optimizer"] != "sgd" or epoch < settings["halve_after_epochs"]:
        return rate
    halvings = 1 + int((epoch - settings["halve_after_epochs"]) / settings["halve_every_epochs"])
    return rate / 2**halvings


def build_models(settings: dict, data: dict):
    """The LSTM encoder–decoder (2014) or, with ``architecture: transformer``, the
    Transformer (2017, its settings under ``transformer``), for the data's vocabularies."""
    from recurrent_bottleneck.translation import model, transformer

    sizes = len(data["source_vocabulary"]), len(data["target_vocabulary"])
    if settings["architecture"] == "transformer":
        options = settings["transformer"]
        return transformer.build(
            *sizes,
            layers=options["layers"],
            width=options["width"],
            heads=options["heads"],
            feed_forward=options["feed_forward"],
            dropout=options["dropout"],
            max_length=settings["max_length"] + 2,
            warmup_steps=options["warmup_steps"],
            label_smoothing=options["label_smoothing"],
            clip_norm=settings["clip_norm"],
        )
    return model.build(
        *sizes,
        layers=settings["layers"],
        units=settings["units"],
        embedding=settings["embedding"],
        initial_range=settings["initial_range"],
        optimizer=settings["optimizer"],
        learning_rate=settings["learning_rate"],
        clip_norm=settings["clip_norm"],
        # deeper stacks (2016, residual_stacks): residual connections, bidirectional
        # bottom, attention
        residual_from=settings.get("residual_from"),
        bidirectional_bottom=settings.get("bidirectional_bottom", False),
        attention=settings.get("attention", False),
    )


def test_scores(settings: dict, decoding: dict, training_model, data: dict) -> dict:
    """Perplexity, BLEU (greedy, beam, by source length) and sample translations on the
    test split."""
    test, test_pairs = data["encoded"]["test"], data["splits"]["test"]
    target_vocabulary = data["target_vocabulary"]
    references = [" ".join(target) for _, target in test_pairs]
    beam_count = min(settings["beam_sentences"], len(references))
    beam_subset = {key: value[:beam_count] for key, value in test.items()}
    started = time.perf_counter()
    test_perplexity = perplexity(
        training_model, test, settings["batch_size"], settings["length_step"]
    )
    progress(f"test perplexity {test_perplexity:.2f} ({len(references)} sentences)", started)
    started = time.perf_counter()
    greedy_hypotheses = translate(decoding, test, target_vocabulary, settings, 1)
    progress(f"greedy decoding of {len(references)} test sentences", started)
    started = time.perf_counter()
    beam_hypotheses = translate(
        decoding, beam_subset, target_vocabulary, settings, settings["beam_size"]
    )
    progress(f"beam search (beam {settings['beam_size']}) on {beam_count} sentences", started)
    samples = "\n".join(
        f"* source: {' '.join(source)}\n  reference: {reference}\n  ours: {hypothesis}"
        for (source, _), reference, hypothesis in list(
            zip(test_pairs, references, greedy_hypotheses, strict=True)
        )[:5]
    )
    return {
        "test_perplexity": test_perplexity,
        "test_bleu_greedy": bleu(greedy_hypotheses, references),
        "test_bleu_beam": bleu(beam_hypotheses, references[:beam_count]),
        "test_bleu_greedy_on_beam_sentences": bleu(
            greedy_hypotheses[:beam_count], references[:beam_count]
        ),
        "beam_sentences": beam_count,
        "bleu_by_source_length": bleu_by_length(
            greedy_hypotheses,
            references,
            [int(length) for length in test["source_lengths"]],
            settings["length_edges"],
        ),
        "samples": samples,
    }


def progress(what: str, started: float) -> None:
    """One line of progress for a step that can take minutes at paper scale."""
    print(f"{what}: {time.perf_counter() - started:.0f} s", flush=True)


def _epoch_values(point: dict) -> dict:
    values = {
        "train/loss": point["train_loss"],
        "train/learning_rate": point["learning_rate"],
        "validation/perplexity": point["validation_perplexity"],
        "validation/bleu": point["validation_bleu"],
    }
    for layer, norm in point.get("layer_gradient_norms", {}).items():
        values[f"gradient_norm/{layer}"] = norm
    return values


def layer_gradient_norms(
    training_model, encoded: dict, batch_size: int, length_step: int
) -> dict[str, float]:
    """Norm of the loss gradient per layer on the first ``batch_size`` sentences of a
    split: how much of the error signal reaches each layer of the stack (2016)."""
    from recurrent_bottleneck.autodiff import layer_gradient_norms as norms
    from recurrent_bottleneck.translation.model import mean_negative_log_likelihood

    rows = np.arange(min(batch_size, len(encoded["source"])))
    inputs, targets = batch_arrays(encoded, rows, length_step)
    return norms(training_model, mean_negative_log_likelihood, inputs, targets)


def train_one(
    settings: dict,
    data: dict,
    seed: int,
    tensorboard_directory: Path,
    checkpoint_directory=None,
    kept: KeptModels | None = None,
) -> dict:
    """One seed: train, measure after every epoch, test. ``kept`` holds the models
    traced for the job's first seed, which the later seeds start from afresh."""
    from recurrent_bottleneck.tensorboard_log import RunWriter

    kept = KeptModels() if kept is None else kept
    encoded, target_vocabulary = data["encoded"], data["target_vocabulary"]
    architecture = settings["architecture"]
    models = kept.start(seed, lambda: build_models(settings, data))
    if "decoding" not in kept.compiled:
        kept.compiled["decoding"] = decoders(models, architecture)
    training_model, decoding = models[0], kept.compiled["decoding"]
    train = encoded["train"]
    # per-epoch BLEU on the first sentences of the validation split (decoding is slow on
    # a CPU); perplexity uses all of it
    bleu_count = settings["validation_bleu_sentences"]
    validation_references = [
        " ".join(target) for _, target in data["splits"]["validation"][:bleu_count]
    ]
    validation_subset = {key: value[:bleu_count] for key, value in encoded["validation"].items()}
    record = {"curve": [], "diverged": False, "parameters": int(training_model.count_params())}
    measure_gradients = settings.get("layer_gradients", False)
    length_step = settings["length_step"]
    shapes_met: set[tuple] = set()
    words, seconds, elapsed = 0, 0.0, []
    checkpoint = run_checkpoint(checkpoint_directory, settings, seed)
    progress = checkpoint.restore(training_model) if checkpoint is not None else None
    if progress is None and measure_gradients:  # before the first update
        record["initial_layer_gradient_norms"] = layer_gradient_norms(
            training_model, encoded["validation"], settings["batch_size"], length_step
        )
    if progress is not None:
        record, (words, seconds, elapsed) = progress["record"], progress["timing"]
        if not progress["finished"]:
            record.setdefault("resumed_after_epochs", []).append(len(record["curve"]))
        print(f"resumed from {checkpoint.path} after {len(record['curve'])} epochs", flush=True)

    def save(finished: bool) -> None:
        if checkpoint is not None:
            progress = {"record": record, "timing": [words, seconds, elapsed], "finished": finished}
            checkpoint.save(training_model, progress)

    with RunWriter(tensorboard_directory / f"seed_{seed}") as writer:
        writer.hparams(
            {
                "architecture": architecture,
                "direction": settings["direction"],
                "seed": seed,
                "layers": settings["layers"],
                "units": settings["units"],
                "optimizer": settings["optimizer"],
                "beam_size": settings["beam_size"],
            },
            trial_id=f"{architecture}/{settings['direction']}/seed_{seed}",
        )
        initial_norms = record.get("initial_layer_gradient_norms", {})
        writer.scalars({f"gradient_norm/{key}": value for key, value in initial_norms.items()}, 0)
        for point in record["curve"]:
            writer.scalars(_epoch_values(point), step=point["epoch"])
        finished = progress is not None and progress["finished"]
        first_epoch = len(record["curve"])
        if record["diverged"] or finished:
            first_epoch = settings["epochs"]
        for epoch in range(first_epoch, settings["epochs"]):
            label = f"{architecture} {settings['direction']} seed {seed} epoch {epoch + 1}"
            if architecture == "transformer":  # the schedule lives in the optimizer
                rate = float(training_model.optimizer.learning_rate)
            else:
                rate = learning_rate_at(settings, epoch)
                training_model.optimizer.learning_rate.assign(rate)
            batches = vocabulary.length_buckets(
                train["source_lengths"] + train["target_lengths"],
                settings["batch_size"],
                seed * 1000 + epoch,
            )
            losses = []
            started = time.perf_counter()
            report_every = max(1, len(batches) // 10)  # progress: ten lines per epoch
            for index, batch in enumerate(batches, start=1):
                inputs, targets = batch_arrays(train, batch, length_step)
                step_started = time.perf_counter()
                loss = training_model.train_on_batch(inputs, targets)
                losses.append(float(loss))
                shape = tuple(part.shape for part in inputs)
                if shape not in shapes_met:  # where a compiling backend spends its time
                    shapes_met.add(shape)
                    print(
                        f"{label}: "
                        f"batch {index}, the first of shape source {shape[0]}, target "
                        f"{shape[1]} ({len(shapes_met)} met): "
                        f"{time.perf_counter() - step_started:.1f} s",
                        flush=True,
                    )
                if index % report_every == 0 and index < len(batches):
                    print(
                        f"{label}: "
                        f"batch {index}/{len(batches)}, "
                        f"loss {np.mean(losses[-report_every:]):.3f}, "
                        f"{time.perf_counter() - started:.0f} s",
                        flush=True,
                    )
                words += int(train["source_lengths"][batch].sum())
                words += int(train["target_lengths"][batch].sum())
            seconds += time.perf_counter() - started
            elapsed.append(seconds)
            train_loss = float(np.mean(losses))
            if not math.isfinite(train_loss):
                record["diverged"] = True
            validation_started = time.perf_counter()
            validation_perplexity = perplexity(
                training_model, encoded["validation"], settings["batch_size"], length_step
            )
            hypotheses = translate(decoding, validation_subset, target_vocabulary, settings, 1)
            validation_bleu = bleu(hypotheses, validation_references)
            validation_seconds = time.perf_counter() - validation_started
            point = {
                "epoch": epoch + 1,
                "learning_rate": rate,
                "train_loss": train_loss,
                "validation_perplexity": validation_perplexity,
                "validation_bleu": validation_bleu,
            }
            if measure_gradients:
                point["layer_gradient_norms"] = layer_gradient_norms(
                    training_model, encoded["validation"], settings["batch_size"], length_step
                )
            record["curve"].append(point)
            writer.scalars(_epoch_values(point), step=epoch + 1)
            save(finished=False)
            print(
                f"{label}: "
                f"loss {train_loss:.3f}, "
                f"validation perplexity {validation_perplexity:.2f}, BLEU {validation_bleu:.1f} "
                f"({validation_seconds:.0f} s)",
                flush=True,
            )
            if record["diverged"]:
                break

        if not finished:
            record.update(test_scores(settings, decoding, training_model, data))
            save(finished=True)
        writer.text("samples/test_translations", record["samples"], step=len(record["curve"]))
        writer.scalars(
            {
                "test/perplexity": record["test_perplexity"],
                "test/bleu_greedy": record["test_bleu_greedy"],
                "test/bleu_beam": record["test_bleu_beam"],
            },
            step=len(record["curve"]),
        )
    timing = {"seed": seed, "words": words, "seconds": seconds, "training_seconds": elapsed}
    return {"seed": seed, **record}, timing


def run(settings: dict, tensorboard_directory, checkpoint_directory=None) -> dict:
    """All seeds of one direction; the data and its splits are the same for every seed.
    With a checkpoint directory, each seed's progress is kept there and a rerun resumes it."""
    if settings["direction"] not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, got {settings['direction']!r}")
    tensorboard_directory = Path(tensorboard_directory)
    data = prepare_data(settings)
    print(
        f"{data['pairs']} sentence pairs; vocabularies {len(data['source_vocabulary'])} / "
        f"{len(data['target_vocabulary'])}; train {len(data['encoded']['train']['source'])}",
        flush=True,
    )
    import keras

    runs, timings, kept = [], [], KeptModels()
    for seed in range(settings["seeds"]):
        record, timing = train_one(
            settings, data, seed, tensorboard_directory, checkpoint_directory, kept
        )
        print(
            f"{settings['direction']} seed {seed}: test perplexity {record['test_perplexity']:.2f},"
            f" BLEU {record['test_bleu_greedy']:.1f} (greedy), {record['test_bleu_beam']:.1f} "
            f"(beam {settings['beam_size']})",
            flush=True,
        )
        runs.append(record)
        timings.append(timing)
    keras.backend.clear_session()
    return {
        "milestone": "sequence_to_sequence",
        "architecture": settings["architecture"],
        "direction": settings["direction"],
        "settings": settings,
        "data": {
            "pairs": data["pairs"],
            "source_vocabulary": len(data["source_vocabulary"]),
            "target_vocabulary": len(data["target_vocabulary"]),
            **{f"{name}_sentences": len(split) for name, split in data["splits"].items()},
            "description": synthetic.describe()
            if settings["corpus"]["source"] == "synthetic"
            else f"user corpus ({settings['corpus']['source']})",
        },
        "runs": runs,
        # wall-clock: written apart (timing.json), never part of the results
        "timing": {
            "measurement": "translation_timing",
            "architecture": settings["architecture"],
            "direction": settings["direction"],
            "words_per_second": [t["words"] / t["seconds"] for t in timings],
            "runs": timings,
        },
    }
