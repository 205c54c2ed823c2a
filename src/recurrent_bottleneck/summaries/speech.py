"""Summary of the 2013 speech milestone: phone error rates of the LSTM and the tanh net,
and of the depth comparison (LSTM nets of other depths, and one wide layer)."""

from __future__ import annotations

import numpy as np

# the paper's TIMIT core-test phone error rates of its CTC nets (3 × 250 bidirectional
# LSTM; a tanh RNN of similar size), in percent
PAPER_PHONE_ERROR_RATES = {"lstm": 18.6, "tanh": 37.6}
# its Table 1, bidirectional LSTM with CTC: layers of 250 units a direction, in percent,
# and one layer of 622 units (about the weights of 3 × 250)
PAPER_DEPTH_PHONE_ERROR_RATES = {1: 23.9, 2: 21.0, 3: 18.6, 5: 18.4}
PAPER_WIDE = {"layers": 1, "units": 622, "phone_error_rate": 23.0}


def _rates(runs: list[dict]) -> dict:
    rates = [run["test_phone_error_rate"] for run in runs]
    return {
        "seeds": len(runs),
        "parameters": runs[0]["parameters"],
        "test_phone_error_rate": float(np.median(rates)),
        "test_phone_error_rate_min": float(min(rates)),
        "test_phone_error_rate_max": float(max(rates)),
        "test_phone_error_rates": rates,
        "best_epochs": [run["best_epoch"] for run in runs],
    }


def compared(better: dict, worse: dict, prefix: str) -> dict:
    """What a claim reads of two nets' rows, the one expected better first: the seeds
    both have, the ratio of their median rates, and the worse net's best seed minus the
    better net's worst (above 0 when every seed of the better net beats every seed of
    the other)."""
    return {
        f"{prefix}_seeds": min(better["seeds"], worse["seeds"]),
        f"{prefix}_ratio": better["test_phone_error_rate"] / worse["test_phone_error_rate"],
        f"{prefix}_seed_margin": worse["test_phone_error_rate_min"]
        - better["test_phone_error_rate_max"],
    }


def depth_comparison(main_lstm: dict | None, depth_documents: list[dict]) -> dict:
    """The depth table (the main LSTM and every depth-comparison net, by depth, the wide
    net last) and its measurements:

    - deeper: the deepest net at the main width against one layer of that width
      (``speech_depth_ratio``, and the best one-layer seed minus the worst deepest seed);
    - depth against width: the main LSTM against one layer of about its weights
      (``speech_width_ratio``, and the best wide seed minus the worst main seed)."""
    rows = []
    for document in depth_documents + ([main_lstm] if main_lstm else []):
        settings = document["settings"]
        net = settings.get("depth_net", "main")
        rows.append(
            {
                "net": net,
                "layers": settings["layers"],
                "units": settings["lstm_units"],
                **_rates(document["runs"]),
                "paper_phone_error_rate": (
                    PAPER_WIDE["phone_error_rate"]
                    if net == "wide"
                    else PAPER_DEPTH_PHONE_ERROR_RATES.get(settings["layers"])
                ),
            }
        )
    rows.sort(key=lambda row: (row["net"] == "wide", row["layers"]))
    measurements = {}
    if main_lstm is None:
        return {"table": rows, "measurements": measurements}
    width = main_lstm["settings"]["lstm_units"]
    stack = [row for row in rows if row["net"] != "wide" and row["units"] == width]
    one_layer = [row for row in stack if row["layers"] == 1]
    if one_layer and stack[-1]["layers"] > 1:
        shallow, deepest = one_layer[0], stack[-1]
        measurements.update(
            compared(deepest, shallow, "speech_depth"),
            speech_depth_layers=deepest["layers"],
            speech_depth_one_layer_phone_error_rate=shallow["test_phone_error_rate"],
            speech_depth_deepest_phone_error_rate=deepest["test_phone_error_rate"],
        )
    wide = [row for row in rows if row["net"] == "wide"]
    main = next(row for row in rows if row["net"] == "main")
    if wide:
        (wide,) = wide
        measurements.update(
            compared(main, wide, "speech_width"),
            speech_width_layers=main["layers"],
            speech_wide_units=wide["units"],
            speech_wide_parameters=wide["parameters"],
            speech_wide_phone_error_rate=wide["test_phone_error_rate"],
        )
    return {"table": rows, "measurements": measurements}


def summarize(documents: list[dict]) -> dict:
    """Per model: test phone error rates over seeds (median, range), parameters, the
    validation curve (mean over seeds); and the measurements the speech claim reads,
    which need both models."""
    table, curves = [], {}
    depth_documents = [d for d in documents if "depth_net" in d["settings"]]
    main_documents = [d for d in documents if "depth_net" not in d["settings"]]
    for document in sorted(main_documents, key=lambda document: document["model"]):
        runs = document["runs"]
        table.append(
            {
                "model": document["model"],
                "layers": document["settings"]["layers"],
                "units": document["settings"][f"{document['model']}_units"],
                **_rates(runs),
                "paper_phone_error_rate": PAPER_PHONE_ERROR_RATES[document["model"]],
            }
        )
        epochs = min(len(run["curve"]) for run in runs)
        curves[document["model"]] = {
            "epoch": [point["epoch"] for point in runs[0]["curve"][:epochs]],
            "validation_phone_error_rate": [
                float(np.mean([run["curve"][epoch]["validation_phone_error_rate"] for run in runs]))
                for epoch in range(epochs)
            ],
            "seeds": [
                [point["validation_phone_error_rate"] for point in run["curve"]] for run in runs
            ],
        }
    rows = {row["model"]: row for row in table}
    measurements = {}
    if "lstm" in rows and "tanh" in rows:
        lstm, tanh = rows["lstm"], rows["tanh"]
        # the claim's names predate the depth comparison: speech_seeds, speech_error_ratio,
        # speech_seed_margin
        pair = compared(lstm, tanh, "speech")
        measurements = {
            "speech_seeds": pair["speech_seeds"],
            "speech_lstm_phone_error_rate": lstm["test_phone_error_rate"],
            "speech_tanh_phone_error_rate": tanh["test_phone_error_rate"],
            "speech_lstm_parameters": lstm["parameters"],
            "speech_tanh_parameters": tanh["parameters"],
            "speech_error_ratio": pair["speech_ratio"],
            "speech_seed_margin": pair["speech_seed_margin"],
        }
    main_lstm = next((d for d in main_documents if d["model"] == "lstm"), None)
    depth = depth_comparison(main_lstm, depth_documents)
    return {
        "milestone": "speech",
        "measurements": {**measurements, **depth["measurements"]},
        "table": table,
        "depth_table": depth["table"],
        "curves": curves,
    }
