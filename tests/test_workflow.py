"""The whole DAG on config/smoke.yaml, in a temporary copy of the project.

Checks what a user sees: the PDF and its text, TensorBoard runs read back by
TensorBoard's own reader, a second run that does nothing, a figure setting that
reruns only figures and the report, the report without any one run or with the runs
that failed. The runs that start from scratch are in test_workflow_from_scratch.py.
"""

import json
import shutil

import pytest
import yaml
from snakemake_runs import PARTIAL, copy_project, pdf_text, snakemake
from tensorboard.backend.event_processing import event_accumulator
from tensorboard.plugins.hparams import metadata as hparams_metadata
from tensorboard.plugins.hparams import plugin_data_pb2

pytestmark = pytest.mark.workflow


def summary_runs(run):
    """Each milestone summary of ``run`` -> the run files it was made from, as Snakemake
    recorded them."""
    result = snakemake(run, "--configfile", "config/smoke.yaml", "--detailed-summary")
    assert result.returncode == 0, result.stderr[-3000:]
    runs = {}
    for line in result.stdout.splitlines()[1:]:
        fields = line.split("\t")
        if len(fields) > 4 and fields[0].endswith("/summary.json"):
            runs[fields[0]] = [name for name in fields[4].split(",") if name.endswith(".json")]
    return runs


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory, request):
    directory = copy_project(request.config.rootpath, tmp_path_factory.mktemp("smoke"))
    result = snakemake(directory, "--configfile", "config/smoke.yaml")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return directory


