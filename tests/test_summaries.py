"""Milestone summaries on hand-made run documents: the numbers the claims read."""

import pytest

from recurrent_bottleneck.summaries import latch, long_time_lags


def latch_document(length, successes, seeds=4):
    runs = [
        {
            "success": i < successes,
            "diverged": False,
            "sequences_to_success": 320 if i < successes else None,
            "final_test_fraction_correct": 1.0 if i < successes else 0.5,
        }
        for i in range(seeds)
    ]
    return {"length": length, "success_rate": successes / seeds, "runs": runs}


def test_latch_summary_reads_shortest_and_longest_lengths():
    summary = latch.summarize([latch_document(40, 1), latch_document(5, 4), latch_document(10, 3)])
    assert [row["length"] for row in summary["table"]] == [5, 10, 40]
    measurements = summary["measurements"]
    assert measurements["latch_success_rate_shortest"] == 1.0
    assert measurements["latch_success_rate_longest"] == 0.25
    assert (measurements["latch_shortest_length"], measurements["latch_longest_length"]) == (5, 40)
    assert measurements["latch_seeds"] == 4


def training_document(task, model, lag, successes, seeds=3):
    runs = [
        {
            "success": i < successes,
            "diverged": False,
            "sequences_to_success": 1000 * (i + 1) if i < successes else None,
            "final_test_fraction_correct": 0.99 if i < successes else 0.2,
        }
        for i in range(seeds)
    ]
    return {
        "task": task,
        "model": model,
        "lag": lag,
        "minimal_lag": lag // 2 if task == "adding" else lag + 1,
        "success_rate": successes / seeds,
        "runs": runs,
    }


def test_long_time_lags_summary():
    timing_rows = [
        {
            "model": "lstm1997",
            "length": length,
            "seconds_per_step": 0.001 * length,
            "seconds_per_time_step": 0.001,
        }
        for length in (50, 100, 400)
    ]
    documents = [
        training_document("adding", "lstm1997", 100, 3),
        training_document("adding", "simple_rnn", 100, 0),
        training_document("long_lag", "lstm1997", 50, 1),
        training_document("long_lag", "lstm1997", 100, 2),
        {"measurement": "timing", "settings": {"repeats": 5}, "rows": timing_rows},
    ]
    summary = long_time_lags.summarize(documents)
    measurements = summary["measurements"]
    assert measurements["adding_lstm1997_success_rate"] == 1.0
    assert measurements["adding_simple_rnn_success_rate"] == 0.0
    assert measurements["adding_lstm1997_median_sequences"] == 2000
    assert measurements["adding_minimal_lag"] == 50
    assert measurements["adding_paper_sequences"] == 74_000
    # the longest lag of a task is the one the claims read
    assert measurements["long_lag_lag"] == 100
    assert measurements["long_lag_lstm1997_success_rate"] == pytest.approx(2 / 3)
    assert measurements["long_lag_paper_sequences"] == 31_000
    # each claim's seeds are those of the runs it reads
    assert measurements["adding_seeds"] == measurements["long_lag_seeds"] == 3
    fewer = [training_document("adding", "lstm1997", 100, 3, seeds=5)] + documents[1:4]
    fewer.append(training_document("long_lag", "simple_rnn", 50, 0, seeds=2))
    fewer.append(training_document("long_lag", "lstm_forget", 100, 0, seeds=1))  # not judged
    fewer_measurements = long_time_lags.summarize(fewer)["measurements"]
    assert (fewer_measurements["adding_seeds"], fewer_measurements["long_lag_seeds"]) == (3, 3)
    # time proportional to T: exponent 1
    assert measurements["timing_lstm1997_length_exponent"] == pytest.approx(1.0)
    assert "carousel_truncated_factor" not in measurements  # not measured, not invented


def device_layer_timing(exponents: dict, device="GPU X", backend="jax") -> dict:
    lengths = [64, 128, 256, 512]
    rows = [
        {
            "layer": layer,
            "sweep": "length",
            "length": length,
            "width": 8,
            "seconds_per_step": 1e-4 * length**exponent,
            "tokens_per_second": 1.0,
        }
        for layer, exponent in exponents.items()
        for length in lengths
    ]
    return {
        "milestone": "attention",
        "measurement": "layer_timing",
        "settings": {"width": 8, "batch_size": 2, "fit_from_length": 64, "repeats": 1},
        "rows": rows,
        "environment": {"device": device, "backend": backend, "threads": 1},
    }


