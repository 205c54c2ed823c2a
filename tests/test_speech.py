"""The 2013 milestone: synthetic utterances, the phone error rate, CTC nets, the summary."""

import numpy as np
import pytest

from recurrent_bottleneck.tasks import speech

SETTINGS = {
    "phones_per_utterance": [4, 8],
    "frames_per_phone": [2, 5],
    "coarticulation": 0.5,
    "speaker_shift": 3.0,
    "speaker_scale": 0.6,
    "noise": 0.6,
}


def quiet(**changes):
    """Settings without noise, speaker or coarticulation, but for ``changes``."""
    return {
        **SETTINGS,
        "coarticulation": 0.0,
        "speaker_shift": 0.0,
        "speaker_scale": 0.0,
        "noise": 0.0,
        **changes,
    }


def test_the_language_is_a_bigram_model_without_self_loops_fixed_by_its_seed():
    language = speech.make_language(seed=3, phones=7, channels=5)
    assert language.targets.shape == (7, 5)
    np.testing.assert_allclose(language.transitions.sum(axis=1), 1.0)
    assert np.all(np.diag(language.transitions) == 0)
    again = speech.make_language(seed=3, phones=7, channels=5)
    np.testing.assert_array_equal(language.targets, again.targets)
    other = speech.make_language(seed=4, phones=7, channels=5)
    assert not np.allclose(language.targets, other.targets)


def test_utterances_follow_the_ranges_and_never_repeat_a_phone():
    language = speech.make_language(seed=0, phones=6, channels=4)
    random = np.random.default_rng(1)
    for _ in range(200):
        frames, labels = speech.utterance(random, language, SETTINGS)
        assert 4 <= len(labels) <= 8
        assert 2 * len(labels) <= len(frames) <= 5 * len(labels)
        assert labels.min() >= 1 and labels.max() <= 6  # 0 is CTC's blank
        assert np.all(labels[1:] != labels[:-1])
        assert frames.shape[1] == 4 and frames.dtype == np.float32


def test_without_speaker_noise_or_coarticulation_the_frames_are_the_phone_targets():
    language = speech.make_language(seed=0, phones=5, channels=3)
    frames, labels = speech.utterance(np.random.default_rng(2), language, quiet())
    # consecutive equal frames collapse to the phone sequence
    changes = np.any(frames[1:] != frames[:-1], axis=1)
    segments = frames[np.concatenate([[True], changes])]
    np.testing.assert_allclose(segments, language.targets[labels - 1], rtol=1e-6)


def test_a_speaker_shifts_every_frame_of_an_utterance_by_the_same_vector():
    language = speech.make_language(seed=0, phones=5, channels=3)
    random = np.random.default_rng(3)
    frames, labels = speech.utterance(random, language, quiet(speaker_shift=3.0))
    clean_random = np.random.default_rng(3)
    clean, same_labels = speech.utterance(clean_random, language, quiet())
    np.testing.assert_array_equal(labels, same_labels)
    shift = frames - clean
    np.testing.assert_allclose(shift, np.broadcast_to(shift[0], shift.shape), atol=1e-5)
    assert np.abs(shift[0]).max() > 0.1


def test_coarticulation_leans_a_phone_s_edges_towards_its_neighbours():
    language = speech.make_language(seed=0, phones=4, channels=2)
    phones, durations = np.array([0, 1, 2]), np.array([3, 4, 3])
    frames = speech.clean_frames(language, phones, durations, coarticulation=0.5)
    first, second, third = language.targets[:3]
    # middle phone, first frame: r = 1/8, weight 0.5 * (1 - 2/8) towards the first phone
    weight = 0.5 * (1 - 2 * 0.125)
    np.testing.assert_allclose(frames[3], (1 - weight) * second + weight * first)
    # its last frame: r = 7/8, the same weight towards the third phone
    np.testing.assert_allclose(frames[6], (1 - weight) * second + weight * third)
    # the middle frame of a phone of odd length is its target
    np.testing.assert_allclose(frames[1], first)
    np.testing.assert_allclose(frames[8], third)