def test_report_pdf_has_the_milestone_and_computed_verdicts(smoke_run):
    pdf = smoke_run / "reports" / "recurrent-bottleneck.pdf"
    flat = pdf_text(pdf)
    assert "Summary of claims" in flat
    assert "1991/1994: vanishing and exploding gradients" in flat
    assert "1997: long short-term memory" in flat
    assert "2000: the forget gate" in flat
    assert "LSTM with forget gates" in flat  # a row of the Table 2 replica
    assert "2013: deep LSTM for speech" in flat
    assert "frames per second" in flat  # the speech nets' throughput, printed as a timing
    assert "2014: sequence to sequence, and the reversed source" in flat
    assert "2016: residual connections and deeper stacks" in flat
    assert "one layer per device" in flat  # the pipeline timetable
    assert "words per second" in flat  # the throughput, printed as a timing
    assert "2017: attention removes the sequential bottleneck" in flat
    assert "Table 1 of the paper against our measurements" in flat
    assert "The Transformer against the LSTM" in flat
    assert "smoke scale" in flat
    assert "Training throughput on CPU" in flat  # this machine's benchmark
    assert "Training throughput on NVIDIA H100" in flat  # the committed GPU session
    assert "Table 1 measured on NVIDIA H100" in flat
    assert "Provenance" in flat
    verdicts = json.loads((smoke_run / "results/report/verdicts.json").read_text())["claims"]
    assert len(verdicts) == 18
    for verdict in verdicts:
        assert verdict["verdict"] in {"reproduced", "not reproduced", "inconclusive"}
        assert verdict["measured"].split()[0] in flat
    # the latch and 1997 training claims need 3 seeds; the smoke run has fewer
    inconclusive = {"latch-duration", "lstm1997-adding", "lstm1997-long-lag"}
    # the 2000 claims need 2 seeds per row; the smoke run has 1
    inconclusive |= {"continual-streams-need-resets", "unbounded-cell-state", "forget-gate-repairs"}
    inconclusive |= {"reversed-source"}  # 2 seeds per direction; the smoke run has 1
    inconclusive |= {"deep-lstm-speech", "deeper-lstm-speech", "depth-over-width-speech"}
    inconclusive |= {"plain-stacks-degrade", "residual-stacks-train"}  # 2 seeds each, too
    # the layer timings need 3 repeats and the Transformer comparison 2 seeds
    inconclusive |= {"sequential-bottleneck", "transformer-trains-faster"}
    for name in inconclusive:
        assert next(v for v in verdicts if v["id"] == name)["verdict"] == "inconclusive"
    assert "INCONCLU" in flat
    # the 1991/1994 and 2000 milestones run whole elsewhere (reports/measured/), and the
    # 1997 sweep of the development CPU, judged by the same claims: every one of their
    # claims once per experiment
    elsewhere = json.loads((smoke_run / "results/report/verdicts.json").read_text())["elsewhere"]
    milestones = ("gradient_decay", "latch", "continual_streams", "long_time_lags")
    own = {milestone: {v["id"] for v in verdicts if v["milestone"] == milestone}
           for milestone in milestones}  # fmt: skip
    for entry in elsewhere:
        assert {claim["id"] for claim in entry["claims"]} == own[entry["milestone"]]
        for claim in entry["claims"]:
            assert claim["verdict"] != "not measured"
    assert {entry["milestone"] for entry in elsewhere} == set(milestones)
    assert "latch milestone run whole at paper scale" in flat
    # every experiment's caption names its departures from the paper scale, as the
    # workflow's device summary computed them from the committed runs (a later session
    # may add runs or seeds, so they are read, not hard-coded): the 1997 sweep points at
    # its table of them, the others name the first; a 2000 run tested after every
    # training stream (the paper scale since session 39) says so
    device_summary = json.loads((smoke_run / "results/devices/timing.json").read_text())
    experiments = device_summary["measurements"]["milestones"]
    continual = [entry for entry in experiments if entry["milestone"] == "continual_streams"]
    assert continual
    for entry in continual:
        if entry["settings"]["test_every_stream"]:
            streams = entry["settings"]["test_streams"]
            assert f"tested after every training stream that ends on {streams} streams" in flat
    for entry in experiments:
        name = entry["milestone"].replace("_", " ")
        if not entry["departures"]:  # every run with config/full.yaml's settings
            assert f"{name} milestone run whole at paper scale" in flat
        elif entry["milestone"] == "long_time_lags":
            assert f"{name} milestone run at paper scale (departures: the table below)" in flat
        else:
            first = entry["departures"][0]
            ours = first["ours"]
            shown = ", ".join(map(str, ours)) if isinstance(ours, list) else str(ours)
            shown = "—" if ours is None else shown  # a setting only the paper scale has
            assert f"{name} milestone run at paper scale but for {first['setting']} {shown}" in flat
    (sweep,) = [entry for entry in experiments if entry["milestone"] == "long_time_lags"]
    # a device session that left nothing unrun says so (the 1997 sweep's, since session 30)
    sessions = device_summary["measurements"]["sessions"]
    if any(not session["not_run"] for session in sessions):
        assert "Not run: nothing." in flat
    not_made = sweep["runs_not_made"]
    if not_made:
        assert f"Runs of the paper-scale sweep not made there: {not_made[0]}" in flat
    else:  # every run of the sweep committed: the caption says nothing is missing
        assert "sweep not made there" not in flat
    # their figures, drawn from the committed runs by the milestones' own figure code:
    # the n-th experiment's figures are named after it and show its milestone
    data = json.loads((smoke_run / "reports/recurrent-bottleneck.data.json").read_text())
    first_figure = {"gradient_decay": "gradient_norm_vs_lag", "latch": "latch_success_vs_length",
                    "continual_streams": "lstm2000_state_growth",
                    "long_time_lags": "lstm1997_success_vs_lag"}  # fmt: skip
    for number, entry in enumerate(elsewhere):
        key = f"elsewhere_{number}_{first_figure[entry['milestone']]}"
        assert (smoke_run / data["figures"][key].lstrip("/")).stat().st_size > 1000
    assert "the runs of the table above" in flat