def test_device_summary_fits_each_layer_and_finds_where_attention_gets_slower():
    from recurrent_bottleneck.summaries import devices

    summary = devices.summarize([device_layer_timing({"recurrent": 1.0, "self_attention": 2.0})])
    (timing,) = summary["measurements"]["layer_timing"]
    exponents = {row["layer"]: row["time_length_exponent"] for row in timing["rows"]}
    assert exponents == pytest.approx({"recurrent": 1.0, "self_attention": 2.0})
    # 1e-4·n² exceeds 1e-4·n from n = 2: slower at the first length measured
    assert timing["attention_slower_than_recurrent_from_length"] == 64
    assert timing["attention_over_recurrent_time_longest"] == pytest.approx(512.0)
    assert timing["device"] == "GPU X (jax)"


def test_device_summary_pairs_throughput_timing_with_its_metrics_and_rejects_strays():
    from recurrent_bottleneck.summaries import devices

    environment = {"device": "CPU", "backend": "tensorflow"}
    metrics = {
        "measurement": "throughput",
        "models": [{"model": "a", "parameters": 3, "fused_kernel": False}],
        "environment": environment,
    }
    timing = {
        "measurement": "throughput",
        "rows": [{"model": "a", "unit": "tokens", "per_second": 5.0}],
        "environment": environment,
    }
    (rows,) = devices.summarize([metrics, timing])["measurements"]["throughput"]
    assert rows["rows"] == [
        {"model": "a", "unit": "tokens", "per_second": 5.0, "parameters": 3, "fused_kernel": False}
    ]
    with pytest.raises(ValueError, match="without its metrics"):
        devices.summarize([timing])
    with pytest.raises(ValueError, match="not a device document"):
        devices.summarize([{"measurement": "something else"}])


def test_device_summary_reads_a_translation_run_and_counts_the_epochs_it_ran():
    from recurrent_bottleneck.summaries import devices

    def run(seed, perplexities):
        curve = [
            {"epoch": epoch, "train_loss": 1.0, "validation_perplexity": value,
             "validation_bleu": 0.0}
            for epoch, value in enumerate(perplexities, start=1)
        ]  # fmt: skip
        scores = {"test_perplexity": 3.0 + seed, "test_bleu_greedy": 1.0, "test_bleu_beam": 2.0}
        return {"seed": seed, "curve": curve, "parameters": 10, "diverged": False, **scores,
                "bleu_by_source_length": [], "beam_sentences": 5, "samples": ""}  # fmt: skip

    settings = {"layers": 4, "units": 8, "optimizer": "sgd", "learning_rate": 0.7,
                "batch_size": 2, "epochs": 3, "beam_size": 2, "beam_sentences": 5}  # fmt: skip
    document = {
        "milestone": "sequence_to_sequence",
        "architecture": "lstm",
        "direction": "forward",
        "settings": settings,
        "data": {"train_sentences": 100, "source_vocabulary": 20, "pairs": 120},
        "runs": [run(0, [9.0, 8.0, 7.0]), run(1, [9.0, 6.0])],  # the second cut short
        "environment": {"device": "GPU X", "backend": "jax"},
    }
    (summary,) = devices.summarize([document])["measurements"]["sequence_to_sequence"]
    assert summary["epochs"] == 2
    assert [point["validation_perplexity"] for point in summary["curve"]] == [9.0, 7.0]
    assert summary["test_perplexity"] == 3.5  # the median of the seeds
    assert summary["paper"] == {"test_perplexity": 5.8, "test_bleu": 25.9}
    assert summary["device"] == "GPU X (jax)"


def test_device_summary_summarises_a_milestone_run_whole_elsewhere_by_its_own_module():
    """Latch runs committed from another device: summarised exactly as the milestone's
    own summary would, with the settings the runs share and the lengths; runs from
    another device, or with other settings, make an experiment of their own."""
    from recurrent_bottleneck.summaries import devices

    def committed(length, successes, device="CPU Y", steps=2000):
        settings = {"length": length, "seeds": 4, "training_steps": steps, "batch_size": 32}
        environment = {"device": device, "backend": "tensorflow"}
        document = latch_document(length, successes)
        return {"milestone": "latch", **document, "settings": settings, "environment": environment}

    documents = [committed(160, 1), committed(5, 4), committed(20, 2)]
    documents += [committed(5, 0, "GPU X"), committed(5, 1, steps=400)]
    milestones = devices.summarize(documents)["measurements"]["milestones"]
    assert [(entry["device"], entry["runs"]) for entry in milestones] == [
        ("CPU Y (tensorflow)", 3),
        ("GPU X (tensorflow)", 1),
        ("CPU Y (tensorflow)", 1),
    ]
    assert milestones[2]["settings"]["training_steps"] == 400
    entry = milestones[0]
    assert entry["summary"] == latch.summarize(documents[:3])
    assert entry["summary"]["measurements"]["latch_success_rate_longest"] == 0.25
    assert entry["settings"] == {"seeds": 4, "training_steps": 2000, "batch_size": 32}
    assert entry["per_run"] == {"length": [5, 20, 160]}