def test_a_corpus_is_padded_with_zeros_after_every_utterance():
    language = speech.make_language(seed=0, phones=6, channels=4)
    frames, frame_counts, labels = speech.corpus(np.random.default_rng(4), language, 20, SETTINGS)
    assert frames.shape[0] == labels.shape[0] == frame_counts.shape[0] == 20
    assert frames.shape[1] == frame_counts.max()
    for row in range(20):
        assert np.all(frames[row, frame_counts[row] :] == 0)
        assert np.all(np.any(frames[row, : frame_counts[row]] != 0, axis=1))
        count = int(np.sum(labels[row] > 0))
        assert np.all(labels[row, count:] == 0)


def test_a_reversed_range_is_refused_naming_its_key():
    language = speech.make_language(seed=0, phones=6, channels=4)
    with pytest.raises(ValueError, match="speech.corpus.frames_per_phone"):
        speech.corpus(
            np.random.default_rng(0), language, 3, {**SETTINGS, "frames_per_phone": [5, 2]}
        )


def test_phone_error_rate_counts_substitutions_deletions_and_insertions():
    references = [[1, 2, 3, 0, 0], [4, 5]]
    assert speech.phone_error_rate(references, [[1, 2, 3], [4, 5]]) == 0.0
    # one deletion (of 3) out of five reference phones
    assert speech.phone_error_rate(references, [[1, 2], [4, 5]]) == pytest.approx(1 / 5)
    # a substitution and an insertion
    assert speech.phone_error_rate(references, [[1, 9, 3], [4, 5, 6, -1]]) == pytest.approx(2 / 5)
    with pytest.raises(ValueError):
        speech.phone_error_rate([[0, 0]], [[1]])


def test_ctc_loss_reads_each_utterance_s_own_frame_count():
    import keras

    from recurrent_bottleneck.milestones.speech import ctc_loss

    random = np.random.default_rng(5)
    logits = random.normal(size=(2, 9, 4)).astype(np.float32)
    packed = np.array([[6, 1, 2, 0], [9, 3, 3, 1]])
    loss = keras.ops.convert_to_numpy(ctc_loss(packed, logits))
    # frames after the first utterance's sixth change nothing
    changed = logits.copy()
    changed[0, 6:] = random.normal(size=(3, 4))
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(ctc_loss(packed, changed)), loss, rtol=1e-5
    )
    # a labelling the logits make certain costs almost nothing: 1, blank, 2, blank...
    certain = np.full((1, 6, 4), -30.0, dtype=np.float32)
    for frame, label in enumerate([1, 1, 0, 2, 2, 0]):
        certain[0, frame, label] = 30.0
    near_zero = keras.ops.convert_to_numpy(ctc_loss(np.array([[6, 1, 2]]), certain))
    assert near_zero[0] < 1e-3


@pytest.mark.parametrize("kind, units", [("lstm", 5), ("tanh", 7)])
def test_the_nets_have_the_bidirectional_weights_and_ignore_padding(kind, units):
    from recurrent_bottleneck.milestones.speech import build_model

    channels, phones, layers = 3, 4, 2
    model = build_model(kind, layers, units, channels, phones, 0.01, 1.0)
    gates = 4 if kind == "lstm" else 1
    recurrent = 0
    inputs = channels
    for _ in range(layers):
        recurrent += 2 * gates * (units * (inputs + units) + units)
        inputs = 2 * units
    assert model.count_params() == recurrent + inputs * (phones + 1) + phones + 1
    frames = np.random.default_rng(6).normal(size=(1, 5, channels)).astype(np.float32)
    padded = np.concatenate([frames, np.zeros((1, 4, channels), np.float32)], axis=1)
    alone = model.predict(frames, verbose=0)
    assert alone.shape == (1, 5, phones + 1)
    # the backward nets start at the utterance's last frame, not after the padding
    np.testing.assert_allclose(model.predict(padded, verbose=0)[:, :5], alone, rtol=1e-4, atol=1e-5)


