"""KilledError training resumes from its checkpoint and ends where it would have ended."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from recurrent_bottleneck.checkpoints import Checkpoint
from recurrent_bottleneck.kept_models import KeptModels
from recurrent_bottleneck.milestones import latch as latch_milestone
from recurrent_bottleneck.tasks import latch
from recurrent_bottleneck.tensorboard_log import RunWriter
from recurrent_bottleneck.training import train_until_success

SETTINGS = {"length": 12, "units": 2, "noise_variance": 0.2}


class KilledError(Exception):
    """Stands for the job being killed."""


def train(tmp_path, checkpoint_name="seed_0.npz", identity=None, stop_after_draws=None):
    """A latch net on fresh data: the same initial weights and data stream every call."""
    import keras

    keras.utils.set_random_seed(0)
    model = latch_milestone.build_model(12, 2, 1.0, 0.05, "adam", 1.0)
    random = np.random.default_rng(7)
    test_set = latch.generate(random, 64, 12, 0.2)
    draws = []

    def sample(count):
        if stop_after_draws is not None and len(draws) == stop_after_draws:
            raise KilledError
        draws.append(count)
        return latch.generate(random, count, 12, 0.2)

    checkpoint = Checkpoint(tmp_path / checkpoint_name, identity or {"settings": SETTINGS}, random)
    with RunWriter(tmp_path / "tensorboard") as writer:
        record = train_until_success(
            model,
            sample,
            test_set,
            latch.correct,
            batch_size=16,
            training_steps=80,
            evaluation_interval=20,
            success_fraction=1.01,  # never: the run uses its whole budget
            writer=writer,
            checkpoint=checkpoint,
        )
    return record, draws


def without_resume_marks(record):
    return {key: value for key, value in record.items() if key != "resumed_after_sequences"}


def test_a_resumed_run_ends_with_the_uninterrupted_runs_record(tmp_path):
    uninterrupted, _ = train(tmp_path / "straight")
    with pytest.raises(KilledError):
        train(tmp_path / "killed", stop_after_draws=2)  # killed after two evaluations
    resumed, draws = train(tmp_path / "killed")
    assert len(draws) == 2  # only the two remaining intervals were trained
    assert resumed["resumed_after_sequences"] == [2 * 20 * 16]
    assert without_resume_marks(resumed) == uninterrupted
    assert len(uninterrupted["curve"]) == 4


def test_a_finished_run_returns_its_record_without_training(tmp_path):
    first, _ = train(tmp_path)
    again, draws = train(tmp_path)
    assert draws == [] and again == first


def test_a_corrupt_checkpoint_is_named_in_a_warning_and_the_run_starts_over(tmp_path):
    uninterrupted, _ = train(tmp_path / "straight")
    path = tmp_path / "corrupt" / "seed_0.npz"
    path.parent.mkdir()
    path.write_bytes(b"PK\x03\x04 half a zip file")
    with pytest.warns(UserWarning, match=f"checkpoint {path} cannot be read"):
        record, draws = train(tmp_path / "corrupt")
    assert len(draws) == 4 and record == uninterrupted
    assert path.with_name("seed_0.npz.set-aside").exists()


def test_a_checkpoint_of_other_settings_is_not_resumed(tmp_path):
    with pytest.raises(KilledError):
        train(tmp_path, identity={"settings": {**SETTINGS, "units": 3}}, stop_after_draws=2)
    with pytest.warns(UserWarning, match="belongs to another run"):
        record, draws = train(tmp_path)
    assert len(draws) == 4 and "resumed_after_sequences" not in record


def test_a_killed_write_leaves_the_previous_checkpoint(tmp_path):
    """The new file is written under a temporary name and renamed: a partial file left by a
    kill is never read as the checkpoint."""
    with pytest.raises(KilledError):
        train(tmp_path, stop_after_draws=1)
    (tmp_path / ".seed_0.npz.partial").write_bytes(b"half")
    resumed, draws = train(tmp_path)
    assert resumed["resumed_after_sequences"] == [20 * 16] and len(draws) == 3


def test_a_job_killed_with_sigkill_resumes_and_matches_an_uninterrupted_job(tmp_path):
    """The command-line job, killed hard mid-run and started again, goes on from its last
    checkpoint, writes the same results as a job never interrupted, and removes its
    checkpoints once the results are written."""
    settings = {
        "length": 40,
        "seeds": 2,
        "units": 2,
        "recurrent_scale": 1.0,
        "optimizer": "adam",
        "learning_rate": 0.01,
        "clip_norm": 1.0,
        "batch_size": 32,
        "training_steps": 300,
        "evaluation_interval": 25,
        "test_sequences": 64,
        "noise_variance": 0.2,
        "success_accuracy": 1.01,
    }

    def command(name):
        return [
            sys.executable,
            "-m",
            "recurrent_bottleneck",
            "latch",
            "--settings",
            json.dumps(settings),
            "--output",
            str(tmp_path / name / "metrics.json"),
            "--tensorboard",
            str(tmp_path / name / "tensorboard"),
            "--checkpoints",
            str(tmp_path / name / "checkpoints"),
        ]

    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    subprocess.run(command("straight"), check=True, env=environment, capture_output=True)
    job = subprocess.Popen(command("killed"), env=environment, stdout=subprocess.PIPE, text=True)
    checkpoint = tmp_path / "killed" / "checkpoints" / "seed_1.npz"
    deadline = time.monotonic() + 300
    while not checkpoint.exists() and job.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert job.poll() is None, "the job ended before it could be killed"
    job.send_signal(signal.SIGKILL)
    job.wait()
    assert not (tmp_path / "killed" / "metrics.json").exists()
    again = subprocess.run(
        command("killed"), check=True, env=environment, capture_output=True, text=True
    )
    assert "resumed from" in again.stdout
    straight = json.loads((tmp_path / "straight" / "metrics.json").read_text())
    killed = json.loads((tmp_path / "killed" / "metrics.json").read_text())
    assert "resumed_after_sequences" not in killed["runs"][0]  # seed 0 had finished
    assert killed["runs"][1]["resumed_after_sequences"]
    killed["runs"] = [without_resume_marks(run) for run in killed["runs"]]
    assert killed["runs"] == straight["runs"]
    assert not (tmp_path / "killed" / "checkpoints").exists()


def translation_settings(architecture, project_root):
    """The 2014 (or 2017) job's settings at smoke size, two epochs."""
    import yaml

    config = yaml.safe_load((project_root / "config" / "config.yaml").read_text())
    settings = {k: v for k, v in config["sequence_to_sequence"].items() if k != "directions"}
    settings["corpus"] = {**settings["corpus"], "sentences": 120, "max_clauses": 1}
    settings.update(
        seeds=1,
        layers=1,
        units=8,
        embedding=8,
        batch_size=16,
        epochs=2,
        max_length=12,  # short decoding: an untrained decoder runs to the limit
        beam_size=2,
        beam_sentences=4,
        validation_bleu_sentences=8,
        architecture=architecture,
        direction="reversed",
        transformer={
            "layers": 1,
            "width": 8,
            "heads": 2,
            "feed_forward": 16,
            "dropout": 0.1,
            "warmup_steps": 4,
            "label_smoothing": 0.0,
        },
    )
    return settings