def test_device_summary_names_every_setting_that_departs_from_the_paper_scale():
    """Beside the paper-scale settings (config/full.yaml over config.yaml), an experiment
    run elsewhere lists each shared setting that differs, nested ones by dotted key, a
    setting only one side has, and the runs missing from the paper's sweep; an
    experiment that matches lists none. The 2000 rows form one experiment by row."""
    from recurrent_bottleneck.summaries import devices

    paper_scale = {
        "latch": {"lengths": [5, 20], "seeds": 4, "training_steps": 2000, "batch_size": 32},
        "continual_streams": {
            "rows": ["reset", "no_reset", "forget_gate"],
            "seeds": 2,
            "cell": {"blocks": 4, "truncated": True},
            "window": 25,
        },
    }

    def committed_latch(length, steps=2000):
        settings = {"length": length, "seeds": 4, "training_steps": steps, "batch_size": 32}
        environment = {"device": "CPU Y", "backend": "tensorflow"}
        return {"milestone": "latch", **latch_document(length, 2), "settings": settings,
                "environment": environment}  # fmt: skip

    def committed_row(row, truncated=True):
        run = {"category": "perfect" if row != "no_reset" else "rest",
               "streams_to_solution": 900 if row != "no_reset" else None, "diverged": False,
               "final_test": {"mean_error_free_length": 100.0 if row == "no_reset" else 1e5},
               "state_trace": {"growth_exponent": 1.0 if row == "no_reset" else 0.0,
                               "final_largest_abs_state": 5.0}}  # fmt: skip
        settings = {"row": row, "seeds": 2, "cell": {"blocks": 4, "truncated": truncated},
                    "test_streams": 10, "test_stream_length": 1000, "good_length": 100,
                    "trace_length": 1000}  # fmt: skip
        return {
            "milestone": "continual_streams",
            "row": row,
            "settings": settings,
            "runs": [run, run],
            "environment": {"device": "CPU Y", "backend": "jax"},
        }

    documents = [committed_latch(5), committed_latch(20), committed_latch(5, steps=400)]
    documents += [committed_row(row) for row in ("forget_gate", "reset", "no_reset")]
    documents += [committed_row("reset", truncated=False)]
    # listed in the chapter's order, whatever the order of their files
    documents = documents[3:] + documents[:3]
    entries = devices.summarize(documents, paper_scale)["measurements"]["milestones"]
    assert [(entry["milestone"], entry["runs"]) for entry in entries] == [
        ("latch", 2), ("latch", 1), ("continual_streams", 3), ("continual_streams", 1)
    ]  # fmt: skip
    assert entries[0]["departures"] == []
    assert entries[1]["departures"] == [
        {"setting": "training_steps", "ours": 400, "paper_scale": 2000},
        {"setting": "lengths", "ours": [5], "paper_scale": [5, 20]},
    ]
    # window: only the paper scale has it; the unsorted rows still match the sweep
    window = {"setting": "window", "ours": None, "paper_scale": 25}
    own_keys = ("test_streams", "test_stream_length", "good_length", "trace_length")
    only_ours = [{"setting": key, "ours": documents[3]["settings"][key], "paper_scale": None}
                 for key in sorted(own_keys)]  # fmt: skip
    assert entries[2]["departures"] == sorted(only_ours + [window], key=lambda d: d["setting"])
    assert entries[2]["per_run"] == {"row": ["forget_gate", "no_reset", "reset"]}
    measurements = entries[2]["summary"]["measurements"]
    assert measurements["reset_perfect_percent"] == 100.0
    assert measurements["no_reset_perfect_percent"] == 0.0
    assert {"setting": "cell.truncated", "ours": False, "paper_scale": True} in entries[3][
        "departures"
    ]
    assert entries[3]["departures"][-1]["setting"] == "rows"
    # without the paper-scale settings nothing is compared
    assert devices.summarize(documents[:1])["measurements"]["milestones"][0]["departures"] is None