def test_the_report_builds_without_any_one_run(smoke_run):
    """For every run of every milestone: the milestone summarized without that run, its
    claims judged, and the whole report compiled (the template reads only what is
    there), naming the missing run and marking the milestone's claims partial."""
    import yaml as yaml_module

    from recurrent_bottleneck.report.build import assemble, compile_pdf
    from recurrent_bottleneck.report.verdicts import evaluate_all
    from recurrent_bottleneck.summaries import summarize

    def load(path):
        return json.loads((smoke_run / path).read_text())

    claims = yaml_module.safe_load((smoke_run / "config/claims.yaml").read_text())["claims"]
    provenance = load("results/report/provenance.json")
    runs_by_summary = summary_runs(smoke_run)
    assert len(runs_by_summary) == 8, runs_by_summary
    # results/<milestone>/summary.json
    milestones = {path: path.split("/")[1] for path in runs_by_summary}
    complete = {milestone: load(path) for path, milestone in milestones.items()}
    output = smoke_run / "leave-one-out" / "report.pdf"
    left_out = 0
    for path, runs in runs_by_summary.items():
        milestone = milestones[path]
        module = f"recurrent_bottleneck.summaries.{milestone}"
        for missing in runs:
            documents = [load(run) for run in runs if run != missing]
            summaries = {**complete, milestone: summarize(module, documents, [missing])}
            verdicts = evaluate_all(claims, summaries)
            data = assemble(
                summaries,
                verdicts,
                provenance,
                {},
                "smoke",
                "partial",
                "2026-01-01",
                missing_runs={milestone: [missing]},
            )
            compile_pdf(smoke_run / "reports/template.typ", data, output, root=smoke_run)
            text = pdf_text(output)
            assert "Partial report" in text and missing in text.replace(" ", ""), missing
            judged = [v for v in verdicts if v["milestone"] == milestone]
            assert all(v["missing_runs"] == [missing] for v in judged)
            if judged:
                assert "partial: 1 run missing" in text, missing
            left_out += 1
    assert left_out >= 20


def test_a_partial_report_goes_without_the_runs_that_failed(smoke_run, tmp_path):
    """One run of every milestone lost (its job failed): the partial report trains
    nothing, summarizes and draws each milestone from the runs it has, names every lost
    run in the PDF and marks their claims partial; every figure is drawn or says why
    not."""
    directory = tmp_path / "run"
    shutil.copytree(smoke_run, directory, ignore=shutil.ignore_patterns("tensorboard"))
    lost = [runs[-1] for runs in summary_runs(directory).values()]
    lost.append("results/long_time_lags/carousel/metrics.json")  # a figure's only run
    for path in lost:
        (directory / path).unlink()
    partial = ["--configfile", "config/smoke.yaml", *PARTIAL]
    plan = snakemake(directory, *partial, "--dry-run", "--quiet", "rules")
    planned = plan.stdout + plan.stderr
    assert plan.returncode == 0, planned[-3000:]
    for job in ("_train", "_measure", "_timing", "_structure", "_carousel", "_memory"):
        assert job not in planned, planned
    assert "summary" in planned and "report" in planned
    result = snakemake(directory, *partial)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    text = pdf_text(directory / "reports/recurrent-bottleneck.pdf")
    assert "Partial report" in text
    assert "partial: 1 run missing" in text
    for path in lost:
        assert path in text.replace(" ", "")
        assert not (directory / path).exists()
    verdicts = json.loads((directory / "results/report/verdicts.json").read_text())["claims"]
    assert all(verdict["missing_runs"] for verdict in verdicts)
    by_id = {verdict["id"]: verdict["verdict"] for verdict in verdicts}
    # judged on the runs that remain, or "not measured" where the lost run is needed
    assert "results/gradient_decay/linear/metrics.json" not in lost
    assert by_id["linear-factor"] != "not measured"
    assert "results/sequence_to_sequence/reversed/metrics.json" in lost
    assert by_id["reversed-source"] == "not measured"
    data = json.loads((directory / "reports/recurrent-bottleneck.data.json").read_text())
    assert {run for runs in data["missing_runs"].values() for run in runs} == set(lost)
    # 19 of this run's milestones, and those of the experiments run elsewhere
    # (reports/measured/; a later session may commit more): per milestone, as drawn
    figures_per_experiment = {"gradient_decay": 2, "latch": 1, "continual_streams": 2,
                              "long_time_lags": 1}  # fmt: skip
    elsewhere = json.loads((directory / "results/report/verdicts.json").read_text())["elsewhere"]
    elsewhere_figures = [name for name in data["figures"] if name.startswith("elsewhere_")]
    assert len(data["figures"]) - len(elsewhere_figures) == 19
    assert len(elsewhere_figures) == sum(
        figures_per_experiment[entry["milestone"]] for entry in elsewhere
    )
    for figure in data["figures"].values():
        assert (directory / figure.lstrip("/")).stat().st_size > 0
    # the carousel figure has nothing to draw: its file says why instead
    log = (directory / "results/logs/figure-lstm1997_carousel_gradient.log").read_text()
    assert "Not drawn in this partial report" in log
    assert by_id["constant-error-carousel"] == "not measured"


