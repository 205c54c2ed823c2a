"""The deep LSTM encoder–decoder of Sutskever, Vinyals & Le (2014), in Keras.

The encoder reads the source x_1 … x_S (embedded) through ``layers`` stacked LSTMs; the
final (h, c) of every encoder layer becomes the initial state of the same decoder
layer. The decoder reads <bos> y_1 … y_T and is trained to emit y_1 … y_T <eos> (teacher
forcing); a softmax over the target vocabulary gives

    p(y_1 … y_T | x) = prod_t p(y_t | v, y_1 … y_{t-1}),   v = the encoder's final states,

and training minimises the mean negative log probability of the target tokens
(padding masked out). Every parameter starts uniform in [-0.08, 0.08]; the global
gradient norm is clipped (the paper: at 5).

Deeper stacks (Wu et al. 2016, GNMT) take two options. With ``residual_from = k`` the
layers from the k-th up (counted from 1 at the bottom, in encoder and decoder alike)
add their input to their output,

    x_t^i = m_t^i + x_t^(i-1),   m_t^i = LSTM_i(x_t^(i-1)),

so the signal and its gradient also pass around every such layer (GNMT: k = 3; the
encoder's top sequence feeds nothing here, only its final states go on). With
``bidirectional_bottom`` the encoder's first layer reads the source in both directions
(units/2 each way, outputs and final states concatenated): every later layer then has to
wait for the whole sentence, which is why GNMT makes only that one layer bidirectional.
With ``attention`` the decoder also looks at every source position (GNMT, and Bahdanau et
al. 2015 before it): the bottom decoder layer's output y_t scores the encoder's top
sequence x_1 … x_S,

    e_ts = v · tanh(W_y y_t + W_x x_s),   α_ts = exp(e_ts) / sum_s' exp(e_ts'),
    a_t = sum_s α_ts x_s              (padding positions get no weight),

and the context a_t joins the input of every decoder layer above the bottom one and of
the softmax (GNMT feeds the upper layers; the softmax too here, so that a one-layer
decoder attends as well).

For decoding, the same layers are wired into an ``encoder`` model (source -> states)
and a one-step ``decoder`` model (last token, states -> log probabilities, new states),
which is what :mod:`recurrent_bottleneck.translation.decoding` drives.
"""

from __future__ import annotations

import numpy as np


