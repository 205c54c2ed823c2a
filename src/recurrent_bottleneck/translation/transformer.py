"""The Transformer encoder–decoder of Vaswani et al. (2017), in Keras, at a chosen size.

No recurrence: the encoder turns the embedded source (plus a sinusoidal position
code) into one vector per position by ``layers`` blocks of

    x <- LayerNorm(x + SelfAttention(x)),   x <- LayerNorm(x + FeedForward(x)),

FeedForward(x) = max(0, x W_1 + b_1) W_2 + b_2, dropout on every sub-layer's output
(the paper's "post-norm" arrangement). The decoder's blocks add attention over the
encoder's output between the two, and its self-attention is masked so that position t
sees only positions ≤ t. Embeddings are scaled by sqrt(d_model) and the position code is

    PE(p, 2i) = sin(p / 10000^(2i/d)),   PE(p, 2i+1) = cos(p / 10000^(2i/d)).

Training uses the paper's Adam (β₁ 0.9, β₂ 0.98, ε 1e-9) with its learning rate

    rate(step) = d_model^-0.5 · min(step^-0.5, step · warmup^-1.5)

and optional label smoothing ε_ls. Every position of a training sentence is computed at
once: the only sequential loop left is decoding, one target token after another.

For decoding, ``decoding_functions`` gives the same interface as the LSTM model
(:mod:`recurrent_bottleneck.translation.decoding`): the "states" of a hypothesis are its
source tokens, the encoder's output, the target prefix so far and its length, and a step
runs the decoder on the whole prefix and keeps the newest position's distribution.
"""

from __future__ import annotations

import numpy as np


