"""One LSTM of the 2013 depth comparison, trained for a given number of epochs (session 33).

Usage, from the repository root with the package installed:
    python reports/ablations/2026-12-06-cpu-speech-depth-40-epochs/run.py LAYERS UNITS EPOCHS

The quick config's speech settings with the LSTM's layers, units and epochs replaced;
writes long-<layers>x<units>-<epochs>.json in the current directory.
"""

import json
import sys
import time
from pathlib import Path

import yaml

from recurrent_bottleneck import runtime


def main(layers: int, units: int, epochs: int) -> None:
    runtime.configure(threads=1, backend="tensorflow")
    from recurrent_bottleneck.milestones import speech

    config = yaml.safe_load(Path("config/config.yaml").read_text())["speech"]
    settings = {key: value for key, value in config.items() if key not in ("models", "depth")}
    settings.update(model="lstm", layers=layers, lstm_units=units, epochs=epochs)
    start = time.time()
    result = speech.run(settings, f"/tmp/speech-depth/tensorboard/{layers}x{units}")
    kept = ("seed", "test_phone_error_rate", "parameters", "best_epoch")
    record = {
        "layers": layers,
        "units": units,
        "epochs": epochs,
        "seconds": time.time() - start,
        "runs": [{key: run.get(key) for key in kept} for run in result["runs"]],
        "validation": [
            [point["validation_phone_error_rate"] for point in run["curve"]]
            for run in result["runs"]
        ],
    }
    Path(f"long-{layers}x{units}-{epochs}.json").write_text(json.dumps(record))
    print(json.dumps(record["runs"]))


if __name__ == "__main__":
    main(*(int(argument) for argument in sys.argv[1:4]))