def test_tensorboard_runs_are_read_by_tensorboard(smoke_run):
    tensorboard = smoke_run / "results" / "tensorboard"
    for length in (3, 12):
        for seed in (0, 1):
            reader = event_accumulator.EventAccumulator(
                str(tensorboard / f"latch/length_{length}/seed_{seed}")
            )
            reader.Reload()
            assert {"train/loss", "test/fraction_correct", "train/gradient_norm"} <= set(
                reader.Tags()["scalars"]
            )
            assert "_hparams_/session_start_info" in reader.Tags()["tensors"]
    reader = event_accumulator.EventAccumulator(
        str(tensorboard / "gradient_decay/linear/radius_0.5")
    )
    reader.Reload()
    steps = [event.step for event in reader.Scalars("gradient/log10_norm_vs_lag")]
    assert steps == list(range(31))  # lags 0 .. max_lag of the smoke config
    for row in ("reset", "no_reset", "forget_gate"):
        reader = event_accumulator.EventAccumulator(
            str(tensorboard / f"continual_streams/{row}/seed_0"),
            size_guidance={event_accumulator.HISTOGRAMS: 0},  # keep every histogram
        )
        reader.Reload()
        assert {
            "train/loss",
            "test/mean_error_free_length",
            "test/absolute_reading/mean_error_free_length",
            "trace/largest_abs_cell_state",
            "result/growth_exponent",
        } <= set(reader.Tags()["scalars"])
        # the state along the trace stream: one point per bucket, at its end position
        trace_steps = [event.step for event in reader.Scalars("trace/largest_abs_cell_state")]
        assert trace_steps == [20, 40, 60, 80]  # 80 symbols in 4 buckets (smoke config)
        assert [event.step for event in reader.Histograms("trace/cell_states")] == trace_steps
    for model in ("lstm", "tanh"):
        reader = event_accumulator.EventAccumulator(str(tensorboard / f"speech/{model}/seed_0"))
        reader.Reload()
        # one point per epoch (2 in the smoke config), the test at the best epoch
        steps = [e.step for e in reader.Scalars("validation/phone_error_rate")]
        assert steps == [1, 2]
        assert [e.step for e in reader.Scalars("train/ctc_loss")] == [1, 2]
        assert len(reader.Scalars("test/phone_error_rate")) == 1
        assert "_hparams_/session_start_info" in reader.Tags()["tensors"]
    # the depth comparison's nets (smoke config: the main LSTM has 2 layers), each its own
    # group in the HParams dashboard, apart from the main LSTM's seeds
    groups = {}
    for net in ("layers_1", "wide", None):
        run = f"speech/depth/{net}/seed_0" if net else "speech/lstm/seed_0"
        reader = event_accumulator.EventAccumulator(str(tensorboard / run))
        reader.Reload()
        assert [e.step for e in reader.Scalars("validation/phone_error_rate")] == [1, 2]
        content = reader.SummaryMetadata(hparams_metadata.SESSION_START_INFO_TAG).plugin_data
        start_info = plugin_data_pb2.HParamsPluginData.FromString(content.content)
        groups[net] = start_info.session_start_info.group_name
    assert groups == {
        "layers_1": "lstm/layers_1/seed_0",
        "wide": "lstm/wide/seed_0",
        None: "lstm/seed_0",
    }
    for direction in ("forward", "reversed"):
        reader = event_accumulator.EventAccumulator(
            str(tensorboard / f"sequence_to_sequence/{direction}/seed_0")
        )
        reader.Reload()
        assert {"train/loss", "validation/perplexity", "validation/bleu", "test/bleu_beam"} <= set(
            reader.Tags()["scalars"]
        )
        assert "samples/test_translations" in reader.Tags()["tensors"]
        assert "_hparams_/session_start_info" in reader.Tags()["tensors"]
    reader = event_accumulator.EventAccumulator(
        str(tensorboard / "residual_stacks/residual/layers_5/seed_0")
    )
    reader.Reload()
    # the gradient reaching each layer, before training (step 0) and after the one epoch
    assert [e.step for e in reader.Scalars("gradient_norm/encoder_0")] == [0, 1]
    assert [e.step for e in reader.Scalars("gradient_norm/decoder_4")] == [0, 1]
    reader = event_accumulator.EventAccumulator(str(tensorboard / "attention/transformer/seed_0"))
    reader.Reload()
    assert {"train/loss", "train/learning_rate", "validation/perplexity"} <= set(
        reader.Tags()["scalars"]
    )
    reader = event_accumulator.EventAccumulator(
        str(tensorboard / "attention/layer_timing/threads_1")
    )
    reader.Reload()
    for layer in ("recurrent", "self_attention", "convolution"):
        steps = [e.step for e in reader.Scalars(f"seconds_per_step_against_length/{layer}")]
        assert steps == [8, 16]  # the smoke config's lengths
    reader = event_accumulator.EventAccumulator(str(tensorboard / "attention/layer_structure"))
    reader.Reload()
    operations = [e.value for e in reader.Scalars("sequential_operations/recurrent")]
    assert operations[1] > 1.8 * operations[0]  # twice the length, twice the chain
    reader = event_accumulator.EventAccumulator(str(tensorboard / "throughput"))
    reader.Reload()
    # four 1997 nets (one unmasked), the two 2013 nets and two translation models
    assert len(reader.Scalars("throughput/time_steps_per_second")) == 4
    assert len(reader.Scalars("throughput/frames_per_second")) == 2
    assert len(reader.Scalars("throughput/tokens_per_second")) == 2


