"""Summary of the 2013 speech milestone: phone error rates of the LSTM and the tanh net."""

from __future__ import annotations

import numpy as np

# the paper's TIMIT core-test phone error rates of its CTC nets (3 × 250 bidirectional
# LSTM; a tanh RNN of similar size), in percent
PAPER_PHONE_ERROR_RATES = {"lstm": 18.6, "tanh": 37.6}


def summarize(documents: list[dict]) -> dict:
    """Per model: test phone error rates over seeds (median, range), parameters, the
    validation curve (mean over seeds); and the measurements the speech claim reads,
    which need both models."""
    table, curves = [], {}
    for document in sorted(documents, key=lambda document: document["model"]):
        runs = document["runs"]
        rates = [run["test_phone_error_rate"] for run in runs]
        table.append(
            {
                "model": document["model"],
                "seeds": len(runs),
                "parameters": runs[0]["parameters"],
                "layers": document["settings"]["layers"],
                "units": document["settings"][f"{document['model']}_units"],
                "test_phone_error_rate": float(np.median(rates)),
                "test_phone_error_rate_min": float(min(rates)),
                "test_phone_error_rate_max": float(max(rates)),
                "test_phone_error_rates": rates,
                "best_epochs": [run["best_epoch"] for run in runs],
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
        measurements = {
            "speech_seeds": min(lstm["seeds"], tanh["seeds"]),
            "speech_lstm_phone_error_rate": lstm["test_phone_error_rate"],
            "speech_tanh_phone_error_rate": tanh["test_phone_error_rate"],
            "speech_lstm_parameters": lstm["parameters"],
            "speech_tanh_parameters": tanh["parameters"],
            "speech_error_ratio": lstm["test_phone_error_rate"] / tanh["test_phone_error_rate"],
            # every LSTM seed against every tanh seed: above 0 when the worst LSTM beats
            # the best tanh net
            "speech_seed_margin": tanh["test_phone_error_rate_min"]
            - lstm["test_phone_error_rate_max"],
        }
    return {
        "milestone": "speech",
        "measurements": measurements,
        "table": table,
        "curves": curves,
    }