def test_best_path_merges_repeats_and_drops_blanks():
    from recurrent_bottleneck.milestones.speech import best_path

    class Fixed:
        """A stand-in model whose logits are given."""

        def __init__(self, logits):
            self.logits = logits

        def predict(self, frames, batch_size, verbose):
            return self.logits

    logits = np.full((1, 8, 4), -5.0, dtype=np.float32)
    for frame, label in enumerate([1, 1, 0, 1, 3, 3, 2, 2]):
        logits[0, frame, label] = 5.0
    decoded = best_path(Fixed(logits), None, np.array([8]), batch_size=1)
    assert [int(label) for label in decoded[0] if label > 0] == [1, 1, 3, 2]
    # only the utterance's own frames are read
    decoded = best_path(Fixed(logits), None, np.array([5]), batch_size=1)
    assert [int(label) for label in decoded[0] if label > 0] == [1, 1, 3]


def speech_document(model, rates, parameters=100):
    return {
        "milestone": "speech",
        "model": model,
        "settings": {"layers": 2, "lstm_units": 4, "tanh_units": 8},
        "runs": [
            {
                "seed": seed,
                "parameters": parameters,
                "best_epoch": 2,
                "test_phone_error_rate": rate,
                "curve": [
                    {"epoch": 1, "validation_phone_error_rate": rate + 0.2},
                    {"epoch": 2, "validation_phone_error_rate": rate},
                ],
            }
            for seed, rate in enumerate(rates)
        ],
    }


def test_the_summary_compares_the_medians_and_the_worst_lstm_seed_with_the_best_tanh_seed():
    from recurrent_bottleneck.summaries import speech as summary_module

    summary = summary_module.summarize(
        [speech_document("tanh", [0.5, 0.6, 0.4]), speech_document("lstm", [0.2, 0.3, 0.45])]
    )
    measurements = summary["measurements"]
    assert measurements["speech_lstm_phone_error_rate"] == pytest.approx(0.3)
    assert measurements["speech_tanh_phone_error_rate"] == pytest.approx(0.5)
    assert measurements["speech_error_ratio"] == pytest.approx(0.6)
    assert measurements["speech_seed_margin"] == pytest.approx(0.4 - 0.45)
    assert measurements["speech_seeds"] == 3
    # the paper's number beside each net, for the report's table
    papers = {row["model"]: row["paper_phone_error_rate"] for row in summary["table"]}
    assert papers == {"lstm": 18.6, "tanh": 37.6}
    # the validation curve: the mean over seeds at every epoch
    np.testing.assert_allclose(
        summary["curves"]["lstm"]["validation_phone_error_rate"], [1.55 / 3, 0.95 / 3]
    )
    # one net alone: nothing for the claim to read
    assert summary_module.summarize([speech_document("lstm", [0.2])])["measurements"] == {}


@pytest.mark.parametrize("layers, units", [(1, 3), (2, 5), (3, 4)])
def test_the_weight_count_matches_the_built_lstm(layers, units):
    from recurrent_bottleneck.milestones.speech import build_model, lstm_weights

    channels, phones = 3, 4
    model = build_model("lstm", layers, units, channels, phones, 0.01, 1.0)
    assert lstm_weights(layers, units, channels, phones) == model.count_params()


def test_the_wide_layer_matches_the_paper_and_comes_closest_in_weights():
    from recurrent_bottleneck.milestones.speech import lstm_weights, wide_units

    # the paper's nets read 123 values and tell 61 phones: 3 × 250 cells are 3.8 million
    # weights, and its one-layer net of about the same size had 622 cells
    assert lstm_weights(3, 250, 123, 61) == pytest.approx(3.8e6, rel=0.01)
    assert abs(wide_units(3, 250, 123, 61) - 622) <= 1
    target = lstm_weights(2, 32, 12, 10)
    width = wide_units(2, 32, 12, 10)
    gaps = {u: abs(lstm_weights(1, u, 12, 10) - target) for u in (width - 1, width, width + 1)}
    assert min(gaps, key=gaps.get) == width
    # one layer is its own wide net
    assert wide_units(1, 7, 12, 10) == 7