def test_second_run_does_nothing(smoke_run):
    result = snakemake(smoke_run, "--configfile", "config/smoke.yaml", "--dry-run")
    assert result.returncode == 0
    assert "Nothing to be done" in result.stdout + result.stderr


def test_figure_setting_reruns_only_figures_and_report(smoke_run):
    config = yaml.safe_load((smoke_run / "config/smoke.yaml").read_text())
    config["figures"] = {"format": "svg", "width": 5.0, "height": 3.0}
    (smoke_run / "figure-change.yaml").write_text(yaml.safe_dump(config))
    result = snakemake(
        smoke_run, "--configfile", "figure-change.yaml", "--dry-run", "--quiet", "rules"
    )
    assert result.returncode == 0, result.stderr
    lines = (result.stdout + result.stderr).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("job "))
    end = next(i for i, line in enumerate(lines) if i > start and line.startswith("total"))
    rules = {line.split()[0] for line in lines[start + 2 : end]}
    assert rules == {
        "figure_gradient_norm_vs_lag",
        "figure_fitted_factor_vs_radius",
        "figure_latch_success_vs_length",
        "figure_elsewhere",  # the figures of milestones run whole elsewhere
        "figure_long_time_lags",
        "figure_continual_streams",
        "figure_speech",
        "figure_sequence_to_sequence",
        "figure_residual_stacks",
        "figure_attention",
        "provenance",
        "report",
        "all",
    }


def test_the_same_measurements_give_the_same_pdf(smoke_run):
    """The report rebuilt from the same results is byte-identical (fixed document date,
    no clock in the PDF): runs that measured the same give the same report."""
    pdf = smoke_run / "reports/recurrent-bottleneck.pdf"
    before = pdf.read_bytes()
    result = snakemake(smoke_run, "--configfile", "config/smoke.yaml", "--forcerun", "report")
    assert result.returncode == 0, result.stderr[-3000:]
    assert pdf.read_bytes() == before


def test_snakemake_html_report(smoke_run):
    result = snakemake(smoke_run, "--configfile", "config/smoke.yaml", "--report", "report.html")
    assert result.returncode == 0, result.stderr[-3000:]
    html = (smoke_run / "report.html").read_text(encoding="utf-8", errors="replace")
    assert "recurrent-bottleneck.pdf" in html
    assert "lstm1997_carousel_gradient" in html