def test_a_run_made_before_a_setting_existed_departs_only_where_it_ran_otherwise():
    """The 2000 runs committed before ``test_every_stream`` existed lack it, and ran as
    its default says (tests every interval only): no departure, whether or not the
    paper-scale settings name it. A run made with it on departs."""
    from recurrent_bottleneck.summaries import devices

    shared = {"seeds": 1, "test_streams": 10, "test_stream_length": 1000, "good_length": 100,
              "trace_length": 1000}  # fmt: skip
    run = {"category": "rest", "streams_to_solution": None, "diverged": False,
           "final_test": {"mean_error_free_length": 10.0},
           "state_trace": {"growth_exponent": 0.0, "final_largest_abs_state": 1.0}}  # fmt: skip

    def committed(**settings):
        return {
            "milestone": "continual_streams",
            "row": "reset",
            "settings": {**shared, "row": "reset", **settings},
            "runs": [run],
            "environment": {"device": "CPU Y", "backend": "tensorflow"},
        }

    added_later = devices.SETTINGS_ADDED_LATER["continual_streams"]
    protocol = {"test_every_stream": True, "training_streams": 30000}
    for section in ({**shared, "rows": ["reset"]}, {**shared, "rows": ["reset"], **added_later}):
        for settings, expected in (
            ({}, []),
            (protocol, [
                {"setting": "test_every_stream", "ours": True, "paper_scale": False},
                {"setting": "training_streams", "ours": 30000, "paper_scale": None},
            ]),
        ):  # fmt: skip
            summary = devices.summarize([committed(**settings)], {"continual_streams": section})
            (entry,) = summary["measurements"]["milestones"]
            assert entry["departures"] == expected


def test_device_summary_compares_a_1997_run_with_what_the_paper_scale_would_pass_it():
    """A 1997 run from elsewhere departs where its settings differ from the job settings
    config/full.yaml would give it; its lag departs only when the sweep lacks it."""
    from recurrent_bottleneck import job_settings
    from recurrent_bottleneck.summaries import devices

    section = {
        "seeds": 10,
        "cell": {"truncated": False},
        "adding": {"lengths": [100, 1000], "training_steps": 30000, "batch_size": 64},
    }

    def committed(lag, device="CPU Y", **changes):
        settings = {**job_settings.long_time_lags(section, "adding", "simple_rnn", lag), **changes}
        document = training_document("adding", "simple_rnn", lag, 0)
        return {"milestone": "long_time_lags", **document, "settings": settings,
                "environment": {"device": device, "backend": "tensorflow"}}  # fmt: skip

    paper_scale = {"long_time_lags": section}
    # one lag per device: runs of their own, not a sweep
    exact, cut = committed(1000), committed(1000, training_steps=3000)
    outside = committed(500, device="GPU X")
    entries = devices.summarize([exact, cut, outside], paper_scale)["measurements"]
    assert [entry["departures"] for entry in entries["long_time_lags"]] == [
        [],
        [{"setting": "training_steps", "ours": 3000, "paper_scale": 30000}],
        [{"setting": "lag", "ours": 500, "paper_scale": [100, 1000]}],
    ]
    assert exact["settings"]["distractors"] is None  # the adding problem has none


