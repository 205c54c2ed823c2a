"""Summary of the 2017 milestone: Table 1 measured, and the Transformer against the LSTM.

Reads the layer timings (one document per thread count), the layer structure
(sequential operations, memory, path length), the Transformer's and the reversed-source
LSTM's training runs and their wall-clock files. Growth with n is summarised by the
slope of log(value) against log(n) over the longer lengths (``fit_from_length`` on),
where fixed per-call overheads no longer hide the layer's own cost.
"""

from __future__ import annotations

import numpy as np

from recurrent_bottleneck.milestones.layer_cost import LAYER_KINDS

# The paper's Table 1 (n: sequence length, d: width, k: kernel size, r: neighbourhood).
PAPER_TABLE_1 = {
    "recurrent": {"complexity": "O(n·d²)", "sequential": "O(n)", "path": "O(n)"},
    "self_attention": {"complexity": "O(n²·d)", "sequential": "O(1)", "path": "O(1)"},
    "convolution": {"complexity": "O(k·n·d²)", "sequential": "O(1)", "path": "O(log_k n)"},
}
# Training cost and quality reported by the paper (base model).
PAPER_TRANSFORMER = {
    "base_steps": 100_000,
    "base_seconds_per_step": 0.4,
    "base_hours_on_8_p100": 12,
    "bleu_en_de": 27.3,
    "bleu_en_fr": 38.1,
}


def growth_exponent(lengths, values, from_length: int) -> float | None:
    """Slope of log(value) against log(n) over the lengths from ``from_length`` on."""
    points = [
        (length, value)
        for length, value in zip(lengths, values, strict=True)
        if length >= from_length and value is not None and value > 0
    ]
    if len(points) < 2:
        return None
    slope, _ = np.polyfit(np.log([p[0] for p in points]), np.log([p[1] for p in points]), 1)
    return float(slope)


def time_to_quality(curve: list[dict], training_seconds: list[float], target: float):
    """Training seconds until the validation perplexity first reaches ``target``."""
    for point, seconds in zip(curve, training_seconds, strict=False):
        if point["validation_perplexity"] <= target:
            return seconds
    return None


def median_or_none(values):
    values = [value for value in values if value is not None]
    return float(np.median(values)) if values else None


def summarize_layers(timing_documents, structure_document, measurements: dict) -> dict:
    table = []
    by_threads = {
        document["environment"]["threads"]: document["rows"] for document in timing_documents
    }
    single = by_threads.get(min(by_threads)) if by_threads else []
    settings = (timing_documents[0]["settings"] if timing_documents else None) or (
        structure_document["settings"] if structure_document else {}
    )
    from_length = settings.get("fit_from_length", 0)
    structure_rows = structure_document["rows"] if structure_document else []
    for kind in LAYER_KINDS:
        timed = sorted(
            (r for r in single if r["layer"] == kind and r["sweep"] == "length"),
            key=lambda r: r["length"],
        )
        widths = sorted(
            (r for r in single if r["layer"] == kind and r["sweep"] == "width"),
            key=lambda r: r["width"],
        )
        built = sorted((r for r in structure_rows if r["layer"] == kind), key=lambda r: r["length"])
        if not timed and not built:
            continue
        row = {"layer": kind, **PAPER_TABLE_1[kind]}
        if timed:
            row["time_length_exponent"] = growth_exponent(
                [r["length"] for r in timed], [r["seconds_per_step"] for r in timed], from_length
            )
            row["longest_length"] = timed[-1]["length"]
            row["milliseconds_longest"] = 1000 * timed[-1]["seconds_per_step"]
            row["tokens_per_second_longest"] = timed[-1]["tokens_per_second"]
        if widths:
            row["time_width_exponent"] = growth_exponent(
                [r["width"] for r in widths], [r["seconds_per_step"] for r in widths], 0
            )
        if built:
            lengths = [r["length"] for r in built]
            row["sequential_operations"] = {r["length"]: r["sequential_operations"] for r in built}
            row["sequential_operations_exponent"] = growth_exponent(
                lengths, [r["sequential_operations"] for r in built], 0
            )
            row["memory_length_exponent"] = growth_exponent(
                lengths, [r["temporary_bytes"] for r in built], from_length
            )
            paths = [r for r in built if "path_length" in r]
            row["path_length"] = {r["length"]: r["path_length"] for r in paths}
            row["path_length_exponent"] = growth_exponent(
                [r["length"] for r in paths], [r["path_length"] for r in paths], 0
            )
            row["longest_path"] = max((r["path_length"] for r in paths), default=None)
            if any("dilated_path_length" in r for r in paths):
                row["dilated_path_length"] = {r["length"]: r["dilated_path_length"] for r in paths}
        speedups = {}
        if len(by_threads) >= 2:
            fewest, most = min(by_threads), max(by_threads)
            for length_row in timed:
                other = next(
                    (
                        r
                        for r in by_threads[most]
                        if r["layer"] == kind
                        and r["sweep"] == "length"
                        and r["length"] == length_row["length"]
                    ),
                    None,
                )
                if other:
                    speedups[length_row["length"]] = (
                        length_row["seconds_per_step"] / other["seconds_per_step"]
                    )
            row["thread_counts"] = [fewest, most]
            row["speedup"] = speedups
            row["speedup_longest"] = speedups[max(speedups)] if speedups else None
        table.append(row)
        for key in (
            "time_length_exponent",
            "time_width_exponent",
            "sequential_operations_exponent",
            "memory_length_exponent",
            "path_length_exponent",
            "longest_path",
            "speedup_longest",
            "milliseconds_longest",
        ):
            if row.get(key) is not None:
                measurements[f"{kind}_{key}"] = row[key]
    # the first length at which attention's step is slower than the recurrent layer's
    length_rows = [r for r in single if r["sweep"] == "length"]
    recurrent = {
        r["length"]: r["seconds_per_step"] for r in length_rows if r["layer"] == "recurrent"
    }
    crossover = next(
        (
            r["length"]
            for r in sorted(length_rows, key=lambda r: r["length"])
            if r["layer"] == "self_attention"
            and r["length"] in recurrent
            and r["seconds_per_step"] > recurrent[r["length"]]
        ),
        None,
    )
    measurements["attention_slower_than_recurrent_from_length"] = crossover
    if timing_documents:
        measurements["layer_timing_repeats"] = settings["repeats"]
    if table:
        measurements["layer_longest_length"] = max(
            (row.get("longest_length") or 0 for row in table), default=None
        )
    if structure_rows:
        measurements["structure_longest_length"] = max(r["length"] for r in structure_rows)
    return {"table": table, "timing_threads": sorted(by_threads)}