def depth_section(models=("lstm", "tanh"), layers=2, depths=(1, 2, 3), wide=True):
    return {
        "models": list(models),
        "seeds": 2,
        "corpus": {"channels": 12, "phones": 10},
        "layers": layers,
        "lstm_units": 32,
        "tanh_units": 64,
        "depth": {"layers": list(depths), "wide": wide},
    }


def test_the_depth_nets_leave_the_main_lstm_to_its_own_job():
    from recurrent_bottleneck.job_settings import speech_depth_net, speech_depth_nets

    nets = speech_depth_nets(depth_section())
    assert nets == {
        "layers_1": {"layers": 1, "lstm_units": 32},
        "layers_3": {"layers": 3, "lstm_units": 32},
        "wide": {"layers": 1, "lstm_units": 61},
    }
    # without the main LSTM the sweep trains its depth itself
    assert "layers_2" in speech_depth_nets(depth_section(models=["tanh"]))
    # a one-layer main net has no wide twin; an empty sweep has no nets
    assert "wide" not in speech_depth_nets(depth_section(layers=1))
    assert speech_depth_nets(depth_section(depths=(), wide=False)) == {}
    settings = speech_depth_net(depth_section(), "wide")
    assert settings["model"] == "lstm" and settings["depth_net"] == "wide"
    assert (settings["layers"], settings["lstm_units"]) == (1, 61)
    assert "depth" not in settings and "models" not in settings
    with pytest.raises(ValueError, match="layers_4"):
        speech_depth_net(depth_section(), "layers_4")


def depth_document(net, layers, units, rates):
    document = speech_document("lstm", rates)
    document["settings"] = {"layers": layers, "lstm_units": units, "tanh_units": 8}
    if net != "main":
        document["settings"]["depth_net"] = net
    return document


def test_the_depth_summary_compares_the_deepest_with_one_layer_and_the_deep_with_the_wide():
    from recurrent_bottleneck.summaries import speech as summary_module

    summary = summary_module.summarize(
        [
            speech_document("tanh", [0.5, 0.6]),
            depth_document("main", 2, 4, [0.3, 0.2]),
            depth_document("layers_3", 3, 4, [0.1, 0.15]),
            depth_document("layers_1", 1, 4, [0.4, 0.35]),
            depth_document("wide", 1, 9, [0.28, 0.26]),
        ]
    )
    measurements = summary["measurements"]
    # the main LSTM's own table is unchanged by the depth nets
    assert [row["model"] for row in summary["table"]] == ["lstm", "tanh"]
    assert measurements["speech_lstm_phone_error_rate"] == pytest.approx(0.25)
    # deeper: 3 layers against 1 at the main width
    assert [(row["net"], row["layers"]) for row in summary["depth_table"]] == [
        ("layers_1", 1),
        ("main", 2),
        ("layers_3", 3),
        ("wide", 1),
    ]
    assert measurements["speech_depth_layers"] == 3
    assert measurements["speech_depth_ratio"] == pytest.approx(0.125 / 0.375)
    assert measurements["speech_depth_seed_margin"] == pytest.approx(0.35 - 0.15)
    # depth against width: the main net against the wide layer
    assert measurements["speech_width_ratio"] == pytest.approx(0.25 / 0.27)
    assert measurements["speech_width_seed_margin"] == pytest.approx(0.26 - 0.3)
    assert measurements["speech_wide_units"] == 9
    papers = {row["net"]: row["paper_phone_error_rate"] for row in summary["depth_table"]}
    assert papers == {"layers_1": 23.9, "main": 21.0, "layers_3": 18.6, "wide": 23.0}
    # without a one-layer net of the main width, or the wide net: nothing for those claims
    partial = summary_module.summarize(
        [depth_document("main", 2, 4, [0.3]), depth_document("layers_3", 3, 4, [0.1])]
    )["measurements"]
    assert not any(key.startswith(("speech_depth", "speech_wid")) for key in partial)