def test_device_summary_judges_the_1997_runs_of_one_device_that_sweep_lags():
    """1997 runs of one device at more than one lag make one experiment with the
    device's carousel measurement (whatever its backend), summarised by the milestone's
    own module; each run's departures are named by the run, and the paper-scale runs and
    measurements not made are listed. A device's single run stays a run of its own."""
    from recurrent_bottleneck import job_settings
    from recurrent_bottleneck.summaries import devices

    section = {
        "seeds": 3,
        "cell": {"truncated": False},
        "models": ["lstm1997", "simple_rnn"],
        "adding": {"lengths": [100, 1000], "training_steps": 30000, "batch_size": 64},
        "long_lag": {"lags": [50], "training_steps": 5000, "batch_size": 32},
        "carousel": {"max_lag": 1000, "seeds": 2},
    }

    def committed(task, model, lag, successes, device="CPU Y", **changes):
        settings = {**job_settings.long_time_lags(section, task, model, lag), **changes}
        document = training_document(task, model, lag, successes)
        return {"milestone": "long_time_lags", **document, "settings": settings,
                "environment": {"device": device, "backend": "tensorflow"}}  # fmt: skip

    documents = [
        committed("adding", "lstm1997", 1000, 3),
        committed("long_lag", "lstm1997", 50, 2, device="GPU X"),
        committed("adding", "lstm1997", 100, 3),
        committed("adding", "simple_rnn", 1000, 0, training_steps=3000),
    ]
    curve = {"mean_log10_norm": [0.0, 0.0], "fitted_factor": 1.0, "fitted_lags": 2}
    documents.append({
        "milestone": "long_time_lags", "measurement": "carousel",
        "settings": {"max_lag": 100, "seeds": 2, "cell": {"truncated": False}},
        "curves": {key: curve for key in ("lstm1997_truncated", "lstm1997_full_bptt",
                                          "simple_rnn_tanh_radius_1")},
        "environment": {"device": "CPU Y", "backend": "jax"},
    })  # fmt: skip
    summary = devices.summarize(documents, {"long_time_lags": section})["measurements"]
    assert [run["device"] for run in summary["long_time_lags"]] == ["GPU X (tensorflow)"]
    (entry,) = summary["milestones"]
    assert (entry["milestone"], entry["device"], entry["runs"]) == (
        "long_time_lags", "CPU Y (tensorflow), CPU Y (jax)", 4
    )  # fmt: skip
    chosen = [documents[0], documents[2], documents[3], documents[4]]
    assert entry["summary"] == long_time_lags.summarize(chosen)
    assert entry["summary"]["measurements"]["adding_simple_rnn_success_rate"] == 0.0
    assert entry["summary"]["measurements"]["carousel_truncated_factor"] == 1.0
    assert entry["settings"]["cell"] == {"truncated": False}
    assert "lag" not in entry["settings"] and "model" not in entry["settings"]
    assert entry["runs_not_made"] == [
        "adding/simple_rnn/lag_100", "long_lag/lstm1997/lag_50", "long_lag/simple_rnn/lag_50",
        "timing", "memory",
    ]  # fmt: skip
    assert entry["departures"] == [
        {"setting": "adding/simple_rnn/lag_1000: training_steps", "ours": 3000,
         "paper_scale": 30000},
        {"setting": "carousel: max_lag", "ours": 100, "paper_scale": 1000},
        {"setting": "runs", "ours": ["adding/lstm1997/lag_100", "adding/lstm1997/lag_1000",
                                     "adding/simple_rnn/lag_1000"],
         "paper_scale": ["adding/lstm1997/lag_100", "adding/lstm1997/lag_1000",
                         "adding/simple_rnn/lag_100", "adding/simple_rnn/lag_1000",
                         "long_lag/lstm1997/lag_50", "long_lag/simple_rnn/lag_50"]},
        {"setting": "measurements", "ours": ["carousel"],
         "paper_scale": ["carousel", "timing", "memory"]},
    ]  # fmt: skip
    assert devices.whole_milestone_experiments(documents) == [[0, 2, 3, 4]]
    # one device's run committed twice (a rerun beside the first) is refused, both named
    twice = [*documents, committed("adding", "simple_rnn", 1000, 0)]
    sources = [f"reports/measured/day/{position}.json" for position in range(len(twice))]
    with pytest.raises(
        ValueError, match=r"adding/simple_rnn/lag_1000 on CPU Y .*/3\.json .*/5\.json"
    ):
        devices.whole_milestone_experiments(twice, sources)
    with pytest.raises(ValueError, match="in document 3 and in document 5"):
        devices.summarize(twice, {"long_time_lags": section})
    with pytest.raises(ValueError, match="the 1997 measurement carousel on CPU Y .* twice"):
        devices.whole_milestone_experiments([*documents, documents[4]])
    # without the paper scale nothing is compared
    assert devices.summarize(documents)["measurements"]["milestones"][0]["departures"] is None


