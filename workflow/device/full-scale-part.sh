#!/usr/bin/env bash
# One call on the lent GPU machine (JAX backend, no Snakemake there; see
# ../shared/device/README.md): the commands are the workflow's own for
# config/full.yaml (from `snakemake -n -p --configfile config/full.yaml`), with
# --backend jax, and fewer seeds, epochs or beam sentences where one session's device
# time (15 min) demands it.
# When config/full.yaml changes, copy the jobs' settings again: tests/test_device_script.py
# fails while they differ.
# Part A runs alone (timings); part B trains one job after the other (SEQUENTIAL=0 runs
# them side by side: on 2026-11-26 four trainings sharing one H100 starved three), each
# job cut off by `timeout` (a cut-off job leaves its log, whose lines say how far it got).
# Usage (on the device): [JOBS="layer_timing ..."] bash workflow/device/full-scale-part.sh
set -u
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
  --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site:$PWD/src KERAS_BACKEND=jax || exit
export XLA_PYTHON_CLIENT_PREALLOCATE=false   # several jobs share the GPU (parts C and D)
# The jobs this script starts side by side share the one GPU on purpose; the workflow's slot
# allocator (one GPU per job) would make the second wait for the first (2026-12-04: the
# reversed direction waited 522 s and never trained), so it is off here
export RECURRENT_BOTTLENECK_GPUS=0
R="$OUT/results"
mkdir -p "$R/logs"
nvidia-smi -L > "$R/logs/nvidia-smi.txt"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv >> "$R/logs/nvidia-smi.txt"
python3 -c "import jax; print(jax.__version__, jax.devices())" >> "$R/logs/nvidia-smi.txt" 2>&1
run() {  # name, limit in seconds, command...
  local name=$1 limit=$2; shift 2
  local start
  start=$(date +%s)
  timeout "$limit" "$@" > "$R/logs/$name.log" 2>&1
  local code=$?
  echo "$name exit=$code seconds=$(( $(date +%s) - start ))" | tee -a "$R/logs/wall.txt"
}
job() {  # runs the job if JOBS is unset or names it
  [ -z "${JOBS:-}" ] || [[ " $JOBS " == *" $1 "* ]] || return 0
  run "$@"
}
# Part A, alone: throughput of every model (the 2013 nets at paper size among them, since
# session 32: 180 s, not 120), then Table 1 per layer on the GPU
job throughput "${LIMIT_THROUGHPUT:-180}" python3 -m recurrent_bottleneck throughput --settings '{"batch_size": 64, "cell": {"cells_per_block": 2, "input_gate_biases": [-3.0, -6.0], "output_gate_biases": [-1.0, -2.0], "squashing": "paper", "truncated": false}, "length": 1000, "repeats": 20, "speech": {"batch_size": 32, "channels": 40, "clip_norm": 1.0, "layers": 3, "learning_rate": 0.001, "length": 300, "lstm_units": 250, "phones": 39, "tanh_units": 500}, "translation": {"batch_size": 128, "length": 30, "lstm": {"clip_norm": 5.0, "embedding": 512, "initial_range": 0.08, "layers": 4, "learning_rate": 0.7, "optimizer": "sgd", "units": 512}, "transformer": {"clip_norm": 5.0, "dropout": 0.1, "feed_forward": 2048, "heads": 8, "label_smoothing": 0.1, "layers": 6, "warmup_steps": 4000, "width": 512}, "vocabulary_size": 20000}, "units": 8}' --output "$R"/throughput/metrics.json --tensorboard "$R"/tensorboard/throughput --threads 16 --backend jax
job layer_timing "${LIMIT_LAYER_TIMING:-170}" python3 -m recurrent_bottleneck layer-timing --settings '{"batch_size": 16, "fit_from_length": 512, "heads": 8, "kernel_size": 3, "layers": ["recurrent", "self_attention", "convolution"], "length": 512, "lengths": [16, 32, 64, 128, 256, 512, 1024, 2048, 4096], "path_heads": 1, "path_max_length": 4096, "path_radius": 0.99, "path_width": 2, "repeats": 10, "threads": [1, 2], "width": 512, "widths": [64, 128, 256, 512, 1024]}' --output "$R"/attention/layer_timing/gpu/timing.json --tensorboard "$R"/tensorboard/attention/layer_timing/gpu --threads 16 --backend jax
# Part B: the 1997 paper-scale lags (2c q = 1000, adding T = 1000)
job long_lag_lstm1997_1000 "${LIMIT_TRAINING:-220}" python3 -m recurrent_bottleneck long-time-lags --settings '{"batch_size": 32, "cell": {"cells_per_block": 2, "input_gate_biases": [-3.0, -6.0], "output_gate_biases": [-1.0, -2.0], "squashing": "paper", "truncated": false}, "clip_norm": 1.0, "distractors": null, "evaluation_interval": 50, "lag": 1000, "learning_rate": 0.003, "max_extra": 40, "model": "lstm1997", "seeds": 3, "success_fraction": 0.99, "task": "long_lag", "test_sequences": 2560, "training_steps": 5000, "units": 8}' --output "$R"/long_time_lags/long_lag/lstm1997/lag_1000/metrics.json --tensorboard "$R"/tensorboard/long_time_lags/long_lag/lstm1997/lag_1000 --threads 1 --backend jax &
[ "${SEQUENTIAL:-1}" = 1 ] && wait
job long_lag_simple_rnn_1000 "${LIMIT_TRAINING:-220}" python3 -m recurrent_bottleneck long-time-lags --settings '{"batch_size": 32, "cell": {"cells_per_block": 2, "input_gate_biases": [-3.0, -6.0], "output_gate_biases": [-1.0, -2.0], "squashing": "paper", "truncated": false}, "clip_norm": 1.0, "distractors": null, "evaluation_interval": 50, "lag": 1000, "learning_rate": 0.003, "max_extra": 40, "model": "simple_rnn", "seeds": 1, "success_fraction": 0.99, "task": "long_lag", "test_sequences": 2560, "training_steps": 5000, "units": 8}' --output "$R"/long_time_lags/long_lag/simple_rnn/lag_1000/metrics.json --tensorboard "$R"/tensorboard/long_time_lags/long_lag/simple_rnn/lag_1000 --threads 1 --backend jax &
[ "${SEQUENTIAL:-1}" = 1 ] && wait
job long_lag_lstm_forget_1000 "${LIMIT_TRAINING:-220}" python3 -m recurrent_bottleneck long-time-lags --settings '{"batch_size": 32, "cell": {"cells_per_block": 2, "input_gate_biases": [-3.0, -6.0], "output_gate_biases": [-1.0, -2.0], "squashing": "paper", "truncated": false}, "clip_norm": 1.0, "distractors": null, "evaluation_interval": 50, "lag": 1000, "learning_rate": 0.003, "max_extra": 40, "model": "lstm_forget", "seeds": 1, "success_fraction": 0.99, "task": "long_lag", "test_sequences": 2560, "training_steps": 5000, "units": 8}' --output "$R"/long_time_lags/long_lag/lstm_forget/lag_1000/metrics.json --tensorboard "$R"/tensorboard/long_time_lags/long_lag/lstm_forget/lag_1000 --threads 1 --backend jax &
[ "${SEQUENTIAL:-1}" = 1 ] && wait
job adding_lstm1997_1000 "${LIMIT_TRAINING:-220}" python3 -m recurrent_bottleneck long-time-lags --settings '{"batch_size": 64, "cell": {"cells_per_block": 2, "input_gate_biases": [-3.0, -6.0], "output_gate_biases": [-1.0, -2.0], "squashing": "paper", "truncated": false}, "clip_norm": 1.0, "distractors": null, "evaluation_interval": 500, "lag": 1000, "learning_rate": 0.01, "max_extra": 0, "model": "lstm1997", "seeds": 1, "success_fraction": 0.95, "task": "adding", "test_sequences": 2560, "training_steps": 30000, "units": 8}' --output "$R"/long_time_lags/adding/lstm1997/lag_1000/metrics.json --tensorboard "$R"/tensorboard/long_time_lags/adding/lstm1997/lag_1000 --threads 1 --backend jax &
[ "${SEQUENTIAL:-1}" = 1 ] && wait
# Part C: the 2014 encoder-decoder at paper size (4 x 512, 20,000-word vocabularies, 159,000
# training pairs), forward and reversed side by side (each needs a fraction of the GPU; what
# is compared is perplexity and BLEU, not time), one seed, all eight epochs (the learning rate
# halved from the sixth; on the H200 about 25 s per epoch once compiled) and 100 beam
# sentences: what fits one session's device time
job translation_forward "${LIMIT_TRANSLATION:-500}" python3 -m recurrent_bottleneck sequence-to-sequence --settings '{"architecture": "lstm", "batch_size": 128, "beam_sentences": 100, "beam_size": 12, "clip_norm": 5.0, "corpus": {"lexicon_size": 5000, "max_clauses": 4, "seed": 0, "sentences": 200000, "source": "synthetic", "source_file": null, "target_file": null, "tsv_file": null}, "direction": "forward", "embedding": 512, "epochs": 8, "halve_after_epochs": 5, "halve_every_epochs": 0.5, "initial_range": 0.08, "layers": 4, "learning_rate": 0.7, "length_edges": [1, 8, 12, 16, 20, 25, 30, 40, 60], "length_step": 8, "max_length": 50, "optimizer": "sgd", "seeds": 1, "source_vocabulary_size": 20000, "target_vocabulary_size": 20000, "test_fraction": 0.1, "units": 512, "validation_bleu_sentences": 1000, "validation_fraction": 0.1}' --output "$R"/sequence_to_sequence/forward/metrics.json --tensorboard "$R"/tensorboard/sequence_to_sequence/forward --threads 1 --backend jax &
job translation_reversed "${LIMIT_TRANSLATION:-500}" python3 -m recurrent_bottleneck sequence-to-sequence --settings '{"architecture": "lstm", "batch_size": 128, "beam_sentences": 100, "beam_size": 12, "clip_norm": 5.0, "corpus": {"lexicon_size": 5000, "max_clauses": 4, "seed": 0, "sentences": 200000, "source": "synthetic", "source_file": null, "target_file": null, "tsv_file": null}, "direction": "reversed", "embedding": 512, "epochs": 8, "halve_after_epochs": 5, "halve_every_epochs": 0.5, "initial_range": 0.08, "layers": 4, "learning_rate": 0.7, "length_edges": [1, 8, 12, 16, 20, 25, 30, 40, 60], "length_step": 8, "max_length": 50, "optimizer": "sgd", "seeds": 1, "source_vocabulary_size": 20000, "target_vocabulary_size": 20000, "test_fraction": 0.1, "units": 512, "validation_bleu_sentences": 1000, "validation_fraction": 0.1}' --output "$R"/sequence_to_sequence/reversed/metrics.json --tensorboard "$R"/tensorboard/sequence_to_sequence/reversed --threads 1 --backend jax &
[ "${SEQUENTIAL:-1}" = 1 ] && wait
# Part D: the 2016 stacks at paper size, 8 layers plain and with residual connections (and
# GNMT's bidirectional bottom layer and attention), side by side, two of the eight epochs
job stacks_residual_8 "${LIMIT_TRANSLATION:-500}" python3 -m recurrent_bottleneck sequence-to-sequence --settings '{"architecture": "lstm", "attention": true, "batch_size": 128, "beam_sentences": 100, "beam_size": 12, "bidirectional_bottom": true, "clip_norm": 5.0, "corpus": {"lexicon_size": 5000, "max_clauses": 4, "seed": 0, "sentences": 200000, "source": "synthetic", "source_file": null, "target_file": null, "tsv_file": null}, "direction": "reversed", "embedding": 512, "epochs": 2, "halve_after_epochs": 5, "halve_every_epochs": 0.5, "initial_range": 0.08, "layer_gradients": true, "layers": 8, "learning_rate": 0.7, "length_edges": [1, 8, 12, 16, 20, 25, 30, 40, 60], "length_step": 8, "max_length": 50, "optimizer": "sgd", "residual_from": 3, "seeds": 1, "source_vocabulary_size": 20000, "target_vocabulary_size": 20000, "test_fraction": 0.1, "units": 512, "validation_bleu_sentences": 1000, "validation_fraction": 0.1}' --output "$R"/residual_stacks/residual/layers_8/metrics.json --tensorboard "$R"/tensorboard/residual_stacks/residual/layers_8 --threads 1 --backend jax &
job stacks_plain_8 "${LIMIT_TRANSLATION:-500}" python3 -m recurrent_bottleneck sequence-to-sequence --settings '{"architecture": "lstm", "attention": true, "batch_size": 128, "beam_sentences": 100, "beam_size": 12, "bidirectional_bottom": true, "clip_norm": 5.0, "corpus": {"lexicon_size": 5000, "max_clauses": 4, "seed": 0, "sentences": 200000, "source": "synthetic", "source_file": null, "target_file": null, "tsv_file": null}, "direction": "reversed", "embedding": 512, "epochs": 2, "halve_after_epochs": 5, "halve_every_epochs": 0.5, "initial_range": 0.08, "layer_gradients": true, "layers": 8, "learning_rate": 0.7, "length_edges": [1, 8, 12, 16, 20, 25, 30, 40, 60], "length_step": 8, "max_length": 50, "optimizer": "sgd", "residual_from": null, "seeds": 1, "source_vocabulary_size": 20000, "target_vocabulary_size": 20000, "test_fraction": 0.1, "units": 512, "validation_bleu_sentences": 1000, "validation_fraction": 0.1}' --output "$R"/residual_stacks/plain/layers_8/metrics.json --tensorboard "$R"/tensorboard/residual_stacks/plain/layers_8 --threads 1 --backend jax &
wait
# Part E: the 2017 Transformer (base: 6 + 6 blocks of 512, Adam with warm-up) on the same
# corpus, source forward, one seed, 6 of the 8 epochs and 100 beam sentences: its validation
# perplexity against training time beside part C's LSTM. Its batches are padded to their
# split's width (config/full.yaml: length_step 64), 2 shapes to compile; 8 epochs were
# estimated at about 9 minutes (the LSTM's 23 s per epoch, twice for the padding, plus
# compiling, validation and the test split), too close to one call's 600 s
job transformer "${LIMIT_TRANSLATION:-500}" python3 -m recurrent_bottleneck sequence-to-sequence --settings '{"architecture": "transformer", "batch_size": 128, "beam_sentences": 100, "beam_size": 12, "clip_norm": 5.0, "corpus": {"lexicon_size": 5000, "max_clauses": 4, "seed": 0, "sentences": 200000, "source": "synthetic", "source_file": null, "target_file": null, "tsv_file": null}, "direction": "forward", "embedding": 512, "epochs": 6, "halve_after_epochs": 5, "halve_every_epochs": 0.5, "initial_range": 0.08, "layers": 4, "learning_rate": 0.7, "length_edges": [1, 8, 12, 16, 20, 25, 30, 40, 60], "length_step": 64, "max_length": 50, "optimizer": "sgd", "seeds": 1, "source_vocabulary_size": 20000, "target_vocabulary_size": 20000, "test_fraction": 0.1, "transformer": {"dropout": 0.1, "feed_forward": 2048, "heads": 8, "label_smoothing": 0.1, "layers": 6, "warmup_steps": 4000, "width": 512}, "units": 512, "validation_bleu_sentences": 1000, "validation_fraction": 0.1}' --output "$R"/attention/transformer/metrics.json --tensorboard "$R"/tensorboard/attention/transformer --threads 1 --backend jax
# Part F: the 2013 speech nets at paper size (3 bidirectional layers of 250 LSTM cells and of
# 500 tanh units, TIMIT-sized synthetic splits), side by side, one seed, 20 of the 60 epochs
# (not yet run on a GPU: each epoch's line in the log gives its time)
job speech_lstm "${LIMIT_SPEECH:-500}" python3 -m recurrent_bottleneck speech --settings '{"batch_size": 32, "clip_norm": 1.0, "corpus": {"channels": 40, "coarticulation": 0.5, "frames_per_phone": [4, 14], "noise": 0.6, "phones": 39, "phones_per_utterance": [20, 45], "seed": 0, "speaker_scale": 0.6, "speaker_shift": 3.0, "test_utterances": 192, "training_utterances": 3696, "validation_utterances": 400}, "epochs": 20, "layers": 3, "learning_rate": 0.001, "lstm_units": 250, "model": "lstm", "seeds": 1, "tanh_units": 500}' --output "$R"/speech/lstm/metrics.json --tensorboard "$R"/tensorboard/speech/lstm --threads 1 --backend jax &
job speech_tanh "${LIMIT_SPEECH:-500}" python3 -m recurrent_bottleneck speech --settings '{"batch_size": 32, "clip_norm": 1.0, "corpus": {"channels": 40, "coarticulation": 0.5, "frames_per_phone": [4, 14], "noise": 0.6, "phones": 39, "phones_per_utterance": [20, 45], "seed": 0, "speaker_scale": 0.6, "speaker_shift": 3.0, "test_utterances": 192, "training_utterances": 3696, "validation_utterances": 400}, "epochs": 20, "layers": 3, "learning_rate": 0.001, "lstm_units": 250, "model": "tanh", "seeds": 1, "tanh_units": 500}' --output "$R"/speech/tanh/metrics.json --tensorboard "$R"/tensorboard/speech/tanh --threads 1 --backend jax &
wait
# Part G: the 2013 depth comparison's one-layer nets at paper size (250 cells a direction,
# and the wide layer of 646, about the weights of part F's 3 × 250), side by side, one seed,
# 20 of the 60 epochs: set beside part F's LSTM (the paper: 23.9 % and 23.0 % against 18.6 %)
job speech_depth_layers_1 "${LIMIT_SPEECH:-500}" python3 -m recurrent_bottleneck speech --settings '{"batch_size": 32, "clip_norm": 1.0, "corpus": {"channels": 40, "coarticulation": 0.5, "frames_per_phone": [4, 14], "noise": 0.6, "phones": 39, "phones_per_utterance": [20, 45], "seed": 0, "speaker_scale": 0.6, "speaker_shift": 3.0, "test_utterances": 192, "training_utterances": 3696, "validation_utterances": 400}, "depth_net": "layers_1", "epochs": 20, "layers": 1, "learning_rate": 0.001, "lstm_units": 250, "model": "lstm", "seeds": 1, "tanh_units": 500}' --output "$R"/speech/depth/layers_1/metrics.json --tensorboard "$R"/tensorboard/speech/depth/layers_1 --threads 1 --backend jax &
job speech_depth_wide "${LIMIT_SPEECH:-500}" python3 -m recurrent_bottleneck speech --settings '{"batch_size": 32, "clip_norm": 1.0, "corpus": {"channels": 40, "coarticulation": 0.5, "frames_per_phone": [4, 14], "noise": 0.6, "phones": 39, "phones_per_utterance": [20, 45], "seed": 0, "speaker_scale": 0.6, "speaker_shift": 3.0, "test_utterances": 192, "training_utterances": 3696, "validation_utterances": 400}, "depth_net": "wide", "epochs": 20, "layers": 1, "learning_rate": 0.001, "lstm_units": 646, "model": "lstm", "seeds": 1, "tanh_units": 500}' --output "$R"/speech/depth/wide/metrics.json --tensorboard "$R"/tensorboard/speech/depth/wide --threads 1 --backend jax &
wait
tar czf "$OUT/results.tar.gz" -C "$OUT" results && rm -rf "$R"