def killed_then_resumed(milestone, step_name, settings, tmp_path, monkeypatch):
    """(uninterrupted document, resumed document) of ``milestone.run``: the second run is
    killed at the second call of ``milestone.<step_name>``, the third resumes it."""
    straight = milestone.run(settings, tmp_path / "straight")
    step, calls = getattr(milestone, step_name), []

    def killed_at_the_second_call(*arguments):
        calls.append(1)
        if len(calls) == 2:
            raise KilledError
        return step(*arguments)

    monkeypatch.setattr(milestone, step_name, killed_at_the_second_call)
    checkpoints = tmp_path / "checkpoints"
    with pytest.raises(KilledError):
        milestone.run(settings, tmp_path / "killed", checkpoints)
    monkeypatch.setattr(milestone, step_name, step)
    return straight, milestone.run(settings, tmp_path / "killed", checkpoints)


def test_a_translation_run_resumes_after_its_last_epoch(project_root, tmp_path, monkeypatch):
    """Killed in its second epoch, a translation run (the Transformer: its dropout draws
    random numbers too; the 2014 LSTM shares the code) goes on from the first epoch's
    checkpoint to the uninterrupted result."""
    from recurrent_bottleneck.milestones import sequence_to_sequence

    settings = translation_settings("transformer", project_root)
    # killed at the second epoch's validation perplexity
    straight, resumed = killed_then_resumed(
        sequence_to_sequence, "perplexity", settings, tmp_path, monkeypatch
    )
    (run,) = resumed["runs"]
    assert run.pop("resumed_after_epochs") == [1]
    assert resumed["runs"] == straight["runs"]