def test_committed_device_measurements_are_readable():
    """Whatever a session committed under reports/measured/ must summarise."""
    import glob
    import json
    from pathlib import Path

    import yaml
    from snakemake.utils import update_config

    from recurrent_bottleneck.summaries import devices

    root = Path(__file__).resolve().parents[1]
    paths = sorted(glob.glob(str(root / "reports/measured/*/*.json")))
    documents = [json.loads(Path(path).read_text()) for path in paths]
    paper_scale = {}
    for name in ("config.yaml", "full.yaml"):
        update_config(paper_scale, yaml.safe_load((root / "config" / name).read_text()))
    summary = devices.summarize(documents, paper_scale)["measurements"]
    sessions = {path.split("/")[-2] for path in paths}
    assert len(summary["sessions"]) == len(sessions)
    for section in summary["long_time_lags"]:
        assert section["seeds"] == len(section["sequences_to_success"])
        assert isinstance(section["departures"], list)
    # the 1991/1994 milestone ran exactly as config/full.yaml says
    by_milestone = {entry["milestone"]: entry for entry in summary["milestones"]}
    assert by_milestone["gradient_decay"]["departures"] == []
    assert by_milestone["latch"]["departures"] == []
    # and, since session 30 (Keras' LSTM's 10 seeds on the adding problem at T = 1000),
    # so did the 1997 milestone: every model at every lag with config/full.yaml's settings
    assert by_milestone["long_time_lags"]["departures"] == []
    # the 2000 milestone: config/full.yaml as it is, online learning on whole training
    # strings, tested after every training stream by the absolute reading (session 39)
    continual = [(entry["runs"], entry["departures"]) for entry in summary["milestones"]
                 if entry["milestone"] == "continual_streams"]  # fmt: skip
    assert continual == [(4, [])]


def stack_document(layers, residual_from, perplexities, bottom=1.0):
    """A residual_stacks run: one run per test perplexity, the bottom encoder layer's
    gradient norm ``bottom`` before training (the top decoder layer's is 2)."""
    norms = {"encoder_0": bottom, f"decoder_{layers - 1}": 2.0}
    runs = [
        {"seed": seed, "diverged": False, "parameters": 100 * layers,
         "test_perplexity": value, "test_bleu_greedy": 10.0, "test_bleu_beam": 10.0,
         "curve": [{"epoch": 1, "train_loss": 1.0, "validation_perplexity": value,
                    "validation_bleu": 1.0, "layer_gradient_norms": norms}],
         "initial_layer_gradient_norms": norms, "bleu_by_source_length": [],
         "beam_sentences": 2, "samples": ""}
        for seed, value in enumerate(perplexities)
    ]  # fmt: skip
    settings = {"layers": layers, "residual_from": residual_from, "beam_size": 2}
    return {"milestone": "sequence_to_sequence", "direction": "reversed",
            "settings": settings, "runs": runs, "data": {"pairs": 10}}  # fmt: skip


def test_residual_stacks_summary_compares_the_deepest_stack_with_the_best_shallow_one():
    from recurrent_bottleneck.models.pipeline import compare
    from recurrent_bottleneck.summaries import residual_stacks

    documents = [
        stack_document(2, None, [5.0, 6.0]),
        stack_document(4, None, [4.0, 4.4]),
        stack_document(8, None, [9.0, 11.0], bottom=0.01),
        stack_document(8, 3, [4.1, 4.3], bottom=0.5),
        {"measurement": "pipeline_schedule", "rows": compare([2, 8], [10])},
    ]
    summary = residual_stacks.summarize(documents)
    measurements = summary["measurements"]
    assert [(row["variant"], row["layers"]) for row in summary["table"]] == [
        ("plain", 2), ("plain", 4), ("plain", 8), ("residual", 8)
    ]  # fmt: skip
    assert measurements["stacks_seeds"] == 2
    assert measurements["shallow_best_test_perplexity"] == pytest.approx(4.2)  # median at 4
    assert measurements["plain_deep_over_shallow_perplexity"] == pytest.approx(10.0 / 4.2)
    assert measurements["residual_deep_over_shallow_perplexity"] == pytest.approx(4.2 / 4.2)
    assert measurements["residual_over_plain_bottom_gradient"] == pytest.approx(50.0)
    assert measurements["gradient_compared_layers"] == 8
    assert summary["table"][0]["bottom_over_top_initial"] == pytest.approx(0.5)
    # the deepest, longest timetable: 8 layers over 10 steps
    assert measurements["pipeline_makespan_unidirectional"] == 10 + 8 - 1
    assert measurements["pipeline_makespan_bidirectional"] == 2 * 10 + 8 - 2


def test_residual_stacks_without_a_deep_run_leave_the_depth_claims_unmeasured():
    from recurrent_bottleneck.summaries import residual_stacks

    summary = residual_stacks.summarize([stack_document(2, None, [5.0])])
    assert "plain_deep_over_shallow_perplexity" not in summary["measurements"]
    assert "residual_over_plain_bottom_gradient" not in summary["measurements"]
    assert summary["pipeline"] == []