def build(
    source_vocabulary: int,
    target_vocabulary: int,
    *,
    layers: int,
    units: int,
    embedding: int,
    initial_range: float,
    optimizer: str,
    learning_rate: float,
    clip_norm: float,
    residual_from: int | None = None,
    bidirectional_bottom: bool = False,
    attention: bool = False,
):
    """(training model, encoder model, one-step decoder model), sharing their weights."""
    import keras

    if residual_from is not None and (
        residual_from < 1 or (residual_from == 1 and embedding != units)
    ):
        raise ValueError(
            "residual_from counts layers from 1 and the first layer's input is the "
            f"embedding: 1 needs embedding == units (got {embedding} and {units}), "
            f"got residual_from={residual_from}"
        )
    if bidirectional_bottom and units % 2:
        raise ValueError(f"a bidirectional bottom layer splits the units in two: got {units}")

    initializer = keras.initializers.RandomUniform(-initial_range, initial_range)

    def lstm(name, width=units):
        return keras.layers.LSTM(
            width,
            return_sequences=True,
            return_state=True,
            kernel_initializer=initializer,
            recurrent_initializer=initializer,
            bias_initializer=initializer,
            unit_forget_bias=False,
            name=name,
        )

    source_embedding = keras.layers.Embedding(
        source_vocabulary,
        embedding,
        mask_zero=True,
        embeddings_initializer=initializer,
        name="source_embedding",
    )
    target_embedding = keras.layers.Embedding(
        target_vocabulary,
        embedding,
        mask_zero=True,
        embeddings_initializer=initializer,
        name="target_embedding",
    )
    encoder_layers = [lstm(f"encoder_{index}") for index in range(layers)]
    if bidirectional_bottom:
        encoder_layers[0] = keras.layers.Bidirectional(
            lstm("encoder_0_cells", units // 2), merge_mode="concat", name="encoder_0"
        )
    decoder_layers = [lstm(f"decoder_{index}") for index in range(layers)]

    def residual(index, inputs, outputs):
        """x^i = m^i + x^(i-1) from layer ``residual_from`` up (``index`` counts from 0)."""
        if residual_from is None or index + 1 < residual_from:
            return outputs
        return keras.layers.Add()([outputs, inputs])

    softmax = keras.layers.Dense(
        target_vocabulary,
        activation="log_softmax",
        kernel_initializer=initializer,
        bias_initializer=initializer,
        name="log_softmax",
    )

    if attention:
        attend = {
            "query": keras.layers.Dense(units, use_bias=False, name="attention_query",
                                        kernel_initializer=initializer),
            "key": keras.layers.Dense(units, use_bias=False, name="attention_key",
                                      kernel_initializer=initializer),
            "score": keras.layers.AdditiveAttention(use_scale=True, name="attention"),
        }  # fmt: skip

    def context(query, memory, source):
        """a_t for every decoder position: v·tanh(W_y y_t + W_x x_s), softmax over s."""
        source_mask = keras.ops.not_equal(source, 0)
        keys = attend["key"](memory)
        return attend["score"]([attend["query"](query), memory, keys], mask=[None, source_mask])

    def encode(source):
        """The final (h, c) of every layer, and the top layer's sequence."""
        sequence, states = source_embedding(source), []
        for index, layer in enumerate(encoder_layers):
            outputs = layer(sequence)
            if bidirectional_bottom and index == 0:  # (h, c) forward, then backward
                outputs, forward_hidden, forward_cell, backward_hidden, backward_cell = outputs
                hidden = keras.layers.Concatenate()([forward_hidden, backward_hidden])
                cell = keras.layers.Concatenate()([forward_cell, backward_cell])
            else:
                outputs, hidden, cell = outputs
            sequence = residual(index, sequence, outputs)
            states += [hidden, cell]
        return states, sequence

    def decode(target, states, memory=None, source=None):
        """Log probabilities and the new (h, c) of every layer; with attention, ``memory``
        is the encoder's top sequence for ``source``."""
        sequence, new_states, attended = target_embedding(target), [], None
        for index, layer in enumerate(decoder_layers):
            layer_input = sequence
            if attended is not None:
                layer_input = keras.layers.Concatenate()([sequence, attended])
            outputs, hidden, cell = layer(
                layer_input, initial_state=states[2 * index : 2 * index + 2]
            )
            sequence = residual(index, sequence, outputs)
            new_states += [hidden, cell]
            if attention and index == 0:
                attended = context(sequence, memory, source)
        if attended is not None:
            sequence = keras.layers.Concatenate()([sequence, attended])
        return softmax(sequence), new_states

    source = keras.Input(shape=(None,), dtype="int32", name="source")
    decoder_input = keras.Input(shape=(None,), dtype="int32", name="decoder_input")
    encoder_states, encoder_sequence = encode(source)
    log_probabilities, _ = decode(decoder_input, encoder_states, encoder_sequence, source)
    training_model = keras.Model([source, decoder_input], log_probabilities, name="seq2seq")
    optimizers = {
        "sgd": lambda: keras.optimizers.SGD(learning_rate=learning_rate, global_clipnorm=clip_norm),
        "adam": lambda: keras.optimizers.Adam(
            learning_rate=learning_rate, global_clipnorm=clip_norm
        ),
    }
    if optimizer not in optimizers:
        raise ValueError(f"optimizer must be one of {sorted(optimizers)}, got {optimizer!r}")
    training_model.compile(
        optimizer=optimizers[optimizer](),
        loss=negative_log_likelihood,
        jit_compile=compile_with_xla(),
    )

    # with attention the decoder's "states" also carry the encoder's top sequence and the
    # source (for its padding mask), passed through unchanged at every step
    encoder_states, encoder_sequence = encode(source)
    if attention:
        encoder_states += [encoder_sequence, source]
    encoder_model = keras.Model(source, encoder_states, name="encoder")
    last_token = keras.Input(shape=(1,), dtype="int32", name="last_token")
    state_inputs = [
        keras.Input(shape=(units,), name=f"{kind}_{index}")
        for index in range(layers)
        for kind in ("hidden", "cell")
    ]
    passed_through = []
    if attention:
        passed_through = [
            keras.Input(shape=(None, units), name="encoder_sequence"),
            keras.Input(shape=(None,), dtype="int32", name="source_tokens"),
        ]
    step_log_probabilities, step_states = decode(last_token, state_inputs, *passed_through)
    state_inputs += passed_through
    step_states += passed_through
    decoder_model = keras.Model(
        [last_token, *state_inputs], [step_log_probabilities, *step_states], name="decoder"
    )
    return training_model, encoder_model, decoder_model


def compile_with_xla() -> bool:
    """Whether the training step is XLA-compiled: not on TensorFlow, yes elsewhere.

    Batches come in several lengths (see ``batch_arrays`` in the 2014 milestone). XLA
    compiles the step once per shape (about 5 s each on the development CPU), where
    TensorFlow's plain graph is traced once for every length and ran 26 ms per step at
    12 tokens against XLA's 115 ms at 35 tokens, the padded length. JAX always compiles.
    """
    import keras

    return keras.backend.backend() != "tensorflow"


def negative_log_likelihood(targets, log_probabilities):
    """Per token -log p(target); Keras averages it over the unmasked (non-padding) tokens."""
    from keras import ops

    targets = ops.cast(targets, "int32")
    picked = ops.take_along_axis(log_probabilities, ops.expand_dims(targets, -1), axis=-1)
    return -ops.squeeze(picked, -1)


def mean_negative_log_likelihood(targets, log_probabilities):
    """The training loss as one number: mean -log p(target) over the non-padding tokens
    (for measuring gradients outside ``fit``, where Keras applies the mask itself)."""
    from keras import ops

    mask = ops.cast(ops.not_equal(targets, 0), log_probabilities.dtype)
    total = ops.sum(negative_log_likelihood(targets, log_probabilities) * mask)
    return total / ops.maximum(ops.sum(mask), 1.0)


def compiled(model, jit_compile: bool = False):
    """``model(inputs)`` for inference, traced once per input shape by the backend.

    Called eagerly, a Keras model runs op by op: one decoder step took ~50 ms on the
    development CPU against ~2 ms traced (TensorFlow). Weights are read at call time,
    so the compiled call follows training. ``jit_compile`` adds XLA on TensorFlow: it
    pays where the shapes stay fixed (the Transformer's earlier decoder, which ran on the
    whole prefix at every step: 12 s instead of 19 s to decode 600 sentences) and costs
    a compilation per new shape where they do not (the LSTM's beam search: 5 s instead
    of 0.6 s for 20 sentences).
    """
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.function(
            lambda inputs: model(inputs, training=False),
            reduce_retracing=True,
            jit_compile=jit_compile,
        )
    if backend == "jax":
        import jax

        @jax.jit
        def call(trainable, non_trainable, inputs):
            outputs, _ = model.stateless_call(trainable, non_trainable, inputs, training=False)
            return outputs

        return lambda inputs: call(
            [variable.value for variable in model.trainable_variables],
            [variable.value for variable in model.non_trainable_variables],
            inputs,
        )
    return lambda inputs: model(inputs, training=False)


def step_function(decoder_model):
    """The decoder as ``step(tokens, states) -> (log_probabilities, states)`` in NumPy."""
    import keras

    call = compiled(decoder_model)

    def step(tokens: np.ndarray, states: list[np.ndarray]):
        outputs = call([np.asarray(tokens, np.int32)[:, None], *states])
        outputs = [keras.ops.convert_to_numpy(output) for output in outputs]
        return outputs[0][:, 0, :], outputs[1:]

    return step


def initial_states(encoder_model, source: np.ndarray, call=None) -> list[np.ndarray]:
    """The encoder's final (h, c) of every layer for a batch of sources."""
    import keras

    call = call or compiled(encoder_model)
    return [keras.ops.convert_to_numpy(state) for state in call(np.asarray(source, np.int32))]