@pytest.mark.parametrize("architecture", ["lstm", "transformer"])
def test_a_later_seed_on_the_first_seeds_traced_model_trains_as_on_its_own(
    architecture, project_root, tmp_path
):
    """A job keeps the first seed's models (traced once) for its other seeds, copying in
    each seed's initial weights, dropout generators and a fresh optimizer: the second
    seed's record is the one it gets in a process of its own."""
    import keras

    from recurrent_bottleneck.milestones import sequence_to_sequence

    settings = translation_settings(architecture, project_root)
    data = sequence_to_sequence.prepare_data(settings)
    kept = KeptModels()
    sequence_to_sequence.train_one(settings, data, 0, tmp_path / "first", None, kept)
    shared, _ = sequence_to_sequence.train_one(settings, data, 1, tmp_path / "shared", None, kept)
    keras.backend.clear_session()
    alone, _ = sequence_to_sequence.train_one(settings, data, 1, tmp_path / "alone")
    assert shared["curve"][0]["train_loss"] != 0
    assert shared == alone


@pytest.mark.parametrize("model", ["lstm1997", "simple_rnn"])
def test_a_later_1997_seed_on_the_first_seeds_compiled_net_trains_as_on_its_own(
    model, project_root, tmp_path
):
    """The 1997 jobs (and the latch's, same code) keep the first seed's compiled net:
    the second seed's record equals the one it gets alone."""
    import keras
    import yaml

    from recurrent_bottleneck.milestones import long_time_lags

    config = yaml.safe_load((project_root / "config" / "config.yaml").read_text())
    block = config["long_time_lags"]
    settings = {key: value for key, value in block["long_lag"].items() if key != "lags"}
    settings.update(
        seeds=2, cell=block["cell"], task="long_lag", model=model, lag=5, max_extra=5,
        training_steps=20, evaluation_interval=10, test_sequences=32,
    )  # fmt: skip
    kept = KeptModels()
    long_time_lags.train_one(settings, 0, tmp_path / "first", None, kept)
    shared = long_time_lags.train_one(settings, 1, tmp_path / "shared", None, kept)
    keras.backend.clear_session()
    alone = long_time_lags.train_one(settings, 1, tmp_path / "alone")
    assert shared == alone


@pytest.mark.parametrize("learning", ["windows", "online"])
def test_a_continual_stream_run_resumes_mid_stream(
    learning, continual_smoke_settings, tmp_path, monkeypatch
):
    """The 2000 runs carry their training streams and the stateful net's states (online:
    the learner's states and derivatives) across windows: killed after its first test, a
    run resumes mid-stream to the same record."""
    from recurrent_bottleneck.milestones import continual_streams

    settings = {**continual_smoke_settings, "row": "forget_gate", "training_windows": 9}
    # an untrained net's outputs near 0.5 pass the paper's squared error < 0.49; a stricter
    # threshold keeps this short run from being "perfect" at its first test
    settings.update(threshold=0.2, learning=learning)
    straight, resumed = killed_then_resumed(
        continual_streams, "evaluate", settings, tmp_path, monkeypatch
    )
    (run,) = resumed["runs"]
    assert run.pop("resumed_after_windows") == [3]
    assert resumed["runs"] == straight["runs"]


def test_a_speech_run_resumes_after_its_last_epoch(project_root, tmp_path, monkeypatch):
    """Killed at its second epoch's validation, a 2013 run goes on from the first epoch's
    checkpoint (and its best weights) to the uninterrupted record."""
    import yaml

    from recurrent_bottleneck.milestones import speech

    config = yaml.safe_load((project_root / "config" / "config.yaml").read_text())
    smoke = yaml.safe_load((project_root / "config" / "smoke.yaml").read_text())
    settings = {key: value for key, value in config["speech"].items() if key != "models"}
    settings["corpus"] = {**settings["corpus"], **smoke["speech"].pop("corpus")}
    settings.update(smoke["speech"], model="lstm", epochs=3)
    straight, resumed = killed_then_resumed(
        speech, "phone_error_rate", settings, tmp_path, monkeypatch
    )
    (run,) = resumed["runs"]
    assert run.pop("resumed_after_epochs") == [1]
    assert resumed["runs"] == straight["runs"]
    assert (tmp_path / "checkpoints" / "seed_0.best.npz").exists()