def summarize_translation(runs: dict, timings: dict, measurements: dict) -> dict:
    """Transformer against the reversed-source LSTM: quality, parameters, time to quality."""
    if "transformer" not in runs or "lstm" not in runs:
        return {}
    rows = {}
    for architecture, document in runs.items():
        seeds = document["runs"]
        rows[architecture] = {
            "architecture": architecture,
            "direction": document["direction"],
            "seeds": len(seeds),
            "parameters": seeds[0].get("parameters"),
            "test_perplexity": median_or_none([run["test_perplexity"] for run in seeds]),
            "test_bleu_greedy": median_or_none([run["test_bleu_greedy"] for run in seeds]),
            "test_bleu_beam": median_or_none([run["test_bleu_beam"] for run in seeds]),
            "best_validation_perplexity": median_or_none(
                [min(p["validation_perplexity"] for p in run["curve"]) for run in seeds]
            ),
            "curves": [run["curve"] for run in seeds],
        }
    # the quality both reach: the worse of the two architectures' best perplexities
    target = max(row["best_validation_perplexity"] for row in rows.values())
    for architecture, row in rows.items():
        timing = timings.get(architecture)
        row["training_seconds"] = (
            [run["training_seconds"] for run in timing["runs"]] if timing else None
        )
        row["seconds_to_target"] = (
            median_or_none(
                [
                    time_to_quality(curve, seconds, target)
                    for curve, seconds in zip(row["curves"], row["training_seconds"], strict=True)
                ]
            )
            if timing
            else None
        )
        row["words_per_second"] = median_or_none(timing["words_per_second"]) if timing else None
    transformer, lstm = rows["transformer"], rows["lstm"]
    measurements.update(
        {
            "translation_seeds": min(transformer["seeds"], lstm["seeds"]),
            "target_validation_perplexity": target,
            "transformer_parameters": transformer["parameters"],
            "lstm_parameters": lstm["parameters"],
            "transformer_test_bleu": transformer["test_bleu_greedy"],
            "lstm_test_bleu": lstm["test_bleu_greedy"],
            "transformer_test_perplexity": transformer["test_perplexity"],
            "lstm_test_perplexity": lstm["test_perplexity"],
            "transformer_seconds_to_target": transformer["seconds_to_target"],
            "lstm_seconds_to_target": lstm["seconds_to_target"],
            "transformer_words_per_second": transformer["words_per_second"],
            "lstm_words_per_second": lstm["words_per_second"],
        }
    )
    if transformer["seconds_to_target"] and lstm["seconds_to_target"]:
        measurements["transformer_to_lstm_time_ratio"] = (
            transformer["seconds_to_target"] / lstm["seconds_to_target"]
        )
    return {"rows": rows, "target_validation_perplexity": target}


def summarize(documents: list[dict]) -> dict:
    timing_documents = [d for d in documents if d.get("measurement") == "layer_timing"]
    structure_document = next(
        (d for d in documents if d.get("measurement") == "layer_structure"), None
    )
    runs = {
        d["settings"].get("architecture", "lstm"): d
        for d in documents
        if d.get("milestone") == "sequence_to_sequence" and "runs" in d
    }
    timings = {
        d["architecture"]: d for d in documents if d.get("measurement") == "translation_timing"
    }
    measurements: dict = {}
    layers = summarize_layers(timing_documents, structure_document, measurements)
    translation = summarize_translation(runs, timings, measurements)
    devices = sorted(
        {
            f"{d['environment'].get('device', '?')} ({d['environment'].get('backend', '?')}, "
            f"{d['environment'].get('cpu', '?')})"
            for d in documents
            if "environment" in d
        }
    )
    return {
        "milestone": "attention",
        "measurements": measurements,
        "layers": layers,
        "timing_rows": {
            str(document["environment"]["threads"]): document["rows"]
            for document in timing_documents
        },
        "translation": translation,
        "paper": {"table_1": PAPER_TABLE_1, "transformer": PAPER_TRANSFORMER},
        "devices": devices,
    }