def position_code(length: int, width: int) -> np.ndarray:
    """The sinusoidal position code, (length, width)."""
    positions = np.arange(length)[:, None]
    frequencies = 1.0 / 10000 ** (np.arange(0, width, 2) / width)
    code = np.zeros((length, width), dtype="float32")
    code[:, 0::2] = np.sin(positions * frequencies)
    code[:, 1::2] = np.cos(positions * frequencies[: width // 2])
    return code


def _layers():
    import keras
    from keras import ops

    class PositionalEmbedding(keras.layers.Layer):
        """Token embedding · sqrt(d) + the position code; token 0 (padding) is masked."""

        def __init__(self, vocabulary, width, max_length, **kwargs):
            super().__init__(**kwargs)
            self.width = width
            self.embedding = keras.layers.Embedding(vocabulary, width, mask_zero=True)
            self.code = ops.convert_to_tensor(position_code(max_length, width))

        def call(self, tokens):
            length = ops.shape(tokens)[1]
            return self.embedding(tokens) * np.sqrt(self.width) + self.code[None, :length, :]

        def build(self, tokens_shape):
            self.embedding.build(tokens_shape)

        def compute_output_shape(self, tokens_shape):
            # said, not traced: JAX cannot trace a slice to a symbolic length
            return (*tokens_shape, self.width)

        def compute_mask(self, tokens, mask=None):
            return ops.not_equal(tokens, 0)

    class Block(keras.layers.Layer):
        """One encoder block, or with ``cross=True`` one decoder block."""

        def __init__(self, width, heads, feed_forward, dropout, cross=False, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True
            self.cross = cross
            key_width = width // heads
            self.self_attention = keras.layers.MultiHeadAttention(heads, key_width)
            self.cross_attention = (
                keras.layers.MultiHeadAttention(heads, key_width) if cross else None
            )
            self.hidden = keras.layers.Dense(feed_forward, activation="relu")
            self.back = keras.layers.Dense(width)
            self.norms = [
                keras.layers.LayerNormalization(epsilon=1e-6) for _ in range(3 if cross else 2)
            ]
            self.dropout = keras.layers.Dropout(dropout)
            self.feed_forward_width = feed_forward

        def build(self, input_shape):
            self.self_attention.build(input_shape, input_shape)
            if self.cross:  # the memory has the same width as the inputs
                self.cross_attention.build(input_shape, (input_shape[0], None, input_shape[-1]))
            self.hidden.build(input_shape)
            self.back.build((*input_shape[:-1], self.feed_forward_width))
            for norm in self.norms:
                norm.build(input_shape)

        def call(self, inputs, memory=None, memory_mask=None, mask=None, training=False):
            # masks are passed by hand: padding rows and columns, and causality
            attention_mask = None
            if mask is not None:
                attention_mask = ops.logical_and(mask[:, :, None], mask[:, None, :])
            attended = self.self_attention(
                inputs,
                inputs,
                attention_mask=attention_mask,
                use_causal_mask=self.cross,
                training=training,
            )
            x = self.norms[0](inputs + self.dropout(attended, training=training))
            if self.cross:
                cross_mask = memory_mask[:, None, :]
                if mask is not None:
                    cross_mask = ops.logical_and(mask[:, :, None], cross_mask)
                attended = self.cross_attention(
                    x, memory, attention_mask=cross_mask, training=training
                )
                x = self.norms[1](x + self.dropout(attended, training=training))
            transformed = self.back(self.hidden(x))
            return self.norms[-1](x + self.dropout(transformed, training=training))

    return PositionalEmbedding, Block


def learning_rate_schedule(width: int, warmup_steps: int):
    """The paper's schedule: linear warm-up, then decay as step^-0.5."""
    import keras
    from keras import ops

    class WarmupThenInverseSquareRoot(keras.optimizers.schedules.LearningRateSchedule):
        def __call__(self, step):
            step = ops.cast(step, "float32") + 1.0
            return width**-0.5 * ops.minimum(step**-0.5, step * warmup_steps**-1.5)

        def get_config(self):
            return {"width": width, "warmup_steps": warmup_steps}

    return WarmupThenInverseSquareRoot()


def smoothed_negative_log_likelihood(smoothing: float):
    """-log p(target) with label smoothing: (1-ε)·NLL + ε·mean over the vocabulary of -log p."""
    from keras import ops

    def loss(targets, log_probabilities):
        targets = ops.cast(targets, "int32")
        picked = ops.take_along_axis(log_probabilities, ops.expand_dims(targets, -1), axis=-1)
        negative = -ops.squeeze(picked, -1)
        if smoothing == 0.0:
            return negative
        uniform = -ops.mean(log_probabilities, axis=-1)
        return (1.0 - smoothing) * negative + smoothing * uniform

    return loss


def build(
    source_vocabulary: int,
    target_vocabulary: int,
    *,
    layers: int,
    width: int,
    heads: int,
    feed_forward: int,
    dropout: float,
    max_length: int,
    warmup_steps: int,
    label_smoothing: float,
    clip_norm: float,
):
    """(training model, encoder model, step decoder model), sharing their weights."""
    import keras
    from keras import ops

    from recurrent_bottleneck.translation.model import compile_with_xla

    PositionalEmbedding, Block = _layers()
    source_embedding = PositionalEmbedding(
        source_vocabulary, width, max_length, name="source_embedding"
    )
    target_embedding = PositionalEmbedding(
        target_vocabulary, width, max_length, name="target_embedding"
    )
    encoder_blocks = [
        Block(width, heads, feed_forward, dropout, name=f"encoder_{index}")
        for index in range(layers)
    ]
    decoder_blocks = [
        Block(width, heads, feed_forward, dropout, cross=True, name=f"decoder_{index}")
        for index in range(layers)
    ]
    embedding_dropout = keras.layers.Dropout(dropout)
    softmax = keras.layers.Dense(target_vocabulary, activation="log_softmax", name="log_softmax")

    def encode(source):
        x = embedding_dropout(source_embedding(source))
        for block in encoder_blocks:
            x = block(x)
        return x

    def decode(prefix, memory, source):
        memory_mask = ops.not_equal(source, 0)
        x = embedding_dropout(target_embedding(prefix))
        for block in decoder_blocks:
            x = block(x, memory=memory, memory_mask=memory_mask)
        return softmax(x)

    source = keras.Input(shape=(None,), dtype="int32", name="source")
    decoder_input = keras.Input(shape=(None,), dtype="int32", name="decoder_input")
    memory = encode(source)
    training_model = keras.Model(
        [source, decoder_input], decode(decoder_input, memory, source), name="transformer"
    )
    training_model.compile(
        optimizer=keras.optimizers.Adam(
            learning_rate=learning_rate_schedule(width, warmup_steps),
            beta_1=0.9,
            beta_2=0.98,
            epsilon=1e-9,
            global_clipnorm=clip_norm,
        ),
        loss=smoothed_negative_log_likelihood(label_smoothing),
        jit_compile=compile_with_xla(),
    )
    encoder_model = keras.Model(source, [source, memory], name="encoder")
    memory_input = keras.Input(shape=(None, width), name="memory")
    prefix = keras.Input(shape=(None,), dtype="int32", name="prefix")
    step_model = keras.Model(
        [source, memory_input, prefix], decode(prefix, memory_input, source), name="decoder"
    )
    return training_model, encoder_model, step_model


def decoding_functions(models) -> dict:
    """``initial_states(source)`` and ``step(tokens, states)`` for the decoding module."""
    import keras

    from recurrent_bottleneck.translation.model import compile_with_xla, compiled

    _, encoder_model, step_model = models
    # the prefix lives in a buffer of fixed length (padding after it); causal masking
    # keeps position t blind to the padding after it, so its distribution is the one the
    # bare prefix gives. A backend that compiles once per shape (XLA, JAX) gets the whole
    # buffer at every step, so it compiles once; TensorFlow's plain graph takes any
    # length, so it gets the prefix only and saves the work on the padding.
    whole_buffer = compile_with_xla()
    encode, decode = compiled(encoder_model), compiled(step_model, jit_compile=whole_buffer)
    buffer_length = int(step_model.get_layer("target_embedding").code.shape[0])

    def initial_states(source: np.ndarray) -> list[np.ndarray]:
        source_tokens, memory = encode(np.asarray(source, np.int32))
        return [
            keras.ops.convert_to_numpy(source_tokens),
            keras.ops.convert_to_numpy(memory),
            np.zeros((len(source), buffer_length), dtype=np.int32),
            np.zeros(len(source), dtype=np.int32),  # the next free position
        ]

    def step(tokens: np.ndarray, states: list[np.ndarray]):
        source_tokens, memory, prefix, position = states
        prefix = prefix.copy()
        rows = np.arange(len(prefix))
        prefix[rows, position] = tokens
        length = buffer_length if whole_buffer else int(position.max()) + 1
        log_probabilities = keras.ops.convert_to_numpy(
            decode([source_tokens, memory, prefix[:, :length]])
        )
        return log_probabilities[rows, position], [source_tokens, memory, prefix, position + 1]

    return {"initial_states": initial_states, "step": step}
