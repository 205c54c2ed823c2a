"""Summary of the 2016 experiment: quality and bottom-layer gradient against depth, plain
stacks against residual ones, and the timetable of a stack split across devices.

Wu et al. (2016) report that plain stacked LSTMs "work well up to 4 layers, barely with
6 layers, and very poorly beyond 8 layers", and that residual connections let them train
8-layer stacks. The measurements compare, for the deepest stack run, its test perplexity
with the best stack of at most ``SHALLOW`` layers: a ratio above 1 means deeper is worse.
"""

from __future__ import annotations

import numpy as np

from recurrent_bottleneck.summaries.sequence_to_sequence import direction_summary

SHALLOW = 4  # "well up to 4 layers"
PAPER = "8 + 8 layers with residual connections; plain stacks: well up to 4, very poorly beyond 8"


def variant_of(document: dict) -> str:
    settings = document["settings"]
    residual_from = settings.get("residual_from")
    has_residual = residual_from is not None and settings["layers"] >= residual_from
    return "residual" if has_residual else "plain"


def bottom_gradients(runs: list[dict]) -> dict:
    """Median over seeds of the gradient norm of the bottom encoder layer, before training
    and after the last epoch, and its share of the top decoder layer's."""

    def median(values):
        return float(np.median(values)) if values else None

    initial = [run["initial_layer_gradient_norms"] for run in runs]
    final = [run["curve"][-1]["layer_gradient_norms"] for run in runs if run["curve"]]
    return {
        "bottom_gradient_initial": median([norms["encoder_0"] for norms in initial]),
        "bottom_gradient_final": median([norms["encoder_0"] for norms in final]),
        "bottom_over_top_initial": median(
            [norms["encoder_0"] / norms[top_decoder(norms)] for norms in initial]
        ),
    }


def top_decoder(norms: dict) -> str:
    return max((name for name in norms if name.startswith("decoder_")), key=lambda n: int(n[8:]))


def run_row(document: dict) -> dict:
    summary = direction_summary(document)
    keep = ("seeds", "test_perplexity", "test_perplexity_min", "test_perplexity_max",
            "test_bleu_greedy", "test_bleu_greedy_min", "test_bleu_greedy_max", "curve",
            "diverged")  # fmt: skip
    return {
        "variant": variant_of(document),
        "layers": document["settings"]["layers"],
        "residual_from": document["settings"].get("residual_from"),
        "parameters": document["runs"][0]["parameters"],
        **{key: summary[key] for key in keep},
        **bottom_gradients(document["runs"]),
    }


def summarize(documents: list[dict]) -> dict:
    runs = [document for document in documents if "runs" in document]
    pipelines = [doc for doc in documents if doc.get("measurement") == "pipeline_schedule"]
    rows = [run_row(document) for document in runs]
    rows.sort(key=lambda row: (row["variant"], row["layers"]))
    measurements: dict = {}
    if rows:
        measurements["stacks_seeds"] = min(row["seeds"] for row in rows)
    by_variant = {
        variant: {row["layers"]: row for row in rows if row["variant"] == variant}
        for variant in ("plain", "residual")
    }
    shallow = [row["test_perplexity"] for row in rows if row["layers"] <= SHALLOW]
    if shallow:
        best_shallow = min(shallow)
        measurements["shallow_best_test_perplexity"] = best_shallow
        for variant, by_depth in by_variant.items():
            deep = [depth for depth in by_depth if depth > SHALLOW]
            if not deep:
                continue
            deepest = by_depth[max(deep)]
            measurements[f"{variant}_deepest_layers"] = deepest["layers"]
            measurements[f"{variant}_deepest_test_perplexity"] = deepest["test_perplexity"]
            measurements[f"{variant}_deep_over_shallow_perplexity"] = (
                deepest["test_perplexity"] / best_shallow
            )
    plain, residual = by_variant["plain"], by_variant["residual"]
    common = sorted(set(plain) & set(residual))
    if common:
        depth = common[-1]
        measurements["gradient_compared_layers"] = depth
        measurements["residual_over_plain_bottom_gradient"] = (
            residual[depth]["bottom_gradient_initial"] / plain[depth]["bottom_gradient_initial"]
        )
    pipeline_rows = pipelines[0]["rows"] if pipelines else []
    for row in pipeline_rows:
        row["bidirectional_extra_units"] = (
            row["makespan_bidirectional"] - row["makespan_unidirectional"]
        )
    if pipeline_rows:
        deepest = max(pipeline_rows, key=lambda row: (row["layers"], row["length"]))
        measurements["pipeline_layers"] = deepest["layers"]
        measurements["pipeline_length"] = deepest["length"]
        for key in ("makespan_unidirectional", "makespan_bidirectional", "sequential_steps"):
            measurements[f"pipeline_{key}"] = deepest[key]
    return {
        "paper": PAPER,
        "shallow": SHALLOW,
        "table": rows,
        "pipeline": pipeline_rows,
        "data": runs[0]["data"] if runs else None,
        "measurements": measurements,
    }
